package card_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// profileNow is "now" of the questionnaire tests: Wednesday 2026-11-25.
var profileNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// profileEnv is a card Service over a real SQLite file: branches b1 and b2,
// specialist A (user "doc-a") in b1 with an appointment with client
// "anna", specialist B (user "doc-b") with none; the audit trail and the
// marketing hook are recorded.
type profileEnv struct {
	t     testing.TB
	store *sqlite.Store
	svc   *card.Service

	mu        sync.Mutex
	audit     []auth.AuditEntry
	marketing []string // "<user> <granted> <source> <version>"
	hookErr   error
}

var (
	anna     = card.Actor{UserID: "anna", Role: booking.RoleClient}
	boris    = card.Actor{UserID: "boris", Role: booking.RoleClient}
	docA     = card.Actor{UserID: "doc-a", Role: booking.RoleSpecialist, Branches: []string{"b1"}, IP: "192.0.2.7"}
	docB     = card.Actor{UserID: "doc-b", Role: booking.RoleSpecialist, Branches: []string{"b1"}}
	manager1 = card.Actor{UserID: "mgr-1", Role: booking.RoleManager, Branches: []string{"b1"}}
	manager2 = card.Actor{UserID: "mgr-2", Role: booking.RoleManager, Branches: []string{"b2"}}
	owner    = card.Actor{UserID: "owner", Role: booking.RoleAdmin}
)

func newProfileEnv(t testing.TB) *profileEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "card.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &profileEnv{t: t, store: st}

	for _, u := range []string{"anna", "boris", "doc-a", "doc-b", "mgr-1", "mgr-2", "owner"} {
		require.NoError(t, st.CreateUser(ctx, auth.User{ID: u, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: profileNow}))
	}
	open := booking.Week{}
	week := booking.Week{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		open[d] = []booking.Interval{{Start: 9 * 60, End: 21 * 60}}
		week[d] = []booking.Interval{{Start: 9 * 60, End: 18 * 60}}
	}
	for _, b := range []booking.Branch{
		{ID: "b1", Name: "Центр", TimeZone: "Europe/Moscow", Opening: open, Active: true},
		{ID: "b2", Name: "Север", TimeZone: "Europe/Moscow", Opening: open, Active: true},
		{ID: "closed", Name: "Закрыт", TimeZone: "Europe/Moscow", Opening: open},
	} {
		require.NoError(t, st.UpsertBranch(ctx, b))
	}
	require.NoError(t, st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Пилинг", Duration: time.Hour,
		BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true, Price: booking.Money{Amount: 350000, Currency: "RUB"}}))
	for _, sp := range []booking.Specialist{
		{ID: "A", UserID: "doc-a", Name: "Анна", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
		{ID: "B", UserID: "doc-b", Name: "Борис", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
	} {
		require.NoError(t, st.UpsertSpecialist(ctx, sp))
		require.NoError(t, st.SetWorkingPlan(ctx, booking.WorkingPlan{ID: "plan-" + sp.ID, SpecialistID: sp.ID, BranchID: "b1", Week: week}))
	}
	now := func() time.Time { return profileNow }
	sched, err := booking.New(booking.Config{Store: st, Now: now})
	require.NoError(t, err)
	_, _, err = sched.Book(ctx, booking.Actor{UserID: "owner", Role: booking.RoleAdmin}, booking.BookRequest{
		ClientID: "anna", ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)})
	require.NoError(t, err)

	n := 0
	e.svc, err = card.New(card.Config{
		Store: st, Booking: sched, Now: now,
		NewID: func() string { e.mu.Lock(); defer e.mu.Unlock(); n++; return fmt.Sprint("id-", n) },
		Audit: func(_ context.Context, a auth.AuditEntry) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audit = append(e.audit, a)
			return nil
		},
		OnMarketingConsent: func(_ context.Context, userID string, granted bool, source, version string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.marketing = append(e.marketing, fmt.Sprint(userID, " ", granted, " ", source, " ", version))
			return e.hookErr
		},
	})
	require.NoError(t, err)
	return e
}

// consent records a consent by the client themself.
func (e *profileEnv) consent(client card.Actor, t card.ConsentType, granted bool) {
	e.t.Helper()
	_, err := e.svc.RecordConsent(e.t.Context(), client, client.UserID, card.ConsentInput{Type: t, Granted: granted, TextVersion: "2026-01"})
	require.NoError(e.t, err)
}

