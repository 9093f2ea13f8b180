package main

// Browser tests of the card pages: the hub, the questionnaire with its
// consent asked in place, photos (upload, gallery, before / after slider),
// the skin chart, the printable report, visits, purchases, orders and the
// catalogue. Helpers here start with "card" so they never collide with the
// other pages' tests in this package.

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

const (
	cardPhone = "+7 912 345-67-89"
	cardE164  = "+79123456789"
)

// cardClient starts a server, opens a phone tab and signs the demo client in.
func cardClient(t *testing.T) (*instance, *tab, dirs) {
	t.Helper()
	d := newDirs(t)
	srv := start(t, d, env{})
	p := openTab(t, srv, phone)
	p.signIn(cardPhone, cardE164)
	return srv, p, d
}

// cardSetValue sets the value of the input or select at sel as a person
// would (input and change events fire).
func (p *tab) cardSetValue(sel, value string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false;
		e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));
		return e.value === %q; })()`, sel, value, value))
	require.True(p.t, ok, "set %s to %q", sel, value)
}

// cardType types text into the input or textarea at sel, after emptying
// it (the harness's fill cannot clear an empty textarea).
func (p *tab) cardType(sel, text string) {
	p.t.Helper()
	p.cardSetValue(sel, "")
	p.run(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// cardLabelled checks that every form control on the page has a label
// (a <label>, aria-label or aria-labelledby), and that every group of
// checkboxes or radios sits in a fieldset with a legend.
func (p *tab) cardLabelled() {
	p.t.Helper()
	unlabelled := eval[[]string](p, `[...document.querySelectorAll('main input, main select, main textarea')]
		.filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
		.map((e) => e.outerHTML.slice(0, 120))`)
	assert.Empty(p.t, unlabelled, "form controls without a label on %s", eval[string](p, `location.pathname`))
	loose := eval[[]string](p, `(() => {
		const names = new Map();
		document.querySelectorAll('main input[type=checkbox], main input[type=radio]').forEach((e) => names.set(e.name, (names.get(e.name) || 0) + 1));
		return [...names].filter(([name, n]) => n > 1).map(([name]) => name).filter((name) => {
			const e = document.querySelector('main input[name="' + name + '"]');
			const fs = e.closest('fieldset');
			return !fs || !fs.querySelector(':scope > legend');
		});
	})()`)
	assert.Empty(p.t, loose, "groups of checkboxes or radios outside a fieldset with a legend")
}

// cardPage checks a page drawn at the phone's width: no sideways scroll,
// labelled controls, one h1; then the screenshots.
func (p *tab) cardPage(module, shot string) {
	p.t.Helper()
	p.waitReady(module)
	p.noSidewaysScroll()
	p.cardLabelled()
	assert.Equal(p.t, 1, eval[int](p, `document.querySelectorAll('main h1').length`), "one h1 on %s", module)
	p.shots(shot)
}

// cardSession reads the signed-in user's ID and the CSRF token in the page.
func (p *tab) cardSession() (userID, csrf string) {
	p.t.Helper()
	v := eval[[]string](p, `fetch('api/v1/auth/session').then((r) => r.json()).then((s) => [s.user.id, s.csrf_token])`)
	require.Len(p.t, v, 2)
	return v[0], v[1]
}

// cardFetch sends a JSON request from the page with the session's cookie
// and CSRF token and returns the status.
func (p *tab) cardFetch(method, path string, body string) int {
	p.t.Helper()
	_, csrf := p.cardSession()
	return eval[int](p, fmt.Sprintf(`fetch(%q, {method: %q, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': %q}, body: %s}).then((r) => r.status)`,
		"api/v1/"+path, method, csrf, cmpBody(body)))
}

func cmpBody(body string) string {
	if body == "" {
		return "undefined"
	}
	return fmt.Sprintf("%q", body)
}

// cardJPEG writes a real JPEG (w×h, a soft gradient with a disc whose
// shade is tone) into dir and returns its path.
func cardJPEG(t *testing.T, dir, name string, w, h int, tone uint8) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: uint8(180 + 60*x/w), G: uint8(140 + 60*y/h), B: 150, A: 255}
			dx, dy := x-w/2, y-h/2
			if dx*dx+dy*dy < (w/3)*(w/3) {
				c = color.RGBA{R: tone, G: uint8(int(tone) * 8 / 10), B: uint8(int(tone) * 7 / 10), A: 255}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, jpeg.Encode(f, img, &jpeg.Options{Quality: 85}))
	require.NoError(t, f.Close())
	return path
}

