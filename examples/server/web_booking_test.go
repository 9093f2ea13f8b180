package main

// Browser tests of the booking pages: home, booking, visits, one visit, a
// service, offers, recommendations and favourites, on a phone (390 px) with
// the demo clinic.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bkMoscow is the demo branches' time zone.
func bkMoscow(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	return loc
}

// bkClock is an RFC 3339 instant as the branch's wall clock, "15:04".
func bkClock(t *testing.T, instant string) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339, instant)
	require.NoError(t, err, "instant %q", instant)
	return at.In(bkMoscow(t)).Format("15:04")
}

// bkClickLast clicks the last element matching sel.
func bkClickLast(p *tab, sel string) {
	p.t.Helper()
	p.poll(fmt.Sprintf(`(() => { const all = [...document.querySelectorAll(%q)]; if (!all.length) return false; all.pop().click(); return true; })()`, sel),
		"the last "+sel)
}

// bkAttr is an attribute of the first element matching sel.
func bkAttr(p *tab, sel, attr string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%q)?.getAttribute(%q) ?? ''`, sel, attr))
}

// bkCountClicks starts counting the clicks the page receives.
func bkCountClicks(p *tab) {
	p.t.Helper()
	eval[bool](p, `(() => { window.__bkClicks = 0; if (!window.__bkCounting) { window.__bkCounting = true;
		document.addEventListener('click', () => { window.__bkClicks += 1; }, true); } return true; })()`)
}

// A client books their first visit choosing the branch once; the branch is
// remembered, so the next booking is two taps after choosing the service:
// a time, then "Book". Home then shows the next visit in the branch's time.
func TestWebBookingTwoTaps(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.waitReady("home")
	assert.Contains(t, p.text(".bk-home-next"), "Записей пока нет")
	p.noSidewaysScroll()
	p.shots("home-empty")

	// The first booking: the list of services, then the branch (asked once).
	p.click(`#tabs a[data-tab="/book"]`)
	p.waitReady("book")
	assert.Contains(t, p.text("main"), "Консультация косметолога")
	p.noSidewaysScroll()
	p.shots("book-services")
	p.click(`a.bk-svc[data-service="svc-consultation"]`)
	p.waitReady("book")
	assert.Equal(t, 0, eval[int](p, `document.querySelectorAll('.bk-slot').length`), "no times before a branch is chosen")
	assert.Contains(t, p.text(".bk-branch-hint"), "Выберите филиал")
	p.click(`.bk-branches [data-branch="branch-tverskaya"]`)
	p.waitVisible(`.bk-slot`)
	bkClickLast(p, `.bk-day:not([disabled])`) // a later day, clear of the next booking
	p.waitVisible(`.bk-slot`)
	p.click(`.bk-slot`)
	p.waitVisible(`.bk-confirm`)
	p.click(`[data-action=confirm]`)
	p.waitReady("appointment")
	assert.Contains(t, p.text(".bk-banner"), "Вы записаны")

	// The second booking, on a fresh load: the branch is remembered and "any
	// specialist" preselected, so the first day's times show at once.
	p.open("book")
	p.click(`a.bk-svc[data-service="svc-massage"]`)
	p.waitReady("book")
	p.waitVisible(`.bk-slot`)
	assert.Equal(t, "true", bkAttr(p, `.bk-branches [data-branch="branch-tverskaya"]`, "aria-pressed"), "the remembered branch")
	assert.Equal(t, "true", bkAttr(p, `.bk-specs [data-specialist="any"]`, "aria-pressed"), "any specialist")
	p.noSidewaysScroll()
	p.shots("book-slots")
	start := bkAttr(p, `.bk-slot`, "data-start")
	shown := p.text(`.bk-slot`)
	assert.Equal(t, bkClock(t, start), shown, "times are the branch's wall clock")

	bkCountClicks(p)
	p.click(`.bk-slot`)
	p.waitVisible(`.bk-confirm`)
	assert.Contains(t, p.text(".bk-confirm"), shown)
	p.shots("book-confirm")
	p.click(`[data-action=confirm]`)
	p.waitReady("appointment")
	assert.Equal(t, 2, eval[int](p, `window.__bkClicks`), "a booking is two taps after choosing the service")
	assert.Contains(t, p.text(".bk-banner"), "Вы записаны")
	assert.Contains(t, p.text("main h1"), "Массаж лица")
	assert.Contains(t, p.text(".bk-appt"), shown)
	p.noSidewaysScroll()
	p.shots("booked")

	// Home shows the next visit — the massage, the sooner one — with its
	// actions, or says whom to call when it is too late to change it online.
	p.click(`#tabs a[data-tab="/"]`)
	p.waitReady("home")
	next := p.text(".bk-next")
	assert.Contains(t, next, "Массаж лица")
	assert.Contains(t, next, shown)
	assert.Contains(t, p.text(".bk-more"), "Ещё 1")
	assert.True(t, strings.HasSuffix(bkAttr(p, `.bk-next [data-action=calendar]`, "href"), "/calendar.ics"))
	at, err := time.Parse(time.RFC3339, start)
	require.NoError(t, err)
	if time.Until(at) > 12*time.Hour+time.Minute {
		assert.Contains(t, p.text(".bk-next .bk-cutoff"), "можно до")
		assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.bk-next [data-action=move]').length`))
	} else if time.Until(at) < 12*time.Hour-time.Minute {
		assert.Contains(t, p.text(".bk-next .bk-cutoff"), "меньше 12 часов")
		assert.Equal(t, 0, eval[int](p, `document.querySelectorAll('.bk-next [data-action=move]').length`))
	}
	p.noSidewaysScroll()
	p.shots("home")
}