func (e *profileEnv) auditOf(action string) []auth.AuditEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []auth.AuditEntry
	for _, a := range e.audit {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestProfileNeverFilledIn(t *testing.T) {
	e := newProfileEnv(t)
	v, err := e.svc.Profile(t.Context(), anna, "anna")
	require.NoError(t, err)
	assert.Equal(t, 0, v.Version)
	assert.Equal(t, card.Profile{}, v.Profile)
	hist, err := e.svc.ProfileHistory(t.Context(), anna, "anna", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, hist)
	sum, err := e.svc.Summary(t.Context(), anna, "anna")
	require.NoError(t, err)
	assert.Equal(t, card.Summary{Consents: []card.ConsentType{}}, sum)
}

func TestProfileVersionsAndHealthConsent(t *testing.T) {
	e := newProfileEnv(t)
	ctx := t.Context()

	// Personal answers need no consent.
	v, err := e.svc.UpdateProfile(ctx, anna, "anna", card.ProfileChange{Name: ptr("  Анна Петрова "),
		BirthDate: &booking.Date{Year: 1990, Month: time.May, Day: 17}, Locale: ptr("en"), PreferredBranchID: ptr("b1")})
	require.NoError(t, err)
	assert.Equal(t, 1, v.Version)
	assert.Equal(t, "Анна Петрова", v.Profile.Name, "trimmed")
	assert.False(t, v.ByStaff)
	assert.Equal(t, "anna", v.ChangedBy)
	assert.Equal(t, profileNow, v.At)

	// Health answers do, and a refused change stores nothing.
	health := card.ProfileChange{SkinType: ptr(card.SkinDry), Phototype: ptr(2),
		Concerns:          &[]card.Concern{{Code: card.ConcernAcne, Severity: 2}},
		Contraindications: &[]card.Contraindication{}}
	_, err = e.svc.UpdateProfile(ctx, anna, "anna", health)
	ce, ok := errors.AsType[*card.ConsentError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, card.ConsentHealthData, ce.Type)
	assert.ErrorIs(t, err, card.ErrConsentRequired)
	v, err = e.svc.Profile(ctx, anna, "anna")
	require.NoError(t, err)
	assert.Equal(t, 1, v.Version)

	e.consent(anna, card.ConsentHealthData, true)
	v, err = e.svc.UpdateProfile(ctx, anna, "anna", health)
	require.NoError(t, err)
	assert.Equal(t, 2, v.Version)
	assert.Equal(t, "Анна Петрова", v.Profile.Name, "absent fields stay")
	assert.Equal(t, card.SkinDry, v.Profile.SkinType)
	assert.NotNil(t, v.Profile.Contraindications, "\"none\" is an answer")
	assert.Empty(t, v.Profile.Contraindications)
	assert.Nil(t, v.Profile.Allergies, "unanswered")

	// The same again changes nothing and stores no version.
	v, err = e.svc.UpdateProfile(ctx, anna, "anna", health)
	require.NoError(t, err)
	assert.Equal(t, 2, v.Version)

	// Withdrawn: what is stored stays, new health answers are refused; the
	// whole form sent again with a personal change goes in; clearing is
	// allowed.
	e.consent(anna, card.ConsentHealthData, false)
	_, err = e.svc.UpdateProfile(ctx, anna, "anna", card.ProfileChange{Phototype: ptr(3)})
	require.ErrorIs(t, err, card.ErrConsentRequired)
	whole := health
	whole.Name = ptr("Анна")
	v, err = e.svc.UpdateProfile(ctx, anna, "anna", whole)
	require.NoError(t, err)
	assert.Equal(t, 3, v.Version)
	assert.Equal(t, 2, v.Profile.Phototype, "kept")
	v, err = e.svc.UpdateProfile(ctx, anna, "anna", card.ProfileChange{SkinType: ptr(card.SkinType("")), Phototype: ptr(0),
		Concerns: ptr([]card.Concern(nil)), Contraindications: ptr([]card.Contraindication(nil))})
	require.NoError(t, err, "clearing needs no consent")
	assert.False(t, v.Profile.HasHealthAnswers())
	assert.Equal(t, 4, v.Version)

	hist, err := e.svc.ProfileHistory(ctx, anna, "anna", 0, 0)
	require.NoError(t, err)
	require.Len(t, hist, 4)
	for i, h := range hist {
		assert.Equal(t, 4-i, h.Version, "newest first")
		assert.Equal(t, "anna", h.ClientID)
	}
	assert.Equal(t, card.SkinDry, hist[1].Profile.SkinType, "each version keeps the whole questionnaire")
	page, err := e.svc.ProfileHistory(ctx, anna, "anna", 3, 1)
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, 2, page[0].Version)
	_, err = e.svc.ProfileHistory(ctx, anna, "anna", 0, 101)
	assert.ErrorIs(t, err, card.ErrInvalidInput)
}

