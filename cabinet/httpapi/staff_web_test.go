package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The staff pages' reads (staff_web_handlers.go): the specialist record in
// /me and the session, the schedule with names, agenda rights, one
// appointment with what may be done, the client search, the overview and
// client names — each tried by everyone who may or may not see the client.

// staffWebWorld is newProfileWorld with names, a second appointment (boris
// with specialist B) and a client nobody has seen (carol).
type staffWebWorld struct {
	*profileWorld
	carol             signedIn
	annaAppt, borAppt string
}

func newStaffWebWorld(t *testing.T) *staffWebWorld {
	t.Helper()
	w := &staffWebWorld{profileWorld: newProfileWorld(t)}
	h := w.h
	for _, c := range []struct {
		who  signedIn
		name string
	}{{w.anna, "Анна Петрова"}, {w.boris, "Борис Ёлкин"}} {
		r := h.do(req{method: "PUT", path: myProfilePath, token: c.who.token, body: map[string]any{"name": c.name}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	}
	r := h.do(req{method: "GET", path: "/api/v1/me/appointments", token: w.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	w.annaAppt = r.json(t)["appointments"].([]any)[0].(map[string]any)["id"].(string)
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: w.boris.token, body: bookBody("B", mskTime(11, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	w.borAppt = r.json(t)["id"].(string)
	w.carol = h.signIn("carol@example.com", "carol@example.com")
	return w
}

func TestStaffMeNamesTheSpecialist(t *testing.T) {
	w := newStaffWebWorld(t)
	h := w.h
	r := h.do(req{method: "GET", path: "/api/v1/me", token: w.doc.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "A", r.json(t)["specialist_id"])
	r = h.do(req{method: "GET", path: "/api/v1/auth/session", token: w.doc.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "A", r.json(t)["specialist_id"])
	for _, who := range []signedIn{w.anna, w.mgr1, w.doc2} {
		r = h.do(req{method: "GET", path: "/api/v1/me", token: who.token})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		assert.NotContains(t, r.json(t), "specialist_id")
	}
}

func TestStaffScheduleOverHTTP(t *testing.T) {
	w := newStaffWebWorld(t)
	h := w.h
	day := "2026-11-30"
	schedule := func(who signedIn, query string) res {
		t.Helper()
		return h.do(req{method: "GET", path: "/api/v1/staff/schedule" + query, token: who.token})
	}
	ids := func(r res) []string {
		t.Helper()
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		out := []string{}
		for _, a := range r.json(t)["appointments"].([]any) {
			out = append(out, a.(map[string]any)["id"].(string))
		}
		return out
	}

	// The specialist's own day by default, with names.
	r := schedule(w.doc, "?from="+day)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	doc := r.json(t)
	assert.Equal(t, "specialist", doc["scope"])
	assert.Equal(t, "A", doc["specialist_id"])
	assert.Equal(t, "Europe/Moscow", doc["time_zone"])
	assert.Equal(t, day, doc["from"])
	appts := doc["appointments"].([]any)
	require.Len(t, appts, 1)
	a := appts[0].(map[string]any)
	assert.Equal(t, w.annaAppt, a["id"])
	assert.Equal(t, "Пилинг", a["service_name"])
	assert.Equal(t, "Анна", a["specialist_name"])
	assert.Equal(t, "На Тверской", a["branch_name"])
	assert.Equal(t, "Анна Петрова", a["client_name"])
	assert.Equal(t, w.anna.userID, a["client_id"])

	// Without from: today in the branch's zone (the harness's clock: 25 November).
	r = schedule(w.doc, "")
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "2026-11-25", r.json(t)["from"])
	assert.Empty(t, r.json(t)["appointments"])
	assert.Len(t, ids(schedule(w.doc, "?from=2026-11-29&days=7")), 1, "the week")

	// Agenda rights are the same whichever way the specialist asks: by the
	// branch they see their own appointments only, a colleague's day is 403.
	assert.Equal(t, []string{w.annaAppt}, ids(schedule(w.doc, "?branch_id=b1&from="+day)))
	r = h.do(req{method: "GET", path: "/api/v1/staff/agenda?branch_id=b1&from=" + day, token: w.doc.token})
	assert.Equal(t, []string{w.annaAppt}, ids(r))
	r = schedule(w.doc, "?branch_id=b1&from="+day)
	sps := r.json(t)["specialists"].([]any)
	require.Len(t, sps, 1, "a specialist's view of the branch is their own column")
	assert.Equal(t, "A", sps[0].(map[string]any)["id"])
	assert.Equal(t, http.StatusForbidden, schedule(w.doc, "?specialist_id=B&from="+day).StatusCode)
	assert.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/staff/agenda?specialist_id=B&from=" + day, token: w.doc.token}).StatusCode)
	// A specialist with no schedule of their own: their branch, where they have nothing.
	r = schedule(w.doc2, "?from="+day)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "branch", r.json(t)["scope"])
	assert.Empty(t, r.json(t)["appointments"])
	assert.Empty(t, r.json(t)["specialists"])

	// The manager's branch day across specialists, every client named.
	r = schedule(w.mgr1, "?from="+day)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	m := r.json(t)
	assert.Equal(t, "branch", m["scope"])
	assert.Equal(t, "b1", m["branch_id"])
	assert.Len(t, m["specialists"], 2)
	names := map[string]any{}
	for _, x := range m["appointments"].([]any) {
		names[x.(map[string]any)["id"].(string)] = x.(map[string]any)["client_name"]
	}
	assert.Equal(t, map[string]any{w.annaAppt: "Анна Петрова", w.borAppt: "Борис Ёлкин"}, names)
	assert.ElementsMatch(t, []string{w.borAppt}, ids(schedule(w.mgr1, "?specialist_id=B&from="+day)))
	// Another branch's manager: not theirs.
	assert.Equal(t, http.StatusForbidden, schedule(w.mgr2, "?branch_id=b1&from="+day).StatusCode)
	// The owner: a branch by default (the first), any branch on asking.
	r = schedule(w.owner, "?from="+day)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "branch", r.json(t)["scope"])
	assert.Len(t, ids(schedule(w.owner, "?branch_id=b1&from="+day)), 2)

	// Clients and bad input.
	assert.Equal(t, http.StatusForbidden, schedule(w.anna, "").StatusCode)
	assert.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/staff/schedule"}).StatusCode)
	assert.Equal(t, http.StatusUnprocessableEntity, h.do(req{method: "GET", path: "/api/v1/staff/schedule?days=40", token: w.doc.token, invalid: true}).StatusCode)
	assert.Equal(t, http.StatusBadRequest, h.do(req{method: "GET", path: "/api/v1/staff/schedule?from=30.11.2026", token: w.doc.token, invalid: true}).StatusCode)
}

func TestStaffAppointmentDetailsOverHTTP(t *testing.T) {
	w := newStaffWebWorld(t)
	h := w.h
	details := func(who signedIn, id string) res {
		t.Helper()
		return h.do(req{method: "GET", path: "/api/v1/staff/appointments/" + id + "/details", token: who.token})
	}
	may := func(r res) map[string]any {
		t.Helper()
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		return r.json(t)["may"].(map[string]any)
	}
	// Before the visit: nothing to mark yet; the manager may cancel.
	r := details(w.doc, w.annaAppt)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	a := r.json(t)["appointment"].(map[string]any)
	assert.Equal(t, "Анна Петрова", a["client_name"])
	assert.Equal(t, "Europe/Moscow", r.json(t)["time_zone"])
	assert.Equal(t, map[string]any{"confirm": false, "complete": false, "no_show": false, "cancel": false, "write_note": false, "open_client": true}, may(r))
	assert.Equal(t, map[string]any{"confirm": false, "complete": false, "no_show": false, "cancel": true, "write_note": false, "open_client": true}, may(details(w.mgr1, w.annaAppt)))
	// A colleague's appointment in the same branch is not the specialist's
	// to open (as in the agenda): its client's note is not for him.
	r = details(w.doc, w.borAppt)
	require.Equal(t, http.StatusNotFound, r.StatusCode, "%s", r.body)
	assert.NotContains(t, string(r.body), "note")
	assert.Equal(t, http.StatusNotFound, details(w.mgr2, w.annaAppt).StatusCode)
	assert.Equal(t, http.StatusForbidden, details(w.anna, w.annaAppt).StatusCode)

	// Once it has started, the specialist may complete it, then write the note.
	h.clock.Advance(mskTime(10, 5).Sub(h.clock.Now()))
	w.doc = h.signIn("doc@clinic.example", "doc@clinic.example")
	assert.Equal(t, map[string]any{"confirm": false, "complete": true, "no_show": true, "cancel": false, "write_note": false, "open_client": true}, may(details(w.doc, w.annaAppt)))
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + w.annaAppt + "/complete", token: w.doc.token, body: map[string]any{"notes": "служебное"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/appointments/" + w.annaAppt + "/visit-note", token: w.doc.token, body: map[string]any{
		"notes": "Кожа спокойная", "recommendations": []any{map[string]any{"kind": "home_care", "text": "SPF 50 каждый день"}}}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	r = details(w.doc, w.annaAppt)
	assert.Equal(t, map[string]any{"confirm": false, "complete": false, "no_show": false, "cancel": false, "write_note": true, "open_client": true}, may(r))
	note := r.json(t)["visit_note"].(map[string]any)
	assert.Equal(t, "Кожа спокойная", note["notes"])
	assert.Equal(t, []any{map[string]any{"kind": "home_care", "text": "SPF 50 каждый день"}}, note["recommendations"])
	assert.Equal(t, "служебное", r.json(t)["appointment"].(map[string]any)["staff_notes"])
}

func TestStaffClientSearchOverHTTP(t *testing.T) {
	w := newStaffWebWorld(t)
	h := w.h
	search := func(who signedIn, q string) res {
		t.Helper()
		return h.do(req{method: "GET", path: "/api/v1/staff/clients?q=" + url.QueryEscape(q), token: who.token})
	}
	found := func(r res) []string {
		t.Helper()
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		out := []string{}
		for _, c := range r.json(t)["clients"].([]any) {
			out = append(out, c.(map[string]any)["id"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		who  signedIn
		q    string
		want []string
	}{
		{"manager, the phone as typed", w.mgr1, "+7 (912) 345-67-89", []string{w.anna.userID}},
		{"manager, a Russian 8", w.mgr1, "89123456789", []string{w.anna.userID}},
		{"manager, the last digits", w.mgr1, "6789", []string{w.anna.userID}},
		{"manager, digits both share", w.mgr1, "912345678", []string{w.anna.userID, w.boris.userID}},
		{"manager, a name, any case, ё as е", w.mgr1, "ЕЛК", []string{w.boris.userID}},
		{"manager, first and last name", w.mgr1, "анна пет", []string{w.anna.userID}},
		{"manager, a client never in the branch", w.mgr1, "carol@", []string{}},
		{"manager of another branch", w.mgr2, "+79123456789", []string{}},
		{"specialist, their client", w.doc, "+79123456789", []string{w.anna.userID}},
		{"specialist, a colleague's client", w.doc, "+79123456780", []string{}},
		{"specialist with no clients", w.doc2, "анна", []string{}},
		{"admin, anyone", w.owner, "CAROL@example.com", []string{w.carol.userID}},
		{"admin, part of a name", w.owner, "Бор", []string{w.boris.userID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, found(search(tc.who, tc.q)))
		})
	}
	r := search(w.mgr1, "+79123456789")
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, []any{map[string]any{"id": w.anna.userID, "name": "Анна Петрова", "phone": "+79123456789", "email": nil}}, r.json(t)["clients"])

	// Every client shown is on the audit trail, as a search.
	r = h.do(req{method: "GET", path: "/api/v1/staff/audit?action=card.searched&subject=" + w.anna.userID, token: w.owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	actors := map[any]bool{}
	for _, e := range r.json(t)["entries"].([]any) {
		actors[e.(map[string]any)["actor_id"]] = true
	}
	assert.True(t, actors[w.mgr1.userID] && actors[w.doc.userID], "%v", actors)
	r = h.do(req{method: "GET", path: "/api/v1/staff/audit?action=card.searched&actor_id=" + w.mgr2.userID, token: w.owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	require.NotEmpty(t, r.json(t)["entries"], "a search that found nobody is recorded too")
	assert.NotContains(t, string(r.body), "912", "the query is not recorded")

	// Bad queries and callers.
	for _, q := range []string{"", "a", "12"} {
		r := h.do(req{method: "GET", path: "/api/v1/staff/clients?q=" + q, token: w.mgr1.token, invalid: true})
		assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%q: %s", q, r.body)
	}
	assert.Equal(t, http.StatusForbidden, search(w.anna, "+79123456780").StatusCode)
	assert.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/staff/clients?q=anna"}).StatusCode)
}

func TestStaffClientOverviewAndNamesOverHTTP(t *testing.T) {
	w := newStaffWebWorld(t)
	h := w.h
	overview := func(who signedIn, id string) res {
		t.Helper()
		return h.do(req{method: "GET", path: staffCard(id, "overview"), token: who.token})
	}
	r := overview(w.doc, w.anna.userID)
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, map[string]any{"id": w.anna.userID, "name": "Анна Петрова", "phone": "+79123456789", "email": nil}, r.json(t)["client"])
	appts := r.json(t)["appointments"].([]any)
	require.Len(t, appts, 1)
	assert.Equal(t, "Пилинг", appts[0].(map[string]any)["service_name"])

	// On the audit trail as a read of the card.
	r = h.do(req{method: "GET", path: "/api/v1/staff/audit?action=card.viewed&subject=" + w.anna.userID + "&actor_id=" + w.doc.userID, token: w.owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	require.NotEmpty(t, r.json(t)["entries"])
	assert.Equal(t, "overview", r.json(t)["entries"].([]any)[0].(map[string]any)["detail"])

	// Anna also books with B, saying something about her health. A (who
	// sees her card through his own visit) sees that the visit exists, not
	// what she wrote for B; the branch's manager sees it.
	body := bookBody("B", mskTime(15, 0))
	body["note"] = "Принимаю изотретиноин"
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: w.anna.token, body: body})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	withB := r.json(t)["id"].(string)
	noteOf := func(who signedIn) map[string]any {
		t.Helper()
		r := overview(who, w.anna.userID)
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		for _, a := range r.json(t)["appointments"].([]any) {
			if a := a.(map[string]any); a["id"] == withB {
				return a
			}
		}
		t.Fatal("the visit with B is not in the overview")
		return nil
	}
	assert.NotContains(t, noteOf(w.doc), "note", "not his visit: not his to read")
	assert.Equal(t, "Принимаю изотретиноин", noteOf(w.mgr1)["note"])

	for _, tc := range []struct {
		name string
		who  signedIn
		id   string
		want int
	}{
		{"a colleague's client", w.doc, w.boris.userID, http.StatusNotFound},
		{"a specialist who never saw her", w.doc2, w.anna.userID, http.StatusNotFound},
		{"a manager of the branch", w.mgr1, w.boris.userID, http.StatusOK},
		{"another branch's manager", w.mgr2, w.anna.userID, http.StatusNotFound},
		{"the owner, a client with no visit", w.owner, w.carol.userID, http.StatusOK},
		{"nobody at all", w.owner, "no-such-user", http.StatusNotFound},
		{"a client", w.boris, w.anna.userID, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, overview(tc.who, tc.id).StatusCode)
		})
	}

	// Names for a list: only of the clients the caller may see; an unnamed
	// client by the contact.
	names := func(who signedIn, ids ...string) map[string]any {
		t.Helper()
		q := url.Values{"id": ids}
		r := h.do(req{method: "GET", path: "/api/v1/staff/client-names?" + q.Encode(), token: who.token})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		return r.json(t)["names"].(map[string]any)
	}
	all := []string{w.anna.userID, w.boris.userID, w.carol.userID}
	assert.Equal(t, map[string]any{w.anna.userID: "Анна Петрова"}, names(w.doc, all...))
	assert.Equal(t, map[string]any{w.anna.userID: "Анна Петрова", w.boris.userID: "Борис Ёлкин"}, names(w.mgr1, all...))
	assert.Equal(t, map[string]any{w.anna.userID: "Анна Петрова", w.boris.userID: "Борис Ёлкин", w.carol.userID: "carol@example.com"}, names(w.owner, all...))
	assert.Empty(t, names(w.mgr2, all...))
	r = h.do(req{method: "GET", path: "/api/v1/staff/client-names?id=x", token: w.anna.token})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
}

// The front desk hands an order over to whoever placed it: with orders=true
// a manager of the order's branch gets the name of a client whose card is
// closed to them; without it, or at another branch, not.
func TestStaffClientNamesForOrdersOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h
	r := h.do(req{method: "PUT", path: myProfilePath, token: c.boris.token, body: map[string]any{"name": "Борис Ёлкин"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	require.Equal(t, http.StatusCreated, c.placeOrder(c.boris, orderBody("b1", "serum", 1)).StatusCode)
	names := func(who signedIn, query string) map[string]any {
		t.Helper()
		r := h.do(req{method: "GET", path: "/api/v1/staff/client-names?id=" + c.boris.userID + query, token: who.token})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		return r.json(t)["names"].(map[string]any)
	}
	assert.Empty(t, names(c.mgr, ""), "no appointment in the branch: the card is closed")
	assert.Equal(t, map[string]any{c.boris.userID: "Борис Ёлкин"}, names(c.mgr, "&orders=true"))
	assert.Empty(t, names(c.mgrOther, "&orders=true"), "not an order of their branch")
	assert.Empty(t, names(c.doc, "&orders=true"), "specialists do not hand orders over")
	// Still no card for the manager.
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: staffCard(c.boris.userID, "overview"), token: c.mgr.token}).StatusCode)
}

// A booking relates the branch's manager to the client while it stands; a
// booking made and cancelled opens no stranger's card.
func TestCancelledBookingOpensNoCard(t *testing.T) {
	w := newStaffWebWorld(t)
	h := w.h
	overview := func() int {
		return h.do(req{method: "GET", path: staffCard(w.carol.userID, "overview"), token: w.mgr1.token}).StatusCode
	}
	require.Equal(t, http.StatusNotFound, overview(), "Carol never came to b1")
	body := bookBody("A", mskTime(16, 0))
	body["client_id"] = w.carol.userID
	r := h.do(req{method: "POST", path: "/api/v1/staff/appointments", token: w.mgr1.token, body: body})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.Equal(t, http.StatusOK, overview(), "booked at b1: the front desk sees her card")
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + r.json(t)["id"].(string) + "/cancel", token: w.mgr1.token,
		body: map[string]any{"reason": "ошибка"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, http.StatusNotFound, overview(), "cancelled: no relation left")
}
