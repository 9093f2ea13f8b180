// Package booking owns the clinic's schedule and its appointments: branches
// (each with an IANA time zone, opening hours and holidays), rooms and
// devices, the services catalog, specialists, weekly working plans with their
// exceptions, slot search, appointments and their lifecycle, and treatment
// plans (courses).
//
// What it promises:
//
//   - Slot search (FindSlots, Scheduler.Slots) returns every start at which a
//     service fits completely — working plan minus breaks, absences and
//     holidays, plus extra shifts, inside opening hours, clear of other
//     bookings with their buffers, of the rooms and devices it needs and of
//     outside busy time — on a grid counted from local midnight, in the
//     branch's zone, correct on DST change days.
//   - No two active appointments overlap for one specialist (with buffers), one
//     room or device, or one client: the Store checks and writes in one
//     transaction, so of many concurrent requests for a slot exactly one wins
//     and the rest get ErrSlotTaken with the nearest alternatives. Intervals
//     are half-open.
//   - A reschedule is one atomic move; a refused move leaves the booking as it
//     was. A retried booking with the same idempotency key returns the first.
//   - Every booking, move, cancellation, confirmation, completion and no-show
//     writes its Event in the same transaction (the event log), so consumers
//     (notifications, the host application) never miss or invent one.
//   - Clients see and change only their own appointments, until the change
//     deadline; staff act within their role and branches (see Role).
//
// Time: instants are UTC; working plans and opening hours are local wall-clock
// times of the branch. The package imports none of Kabinet's other packages.
package booking