func TestProfileValidation(t *testing.T) {
	e := newProfileEnv(t)
	e.consent(anna, card.ConsentHealthData, true)
	long := func(n int) *string {
		s := make([]rune, n)
		for i := range s {
			s[i] = 'я'
		}
		return ptr(string(s))
	}
	for _, tc := range []struct {
		name  string
		ch    card.ProfileChange
		field string
	}{
		{"name too long", card.ProfileChange{Name: long(101)}, "name"},
		{"name with a newline", card.ProfileChange{Name: ptr("Анна\nАдмин")}, "name"},
		{"name with a bidi override", card.ProfileChange{Name: ptr("Анна\u202eнимдА")}, "name"},
		{"born in the future", card.ProfileChange{BirthDate: &booking.Date{Year: 2026, Month: time.November, Day: 27}}, "birth_date"},
		{"born before 1900", card.ProfileChange{BirthDate: &booking.Date{Year: 1899, Month: time.December, Day: 31}}, "birth_date"},
		{"unknown gender", card.ProfileChange{Gender: ptr(card.Gender("x"))}, "gender"},
		{"unknown locale", card.ProfileChange{Locale: ptr("de")}, "locale"},
		{"unknown branch", card.ProfileChange{PreferredBranchID: ptr("nope")}, "preferred_branch_id"},
		{"closed branch", card.ProfileChange{PreferredBranchID: ptr("closed")}, "preferred_branch_id"},
		{"unknown skin type", card.ProfileChange{SkinType: ptr(card.SkinType("greasy"))}, "skin_type"},
		{"phototype 7", card.ProfileChange{Phototype: ptr(7)}, "phototype"},
		{"phototype -1", card.ProfileChange{Phototype: ptr(-1)}, "phototype"},
		{"unknown concern", card.ProfileChange{Concerns: &[]card.Concern{{Code: "freckles", Severity: 1}}}, "concerns[0].code"},
		{"concern twice", card.ProfileChange{Concerns: &[]card.Concern{{Code: card.ConcernAcne, Severity: 1}, {Code: card.ConcernAcne, Severity: 2}}}, "concerns[1].code"},
		{"severity 0", card.ProfileChange{Concerns: &[]card.Concern{{Code: card.ConcernAcne}}}, "concerns[0].severity"},
		{"severity 4", card.ProfileChange{Concerns: &[]card.Concern{{Code: card.ConcernAcne, Severity: 4}}}, "concerns[0].severity"},
		{"unknown contraindication", card.ProfileChange{Contraindications: &[]card.Contraindication{card.ContraPregnancy, "flu"}}, "contraindications[1]"},
		{"contraindication twice", card.ProfileChange{Contraindications: &[]card.Contraindication{card.ContraSunburn, card.ContraSunburn}}, "contraindications[1]"},
		{"empty allergy", card.ProfileChange{Allergies: &[]string{"пыльца", "  "}}, "allergies[1]"},
		{"allergy twice", card.ProfileChange{Allergies: &[]string{"Пыльца", "пыльца"}}, "allergies[1]"},
		{"allergy too long", card.ProfileChange{Allergies: &[]string{*long(101)}}, "allergies[0]"},
		{"too many allergies", card.ProfileChange{Allergies: ptr(make([]string, 31))}, "allergies"},
		{"home care with a control character", card.ProfileChange{HomeCare: &[]string{"крем\x00"}}, "home_care[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.UpdateProfile(t.Context(), anna, "anna", tc.ch)
			ve, ok := errors.AsType[*card.ValidationError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotEmpty(t, ve.Message)
			assert.NotEmpty(t, ve.MessageRU)
			assert.ErrorIs(t, err, card.ErrInvalidInput)
		})
	}
	// At the limits, everything goes in; the caller's lists are not changed.
	allergies := []string{" пыльца "}
	v, err := e.svc.UpdateProfile(t.Context(), anna, "anna", card.ProfileChange{Name: long(100), Phototype: ptr(6),
		BirthDate: &booking.Date{Year: 2026, Month: time.November, Day: 25}, Allergies: &allergies,
		Concerns: &[]card.Concern{{Code: card.ConcernRosacea, Severity: 3}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"пыльца"}, v.Profile.Allergies)
	assert.Equal(t, []string{" пыльца "}, allergies)
	assert.Equal(t, 50, v.Profile.Completeness(), "name, birth date, phototype, concerns, allergies: 5 of 10")
}

func TestProfileAccess(t *testing.T) {
	e := newProfileEnv(t)
	ctx := t.Context()
	_, err := e.svc.UpdateProfile(ctx, anna, "anna", card.ProfileChange{Name: ptr("Анна")})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		actor card.Actor
		ok    bool
	}{
		{"the client", anna, true},
		{"another client", boris, false},
		{"the specialist she is booked with", docA, true},
		{"a specialist with no appointment", docB, false},
		{"a manager of her branch", manager1, true},
		{"a manager of another branch", manager2, false},
		{"an admin", owner, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := e.svc.Profile(ctx, tc.actor, "anna")
			_, herr := e.svc.ProfileHistory(ctx, tc.actor, "anna", 0, 0)
			_, cerr := e.svc.Consents(ctx, tc.actor, "anna")
			_, serr := e.svc.Summary(ctx, tc.actor, "anna")
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, "Анна", v.Profile.Name)
				assert.NoError(t, herr)
				assert.NoError(t, cerr)
				assert.NoError(t, serr)
				return
			}
			for _, err := range []error{err, herr, cerr, serr} {
				assert.ErrorIs(t, err, card.ErrNotFound)
			}
		})
	}

	// Staff reads and refusals are on record, without values.
	viewed := e.auditOf(card.ActionCardViewed)
	require.NotEmpty(t, viewed)
	assert.Equal(t, []string{"doc-a", "anna", "profile"}, []string{viewed[0].ActorID, viewed[0].Subject, viewed[0].Detail})
	assert.Equal(t, "192.0.2.7", viewed[0].IP)
	denied := e.auditOf(card.ActionCardDenied)
	require.NotEmpty(t, denied)
	for _, d := range denied {
		assert.Contains(t, []string{"doc-b", "mgr-2"}, d.ActorID)
		assert.NotContains(t, d.Detail, "Анна")
	}

	// Nobody sees a card that does not exist; an admin is told so too.
	_, err = e.svc.Profile(ctx, owner, "ghost")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.UpdateProfile(ctx, owner, "ghost", card.ProfileChange{Name: ptr("x")})
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.RecordConsent(ctx, owner, "ghost", card.ConsentInput{Type: card.ConsentPhotos, Granted: true, TextVersion: "1"})
	assert.ErrorIs(t, err, card.ErrNotFound)

	// Staff enter answers as a version by staff; health answers still need
	// the client's consent.
	v, err := e.svc.UpdateProfile(ctx, docA, "anna", card.ProfileChange{Gender: ptr(card.GenderFemale)})
	require.NoError(t, err)
	assert.True(t, v.ByStaff)
	assert.Equal(t, "doc-a", v.ChangedBy)
	_, err = e.svc.UpdateProfile(ctx, docA, "anna", card.ProfileChange{SkinType: ptr(card.SkinOily)})
	assert.ErrorIs(t, err, card.ErrConsentRequired)
	_, err = e.svc.UpdateProfile(ctx, docB, "anna", card.ProfileChange{Gender: ptr(card.GenderMale)})
	assert.ErrorIs(t, err, card.ErrNotFound)
	changed := e.auditOf(card.ActionCardChanged)
	require.NotEmpty(t, changed)
	last := changed[len(changed)-1]
	assert.Equal(t, []string{"doc-a", "anna", "profile"}, []string{last.ActorID, last.Subject, last.Detail})
}

