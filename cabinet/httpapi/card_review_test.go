package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

func TestFavoritesOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h
	add := func(who signedIn, body map[string]any, invalid bool, header map[string]string) res {
		return h.do(req{method: "POST", path: "/api/v1/me/favorites", token: who.token, body: body, invalid: invalid, header: header})
	}

	addedAt := h.clock.Now().UTC().Format(time.RFC3339)
	r := add(c.anna, map[string]any{"kind": "service", "item_id": "peel"}, false, nil)
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	first := r.json(t)
	assert.Equal(t, map[string]any{"kind": "service", "item_id": "peel", "name": "Пилинг", "available": true,
		"added_at": addedAt}, first)
	h.clock.Advance(time.Minute)
	r = add(c.anna, map[string]any{"kind": "service", "item_id": "peel"}, false, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, "already there: %s", r.body)
	assert.Equal(t, first, r.json(t), "as first added")
	r = add(c.anna, map[string]any{"kind": "product", "item_id": "serum"}, false, nil)
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.Equal(t, "Derma Lab Vitamin C 15% Serum", r.json(t)["name"])

	for _, tc := range []struct {
		name    string
		body    map[string]any
		invalid bool
		lang    string
		status  int
		code    string
		field   string
		message string
	}{
		{"a product no longer offered", map[string]any{"kind": "product", "item_id": "toner"}, false, "",
			422, "invalid_input", "item_id", "Такого товара нет в каталоге."},
		{"a product no longer offered, in English", map[string]any{"kind": "product", "item_id": "toner"}, false, "en",
			422, "invalid_input", "item_id", "No such product in the catalog."},
		{"an unknown service", map[string]any{"kind": "service", "item_id": "botox"}, false, "",
			422, "invalid_input", "item_id", "Такой услуги нет."},
		{"an unknown kind", map[string]any{"kind": "specialist", "item_id": "A"}, true, "en",
			422, "invalid_input", "kind", `The kind is "service" or "product".`},
		{"an unknown field", map[string]any{"kind": "service", "item_id": "peel", "client_id": c.boris.userID}, true, "",
			400, "unknown_field", "client_id", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := add(c.anna, tc.body, tc.invalid, map[string]string{"Accept-Language": tc.lang})
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			e := errorOf(t, r)
			assert.Equal(t, tc.code, e["code"])
			if tc.field != "" {
				assert.Equal(t, tc.field, e["field"])
			} else {
				assert.NotContains(t, e, "field")
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, e["message"])
			}
		})
	}

	r = h.do(req{method: "GET", path: "/api/v1/me/favorites", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	list := r.json(t)
	assert.EqualValues(t, card.MaxFavorites, list["max"])
	favs := list["favorites"].([]any)
	require.Len(t, favs, 2)
	assert.Equal(t, "serum", favs[0].(map[string]any)["item_id"], "the latest first")
	assert.Empty(t, h.do(req{method: "GET", path: "/api/v1/me/favorites", token: c.boris.token}).json(t)["favorites"])

	// Staff who may see the card read them; others may not.
	for who, want := range map[string]int{"doc": 200, "mgr": 200, "admin": 200, "docFree": 404, "mgrOther": 404, "client2": 403, "anon": 401} {
		r := h.do(req{method: "GET", path: "/api/v1/staff/clients/" + c.anna.userID + "/favorites", token: c.byName[who].token})
		assert.Equal(t, want, r.StatusCode, "%s: %s", who, r.body)
	}

	del := func(who signedIn, kind, item string, invalid bool) res {
		return h.do(req{method: "DELETE", path: "/api/v1/me/favorites/" + kind + "/" + item, token: who.token, invalid: invalid})
	}
	assert.Equal(t, http.StatusNotFound, del(c.boris, "service", "peel", false).StatusCode, "not Boris's")
	assert.Equal(t, http.StatusNotFound, del(c.anna, "nothing", "peel", true).StatusCode)
	assert.Equal(t, http.StatusUnauthorized, del(signedIn{}, "service", "peel", false).StatusCode)
	r = del(c.anna, "product", "serum", false)
	assert.Equal(t, http.StatusNoContent, r.StatusCode, "%s", r.body)
	assert.Empty(t, r.body)
	assert.Equal(t, http.StatusNotFound, del(c.anna, "product", "serum", false).StatusCode, "gone")
	assert.Len(t, h.do(req{method: "GET", path: "/api/v1/me/favorites", token: c.anna.token}).json(t)["favorites"], 1)

	// The cap: 200 favourites, then 409.
	ctx := t.Context()
	for i := range card.MaxFavorites - 1 {
		id := fmt.Sprint("p-", i)
		_, err := h.store.UpsertProduct(ctx, card.Product{ID: id, Brand: "B", Name: id, Category: card.CategorySerum,
			Price: booking.Money{Amount: 100, Currency: "RUB"}, Active: true, CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now()})
		require.NoError(t, err)
		_, err = h.store.AddFavorite(ctx, card.Favorite{ClientID: c.anna.userID, Kind: card.FavoriteProduct, ItemID: id,
			CreatedAt: h.clock.Now()}, card.MaxFavorites)
		require.NoError(t, err)
	}
	r = add(c.anna, map[string]any{"kind": "product", "item_id": "serum"}, false, nil)
	require.Equal(t, http.StatusConflict, r.StatusCode, "%s", r.body)
	assert.Equal(t, "favorites_full", errorOf(t, r)["code"])
	assert.Equal(t, "В избранном уже 200 позиций: сначала уберите что-нибудь.", errorOf(t, r)["message"])
	r = add(c.anna, map[string]any{"kind": "product", "item_id": "serum"}, false, map[string]string{"Accept-Language": "en"})
	assert.Equal(t, "You already keep 200 favourites: remove one first.", errorOf(t, r)["message"])
	r = add(c.anna, map[string]any{"kind": "service", "item_id": "peel"}, false, nil)
	assert.Equal(t, http.StatusOK, r.StatusCode, "one already kept is fine at the cap")
}

func TestReviewsOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h
	write := func(who signedIn, body map[string]any, invalid bool, lang string) res {
		return h.do(req{method: "POST", path: "/api/v1/me/reviews", token: who.token, body: body, invalid: invalid,
			header: map[string]string{"Accept-Language": lang}})
	}
	moderate := func(who signedIn, id string, body map[string]any) res {
		return h.do(req{method: "POST", path: "/api/v1/staff/reviews/" + id + "/moderate", token: who.token, body: body})
	}
	public := func(query, lang string) res {
		r := h.do(req{method: "GET", path: "/api/v1/reviews" + query, header: map[string]string{"Accept-Language": lang}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		return r
	}

	// What Anna may review: her completed visit.
	r := h.do(req{method: "GET", path: "/api/v1/me/reviews", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	mine := r.json(t)
	assert.Empty(t, mine["reviews"])
	require.Len(t, mine["reviewable"], 1)
	assert.Equal(t, map[string]any{"appointment_id": c.visitID, "start": "2026-11-20T10:00:00+03:00", "service_id": "peel",
		"service_name": "Пилинг", "specialist_id": "A", "specialist_name": "Анна", "branch_id": "b1", "branch_name": "На Тверской"},
		mine["reviewable"].([]any)[0])

	// An upcoming visit cannot be reviewed yet.
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: c.anna.token, body: bookBody("A", mskTime(10, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	upcoming := r.json(t)["id"].(string)

	for _, tc := range []struct {
		name    string
		who     signedIn
		body    map[string]any
		invalid bool
		lang    string
		status  int
		code    string
		field   string
		message string
	}{
		{"no stars", c.anna, map[string]any{"appointment_id": c.visitID, "rating": 0}, true, "",
			422, "invalid_input", "rating", "Оценка — от 1 до 5 звёзд."},
		{"no stars, in English", c.anna, map[string]any{"appointment_id": c.visitID, "rating": 0}, true, "en",
			422, "invalid_input", "rating", "The rating is from 1 to 5 stars."},
		{"a control character", c.anna, map[string]any{"appointment_id": c.visitID, "rating": 5, "text": "ok\u0007"}, false, "",
			422, "invalid_input", "text", "Текст: недопустимые символы."},
		{"not yet visited", c.anna, map[string]any{"appointment_id": upcoming, "rating": 5}, false, "en",
			422, "invalid_input", "appointment_id", "You can review a visit once it has taken place."},
		{"another client's visit", c.boris, map[string]any{"appointment_id": c.visitID, "rating": 5}, false, "",
			404, "not_found", "", ""},
		{"no such visit", c.anna, map[string]any{"appointment_id": "nope", "rating": 5}, false, "",
			404, "not_found", "", ""},
		{"a field to ride along", c.anna, map[string]any{"appointment_id": c.visitID, "rating": 5, "status": "published"}, true, "",
			400, "unknown_field", "status", ""},
		{"not signed in", signedIn{}, map[string]any{"appointment_id": c.visitID, "rating": 5}, false, "",
			401, "unauthenticated", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := write(tc.who, tc.body, tc.invalid, tc.lang)
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			e := errorOf(t, r)
			assert.Equal(t, tc.code, e["code"])
			if tc.field != "" {
				assert.Equal(t, tc.field, e["field"])
			} else {
				assert.NotContains(t, e, "field")
			}
			if tc.message != "" {
				assert.Equal(t, tc.message, e["message"])
			}
		})
	}

	// Written: pending, shown as "Client" while the questionnaire has no name.
	written := h.clock.Now().UTC()
	r = write(c.anna, map[string]any{"appointment_id": c.visitID, "rating": 5, "text": "Кожа сияет.\nСпасибо Анне!"}, false, "")
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	rv := r.json(t)
	id := rv["id"].(string)
	assert.Equal(t, "pending", rv["status"])
	assert.Equal(t, "Клиент", rv["author"])
	assert.Equal(t, "Кожа сияет.\nСпасибо Анне!", rv["text"])
	assert.Equal(t, c.visitID, rv["appointment_id"])
	assert.Equal(t, "2026-11-20T10:00:00+03:00", rv["visit_at"])
	assert.Equal(t, written.AddDate(0, 0, 14).Format(time.RFC3339), rv["editable_until"])
	assert.Equal(t, true, rv["editable"])
	assert.Nil(t, rv["client_id"], "the own view does not repeat the client")
	assert.Empty(t, h.do(req{method: "GET", path: "/api/v1/me/reviews", token: c.anna.token}).json(t)["reviewable"])

	r = write(c.anna, map[string]any{"appointment_id": c.visitID, "rating": 1, "text": "ещё раз"}, false, "")
	require.Equal(t, http.StatusConflict, r.StatusCode, "%s", r.body)
	assert.Equal(t, "already_reviewed", errorOf(t, r)["code"])
	assert.Equal(t, "Отзыв об этом визите уже есть: его можно изменить.", errorOf(t, r)["message"])

	// Not public until published.
	empty := public("?specialist_id=A", "").json(t)
	assert.Empty(t, empty["reviews"])
	assert.Equal(t, map[string]any{"count": 0.0, "average": 0.0,
		"ratings": map[string]any{"1": 0.0, "2": 0.0, "3": 0.0, "4": 0.0, "5": 0.0}}, empty["summary"])

	// The moderation queue.
	queue := func(who, query string) res {
		return h.do(req{method: "GET", path: "/api/v1/staff/reviews" + query, token: c.byName[who].token})
	}
	for _, tc := range []struct {
		who, query string
		status, n  int
	}{
		{"mgr", "?status=pending", 200, 1},
		{"admin", "?status=pending&branch_id=b1", 200, 1},
		{"admin", "?status=published", 200, 0},
		{"doc", "", 200, 1},
		{"docFree", "", 200, 0},
		{"mgrOther", "", 200, 0},
		{"mgrOther", "?branch_id=b1", 403, 0},
		{"owner", "", 403, 0},
		{"anon", "", 401, 0},
	} {
		r := queue(tc.who, tc.query)
		require.Equal(t, tc.status, r.StatusCode, "%s %s: %s", tc.who, tc.query, r.body)
		if tc.status == 200 {
			assert.Len(t, r.json(t)["reviews"], tc.n, "%s %s", tc.who, tc.query)
		}
	}
	staffView := queue("mgr", "?status=pending").json(t)["reviews"].([]any)[0].(map[string]any)
	assert.Equal(t, c.anna.userID, staffView["client_id"], "staff see whose it is")
	r = h.do(req{method: "GET", path: "/api/v1/staff/reviews?status=hidden", token: c.mgr.token, invalid: true})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	assert.Equal(t, "status", errorOf(t, r)["field"])
	r = h.do(req{method: "GET", path: "/api/v1/staff/reviews?limit=many", token: c.mgr.token, invalid: true})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "%s", r.body)

	// Moderation: managers of the branch and admins only.
	publish := map[string]any{"status": "published", "reply": "Спасибо, Анна, ждём вас снова!", "version": 1}
	for who, want := range map[string]int{"doc": 403, "docFree": 404, "mgrOther": 404, "owner": 403, "anon": 401} {
		r := moderate(c.byName[who], id, publish)
		assert.Equal(t, want, r.StatusCode, "%s: %s", who, r.body)
	}
	r = moderate(c.mgr, "nope", publish)
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	r = h.do(req{method: "POST", path: "/api/v1/staff/reviews/" + id + "/moderate", token: c.mgr.token, invalid: true,
		body: map[string]any{"status": "pending"}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	r = moderate(c.mgr, id, map[string]any{"status": "published", "version": 5})
	require.Equal(t, http.StatusConflict, r.StatusCode, "%s", r.body)
	assert.Equal(t, "review_changed", errorOf(t, r)["code"])

	moderated := h.clock.Now().UTC().Format(time.RFC3339)
	r = moderate(c.mgr, id, publish)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	rv = r.json(t)
	assert.Equal(t, "published", rv["status"])
	assert.Equal(t, c.mgr.userID, rv["moderated_by"])
	assert.Equal(t, map[string]any{"text": "Спасибо, Анна, ждём вас снова!", "at": moderated, "by": c.mgr.userID}, rv["reply"])
	hist := rv["history"].([]any)
	require.Len(t, hist, 2)
	assert.Equal(t, map[string]any{"action": "moderated", "from": "pending", "to": "published", "reply": "Спасибо, Анна, ждём вас снова!",
		"by": c.mgr.userID, "by_staff": true, "at": moderated}, hist[1])
	changed, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: c.mgr.userID, Action: "card.changed", Subject: c.anna.userID})
	require.NoError(t, err)
	assert.NotEmpty(t, changed, "the moderation is in the audit trail")

	// Public: published only, first name only, no IDs of people or contacts.
	for _, q := range []string{"?specialist_id=A", "?service_id=peel", "?specialist_id=A&service_id=peel", ""} {
		pub := public(q, "en")
		page := pub.json(t)
		list := page["reviews"].([]any)
		require.Len(t, list, 1, q)
		item := list[0].(map[string]any)
		assert.Equal(t, "Client", item["author"], "no name in the questionnaire; in the reader's language")
		assert.Equal(t, 5.0, item["rating"])
		assert.Equal(t, "Анна", item["specialist_name"])
		for _, key := range []string{"client_id", "appointment_id", "status", "moderated_by", "version", "visit_at"} {
			assert.NotContains(t, item, key, q)
		}
		assert.NotContains(t, item["reply"], "by")
		assert.NotContains(t, string(pub.body), c.anna.userID)
		assert.NotContains(t, string(pub.body), c.mgr.userID)
		assert.NotContains(t, string(pub.body), "79123456789")
		assert.Equal(t, map[string]any{"count": 1.0, "average": 5.0,
			"ratings": map[string]any{"1": 0.0, "2": 0.0, "3": 0.0, "4": 0.0, "5": 1.0}}, page["summary"])
	}
	assert.Empty(t, public("?specialist_id=B", "").json(t)["reviews"])
	r = h.do(req{method: "GET", path: "/api/v1/reviews?service_id=nope"})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	r = h.do(req{method: "GET", path: "/api/v1/reviews?limit=101"})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, "limit", errorOf(t, r)["field"])
	r = h.do(req{method: "GET", path: "/api/v1/reviews?offset=x", invalid: true})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)

	// Anna names herself and changes the review: pending again, her first name shown.
	r = h.do(req{method: "PUT", path: "/api/v1/me/profile", token: c.anna.token, body: map[string]any{"name": "Петрова Анна Сергеевна"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	edit := func(who signedIn, rid string, body map[string]any, invalid bool, lang string) res {
		return h.do(req{method: "PATCH", path: "/api/v1/me/reviews/" + rid, token: who.token, body: body, invalid: invalid,
			header: map[string]string{"Accept-Language": lang}})
	}
	assert.Equal(t, http.StatusNotFound, edit(c.boris, id, map[string]any{"rating": 1}, false, "").StatusCode, "not Boris's")
	assert.Equal(t, http.StatusNotFound, edit(c.anna, "nope", map[string]any{"rating": 1}, false, "").StatusCode)
	r = edit(c.anna, id, map[string]any{"rating": 4, "client_id": "x"}, true, "")
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)
	r = edit(c.anna, id, map[string]any{"text": "\u202eплохо"}, false, "en")
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	assert.Equal(t, "The text contains characters that are not allowed.", errorOf(t, r)["message"])

	h.clock.Advance(time.Hour)
	r = edit(c.anna, id, map[string]any{"rating": 4}, false, "")
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	rv = r.json(t)
	assert.Equal(t, "pending", rv["status"])
	assert.Equal(t, 4.0, rv["rating"])
	assert.Equal(t, "Кожа сияет.\nСпасибо Анне!", rv["text"], "the text stays")
	assert.Equal(t, "Анна", rv["author"], "the first name, not the surname")
	assert.Equal(t, h.clock.Now().UTC().Format(time.RFC3339), rv["edited_at"])
	assert.EqualValues(t, 3, rv["version"])
	assert.Equal(t, "Спасибо, Анна, ждём вас снова!", rv["reply"].(map[string]any)["text"], "the reply stays")
	assert.Empty(t, public("?specialist_id=A", "").json(t)["reviews"], "pending again: not public")

	// Published again by an admin (staff sessions last 12 hours: still fine).
	r = moderate(c.owner, id, map[string]any{"status": "published"})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	item := public("?specialist_id=A", "").json(t)["reviews"].([]any)[0].(map[string]any)
	assert.Equal(t, "Анна", item["author"])
	assert.Equal(t, 4.0, item["rating"])
	r = h.do(req{method: "GET", path: "/api/v1/staff/reviews/" + id, token: c.doc.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Len(t, r.json(t)["history"], 4, "written, moderated, edited, moderated")
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/staff/reviews/" + id, token: c.mgrOther.token}).StatusCode)
	assert.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/staff/reviews/" + id, token: c.anna.token}).StatusCode)

	// Fourteen days after writing it, the review is final.
	h.clock.Advance(14 * 24 * time.Hour)
	anna := h.signIn("+79123456789", "+79123456789")
	r = edit(anna, id, map[string]any{"text": "передумала"}, false, "")
	require.Equal(t, http.StatusConflict, r.StatusCode, "%s", r.body)
	assert.Equal(t, "review_locked", errorOf(t, r)["code"])
	assert.Equal(t, "Отзыв можно изменить только в течение 14 дней после того, как он написан.", errorOf(t, r)["message"])
	r = edit(anna, id, map[string]any{"text": "передумала"}, false, "en")
	assert.Equal(t, "A review can be changed only within 14 days after it was written.", errorOf(t, r)["message"])
	own := h.do(req{method: "GET", path: "/api/v1/me/reviews", token: anna.token}).json(t)["reviews"].([]any)[0].(map[string]any)
	assert.Equal(t, false, own["editable"])
}

// A client presses "send" twenty times at once: one review is stored.
func TestReviewRaceOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	const n = 20
	statuses := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			statuses <- c.h.do(req{method: "POST", path: "/api/v1/me/reviews", token: c.anna.token,
				body: map[string]any{"appointment_id": c.visitID, "rating": 1 + i%5, "text": fmt.Sprint("отзыв ", i)}}).StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, counts)
	r := c.h.do(req{method: "GET", path: "/api/v1/me/reviews", token: c.anna.token})
	assert.Len(t, r.json(t)["reviews"], 1)
}

// The favourite, review and moderation bodies never make a 5xx or an answer
// without the error body, whatever they hold.
func FuzzReviewBodies(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"service","item_id":"peel"}`, `{"kind":"product","item_id":"` + strings.Repeat("x", 100) + `"}`,
		`{"appointment_id":"visit-1","rating":5,"text":"ok"}`, `{"rating":9223372036854775807}`, `{"rating":1.5}`,
		`{"text":"\u202e\u0000"}`, `{"rating":null,"text":null}`, `{"status":"published","reply":null,"version":-1}`,
		`{"status":"rejected","reply":"` + strings.Repeat("я", 1001) + `","version":1}`, `{`, `null`, `[]`, `"x"`, `{}`,
	} {
		f.Add(seed)
	}
	st, err := sqlite.Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.WithSynchronous(sqlite.SynchronousNormal))
	require.NoError(f, err)
	f.Cleanup(func() { _ = st.Close() })
	outbox := notify.NewDevOutbox(10, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("f"), 32), SMS: outbox, Mail: outbox})
	require.NoError(f, err)
	ctx := f.Context()
	signIn := func(identifier string) auth.SignIn {
		tk, err := cab.Auth().RequestCode(ctx, auth.CodeRequest{Identifier: identifier})
		require.NoError(f, err)
		m, ok := outbox.Last(identifier)
		require.True(f, ok)
		in, err := cab.Auth().Verify(ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: codeRE.FindString(m.Body)})
		require.NoError(f, err)
		return in
	}
	_, err = cab.Auth().Bootstrap(ctx, "owner@clinic.example")
	require.NoError(f, err)
	admin, client := signIn("owner@clinic.example"), signIn("+79123456789")
	require.NoError(f, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "Центр", TimeZone: "Europe/Moscow", Active: true}))
	require.NoError(f, st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Пилинг", Duration: time.Hour,
		BranchIDs: []string{"b1"}, Active: true, Price: booking.Money{Amount: 100, Currency: "RUB"}}))
	require.NoError(f, st.UpsertSpecialist(ctx, booking.Specialist{ID: "A", Name: "Анна", BranchIDs: []string{"b1"},
		Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true}))
	start := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	for _, id := range []string{"visit-1", "visit-2"} {
		a := booking.Appointment{ID: id, ClientID: client.User.ID, BranchID: "b1", ServiceID: "peel", SpecialistID: "A",
			Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour), Status: booking.StatusCompleted,
			Price: booking.Money{Amount: 100, Currency: "RUB"}, CreatedBy: client.User.ID, CreatedAt: start, UpdatedAt: start}
		_, _, err = st.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked, At: start})
		require.NoError(f, err)
		start = start.Add(2 * time.Hour)
	}
	rv, err := cab.Card().WriteReview(ctx, card.Actor{UserID: client.User.ID, Role: booking.RoleClient},
		card.ReviewInput{AppointmentID: "visit-2", Rating: 5})
	require.NoError(f, err)
	handler := cab.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, tc := range []struct{ method, path, token string }{
			{"POST", "/api/v1/me/favorites", client.Token},
			{"POST", "/api/v1/me/reviews", client.Token},
			{"PATCH", "/api/v1/me/reviews/" + rv.ID, client.Token},
			{"POST", "/api/v1/staff/reviews/" + rv.ID + "/moderate", admin.Token},
		} {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+tc.token)
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %q → %d %s", tc.path, body, w.Code, w.Body)
			}
			if w.Code >= 400 && !strings.Contains(w.Body.String(), `"error":{"code":`) {
				t.Fatalf("%s %q → %d without the error body: %s", tc.path, body, w.Code, w.Body)
			}
		}
	})
}
