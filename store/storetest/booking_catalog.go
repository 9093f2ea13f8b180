package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testBookingCatalog(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)

		b, err := st.BranchByID(ctx, branchCentre.ID)
		require.NoError(t, err)
		assert.Equal(t, branchCentre, b)
		r, err := st.Resources(ctx, branchNorth.ID)
		require.NoError(t, err)
		assert.Equal(t, []booking.Resource{ultrasound}, r)
		s, err := st.ServiceByID(ctx, laser.ID)
		require.NoError(t, err)
		assert.Equal(t, laser, s)
		sp, err := st.SpecialistByID(ctx, anna.ID)
		require.NoError(t, err)
		assert.Equal(t, anna, sp)
		d, ok := sp.Performs(consult)
		assert.True(t, ok)
		assert.Equal(t, 45*time.Minute, d, "the specialist's own duration survives")
	})

	t.Run("EmptyListsComeBackNil", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		require.NoError(t, st.UpsertBranch(ctx, booking.Branch{
			ID: "b", Name: "B", TimeZone: "UTC", Opening: booking.Week{time.Monday: {}}, Holidays: []booking.Date{},
		}))
		require.NoError(t, st.UpsertService(ctx, booking.Service{
			ID: "s", Name: "S", Duration: time.Hour, ResourceKinds: []string{}, BranchIDs: []string{}, Tags: []string{},
		}))
		require.NoError(t, st.UpsertSpecialist(ctx, booking.Specialist{
			ID: "sp", Name: "Sp", BranchIDs: []string{}, Services: []booking.SpecialistService{},
		}))
		b, err := st.BranchByID(ctx, "b")
		require.NoError(t, err)
		assert.Equal(t, booking.Branch{ID: "b", Name: "B", TimeZone: "UTC"}, b)
		s, err := st.ServiceByID(ctx, "s")
		require.NoError(t, err)
		assert.Equal(t, booking.Service{ID: "s", Name: "S", Duration: time.Hour}, s)
		sp, err := st.SpecialistByID(ctx, "sp")
		require.NoError(t, err)
		assert.Equal(t, booking.Specialist{ID: "sp", Name: "Sp"}, sp)
	})

	t.Run("UpsertReplaces", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)

		b := branchNorth
		b.Name, b.Holidays, b.Active = "Север-2", []booking.Date{day}, false
		require.NoError(t, st.UpsertBranch(ctx, b))
		r := ultrasound
		r.Name, r.Active = "УЗИ (старый)", false
		require.NoError(t, st.UpsertResource(ctx, r))
		s := consult
		s.Duration, s.Price, s.BranchIDs, s.OnlineBooking = 90*time.Minute, booking.Money{Amount: 1, Currency: "EUR"},
			[]string{branchNorth.ID}, false
		require.NoError(t, st.UpsertService(ctx, s))
		sp := anna
		sp.Services = []booking.SpecialistService{{ServiceID: laser.ID, Duration: 2 * time.Hour}}
		sp.BranchIDs = []string{branchCentre.ID}
		require.NoError(t, st.UpsertSpecialist(ctx, sp))

		gotB, err := st.BranchByID(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, b, gotB)
		gotR, err := st.Resources(ctx, branchNorth.ID)
		require.NoError(t, err)
		assert.Equal(t, []booking.Resource{r}, gotR)
		gotS, err := st.ServiceByID(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, s, gotS)
		gotSp, err := st.SpecialistByID(ctx, sp.ID)
		require.NoError(t, err)
		assert.Equal(t, sp, gotSp)

		branches, err := st.Branches(ctx)
		require.NoError(t, err)
		assert.Len(t, branches, 2, "replaced, not added")
	})

	t.Run("Ordering", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)

		branches, err := st.Branches(ctx)
		require.NoError(t, err)
		assert.Equal(t, []booking.Branch{branchNorth, branchCentre}, branches, "by name: Север, Центр")
		resources, err := st.Resources(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, []booking.Resource{laserRoom1, laserRoom2, ultrasound}, resources, "every branch, by name")
		services, err := st.Services(ctx, booking.ServiceFilter{})
		require.NoError(t, err)
		assert.Equal(t, []booking.Service{consult, ultrasoundScan, laser}, services, "by category, then name")
		specialists, err := st.Specialists(ctx, booking.SpecialistFilter{})
		require.NoError(t, err)
		assert.Equal(t, []booking.Specialist{anna, boris, vera}, specialists, "by name")
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		_, err := st.BranchByID(ctx, "nope")
		assert.ErrorIs(t, err, booking.ErrNotFound)
		_, err = st.ServiceByID(ctx, "nope")
		assert.ErrorIs(t, err, booking.ErrNotFound)
		_, err = st.SpecialistByID(ctx, "nope")
		assert.ErrorIs(t, err, booking.ErrNotFound)
		r, err := st.Resources(ctx, "nope")
		require.NoError(t, err)
		assert.Empty(t, r)
	})

	t.Run("ResourceOfUnknownBranch", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		err := st.UpsertResource(t.Context(), booking.Resource{ID: "r", BranchID: "nope", Kind: "room", Name: "R"})
		assert.ErrorIs(t, err, booking.ErrNotFound)
	})

	t.Run("ServiceFilter", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		retired := booking.Service{
			ID: "svc-retired", Name: "Старый пилинг", Category: "peel", Duration: time.Hour,
			BranchIDs: []string{branchCentre.ID}, OnlineBooking: true, Active: false,
		}
		require.NoError(t, st.UpsertService(ctx, retired))
		sp := boris
		sp.Services = append(sp.Services, booking.SpecialistService{ServiceID: retired.ID})
		require.NoError(t, st.UpsertSpecialist(ctx, sp))

		tests := []struct {
			name   string
			filter booking.ServiceFilter
			want   []string
		}{
			{name: "all", want: []string{consult.ID, ultrasoundScan.ID, laser.ID, retired.ID}},
			{name: "branch", filter: booking.ServiceFilter{BranchID: branchNorth.ID},
				want: []string{consult.ID, ultrasoundScan.ID}},
			{name: "branch incl. inactive", filter: booking.ServiceFilter{BranchID: branchCentre.ID},
				want: []string{consult.ID, laser.ID, retired.ID}},
			{name: "active", filter: booking.ServiceFilter{ActiveOnly: true},
				want: []string{consult.ID, ultrasoundScan.ID, laser.ID}},
			{name: "online", filter: booking.ServiceFilter{OnlineOnly: true},
				want: []string{consult.ID, ultrasoundScan.ID, retired.ID}},
			{name: "online and active", filter: booking.ServiceFilter{OnlineOnly: true, ActiveOnly: true},
				want: []string{consult.ID, ultrasoundScan.ID}},
			{name: "specialist", filter: booking.ServiceFilter{SpecialistID: vera.ID},
				want: []string{consult.ID, ultrasoundScan.ID}},
			{name: "specialist and branch", filter: booking.ServiceFilter{SpecialistID: anna.ID, BranchID: branchNorth.ID},
				want: []string{consult.ID}},
			{name: "specialist, active", filter: booking.ServiceFilter{SpecialistID: boris.ID, ActiveOnly: true},
				want: []string{consult.ID, laser.ID}},
			{name: "unknown specialist", filter: booking.ServiceFilter{SpecialistID: "nope"}},
			{name: "unknown branch", filter: booking.ServiceFilter{BranchID: "nope"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.Services(ctx, tt.filter)
				require.NoError(t, err)
				var gotIDs []string
				for _, s := range got {
					gotIDs = append(gotIDs, s.ID)
				}
				assert.Equal(t, tt.want, gotIDs)
			})
		}
	})

	t.Run("SpecialistFilter", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedClinic(t, st)
		gone := booking.Specialist{
			ID: "sp-gone", Name: "Галина (уволена)", BranchIDs: []string{branchNorth.ID},
			Services: []booking.SpecialistService{{ServiceID: laser.ID}}, Active: false,
		}
		require.NoError(t, st.UpsertSpecialist(ctx, gone))

		tests := []struct {
			name   string
			filter booking.SpecialistFilter
			want   []string
		}{
			{name: "all", want: []string{anna.ID, boris.ID, vera.ID, gone.ID}},
			{name: "branch", filter: booking.SpecialistFilter{BranchID: branchNorth.ID},
				want: []string{anna.ID, vera.ID, gone.ID}},
			{name: "service", filter: booking.SpecialistFilter{ServiceID: laser.ID},
				want: []string{anna.ID, boris.ID, gone.ID}},
			{name: "service, active", filter: booking.SpecialistFilter{ServiceID: laser.ID, ActiveOnly: true},
				want: []string{anna.ID, boris.ID}},
			{name: "branch and service", filter: booking.SpecialistFilter{BranchID: branchNorth.ID, ServiceID: consult.ID},
				want: []string{anna.ID, vera.ID}},
			{name: "active", filter: booking.SpecialistFilter{ActiveOnly: true}, want: []string{anna.ID, boris.ID, vera.ID}},
			{name: "unknown service", filter: booking.SpecialistFilter{ServiceID: "nope"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.Specialists(ctx, tt.filter)
				require.NoError(t, err)
				var gotIDs []string
				for _, s := range got {
					gotIDs = append(gotIDs, s.ID)
				}
				assert.Equal(t, tt.want, gotIDs)
			})
		}
	})
}