// A time another client takes between loading the times and confirming:
// the 409's alternatives are offered, and one of them books.
func TestWebBookingTakenSlot(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	other, _ := signIn(t, srv.base, "+7 912 000-00-02", "sms", "+79120000002")
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.waitReady("home")

	// The dermatologist's consultation: one specialist, so a taken time
	// has no equivalent.
	p.open("book?service_id=svc-derm-consultation&branch_id=branch-tverskaya")
	p.waitReady("book")
	p.waitVisible(`.bk-slot`)
	start := bkAttr(p, `.bk-slot`, "data-start")
	p.click(`.bk-slot`)
	p.waitVisible(`.bk-confirm`)

	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/me/appointments", other,
		map[string]any{"service_id": "svc-derm-consultation", "branch_id": demoBranchCenter, "start": start}, nil))
	p.expect("POST /api/v1/me/appointments", http.StatusConflict)
	p.click(`[data-action=confirm]`)
	p.waitVisible(`.bk-alt`)
	assert.Contains(t, p.text(".bk-taken"), "заняли")
	assert.False(t, eval[bool](p, `!document.querySelector('.bk-confirm').hidden`), "nothing to confirm until another time is chosen")
	p.poll(fmt.Sprintf(`![...document.querySelectorAll('.bk-slot')].some((b) => b.dataset.start === %q)`, start), "the taken time gone from the list")
	p.noSidewaysScroll()
	p.shots("book-taken")

	alt := bkAttr(p, `.bk-alt`, "data-start")
	require.NotEqual(t, start, alt)
	p.click(`.bk-alt`)
	p.waitVisible(`.bk-confirm`)
	assert.Contains(t, p.text(".bk-confirm"), bkClock(t, alt))
	p.click(`[data-action=confirm]`)
	p.waitReady("appointment")
	assert.Contains(t, p.text(".bk-banner"), "Вы записаны")
	assert.Contains(t, p.text(".bk-appt .bk-when"), bkClock(t, alt))
}

