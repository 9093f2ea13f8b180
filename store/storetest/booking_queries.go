package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testBookingQueries(t *testing.T, open func(t *testing.T) cabinet.Store) {
	// One day of the clinic; "x-cancelled" is cancelled after booking.
	nextDay := func(a *booking.Appointment) {
		for _, t := range []*time.Time{&a.Start, &a.End, &a.BlockStart, &a.BlockEnd} {
			*t = t.Add(24 * time.Hour)
		}
	}
	inPlan := func(a *booking.Appointment) { a.PlanID = "plan-1" }
	schedule := []booking.Appointment{
		appt("x-anna-10", "c-1", anna.ID, at(10, 0), time.Hour),
		appt("x-anna-laser-12", "c-2", anna.ID, at(12, 0), time.Hour, laserIn(laserRoom1.ID), inPlan), // blocks 11:50–13:15
		appt("x-boris-laser-9", "c-3", boris.ID, at(9, 0), time.Hour, laserIn(laserRoom1.ID)),         // blocks 8:50–10:15
		appt("x-cancelled", "c-4", boris.ID, at(14, 0), time.Hour, laserIn(laserRoom2.ID)),
		appt("x-vera-north", "c-1", vera.ID, at(12, 0), time.Hour, inBranch(branchNorth.ID), withStatus(booking.StatusPending)),
		appt("x-anna-tomorrow", "c-2", anna.ID, at(10, 0), time.Hour, nextDay, inPlan),
	}
	seed := func(t *testing.T) cabinet.Store {
		t.Helper()
		st := open(t)
		seedClinic(t, st)
		require.NoError(t, st.CreatePlan(t.Context(), booking.Plan{
			ID: "plan-1", ClientID: "c-2", SpecialistID: anna.ID, ServiceID: laser.ID, BranchID: branchCentre.ID,
			Sessions: 3, Interval: 24 * time.Hour, Status: booking.PlanActive, CreatedAt: t0,
		}))
		for _, a := range schedule {
			book(t, st, a)
		}
		cancel(t, st, "x-cancelled")
		return st
	}

	t.Run("Busy", func(t *testing.T) {
		t.Parallel()
		st, ctx := seed(t), t.Context()
		wholeDay := func(f booking.BusyFilter) booking.BusyFilter {
			f.From, f.To = at(0, 0), at(0, 0).Add(24*time.Hour)
			return f
		}
		tests := []struct {
			name   string
			filter booking.BusyFilter
			want   []string // ordered by BlockStart
		}{
			{name: "specialist", filter: wholeDay(booking.BusyFilter{SpecialistIDs: []string{anna.ID}}),
				want: []string{"x-anna-10", "x-anna-laser-12"}},
			{name: "cancelled is free", filter: wholeDay(booking.BusyFilter{SpecialistIDs: []string{boris.ID}}),
				want: []string{"x-boris-laser-9"}},
			{name: "resource", filter: wholeDay(booking.BusyFilter{ResourceIDs: []string{laserRoom1.ID}}),
				want: []string{"x-boris-laser-9", "x-anna-laser-12"}},
			{name: "cancelled releases its resource", filter: wholeDay(booking.BusyFilter{ResourceIDs: []string{laserRoom2.ID}})},
			{name: "specialists and resources, each once",
				filter: wholeDay(booking.BusyFilter{SpecialistIDs: []string{anna.ID, vera.ID}, ResourceIDs: []string{laserRoom1.ID}}),
				want:   []string{"x-boris-laser-9", "x-anna-10", "x-anna-laser-12", "x-vera-north"}},
			{name: "pending holds time", filter: wholeDay(booking.BusyFilter{SpecialistIDs: []string{vera.ID}}),
				want: []string{"x-vera-north"}},
			{name: "between, touching both", filter: booking.BusyFilter{SpecialistIDs: []string{anna.ID}, From: at(11, 0), To: at(11, 50)}},
			{name: "a minute into each", filter: booking.BusyFilter{SpecialistIDs: []string{anna.ID}, From: at(10, 59), To: at(11, 51)},
				want: []string{"x-anna-10", "x-anna-laser-12"}},
			{name: "resource, touching the buffers", filter: booking.BusyFilter{ResourceIDs: []string{laserRoom1.ID}, From: at(10, 15), To: at(11, 50)}},
			{name: "resource, inside the buffer after", filter: booking.BusyFilter{ResourceIDs: []string{laserRoom1.ID}, From: at(13, 10), To: at(13, 20)},
				want: []string{"x-anna-laser-12"}},
			{name: "next day", filter: booking.BusyFilter{SpecialistIDs: []string{anna.ID}, From: at(23, 0), To: at(23, 0).Add(24 * time.Hour)},
				want: []string{"x-anna-tomorrow"}},
			{name: "nobody", filter: wholeDay(booking.BusyFilter{})},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.Busy(ctx, tt.filter)
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(got))
			})
		}
		got, err := st.Busy(ctx, wholeDay(booking.BusyFilter{SpecialistIDs: []string{boris.ID}}))
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, schedule[2], got[0], "whole appointments")
		_, err = st.Busy(ctx, booking.BusyFilter{SpecialistIDs: []string{anna.ID}, To: at(12, 0)})
		assert.ErrorIs(t, err, booking.ErrInvalidInput, "no From")
	})

	t.Run("Appointments", func(t *testing.T) {
		t.Parallel()
		st, ctx := seed(t), t.Context()
		tests := []struct {
			name   string
			filter booking.AppointmentFilter
			want   []string
		}{
			{name: "all, by start", want: []string{"x-boris-laser-9", "x-anna-10", "x-anna-laser-12", "x-vera-north",
				"x-cancelled", "x-anna-tomorrow"}},
			{name: "client", filter: booking.AppointmentFilter{ClientID: "c-1"}, want: []string{"x-anna-10", "x-vera-north"}},
			{name: "client, latest first", filter: booking.AppointmentFilter{ClientID: "c-2", Descending: true},
				want: []string{"x-anna-tomorrow", "x-anna-laser-12"}},
			{name: "specialist", filter: booking.AppointmentFilter{SpecialistID: boris.ID},
				want: []string{"x-boris-laser-9", "x-cancelled"}},
			{name: "branch", filter: booking.AppointmentFilter{BranchID: branchNorth.ID}, want: []string{"x-vera-north"}},
			{name: "plan", filter: booking.AppointmentFilter{PlanID: "plan-1"}, want: []string{"x-anna-laser-12", "x-anna-tomorrow"}},
			{name: "statuses", filter: booking.AppointmentFilter{Statuses: []booking.Status{booking.StatusCancelled, booking.StatusPending}},
				want: []string{"x-vera-north", "x-cancelled"}},
			{name: "blocked time overlaps the range", filter: booking.AppointmentFilter{From: at(10, 15), To: at(11, 51)},
				want: []string{"x-anna-10", "x-anna-laser-12"}},
			{name: "from only", filter: booking.AppointmentFilter{From: at(14, 0)},
				want: []string{"x-cancelled", "x-anna-tomorrow"}},
			{name: "to only", filter: booking.AppointmentFilter{To: at(8, 51)}, want: []string{"x-boris-laser-9"}},
			{name: "limit", filter: booking.AppointmentFilter{Limit: 2, Descending: true},
				want: []string{"x-anna-tomorrow", "x-cancelled"}},
			{name: "everything at once", filter: booking.AppointmentFilter{ClientID: "c-2", SpecialistID: anna.ID,
				BranchID: branchCentre.ID, PlanID: "plan-1", Statuses: []booking.Status{booking.StatusConfirmed},
				From: at(0, 0), To: at(0, 0).Add(24 * time.Hour), Limit: 5}, want: []string{"x-anna-laser-12"}},
			{name: "nothing", filter: booking.AppointmentFilter{ClientID: "nope"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.Appointments(ctx, tt.filter)
				require.NoError(t, err)
				assert.Equal(t, tt.want, ids(got))
			})
		}
	})

	t.Run("UnknownAppointment", func(t *testing.T) {
		t.Parallel()
		st, ctx := seed(t), t.Context()
		_, err := st.AppointmentByID(ctx, "nope")
		assert.ErrorIs(t, err, booking.ErrNotFound)
		history, err := st.History(ctx, "nope")
		require.NoError(t, err)
		assert.Empty(t, history)
	})
}