func TestConsents(t *testing.T) {
	e := newProfileEnv(t)
	ctx := t.Context()

	states, err := e.svc.Consents(ctx, anna, "anna")
	require.NoError(t, err)
	require.Len(t, states, 4)
	for i, st := range states {
		assert.Equal(t, card.ConsentTypes()[i], st.Type)
		assert.False(t, st.Granted())
		assert.Nil(t, st.Current)
		assert.Empty(t, st.History)
	}

	c, err := e.svc.RecordConsent(ctx, anna, "anna", card.ConsentInput{Type: card.ConsentPhotos, Granted: true, TextVersion: " v3 "})
	require.NoError(t, err)
	assert.Equal(t, card.Consent{ID: c.ID, ClientID: "anna", Type: card.ConsentPhotos, Granted: true, TextVersion: "v3",
		Source: card.SourceCabinet, RecordedBy: "anna", At: profileNow}, c)
	// At the front desk, by staff.
	c, err = e.svc.RecordConsent(ctx, manager1, "anna", card.ConsentInput{Type: card.ConsentPhotos, Granted: false})
	require.NoError(t, err)
	assert.Equal(t, card.SourceFrontDesk, c.Source)
	assert.Equal(t, "mgr-1", c.RecordedBy)
	_, err = e.svc.RecordConsent(ctx, manager2, "anna", card.ConsentInput{Type: card.ConsentPhotos, Granted: true, TextVersion: "v3"})
	assert.ErrorIs(t, err, card.ErrNotFound, "not a client of their branch")

	states, err = e.svc.Consents(ctx, anna, "anna")
	require.NoError(t, err)
	photos := states[2]
	assert.Equal(t, card.ConsentPhotos, photos.Type)
	assert.False(t, photos.Granted(), "withdrawn at the desk")
	require.Len(t, photos.History, 2)
	assert.Equal(t, card.SourceFrontDesk, photos.History[0].Source, "newest first")

	for _, tc := range []struct {
		name  string
		in    card.ConsentInput
		field string
	}{
		{"unknown type", card.ConsentInput{Type: "cookies", Granted: true, TextVersion: "1"}, "type"},
		{"no text version", card.ConsentInput{Type: card.ConsentHealthData, Granted: true}, "text_version"},
		{"text version too long", card.ConsentInput{Type: card.ConsentHealthData, Granted: true, TextVersion: string(make([]byte, 65))}, "text_version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.RecordConsent(ctx, anna, "anna", tc.in)
			ve, ok := errors.AsType[*card.ValidationError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotEmpty(t, ve.MessageRU)
		})
	}

	// Marketing goes on to the notification settings.
	e.consent(anna, card.ConsentMarketing, true)
	_, err = e.svc.RecordConsent(ctx, owner, "anna", card.ConsentInput{Type: card.ConsentMarketing, Granted: false})
	require.NoError(t, err)
	e.hookErr = errors.New("settings are down")
	_, err = e.svc.RecordConsent(ctx, anna, "anna", card.ConsentInput{Type: card.ConsentMarketing, Granted: true, TextVersion: "m2"})
	require.Error(t, err)
	assert.Equal(t, []string{"anna true cabinet 2026-01", "anna false front_desk ", "anna true cabinet m2"}, e.marketing)
	states, err = e.svc.Consents(ctx, anna, "anna")
	require.NoError(t, err)
	assert.True(t, states[3].Granted(), "the record stays when the hook fails")
	e.hookErr = nil

	// A change made in the notification settings is noted once, without
	// calling back.
	require.NoError(t, e.svc.NoteMarketingConsent(ctx, "anna", true, card.SourceCabinet, ""))
	require.NoError(t, e.svc.NoteMarketingConsent(ctx, "anna", false, card.SourceCabinet, ""))
	require.NoError(t, e.svc.NoteMarketingConsent(ctx, "anna", false, card.SourceCabinet, ""))
	require.NoError(t, e.svc.NoteMarketingConsent(ctx, "boris", false, card.SourceCabinet, ""))
	states, err = e.svc.Consents(ctx, anna, "anna")
	require.NoError(t, err)
	assert.Len(t, states[3].History, 4, "three here, one noted")
	assert.False(t, states[3].Granted())
	assert.Len(t, e.marketing, 3, "no call back")
	states, err = e.svc.Consents(ctx, boris, "boris")
	require.NoError(t, err)
	assert.Empty(t, states[3].History, "never given: nothing to withdraw")

	sum, err := e.svc.Summary(ctx, anna, "anna")
	require.NoError(t, err)
	assert.Empty(t, sum.Consents)
	e.consent(anna, card.ConsentPersonalData, true)
	e.consent(anna, card.ConsentHealthData, true)
	sum, err = e.svc.Summary(ctx, anna, "anna")
	require.NoError(t, err)
	assert.Equal(t, []card.ConsentType{card.ConsentPersonalData, card.ConsentHealthData}, sum.Consents)
}

