package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// The card.ProfileStore part of the suite. Where the interface comments
// leave a choice open, backends agree on this:
//
//   - A questionnaire comes back as it was stored, a nil list (unanswered)
//     apart from an empty one (the answer "none").
//   - LatestProfile and ProfileVersions fill ClientID.
//   - Consent records come back newest first in the order they were
//     appended, even when a later one has an earlier At (a clock set back).

// runCardProfile checks card.ProfileStore.
func runCardProfile(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("ProfileVersions", func(t *testing.T) { testProfileVersions(t, open) })
	t.Run("ProfilePaging", func(t *testing.T) { testProfilePaging(t, open) })
	t.Run("ProfileConsents", func(t *testing.T) { testProfileConsents(t, open) })
	t.Run("ProfileConsentGuard", func(t *testing.T) { testProfileConsentGuard(t, open) })
	t.Run("ProfileConcurrency", func(t *testing.T) { testProfileConcurrency(t, open) })
}

// profileClient creates client users with the given IDs.
func profileClient(t *testing.T, st cabinet.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		require.NoError(t, st.CreateUser(t.Context(), newUser(id)))
	}
}

// fullProfile answers every question.
func fullProfile() card.Profile {
	return card.Profile{
		Name: "Анна Петрова", BirthDate: booking.Date{Year: 1990, Month: time.May, Day: 17}, Gender: card.GenderFemale,
		Locale: "en", PreferredBranchID: "b1", SkinType: card.SkinCombination, Phototype: 3,
		Concerns:          []card.Concern{{Code: card.ConcernAcne, Severity: 2}, {Code: card.ConcernPigmentation, Severity: 1}},
		Allergies:         []string{"пыльца", "lidocaine"},
		Contraindications: []card.Contraindication{},
		HomeCare:          []string{"SPF 50"},
	}
}

func profileVersion(client string, n int, p card.Profile) card.ProfileVersion {
	return card.ProfileVersion{ClientID: client, Version: n, At: t0.Add(time.Duration(n) * time.Minute),
		ChangedBy: client, Profile: p}
}

func testProfileVersions(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	ctx := t.Context()
	st := open(t)
	profileClient(t, st, "u-1", "doc")

	_, err := st.LatestProfile(ctx, "ghost")
	require.ErrorIs(t, err, card.ErrNotFound, "no such user")
	v, err := st.LatestProfile(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, card.ProfileVersion{}, v, "never filled in")
	list, err := st.ProfileVersions(ctx, "u-1", 0, 10)
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = st.ProfileVersions(ctx, "ghost", 0, 10)
	require.ErrorIs(t, err, card.ErrNotFound)

	// Only the first version may be stored first.
	require.ErrorIs(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 2, card.Profile{Name: "x"})), card.ErrVersionConflict)
	require.ErrorIs(t, st.AppendProfileVersion(ctx, profileVersion("ghost", 1, card.Profile{Name: "x"})), card.ErrNotFound)

	first := profileVersion("u-1", 1, fullProfile())
	require.NoError(t, st.AppendProfileVersion(ctx, first))
	got, err := st.LatestProfile(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, first, got, "a round trip keeps every answer")
	assert.NotNil(t, got.Profile.Contraindications, "\"none\" stays apart from unanswered")

	second := profileVersion("u-1", 2, card.Profile{Name: "Анна", Phototype: 4})
	second.ChangedBy, second.ByStaff = "doc", true
	require.NoError(t, st.AppendProfileVersion(ctx, second))
	got, err = st.LatestProfile(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, second, got)
	assert.Nil(t, got.Profile.Concerns, "unanswered stays unanswered")
	assert.Nil(t, got.Profile.Contraindications)

	// A stale version (another change went in) stores nothing.
	require.ErrorIs(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 2, card.Profile{Name: "stale"})), card.ErrVersionConflict)
	require.ErrorIs(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 4, card.Profile{Name: "gap"})), card.ErrVersionConflict)
	list, err = st.ProfileVersions(ctx, "u-1", 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, []card.ProfileVersion{second, first}, list, "newest first, whole")

	// Malformed versions are refused.
	require.Error(t, st.AppendProfileVersion(ctx, card.ProfileVersion{ClientID: "u-1", Version: 3, At: t0}), "no author")
	require.Error(t, st.AppendProfileVersion(ctx, card.ProfileVersion{ClientID: "u-1", Version: 0, At: t0, ChangedBy: "u-1"}))
	_, err = st.ProfileVersions(ctx, "u-1", 0, 0)
	require.Error(t, err, "limit 0")
}