func testBookingEvents(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("InSeqOrderWithTheAppointmentAfterEachChange", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		// The domain may leave the appointment out of the event: the store
		// records the appointment as the change left it.
		a := appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, withStatus(booking.StatusPending))
		b := appt("b-1", "c-2", boris.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))
		var after []booking.Appointment
		for _, x := range []booking.Appointment{a, b} {
			got, _, err := st.CreateAppointment(ctx, x, "", booking.Event{Type: booking.EventBooked, At: t0})
			require.NoError(t, err)
			after = append(after, got)
		}
		after = append(after, setStatus(t, st, a.ID, booking.StatusConfirmed, booking.EventConfirmed))
		moved, err := st.MoveAppointment(ctx, moveTo(b, boris.ID, at(16, 0), laserRoom2.ID), moveChange, rescheduled())
		require.NoError(t, err)
		after = append(after, moved)
		after = append(after, setStatus(t, st, a.ID, booking.StatusCancelled, booking.EventCancelled))

		events := allEvents(t, st)
		require.Len(t, events, 5)
		wantTypes := []booking.EventType{booking.EventBooked, booking.EventBooked, booking.EventConfirmed,
			booking.EventRescheduled, booking.EventCancelled}
		for i, e := range events {
			if i > 0 {
				assert.Greater(t, e.Seq, events[i-1].Seq)
			}
			assert.Equal(t, wantTypes[i], e.Type)
			assert.Equal(t, after[i], e.Appointment, "event %d", i)
			assert.Equal(t, after[i].ID, e.AppointmentID)
			assert.Equal(t, after[i].ClientID, e.ClientID)
		}
		assert.Equal(t, at(10, 0), events[3].OldStart, "a reschedule carries the old start")
		assert.True(t, events[0].OldStart.IsZero())
	})

	t.Run("CursorPaging", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		for i := range 5 {
			book(t, st, appt(string(rune('a'+i)), "c-1", anna.ID, at(8+i, 0), time.Hour))
		}
		all, err := st.EventsAfter(ctx, 0, 0)
		require.NoError(t, err)
		require.Len(t, all, 5, "a limit of 0 is the default, not none")

		var pages [][]string
		after := int64(0)
		for {
			page, err := st.EventsAfter(ctx, after, 2)
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			var p []string
			for _, e := range page {
				assert.Greater(t, e.Seq, after)
				p = append(p, e.AppointmentID)
			}
			pages = append(pages, p)
			after = page[len(page)-1].Seq
		}
		assert.Equal(t, [][]string{{"a", "b"}, {"c", "d"}, {"e"}}, pages)

		rest, err := st.EventsAfter(ctx, all[2].Seq, 10)
		require.NoError(t, err)
		assert.Equal(t, all[3:], rest)
		none, err := st.EventsAfter(ctx, all[4].Seq, 10)
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

func testBookingPlans(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("CreateFindUpdateList", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		older := booking.Plan{
			ID: "plan-1", ClientID: "c-1", SpecialistID: anna.ID, ServiceID: laser.ID, BranchID: branchCentre.ID,
			Sessions: 4, Interval: 28 * 24 * time.Hour, Status: booking.PlanActive, Notes: "курс от рубцов",
			CreatedBy: anna.UserID, CreatedAt: t0,
		}
		newer := booking.Plan{
			ID: "plan-2", ClientID: "c-1", ServiceID: consult.ID, Sessions: 2, Status: booking.PlanActive,
			CreatedAt: t0.Add(24 * time.Hour),
		}
		others := booking.Plan{ID: "plan-3", ClientID: "c-2", ServiceID: consult.ID, Sessions: 1,
			Status: booking.PlanActive, CreatedAt: t0}
		for _, p := range []booking.Plan{older, newer, others} {
			require.NoError(t, st.CreatePlan(ctx, p))
		}
		got, err := st.PlanByID(ctx, older.ID)
		require.NoError(t, err)
		assert.Equal(t, older, got)
		got, err = st.PlanByID(ctx, newer.ID)
		require.NoError(t, err)
		assert.Equal(t, newer, got, "no specialist or branch")

		list, err := st.Plans(ctx, "c-1")
		require.NoError(t, err)
		assert.Equal(t, []booking.Plan{newer, older}, list, "newest first")

		require.NoError(t, st.UpdatePlanStatus(ctx, older.ID, booking.PlanCompleted))
		got, err = st.PlanByID(ctx, older.ID)
		require.NoError(t, err)
		assert.Equal(t, booking.PlanCompleted, got.Status)

		empty, err := st.Plans(ctx, "nobody")
		require.NoError(t, err)
		assert.Empty(t, empty)
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		p := booking.Plan{ID: "plan-1", ClientID: "c-1", ServiceID: consult.ID, Sessions: 1, Status: booking.PlanActive, CreatedAt: t0}
		require.NoError(t, st.CreatePlan(ctx, p))
		assert.ErrorIs(t, st.CreatePlan(ctx, p), booking.ErrInvalidInput, "a taken ID")
		unknown := p
		unknown.ID, unknown.ServiceID = "plan-2", "nope"
		assert.ErrorIs(t, st.CreatePlan(ctx, unknown), booking.ErrNotFound, "an unknown service")
		_, err := st.PlanByID(ctx, "nope")
		assert.ErrorIs(t, err, booking.ErrNotFound)
		assert.ErrorIs(t, st.UpdatePlanStatus(ctx, "nope", booking.PlanCancelled), booking.ErrNotFound)
	})
}