// cardImagesLoaded waits until every image at sel has loaded.
func (p *tab) cardImagesLoaded(sel string, atLeast int) {
	p.t.Helper()
	p.poll(fmt.Sprintf(`(() => { const im = [...document.querySelectorAll(%q)]; return im.length >= %d && im.every((i) => i.complete && i.naturalWidth > 0); })()`, sel, atLeast),
		fmt.Sprintf("%d loaded images at %s", atLeast, sel))
}

// cardStaff signs the demo clinic's owner (an admin) in over the API.
func cardStaff(t *testing.T, srv *instance) string {
	t.Helper()
	token, _ := signIn(t, srv.base, demoOwner, "email", demoOwner)
	return token
}

// The questionnaire: the health answers wait for the consent, asked in
// place with its text; the answers are saved and come back after a reload;
// a save refused for a consent withdrawn meanwhile asks for it again and
// then saves. The hub shows how complete the questionnaire is.
func TestWebCardQuestionnaire(t *testing.T) {
	t.Parallel()
	_, p, _ := cardClient(t)

	p.open("card")
	p.cardPage("card", "card")
	assert.Equal(t, 9, eval[int](p, `document.querySelectorAll('main .kc-tile').length`))
	assert.Contains(t, p.text(`a[data-tile=questionnaire]`), "Ещё не заполнена")
	assert.Contains(t, p.text(`.kc-consents`), "не дано")

	p.click(`a[data-tile=questionnaire]`)
	p.waitReady("questionnaire")
	assert.Contains(t, p.text(`.kc-consent[data-consent=health_data]`), "Версия текста")
	assert.True(t, eval[bool](p, `document.querySelector('fieldset.kc-plain').disabled`), "health answers locked before the consent")
	p.cardPage("questionnaire", "questionnaire-consent")

	p.fill(`input[name=name]`, "Анна Смирнова")
	p.cardSetValue(`input[name=birth_date]`, "1990-03-15")
	p.cardSetValue(`select[name=gender]`, "female")
	p.cardSetValue(`select[name=preferred_branch_id]`, "branch-tverskaya")

	// The consent: the box must be ticked first.
	p.clickText("Дать согласие")
	p.waitText(`.kc-consent .field-error`, "Отметьте")
	p.click(`.kc-consent input[name=agree]`)
	p.clickText("Дать согласие")
	p.waitVisible(`.kc-consent-ok`)
	assert.False(t, eval[bool](p, `document.querySelector('fieldset.kc-plain').disabled`))

	p.click(`input[name=skin_type][value=combination]`)
	p.click(`input[name=phototype][value="3"]`)
	assert.False(t, eval[bool](p, `document.querySelector('select[name=severity-acne]').closest('.kc-severity').hidden === false`), "severity shown only for a concern ticked")
	p.click(`input[name=concern][value=acne]`)
	p.cardSetValue(`select[name=severity-acne]`, "3")
	p.click(`input[name=concern][value=pigmentation]`)
	p.click(`input[name=contra-none]`)
	p.cardType(`textarea[name=allergies]`, "лидокаин\nпыльца берёзы")
	p.cardType(`textarea[name=home_care]`, "Мицеллярная вода")
	p.cardLabelled()
	p.clickText("Сохранить анкету")
	p.waitText(`.kc-status`, "Анкета сохранена")
	p.shots("questionnaire-filled")

	// A reload shows what was saved.
	p.open("card/questionnaire")
	p.waitReady("questionnaire")
	assert.Equal(t, "Анна Смирнова", eval[string](p, `document.querySelector('input[name=name]').value`))
	assert.Equal(t, "1990-03-15", eval[string](p, `document.querySelector('input[name=birth_date]').value`))
	assert.Equal(t, "branch-tverskaya", eval[string](p, `document.querySelector('select[name=preferred_branch_id]').value`))
	assert.True(t, eval[bool](p, `document.querySelector('input[name=skin_type][value=combination]').checked`))
	assert.True(t, eval[bool](p, `document.querySelector('input[name=phototype][value="3"]').checked`))
	assert.True(t, eval[bool](p, `document.querySelector('select[name=severity-rosacea]').closest('.kc-severity').hidden`))
	assert.True(t, eval[bool](p, `document.querySelector('input[name=concern][value=acne]').checked`))
	assert.Equal(t, "3", eval[string](p, `document.querySelector('select[name=severity-acne]').value`))
	assert.Equal(t, "2", eval[string](p, `document.querySelector('select[name=severity-pigmentation]').value`))
	assert.False(t, eval[bool](p, `document.querySelector('input[name=concern][value=rosacea]').checked`))
	assert.True(t, eval[bool](p, `document.querySelector('input[name=contra-none]').checked`))
	assert.Equal(t, "лидокаин\nпыльца берёзы", eval[string](p, `document.querySelector('textarea[name=allergies]').value`))
	saved := eval[map[string]any](p, `fetch('api/v1/me/profile').then((r) => r.json())`)
	assert.Equal(t, "combination", saved["skin_type"])
	assert.Equal(t, []any{}, saved["contraindications"])
	assert.Len(t, saved["concerns"], 2)
	version := saved["version"].(float64)

	// The consent withdrawn elsewhere: the save is refused, the page asks
	// for the consent in place and saves once it is given.
	require.Equal(t, http.StatusCreated, p.cardFetch("POST", "me/consents", `{"type":"health_data","granted":false}`))
	p.expect("PUT /api/v1/me/profile", http.StatusForbidden)
	p.cardType(`textarea[name=home_care]`, "Мицеллярная вода\nКрем SPF 50")
	p.clickText("Сохранить анкету")
	p.waitVisible(`.kc-consent[data-consent=health_data]`)
	assert.Contains(t, p.text(`.kc-consent-slot`), "сохранятся после согласия")
	p.click(`.kc-consent input[name=agree]`)
	p.clickText("Дать согласие")
	p.waitText(`.kc-status`, "Анкета сохранена")
	again := eval[map[string]any](p, `fetch('api/v1/me/profile').then((r) => r.json())`)
	assert.Greater(t, again["version"].(float64), version)
	assert.Equal(t, []any{"Мицеллярная вода", "Крем SPF 50"}, again["home_care"])

	p.open("card")
	p.waitReady("card")
	assert.Contains(t, p.text(`a[data-tile=questionnaire]`), "Заполнена на")
	assert.Contains(t, p.text(`.kc-consents [data-consent=health_data]`), "дано")

	// Withdrawn on the hub, with the health answers deleted.
	p.click(`[data-consent=health_data] button.link`)
	p.click(`input[name=delete-health_data]`)
	p.cardLabelled()
	p.shots("card-withdraw")
	p.clickText("Отозвать согласие")
	p.waitText(`.kc-consents [data-consent=health_data]`, "не дано")
	erased := eval[map[string]any](p, `fetch('api/v1/me/profile').then((r) => r.json())`)
	assert.Equal(t, "", erased["skin_type"])
	assert.Nil(t, erased["concerns"])
	assert.Equal(t, "Анна Смирнова", erased["name"], "personal answers stay")
	consent := eval[bool](p, `fetch('api/v1/me/consents').then((r) => r.json()).then((c) => c.consents.find((x) => x.type === 'health_data').granted)`)
	assert.False(t, consent)

	// English.
	p.setLang("en")
	p.open("card/questionnaire")
	p.waitReady("questionnaire")
	assert.Equal(t, "Questionnaire", p.text("h1"))
	assert.Contains(t, p.text(`main`), "Skin and health")
	assert.Contains(t, p.text(`main`), "Text version")
	p.noSidewaysScroll()
}

