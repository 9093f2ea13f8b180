package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

const (
	myProfilePath  = "/api/v1/me/profile"
	myConsentsPath = "/api/v1/me/consents"
)

// profileWorld is a clinic with a client (anna) booked with specialist A
// (user doc) in branch b1, another client (boris), a specialist with no
// appointment with anna (doc2), managers of b1 and of b2, and the owner.
type profileWorld struct {
	h                                         *harness
	anna, boris, doc, doc2, mgr1, mgr2, owner signedIn
}

func newProfileWorld(t *testing.T) *profileWorld {
	t.Helper()
	h := newHarness(t)
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	w := &profileWorld{h: h, owner: h.signIn("owner@clinic.example", "owner@clinic.example")}
	staff := func(email, role, branch string) signedIn {
		r := h.do(req{method: "POST", path: "/api/v1/staff/users", token: w.owner.token,
			body: map[string]any{"identifier": email, "roles": []string{role}, "branch_ids": []string{branch}}})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		return h.signIn(email, email)
	}
	w.doc = staff("doc@clinic.example", "specialist", "b1")
	w.doc2 = staff("doc2@clinic.example", "specialist", "b1")
	w.mgr1 = staff("mgr1@clinic.example", "manager", "b1")
	w.mgr2 = staff("mgr2@clinic.example", "manager", "b2")
	h.seedClinic(w.doc.userID)
	require.NoError(t, h.store.UpsertBranch(t.Context(), booking.Branch{ID: "b2", Name: "На Невском", Address: "Санкт-Петербург, Невский, 1",
		TimeZone: "Europe/Moscow", Active: true}))
	w.anna = h.signIn("+79123456789", "+79123456789")
	w.boris = h.signIn("+79123456780", "+79123456780")
	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: w.anna.token, body: bookBody("A", mskTime(10, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	return w
}

func staffCard(clientID, part string) string { return "/api/v1/staff/clients/" + clientID + "/" + part }

func TestProfileOverHTTP(t *testing.T) {
	w := newProfileWorld(t)
	h, anna := w.h, w.anna

	// Never filled in: 200 with every answer empty.
	r := h.do(req{method: "GET", path: myProfilePath, token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, map[string]any{"name": "", "birth_date": nil, "gender": "", "locale": "", "preferred_branch_id": "",
		"skin_type": "", "phototype": nil, "concerns": nil, "allergies": nil, "contraindications": nil, "home_care": nil,
		"version": 0.0, "updated_at": nil, "updated_by": nil}, r.json(t))

	// Personal answers go in without a consent.
	r = h.do(req{method: "PUT", path: myProfilePath, token: anna.token, body: map[string]any{
		"name": "Анна Петрова", "birth_date": "1990-05-17", "gender": "female", "locale": "ru", "preferred_branch_id": "b1"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	p := r.json(t)
	assert.Equal(t, 1.0, p["version"])
	assert.Equal(t, "client", p["updated_by"])
	assert.Equal(t, "1990-05-17", p["birth_date"])
	assert.NotContains(t, p, "client_id", "a client's view does not repeat their ID")

	// Health answers need the health_data consent: 403 naming it, in both languages.
	health := map[string]any{"skin_type": "dry", "phototype": 2, "concerns": []any{map[string]any{"code": "acne", "severity": 2}},
		"allergies": []string{"пыльца"}, "contraindications": []string{}, "home_care": []string{"SPF 50"}}
	r = h.do(req{method: "PUT", path: myProfilePath, token: anna.token, body: health})
	require.Equal(t, http.StatusForbidden, r.StatusCode, "%s", r.body)
	assert.Equal(t, map[string]any{"code": "consent_required", "field": "consent:health_data",
		"message": "Сначала дайте согласие на обработку этих данных."}, errorOf(t, r))
	r = h.do(req{method: "PUT", path: myProfilePath, token: anna.token, body: health, header: map[string]string{"Accept-Language": "en"}})
	require.Equal(t, http.StatusForbidden, r.StatusCode)
	assert.Equal(t, "Please give your consent to processing this data first.", errorOf(t, r)["message"])

	r = h.do(req{method: "POST", path: myConsentsPath, token: anna.token, body: map[string]any{"type": "health_data", "granted": true, "text_version": "2026-01"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	c := r.json(t)
	assert.Equal(t, "cabinet", c["source"])
	assert.Equal(t, true, c["granted"])
	assert.Equal(t, "2026-01", c["text_version"])
	assert.NotEmpty(t, c["at"])

	r = h.do(req{method: "PUT", path: myProfilePath, token: anna.token, body: health})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	p = r.json(t)
	assert.Equal(t, 2.0, p["version"])
	assert.Equal(t, "Анна Петрова", p["name"], "absent fields stay")
	assert.Equal(t, []any{}, p["contraindications"], "[] is the answer none")
	assert.Equal(t, []any{map[string]any{"code": "acne", "severity": 2.0}}, p["concerns"])

	// null clears an answer; the rest stays.
	r = h.do(req{method: "PUT", path: myProfilePath, token: anna.token, raw: []byte(`{"home_care":null,"gender":null}`)})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	p = r.json(t)
	assert.Nil(t, p["home_care"])
	assert.Equal(t, "", p["gender"])
	assert.Equal(t, "dry", p["skin_type"])
	assert.Equal(t, 3.0, p["version"])

	// Malformed bodies are 400 with the field; bad values 422 with the field, in both languages.
	for _, tc := range []struct {
		name, body    string
		status        int
		code, field   string
		ruMsg, enMsg  string
		skipRequestOK bool
	}{
		{"unknown field", `{"name":"A","roles":["admin"]}`, 400, "unknown_field", "roles", "", "", true},
		{"wrong type", `{"phototype":"three"}`, 400, "wrong_type", "phototype", "", "", true},
		{"wrong type inside a concern", `{"concerns":[{"code":"acne","severity":"high"}]}`, 400, "wrong_type", "concerns.severity", "", "", true},
		{"unknown field inside a concern", `{"concerns":[{"code":"acne","severity":1,"note":"x"}]}`, 400, "unknown_field", "concerns.note", "", "", true},
		{"not JSON", `{"name":`, 400, "malformed_json", "", "", "", true},
		{"phototype out of range", `{"phototype":9}`, 422, "invalid_input", "phototype",
			"Фототип должен быть числом от 1 до 6.", "The phototype must be a number from 1 to 6.", true},
		{"unknown concern", `{"concerns":[{"code":"freckles","severity":1}]}`, 422, "invalid_input", "concerns[0].code",
			"Такой проблемы кожи нет в списке.", "Unknown skin concern: see the list of codes.", false},
		{"concern twice", `{"concerns":[{"code":"acne","severity":1},{"code":"acne","severity":3}]}`, 422, "invalid_input", "concerns[1].code",
			"Эта проблема кожи указана дважды.", "This skin concern is given twice.", false},
		{"birth date in the future", `{"birth_date":"2030-01-01"}`, 422, "invalid_input", "birth_date",
			"Дата рождения не может быть в будущем.", "The date of birth cannot be in the future.", false},
		{"birth date malformed", `{"birth_date":"17.05.1990"}`, 422, "invalid_input", "birth_date",
			"Дата рождения должна быть в формате ГГГГ-ММ-ДД.", "The date of birth must be a date YYYY-MM-DD.", true},
		{"unknown branch", `{"preferred_branch_id":"nope"}`, 422, "invalid_input", "preferred_branch_id", "Такого филиала нет.", "There is no such branch.", false},
		{"unknown contraindication", `{"contraindications":["flu"]}`, 422, "invalid_input", "contraindications[0]",
			"Такого противопоказания нет в списке.", "Unknown contraindication: see the list of codes.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"ru", "en"} {
				r := h.do(req{method: "PUT", path: myProfilePath, token: anna.token, raw: []byte(tc.body), invalid: tc.skipRequestOK,
					header: map[string]string{"Accept-Language": lang}})
				require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
				e := errorOf(t, r)
				assert.Equal(t, tc.code, e["code"])
				if tc.field != "" {
					assert.Equal(t, tc.field, e["field"])
				}
				if want := map[string]string{"ru": tc.ruMsg, "en": tc.enMsg}[lang]; want != "" {
					assert.Equal(t, want, e["message"], lang)
				}
				for _, answer := range []string{"freckles", `\"flu\"`, "17.05.1990"} {
					assert.NotContains(t, string(r.body), answer, "errors do not repeat the answers")
				}
			}
		})
	}

	// History: newest first, in pages.
	r = h.do(req{method: "GET", path: myProfilePath + "/history?limit=2", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	page := r.json(t)
	versions := page["versions"].([]any)
	require.Len(t, versions, 2)
	assert.Equal(t, 3.0, versions[0].(map[string]any)["version"])
	assert.Equal(t, "client", versions[0].(map[string]any)["by"])
	assert.Equal(t, "SPF 50", versions[1].(map[string]any)["profile"].(map[string]any)["home_care"].([]any)[0],
		"each version holds the whole questionnaire")
	assert.Equal(t, map[string]any{"before": 2.0}, page["next"])
	r = h.do(req{method: "GET", path: myProfilePath + "/history?limit=2&before=2", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	page = r.json(t)
	require.Len(t, page["versions"], 1)
	assert.NotContains(t, page, "next", "the last page")
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "before=0"} {
		r = h.do(req{method: "GET", path: myProfilePath + "/history?" + q, token: anna.token, invalid: true})
		assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, q)
	}

	// Withdrawn: the answers stay, new ones are refused.
	r = h.do(req{method: "POST", path: myConsentsPath, token: anna.token, body: map[string]any{"type": "health_data", "granted": false}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "PUT", path: myProfilePath, token: anna.token, body: map[string]any{"phototype": 3}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	r = h.do(req{method: "GET", path: myProfilePath, token: anna.token})
	assert.Equal(t, "dry", r.json(t)["skin_type"])
}

func TestConsentsOverHTTP(t *testing.T) {
	w := newProfileWorld(t)
	h, anna := w.h, w.anna

	r := h.do(req{method: "GET", path: myConsentsPath, token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	list := r.json(t)["consents"].([]any)
	require.Len(t, list, 4)
	assert.Equal(t, map[string]any{"type": "personal_data", "granted": false, "history": []any{}}, list[0])

	for _, body := range []map[string]any{
		{"type": "photos", "granted": true, "text_version": "v1"},
		{"type": "photos", "granted": false},
		{"type": "personal_data", "granted": true, "text_version": "v7"},
	} {
		r = h.do(req{method: "POST", path: myConsentsPath, token: anna.token, body: body})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	}
	// The front desk records the photo consent from a signed form.
	r = h.do(req{method: "POST", path: staffCard(anna.userID, "consents"), token: w.mgr1.token,
		body: map[string]any{"type": "photos", "granted": true, "text_version": "v2"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.Equal(t, "front_desk", r.json(t)["source"])
	assert.Equal(t, w.mgr1.userID, r.json(t)["recorded_by"])

	r = h.do(req{method: "GET", path: myConsentsPath, token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	list = r.json(t)["consents"].([]any)
	photos := list[2].(map[string]any)
	assert.Equal(t, "photos", photos["type"])
	assert.Equal(t, true, photos["granted"])
	assert.Equal(t, "front_desk", photos["source"])
	assert.Equal(t, "v2", photos["text_version"])
	history := photos["history"].([]any)
	require.Len(t, history, 3)
	assert.Equal(t, false, history[1].(map[string]any)["granted"], "newest first")
	assert.NotContains(t, history[0], "recorded_by", "not on the client's view")
	assert.Equal(t, true, list[0].(map[string]any)["granted"])

	for _, tc := range []struct {
		name, body, field, code string
		status                  int
	}{
		{"unknown type", `{"type":"cookies","granted":true,"text_version":"1"}`, "type", "invalid_input", 422},
		{"no granted", `{"type":"photos","text_version":"1"}`, "granted", "invalid_input", 422},
		{"no text version to give", `{"type":"photos","granted":true}`, "text_version", "invalid_input", 422},
		{"unknown field", `{"type":"photos","granted":true,"text_version":"1","at":"2020-01-01T00:00:00Z"}`, "at", "unknown_field", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(req{method: "POST", path: myConsentsPath, token: anna.token, raw: []byte(tc.body), invalid: true,
				header: map[string]string{"Accept-Language": "en"}})
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			e := errorOf(t, r)
			assert.Equal(t, tc.code, e["code"])
			assert.Equal(t, tc.field, e["field"])
		})
	}
	r = h.do(req{method: "POST", path: myConsentsPath, token: anna.token, raw: []byte(`{"type":"cookies","granted":true,"text_version":"1"}`), invalid: true})
	assert.Equal(t, "Тип согласия: допустимо personal_data, health_data, photos или marketing.", errorOf(t, r)["message"])
}

// TestProfileAuthorizationMatrix: every questionnaire and consent endpoint
// against every kind of caller. The owner uses /me; on the staff side a
// specialist sees only clients they have or had an appointment with, a
// manager the clients of their branches, an admin all; a client is not
// staff (403), and anybody else gets 404, so cards cannot be probed.
func TestProfileAuthorizationMatrix(t *testing.T) {
	w := newProfileWorld(t)
	h := w.h
	// Anna has answered, so that a leak would show.
	r := h.do(req{method: "PUT", path: myProfilePath, token: w.anna.token, body: map[string]any{"name": "Анна Петрова"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)

	type endpoint struct {
		method, path string
		body         any
		ok           int
	}
	me := []endpoint{
		{"GET", myProfilePath, nil, 200},
		{"PUT", myProfilePath, map[string]any{"gender": "female"}, 200},
		{"GET", myProfilePath + "/history", nil, 200},
		{"GET", myConsentsPath, nil, 200},
		{"POST", myConsentsPath, map[string]any{"type": "personal_data", "granted": true, "text_version": "v1"}, 201},
	}
	staff := []endpoint{
		{"GET", staffCard(w.anna.userID, "profile"), nil, 200},
		{"PUT", staffCard(w.anna.userID, "profile"), map[string]any{"locale": "ru"}, 200},
		{"GET", staffCard(w.anna.userID, "profile/history"), nil, 200},
		{"GET", staffCard(w.anna.userID, "consents"), nil, 200},
		{"POST", staffCard(w.anna.userID, "consents"), map[string]any{"type": "personal_data", "granted": true, "text_version": "v1"}, 201},
	}

	for _, tc := range []struct {
		name  string
		who   signedIn
		me    int // on /me routes: 0 is the endpoint's success
		staff int // on the staff routes for anna's card
	}{
		{"the owner", w.anna, 0, 403},
		{"another client", w.boris, 0, 403},
		{"a specialist with no appointment with her", w.doc2, 0, 404},
		{"the specialist she is booked with", w.doc, 0, 0},
		{"a manager of another branch", w.mgr2, 0, 404},
		{"a manager of her branch", w.mgr1, 0, 0},
		{"an admin", w.owner, 0, 0},
		{"nobody signed in", signedIn{}, 401, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, set := range []struct {
				eps  []endpoint
				want int
			}{{me, tc.me}, {staff, tc.staff}} {
				for _, ep := range set.eps {
					want := set.want
					if want == 0 {
						want = ep.ok
					}
					r := h.do(req{method: ep.method, path: ep.path, token: tc.who.token, body: ep.body})
					require.Equal(t, want, r.StatusCode, "%s %s: %s", ep.method, ep.path, r.body)
					if ep.path == myProfilePath && ep.method == "GET" && tc.who.userID != w.anna.userID {
						assert.NotContains(t, string(r.body), "Анна Петрова", "one's own card only")
					}
					if want == 404 {
						assert.Equal(t, "not_found", r.errCode(t))
					}
				}
			}
		})
	}
	// And a card that does not exist is 404 even for an admin.
	r = h.do(req{method: "GET", path: staffCard("ghost", "profile"), token: w.owner.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)

	// Staff reads are in the audit trail (who, whose, which part; never the
	// answers), and so are the refusals.
	r = h.do(req{method: "GET", path: "/api/v1/staff/audit?action=" + card.ActionCardViewed + "&subject=" + w.anna.userID, token: w.owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	seen := map[string][]string{}
	for _, e := range r.json(t)["entries"].([]any) {
		m := e.(map[string]any)
		seen[m["actor_id"].(string)] = append(seen[m["actor_id"].(string)], m["detail"].(string))
		assert.NotContains(t, fmt.Sprint(m), "Анна Петрова")
	}
	for _, who := range []signedIn{w.doc, w.mgr1, w.owner} {
		assert.ElementsMatch(t, []string{"profile", "profile history", "consents"}, seen[who.userID], "reads of %s", who.userID)
	}
	denied, err := h.store.ListAudit(t.Context(), auth.AuditFilter{Action: card.ActionCardDenied, Subject: w.anna.userID})
	require.NoError(t, err)
	deniedBy := map[string]bool{}
	for _, e := range denied {
		deniedBy[e.ActorID] = true
	}
	assert.Equal(t, map[string]bool{w.doc2.userID: true, w.mgr2.userID: true}, deniedBy)
	changed, err := h.store.ListAudit(t.Context(), auth.AuditFilter{Action: card.ActionCardChanged, Subject: w.anna.userID})
	require.NoError(t, err)
	assert.Len(t, changed, 6, "a questionnaire change and a consent by each of three")

	// The staff view says who changed what.
	r = h.do(req{method: "GET", path: staffCard(w.anna.userID, "profile/history"), token: w.owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	versions := r.json(t)["versions"].([]any)
	bys := map[string]int{}
	for _, v := range versions {
		m := v.(map[string]any)
		bys[m["by"].(string)]++
		assert.NotEmpty(t, m["changed_by"])
	}
	assert.Equal(t, map[string]int{"client": 2, "staff": 1}, bys, "the client's name and gender, staff's locale (the same locale again is no change)")
}

// TestProfileHealthByStaff: staff enter health answers only with the
// client's consent.
func TestProfileHealthByStaff(t *testing.T) {
	w := newProfileWorld(t)
	h := w.h
	path := staffCard(w.anna.userID, "profile")
	body := map[string]any{"skin_type": "sensitive", "contraindications": []string{"pregnancy"}}
	r := h.do(req{method: "PUT", path: path, token: w.doc.token, body: body})
	require.Equal(t, http.StatusForbidden, r.StatusCode, "%s", r.body)
	assert.Equal(t, "consent:health_data", errorOf(t, r)["field"])

	r = h.do(req{method: "POST", path: staffCard(w.anna.userID, "consents"), token: w.doc.token,
		body: map[string]any{"type": "health_data", "granted": true, "text_version": "paper-2026"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "PUT", path: path, token: w.doc.token, body: body})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	p := r.json(t)
	assert.Equal(t, "staff", p["updated_by"])
	assert.Equal(t, w.anna.userID, p["client_id"])

	r = h.do(req{method: "GET", path: myProfilePath, token: w.anna.token})
	assert.Equal(t, "sensitive", r.json(t)["skin_type"], "the client sees what staff entered")
	assert.Equal(t, "staff", r.json(t)["updated_by"])
}

// TestProfileConcurrentPuts: 20 PUTs at once are 20 versions, none lost.
func TestProfileConcurrentPuts(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	const n = 20
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			body, _ := json.Marshal(map[string]any{"name": fmt.Sprint("Анна ", i)})
			r, err := http.NewRequest("PUT", h.srv.URL+myProfilePath, bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+anna.token)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, http.StatusOK, statuses[i])
	}
	r := h.do(req{method: "GET", path: myProfilePath + "/history?limit=100", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	versions := r.json(t)["versions"].([]any)
	require.Len(t, versions, n)
	names := map[any]bool{}
	for _, v := range versions {
		names[v.(map[string]any)["profile"].(map[string]any)["name"]] = true
	}
	assert.Len(t, names, n)
	latest := h.do(req{method: "GET", path: myProfilePath, token: anna.token}).json(t)
	assert.Equal(t, float64(n), latest["version"])
	assert.Equal(t, versions[0].(map[string]any)["profile"].(map[string]any)["name"], latest["name"], "the latest version is the questionnaire")
}

// TestProfileLocaleForMessages: the language chosen in the questionnaire is
// the language of the client's messages.
func TestProfileLocaleForMessages(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	msgs := h.booked(anna.userID, "before")
	assert.Equal(t, "ru", msgs[0].Locale)
	r := h.do(req{method: "PUT", path: myProfilePath, token: anna.token, body: map[string]any{"locale": "en"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	h.clock.Advance(time.Minute)
	msgs = h.booked(anna.userID, "after")
	assert.Equal(t, "en", msgs[0].Locale)
}

// The consent texts are public, in both languages, with the version a
// grant sends back; a clinic's own replace the defaults.
func TestConsentTextsOverHTTP(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "GET", path: "/api/v1/consent-texts"})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	texts := r.json(t)["texts"].([]any)
	require.Len(t, texts, 4)
	var types []string
	for _, x := range texts {
		ct := x.(map[string]any)
		types = append(types, ct["type"].(string))
		assert.Equal(t, card.DefaultConsentTextVersion, ct["version"])
		assert.NotEmpty(t, ct["title"].(map[string]any)["ru"])
		assert.NotEmpty(t, ct["paragraphs"].([]any)[0].(map[string]any)["en"])
	}
	assert.Equal(t, []string{"personal_data", "health_data", "photos", "marketing"}, types, "in the order they are shown")

	own := newHarness(t, func(c *cabinet.Config) {
		c.Card.ConsentTexts = []card.ConsentText{{Type: card.ConsentPhotos, Version: "clinic-7",
			Title: card.Text{RU: "Фото", EN: "Photos"}, Paragraphs: []card.Text{{RU: "Текст юриста.", EN: "The lawyer's text."}}}}
	})
	texts = own.do(req{method: "GET", path: "/api/v1/consent-texts"}).json(t)["texts"].([]any)
	require.Len(t, texts, 1)
	assert.Equal(t, "clinic-7", texts[0].(map[string]any)["version"])
}