// TestProfileConcurrentChanges: 20 changes at once, each of a different
// answer set on top of the last, all go in as 20 versions and the last
// version is the questionnaire.
func TestProfileConcurrentChanges(t *testing.T) {
	e := newProfileEnv(t)
	e.consent(anna, card.ConsentHealthData, true)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			ch := card.ProfileChange{Name: ptr(fmt.Sprint("Анна ", i))}
			if i%2 == 0 {
				ch.HomeCare = &[]string{fmt.Sprint("крем ", i)}
			}
			_, errs[i] = e.svc.UpdateProfile(t.Context(), anna, "anna", ch)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	hist, err := e.svc.ProfileHistory(t.Context(), anna, "anna", 0, 100)
	require.NoError(t, err)
	require.Len(t, hist, n)
	names := map[string]bool{}
	for i, v := range hist {
		assert.Equal(t, n-i, v.Version)
		names[v.Profile.Name] = true
		var writer int
		_, err := fmt.Sscanf(v.Profile.Name, "Анна %d", &writer)
		require.NoError(t, err)
		switch {
		case writer%2 == 0:
			assert.Equal(t, []string{fmt.Sprint("крем ", writer)}, v.Profile.HomeCare)
		case i+1 < len(hist):
			assert.Equal(t, hist[i+1].Profile.HomeCare, v.Profile.HomeCare, "a change keeps what it did not touch")
		default:
			assert.Nil(t, v.Profile.HomeCare)
		}
	}
	assert.Len(t, names, n, "none lost")
	cur, err := e.svc.Profile(t.Context(), anna, "anna")
	require.NoError(t, err)
	assert.Equal(t, hist[0], cur)
}

