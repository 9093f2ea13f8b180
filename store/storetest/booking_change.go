package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

// moveTo returns a moved to start with the same duration and buffers, by
// specialist and holding resources, updated at t0+2h.
func moveTo(a booking.Appointment, specialist string, start time.Time, resources ...string) booking.Appointment {
	shift := start.Sub(a.Start)
	a.SpecialistID, a.ResourceIDs = specialist, resources
	a.Start, a.End, a.BlockStart, a.BlockEnd = a.Start.Add(shift), a.End.Add(shift), a.BlockStart.Add(shift), a.BlockEnd.Add(shift)
	a.UpdatedAt = t0.Add(2 * time.Hour)
	return a
}

var moveChange = booking.StatusChange{At: t0.Add(2 * time.Hour), By: "u-admin", Reason: "клиент попросил"}

func rescheduled() booking.Event {
	return booking.Event{Type: booking.EventRescheduled, At: t0.Add(2 * time.Hour)}
}

func testBookingMove(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("MovesAndRecords", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
		moved := moveTo(a, boris.ID, at(14, 0), laserRoom2.ID)
		moved.ClientID, moved.Notes = "someone-else", "ignored" // only the schedule fields are taken

		got, err := st.MoveAppointment(ctx, moved, moveChange, rescheduled())
		require.NoError(t, err)
		want := moveTo(a, boris.ID, at(14, 0), laserRoom2.ID)
		assert.Equal(t, want, got)
		stored, err := st.AppointmentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, want, stored)

		history, err := st.History(ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, history, 2)
		assert.Equal(t, booking.StatusChange{
			AppointmentID: a.ID, From: booking.StatusConfirmed, To: booking.StatusConfirmed,
			At: moveChange.At, By: moveChange.By, Reason: moveChange.Reason, OldStart: at(10, 0), OldEnd: at(11, 0),
		}, history[1])

		events := allEvents(t, st)
		require.Len(t, events, 2)
		assert.Equal(t, booking.Event{
			Seq: events[1].Seq, Type: booking.EventRescheduled, AppointmentID: a.ID, ClientID: "c-1",
			At: moveChange.At, Appointment: want, OldStart: at(10, 0),
		}, events[1])

		// The old time, specialist and room are free; the new ones are held.
		book(t, st, appt("b-1", "c-2", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
		for _, b := range []booking.Appointment{
			appt("b-2", "c-3", boris.ID, at(14, 0), time.Hour),
			appt("b-3", "c-3", anna.ID, at(14, 0), time.Hour, laserIn(laserRoom2.ID)),
			appt("b-4", "c-1", anna.ID, at(14, 30), time.Hour),
		} {
			_, _, err := st.CreateAppointment(ctx, b, "", bookedEvent(b))
			assert.ErrorIs(t, err, booking.ErrSlotTaken, b.ID)
		}
	})

	t.Run("OverlappingItsOwnTime", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
		got, err := st.MoveAppointment(ctx, moveTo(a, anna.ID, at(10, 30), laserRoom1.ID), moveChange, rescheduled())
		require.NoError(t, err, "the appointment does not collide with itself")
		assert.Equal(t, at(10, 30), got.Start)
	})

	t.Run("ConflictChangesNothing", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name  string
			other booking.Appointment
			move  func(a booking.Appointment) booking.Appointment
		}{
			{name: "specialist", other: appt("other", "c-2", boris.ID, at(14, 0), time.Hour),
				move: func(a booking.Appointment) booking.Appointment { return moveTo(a, boris.ID, at(14, 30), laserRoom1.ID) }},
			{name: "resource", other: appt("other", "c-2", boris.ID, at(14, 0), time.Hour, laserIn(laserRoom2.ID)),
				move: func(a booking.Appointment) booking.Appointment { return moveTo(a, anna.ID, at(15, 0), laserRoom2.ID) }},
			{name: "client", other: appt("other", "c-1", boris.ID, at(14, 0), time.Hour, inBranch(branchNorth.ID)),
				move: func(a booking.Appointment) booking.Appointment { return moveTo(a, anna.ID, at(14, 30), laserRoom1.ID) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st, ctx := open(t), t.Context()
				seedClinic(t, st)
				a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
				book(t, st, tt.other)
				before := allEvents(t, st)

				_, err := st.MoveAppointment(ctx, tt.move(a), moveChange, rescheduled())
				require.ErrorIs(t, err, booking.ErrSlotTaken)
				stored, err := st.AppointmentByID(ctx, a.ID)
				require.NoError(t, err)
				assert.Equal(t, a, stored, "the old booking is untouched")
				history, err := st.History(ctx, a.ID)
				require.NoError(t, err)
				assert.Len(t, history, 1, "no history line")
				assert.Equal(t, before, allEvents(t, st), "no event")
				// It still holds its time and room.
				b := appt("b", "c-9", anna.ID, at(10, 0), time.Hour)
				_, _, err = st.CreateAppointment(ctx, b, "", bookedEvent(b))
				assert.ErrorIs(t, err, booking.ErrSlotTaken)
				b = appt("b", "c-9", boris.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))
				_, _, err = st.CreateAppointment(ctx, b, "", bookedEvent(b))
				assert.ErrorIs(t, err, booking.ErrSlotTaken)
			})
		}
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour))
		done := book(t, st, appt("a-2", "c-1", anna.ID, at(8, 0), time.Hour))
		setStatus(t, st, done.ID, booking.StatusCancelled, booking.EventCancelled)

		_, err := st.MoveAppointment(ctx, moveTo(appt("nope", "c-1", anna.ID, at(10, 0), time.Hour), anna.ID, at(12, 0)),
			moveChange, rescheduled())
		assert.ErrorIs(t, err, booking.ErrNotFound)
		_, err = st.MoveAppointment(ctx, moveTo(done, anna.ID, at(12, 0)), moveChange, rescheduled())
		assert.ErrorIs(t, err, booking.ErrInvalidTransition, "a cancelled appointment")
		tooLong := moveTo(a, anna.ID, at(12, 0))
		tooLong.BlockEnd = tooLong.BlockStart.Add(booking.MaxBlock + time.Minute)
		_, err = st.MoveAppointment(ctx, tooLong, moveChange, rescheduled())
		assert.ErrorIs(t, err, booking.ErrInvalidInput)
		_, err = st.MoveAppointment(ctx, moveTo(a, "nope", at(12, 0)), moveChange, rescheduled())
		assert.ErrorIs(t, err, booking.ErrNotFound, "an unknown specialist")
		_, err = st.MoveAppointment(ctx, moveTo(a, anna.ID, at(12, 0), "nope"), moveChange, rescheduled())
		assert.ErrorIs(t, err, booking.ErrNotFound, "an unknown resource")

		stored, err := st.AppointmentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, stored)
		assert.Len(t, allEvents(t, st), 3, "two bookings and a cancellation")
	})
}

