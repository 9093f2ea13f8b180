package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
)

// The harness clock starts on Wednesday 2026-11-25 10:00 UTC (13:00 Moscow);
// bookings go to Monday 2026-11-30.
var (
	msk    = loadZone("Europe/Moscow")
	monday = booking.Date{Year: 2026, Month: time.November, Day: 30}
)

func loadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func mskTime(h, m int) time.Time { return time.Date(2026, 11, 30, h, m, 0, 0, msk) }

// seedClinic writes a small clinic: branch b1 in Moscow, specialists A (linked
// to specialistUserID) and B working Mon–Fri 9–13 and 14–18, a 60-minute peel.
func (h *harness) seedClinic(specialistUserID string) {
	h.t.Helper()
	ctx := h.t.Context()
	st := h.store
	open := booking.Week{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		open[d] = []booking.Interval{{Start: 9 * 60, End: 21 * 60}}
	}
	require.NoError(h.t, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "На Тверской", Address: "Москва, Тверская, 1", TimeZone: "Europe/Moscow", Opening: open, Active: true}))
	require.NoError(h.t, st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Пилинг", Category: "peel", Duration: time.Hour,
		BufferAfter: 15 * time.Minute, Price: booking.Money{Amount: 350000, Currency: "RUB"}, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true}))
	week := booking.Week{}
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []booking.Interval{{Start: 9 * 60, End: 13 * 60}, {Start: 14 * 60, End: 18 * 60}}
	}
	for _, sp := range []booking.Specialist{
		{ID: "A", UserID: specialistUserID, Name: "Анна", Title: "Косметолог", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
		{ID: "B", Name: "Борис", Title: "Дерматолог", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
	} {
		require.NoError(h.t, st.UpsertSpecialist(ctx, sp))
		require.NoError(h.t, st.SetWorkingPlan(ctx, booking.WorkingPlan{ID: "plan-" + sp.ID, SpecialistID: sp.ID, BranchID: "b1", Week: week}))
	}
}

func bookBody(spec string, start time.Time) map[string]any {
	b := map[string]any{"service_id": "peel", "branch_id": "b1", "start": start.Format(time.RFC3339)}
	if spec != "" {
		b["specialist_id"] = spec
	}
	return b
}

func TestCatalogAndSlots(t *testing.T) {
	h := newHarness(t)
	h.seedClinic("")
	br := h.do(req{method: "GET", path: "/api/v1/branches"}).json(t)["branches"].([]any)
	require.Len(t, br, 1)
	assert.Equal(t, map[string]any{"id": "b1", "name": "На Тверской", "address": "Москва, Тверская, 1", "time_zone": "Europe/Moscow"}, br[0])

	svc := h.do(req{method: "GET", path: "/api/v1/services?branch_id=b1"}).json(t)["services"].([]any)
	require.Len(t, svc, 1)
	assert.EqualValues(t, 60, svc[0].(map[string]any)["duration_minutes"])
	assert.Equal(t, map[string]any{"amount": 350000.0, "currency": "RUB"}, svc[0].(map[string]any)["price"])

	sp := h.do(req{method: "GET", path: "/api/v1/specialists?branch_id=b1&service_id=peel"}).json(t)["specialists"].([]any)
	assert.Len(t, sp, 2)
	for _, q := range []string{"branch_id=nope", "service_id=nope", "branch_id=b1&service_id=nope"} {
		r := h.do(req{method: "GET", path: "/api/v1/specialists?" + q, invalid: true})
		assert.Equal(t, http.StatusNotFound, r.StatusCode, "a typo is not \"nobody works here\": %s", q)
		assert.Equal(t, "not_found", r.errCode(t), q)
	}

	r := h.do(req{method: "GET", path: "/api/v1/slots?service_id=peel&branch_id=b1&from=2026-11-30&to=2026-11-30"})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	slots := r.json(t)["slots"].([]any)
	require.Len(t, slots, 24, "any specialist: each start once")
	first := slots[0].(map[string]any)
	assert.Equal(t, "2026-11-30T09:00:00+03:00", first["start"], "times carry the branch's offset")

	for _, tc := range []struct {
		query  string
		status int
		code   string
	}{
		{"service_id=peel&branch_id=b1&from=2026-11-30&to=2027-02-01", 422, "invalid_range"},
		{"service_id=peel&branch_id=b1&from=30.11.2026&to=2026-12-01", 400, "malformed_parameter"},
		{"service_id=nope&branch_id=b1&from=2026-11-30&to=2026-11-30", 404, "not_found"},
		{"service_id=peel&branch_id=b1&from=2026-11-30", 422, "invalid_input"},
	} {
		r := h.do(req{method: "GET", path: "/api/v1/slots?" + tc.query, invalid: true})
		assert.Equal(t, tc.status, r.StatusCode, tc.query)
		assert.Equal(t, tc.code, r.errCode(t), tc.query)
	}
}

func TestBookMoveCancelOverHTTP(t *testing.T) {
	h := newHarness(t)
	h.seedClinic("")
	anna := h.signIn("+79123456789", "+79123456789")
	boris := h.signIn("+79123456780", "+79123456780")

	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: anna.token, body: bookBody("A", mskTime(10, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	a := r.json(t)
	assert.Equal(t, "confirmed", a["status"])
	assert.Equal(t, "2026-11-30T10:00:00+03:00", a["start"])
	assert.Equal(t, "2026-11-30T11:00:00+03:00", a["end"])
	assert.NotContains(t, a, "client_id", "a client's view does not repeat their ID")
	id := a["id"].(string)

	// Boris wants the same time: 409 with alternatives.
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: boris.token, body: bookBody("A", mskTime(10, 0))})
	require.Equal(t, http.StatusConflict, r.StatusCode)
	assert.Equal(t, "slot_taken", r.errCode(t))
	assert.Len(t, r.json(t)["alternatives"], 3)

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"in the break", bookBody("A", mskTime(12, 30)), 422, "outside_working_hours", "start"},
		{"off the grid", bookBody("A", mskTime(15, 5)), 422, "invalid_input", "start"},
		{"in the past", bookBody("A", time.Date(2026, 11, 20, 10, 0, 0, 0, msk)), 422, "in_the_past", "start"},
		{"unknown specialist", bookBody("Z", mskTime(15, 0)), 404, "not_found", "specialist_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: boris.token, body: tc.body})
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			assert.Equal(t, tc.code, r.errCode(t))
			assert.Equal(t, tc.field, r.json(t)["error"].(map[string]any)["field"])
		})
	}
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: boris.token, invalid: true,
		raw: []byte(`{"service_id":"peel","branch_id":"b1","start":"tomorrow at ten"}`)})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "a malformed time")
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: boris.token, invalid: true,
		raw: []byte(`{"service_id":"peel","branch_id":"b1","start":"2026-11-30T15:00:00+03:00","client_id":"someone-else"}`)})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "a client cannot book for someone else")

	// Boris cannot see, move or cancel Anna's appointment.
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/me/appointments/" + id, token: boris.token}).StatusCode)
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "PATCH", path: "/api/v1/me/appointments/" + id, token: boris.token,
		body: map[string]any{"start": mskTime(15, 0).Format(time.RFC3339)}}).StatusCode)
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "POST", path: "/api/v1/me/appointments/" + id + "/cancel", token: boris.token,
		body: map[string]any{"reason": "x"}}).StatusCode)
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/me/appointments/" + id + "/calendar.ics", token: boris.token}).StatusCode)

	// Anna moves it.
	r = h.do(req{method: "PATCH", path: "/api/v1/me/appointments/" + id, token: anna.token, body: map[string]any{"start": mskTime(15, 0).Format(time.RFC3339)}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "2026-11-30T15:00:00+03:00", r.json(t)["start"])

	ics := h.do(req{method: "GET", path: "/api/v1/me/appointments/" + id + "/calendar.ics", token: anna.token})
	require.Equal(t, http.StatusOK, ics.StatusCode)
	assert.Equal(t, "text/calendar; charset=utf-8", ics.Header.Get("Content-Type"))
	assert.Contains(t, string(ics.body), "DTSTART:20261130T120000Z")
	assert.Contains(t, strings.ReplaceAll(string(ics.body), "\r\n ", ""), `LOCATION:На Тверской\, Москва\, Тверская\, 1`)

	list := h.do(req{method: "GET", path: "/api/v1/me/appointments?status=upcoming", token: anna.token}).json(t)["appointments"].([]any)
	require.Len(t, list, 1)

	r = h.do(req{method: "POST", path: "/api/v1/me/appointments/" + id + "/cancel", token: anna.token, body: map[string]any{"reason": "заболела"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "cancelled", r.json(t)["status"])
	past := h.do(req{method: "GET", path: "/api/v1/me/appointments?status=past", token: anna.token}).json(t)["appointments"].([]any)
	assert.Len(t, past, 1, "a cancelled appointment is history")

	// Within 12 hours of a visit a client can no longer cancel it online.
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: boris.token, body: bookBody("B", mskTime(10, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	h.clock.Advance(mskTime(0, 0).Sub(h.clock.Now()))
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments/" + r.json(t)["id"].(string) + "/cancel", token: boris.token})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, "too_late_to_change", r.errCode(t))
}

// A booking's error says what is wrong in the client's language, with the
// numbers in it — never a Go duration or a bare field name.
func TestBookingErrorTexts(t *testing.T) {
	h := newHarness(t)
	h.seedClinic("")
	anna := h.signIn("+79123456789", "+79123456789")
	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: anna.token, body: bookBody("B", mskTime(10, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	id := r.json(t)["id"].(string)
	assert.Equal(t, "2026-11-29T22:00:00+03:00", r.json(t)["changeable_until"], "12 hours before, in the branch's zone")
	h.clock.Advance(mskTime(0, 0).Sub(h.clock.Now()))
	got := h.do(req{method: "GET", path: "/api/v1/me/appointments/" + id, token: anna.token}).json(t)
	assert.Equal(t, "2026-11-29T22:00:00+03:00", got["changeable_until"])

	for _, tc := range []struct {
		name   string
		r      req
		ru, en string
	}{
		{"too late to cancel", req{method: "POST", path: "/api/v1/me/appointments/" + id + "/cancel", token: anna.token},
			"не позже чем за 12 ч до визита", "Changes are possible online until 12 h before the visit; please call the clinic."},
		{"a range over 62 days", req{method: "GET", path: "/api/v1/slots?service_id=peel&branch_id=b1&from=2026-11-30&to=2027-02-01", invalid: true},
			"Период длиннее 62 дней", "The range is longer than 62 days."},
		{"a reversed range", req{method: "GET", path: "/api/v1/slots?service_id=peel&branch_id=b1&from=2026-12-02&to=2026-11-30", invalid: true},
			"Дата конца периода раньше даты начала.", "The end date is before the start date."},
		{"no service", req{method: "GET", path: "/api/v1/slots?branch_id=b1&from=2026-11-30&to=2026-11-30", invalid: true},
			"Обязательное поле.", "service_id is required."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for lang, want := range map[string]string{"ru": tc.ru, "en": tc.en} {
				rq := tc.r
				rq.header = map[string]string{"Accept-Language": lang}
				msg := h.do(rq).json(t)["error"].(map[string]any)["message"].(string)
				assert.Contains(t, msg, want, lang)
				assert.NotContains(t, msg, "0m0s", lang)
			}
		})
	}
}

func TestIdempotencyKeyOverHTTP(t *testing.T) {
	h := newHarness(t)
	h.seedClinic("")
	anna := h.signIn("+79123456789", "+79123456789")
	send := func() res {
		return h.do(req{method: "POST", path: "/api/v1/me/appointments", token: anna.token, body: bookBody("A", mskTime(10, 0)),
			header: map[string]string{"Idempotency-Key": "7d6a1f"}})
	}
	first, second := send(), send()
	require.Equal(t, http.StatusCreated, first.StatusCode, "%s", first.body)
	require.Equal(t, http.StatusOK, second.StatusCode, "%s", second.body)
	assert.Equal(t, first.json(t)["id"], second.json(t)["id"])
	list := h.do(req{method: "GET", path: "/api/v1/me/appointments", token: anna.token}).json(t)["appointments"].([]any)
	assert.Len(t, list, 1)
}

// TestConcurrentBookingOverHTTP: 64 clients ask for one slot at once; exactly
// one gets it.
func TestConcurrentBookingOverHTTP(t *testing.T) {
	h := newHarness(t, func(c *cabinet.Config) { c.Auth.SendsPerIPPerHour, c.Auth.VerifiesPerIPPerHour = -1, -1 })
	h.seedClinic("")
	const n = 64
	tokens := make([]string, n)
	for i := range n {
		tokens[i] = h.signIn(fmt.Sprintf("client%d@example.com", i), fmt.Sprintf("client%d@example.com", i)).token
	}
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			body := fmt.Sprintf(`{"service_id":"peel","branch_id":"b1","specialist_id":"A","start":%q}`, mskTime(10, 0).Format(time.RFC3339))
			r, err := http.NewRequest("POST", h.srv.URL+"/api/v1/me/appointments", strings.NewReader(body))
			if err != nil {
				return
			}
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+tokens[i])
			resp, err := http.DefaultClient.Do(r)
			if err == nil {
				statuses <- resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	close(start)
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, count)
}

func TestStaffSideOverHTTP(t *testing.T) {
	h := newHarness(t)
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	owner := h.signIn("owner@clinic.example", "owner@clinic.example")
	r := h.do(req{method: "POST", path: "/api/v1/staff/users", token: owner.token,
		body: map[string]any{"identifier": "doc@clinic.example", "roles": []string{"specialist"}, "branch_ids": []string{"b1"}}})
	require.Equal(t, http.StatusCreated, r.StatusCode)
	doc := h.signIn("doc@clinic.example", "doc@clinic.example")
	h.seedClinic(doc.userID)
	client := h.signIn("+79123456789", "+79123456789")

	// The front desk (the owner here) books for a client who called.
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments", token: owner.token,
		body: map[string]any{"client_id": client.userID, "service_id": "peel", "branch_id": "b1", "specialist_id": "A", "start": mskTime(10, 0).Format(time.RFC3339)}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	id := r.json(t)["id"].(string)
	assert.Equal(t, client.userID, r.json(t)["client_id"])

	// Not for a client who does not exist.
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments", token: owner.token,
		body: map[string]any{"client_id": "ghost", "service_id": "peel", "branch_id": "b1", "start": mskTime(15, 0).Format(time.RFC3339)}})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, "client_id", r.json(t)["error"].(map[string]any)["field"])

	// A client may not use the staff side.
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + id + "/complete", token: client.token})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	r = h.do(req{method: "GET", path: "/api/v1/staff/agenda?specialist_id=A&from=2026-11-30", token: client.token})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)

	// The specialist sees their day and completes the visit with notes.
	r = h.do(req{method: "GET", path: "/api/v1/staff/agenda?specialist_id=A&from=2026-11-30&days=7", token: doc.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Len(t, r.json(t)["appointments"], 1)
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + id + "/complete", token: doc.token, body: map[string]any{"notes": "рано"}})
	assert.Equal(t, http.StatusConflict, r.StatusCode, "not before the visit")
	h.clock.Advance(mskTime(11, 0).Sub(h.clock.Now()) - 61*time.Second)
	doc = h.signIn("doc@clinic.example", "doc@clinic.example") // days later: staff sessions last 12 idle hours
	owner = h.signIn("owner@clinic.example", "owner@clinic.example")
	client = h.signIn("+79123456789", "+79123456789")
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + id + "/complete", token: doc.token, body: map[string]any{"notes": "SPF 50 каждый день"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "completed", r.json(t)["status"])
	assert.Equal(t, "SPF 50 каждый день", r.json(t)["staff_notes"])
	r = h.do(req{method: "GET", path: "/api/v1/staff/appointments/" + id, token: owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Len(t, r.json(t)["history"], 2)
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + id + "/no-show", token: doc.token})
	assert.Equal(t, http.StatusConflict, r.StatusCode)
	assert.Equal(t, "invalid_transition", r.errCode(t))

	// Schedules: an exception and a new plan; a specialist cannot edit plans.
	r = h.do(req{method: "POST", path: "/api/v1/staff/exceptions", token: owner.token,
		body: map[string]any{"specialist_id": "B", "kind": "vacation", "from": "2026-12-01", "to": "2026-12-05", "note": "отпуск"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	excID := r.json(t)["id"].(string)
	r = h.do(req{method: "GET", path: "/api/v1/staff/exceptions?specialist_id=B&from=2026-12-01&to=2026-12-31", token: owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Len(t, r.json(t)["exceptions"], 1)
	assert.Equal(t, http.StatusForbidden, h.do(req{method: "DELETE", path: "/api/v1/staff/exceptions/" + excID, token: doc.token}).StatusCode)
	assert.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/staff/exceptions/" + excID, token: owner.token}).StatusCode)
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "DELETE", path: "/api/v1/staff/exceptions/" + excID, token: owner.token}).StatusCode)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/working-plans", token: owner.token,
		body: map[string]any{"specialist_id": "B", "branch_id": "b1", "week": map[string]any{"sat": []any{map[string]any{"start": "10:00", "end": "16:00"}}}}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/working-plans", token: doc.token,
		body: map[string]any{"specialist_id": "A", "branch_id": "b1", "week": map[string]any{"sat": []any{map[string]any{"start": "10:00", "end": "16:00"}}}}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/working-plans", token: owner.token, invalid: true,
		body: map[string]any{"specialist_id": "B", "branch_id": "b1", "week": map[string]any{"sat": []any{map[string]any{"start": "25:00", "end": "16:00"}}}}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)

	// A course: five peels every two weeks; the client sees it with progress.
	r = h.do(req{method: "POST", path: "/api/v1/staff/plans", token: doc.token,
		body: map[string]any{"client_id": client.userID, "specialist_id": "A", "service_id": "peel", "branch_id": "b1", "sessions": 5, "interval_days": 14}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	plans := h.do(req{method: "GET", path: "/api/v1/me/plans", token: client.token}).json(t)["plans"].([]any)
	require.Len(t, plans, 1)
	assert.EqualValues(t, 5, plans[0].(map[string]any)["sessions"])
	r = h.do(req{method: "GET", path: "/api/v1/staff/clients/" + client.userID + "/plans", token: doc.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Len(t, r.json(t)["plans"], 1)
	r = h.do(req{method: "GET", path: "/api/v1/staff/working-plans?specialist_id=B", token: owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	wp := r.json(t)["working_plans"].([]any)
	require.Len(t, wp, 2, "the seeded weekday plan and the Saturday one added above")
	var weeks []any
	for _, p := range wp {
		weeks = append(weeks, p.(map[string]any)["week"])
	}
	assert.Contains(t, weeks, map[string]any{"sat": []any{map[string]any{"start": "10:00", "end": "16:00"}}})
}