func testProfilePaging(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	ctx := t.Context()
	st := open(t)
	profileClient(t, st, "u-1", "u-2")
	for n := 1; n <= 5; n++ {
		require.NoError(t, st.AppendProfileVersion(ctx, profileVersion("u-1", n, card.Profile{Name: fmt.Sprint("v", n)})))
	}
	require.NoError(t, st.AppendProfileVersion(ctx, profileVersion("u-2", 1, card.Profile{Name: "other"})))
	versions := func(before, limit int) []int {
		list, err := st.ProfileVersions(ctx, "u-1", before, limit)
		require.NoError(t, err)
		var out []int
		for _, v := range list {
			assert.Equal(t, "u-1", v.ClientID)
			assert.Equal(t, fmt.Sprint("v", v.Version), v.Profile.Name)
			out = append(out, v.Version)
		}
		return out
	}
	assert.Equal(t, []int{5, 4}, versions(0, 2))
	assert.Equal(t, []int{3, 2}, versions(4, 2))
	assert.Equal(t, []int{1}, versions(2, 2))
	assert.Empty(t, versions(1, 2))
	assert.Equal(t, []int{5, 4, 3, 2, 1}, versions(0, 1000))
}

func profileConsent(id, client string, typ card.ConsentType, granted bool, at time.Time) card.Consent {
	return card.Consent{ID: id, ClientID: client, Type: typ, Granted: granted, TextVersion: "2026-01",
		Source: card.SourceCabinet, RecordedBy: client, At: at}
}

func testProfileConsents(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	ctx := t.Context()
	st := open(t)
	profileClient(t, st, "u-1", "u-2")

	_, err := st.CurrentConsent(ctx, "u-1", card.ConsentHealthData)
	require.ErrorIs(t, err, card.ErrNotFound, "never asked")
	list, err := st.Consents(ctx, "u-1")
	require.NoError(t, err)
	assert.Empty(t, list)
	_, err = st.Consents(ctx, "ghost")
	require.ErrorIs(t, err, card.ErrNotFound)
	require.ErrorIs(t, st.AppendConsent(ctx, profileConsent("c-0", "ghost", card.ConsentPhotos, true, t0)), card.ErrNotFound)

	records := []card.Consent{
		profileConsent("c-1", "u-1", card.ConsentPersonalData, true, t0),
		profileConsent("c-2", "u-1", card.ConsentHealthData, true, t0.Add(time.Minute)),
		profileConsent("c-3", "u-2", card.ConsentHealthData, true, t0.Add(time.Minute)),
		profileConsent("c-4", "u-1", card.ConsentHealthData, false, t0.Add(2*time.Minute)),
		// The clock was set back: order is the order of appending.
		profileConsent("c-5", "u-1", card.ConsentMarketing, true, t0.Add(-time.Hour)),
	}
	records[4].Source, records[4].RecordedBy, records[4].TextVersion = card.SourceFrontDesk, "admin-1", ""
	for _, c := range records {
		require.NoError(t, st.AppendConsent(ctx, c))
	}
	require.Error(t, st.AppendConsent(ctx, profileConsent("c-1", "u-1", card.ConsentPhotos, true, t0)), "a taken ID")
	require.Error(t, st.AppendConsent(ctx, card.Consent{ID: "c-9", ClientID: "u-1", Type: card.ConsentPhotos, At: t0}), "no source")

	list, err = st.Consents(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, []card.Consent{records[4], records[3], records[1], records[0]}, list)

	cur, err := st.CurrentConsent(ctx, "u-1", card.ConsentHealthData)
	require.NoError(t, err)
	assert.Equal(t, records[3], cur, "withdrawn is the current state")
	cur, err = st.CurrentConsent(ctx, "u-2", card.ConsentHealthData)
	require.NoError(t, err)
	assert.True(t, cur.Granted, "another client's records are their own")
	cur, err = st.CurrentConsent(ctx, "u-1", card.ConsentMarketing)
	require.NoError(t, err)
	assert.Equal(t, records[4], cur)
	_, err = st.CurrentConsent(ctx, "u-2", card.ConsentPhotos)
	require.ErrorIs(t, err, card.ErrNotFound)
}