func testBookingStatus(t *testing.T, open func(t *testing.T) cabinet.Store) {
	active := []booking.Status{booking.StatusPending, booking.StatusConfirmed}

	t.Run("Lifecycle", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, withStatus(booking.StatusPending)))

		steps := []struct {
			from   []booking.Status
			to     booking.Status
			ev     booking.EventType
			notes  *string
			reason string
		}{
			{from: []booking.Status{booking.StatusPending}, to: booking.StatusConfirmed, ev: booking.EventConfirmed},
			{from: []booking.Status{booking.StatusConfirmed}, to: booking.StatusCompleted, ev: booking.EventCompleted,
				notes: new("кожа спокойная"), reason: "визит состоялся"},
		}
		want := a
		for i, s := range steps {
			change := booking.StatusChange{To: s.to, At: t0.Add(time.Duration(i+1) * time.Hour), By: "u-admin", Reason: s.reason}
			got, err := st.SetStatus(ctx, a.ID, s.from, change, s.notes, booking.Event{Type: s.ev, At: change.At})
			require.NoError(t, err)
			want.Status, want.UpdatedAt = s.to, change.At
			if s.notes != nil {
				want.Notes = *s.notes
			}
			assert.Equal(t, want, got, "step %d", i)
		}
		stored, err := st.AppointmentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, want, stored)
		assert.Empty(t, stored.CancelledBy, "only cancellations record who cancelled")

		history, err := st.History(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, []booking.StatusChange{
			{AppointmentID: a.ID, To: booking.StatusPending, At: t0, By: "c-1"},
			{AppointmentID: a.ID, From: booking.StatusPending, To: booking.StatusConfirmed, At: t0.Add(time.Hour), By: "u-admin"},
			{AppointmentID: a.ID, From: booking.StatusConfirmed, To: booking.StatusCompleted, At: t0.Add(2 * time.Hour),
				By: "u-admin", Reason: "визит состоялся"},
		}, history)

		var types []booking.EventType
		for _, e := range allEvents(t, st) {
			types = append(types, e.Type)
		}
		assert.Equal(t, []booking.EventType{booking.EventBooked, booking.EventConfirmed, booking.EventCompleted}, types)
	})

	t.Run("CancelReleasesTheSlot", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
		change := booking.StatusChange{To: booking.StatusCancelled, At: t0.Add(time.Hour), By: "c-1", Reason: "заболела"}
		got, err := st.SetStatus(ctx, a.ID, active, change, nil, booking.Event{Type: booking.EventCancelled})
		require.NoError(t, err)
		want := a
		want.Status, want.CancelledBy, want.CancelReason, want.UpdatedAt = booking.StatusCancelled, "c-1", "заболела", change.At
		assert.Equal(t, want, got)

		events := allEvents(t, st)
		require.Len(t, events, 2)
		assert.Equal(t, booking.Event{Seq: events[1].Seq, Type: booking.EventCancelled, AppointmentID: a.ID,
			ClientID: "c-1", At: change.At, Appointment: want}, events[1], "At defaults to the change's")

		// The same specialist, room and client can be booked at that time.
		book(t, st, appt("a-2", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
		busy, err := st.Busy(ctx, booking.BusyFilter{SpecialistIDs: []string{anna.ID}, ResourceIDs: []string{laserRoom1.ID},
			From: at(0, 0), To: at(23, 0)})
		require.NoError(t, err)
		assert.Equal(t, []string{"a-2"}, ids(busy))
	})

	t.Run("InvalidTransition", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour))
		cancelled := cancel(t, st, a.ID)
		_, err := st.SetStatus(ctx, a.ID, []booking.Status{booking.StatusConfirmed},
			booking.StatusChange{To: booking.StatusCompleted, At: t0.Add(3 * time.Hour)}, new("x"),
			booking.Event{Type: booking.EventCompleted})
		require.ErrorIs(t, err, booking.ErrInvalidTransition, "completing a cancelled appointment")
		_, err = st.SetStatus(ctx, a.ID, nil, booking.StatusChange{To: booking.StatusConfirmed, At: t0},
			nil, booking.Event{Type: booking.EventConfirmed})
		require.ErrorIs(t, err, booking.ErrInvalidTransition, "no status allowed")

		stored, err := st.AppointmentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, cancelled, stored, "unchanged")
		history, err := st.History(ctx, a.ID)
		require.NoError(t, err)
		assert.Len(t, history, 2)
		assert.Len(t, allEvents(t, st), 2)

		_, err = st.SetStatus(ctx, "nope", active, booking.StatusChange{To: booking.StatusCancelled, At: t0},
			nil, booking.Event{Type: booking.EventCancelled})
		require.ErrorIs(t, err, booking.ErrNotFound)
	})

	t.Run("NotesOnlyWhenGiven", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, withStatus(booking.StatusPending))
		a.Notes = "старая заметка"
		book(t, st, a)
		got, err := st.SetStatus(ctx, a.ID, active, booking.StatusChange{To: booking.StatusConfirmed, At: t0},
			nil, booking.Event{Type: booking.EventConfirmed})
		require.NoError(t, err)
		assert.Equal(t, "старая заметка", got.Notes)
		got, err = st.SetStatus(ctx, a.ID, active, booking.StatusChange{To: booking.StatusCompleted, At: t0},
			new(""), booking.Event{Type: booking.EventCompleted})
		require.NoError(t, err)
		assert.Empty(t, got.Notes, "a pointer to \"\" clears them")
	})

	t.Run("BackToActiveChecksOverlap", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		a := book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID)))
		setStatus(t, st, a.ID, booking.StatusNoShow, booking.EventNoShow)
		undo := func() error {
			_, err := st.SetStatus(ctx, a.ID, []booking.Status{booking.StatusNoShow},
				booking.StatusChange{To: booking.StatusConfirmed, At: t0.Add(3 * time.Hour), By: "u-admin"},
				nil, booking.Event{Type: booking.EventConfirmed})
			return err
		}
		b := book(t, st, appt("b-1", "c-2", boris.ID, at(10, 30), time.Hour, laserIn(laserRoom1.ID)))
		require.ErrorIs(t, undo(), booking.ErrSlotTaken, "the room was booked meanwhile")
		cancel(t, st, b.ID)
		require.NoError(t, undo())
		// Active again, it holds its room.
		c := appt("c-1", "c-3", boris.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))
		_, _, err := st.CreateAppointment(ctx, c, "", bookedEvent(c))
		require.ErrorIs(t, err, booking.ErrSlotTaken)
	})
}
