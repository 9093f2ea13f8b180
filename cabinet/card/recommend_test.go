package card_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/recommend"
)

// newRecEnv is the favourites and reviews clinic with services tagged for the
// engine.
func newRecEnv(t *testing.T) *revEnv {
	t.Helper()
	e := newRevEnv(t)
	for _, s := range []booking.Service{
		{ID: "peel-tca", Name: "ТСА-пилинг", Category: "peel", Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true,
			Tags:  []string{"chemical_peel", "acne", "pigmentation", "post_acne", "pregnancy", "breastfeeding", "isotretinoin", "sunburn"},
			Price: booking.Money{Amount: 500000, Currency: "RUB"}},
		{ID: "cleansing", Name: "Чистка лица", Category: "cleansing", Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true,
			Tags:  []string{"mechanical_cleansing", "acne", "enlarged_pores", "oily", "combination"},
			Price: booking.Money{Amount: 400000, Currency: "RUB"}},
		{ID: "hydra", Name: "Увлажняющий уход", Category: "care", Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true,
			Tags: []string{"dehydration", "dry", "sensitive"}, CourseInterval: 14 * 24 * time.Hour,
			Price: booking.Money{Amount: 300000, Currency: "RUB"}},
		{ID: "laser-hair", Name: "Лазерная эпиляция", Category: "laser", Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true,
			Tags:  []string{"laser", "energy_based", "laser_light_skin_only", "pregnancy", "isotretinoin", "sunburn"},
			Price: booking.Money{Amount: 600000, Currency: "RUB"}},
		{ID: "hidden", Name: "Только по записи у администратора", Category: "peel", Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true,
			Tags: []string{"acne"}, Price: booking.Money{Amount: 300000, Currency: "RUB"}},
	} {
		require.NoError(t, e.store.UpsertService(t.Context(), s))
	}
	return e
}

func (e *revEnv) answer(who card.Actor, ch card.ProfileChange) {
	e.t.Helper()
	_, err := e.svc.RecordConsent(e.t.Context(), who, who.UserID, card.ConsentInput{Type: card.ConsentHealthData, Granted: true, TextVersion: "v1"})
	require.NoError(e.t, err)
	_, err = e.svc.UpdateProfile(e.t.Context(), who, who.UserID, ch)
	require.NoError(e.t, err)
}

func ids(list []card.Suggestion) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.ItemID)
	}
	return out
}

func TestRecommendationInput(t *testing.T) {
	e := newRecEnv(t)
	ctx := t.Context()
	e.answer(revOlga, card.ProfileChange{SkinType: ptr(card.SkinOily), Phototype: ptr(2),
		BirthDate: &booking.Date{Year: 1990, Month: time.March, Day: 1},
		Concerns:  &[]card.Concern{{Code: card.ConcernAcne, Severity: 2}}, Contraindications: &[]card.Contraindication{}})

	facts, catalog, err := e.svc.RecommendationInput(ctx, "c-olga")
	require.NoError(t, err)
	assert.Equal(t, "oily", facts.SkinType)
	assert.Equal(t, 36, facts.Age)
	assert.Equal(t, time.March, facts.BirthMonth)
	assert.Equal(t, []recommend.Concern{{Code: "acne", Severity: 2}}, facts.Concerns)
	assert.Len(t, facts.Procedures, 2, "the completed visits")
	assert.True(t, revNow.Equal(facts.Now))
	assert.Equal(t, "Europe/Moscow", facts.Now.Location().String(), "the zone of the branch of the latest visit")

	byID := map[string]recommend.Item{}
	for _, it := range catalog {
		byID[it.ID] = it
	}
	assert.NotContains(t, byID, "hidden", "not bookable online")
	assert.NotContains(t, byID, "toner", "not offered")
	assert.Equal(t, recommend.Item{ID: "peel-tca", Kind: recommend.KindProcedure, Name: recommend.Text{RU: "ТСА-пилинг", EN: "ТСА-пилинг"},
		Category: "peel", Concerns: []string{"acne", "pigmentation", "post_acne"},
		Contraindications: []string{"pregnancy", "breastfeeding", "isotretinoin", "sunburn"}, Tags: []string{"chemical_peel"}}, byID["peel-tca"])
	assert.Equal(t, []string{"dry", "sensitive"}, byID["hydra"].SkinTypes)
	assert.Equal(t, 14, byID["hydra"].CooldownDays)
	assert.Equal(t, recommend.KindProduct, byID["serum"].Kind)

	// A client with acne gets the services that treat it.
	list, err := e.svc.Recommendations(ctx, revOlga, "c-olga", 0)
	require.NoError(t, err)
	assert.Contains(t, ids(list), "peel-tca")
	assert.Contains(t, ids(list), "cleansing")
	assert.NotContains(t, ids(list), "hydra", "for dry and sensitive skin")
	for _, s := range list {
		assert.Equal(t, card.SourceRules, s.Source)
		assert.NotEmpty(t, s.Reasons)
	}
	assert.Empty(t, e.audit, "the client's own read is not audited")
}

