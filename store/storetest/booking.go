package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

// runBooking runs the booking.Store part of the suite.
func runBooking(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("BookingCatalog", func(t *testing.T) { testBookingCatalog(t, open) })
	t.Run("BookingSchedule", func(t *testing.T) { testBookingSchedule(t, open) })
	t.Run("BookingCreate", func(t *testing.T) { testBookingCreate(t, open) })
	t.Run("BookingMove", func(t *testing.T) { testBookingMove(t, open) })
	t.Run("BookingStatus", func(t *testing.T) { testBookingStatus(t, open) })
	t.Run("BookingQueries", func(t *testing.T) { testBookingQueries(t, open) })
	t.Run("BookingEvents", func(t *testing.T) { testBookingEvents(t, open) })
	t.Run("BookingPlans", func(t *testing.T) { testBookingPlans(t, open) })
	t.Run("BookingConcurrency", func(t *testing.T) { testBookingConcurrency(t, open) })
}

// day is the calendar day the appointment tests book on, a Tuesday; at(h, m)
// is an instant of it, in UTC.
var day = booking.Date{Year: 2026, Month: time.December, Day: 1}

func at(h, m int) time.Time {
	return time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, time.UTC)
}

// The clinic seedClinic creates.
var (
	branchCentre = booking.Branch{
		ID: "b-centre", Name: "Центр", Address: "Тверская, 1", Phone: "+74950000001",
		TimeZone: "Europe/Moscow",
		Opening: booking.Week{
			time.Monday:    {{Start: 9 * 60, End: 21 * 60}},
			time.Tuesday:   {{Start: 9 * 60, End: 14 * 60}, {Start: 15 * 60, End: 21 * 60}},
			time.Wednesday: {{Start: 9 * 60, End: 21 * 60}},
			time.Saturday:  {{Start: 10 * 60, End: 18 * 60}},
		},
		Holidays: []booking.Date{{Year: 2026, Month: time.December, Day: 31}, {Year: 2027, Month: time.January, Day: 1}},
		Active:   true,
	}
	branchNorth = booking.Branch{
		ID: "b-north", Name: "Север", TimeZone: "Europe/Moscow",
		Opening: booking.Week{time.Tuesday: {{Start: 8 * 60, End: 20 * 60}}}, Active: true,
	}

	laserRoom1 = booking.Resource{ID: "r-laser-1", BranchID: branchCentre.ID, Kind: "laser_room", Name: "Лазерный 1", Active: true}
	laserRoom2 = booking.Resource{ID: "r-laser-2", BranchID: branchCentre.ID, Kind: "laser_room", Name: "Лазерный 2", Active: true}
	ultrasound = booking.Resource{ID: "r-us", BranchID: branchNorth.ID, Kind: "ultrasound", Name: "УЗИ", Active: true}

	consult = booking.Service{
		ID: "svc-consult", Name: "Консультация косметолога", Category: "consultation", Duration: time.Hour,
		Price: booking.Money{Amount: 300000, Currency: "RUB"}, BranchIDs: []string{branchCentre.ID, branchNorth.ID},
		Tags: []string{"any_skin"}, Active: true, OnlineBooking: true,
	}
	laser = booking.Service{
		ID: "svc-laser", Name: "Лазерная шлифовка", Category: "laser", Description: "Фракционный лазер",
		Duration: time.Hour, Price: booking.Money{Amount: 1200000, Currency: "RUB"},
		BufferBefore: 10 * time.Minute, BufferAfter: 15 * time.Minute,
		ResourceKinds: []string{"laser_room"}, BranchIDs: []string{branchCentre.ID},
		Tags: []string{"scars", "no_tan"}, Active: true, NeedsConfirmation: true, CourseInterval: 28 * 24 * time.Hour,
	}
	ultrasoundScan = booking.Service{
		ID: "svc-us", Name: "УЗИ кожи", Category: "diagnostics", Duration: 30 * time.Minute,
		Price: booking.Money{Amount: 250000, Currency: "RUB"}, ResourceKinds: []string{"ultrasound"},
		BranchIDs: []string{branchNorth.ID}, Active: true, OnlineBooking: true,
	}

	anna = booking.Specialist{
		ID: "sp-anna", UserID: "u-anna", Name: "Анна Петрова", Title: "врач-косметолог",
		BranchIDs: []string{branchCentre.ID, branchNorth.ID},
		Services: []booking.SpecialistService{
			{ServiceID: consult.ID, Duration: 45 * time.Minute}, {ServiceID: laser.ID},
		},
		Active: true,
	}
	boris = booking.Specialist{
		ID: "sp-boris", Name: "Борис Смирнов", Title: "дерматолог", BranchIDs: []string{branchCentre.ID},
		Services: []booking.SpecialistService{{ServiceID: consult.ID}, {ServiceID: laser.ID}}, Active: true,
	}
	vera = booking.Specialist{
		ID: "sp-vera", Name: "Вера Орлова", BranchIDs: []string{branchNorth.ID},
		Services: []booking.SpecialistService{{ServiceID: ultrasoundScan.ID}, {ServiceID: consult.ID}}, Active: true,
	}
)

