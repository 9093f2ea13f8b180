// Package booking will own the clinic's schedule: branches, rooms and devices,
// the services catalog, specialists, working plans and their exceptions, slot
// search in each branch's time zone, appointments and their lifecycle with
// conflict detection, and treatment plans (courses).
//
// It arrives with the booking issue; until then it declares nothing.
package booking