// A visit is rescheduled to another day and then cancelled from the list
// of visits, with the cut-off explained.
func TestWebBookingRescheduleCancel(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.waitReady("home")

	// A visit at least two days ahead, so it is more than 12 hours away.
	p.open("book?service_id=svc-peel-almond&branch_id=branch-tverskaya")
	p.waitVisible(`.bk-slot`)
	p.poll(`(() => { const d = [...document.querySelectorAll('.bk-day:not([disabled])')]; if (d.length < 3) return false; d[2].click(); return d[2].getAttribute('aria-pressed') === 'true'; })()`,
		"the third day with free times")
	p.click(`.bk-slot`)
	p.click(`[data-action=confirm]`)
	p.waitReady("appointment")
	id := eval[string](p, `document.querySelector('.bk-appt').dataset.appointment`)
	oldWhen := p.text(".bk-appt .bk-when")
	assert.Contains(t, p.text(".bk-cutoff"), "Перенести или отменить запись онлайн можно до")

	// Reschedule: the same specialist by default, the last day with times.
	p.click(`[data-action=move]`)
	p.waitVisible(`.bk-move .bk-slot`)
	assert.Contains(t, p.text(`.bk-move .bk-specs [aria-pressed="true"]`), "как сейчас")
	bkClickLast(p, `.bk-move .bk-day:not([disabled])`)
	p.waitVisible(`.bk-move .bk-slot`)
	newStart := bkAttr(p, `.bk-move .bk-slot`, "data-start")
	// With the keyboard: Enter on a time goes on to the confirm button,
	// and Enter there moves the visit.
	p.run(chromedp.Focus(chromedp.CSS(`.bk-move .bk-slot`)), chromedp.KeyEvent("\r"))
	p.waitVisible(`.bk-move .bk-confirm`)
	p.poll(`document.activeElement?.dataset.action === 'move-confirm'`, "the focus on the confirm button")
	p.noSidewaysScroll()
	p.shots("appointment-move")
	p.run(chromedp.KeyEvent("\r"))
	p.waitVisible(`.bk-banner[data-banner=moved]`)
	newWhen := p.text(".bk-appt .bk-when")
	assert.NotEqual(t, oldWhen, newWhen)
	assert.Contains(t, newWhen, bkClock(t, newStart))
	status, got := p.apiCall("GET", "me/appointments/"+id, nil)
	require.Equal(t, http.StatusOK, status)
	gotStart, err := time.Parse(time.RFC3339, got["start"].(string))
	require.NoError(t, err)
	wantStart, err := time.Parse(time.RFC3339, newStart)
	require.NoError(t, err)
	assert.True(t, gotStart.Equal(wantStart), "moved to %s, got %s", newStart, got["start"])
	p.noSidewaysScroll()
	p.shots("appointment")

	// The list of visits: cancel it there, with a reason.
	p.click(`#tabs a[data-tab="/appointments"]`)
	p.waitReady("appointments")
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.bk-upcoming [data-appointment]').length`))
	p.noSidewaysScroll()
	p.shots("appointments")
	// "Reschedule" there opens the visit with the times to move it to.
	p.click(`.bk-upcoming [data-action=move]`)
	p.waitReady("appointment")
	p.waitVisible(`.bk-move .bk-slot`)
	p.click(`#tabs a[data-tab="/appointments"]`)
	p.waitReady("appointments")
	p.click(`.bk-upcoming [data-action=cancel]`)
	p.waitVisible(`.bk-cancel-form textarea`)
	assert.Contains(t, p.text(".bk-cancel-form"), "Отменить запись на")
	p.run(chromedp.SendKeys(chromedp.CSS(`.bk-cancel-form textarea`), "Заболела"))
	p.click(`[data-action=cancel-confirm]`)
	p.waitText(".bk-upcoming", "Предстоящих записей нет")
	p.waitVisible(fmt.Sprintf(`.bk-past[data-appointment=%q][data-status=cancelled]`, id))
	assert.Contains(t, p.text(fmt.Sprintf(`.bk-past[data-appointment=%q]`, id)), "Отменена")
	status, got = p.apiCall("GET", "me/appointments/"+id, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "cancelled", got["status"])
	assert.Equal(t, "Заболела", got["cancel_reason"])
	p.noSidewaysScroll()
	p.shots("appointments-cancelled")
}