// Photos: the consent asked in place; a file that is not an image is
// refused with the API's message; two photos uploaded from files are in
// the gallery by area; the comparison stacks them and the slider, moved by
// keyboard, reveals the after photo.
func TestWebCardPhotos(t *testing.T) {
	t.Parallel()
	_, p, _ := cardClient(t)
	dir := t.TempDir()
	before := cardJPEG(t, dir, "before.jpg", 600, 800, 200)
	after := cardJPEG(t, dir, "after.jpg", 600, 800, 235)
	fake := filepath.Join(dir, "page.jpg")
	require.NoError(t, os.WriteFile(fake, []byte("<!doctype html><title>not a photo</title>"), 0o600))

	p.open("photos")
	p.waitReady("photos")
	assert.Zero(t, eval[int](p, `document.querySelectorAll('main input[type=file]').length`), "no upload before the consent")
	assert.Contains(t, p.text(`.kc-consent[data-consent=photos]`), "Версия текста")
	assert.Contains(t, p.text(`main`), "Фото пока нет")
	p.cardPage("photos", "photos-consent")
	p.click(`.kc-consent input[name=agree]`)
	p.clickText("Дать согласие")
	p.waitVisible(`input[type=file]`)
	assert.Equal(t, "environment", eval[string](p, `document.querySelector('input[type=file]').getAttribute('capture')`))
	assert.Equal(t, "image/jpeg,image/png,image/webp", eval[string](p, `document.querySelector('input[type=file]').accept`))

	// Not an image: 415, with the API's words on the file field.
	p.expect("POST /api/v1/me/photos", http.StatusUnsupportedMediaType)
	p.run(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{fake}))
	p.clickText("Загрузить")
	p.waitVisible(`.kc-upload .field-error:not([hidden])`)
	assert.Contains(t, p.text(`.kc-upload .field-error:not([hidden])`), "Этот формат не подходит")
	assert.Equal(t, "true", eval[string](p, `document.querySelector('input[type=file]').getAttribute('aria-invalid')`))
	p.shots("photos-error")

	// A broken JPEG: 422, said on the file field too.
	whole, err := os.ReadFile(before)
	require.NoError(t, err)
	broken := filepath.Join(dir, "broken.jpg")
	require.NoError(t, os.WriteFile(broken, whole[:len(whole)/3], 0o600))
	p.expect("POST /api/v1/me/photos", http.StatusUnprocessableEntity)
	p.run(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{broken}))
	p.clickText("Загрузить")
	p.waitText(`.kc-upload .field-error:not([hidden])`, "Снимок не получилось принять")

	// Before, a month ago; after, today.
	p.run(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{before}))
	p.cardImagesLoaded(`.kc-preview img`, 1)
	p.cardSetValue(`select[name=kind]`, "before")
	p.cardSetValue(`select[name=area]`, "face")
	p.cardSetValue(`input[name=taken_at]`, time.Now().AddDate(0, -1, 0).Format(time.DateOnly))
	p.clickText("Загрузить")
	p.waitText(`.kc-upload .kc-status`, "Фото загружено")
	p.cardImagesLoaded(`.kc-thumb img`, 1)

	p.run(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{after}))
	p.cardSetValue(`select[name=kind]`, "after")
	p.cardSetValue(`input[name=taken_at]`, "")
	p.clickText("Загрузить")
	p.poll(`document.querySelectorAll('.kc-area[data-area=face] .kc-thumb img').length === 2`, "two photos of the face")
	p.cardImagesLoaded(`.kc-thumb img`, 2)
	assert.Contains(t, p.text(`.kc-area[data-area=face]`), "Лицо")
	assert.Contains(t, p.text(`.kc-filter`), "Лицо · 2")
	p.cardPage("photos", "photos")

	// A photo opened larger.
	p.click(`.kc-thumb`)
	p.waitVisible(`dialog.kc-viewer[open]`)
	p.cardImagesLoaded(`dialog.kc-viewer img`, 1)
	p.shots("photos-viewer")
	p.clickText("Закрыть")
	p.poll(`!document.querySelector('dialog.kc-viewer').open`, "the viewer closed")

	// The comparison.
	p.clickText("Сравнить: лицо")
	p.waitReady("compare")
	p.cardImagesLoaded(`.kc-stage img`, 2)
	p.cardLabelled()
	assert.Equal(t, "50", eval[string](p, `document.querySelector('input[type=range]').value`))
	assert.Contains(t, eval[string](p, `document.querySelector('.kc-img-after').style.clipPath`), "50%")
	beforeKind := eval[string](p, `(() => { const id = document.querySelector('select[name=before]').value; return document.querySelector('select[name=before] option[value="' + id + '"]').textContent; })()`)
	assert.Contains(t, beforeKind, "до")
	p.run(chromedp.Focus(chromedp.CSS(`input[type=range]`)))
	for range 10 {
		p.run(chromedp.KeyEvent(kb.ArrowRight))
	}
	assert.Equal(t, "60", eval[string](p, `document.querySelector('input[type=range]').value`))
	assert.Contains(t, eval[string](p, `document.querySelector('.kc-img-after').style.clipPath`), "60%")
	assert.Contains(t, eval[string](p, `document.querySelector('input[type=range]').getAttribute('aria-valuetext')`), "«после» — 40%")
	assert.Equal(t, "60%", eval[string](p, `document.querySelector('.kc-divider').style.left`))
	p.run(chromedp.KeyEvent(kb.Home))
	assert.Equal(t, "0", eval[string](p, `document.querySelector('input[type=range]').value`))
	assert.Contains(t, eval[string](p, `document.querySelector('input[type=range]').getAttribute('aria-valuetext')`), "«после» — 100%")
	for range 60 {
		p.run(chromedp.KeyEvent(kb.ArrowRight))
	}
	p.cardPage("compare", "compare")
	// The pair survives a reload: the URL keeps it.
	p.run(chromedp.Reload())
	p.waitReady("compare")
	p.cardImagesLoaded(`.kc-stage img`, 2)
}

