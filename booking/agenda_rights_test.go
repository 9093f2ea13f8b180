package booking_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
)

// A specialist's agenda is their own appointments whichever way they ask
// for it: by their specialist record, or by a branch they work in (not the
// colleagues' appointments there, whose clients they may not see); a
// colleague's schedule is refused. A manager and an admin see the branch.
func TestAgendaRightsAreConsistent(t *testing.T) {
	c := newClinic(t)
	mine, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	theirs, err := c.book(client2, "peel", "B", mskAt(monday, 10, 0))
	require.NoError(t, err)

	ids := func(list []booking.Appointment) []string {
		out := []string{}
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		actor booking.Actor
		req   booking.DayRequest
		want  []string
		err   error
	}{
		{"specialist, own record", doctorA, booking.DayRequest{SpecialistID: "A"}, []string{mine.ID}, nil},
		{"specialist, own record in the branch", doctorA, booking.DayRequest{SpecialistID: "A", BranchID: "b1"}, []string{mine.ID}, nil},
		{"specialist, the branch", doctorA, booking.DayRequest{BranchID: "b1"}, []string{mine.ID}, nil},
		{"other specialist, the branch", doctorB, booking.DayRequest{BranchID: "b1"}, []string{theirs.ID}, nil},
		{"specialist, a colleague", doctorA, booking.DayRequest{SpecialistID: "B"}, nil, booking.ErrForbidden},
		{"specialist, another branch", doctorA, booking.DayRequest{BranchID: "b2"}, nil, booking.ErrForbidden},
		{"manager, the branch", manager, booking.DayRequest{BranchID: "b1"}, []string{mine.ID, theirs.ID}, nil},
		{"manager, a specialist", manager, booking.DayRequest{SpecialistID: "B"}, []string{theirs.ID}, nil},
		{"manager of another branch", otherMgr, booking.DayRequest{BranchID: "b1"}, nil, booking.ErrForbidden},
		{"admin, the branch", admin, booking.DayRequest{BranchID: "b1"}, []string{mine.ID, theirs.ID}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.From, tc.req.Days = monday, 1
			got, err := c.sched.Agenda(c.ctx, tc.actor, tc.req)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.ElementsMatch(t, tc.want, ids(got))
		})
	}
}