// A contraindication in the questionnaire: booking a chemical peel online
// is refused (422 not_eligible) and the page shows why.
func TestWebBookingContraindication(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.waitReady("home")
	status, _ := p.apiCall("POST", "me/consents", map[string]any{"type": "health_data", "granted": true, "text_version": "2026-01"})
	require.Equal(t, http.StatusCreated, status)
	status, _ = p.apiCall("PUT", "me/profile", map[string]any{"contraindications": []string{"pregnancy"}})
	require.Equal(t, http.StatusOK, status)

	p.open("book?service_id=svc-peel-tca")
	p.waitReady("book")
	p.click(`.bk-branches [data-branch="branch-tverskaya"]`)
	p.waitVisible(`.bk-slot`)
	p.click(`.bk-slot`)
	p.expect("POST /api/v1/me/appointments", http.StatusUnprocessableEntity)
	p.click(`[data-action=confirm]`)
	p.waitVisible(`.bk-not-eligible`)
	text := p.text(".bk-not-eligible")
	assert.Contains(t, text, "недоступна")
	assert.Contains(t, text, "беременность", "the reason from the 422 answer")
	assert.True(t, eval[bool](p, `document.querySelector('.bk-confirm').hidden`))
	p.noSidewaysScroll()
	p.shots("book-not-eligible")
}