// The journal: scores added through the page draw one chart per concern,
// the client's and the specialist's as separate lines, with the numbers;
// the report for a period has the photos, the charts and the notes, and
// print styles that leave the document alone.
func TestWebCardJournalAndReport(t *testing.T) {
	t.Parallel()
	srv, p, _ := cardClient(t)

	p.open("journal")
	p.waitReady("journal")
	assert.Contains(t, p.text(`main`), "Оценок пока нет")
	p.cardPage("journal", "journal-empty")
	p.click(`.kc-consent input[name=agree]`)
	p.clickText("Дать согласие")
	p.waitVisible(`form.kc-journal-form`)

	day := func(n int) string { return time.Now().AddDate(0, 0, -n).Format(time.DateOnly) }
	add := func(date string, scores map[string]string, notes string) {
		t.Helper()
		p.cardSetValue(`input[name=date]`, date)
		for code, v := range scores {
			p.cardSetValue(fmt.Sprintf(`select[name=score-%s]`, code), v)
		}
		if notes != "" {
			p.cardType(`textarea[name=notes]`, notes)
		}
		n := eval[int](p, `document.querySelectorAll('.kc-entries > li').length`)
		p.clickText("Добавить запись")
		p.poll(fmt.Sprintf(`document.querySelectorAll('.kc-entries > li').length === %d`, n+1), "the new entry")
	}
	add(day(42), map[string]string{"acne": "7", "pigmentation": "6"}, "Высыпания на подбородке")
	add(day(21), map[string]string{"acne": "5", "pigmentation": "5"}, "")
	add(day(2), map[string]string{"acne": "3"}, "Стало заметно лучше")

	// A specialist's assessment, kept apart.
	userID, _ := p.cardSession()
	staff := cardStaff(t, srv)
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/staff/clients/"+userID+"/skin/journal", staff,
		map[string]any{"date": day(20), "kind": "assessment", "scores": map[string]int{"acne": 6}, "notes": "Воспаления уменьшились, продолжаем курс пилингов."}, nil))

	p.open("journal")
	p.waitReady("journal")
	charts := eval[[]string](p, `[...document.querySelectorAll('figure.kc-chart')].map((f) => f.dataset.concern)`)
	assert.Equal(t, []string{"acne", "pigmentation"}, charts)
	// One path per concern for the client's scores; the specialist's apart.
	assert.Equal(t, 2, eval[int](p, `document.querySelectorAll('svg path.kc-line[data-series=self_assessment]').length`))
	assert.Equal(t, []string{"acne"}, eval[[]string](p, `[...document.querySelectorAll('svg path.kc-line[data-series=assessment]')].map((e) => e.dataset.concern)`))
	acnePath := eval[string](p, `document.querySelector('path[data-concern=acne][data-series=self_assessment]').getAttribute('d')`)
	assert.Equal(t, 3, strings.Count(acnePath, "M")+strings.Count(acnePath, "L"), "three points: %s", acnePath)
	label := eval[string](p, `document.querySelector('figure[data-concern=acne] svg').getAttribute('aria-label')`)
	assert.Contains(t, label, "Акне")
	assert.Contains(t, label, "Оценка специалиста")
	assert.Equal(t, "img", eval[string](p, `document.querySelector('figure[data-concern=acne] svg').getAttribute('role')`))
	assert.Contains(t, eval[string](p, `document.querySelector('figure[data-concern=acne] svg').textContent`), "Дата")
	// The numbers, in a table behind a <details>.
	assert.Equal(t, 4, eval[int](p, `document.querySelectorAll('figure[data-concern=acne] details table tbody tr').length`))
	p.cardPage("journal", "journal")

	// Photos for the report, sent from the page as the browser would.
	require.Equal(t, http.StatusCreated, p.cardFetch("POST", "me/consents", `{"type":"photos","granted":true,"text_version":"2026-01"}`))
	_, csrf := p.cardSession()
	for _, ph := range []struct{ kind, day string }{{"before", day(40)}, {"after", day(1)}} {
		status := eval[int](p, fmt.Sprintf(`(async () => {
			const c = document.createElement('canvas'); c.width = 480; c.height = 640;
			const g = c.getContext('2d'); g.fillStyle = %q; g.fillRect(0, 0, 480, 640); g.fillStyle = '#c9a08a'; g.beginPath(); g.arc(240, 300, 150, 0, 7); g.fill();
			const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.9));
			const fd = new FormData(); fd.append('kind', %q); fd.append('area', 'cheeks'); fd.append('taken_at', %q); fd.append('file', blob, 'x.jpg');
			return (await fetch('api/v1/me/photos', {method: 'POST', body: fd, headers: {'X-CSRF-Token': %q}})).status;
		})()`, map[string]string{"before": "#e8d3c5", "after": "#f1e4da"}[ph.kind], ph.kind, ph.day, csrf))
		require.Equal(t, http.StatusCreated, status)
	}

	p.open("report")
	p.waitReady("report")
	p.cardImagesLoaded(`.kc-report img`, 2)
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.kc-pair').length`))
	assert.Contains(t, p.text(`.kc-pair`), "Щёки")
	assert.Equal(t, 2, eval[int](p, `document.querySelectorAll('.kc-report figure.kc-chart').length`))
	assert.Contains(t, p.text(`.kc-report-notes`), "Воспаления уменьшились")
	assert.Contains(t, p.text(`.kc-meta`), day(90)[:4])
	p.cardPage("report", "report")

	// Print, on a page as wide as A4: the page's chrome and the controls
	// go; the document stays.
	require.NoError(t, p.resize(viewport{Name: "a4", Width: 794, Height: 1123}))
	_, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err)
	assert.True(t, eval[bool](p, `matchMedia('print').matches`))
	hidden := eval[map[string]string](p, `Object.fromEntries(['.top', '.tabs', '.kc-report-controls', '.kc-print', '.kc-back'].map((s) => [s, getComputedStyle(document.querySelector(s)).display]))`)
	for sel, display := range hidden {
		assert.Equal(t, "none", display, "%s in print", sel)
	}
	assert.NotEqual(t, "none", eval[string](p, `getComputedStyle(document.querySelector('.kc-report')).display`))
	assert.Equal(t, "block", eval[string](p, `getComputedStyle(document.querySelector('.kc-print-only')).display`))
	assert.Equal(t, "avoid", eval[string](p, `getComputedStyle(document.querySelector('.kc-pair')).breakInside`))
	p.shot("report-print")
	_, err = chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
	require.NoError(t, err)
	require.NoError(t, p.resize(phone))

	// Another period, chosen on the page.
	p.cardSetValue(`input[name=from]`, day(10))
	p.cardSetValue(`input[name=to]`, day(0))
	p.clickText("Показать отчёт")
	p.poll(`location.search.includes('from=`+day(10)+`')`, "the period in the address")
	p.waitReady("report")
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.kc-report figure.kc-chart').length`), "only acne was scored in the last ten days")
}

