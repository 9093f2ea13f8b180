package main

// Browser tests of the account pages: "More" (notification settings, push,
// language, export and erasure, sign-out), devices and reviews.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// accUnlabelled lists the form controls in main that have no accessible
// name (no <label>, aria-label or aria-labelledby).
func accUnlabelled(p *tab) []string {
	p.t.Helper()
	return eval[[]string](p, `[...document.querySelectorAll('main input, main select, main textarea')]
		.filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
		.map((e) => e.outerHTML)`)
}

// accLabel is the text of the label of the control at sel.
func accLabel(p *tab, sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.labels && e.labels[0] ? e.labels[0].textContent.trim() : ''; })()`, sel))
}

// accSetValue sets a form control's value as a person would, firing input
// and change (time inputs and selects do not take typed keys reliably).
func accSetValue(p *tab, sel, value string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false;
		e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return e.value === %q; })()`,
		sel, value, value))
	require.True(p.t, ok, "set %s to %q", sel, value)
}

// accChecked reports whether the checkbox at sel is checked.
func accChecked(p *tab, sel string) bool {
	p.t.Helper()
	return eval[bool](p, fmt.Sprintf(`!!document.querySelector(%q)?.checked`, sel))
}

// accType replaces the text of the field at sel by typing text.
func accType(p *tab, sel, text string) {
	p.t.Helper()
	accSetValue(p, sel, "")
	p.run(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// accPollAcrossReload waits until expr is true, through a reload of the
// page (an evaluation that the reload interrupts is tried again).
func accPollAcrossReload(p *tab, expr, what string) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.fail(fmt.Errorf("waiting for %s: %v", what, err))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// accAddEmail adds an e-mail address to the signed-in client of p, with
// the code sent to it (so a second device can sign in without waiting for
// the phone's resend cooldown).
func accAddEmail(t *testing.T, p *tab, email string) {
	t.Helper()
	before := len(outboxTo(t, p.srv, email))
	status, ticket := p.apiCall(http.MethodPost, "me/identifiers", map[string]string{"identifier": email})
	require.Equal(t, http.StatusAccepted, status, "%v", ticket)
	code := lastCode(t, p.srv, email, before)
	status, body := p.apiCall(http.MethodPost, "me/identifiers/verify", map[string]any{"challenge_id": ticket["challenge_id"], "code": code})
	require.Equal(t, http.StatusOK, status, "%v", body)
}

// Notification settings: a category × channel checkbox, quiet hours, the
// time zone and the marketing consent are saved, survive a reload, and the
// API agrees; every control is labelled; push says what it can do here.
func TestWebAccountSettings(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{}) // push into the dev outbox
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.open("settings")
	p.waitReady("settings")
	assert.Equal(t, "Ещё", p.text("h1"))
	p.noSidewaysScroll()
	assert.Empty(t, accUnlabelled(p), "controls without a label")

	// The grid: one labelled checkbox per category and channel; the default
	// reminders go by SMS and push, not e-mail.
	assert.Equal(t, 15, eval[int](p, `document.querySelectorAll('table.acc-grid tbody input[type=checkbox]').length`), "5 categories × 3 channels")
	assert.Equal(t, "Напоминания о визитах — E-mail", accLabel(p, `input[name="reminders.email"]`))
	assert.Equal(t, "Акции и предложения — SMS", accLabel(p, `input[name="offers.sms"]`))
	assert.Equal(t, []string{"Тема", "SMS", "E-mail", "Push"}, eval[[]string](p, `[...document.querySelectorAll('table.acc-grid thead th')].map((e) => e.innerText.trim())`))
	require.False(t, accChecked(p, `input[name="reminders.email"]`))
	require.True(t, accChecked(p, `input[name="reminders.sms"]`))
	assert.Contains(t, p.text(".acc-security"), "Коды для входа")
	p.shots("settings")

	// Change: reminders by e-mail too, no offers by push, quiet hours
	// 22:30–08:15 in Yekaterinburg, and the marketing consent.
	p.click(`input[name="reminders.email"]`)
	p.click(`input[name="offers.push"]`)
	require.True(t, accChecked(p, `#acc-quiet-on`), "quiet hours are on by default")
	accSetValue(p, `input[name="quiet_hours.start"]`, "22:30")
	accSetValue(p, `input[name="quiet_hours.end"]`, "08:15")
	accSetValue(p, `select[name="time_zone"]`, "Asia/Yekaterinburg")
	p.click(`#acc-marketing`)
	p.click(`form.acc-notify button[type=submit]`)
	p.waitText(".acc-status", "Настройки сохранены")

	// A reload shows the same.
	p.open("settings")
	p.waitReady("settings")
	assert.True(t, accChecked(p, `input[name="reminders.email"]`))
	assert.True(t, accChecked(p, `input[name="reminders.sms"]`))
	assert.False(t, accChecked(p, `input[name="offers.push"]`))
	assert.True(t, accChecked(p, `#acc-marketing`))
	assert.Equal(t, "22:30", eval[string](p, `document.querySelector('input[name="quiet_hours.start"]').value`))
	assert.Equal(t, "08:15", eval[string](p, `document.querySelector('input[name="quiet_hours.end"]').value`))
	assert.Equal(t, "Asia/Yekaterinburg", eval[string](p, `document.querySelector('select[name="time_zone"]').value`))

	// And so does the API, with the consent in the card too.
	status, doc := p.apiCall(http.MethodGet, "me/notification-settings", nil)
	require.Equal(t, http.StatusOK, status)
	channels := doc["channels"].(map[string]any)
	assert.Equal(t, []any{"sms", "push", "email"}, channels["reminders"], "the order of preference kept, e-mail added last")
	assert.Equal(t, []any{"email"}, channels["offers"])
	assert.Equal(t, []any{"sms", "email", "push"}, channels["appointments"], "untouched")
	assert.Equal(t, map[string]any{"start": "22:30", "end": "08:15"}, doc["quiet_hours"])
	assert.Equal(t, "Asia/Yekaterinburg", doc["time_zone"])
	assert.Equal(t, true, doc["marketing_consent"].(map[string]any)["granted"])
	status, consents := p.apiCall(http.MethodGet, "me/consents", nil)
	require.Equal(t, http.StatusOK, status)
	granted := map[string]any{}
	for _, c := range consents["consents"].([]any) {
		granted[c.(map[string]any)["type"].(string)] = c.(map[string]any)["granted"]
	}
	assert.Equal(t, true, granted["marketing"])

	// Quiet hours off, saved, reloaded: off.
	p.click(`#acc-quiet-on`)
	assert.True(t, eval[bool](p, `document.querySelector('input[name="quiet_hours.start"]').disabled`))
	p.click(`form.acc-notify button[type=submit]`)
	p.waitText(".acc-status", "Настройки сохранены")
	p.open("settings")
	p.waitReady("settings")
	assert.False(t, accChecked(p, `#acc-quiet-on`))
	_, doc = p.apiCall(http.MethodGet, "me/notification-settings", nil)
	assert.Nil(t, doc["quiet_hours"])

	// Push on this device: the control is there (the clinic has push); in a
	// headless browser it may be refused or unsupported, and then it says so
	// instead of failing.
	p.waitVisible(".acc-push")
	state := eval[string](p, `document.querySelector('.acc-push').dataset.state`)
	t.Logf("push on this device: %s", state)
	if state == "off" {
		p.click(".acc-push button")
		p.poll(`document.querySelector('.acc-push').dataset.state !== 'off'`, "push turned on or refused")
		state = eval[string](p, `document.querySelector('.acc-push').dataset.state`)
		t.Logf("push after the click: %s", state)
	}
	assert.Contains(t, []string{"on", "denied", "unsupported", "failed"}, state)
	assert.NotEmpty(t, p.text(".acc-push-text"))
	if state == "on" {
		_, subs := p.apiCall(http.MethodGet, "me/push-subscriptions", nil)
		assert.Len(t, subs["subscriptions"], 1, "the subscription is registered with the API")
	}

	// The export is a download of the archive.
	assert.Equal(t, srv.base+"/api/v1/me/export", eval[string](p, `document.querySelector('.acc-data a[download]').href`))
	assert.Equal(t, "200 application/zip", eval[string](p,
		`fetch(document.querySelector('.acc-data a[download]').href).then((r) => r.status + ' ' + r.headers.get('Content-Type'))`))

	// The links to the other account pages.
	for _, path := range []string{"devices", "reviews", "offers", "favorites", "recommendations"} {
		assert.True(t, eval[bool](p, fmt.Sprintf(`!!document.querySelector('.acc-links a[href=%q]')`, path)), path)
	}

	// At 1280 px as well.
	require.NoError(t, p.resize(desktop))
	p.noSidewaysScroll()
}

// The settings work with the keyboard alone.
func TestWebAccountSettingsKeyboard(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.open("settings")
	p.waitReady("settings")
	p.noSidewaysScroll()

	// Keyboard: Space toggles a focused checkbox, Enter on the button saves.
	p.run(chromedp.Focus(chromedp.CSS(`input[name="orders.sms"]`)), chromedp.KeyEvent(" "))
	assert.True(t, accChecked(p, `input[name="orders.sms"]`))
	p.run(chromedp.Focus(chromedp.CSS(`form.acc-notify button[type=submit]`)), chromedp.KeyEvent("\r"))
	p.waitText(".acc-status", "Настройки сохранены")
	_, doc := p.apiCall(http.MethodGet, "me/notification-settings", nil)
	assert.Equal(t, []any{"email", "push", "sms"}, doc["channels"].(map[string]any)["orders"])
}

// The language switch in the header turns the page English and back; the
// header's sign-out signs out.
func TestWebAccountLanguageAndSignOut(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.open("settings")
	p.waitReady("settings")
	assert.Equal(t, "Ещё", p.text("h1"))

	p.click(".lang-switch")
	accPollAcrossReload(p, `document.documentElement.lang === 'en' && document.documentElement.dataset.ready === 'settings'`, "the English page")
	assert.Equal(t, "More", p.text("h1"))
	assert.Equal(t, "Visit reminders — E-mail", accLabel(p, `input[name="reminders.email"]`))
	assert.Contains(t, p.text(".acc-links"), "Devices and sign-ins")
	p.noSidewaysScroll()
	p.shots("settings-en")

	// The page's own language choice works the same way back.
	p.click(`.acc-language button[lang=ru]`)
	accPollAcrossReload(p, `document.documentElement.lang === 'ru' && document.documentElement.dataset.ready === 'settings'`, "the Russian page")
	assert.Equal(t, "Ещё", p.text("h1"))
	assert.Equal(t, "true", eval[string](p, `document.querySelector('.acc-language button[lang=ru]').getAttribute('aria-pressed')`))

	// Sign out from the header.
	p.clickText("Выйти")
	p.waitReady("signin")
	assert.Equal(t, false, eval[bool](p, `fetch('api/v1/auth/session').then((r) => r.json()).then((s) => s.signed_in)`))
	p.open("settings")
	p.waitReady("signin")
}

// Devices: a second browser (another device) signs in; both see two
// sessions; the first ends the other one, whose next request finds it
// signed out.
func TestWebAccountDevices(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	accAddEmail(t, p, "anna@example.com")

	other := openTab(t, srv, desktop)
	other.signIn("anna@example.com", "anna@example.com")
	other.open("devices")
	other.waitReady("devices")
	assert.Equal(t, 2, eval[int](other, `document.querySelectorAll('.acc-session').length`))

	p.open("devices")
	p.waitReady("devices")
	p.noSidewaysScroll()
	assert.Empty(t, accUnlabelled(p))
	assert.Equal(t, 2, eval[int](p, `document.querySelectorAll('.acc-session').length`))
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.acc-session[data-current=true]').length`))
	assert.Contains(t, p.text(`.acc-session[data-current=true]`), "Это устройство")
	assert.False(t, eval[bool](p, `!!document.querySelector('.acc-session[data-current=true] button')`), "this device is signed out with the sign-out button, not revoked")
	assert.Contains(t, eval[string](p, `document.querySelector('.acc-session[data-current=false] button').getAttribute('aria-label')`), "Завершить сеанс: Chrome")
	p.shots("devices")

	// End the other one.
	p.click(`.acc-session[data-current=false] button`)
	p.poll(`document.querySelectorAll('.acc-session').length === 1`, "one session left")
	assert.Contains(t, p.text(".acc-sessions"), "только на этом устройстве")

	// The other device's next request finds it signed out, and it goes to sign-in.
	other.expect("GET /api/v1/me/notification-settings", http.StatusUnauthorized)
	other.click(`#tabs a[data-tab="/settings"]`)
	other.waitReady("signin")
	assert.Contains(t, other.text("#toast"), "Сеанс завершён")
	assert.Equal(t, false, eval[bool](other, `fetch('api/v1/auth/session').then((r) => r.json()).then((s) => s.signed_in)`))

	// This device is still signed in.
	p.open("devices")
	p.waitReady("devices")
}

// "Sign out on every other device" ends the others and keeps this one.
func TestWebAccountSignOutElsewhere(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	accAddEmail(t, p, "anna@example.com")
	other := openTab(t, srv, phone)
	other.signIn("anna@example.com", "anna@example.com")

	p.open("devices")
	p.waitReady("devices")
	require.Equal(t, 2, eval[int](p, `document.querySelectorAll('.acc-session').length`))
	p.click(".acc-revoke-others")
	p.poll(`document.querySelectorAll('.acc-session').length === 1`, "one session left")
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.acc-session[data-current=true]').length`))

	other.open("devices") // a fresh load: the session is gone
	other.waitReady("signin")
}

// Reviews: a visit the clinic booked and completed shows up to review; the
// client writes a review (pending), edits it, and sees the clinic's reply
// once it is published.
func TestWebAccountReviews(t *testing.T) {
	t.Parallel()
	dirs := newDirs(t)
	srv := start(t, dirs, env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	clientID := eval[string](p, `fetch('api/v1/auth/session').then((r) => r.json()).then((s) => s.user.id)`)
	require.NotEmpty(t, clientID)

	// Nothing to review yet.
	p.open("reviews")
	p.waitReady("reviews")
	assert.Contains(t, p.text(".acc-to-review"), "после визита")

	// The front desk books a consultation for the client…
	ownerToken, owner := signIn(t, srv.base, demoOwner, "email", demoOwner)
	today := time.Now().In(bkMoscowZone(t))
	var slots struct {
		Slots []struct {
			Start        time.Time `json:"start"`
			SpecialistID string    `json:"specialist_id"`
		} `json:"slots"`
	}
	url := fmt.Sprintf("%s/api/v1/slots?service_id=svc-consultation&branch_id=%s&from=%s&to=%s", srv.base, demoBranchCenter,
		today.Format(time.DateOnly), today.AddDate(0, 0, 13).Format(time.DateOnly))
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, url, "", nil, &slots))
	require.NotEmpty(t, slots.Slots)
	slot := slots.Slots[0]
	var appt struct {
		ID string `json:"id"`
	}
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/staff/appointments", ownerToken, map[string]any{
		"client_id": clientID, "service_id": "svc-consultation", "branch_id": demoBranchCenter,
		"specialist_id": slot.SpecialistID, "start": slot.Start.Format(time.RFC3339),
	}, &appt))

	// …and completes it once it has taken place: the visit is hours ahead,
	// so the completion runs with a clock set after it (the API has no
	// clock to turn), on the same database.
	st, err := sqlite.Open(t.Context(), dirs.db)
	require.NoError(t, err)
	defer st.Close()
	sched, err := booking.New(booking.Config{Store: st, Now: func() time.Time { return slot.Start.Add(45 * time.Minute) }})
	require.NoError(t, err)
	_, err = sched.Complete(t.Context(), booking.Actor{UserID: owner.ID, Role: booking.RoleAdmin}, appt.ID, "")
	require.NoError(t, err)

	// The visit waits for a review.
	p.open("reviews")
	p.waitReady("reviews")
	visit := fmt.Sprintf(`.acc-visit[data-appointment=%q]`, appt.ID)
	p.waitVisible(visit)
	assert.Contains(t, p.text(visit), "Консультация косметолога")
	p.noSidewaysScroll()
	p.shots("reviews-to-write")

	// Write it: no rating is refused on the page; four stars and a text go.
	p.click(visit + " button.acc-write")
	p.waitVisible(visit + " form.acc-review-form")
	assert.Empty(t, accUnlabelled(p))
	p.click(visit + " form.acc-review-form button[type=submit]")
	p.waitVisible(visit + " .acc-rating .field-error:not([hidden])")
	p.click(visit + ` label[for$="-4"]`)
	assert.Equal(t, 4, eval[int](p, fmt.Sprintf(`document.querySelectorAll('%s .acc-star.on').length`, visit)))
	accType(p, visit+" textarea", "Внимательный доктор, всё объяснила.")
	p.shots("reviews-form")
	p.click(visit + " form.acc-review-form button[type=submit]")
	p.waitVisible(`.acc-review[data-status=pending]`)
	assert.False(t, eval[bool](p, fmt.Sprintf(`!!document.querySelector(%q)`, visit)), "no longer waiting")
	review := `.acc-review[data-status=pending]`
	assert.Contains(t, p.text(review), "На проверке")
	assert.Contains(t, p.text(review), "Внимательный доктор, всё объяснила.")
	assert.Equal(t, "Оценка: 4 из 5", eval[string](p, `document.querySelector('.acc-review .acc-stars').getAttribute('aria-label')`))
	assert.Contains(t, p.text(review), "Изменить можно до")

	// Edit it: five stars, another text; still pending.
	p.click(review + " button.acc-edit")
	p.waitVisible(review + " form.acc-review-form")
	assert.Equal(t, "Внимательный доктор, всё объяснила.", eval[string](p, `document.querySelector('.acc-review textarea').value`))
	p.click(review + ` label[for$="-5"]`)
	accType(p, review+" textarea", "Внимательный доктор, всё объяснила. Кожа стала лучше!")
	p.click(review + " form.acc-review-form button[type=submit]")
	p.waitText(".acc-review .acc-review-body", "Кожа стала лучше!")
	assert.Equal(t, "Оценка: 5 из 5", eval[string](p, `document.querySelector('.acc-review .acc-stars').getAttribute('aria-label')`))
	assert.Equal(t, "pending", eval[string](p, `document.querySelector('.acc-review').dataset.status`))
	status, mine := p.apiCall(http.MethodGet, "me/reviews", nil)
	require.Equal(t, http.StatusOK, status)
	reviews := mine["reviews"].([]any)
	require.Len(t, reviews, 1)
	r := reviews[0].(map[string]any)
	assert.Equal(t, 5.0, r["rating"])
	assert.Equal(t, "pending", r["status"])
	p.noSidewaysScroll()
	p.shots("reviews")

	// The clinic publishes it with a reply: the client sees both.
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, srv.base+"/api/v1/staff/reviews/"+r["id"].(string)+"/moderate", ownerToken,
		map[string]any{"status": "published", "reply": "Спасибо, ждём вас снова!"}, nil))
	p.open("reviews")
	p.waitReady("reviews")
	assert.Equal(t, "published", eval[string](p, `document.querySelector('.acc-review').dataset.status`))
	assert.Contains(t, p.text(".acc-review"), "Опубликован")
	assert.Contains(t, p.text(".acc-review .acc-reply"), "Спасибо, ждём вас снова!")
	p.shots("reviews-published")
}