// Offers, recommendations with their reasons, a service page with the
// favourite toggle, the favourites (add, list, remove, book from one), and
// a course's progress on home.
func TestWebBookingOffersRecommendationsFavorites(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.waitReady("home")

	// Offers: every current offer is listed.
	status, offers := p.apiCall("GET", "me/offers", nil)
	require.Equal(t, http.StatusOK, status)
	list, _ := offers["offers"].([]any)
	require.NotEmpty(t, list, "a new client has the welcome offer")
	p.open("offers")
	p.waitReady("offers")
	for _, o := range list {
		assert.Contains(t, p.text("main"), o.(map[string]any)["title"])
	}
	p.noSidewaysScroll()
	p.shots("offers")

	// Recommendations with their reasons, and "why exactly".
	status, recs := p.apiCall("GET", "me/recommendations", nil)
	require.Equal(t, http.StatusOK, status)
	rl, _ := recs["recommendations"].([]any)
	require.NotEmpty(t, rl)
	first := rl[0].(map[string]any)
	p.open("recommendations")
	p.waitReady("recommendations")
	item := fmt.Sprintf(`.bk-rec[data-item=%q]`, first["item_id"])
	assert.Contains(t, p.text(item), first["name"])
	assert.Contains(t, p.text(item), first["reasons"].([]any)[0])
	p.click(item + ` .bk-explain-btn`)
	p.waitVisible(item + ` .bk-explain`)
	p.noSidewaysScroll()
	p.shots("recommendations")

	// The service page: price, duration, booking, favourite.
	p.open("services/svc-peel-almond")
	p.waitReady("service")
	assert.Contains(t, p.text("main h1"), "Миндальный пилинг")
	assert.Contains(t, p.text(".bk-svc-meta"), "45")
	assert.Equal(t, "false", bkAttr(p, `.bk-fav`, "aria-pressed"))
	p.click(`.bk-fav`)
	p.poll(`document.querySelector('.bk-fav').getAttribute('aria-pressed') === 'true'`, "the service in favourites")
	p.noSidewaysScroll()
	p.shots("service")

	// Favourites: the service is there; add a product, remove it.
	p.open("favorites")
	p.waitReady("favorites")
	p.waitVisible(`[data-favorite="service:svc-peel-almond"]`)
	product := eval[string](p, `[...document.querySelectorAll('.bk-fav-add option')].find((o) => o.value.startsWith('product:'))?.value ?? ''`)
	require.NotEmpty(t, product)
	p.run(chromedp.SetValue(chromedp.CSS(`.bk-fav-add select`), product))
	p.click(`.bk-fav-add button[type=submit]`)
	p.waitVisible(fmt.Sprintf(`[data-favorite=%q]`, product))
	p.noSidewaysScroll()
	p.shots("favorites")
	p.click(fmt.Sprintf(`[data-remove=%q]`, product))
	p.poll(fmt.Sprintf(`!document.querySelector('[data-favorite=%q]')`, product), "the product removed")
	status, favs := p.apiCall("GET", "me/favorites", nil)
	require.Equal(t, http.StatusOK, status)
	fl, _ := favs["favorites"].([]any)
	require.Len(t, fl, 1)
	assert.Equal(t, "svc-peel-almond", fl[0].(map[string]any)["item_id"])

	// A favourite service starts a booking.
	p.click(`[data-favorite="service:svc-peel-almond"] [data-book]`)
	p.waitReady("book")
	assert.Contains(t, p.text("main h1"), "Миндальный пилинг")

	// A course assigned by the manager shows on home with its progress.
	manager, _ := signIn(t, srv.base, demoManager, "email", demoManager)
	clientID := eval[string](p, `fetch('api/v1/auth/session').then((r) => r.json()).then((s) => s.user.id)`)
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/staff/plans", manager,
		map[string]any{"client_id": clientID, "service_id": "svc-peel-almond", "branch_id": demoBranchCenter, "sessions": 4}, nil))
	p.open("")
	p.waitReady("home")
	course := p.text(".bk-course")
	assert.Contains(t, course, "Миндальный пилинг")
	assert.Contains(t, course, "Пройдено 0 из 4")
	assert.Equal(t, "0", bkAttr(p, `.bk-course [role=progressbar]`, "aria-valuenow"))
	assert.Contains(t, bkAttr(p, `.bk-course a.button`, "href"), "plan_id=")
	assert.NotEmpty(t, p.text(".bk-home-offers"))
	assert.NotEmpty(t, p.text(".bk-home-recs .bk-reasons"), "the top recommendations with their reasons")
	p.noSidewaysScroll()
	p.shots("home-course")

	// Its next session is booked from there, as a session of the course.
	p.click(`.bk-course a.button`)
	p.waitReady("book")
	assert.Equal(t, "true", bkAttr(p, `.bk-branches [data-branch="branch-tverskaya"]`, "aria-pressed"), "the course's branch")
	p.waitVisible(`.bk-slot`)
	p.click(`.bk-slot`)
	p.click(`[data-action=confirm]`)
	p.waitReady("appointment")
	booked := eval[string](p, `document.querySelector('.bk-appt').dataset.appointment`)
	status, appt := p.apiCall("GET", "me/appointments/"+booked, nil)
	require.Equal(t, http.StatusOK, status)
	assert.NotEmpty(t, appt["plan_id"], "booked as a session of the course")
	p.click(`#tabs a[data-tab="/"]`)
	p.waitReady("home")
	assert.Contains(t, p.text(".bk-course"), "Записано: 1")

	// In English.
	p.setLang("en") // as the switch does
	p.open("")
	p.waitReady("home")
	require.Equal(t, "en", eval[string](p, `document.documentElement.lang`))
	assert.Contains(t, p.text(".bk-home-next h2"), "Your next visit")
	assert.Contains(t, p.text(".bk-course"), "0 of 4 sessions done")
	p.open("book?service_id=svc-massage")
	p.waitVisible(`.bk-slot`) // the branch of the course's booking is remembered
	assert.Contains(t, p.text("main"), "Any specialist")
	p.noSidewaysScroll()
	p.shots("book-en")
}