// The catalogue and orders: two products into an order at a branch, placed
// through the page; the order's page and the list; the clinic hands it
// over, so it becomes a purchase, which can be ordered again; a new order
// is cancelled by the client.
func TestWebCardOrders(t *testing.T) {
	t.Parallel()
	srv, p, _ := cardClient(t)

	p.open("orders")
	p.cardPage("orders", "orders-empty")
	assert.Contains(t, p.text(`main`), "Заказов пока нет")
	p.open("purchases")
	p.cardPage("purchases", "purchases-empty")
	assert.Contains(t, p.text(`main`), "Покупок пока нет")

	p.open("products?branch_id=branch-tverskaya")
	p.waitReady("products")
	assert.Equal(t, 20, eval[int](p, `document.querySelectorAll('.kc-product').length`))
	assert.Equal(t, "branch-tverskaya", eval[string](p, `document.querySelector('select[name=branch_id]').value`))
	p.cardPage("products", "products")
	p.click(`.chip:nth-child(5)`) // a category
	assert.Less(t, eval[int](p, `document.querySelectorAll('.kc-product').length`), 20)
	p.click(`.kc-shop-main .chips .chip:first-child`)
	assert.Equal(t, 20, eval[int](p, `document.querySelectorAll('.kc-product').length`))

	p.click(`[data-product=prd-vitamin-c] .kc-add`)
	p.waitVisible(`[data-product=prd-vitamin-c] .kc-more-one`)
	p.click(`[data-product=prd-vitamin-c] .kc-more-one`)
	p.click(`[data-product=prd-spf50-fluid] .kc-add`)
	p.waitVisible(`.kc-cart-bar`)
	assert.Contains(t, p.text(`.kc-cart-bar`), "3\u00a0товара")
	assert.Equal(t, 2, eval[int](p, `document.querySelectorAll('.kc-cart-items > li').length`))
	p.noSidewaysScroll()
	p.shots("products-cart")
	p.cardType(`textarea[name=note]`, "Заберу в субботу")
	p.clickText("Оформить заказ")
	p.waitReady("order")
	assert.Contains(t, p.text("h1"), "Заказ №")
	assert.Contains(t, p.text(`main`), "Новый")
	assert.Contains(t, p.text(`main`), "Клиника на Тверской")
	assert.Equal(t, 2, eval[int](p, `document.querySelectorAll('.kc-order-table tbody tr').length`))
	total := eval[map[string]any](p, `fetch('api/v1/products/prd-vitamin-c').then((r) => r.json()).then(async (c) => ({c: c.price.amount, s: (await (await fetch('api/v1/products/prd-spf50-fluid')).json()).price.amount}))`)
	want := eval[string](p, fmt.Sprintf(`new Intl.NumberFormat('ru-RU', {style: 'currency', currency: 'RUB', maximumFractionDigits: 0}).format(%v / 100)`, 2*total["c"].(float64)+total["s"].(float64)))
	assert.Contains(t, p.text(`.kc-order-table tfoot`), want)
	p.cardPage("order", "order")
	orderID := eval[string](p, `location.pathname.split('/').pop()`)
	assert.Zero(t, eval[int](p, `(sessionStorage.getItem('kabinet-card-cart') || '').length`), "the cart emptied")

	p.open("orders")
	p.waitReady("orders")
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.kc-order[data-status=new]').length`))
	p.cardPage("orders", "orders")

	// The clinic confirms, prepares and hands the order over.
	staff := cardStaff(t, srv)
	for _, st := range []string{"confirmed", "ready", "completed"} {
		require.Equal(t, http.StatusOK, call(t, http.MethodPost, srv.base+"/api/v1/staff/orders/"+orderID+"/status", staff, map[string]string{"status": st}, nil), st)
	}
	p.open("orders/" + orderID)
	p.waitReady("order")
	assert.Contains(t, p.text(`main`), "Получен")
	assert.Equal(t, 3, eval[int](p, `document.querySelectorAll('.kc-steps li.done').length`))
	assert.Zero(t, eval[int](p, `document.querySelectorAll('.kc-cancel').length`), "a collected order cannot be cancelled")

	p.open("purchases")
	p.waitReady("purchases")
	assert.Equal(t, 2, eval[int](p, `document.querySelectorAll('.kc-purchases .kc-product').length`))
	assert.Contains(t, p.text(`[data-product=prd-vitamin-c]`), "Куплено: 2")
	assert.Contains(t, p.text(`[data-product=prd-vitamin-c]`), "Закончится примерно")
	p.cardPage("purchases", "purchases")

	// Order again: the product waits in a new order; then cancelled.
	p.click(`[data-product=prd-spf50-fluid] a.button`)
	p.waitReady("products")
	assert.Equal(t, 1, eval[int](p, `document.querySelectorAll('.kc-cart-items > li').length`))
	assert.NotContains(t, eval[string](p, `location.search`), "add=")
	p.clickText("Оформить заказ")
	p.waitReady("order")
	p.clickText("Отменить заказ")
	p.cardType(`textarea[name=reason]`, "Передумала")
	p.clickText("Да, отменить заказ")
	p.waitText(`.row.kc-head`, "Отменён")
	assert.Contains(t, p.text(`main`), "Передумала")

	// Every card page in English: its own heading, nothing wider than the phone.
	p.setLang("en")
	for path, heading := range map[string]string{"card": "My card", "card/questionnaire": "Questionnaire", "photos": "Photos",
		"photos/compare": "Before and after", "journal": "Skin dynamics", "report": "Photo report", "visits": "Visits and recommendations",
		"purchases": "My purchases", "orders": "Orders", "products": "Product catalogue", "orders/" + orderID: "Order no."} {
		p.open(path)
		assert.Contains(t, p.text("h1"), heading, path)
		p.noSidewaysScroll()
	}
	p.setLang("ru")

	// An order that is not the client's (or none at all).
	other := uuid.NewString()
	p.expect("GET /api/v1/me/orders/"+other, http.StatusNotFound)
	p.open("orders/" + other)
	p.waitReady("order")
	assert.Contains(t, p.text("h1"), "Такого заказа нет")
}

