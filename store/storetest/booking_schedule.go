package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func date(y int, m time.Month, d int) booking.Date { return booking.Date{Year: y, Month: m, Day: d} }

func testBookingSchedule(t *testing.T, open func(t *testing.T) cabinet.Store) {
	weekdays := booking.Week{
		time.Monday:  {{Start: 9 * 60, End: 13 * 60}, {Start: 14 * 60, End: 18 * 60}},
		time.Tuesday: {{Start: 12 * 60, End: 20 * 60}},
		time.Friday:  {{Start: 9 * 60, End: 24 * 60}},
	}
	plans := []booking.WorkingPlan{
		{ID: "wp-anna-nov", SpecialistID: anna.ID, BranchID: branchCentre.ID, Week: weekdays,
			From: date(2026, 11, 1), To: date(2026, 11, 30)},
		{ID: "wp-anna-dec", SpecialistID: anna.ID, BranchID: branchCentre.ID, Week: weekdays, From: date(2026, 12, 1)},
		{ID: "wp-anna-north", SpecialistID: anna.ID, BranchID: branchNorth.ID,
			Week: booking.Week{time.Saturday: {{Start: 10 * 60, End: 16 * 60}}}},
		{ID: "wp-boris", SpecialistID: boris.ID, BranchID: branchCentre.ID, Week: weekdays, To: date(2026, 12, 15)},
	}
	seedPlans := func(t *testing.T, st cabinet.Store) {
		t.Helper()
		seedClinic(t, st)
		for _, p := range plans {
			require.NoError(t, st.SetWorkingPlan(t.Context(), p))
		}
	}

	t.Run("WorkingPlansInRange", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedPlans(t, st)
		tests := []struct {
			name        string
			specialists []string
			branch      string
			from, to    booking.Date
			want        []string // ordered by specialist, From (open-ended first), ID
		}{
			{name: "a week", from: date(2026, 12, 1), to: date(2026, 12, 7),
				want: []string{"wp-anna-north", "wp-anna-dec", "wp-boris"}},
			{name: "last day of a plan is inclusive", specialists: []string{anna.ID},
				from: date(2026, 11, 30), to: date(2026, 11, 30), want: []string{"wp-anna-north", "wp-anna-nov"}},
			{name: "first day of a plan is inclusive", specialists: []string{anna.ID}, branch: branchCentre.ID,
				from: date(2026, 12, 1), to: date(2026, 12, 1), want: []string{"wp-anna-dec"}},
			{name: "after a plan ended", from: date(2026, 12, 16), to: date(2027, 1, 31),
				want: []string{"wp-anna-north", "wp-anna-dec"}},
			{name: "long before", from: date(2025, 1, 1), to: date(2025, 1, 31),
				want: []string{"wp-anna-north", "wp-boris"}},
			{name: "branch", branch: branchNorth.ID, from: date(2026, 12, 1), to: date(2026, 12, 31),
				want: []string{"wp-anna-north"}},
			{name: "specialists and branch", specialists: []string{anna.ID, boris.ID}, branch: branchCentre.ID,
				from: date(2026, 11, 30), to: date(2026, 12, 1), want: []string{"wp-anna-nov", "wp-anna-dec", "wp-boris"}},
			{name: "one specialist", specialists: []string{boris.ID}, from: date(2026, 12, 1), to: date(2026, 12, 1),
				want: []string{"wp-boris"}},
			{name: "unknown specialist", specialists: []string{"nope"}, from: date(2026, 12, 1), to: date(2026, 12, 1)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.WorkingPlans(ctx, tt.specialists, tt.branch, tt.from, tt.to)
				require.NoError(t, err)
				var gotIDs []string
				for _, p := range got {
					gotIDs = append(gotIDs, p.ID)
				}
				assert.Equal(t, tt.want, gotIDs)
			})
		}
	})

	t.Run("WorkingPlanRoundTripReplaceDelete", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedPlans(t, st)
		got, err := st.WorkingPlans(ctx, []string{boris.ID}, "", date(2026, 12, 1), date(2026, 12, 1))
		require.NoError(t, err)
		assert.Equal(t, []booking.WorkingPlan{plans[3]}, got)

		changed := plans[3]
		changed.Week = booking.Week{time.Sunday: {{Start: 0, End: 24 * 60}}}
		changed.From, changed.To = date(2026, 12, 2), date(2026, 12, 2)
		require.NoError(t, st.SetWorkingPlan(ctx, changed))
		got, err = st.WorkingPlans(ctx, []string{boris.ID}, "", booking.Date{}, booking.Date{})
		require.NoError(t, err)
		assert.Equal(t, []booking.WorkingPlan{changed}, got, "replaced by ID")

		require.NoError(t, st.DeleteWorkingPlan(ctx, changed.ID))
		assert.ErrorIs(t, st.DeleteWorkingPlan(ctx, changed.ID), booking.ErrNotFound)
		got, err = st.WorkingPlans(ctx, []string{boris.ID}, "", booking.Date{}, booking.Date{})
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("WorkingPlanOfUnknownSpecialist", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		seedClinic(t, st)
		err := st.SetWorkingPlan(t.Context(), booking.WorkingPlan{ID: "wp", SpecialistID: "nope", BranchID: branchCentre.ID})
		assert.ErrorIs(t, err, booking.ErrNotFound)
	})

	exceptions := []booking.Exception{
		{ID: "ex-anna-vacation", SpecialistID: anna.ID, Kind: booking.ExceptionVacation,
			From: date(2026, 12, 10), To: date(2026, 12, 20), Note: "отпуск"},
		{ID: "ex-anna-doctor", SpecialistID: anna.ID, Kind: booking.ExceptionDayOff,
			From: date(2026, 12, 1), To: date(2026, 12, 1), Intervals: []booking.Interval{{Start: 12 * 60, End: 14 * 60}}},
		{ID: "ex-boris-shift", SpecialistID: boris.ID, BranchID: branchCentre.ID, Kind: booking.ExceptionExtraShift,
			From: date(2026, 12, 5), To: date(2026, 12, 5), Intervals: []booking.Interval{{Start: 10 * 60, End: 16 * 60}}},
	}
	seedExceptions := func(t *testing.T, st cabinet.Store) {
		t.Helper()
		seedClinic(t, st)
		for _, e := range exceptions {
			require.NoError(t, st.AddException(t.Context(), e))
		}
	}

	t.Run("ExceptionsInRange", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedExceptions(t, st)
		tests := []struct {
			name        string
			specialists []string
			from, to    booking.Date
			want        []booking.Exception // ordered by specialist, From, ID
		}{
			{name: "one day", from: date(2026, 12, 1), to: date(2026, 12, 1), want: exceptions[1:2]},
			{name: "touching the first day", from: date(2026, 12, 5), to: date(2026, 12, 10),
				want: []booking.Exception{exceptions[0], exceptions[2]}},
			{name: "touching the last day", specialists: []string{anna.ID}, from: date(2026, 12, 20), to: date(2026, 12, 31),
				want: exceptions[:1]},
			{name: "after", from: date(2026, 12, 21), to: date(2026, 12, 31)},
			{name: "specialist", specialists: []string{boris.ID}, from: date(2026, 12, 1), to: date(2026, 12, 31),
				want: exceptions[2:]},
			{name: "all", from: date(2026, 1, 1), to: date(2026, 12, 31),
				want: []booking.Exception{exceptions[1], exceptions[0], exceptions[2]}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.Exceptions(ctx, tt.specialists, tt.from, tt.to)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			})
		}
	})

	t.Run("ExceptionReplaceDelete", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedExceptions(t, st)
		sick := exceptions[0]
		sick.Kind, sick.To, sick.Note = booking.ExceptionSickLeave, date(2026, 12, 12), ""
		require.NoError(t, st.AddException(ctx, sick), "adding an existing ID replaces it")
		got, err := st.Exceptions(ctx, []string{anna.ID}, date(2026, 12, 10), date(2026, 12, 31))
		require.NoError(t, err)
		assert.Equal(t, []booking.Exception{sick}, got)

		require.NoError(t, st.DeleteException(ctx, sick.ID))
		assert.ErrorIs(t, st.DeleteException(ctx, sick.ID), booking.ErrNotFound)
		got, err = st.Exceptions(ctx, []string{anna.ID}, date(2026, 12, 10), date(2026, 12, 31))
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("ExceptionRefused", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		backwards := booking.Exception{ID: "e", SpecialistID: anna.ID, Kind: booking.ExceptionDayOff,
			From: date(2026, 12, 2), To: date(2026, 12, 1)}
		assert.ErrorIs(t, st.AddException(ctx, backwards), booking.ErrInvalidInput)
		unknown := booking.Exception{ID: "e", SpecialistID: "nope", Kind: booking.ExceptionDayOff,
			From: date(2026, 12, 1), To: date(2026, 12, 1)}
		assert.ErrorIs(t, st.AddException(ctx, unknown), booking.ErrNotFound)
	})
}