// bkMoscowZone is the demo branches' zone.
func bkMoscowZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	return loc
}

// Erasure: a clear warning, a confirmation box, a code sent to the phone;
// a wrong code erases nothing and says so; the right one deletes the account
// and signs out.
func TestWebAccountErase(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	p.open("settings")
	p.waitReady("settings")

	p.clickText("Удалить аккаунт…")
	p.waitVisible(".acc-erase-form")
	assert.Contains(t, p.text(".acc-erase"), "Удаление нельзя отменить")
	assert.Contains(t, p.text(".acc-erase"), "сначала скачайте архив")
	assert.Empty(t, accUnlabelled(p))
	p.click(".acc-erase-form button[type=submit]")
	p.waitVisible(`.acc-erase [data-field=understood] .field-error:not([hidden])`)
	p.noSidewaysScroll()
	p.shots("settings-erase")

	before := len(outboxTo(t, srv, "+79123456789"))
	p.click("#acc-erase-understood")
	p.click(".acc-erase-form button[type=submit]")
	p.waitVisible(`.acc-erase input[name=code]`)
	code := lastCode(t, srv, "+79123456789", before)

	// A wrong code: said on the field, still signed in.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	p.expect("DELETE /api/v1/me", http.StatusUnprocessableEntity)
	p.fill(`.acc-erase input[name=code]`, wrong)
	p.click(".acc-erase-form button[type=submit]")
	p.waitVisible(`.acc-erase .field-error:not([hidden])`)
	assert.Contains(t, p.text(`.acc-erase .field-error:not([hidden])`), "Осталось попыток: 4")
	assert.Equal(t, "settings", eval[string](p, `document.documentElement.dataset.ready`))

	p.fill(`.acc-erase input[name=code]`, code)
	p.click(".acc-erase-form button[type=submit]")
	p.waitReady("signin")
	assert.Contains(t, p.text("#toast"), "Аккаунт и данные удалены")
	assert.Equal(t, false, eval[bool](p, `fetch('api/v1/auth/session').then((r) => r.json()).then((s) => s.signed_in)`))
}