// Visits: a completed visit with the specialist's notes and
// recommendations; a recommended product opens in the catalogue.
func TestWebCardVisits(t *testing.T) {
	t.Parallel()
	srv, p, d := cardClient(t)

	p.open("visits")
	p.cardPage("visits", "visits-empty")
	assert.Contains(t, p.text(`main`), "Здесь появятся")

	// A visit ten days ago: the server books only the future, so the
	// appointment is written to the store directly, then completed and
	// annotated through the staff API.
	// The visit is the first session of a course of peels.
	userID, _ := p.cardSession()
	staff := cardStaff(t, srv)
	var plan struct {
		ID string `json:"id"`
	}
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/staff/plans", staff, map[string]any{
		"client_id": userID, "service_id": "svc-peel-almond", "branch_id": demoBranchCenter, "sessions": 4}, &plan))
	ctx := context.Background()
	st, err := sqlite.Open(ctx, d.db)
	require.NoError(t, err)
	startAt := time.Now().AddDate(0, 0, -10).Truncate(time.Hour).UTC()
	a := booking.Appointment{ID: uuid.NewString(), ClientID: userID, BranchID: demoBranchCenter, ServiceID: "svc-peel-almond",
		SpecialistID: "spec-ivanova", Start: startAt, End: startAt.Add(45 * time.Minute), BlockStart: startAt, BlockEnd: startAt.Add(55 * time.Minute),
		Status: booking.StatusConfirmed, Price: rub(3500), PlanID: plan.ID, CreatedBy: userID, CreatedAt: startAt.AddDate(0, 0, -3), UpdatedAt: startAt.AddDate(0, 0, -3)}
	_, created, err := st.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked, AppointmentID: a.ID, ClientID: userID, At: a.CreatedAt, Appointment: a})
	require.NoError(t, err)
	require.True(t, created)
	require.NoError(t, st.Close())

	require.Equal(t, http.StatusOK, call(t, http.MethodPost, srv.base+"/api/v1/staff/appointments/"+a.ID+"/complete", staff,
		map[string]string{"notes": "Кожа перенесла пилинг хорошо."}, nil))
	require.Equal(t, http.StatusOK, call(t, http.MethodPut, srv.base+"/api/v1/staff/appointments/"+a.ID+"/visit-note", staff, map[string]any{
		"notes": "Лёгкое покраснение пройдёт за 1–2 дня.\nНе посещать солярий две недели.",
		"recommendations": []map[string]string{
			{"kind": "product", "item_id": "prd-vitamin-c", "text": "Утром, под SPF"},
			{"kind": "home_care", "text": "SPF 50 каждый день"},
			{"kind": "procedure", "item_id": "svc-peel-almond", "text": "Повторить через 10 дней"},
		},
	}, nil))

	p.open("visits")
	p.waitReady("visits")
	require.Equal(t, 1, eval[int](p, `document.querySelectorAll('.kc-visit').length`))
	text := p.text(`.kc-visit`)
	for _, want := range []string{"Миндальный пилинг", "Мария Иванова", "Клиника на Тверской", "Не посещать солярий", "SPF 50 каждый день", "Утром, под SPF"} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 3, eval[int](p, `document.querySelectorAll('.kc-recs li').length`))
	p.cardPage("visits", "visits")

	p.click(`.kc-recs [data-kind=product] a`)
	p.waitReady("products")
	p.waitVisible(`.kc-product.kc-highlight[data-product=prd-vitamin-c]`)

	// Photos of the visit, linked to it on upload: the visit offers its
	// before / after pair, and the course's report has it with the notes.
	dir := t.TempDir()
	p.open("photos")
	p.waitReady("photos")
	p.click(`.kc-consent input[name=agree]`)
	p.clickText("Дать согласие")
	p.waitVisible(`select[name=appointment_id]`)
	assert.Contains(t, p.text(`select[name=appointment_id]`), "Миндальный пилинг")
	for i, kind := range []string{"before", "after"} {
		p.run(chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{cardJPEG(t, dir, kind+".jpg", 480, 640, uint8(190+30*i))}))
		p.cardSetValue(`select[name=kind]`, kind)
		p.cardSetValue(`select[name=area]`, "forehead")
		p.cardSetValue(`select[name=appointment_id]`, a.ID)
		p.cardSetValue(`input[name=taken_at]`, startAt.Format(time.DateOnly))
		p.clickText("Загрузить")
		p.poll(fmt.Sprintf(`document.querySelectorAll('.kc-thumb img').length === %d`, i+1), "the photo in the gallery")
	}
	p.open("visits")
	p.waitReady("visits")
	p.clickText("Фото до и после")
	p.waitReady("compare")
	p.cardImagesLoaded(`.kc-stage img`, 2)
	assert.Contains(t, p.text(`main`), "Пара снимков визита")
	assert.Equal(t, "forehead", eval[string](p, `document.querySelector('select[name=area]').value`))

	p.open("report?plan_id=" + plan.ID)
	p.waitReady("report")
	p.cardImagesLoaded(`.kc-report img`, 2)
	assert.Contains(t, p.text(`.kc-meta`), "Миндальный пилинг")
	assert.Contains(t, p.text(`.kc-pair`), "Лоб")
	assert.Contains(t, p.text(`.kc-report-notes`), "Визит · Мария Иванова")
	assert.True(t, eval[bool](p, `document.querySelector('input[name^=mode][value=course]').checked`))
	p.cardPage("report", "report-course")
}
