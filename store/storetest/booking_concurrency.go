package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

// countOutcomes counts the nil errors and requires every other one to be
// ErrSlotTaken.
func countOutcomes(t *testing.T, errs []error) int {
	t.Helper()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, booking.ErrSlotTaken):
			t.Errorf("call %d: unexpected error %v", i, err)
		}
	}
	return ok
}

func testBookingConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	const n = 64

	t.Run("OneSlotOneSpecialist", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		errs := parallel(n, func(i int) error {
			a := appt(fmt.Sprint("a-", i), fmt.Sprint("c-", i), anna.ID, at(10, 0), time.Hour)
			_, _, err := st.CreateAppointment(ctx, a, "key", bookedEvent(a))
			return err
		})
		assert.Equal(t, 1, countOutcomes(t, errs), "exactly one booking of the slot")
		list, err := st.Appointments(ctx, booking.AppointmentFilter{SpecialistID: anna.ID})
		require.NoError(t, err)
		assert.Len(t, list, 1)
		assert.Len(t, allEvents(t, st), 1, "exactly one event")
	})

	t.Run("OneResourceManySpecialists", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		for i := range n {
			require.NoError(t, st.UpsertSpecialist(ctx, booking.Specialist{
				ID: fmt.Sprint("sp-", i), Name: fmt.Sprint("Специалист ", i), BranchIDs: []string{branchCentre.ID},
				Services: []booking.SpecialistService{{ServiceID: laser.ID}}, Active: true,
			}))
		}
		errs := parallel(n, func(i int) error {
			// Staggered by a minute each: every pair overlaps in the room.
			a := appt(fmt.Sprint("a-", i), fmt.Sprint("c-", i), fmt.Sprint("sp-", i),
				at(10, 0).Add(time.Duration(i)*time.Minute), time.Hour, laserIn(laserRoom1.ID))
			_, _, err := st.CreateAppointment(ctx, a, "", bookedEvent(a))
			return err
		})
		assert.Equal(t, 1, countOutcomes(t, errs), "exactly one booking of the room")
		assert.Len(t, allEvents(t, st), 1)
	})

	t.Run("OneClientManySpecialists", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		specialists := []string{anna.ID, boris.ID, vera.ID}
		errs := parallel(n, func(i int) error {
			a := appt(fmt.Sprint("a-", i), "c-1", specialists[i%3], at(10, 0), time.Hour)
			_, _, err := st.CreateAppointment(ctx, a, "", bookedEvent(a))
			return err
		})
		assert.Equal(t, 1, countOutcomes(t, errs), "one client, one appointment at a time")
	})

	t.Run("RetriesWithOneKey", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		got := make([]booking.Appointment, n)
		created := make([]bool, n)
		errs := parallel(n, func(i int) error {
			a := appt(fmt.Sprint("a-", i), "c-1", anna.ID, at(10, 0), time.Hour)
			var err error
			got[i], created[i], err = st.CreateAppointment(ctx, a, "retry-key", bookedEvent(a))
			return err
		})
		nCreated := 0
		for i, err := range errs {
			require.NoError(t, err, "call %d", i)
			assert.Equal(t, got[0].ID, got[i].ID, "every call returns the one appointment")
			if created[i] {
				nCreated++
			}
		}
		assert.Equal(t, 1, nCreated)
		assert.Len(t, allEvents(t, st), 1)
	})

	t.Run("MovesIntoOneSlot", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		const moves = 32
		var list []booking.Appointment
		for i := range moves {
			list = append(list, book(t, st, appt(fmt.Sprint("a-", i), fmt.Sprint("c-", i), anna.ID,
				at(0, 0).Add(time.Duration(i)*30*time.Minute), 30*time.Minute)))
		}
		target := at(20, 0)
		errs := parallel(moves, func(i int) error {
			_, err := st.MoveAppointment(ctx, moveTo(list[i], anna.ID, target.Add(time.Duration(i)*time.Second)),
				moveChange, rescheduled())
			return err
		})
		assert.Equal(t, 1, countOutcomes(t, errs), "at most one move wins, and the slot was free")
		busy, err := st.Busy(ctx, booking.BusyFilter{SpecialistIDs: []string{anna.ID}, From: target.Add(-time.Hour), To: target.Add(time.Hour)})
		require.NoError(t, err)
		assert.Len(t, busy, 1)
		events := allEvents(t, st)
		assert.Len(t, events, moves+1)
		assert.Equal(t, booking.EventRescheduled, events[len(events)-1].Type)
	})
}
