package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "modernc.org/sqlite" // to move a visit into the past (below)
)

// The staff pages: a specialist's day and week, the client's card (audited),
// finishing a visit with a note and a recommendation the client then reads;
// the manager's branch day; the front desk finding a caller and booking for
// them; an order moved through its statuses; a card one may not see.

const (
	staffBranch = "branch-tverskaya" // the centre, the demo manager's branch
	staffTZ     = "Europe/Moscow"
)

// staffClient is a client signed in through the API, with a name.
type staffClient struct {
	token, id, phone string
}

// newStaffClient signs a client in by phone over the API and names them.
func newStaffClient(t *testing.T, srv *instance, phone, e164, name string) staffClient {
	t.Helper()
	token, u := signIn(t, srv.base, phone, "sms", e164)
	require.Equal(t, http.StatusOK, call(t, http.MethodPut, srv.base+"/api/v1/me/profile", token, map[string]any{"name": name}, nil))
	return staffClient{token: token, id: u.ID, phone: e164}
}

type slotDoc struct {
	Start        string `json:"start"`
	SpecialistID string `json:"specialist_id"`
}

// freeSlots are the free times of a service with a specialist at the
// centre from day to day+n-1.
func freeSlots(t *testing.T, srv *instance, service, specialist, from string, days int) []slotDoc {
	t.Helper()
	d, err := time.Parse(time.DateOnly, from)
	require.NoError(t, err)
	q := url.Values{"service_id": {service}, "branch_id": {staffBranch}, "specialist_id": {specialist},
		"from": {from}, "to": {d.AddDate(0, 0, days-1).Format(time.DateOnly)}}
	var doc struct {
		Slots []slotDoc `json:"slots"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/slots?"+q.Encode(), "", nil, &doc))
	return doc.Slots
}

// today is today's date at the centre.
func today(t *testing.T) string {
	t.Helper()
	loc, err := time.LoadLocation(staffTZ)
	require.NoError(t, err)
	return time.Now().In(loc).Format(time.DateOnly)
}

// bookAs books a slot for the client over the API and returns the appointment's ID.
func bookAs(t *testing.T, srv *instance, c staffClient, service string, s slotDoc) string {
	t.Helper()
	var a struct {
		ID string `json:"id"`
	}
	status := call(t, http.MethodPost, srv.base+"/api/v1/me/appointments", c.token, map[string]any{
		"service_id": service, "branch_id": staffBranch, "specialist_id": s.SpecialistID, "start": s.Start}, &a)
	require.Equal(t, http.StatusCreated, status)
	return a.ID
}

// moveIntoPast moves an appointment so that it began half an hour ago and
// ends now: the example server runs on the real clock, and a visit is
// marked done only once it has started. It returns the visit's day at the
// centre. (A test-only write to the example's database; the server reads
// appointments from it on every request.)
func moveIntoPast(t *testing.T, d dirs, id string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+d.db+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer db.Close()
	end := time.Now().UTC().Truncate(time.Minute)
	start := end.Add(-30 * time.Minute)
	const layout = "2006-01-02T15:04:05.000000000Z"
	res, err := db.Exec(`UPDATE appointments SET start_at = ?, end_at = ?, block_start = ?, block_end = ? WHERE id = ?`,
		start.Format(layout), end.Format(layout), start.Format(layout), end.Format(layout), id)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	loc, err := time.LoadLocation(staffTZ)
	require.NoError(t, err)
	return start.In(loc).Format(time.DateOnly)
}

// apiToken signs a member of staff in over the API.
func apiToken(t *testing.T, srv *instance, email string) string {
	t.Helper()
	token, _ := signIn(t, srv.base, email, "email", email)
	return token
}

// A specialist sees the visit in their day and week, opens the client's
// card (on the audit trail), and marks the visit done with a note and a
// home-care recommendation that the client then reads.
func TestWebStaffSpecialistDay(t *testing.T) {
	t.Parallel()
	d := newDirs(t)
	srv := start(t, d, env{})
	vera := newStaffClient(t, srv, "+7 916 111-22-33", "+79161112233", "Вера Смирнова")
	slots := freeSlots(t, srv, "svc-consultation", "spec-ivanova", today(t), 14)
	require.NotEmpty(t, slots)
	apptID := bookAs(t, srv, vera, "svc-consultation", slots[0])
	day := moveIntoPast(t, d, apptID)

	p := openTab(t, srv, desktop)
	p.signIn(demoSpecialist, demoSpecialist)
	p.waitReady("staff_day")
	assert.Contains(t, p.text("h1"), "Мой день")

	p.open("staff/day?date=" + day)
	p.waitReady("staff_day")
	p.waitText("main", "Вера Смирнова")
	assert.Contains(t, p.text("main"), "Консультация косметолога")
	p.shots("staff-day")

	p.open("staff/week?from=" + day)
	p.waitReady("staff_week")
	p.waitText(".staff-week", "Вера Смирнова")
	p.shots("staff-week")

	// The client's card, opened from the day.
	p.open("staff/day?date=" + day)
	p.waitReady("staff_day")
	p.clickText("Вера Смирнова")
	p.waitReady("staff_client")
	assert.Contains(t, p.text("h1"), "Вера Смирнова")
	assert.Contains(t, p.text("main"), "+79161112233")
	p.shots("staff-client")

	owner := apiToken(t, srv, demoOwner)
	var audit struct {
		Entries []struct {
			ActorID string `json:"actor_id"`
			Detail  string `json:"detail"`
		} `json:"entries"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/staff/audit?action=card.viewed&subject="+vera.id, owner, nil, &audit))
	var details []string
	for _, e := range audit.Entries {
		details = append(details, e.Detail)
	}
	assert.Contains(t, details, "overview", "opening the card is on the audit trail")
	assert.Contains(t, details, "profile")

	// The visit: done, with a note and a recommendation for the client.
	p.open("staff/appointments/" + apptID)
	p.waitReady("staff_appointment")
	p.waitVisible(`form.staff-complete`)
	typeInto(p, `form.staff-complete textarea[name=notes]`, "Кожа в хорошем состоянии, обсудили курс пилингов.")
	p.clickText("Добавить рекомендацию")
	p.waitVisible(`input[name="recommendations[0].text"]`)
	p.fill(`input[name="recommendations[0].text"]`, "SPF 50 каждое утро")
	typeInto(p, `textarea[name=staff_notes]`, "Чувствительна к кислотам")
	p.shots("staff-appointment")
	p.click(`form.staff-complete button[type=submit]`)
	p.waitText(".staff-head", "Визит состоялся")
	p.waitReady("staff_appointment")
	p.waitVisible(`form.staff-note`)
	assert.Contains(t, p.text("main"), "Чувствительна к кислотам")
	p.shots("staff-appointment-done")

	var visits struct {
		Visits []struct {
			AppointmentID   string `json:"appointment_id"`
			Notes           string `json:"notes"`
			Recommendations []struct {
				Kind string `json:"kind"`
				Text string `json:"text"`
			} `json:"recommendations"`
		} `json:"visits"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/me/visits", vera.token, nil, &visits))
	require.Len(t, visits.Visits, 1)
	v := visits.Visits[0]
	assert.Equal(t, apptID, v.AppointmentID)
	assert.Equal(t, "Кожа в хорошем состоянии, обсудили курс пилингов.", v.Notes)
	require.Len(t, v.Recommendations, 1)
	assert.Equal(t, "home_care", v.Recommendations[0].Kind)
	assert.Equal(t, "SPF 50 каждое утро", v.Recommendations[0].Text)

	// The same pages on a phone: nothing scrolls sideways.
	require.NoError(t, p.resize(phone))
	for _, path := range []string{"staff/day?date=" + day, "staff/week?from=" + day, "staff/clients/" + vera.id, "staff/appointments/" + apptID} {
		p.open(path)
		p.noSidewaysScroll()
	}
}

// The manager sees the branch's day across specialists, each client named.
func TestWebStaffBranchDay(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	anna := newStaffClient(t, srv, "+7 916 222-33-44", "+79162223344", "Анна Кузьмина")
	oleg := newStaffClient(t, srv, "+7 916 333-44-55", "+79163334455", "Олег Морозов")
	// A day when both Ivanova (mornings) and Smirnova (evenings) are free.
	var day string
	var a, b []slotDoc
	for i := range 14 {
		d, err := time.Parse(time.DateOnly, today(t))
		require.NoError(t, err)
		day = d.AddDate(0, 0, i).Format(time.DateOnly)
		a = freeSlots(t, srv, "svc-consultation", "spec-ivanova", day, 1)
		b = freeSlots(t, srv, "svc-massage", "spec-smirnova", day, 1)
		if len(a) > 0 && len(b) > 0 {
			break
		}
	}
	require.NotEmpty(t, a)
	require.NotEmpty(t, b)
	bookAs(t, srv, anna, "svc-consultation", a[0])
	bookAs(t, srv, oleg, "svc-massage", b[0])

	p := openTab(t, srv, desktop)
	p.signIn(demoManager, demoManager)
	p.waitReady("staff_day")
	p.open("staff/branch?date=" + day)
	p.waitReady("staff_branch")
	p.waitText("main", "Анна Кузьмина")
	board := p.text(".staff-board")
	for _, want := range []string{"Мария Иванова", "Елена Смирнова", "Анна Кузьмина", "Олег Морозов", "Массаж лица", "Консультация косметолога"} {
		assert.Contains(t, board, want)
	}
	assert.Contains(t, p.text("h1"), "Клиника на Тверской")
	p.shots("staff-branch")
	require.NoError(t, p.resize(phone))
	p.noSidewaysScroll()

	// Her day (the manager chooses Ivanova's) leads to the appointment.
	require.NoError(t, p.resize(desktop))
	p.open("staff/day?specialist=spec-ivanova&date=" + day)
	p.waitReady("staff_day")
	p.waitText("main", "Анна Кузьмина")
	p.click(`.staff-appt-link`)
	p.waitReady("staff_appointment")
	assert.Contains(t, p.text("main"), "Анна Кузьмина")
	assert.Contains(t, p.text("main"), "Отменить запись", "the front desk may cancel")
}

// The front desk finds a caller by phone and books them.
func TestWebStaffFrontDeskBooks(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	ivan := newStaffClient(t, srv, "+7 916 444-55-66", "+79164445566", "Иван Соколов")
	slots := freeSlots(t, srv, "svc-consultation", "spec-ivanova", today(t), 14)
	require.NotEmpty(t, slots)
	bookAs(t, srv, ivan, "svc-consultation", slots[0]) // a client of the branch
	// The next day with a free peel after the first visit.
	first, err := time.Parse(time.RFC3339, slots[0].Start)
	require.NoError(t, err)
	loc, err := time.LoadLocation(staffTZ)
	require.NoError(t, err)
	var day string
	for i := 1; i < 21; i++ {
		day = first.In(loc).AddDate(0, 0, i).Format(time.DateOnly)
		if len(freeSlots(t, srv, "svc-peel-almond", "spec-ivanova", day, 1)) > 0 {
			break
		}
	}

	p := openTab(t, srv, desktop)
	p.signIn(demoManager, demoManager)
	p.waitReady("staff_day")
	p.open("staff/clients")
	p.waitReady("staff_clients")
	p.fill(`input[name=q]`, "+7 (916) 444-55-66")
	p.click(`form.staff-search button[type=submit]`)
	p.waitReady("staff_clients")
	p.waitText(".staff-results", "Иван Соколов")
	assert.Contains(t, p.text(".staff-results"), "+79164445566")
	p.shots("staff-clients")

	p.clickText("Записать")
	p.waitReady("staff_book")
	p.waitText(".staff-book-client", "Иван Соколов")
	setValue(p, `select[name=service_id]`, "svc-peel-almond")
	p.poll(`!!document.querySelector("select[name=specialist_id] option[value=spec-ivanova]")`, "Ivanova among the specialists")
	setValue(p, `select[name=specialist_id]`, "spec-ivanova")
	setValue(p, `input[name=day]`, day)
	p.waitVisible(`.staff-slots .chip`)
	p.click(`.staff-slots .chip`)
	typeInto(p, `textarea[name=note]`, "Записан по телефону")
	p.shots("staff-book")
	p.click(`form.staff-book button[type=submit]`)
	p.waitReady("staff_appointment")
	assert.Contains(t, p.text("main"), "Миндальный пилинг")
	assert.Contains(t, p.text("main"), "Иван Соколов")
	assert.Contains(t, p.text("main"), "Записан по телефону")

	var mine struct {
		Appointments []struct {
			ServiceID string `json:"service_id"`
		} `json:"appointments"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/me/appointments?status=upcoming", ivan.token, nil, &mine))
	var services []string
	for _, a := range mine.Appointments {
		services = append(services, a.ServiceID)
	}
	assert.ElementsMatch(t, []string{"svc-consultation", "svc-peel-almond"}, services)

	require.NoError(t, p.resize(phone))
	for _, path := range []string{"staff/clients?q=" + url.QueryEscape("4445566"), "staff/book?client=" + ivan.id} {
		p.open(path)
		p.noSidewaysScroll()
	}
}

// typeInto types into an empty field (fill's Clear wants a text node, which
// an empty textarea has not).
func typeInto(p *tab, sel, text string) {
	p.t.Helper()
	p.run(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// setValue sets a select's (or a date input's) value as a person picking it
// would, telling the page.
func setValue(p *tab, sel, value string) {
	p.t.Helper()
	p.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return e.value === %q; })()`, sel, value, value),
		fmt.Sprintf("%s = %s", sel, value))
}

// An order placed in the cabinet is confirmed, packed and handed over.
func TestWebStaffOrders(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	mila := newStaffClient(t, srv, "+7 916 555-66-77", "+79165556677", "Мила Орлова")
	var catalog struct {
		Products []struct {
			ID      string `json:"id"`
			InStock *bool  `json:"in_stock"`
		} `json:"products"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/products?branch_id="+staffBranch, "", nil, &catalog))
	var product string
	for _, x := range catalog.Products {
		if x.InStock != nil && *x.InStock {
			product = x.ID
			break
		}
	}
	require.NotEmpty(t, product)
	var order struct {
		ID     string `json:"id"`
		Number int    `json:"number"`
		Status string `json:"status"`
	}
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/me/orders", mila.token,
		map[string]any{"branch_id": staffBranch, "items": []any{map[string]any{"product_id": product, "quantity": 1}}}, &order))

	p := openTab(t, srv, desktop)
	p.signIn(demoManager, demoManager)
	p.waitReady("staff_day")
	p.open("staff/orders")
	p.waitReady("staff_orders")
	card := fmt.Sprintf(`.staff-order[data-id=%q]`, order.ID)
	p.waitText(card, fmt.Sprintf("№ %d", order.Number))
	assert.Contains(t, p.text(card), "Мила Орлова", "the front desk sees whom to hand it to")
	p.shots("staff-orders")
	for _, step := range []struct{ to, badge string }{
		{"confirmed", "Подтверждён"}, {"ready", "Готов к выдаче"}, {"completed", "Выдан"},
	} {
		p.click(card + fmt.Sprintf(` button[data-to=%q]`, step.to))
		p.poll(fmt.Sprintf(`document.querySelector(%q)?.dataset.status === %q`, card, step.to), "the order "+step.to)
		assert.Contains(t, p.text(card+" .badge"), step.badge)
	}
	var got struct {
		Status string `json:"status"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/me/orders/"+order.ID, mila.token, nil, &got))
	assert.Equal(t, "completed", got.Status)

	// Handed over, it is no longer open.
	p.open("staff/orders")
	p.waitReady("staff_orders")
	assert.NotContains(t, p.text("main"), fmt.Sprintf("№ %d", order.Number))
	p.open("staff/orders?status=completed")
	p.waitReady("staff_orders")
	assert.Contains(t, p.text("main"), fmt.Sprintf("№ %d", order.Number))
	require.NoError(t, p.resize(phone))
	p.noSidewaysScroll()
}

// A specialist opening a client they may not see gets "not found", as for
// a card that does not exist, with nothing in the console.
func TestWebStaffCardNotFound(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	pavel := newStaffClient(t, srv, "+7 916 666-77-88", "+79166667788", "Павел Зайцев")
	slots := freeSlots(t, srv, "svc-derm-consultation", "spec-petrov", today(t), 14)
	require.NotEmpty(t, slots)
	bookAs(t, srv, pavel, "svc-derm-consultation", slots[0]) // with another specialist

	p := openTab(t, srv, phone)
	p.signIn(demoSpecialist, demoSpecialist)
	p.waitReady("staff_day")
	p.noSidewaysScroll()
	p.expect("GET /api/v1/staff/clients/"+pavel.id+"/overview", http.StatusNotFound)
	p.open("staff/clients/" + pavel.id)
	p.waitReady("staff_client")
	assert.Contains(t, p.text("h1"), "Такой страницы нет")
	assert.NotContains(t, p.text("main"), "Павел")
	p.shots("staff-client-not-found")

	// Nor does a search show him.
	p.open("staff/clients?q=" + url.QueryEscape("+79166667788"))
	p.waitReady("staff_clients")
	assert.Contains(t, p.text(".staff-results"), "Никого не нашли")
	assert.False(t, strings.Contains(p.text("main"), "Павел"))
	// The orders and the branch day are the front desk's: a note, no request refused.
	p.open("staff/orders")
	p.waitReady("staff_orders")
	assert.Contains(t, p.text("main"), "для администраторов")
	p.noSidewaysScroll()

	// In English too.
	p.setLang("en")
	p.open("staff/day")
	p.waitReady("staff_day")
	assert.Contains(t, p.text("h1"), "My day")
	p.open("staff/clients/" + pavel.id)
	p.waitReady("staff_client")
	assert.Contains(t, p.text("h1"), "There is no such page")
	p.open("staff/week")
	p.waitReady("staff_week")
	assert.Contains(t, p.text("h1"), "My week")
	p.shots("staff-week-en")
}