// With notifications allowed (as a person would allow them), turning push
// on subscribes this browser and registers it with the API — or, where the
// browser has no push service (headless, offline), says it could not.
func TestWebAccountPushAllowed(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")
	for _, name := range []string{"notifications", "push"} {
		_, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name, UserVisibleOnly: true}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: srv.base, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID})
		require.NoError(t, err, name)
	}
	p.open("settings")
	p.waitReady("settings")
	require.Equal(t, "off", eval[string](p, `document.querySelector('.acc-push').dataset.state`))
	p.click(".acc-push button")
	p.poll(`document.querySelector('.acc-push').dataset.state !== 'off'`, "push turned on or refused")
	state := eval[string](p, `document.querySelector('.acc-push').dataset.state`)
	t.Logf("push with notifications allowed: %s (%s)", state, p.text(".acc-push-text"))
	_, subs := p.apiCall(http.MethodGet, "me/push-subscriptions", nil)
	switch state {
	case "on":
		assert.Len(t, subs["subscriptions"], 1, "the subscription is registered with the API")
		p.open("devices")
		p.waitReady("devices")
		assert.Contains(t, p.text(".acc-push-list"), "Этот браузер")
	case "failed":
		assert.Empty(t, subs["subscriptions"])
		assert.Contains(t, p.text(".acc-push-text"), "Не удалось включить")
	default:
		t.Fatalf("push state %q", state)
	}
	// Each test tab is its own browser context, which Chromium treats as
	// incognito: it refuses push there and says so in the console itself.
	// That line is the browser's, not the page's.
	p.mu.Lock()
	p.console = slices.DeleteFunc(p.console, func(line string) bool {
		return strings.Contains(line, "does not support the Push API in incognito mode")
	})
	p.mu.Unlock()
}
