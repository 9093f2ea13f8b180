package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testBookingCreate(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("StoresEverything", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		require.NoError(t, st.CreatePlan(ctx, booking.Plan{
			ID: "plan-1", ClientID: "c-1", SpecialistID: anna.ID, ServiceID: laser.ID, BranchID: branchCentre.ID,
			Sessions: 4, Interval: laser.CourseInterval, Status: booking.PlanActive, CreatedBy: anna.UserID, CreatedAt: t0,
		}))
		a := appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID, laserRoom2.ID), withStatus(booking.StatusPending))
		a.Notes, a.PlanID, a.CreatedBy, a.UpdatedAt = "пациентка просит тишину", "plan-1", "u-admin", t0.Add(time.Second)

		got, created, err := st.CreateAppointment(ctx, a, "key-1", bookedEvent(a))
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, a, got)
		stored, err := st.AppointmentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, stored)

		history, err := st.History(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, []booking.StatusChange{{AppointmentID: a.ID, To: booking.StatusPending, At: t0, By: "u-admin"}},
			history, "the first line: the booking itself, to its status")

		events := allEvents(t, st)
		require.Len(t, events, 1)
		assert.Positive(t, events[0].Seq)
		want := bookedEvent(a)
		want.Seq = events[0].Seq
		assert.Equal(t, want, events[0], "the event and the appointment in it round-trip")
	})

	t.Run("TimesComeBackUTC", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		msk := time.FixedZone("MSK", 3*3600)
		a := appt("a-1", "c-1", anna.ID, at(10, 0).In(msk), time.Hour)
		a.CreatedAt, a.UpdatedAt = t0.In(msk), t0.In(msk)
		got, _, err := st.CreateAppointment(ctx, a, "", bookedEvent(a))
		require.NoError(t, err)
		stored, err := st.AppointmentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, stored, got)
		assert.Equal(t, at(10, 0), stored.Start)
		assert.Equal(t, time.UTC, stored.Start.Location())
	})

	t.Run("Overlap", func(t *testing.T) {
		t.Parallel()
		// The new appointment is "new"; existing ones are booked first, and
		// those listed in release are then moved to releaseTo.
		long := func(a *booking.Appointment) { // blocks exactly MaxBlock, from 00:00
			a.Start, a.End = at(0, 0), at(0, 0).Add(booking.MaxBlock)
			a.BlockStart, a.BlockEnd = a.Start, a.End
		}
		tests := []struct {
			name      string
			existing  []booking.Appointment
			release   booking.Status // applied to every existing appointment when set
			new       booking.Appointment
			wantTaken bool
			// Only a resource is busy (the specialist and the client are
			// free): the store says so with ErrResourceTaken.
			wantResource bool
		}{
			// The specialist's blocked time.
			{name: "specialist, same time", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(10, 0), time.Hour)},
			{name: "specialist, overlapping the end", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(10, 30), time.Hour)},
			{name: "specialist, overlapping the start", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(9, 30), time.Hour)},
			{name: "specialist, inside", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), 2*time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(10, 30), 30*time.Minute)},
			{name: "specialist, around", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 30), 30*time.Minute)},
				new:      appt("new", "c-2", anna.ID, at(10, 0), 2*time.Hour)},
			{name: "specialist, touching after [10:00,11:00) + [11:00,12:00)",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(11, 0), time.Hour)},
			{name: "specialist, touching before",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(11, 0), time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(10, 0), time.Hour)},
			{name: "specialist, between two",
				existing: []booking.Appointment{
					appt("old-1", "c-1", anna.ID, at(9, 0), time.Hour), appt("old-2", "c-3", anna.ID, at(11, 0), time.Hour)},
				new: appt("new", "c-2", anna.ID, at(10, 0), time.Hour)},
			{name: "specialist, the old one's buffer after", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-2", anna.ID, at(11, 0), time.Hour)},
			{name: "specialist, the new one's buffer before", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-2", anna.ID, at(11, 5), time.Hour, buffers(10*time.Minute, 0))},
			{name: "specialist, buffers touching",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-2", anna.ID, at(11, 25), time.Hour, laserIn(laserRoom1.ID))},
			{name: "other specialist, other client",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-2", boris.ID, at(10, 0), time.Hour)},

			// A resource's blocked time.
			{name: "resource, other specialist and client", wantTaken: true, wantResource: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-2", boris.ID, at(10, 30), time.Hour, laserIn(laserRoom1.ID))},
			{name: "resource, only the buffers overlap", wantTaken: true, wantResource: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-2", boris.ID, at(11, 20), time.Hour, laserIn(laserRoom1.ID))},
			{name: "resource, one of several", wantTaken: true, wantResource: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom2.ID))},
				new:      appt("new", "c-2", boris.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID, laserRoom2.ID))},
			{name: "resource, buffers touching",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-2", boris.ID, at(11, 25), time.Hour, laserIn(laserRoom1.ID))},
			{name: "resource, another one",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-2", boris.ID, at(10, 0), time.Hour, laserIn(laserRoom2.ID))},

			// The client's service time.
			{name: "client, other specialist in another branch", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-1", vera.ID, at(10, 30), time.Hour, inBranch(branchNorth.ID))},
			{name: "client, touching",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-1", boris.ID, at(11, 0), time.Hour)},
			{name: "client, only the specialists' buffers overlap",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-1", boris.ID, at(11, 0), time.Hour, laserIn(laserRoom2.ID))},

			// Only active appointments hold time.
			{name: "cancelled does not block", release: booking.StatusCancelled,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
			{name: "no-show does not block", release: booking.StatusNoShow,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
			{name: "completed does not block", release: booking.StatusCompleted,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
				new:      appt("new", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID))},
			{name: "pending blocks", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour, withStatus(booking.StatusPending))},
				new:      appt("new", "c-2", anna.ID, at(10, 30), time.Hour)},
			{name: "a new inactive appointment (an import) is not checked",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(10, 0), time.Hour)},
				new:      appt("new", "c-1", anna.ID, at(10, 0), time.Hour, withStatus(booking.StatusCompleted))},

			// The MaxBlock bound of the queries misses nothing.
			{name: "specialist, started MaxBlock−1m before", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(0, 0), 0, long)},
				new:      appt("new", "c-2", anna.ID, at(0, 0).Add(booking.MaxBlock-time.Minute), time.Hour)},
			{name: "specialist, started MaxBlock before",
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(0, 0), 0, long)},
				new:      appt("new", "c-2", anna.ID, at(0, 0).Add(booking.MaxBlock), time.Hour)},
			{name: "resource, started MaxBlock−1m before", wantTaken: true, wantResource: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(0, 0), 0, long,
					func(a *booking.Appointment) { a.ResourceIDs = []string{laserRoom1.ID} })},
				new: appt("new", "c-2", boris.ID, at(0, 0).Add(booking.MaxBlock-time.Minute), time.Hour,
					func(a *booking.Appointment) { a.ResourceIDs = []string{laserRoom1.ID} })},
			{name: "client, started MaxBlock−1m before", wantTaken: true,
				existing: []booking.Appointment{appt("old", "c-1", anna.ID, at(0, 0), 0, long)},
				new:      appt("new", "c-1", boris.ID, at(0, 0).Add(booking.MaxBlock-time.Minute), time.Hour)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st, ctx := open(t), t.Context()
				seedClinic(t, st)
				for _, a := range tt.existing {
					book(t, st, a)
					if tt.release != "" {
						setStatus(t, st, a.ID, tt.release, booking.EventCancelled)
					}
				}
				before := allEvents(t, st)

				got, created, err := st.CreateAppointment(ctx, tt.new, "key", bookedEvent(tt.new))
				if !tt.wantTaken {
					require.NoError(t, err)
					assert.True(t, created)
					assert.Equal(t, tt.new, got)
					assert.Len(t, allEvents(t, st), len(before)+1)
					return
				}
				require.ErrorIs(t, err, booking.ErrSlotTaken)
				if tt.wantResource {
					assert.ErrorIs(t, err, booking.ErrResourceTaken)
				} else {
					assert.NotErrorIs(t, err, booking.ErrResourceTaken, "the specialist or the client is busy, not only a room")
				}
				assert.False(t, created)
				_, err = st.AppointmentByID(ctx, "new")
				assert.ErrorIs(t, err, booking.ErrNotFound, "nothing written")
				history, err := st.History(ctx, "new")
				require.NoError(t, err)
				assert.Empty(t, history)
				assert.Equal(t, before, allEvents(t, st), "no event")
			})
		}
	})

	t.Run("Idempotency", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		first := appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour)
		got, created, err := st.CreateAppointment(ctx, first, "key-1", bookedEvent(first))
		require.NoError(t, err)
		require.True(t, created)
		assert.Equal(t, first, got)

		// A retry: same client, same key, whatever the request holds now.
		retry := appt("a-2", "c-1", boris.ID, at(15, 0), time.Hour)
		got, created, err = st.CreateAppointment(ctx, retry, "key-1", bookedEvent(retry))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, got, "the first appointment")
		_, err = st.AppointmentByID(ctx, retry.ID)
		assert.ErrorIs(t, err, booking.ErrNotFound, "nothing written")
		assert.Len(t, allEvents(t, st), 1, "no second event")
		byKey, err := st.AppointmentByIdempotencyKey(ctx, "c-1", "key-1")
		require.NoError(t, err)
		assert.Equal(t, first, byKey)
		_, err = st.AppointmentByIdempotencyKey(ctx, "c-2", "key-1")
		assert.ErrorIs(t, err, booking.ErrNotFound, "keys are per client")
		_, err = st.AppointmentByIdempotencyKey(ctx, "c-1", "key-2")
		assert.ErrorIs(t, err, booking.ErrNotFound)
		history, err := st.History(ctx, first.ID)
		require.NoError(t, err)
		assert.Len(t, history, 1)

		// The same key of another client is another key.
		other := appt("a-3", "c-2", boris.ID, at(10, 0), time.Hour)
		got, created, err = st.CreateAppointment(ctx, other, "key-1", bookedEvent(other))
		require.NoError(t, err)
		assert.True(t, created)
		assert.Equal(t, other, got)

		// The retry gets the appointment as it is now.
		cancelled := cancel(t, st, first.ID)
		got, created, err = st.CreateAppointment(ctx, first, "key-1", bookedEvent(first))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, cancelled, got)

		// No key: no deduplication.
		noKey := appt("a-4", "c-1", anna.ID, at(12, 0), time.Hour)
		book(t, st, noKey)
		noKey2 := appt("a-5", "c-1", anna.ID, at(13, 0), time.Hour)
		book(t, st, noKey2)
		assert.Len(t, allEvents(t, st), 5)
	})

	t.Run("FailedCreateDoesNotKeepKey", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour))
		taken := appt("a-2", "c-2", anna.ID, at(10, 0), time.Hour)
		_, _, err := st.CreateAppointment(ctx, taken, "key-1", bookedEvent(taken))
		require.ErrorIs(t, err, booking.ErrSlotTaken)
		free := appt("a-2", "c-2", anna.ID, at(11, 0), time.Hour)
		got, created, err := st.CreateAppointment(ctx, free, "key-1", bookedEvent(free))
		require.NoError(t, err)
		assert.True(t, created, "the key of a failed request was not recorded")
		assert.Equal(t, free, got)
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name string
			a    booking.Appointment
			want error
		}{
			{name: "end before start", want: booking.ErrInvalidInput,
				a: appt("a", "c-1", anna.ID, at(10, 0), -time.Hour)},
			{name: "empty", want: booking.ErrInvalidInput,
				a: appt("a", "c-1", anna.ID, at(10, 0), 0)},
			{name: "block longer than MaxBlock", want: booking.ErrInvalidInput,
				a: appt("a", "c-1", anna.ID, at(0, 0), booking.MaxBlock, buffers(0, time.Minute))},
			{name: "block inside the service time", want: booking.ErrInvalidInput,
				a: appt("a", "c-1", anna.ID, at(10, 0), time.Hour, buffers(-time.Minute, 0))},
			{name: "no client", want: booking.ErrInvalidInput,
				a: appt("a", "", anna.ID, at(10, 0), time.Hour)},
			{name: "no ID", want: booking.ErrInvalidInput,
				a: appt("", "c-1", anna.ID, at(10, 0), time.Hour)},
			{name: "a resource twice", want: booking.ErrInvalidInput,
				a: appt("a", "c-1", anna.ID, at(10, 0), time.Hour, laserIn(laserRoom1.ID, laserRoom1.ID))},
			{name: "taken ID", want: booking.ErrInvalidInput,
				a: appt("taken", "c-2", boris.ID, at(15, 0), time.Hour)},
			{name: "unknown specialist", want: booking.ErrNotFound,
				a: appt("a", "c-1", "nope", at(10, 0), time.Hour)},
			{name: "unknown resource", want: booking.ErrNotFound,
				a: appt("a", "c-1", anna.ID, at(10, 0), time.Hour, laserIn("nope"))},
			{name: "unknown branch", want: booking.ErrNotFound,
				a: appt("a", "c-1", anna.ID, at(10, 0), time.Hour, inBranch("nope"))},
			{name: "unknown plan", want: booking.ErrNotFound,
				a: appt("a", "c-1", anna.ID, at(10, 0), time.Hour, func(a *booking.Appointment) { a.PlanID = "nope" })},
		}
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		book(t, st, appt("taken", "c-1", anna.ID, at(8, 0), time.Hour))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := st.CreateAppointment(ctx, tt.a, "k-"+tt.name, bookedEvent(tt.a))
				require.ErrorIs(t, err, tt.want)
			})
		}
		assert.Len(t, allEvents(t, st), 1, "none of them wrote an event")
		list, err := st.Appointments(ctx, booking.AppointmentFilter{})
		require.NoError(t, err)
		assert.Equal(t, []string{"taken"}, ids(list))
	})
}
