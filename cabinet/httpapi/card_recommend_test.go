package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

// newRecommendClinic is the orders clinic with the peel tagged as a
// chemical peel with its contraindications, and a cleansing for acne.
func newRecommendClinic(t *testing.T) *ordersClinic {
	t.Helper()
	c := newOrdersClinic(t)
	st := c.h.store
	peel, err := st.ServiceByID(t.Context(), "peel")
	require.NoError(t, err)
	peel.Tags = []string{"chemical_peel", "acne", "pigmentation", "pregnancy", "breastfeeding", "isotretinoin", "sunburn"}
	require.NoError(t, st.UpsertService(t.Context(), peel))
	require.NoError(t, st.UpsertService(t.Context(), booking.Service{ID: "cleansing", Name: "Чистка лица", Category: "cleansing",
		Duration: time.Hour, Price: booking.Money{Amount: 400000, Currency: "RUB"}, BranchIDs: []string{"b1"}, Active: true,
		OnlineBooking: true, Tags: []string{"mechanical_cleansing", "acne", "enlarged_pores"}}))
	return c
}

// answerHealth gives the health consent and the questionnaire's answers.
func answerHealth(t *testing.T, h *harness, who signedIn, answers map[string]any) {
	t.Helper()
	r := h.do(req{method: "POST", path: myConsentsPath, token: who.token,
		body: map[string]any{"type": "health_data", "granted": true, "text_version": "2026-01"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "PUT", path: myProfilePath, token: who.token, body: answers})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
}

func itemIDs(list []any) []string {
	out := []string{}
	for _, x := range list {
		out = append(out, x.(map[string]any)["item_id"].(string))
	}
	return out
}

func TestRecommendationsOverHTTP(t *testing.T) {
	c := newRecommendClinic(t)
	h := c.h
	answerHealth(t, h, c.anna, map[string]any{"skin_type": "oily", "concerns": []any{map[string]any{"code": "acne", "severity": 2}},
		"contraindications": []string{}})

	r := h.do(req{method: "GET", path: "/api/v1/me/recommendations", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	list := r.json(t)["recommendations"].([]any)
	require.NotEmpty(t, list)
	assert.Contains(t, itemIDs(list), "cleansing")
	for _, x := range list {
		assert.Equal(t, "rules", x.(map[string]any)["source"])
	}

	// The doctor's recommendations come first, above every rule.
	r = h.do(req{method: "PUT", path: "/api/v1/staff/appointments/" + c.visitID + "/visit-note", token: c.doc.token,
		body: map[string]any{"notes": "Кожа спокойная.", "recommendations": []map[string]any{
			{"kind": "product", "item_id": "serum", "text": "утром, перед SPF"},
			{"kind": "procedure", "item_id": "cleansing", "text": "через месяц"},
		}}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "GET", path: "/api/v1/me/recommendations", token: c.anna.token, header: map[string]string{"Accept-Language": "en"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	list = r.json(t)["recommendations"].([]any)
	require.Greater(t, len(list), 2)
	first := list[0].(map[string]any)
	assert.Equal(t, map[string]any{"kind": "product", "item_id": "serum", "name": "Derma Lab Vitamin C 15% Serum",
		"score": first["score"], "reasons": []any{"утром, перед SPF"}, "source": "doctor"}, first)
	assert.Equal(t, "doctor", list[1].(map[string]any)["source"])
	assert.Equal(t, "cleansing", list[1].(map[string]any)["item_id"])
	third := list[2].(map[string]any)
	assert.Equal(t, "rules", third["source"])
	assert.Greater(t, first["score"].(float64), third["score"].(float64))
	var cleansing int
	for _, id := range itemIDs(list) {
		if id == "cleansing" {
			cleansing++
		}
	}
	assert.Equal(t, 1, cleansing, "an item the doctor recommended is not repeated")
	assert.Contains(t, third["reasons"], "Helps with acne.", "the rules' reasons in the request's language")

	// Staff who may see the card read them; others may not.
	r = h.do(req{method: "GET", path: "/api/v1/staff/clients/" + c.anna.userID + "/recommendations", token: c.doc.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Len(t, r.json(t)["recommendations"], len(list))
	r = h.do(req{method: "GET", path: "/api/v1/staff/clients/" + c.anna.userID + "/recommendations", token: c.doc2.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
}

func TestExplainRecommendationOverHTTP(t *testing.T) {
	c := newRecommendClinic(t)
	h := c.h
	answerHealth(t, h, c.anna, map[string]any{"skin_type": "oily", "concerns": []any{map[string]any{"code": "acne", "severity": 2}},
		"contraindications": []string{"pregnancy"}})

	r := h.do(req{method: "GET", path: "/api/v1/me/recommendations", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.NotContains(t, itemIDs(r.json(t)["recommendations"].([]any)), "peel", "never a peel in pregnancy")

	r = h.do(req{method: "GET", path: "/api/v1/me/recommendations/explain?item=peel", token: c.anna.token,
		header: map[string]string{"Accept-Language": "en"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	ex := r.json(t)
	assert.Equal(t, "peel", ex["item_id"])
	assert.Equal(t, false, ex["recommended"])
	assert.EqualValues(t, 0, ex["rank"])
	rules := map[string]string{}
	for _, x := range ex["exclusions"].([]any) {
		m := x.(map[string]any)
		rules[m["rule_id"].(string)] = m["text"].(string)
		assert.Equal(t, true, m["builtin"])
	}
	assert.Contains(t, rules, "builtin.pregnancy")
	assert.Contains(t, rules, "builtin.contraindication")
	assert.NotEmpty(t, rules["builtin.pregnancy"])
	assert.NotEmpty(t, ex["for"], "acne speaks for it, the exclusion against")

	r = h.do(req{method: "GET", path: "/api/v1/me/recommendations/explain?item=cleansing", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, true, r.json(t)["recommended"])
	assert.Empty(t, r.json(t)["exclusions"])

	r = h.do(req{method: "GET", path: "/api/v1/me/recommendations/explain?item=nope", token: c.anna.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	r = h.do(req{method: "GET", path: "/api/v1/me/recommendations/explain", token: c.anna.token, invalid: true})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)
	assert.Equal(t, "malformed_parameter", r.errCode(t))
	r = h.do(req{method: "GET", path: "/api/v1/me/recommendations/explain?item=peel"})
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
}

func TestOffersOverHTTP(t *testing.T) {
	c := newRecommendClinic(t)
	h := c.h
	offers := func(lang string) []any {
		t.Helper()
		r := h.do(req{method: "GET", path: "/api/v1/me/offers", token: c.anna.token, header: map[string]string{"Accept-Language": lang}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		return r.json(t)["offers"].([]any)
	}
	byID := func(list []any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, x := range list {
			out[x.(map[string]any)["id"].(string)] = x.(map[string]any)
		}
		return out
	}
	assert.Empty(t, offers("ru"), "a visit five days ago, no favourites")

	r := h.do(req{method: "POST", path: "/api/v1/me/favorites", token: c.anna.token, body: map[string]any{"kind": "service", "item_id": "peel"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.NotContains(t, byID(offers("ru")), "favorite-service-10", "a visit within 30 days")

	// A month on: the favourite service at 10% off.
	h.clock.Advance(31 * 24 * time.Hour)
	c.anna = h.signIn("+79123456789", "+79123456789")
	got := byID(offers("en"))
	require.Contains(t, got, "favorite-service-10")
	fav := got["favorite-service-10"]
	assert.Equal(t, "10% off a procedure from your favourites", fav["title"])
	assert.EqualValues(t, 10, fav["discount_percent"])
	assert.Equal(t, []any{"peel"}, fav["item_ids"])
	assert.Equal(t, h.clock.Now().UTC().Format(time.RFC3339), fav["valid_from"])
	assert.NotContains(t, got, "come-back-15")

	// 90 days without a visit: come back at 15% off.
	h.clock.Advance(60 * 24 * time.Hour)
	c.anna = h.signIn("+79123456789", "+79123456789")
	got = byID(offers("ru"))
	require.Contains(t, got, "come-back-15")
	assert.Equal(t, "Скучаем по вам: −15% на любую процедуру", got["come-back-15"]["title"])
	assert.Equal(t, []any{}, got["come-back-15"]["item_ids"])

	// A day later: the same offer, given once — its window does not move.
	first := got["come-back-15"]["valid_from"]
	h.clock.Advance(24 * time.Hour)
	c.anna = h.signIn("+79123456789", "+79123456789")
	got = byID(offers("ru"))
	require.Contains(t, got, "come-back-15")
	assert.Equal(t, first, got["come-back-15"]["valid_from"], "given once: the window stays")
}

func TestEligibilityOverHTTP(t *testing.T) {
	c := newRecommendClinic(t)
	h := c.h
	answerHealth(t, h, c.boris, map[string]any{"contraindications": []string{"pregnancy"}})
	start := time.Date(2026, 11, 30, 11, 0, 0, 0, msk)

	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: c.boris.token, body: bookBody("A", start)})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	e := errorOf(t, r)
	assert.Equal(t, "not_eligible", e["code"])
	assert.Contains(t, e["reason"], "Эту процедуру нельзя записать онлайн")
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: c.boris.token, body: bookBody("A", start),
		header: map[string]string{"Accept-Language": "en"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	assert.Contains(t, errorOf(t, r)["reason"], "This procedure cannot be booked online: ", "in the page's language")

	// Anna has no contraindication: she books it.
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: c.anna.token, body: bookBody("A", start.Add(3*time.Hour))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)

	// Staff may book it for Boris with an override and a note.
	body := bookBody("A", start)
	body["client_id"], body["override"], body["note"] = c.boris.userID, true, "Согласовано с врачом"
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments", token: c.mgr.token, body: body})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	delete(body, "override")
	body["start"] = start.Add(4 * time.Hour).Format(time.RFC3339)
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments", token: c.mgr.token, body: body})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "without the override: %s", r.body)
}

func TestEligibilityWithTheHostsHook(t *testing.T) {
	// The host's hook asks for confirmation of every booking;
	// the cabinet's own check still refuses a peel in
	// pregnancy.
	h := newHarness(t, func(cfg *cabinet.Config) {
		cfg.Eligibility = booking.EligibilityFunc(func(_ context.Context, _ string, _ booking.Service) (booking.Verdict, error) {
			return booking.Verdict{Allowed: true, NeedsConfirmation: true, Reason: "Администратор подтвердит запись."}, nil
		})
	})
	h.seedClinic("")
	st := h.store
	peel, err := st.ServiceByID(t.Context(), "peel")
	require.NoError(t, err)
	peel.Tags = []string{"chemical_peel", "pregnancy"}
	require.NoError(t, st.UpsertService(t.Context(), peel))
	anna := h.signIn("+79123456789", "+79123456789")
	boris := h.signIn("+79123456780", "+79123456780")
	answerHealth(t, h, boris, map[string]any{"contraindications": []string{"pregnancy"}})
	start := time.Date(2026, 11, 30, 11, 0, 0, 0, msk)

	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: anna.token, body: bookBody("A", start)})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.Equal(t, "pending", r.json(t)["status"], "the host's verdict stands")
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: boris.token, body: bookBody("A", start.Add(3*time.Hour))})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	assert.Equal(t, "not_eligible", r.errCode(t))
}