func testProfileConsentGuard(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	ctx := t.Context()
	st := open(t)
	profileClient(t, st, "u-1")
	health := card.Profile{SkinType: card.SkinDry}

	err := st.AppendProfileVersion(ctx, profileVersion("u-1", 1, health), card.ConsentHealthData)
	ce, ok := errors.AsType[*card.ConsentError](err)
	require.True(t, ok, "never given: %v", err)
	assert.Equal(t, card.ConsentHealthData, ce.Type)
	assert.ErrorIs(t, err, card.ErrConsentRequired)

	require.NoError(t, st.AppendConsent(ctx, profileConsent("c-1", "u-1", card.ConsentHealthData, true, t0)))
	require.NoError(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 1, health), card.ConsentHealthData))

	require.NoError(t, st.AppendConsent(ctx, profileConsent("c-2", "u-1", card.ConsentHealthData, false, t0.Add(time.Minute))))
	health.Phototype = 2
	require.ErrorIs(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 2, health), card.ConsentHealthData), card.ErrConsentRequired,
		"withdrawn")
	// Another consent does not stand in for it.
	require.NoError(t, st.AppendConsent(ctx, profileConsent("c-3", "u-1", card.ConsentPhotos, true, t0.Add(time.Minute))))
	require.ErrorIs(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 2, health), card.ConsentPhotos, card.ConsentHealthData),
		card.ErrConsentRequired)
	v, err := st.LatestProfile(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, 1, v.Version, "a refused version stores nothing")
	// Without a requirement the version goes in (clearing answers needs no consent).
	require.NoError(t, st.AppendProfileVersion(ctx, profileVersion("u-1", 2, card.Profile{})))
}

// testProfileConcurrency: 20 writers each add one version, retrying after a
// conflict as the card Service does. All 20 go in, numbered 1…20 without a
// gap, none lost, and the latest is the last version.
func testProfileConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	ctx := t.Context()
	st := open(t)
	profileClient(t, st, "u-1")
	const n = 20
	errs := parallel(n, func(i int) error {
		for {
			cur, err := st.LatestProfile(ctx, "u-1")
			if err != nil {
				return err
			}
			p := cur.Profile
			p.Name = fmt.Sprint("writer ", i)
			p.Allergies = append(slices.Clone(p.Allergies), fmt.Sprint("a", i)) // builds on what it read
			err = st.AppendProfileVersion(ctx, profileVersion("u-1", cur.Version+1, p))
			if !errors.Is(err, card.ErrVersionConflict) {
				return err
			}
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	list, err := st.ProfileVersions(ctx, "u-1", 0, 100)
	require.NoError(t, err)
	require.Len(t, list, n)
	names := map[string]bool{}
	for i, v := range list {
		assert.Equal(t, n-i, v.Version, "numbered without a gap")
		names[v.Profile.Name] = true
		assert.Len(t, v.Profile.Allergies, v.Version, "each version builds on the one before")
	}
	assert.Len(t, names, n, "every writer's version is there")
	latest, err := st.LatestProfile(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, list[0], latest, "the latest is the last version")
	assert.Len(t, latest.Profile.Allergies, n, "no change lost")
}