// seedClinic stores the clinic: two branches, three resources, three
// services and three specialists.
func seedClinic(t *testing.T, st cabinet.Store) {
	t.Helper()
	ctx := t.Context()
	for _, b := range []booking.Branch{branchCentre, branchNorth} {
		require.NoError(t, st.UpsertBranch(ctx, b))
	}
	for _, r := range []booking.Resource{laserRoom1, laserRoom2, ultrasound} {
		require.NoError(t, st.UpsertResource(ctx, r))
	}
	for _, s := range []booking.Service{consult, laser, ultrasoundScan} {
		require.NoError(t, st.UpsertService(ctx, s))
	}
	for _, s := range []booking.Specialist{anna, boris, vera} {
		require.NoError(t, st.UpsertSpecialist(ctx, s))
	}
}

// appt returns a confirmed consultation of client with specialist in the
// centre from start for d, without buffers or resources, created at t0;
// opts change it.
func appt(id, client, specialist string, start time.Time, d time.Duration, opts ...func(*booking.Appointment)) booking.Appointment {
	a := booking.Appointment{
		ID: id, ClientID: client, BranchID: branchCentre.ID, ServiceID: consult.ID, SpecialistID: specialist,
		Start: start, End: start.Add(d), BlockStart: start, BlockEnd: start.Add(d),
		Status: booking.StatusConfirmed, Price: consult.Price, ClientNote: "first visit",
		CreatedBy: client, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, o := range opts {
		o(&a)
	}
	return a
}

// buffers blocks the specialist and resources before and after the service
// time.
func buffers(before, after time.Duration) func(*booking.Appointment) {
	return func(a *booking.Appointment) {
		a.BlockStart, a.BlockEnd = a.Start.Add(-before), a.End.Add(after)
	}
}

// laserIn makes it a laser session holding the resources, with the laser's
// buffers.
func laserIn(resourceIDs ...string) func(*booking.Appointment) {
	return func(a *booking.Appointment) {
		a.ServiceID, a.Price, a.ResourceIDs = laser.ID, laser.Price, resourceIDs
		buffers(laser.BufferBefore, laser.BufferAfter)(a)
	}
}

// inBranch moves it to another branch.
func inBranch(id string) func(*booking.Appointment) {
	return func(a *booking.Appointment) { a.BranchID = id }
}

// withStatus sets the status it is created in.
func withStatus(s booking.Status) func(*booking.Appointment) {
	return func(a *booking.Appointment) { a.Status = s }
}

// bookedEvent is the event CreateAppointment is given for a.
func bookedEvent(a booking.Appointment) booking.Event {
	return booking.Event{Type: booking.EventBooked, AppointmentID: a.ID, ClientID: a.ClientID, At: a.CreatedAt, Appointment: a}
}

// book creates a without an idempotency key and requires it to succeed.
func book(t *testing.T, st cabinet.Store, a booking.Appointment) booking.Appointment {
	t.Helper()
	got, created, err := st.CreateAppointment(t.Context(), a, "", bookedEvent(a))
	require.NoError(t, err, "book %s", a.ID)
	require.True(t, created)
	return got
}

// cancel cancels appointment id at t0+1h and requires it to succeed.
func cancel(t *testing.T, st cabinet.Store, id string) booking.Appointment {
	t.Helper()
	return setStatus(t, st, id, booking.StatusCancelled, booking.EventCancelled)
}

// setStatus moves an active appointment to status at t0+1h.
func setStatus(t *testing.T, st cabinet.Store, id string, status booking.Status, ev booking.EventType) booking.Appointment {
	t.Helper()
	got, err := st.SetStatus(t.Context(), id, []booking.Status{booking.StatusPending, booking.StatusConfirmed},
		booking.StatusChange{To: status, At: t0.Add(time.Hour), By: "u-admin", Reason: "test"}, nil,
		booking.Event{Type: ev, At: t0.Add(time.Hour)})
	require.NoError(t, err, "set %s %s", id, status)
	return got
}

// allEvents returns every booking event in the log.
func allEvents(t *testing.T, st cabinet.Store) []booking.Event {
	t.Helper()
	var all []booking.Event
	var after int64
	for {
		page, err := st.EventsAfter(t.Context(), after, 100)
		require.NoError(t, err)
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
}

// ids returns the appointments' IDs in order.
func ids(list []booking.Appointment) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.ID)
	}
	return out
}