func TestRecommendationsPregnancy(t *testing.T) {
	e := newRecEnv(t)
	ctx := t.Context()
	e.answer(revOlga, card.ProfileChange{SkinType: ptr(card.SkinOily),
		Concerns:          &[]card.Concern{{Code: card.ConcernAcne, Severity: 3}, {Code: card.ConcernPigmentation, Severity: 3}},
		Contraindications: &[]card.Contraindication{card.ContraPregnancy}})

	list, err := e.svc.Recommendations(ctx, revOlga, "c-olga", 0)
	require.NoError(t, err)
	assert.NotContains(t, ids(list), "peel-tca", "never a peel in pregnancy")
	assert.Contains(t, ids(list), "cleansing")

	ex, err := e.svc.ExplainRecommendation(ctx, revOlga, "c-olga", "peel-tca")
	require.NoError(t, err)
	assert.False(t, ex.Recommended)
	var rules []string
	for _, x := range ex.Exclusions {
		rules = append(rules, x.RuleID)
	}
	assert.Contains(t, rules, recommend.RuleContraindication)
	assert.Contains(t, rules, recommend.RulePregnancy)
	_, err = e.svc.ExplainRecommendation(ctx, revOlga, "c-olga", "nope")
	assert.ErrorIs(t, err, card.ErrNotFound)

	// Booking it is refused; the cleansing is not.
	svc, err := e.store.ServiceByID(ctx, "peel-tca")
	require.NoError(t, err)
	v, err := e.svc.Eligible(ctx, "c-olga", svc)
	require.NoError(t, err)
	assert.False(t, v.Allowed)
	assert.Equal(t, "Эту процедуру нельзя записать онлайн: Противопоказано: беременность.", v.Reason)
	svc, err = e.store.ServiceByID(ctx, "cleansing")
	require.NoError(t, err)
	v, err = e.svc.Eligible(ctx, "c-olga", svc)
	require.NoError(t, err)
	assert.True(t, v.Allowed)
	v, err = e.svc.Eligible(ctx, "c-petr", svc)
	require.NoError(t, err)
	assert.True(t, v.Allowed, "no questionnaire: no contraindication known")

	// Another client's recommendations are not found; staff who see the card read them, audited.
	_, err = e.svc.Recommendations(ctx, revPetr, "c-olga", 0)
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.Recommendations(ctx, revDocA, "c-olga", 0)
	require.NoError(t, err)
	require.Len(t, e.auditOf(card.ActionCardViewed), 1)
}

func TestRecommendationsDoctorFirst(t *testing.T) {
	e := newRecEnv(t)
	ctx := t.Context()
	e.answer(revOlga, card.ProfileChange{Concerns: &[]card.Concern{{Code: card.ConcernAcne, Severity: 2}}})
	_, err := e.svc.WriteVisitNote(ctx, revDocA, "a-done", "Хорошо.", []card.Recommendation{
		{Kind: card.RecommendProcedure, ItemID: "cleansing", Text: "Через месяц."},
		{Kind: card.RecommendHomeCare, Text: "SPF 50 каждый день."},
	})
	require.NoError(t, err)
	list, err := e.svc.Recommendations(ctx, revOlga, "c-olga", 0)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(list), 3)
	assert.Equal(t, card.Suggestion{Source: card.SourceDoctor, Kind: recommend.KindProcedure, ItemID: "cleansing",
		Name: recommend.Text{RU: "Чистка лица", EN: "Чистка лица"}, Score: list[0].Score,
		Reasons: []recommend.Text{{RU: "Через месяц.", EN: "Через месяц."}}}, list[0])
	assert.Equal(t, card.SourceDoctor, list[1].Source)
	assert.Equal(t, recommend.KindHomeCare, list[1].Kind)
	assert.Equal(t, card.SourceRules, list[2].Source)
	assert.Greater(t, list[1].Score, list[2].Score, "the doctor's above every rule")
	assert.Equal(t, 1, countOf(ids(list), "cleansing"), "once")
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestEligibleSafety(t *testing.T) {
	e := newRecEnv(t)
	ctx := t.Context()
	laser, err := e.store.ServiceByID(ctx, "laser-hair")
	require.NoError(t, err)
	peel, err := e.store.ServiceByID(ctx, "peel-tca")
	require.NoError(t, err)

	// Phototype VI: no light-skin-only laser, said in both languages (the
	// page the client reads decides which is shown).
	e.answer(revPetr, card.ProfileChange{Locale: ptr("en"), Phototype: ptr(6)})
	v, err := e.svc.Eligible(ctx, "c-petr", laser)
	require.NoError(t, err)
	assert.False(t, v.Allowed)
	assert.True(t, strings.HasPrefix(v.ReasonEN, "This procedure cannot be booked online: "), v.ReasonEN)
	assert.True(t, strings.HasPrefix(v.Reason, "Эту процедуру нельзя записать онлайн: "), v.Reason)
	v, err = e.svc.Eligible(ctx, "c-petr", peel)
	require.NoError(t, err)
	assert.True(t, v.Allowed)

	// Active herpes: the engine's skin-barrier exclusion refuses the peel,
	// though the service does not carry the code.
	e.answer(revOlga, card.ProfileChange{Contraindications: &[]card.Contraindication{card.ContraActiveHerpes}})
	v, err = e.svc.Eligible(ctx, "c-olga", peel)
	require.NoError(t, err)
	assert.False(t, v.Allowed)
	assert.True(t, strings.HasPrefix(v.Reason, "Эту процедуру нельзя записать онлайн: "), v.Reason)
	v, err = e.svc.Eligible(ctx, "c-olga", laser)
	require.NoError(t, err)
	assert.False(t, v.Allowed, "laser with active herpes")
}