// FuzzProfileAnswers: whatever the free-text and coded answers are, a change
// is either refused with a field named or stored and read back exactly.
func FuzzProfileAnswers(f *testing.F) {
	f.Add("Анна Петрова", "пыльца", "SPF 50", 2, "acne", 1, "pregnancy")
	f.Add(" ", "", "крем\x00", 7, "freckles", 0, "flu")
	f.Add("\xff\xfe", "a\u202eb", "😀", 0, "", 3, "")
	e := newProfileEnv(f)
	e.consent(anna, card.ConsentHealthData, true)
	f.Fuzz(func(t *testing.T, name, allergy, homeCare string, phototype int, concern string, severity int, contra string) {
		ch := card.ProfileChange{Name: &name, Allergies: &[]string{allergy}, HomeCare: &[]string{homeCare}, Phototype: &phototype,
			Concerns:          &[]card.Concern{{Code: card.ConcernCode(concern), Severity: severity}},
			Contraindications: &[]card.Contraindication{card.Contraindication(contra)}}
		v, err := e.svc.UpdateProfile(t.Context(), anna, "anna", ch)
		if err != nil {
			ve, ok := errors.AsType[*card.ValidationError](err)
			require.True(t, ok, "%v", err)
			require.NotEmpty(t, ve.Field)
			return
		}
		got, err := e.svc.Profile(t.Context(), anna, "anna")
		require.NoError(t, err)
		require.Equal(t, v, got)
	})
}

// Config.ConsentTexts is checked: every type known and once, a version, and
// both languages.
func TestConsentTextsChecked(t *testing.T) {
	for name, tweak := range map[string]func([]card.ConsentText) []card.ConsentText{
		"unknown type":   func(c []card.ConsentText) []card.ConsentText { c[0].Type = "newsletter"; return c },
		"twice":          func(c []card.ConsentText) []card.ConsentText { return append(c, c[0]) },
		"no version":     func(c []card.ConsentText) []card.ConsentText { c[1].Version = " "; return c },
		"no English":     func(c []card.ConsentText) []card.ConsentText { c[2].Paragraphs[0].EN = ""; return c },
		"no paragraphs":  func(c []card.ConsentText) []card.ConsentText { c[3].Paragraphs = nil; return c },
		"control in ver": func(c []card.ConsentText) []card.ConsentText { c[0].Version = "v\n1"; return c },
	} {
		t.Run(name, func(t *testing.T) {
			texts := tweak(card.DefaultConsentTexts()) // a fresh copy each time
			_, err := card.New(card.Config{Store: struct{ card.Store }{}, Booking: &booking.Scheduler{},
				Audit: func(context.Context, auth.AuditEntry) error { return nil }, ConsentTexts: texts})
			assert.ErrorContains(t, err, "ConsentTexts")
		})
	}
}
