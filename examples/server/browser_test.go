package main

// The harness of the browser tests: a real headless Chromium, driven over the
// DevTools protocol (chromedp), against the example server started by start
// with the demo clinic. Each test opens tabs in its own browser context (its
// own cookies); every tab records what the console said and every request
// that failed, and checks both when the test ends.

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// waitTimeout bounds each step of a browser test: a page that never shows
// what a step waits for fails the test with what it shows instead.
const waitTimeout = 20 * time.Second

var screenshotDir = flag.String("screenshots", "",
	"write screenshots of the web cabinet's pages at 390×844 and 1280×800 into this `directory`")

// browserState is the one Chromium the tests share, started on first use.
var browserState struct {
	once   sync.Once
	ctx    context.Context // a chromedp context of the running browser
	stop   func()
	reason string // why there is no browser
}

// TestMain stops the shared browser after the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if browserState.stop != nil {
		browserState.stop()
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $KABINET_CHROMIUM, else the usual names.
func chromiumPath() string {
	if p := os.Getenv("KABINET_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser returns the shared browser's context. Without a browser the test
// is skipped, saying why — but never in CI ($CI set), where .ci/run installs
// Chromium: there it fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped in -short mode")
	}
	browserState.once.Do(startBrowser)
	if browserState.ctx == nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no browser in CI: %s", browserState.reason)
		}
		t.Skipf("no browser: %s (install Debian's chromium package, or set KABINET_CHROMIUM)", browserState.reason)
	}
	return browserState.ctx
}

func startBrowser() {
	path := chromiumPath()
	if path == "" {
		browserState.reason = "no chromium on the PATH"
		return
	}
	dir, err := os.MkdirTemp("", "kabinet-chromium-")
	if err != nil {
		browserState.reason = err.Error()
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // the tests may run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "ru-RU"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(alloc)
	stop := func() {
		cancelBrowser()
		cancelAlloc()
		// Chromium's helpers may still write for a moment after it exits.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// The browser lives as long as the context of its first action: no
	// timeout here.
	if err := chromedp.Do(ctx); err != nil {
		stop()
		browserState.reason = fmt.Sprintf("%s does not start: %v", path, err)
		return
	}
	browserState.ctx, browserState.stop = ctx, stop
}

// Viewports of the tests and screenshots.
var (
	phone   = viewport{Name: "390x844", Width: 390, Height: 844, Mobile: true}
	desktop = viewport{Name: "1280x800", Width: 1280, Height: 800}
)

type viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool
}

// tab is one browser tab in a browser context of its own (its own cookies),
// on the example server srv.
type tab struct {
	t   *testing.T
	ctx context.Context
	srv *instance
	vp  viewport

	mu       sync.Mutex
	console  []string       // errors and warnings the page wrote, exceptions
	failed   []string       // requests that failed or answered an unexpected error status
	expected map[string]int // "METHOD path" → status the test expects (409 for a taken slot…)
	urls     map[network.RequestID]string
	methods  map[network.RequestID]string
	bytes    map[network.RequestID]float64 // bytes received per request (uncompressed body)
}

// openTab opens a tab on srv at the viewport. At the end of the test it
// checks that the console had no errors and no request failed.
func openTab(t *testing.T, srv *instance, vp viewport) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	p := &tab{t: t, ctx: ctx, srv: srv, vp: vp, expected: map[string]int{},
		urls: map[network.RequestID]string{}, methods: map[network.RequestID]string{}, bytes: map[network.RequestID]float64{}}
	require.NoError(t, chromedp.Do(ctx))
	require.NoError(t, chromedp.Listen(ctx, p.event))
	require.NoError(t, p.resize(vp))
	t.Cleanup(func() {
		p.checkClean()
		cancelTimeout()
		cancel()
	})
	return p
}

func (p *tab) resize(vp viewport) error {
	p.vp = vp
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if vp.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.Do(p.ctx, chromedp.EmulateViewport(vp.Width, vp.Height, opts...))
}

// event records console output and failed requests.
func (p *tab) event(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range e.Args {
				args = append(args, cmp.Or(string(a.Value), a.Description))
			}
			p.console = append(p.console, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		p.console = append(p.console, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
	case *log.EventEntryAdded:
		// The network's own entries ("Failed to load resource: … 409") repeat
		// what the responses below are checked for. Each test's browser
		// context is "incognito" to Chromium, which then refuses Web Push
		// and says so itself: the browser's line, not the page's.
		if e.Entry.Source != log.EntrySourceNetwork && (e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning) &&
			!strings.Contains(e.Entry.Text, "does not support the Push API in incognito mode") {
			p.console = append(p.console, fmt.Sprintf("log %s %s: %s (%s)", e.Entry.Source, e.Entry.Level, e.Entry.Text, e.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		p.urls[e.RequestID] = e.Request.URL
		p.methods[e.RequestID] = e.Request.Method
	case *network.EventResponseReceived:
		if e.Response.Status >= 400 {
			key := p.methods[e.RequestID] + " " + p.path(e.Response.URL)
			if p.expected[key] != int(e.Response.Status) {
				p.failed = append(p.failed, fmt.Sprintf("%s → %d", key, e.Response.Status))
			}
		}
	case *network.EventDataReceived:
		p.bytes[e.RequestID] += float64(e.DataLength)
	case *network.EventLoadingFailed:
		if !e.Canceled {
			p.failed = append(p.failed, fmt.Sprintf("%s %s: %s", p.methods[e.RequestID], p.path(p.urls[e.RequestID]), e.ErrorText))
		}
	}
}

// path is a URL of the server without its origin and query.
func (p *tab) path(u string) string {
	u = strings.TrimPrefix(u, p.srv.base)
	u, _, _ = strings.Cut(u, "?")
	return u
}

// expect says that the request "METHOD /path" may answer status in this test
// (a taken slot's 409), so it is not a failed request.
func (p *tab) expect(methodPath string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected[methodPath] = status
}

// checkClean fails the test when the console had errors or a request failed.
func (p *tab) checkClean() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	assert.Empty(p.t, p.console, "the browser's console")
	assert.Empty(p.t, p.failed, "failed requests")
}

// run runs chromedp actions in the tab, failing the test on an error.
func (p *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(err)
	}
}

// fail stops the test with err and what the page showed.
func (p *tab) fail(err error) {
	p.t.Helper()
	html, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.querySelector('main')?.innerText ?? ''`))
	loc, _ := chromedp.Run(p.ctx, chromedp.Location())
	p.mu.Lock()
	console, failed := slices.Clone(p.console), slices.Clone(p.failed)
	p.mu.Unlock()
	p.t.Fatalf("%v\nat %s\nthe page shows:\n%s\nconsole: %q\nfailed requests: %q", err, loc, html, console, failed)
}

// eval evaluates a JavaScript expression (awaiting a promise) into T.
func eval[T any](p *tab, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail(fmt.Errorf("evaluating %s: %w", expr, err))
	}
	return v
}

// open loads a page of the cabinet ("", "book?service_id=…") as a fresh
// navigation and waits until it is drawn.
func (p *tab) open(path string) {
	p.t.Helper()
	p.run(chromedp.Navigate(p.srv.base + "/" + strings.TrimPrefix(path, "/")))
	p.waitReady("")
}

// waitReady waits until the app has drawn a page: the page module named
// (e.g. "book"), or any page for "".
func (p *tab) waitReady(module string) {
	p.t.Helper()
	sel := `html[data-ready]`
	if module != "" {
		sel = fmt.Sprintf(`html[data-ready=%q]`, module)
	}
	p.run(chromedp.WaitReady(chromedp.CSS(sel)))
}

// waitVisible waits for a CSS selector to be visible.
func (p *tab) waitVisible(sel string) {
	p.t.Helper()
	p.run(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// waitText waits until the element at sel contains text.
func (p *tab) waitText(sel, text string) {
	p.t.Helper()
	p.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.innerText.includes(%q); })()`, sel, text),
		fmt.Sprintf("%q in %s", text, sel))
}

// text is the visible text of the element at sel.
func (p *tab) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.fail(fmt.Errorf("text of %s: %w", sel, err))
	}
	return s
}

// click clicks the element at the CSS selector.
func (p *tab) click(sel string) {
	p.t.Helper()
	p.run(chromedp.Click(chromedp.CSS(sel)))
}

// clickText clicks the first visible button or link whose text contains
// text, waiting for one to appear.
func (p *tab) clickText(text string) {
	p.t.Helper()
	p.poll(fmt.Sprintf(`(() => { const e = [...document.querySelectorAll('button, a, [role=button], label')].find((e) => e.offsetParent !== null && e.innerText.includes(%q)); if (!e) return false; e.click(); return true; })()`, text),
		fmt.Sprintf("a button or link %q", text))
}

// fill types text into the input or textarea at sel, replacing its value
// (emptied as a person would, with the page told of it).
func (p *tab) fill(sel, text string) {
	p.t.Helper()
	p.poll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.focus(); if (e.value !== '') { e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); } return true; })()`, sel),
		fmt.Sprintf("the field %s", sel))
	p.run(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// apiCall sends a JSON request to the API from the page, as the signed-in
// user (its session cookie and CSRF token, its language), and returns the
// status and the decoded answer.
func (p *tab) apiCall(method, path string, body any) (int, map[string]any) {
	p.t.Helper()
	payload := "undefined"
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(p.t, err)
		payload = fmt.Sprintf("%q", b)
	}
	type answer struct {
		Status int            `json:"status"`
		Body   map[string]any `json:"body"`
	}
	a := eval[answer](p, fmt.Sprintf(`(async () => {
		const s = await (await fetch('api/v1/auth/session')).json();
		const r = await fetch(%q, {method: %q, body: %s, headers: {'Content-Type': 'application/json', 'Accept': 'application/json',
			'Accept-Language': document.documentElement.lang, 'X-CSRF-Token': s.csrf_token || ''}});
		const text = await r.text();
		return {status: r.status, body: text ? JSON.parse(text) : {}};
	})()`, "api/v1/"+strings.TrimPrefix(path, "/"), method, payload))
	return a.Status, a.Body
}

// setLang chooses the cabinet's language for the pages loaded next, as
// the switch in the header does (the kabinet_lang cookie). It is set
// through the browser's cookie store: a cookie written by document.cookie
// reaches the network side asynchronously, and a navigation right after it
// may go without it.
func (p *tab) setLang(lang string) {
	p.t.Helper()
	p.run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: "kabinet_lang", Value: lang,
			URL: p.srv.base + "/", Path: "/", SameSite: network.CookieSameSiteLax})
		return err
	}))
}

// noSidewaysScroll checks that the page is not wider than the viewport.
func (p *tab) noSidewaysScroll() {
	p.t.Helper()
	w := eval[[]int](p, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
	require.Len(p.t, w, 2)
	assert.LessOrEqual(p.t, w[0], w[1], "the page scrolls sideways at %s (%s)", p.vp.Name, eval[string](p, `location.pathname`))
}

// a11yProblems is the page's accessibility check, in the browser: every
// form control has a label (or an aria-label), every button and link a
// name, every image an alt, and visible text a WCAG AA contrast with the
// background it is drawn on (4.5:1; 3:1 for large text). It returns what
// fails, at most 20 lines.
const a11yProblems = `(() => {
  const out = [];
  const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && getComputedStyle(e).visibility !== 'hidden';
  const name = (e) => (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title') || e.innerText || e.value || '').trim()
    || [...e.querySelectorAll('img[alt], svg[aria-label]')].map((i) => i.getAttribute('alt') || i.getAttribute('aria-label')).join('').trim();
  const where = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  for (const e of document.querySelectorAll('input, select, textarea')) {
    if (e.type === 'hidden' || !visible(e) && e.type !== 'file' && e.type !== 'radio' && e.type !== 'checkbox') continue;
    if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')) out.push('no label: ' + where(e));
  }
  for (const e of document.querySelectorAll('button, a[href], [role=button]')) {
    if (visible(e) && !name(e)) out.push('no name: ' + where(e));
  }
  for (const e of document.querySelectorAll('img')) {
    if (!e.hasAttribute('alt')) out.push('no alt: ' + where(e));
  }
  const rgba = (c) => { const m = c.match(/[\d.]+/g) || [0, 0, 0, 0]; return m.map(Number).concat(m.length < 4 ? [1] : []).slice(0, 4); };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (e) => {
    let layers = [];
    for (let n = e; n; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage !== 'none') return null; // drawn over an image or gradient: not judged here
      const c = rgba(cs.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = bg.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return bg;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement;
    if (!t.textContent.trim() || !e || seen.has(e) || !visible(e)) continue;
    seen.add(e);
    const cs = getComputedStyle(e);
    if (Number(cs.opacity) === 0 || e.closest('[aria-hidden=true], .sr-only, .skip-link, [disabled], :disabled')) continue;
    const bg = background(e);
    if (!bg) continue;
    const fg = rgba(cs.color);
    const fgc = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [lum(fgc), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need - 0.01) out.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ': ' + where(e) + ' "' + t.textContent.trim().slice(0, 30) + '"');
  }
  return out.slice(0, 20);
})()`

// accessible checks the page with a11yProblems.
func (p *tab) accessible() {
	p.t.Helper()
	assert.Empty(p.t, eval[[]string](p, a11yProblems), "accessibility of %s at %s", eval[string](p, `location.pathname + location.search`), p.vp.Name)
}

// shot writes a full-page screenshot named name when -screenshots is set,
// at this tab's viewport.
func (p *tab) shot(name string) {
	p.t.Helper()
	if *screenshotDir == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	require.NoError(p.t, err)
	require.NoError(p.t, os.MkdirAll(*screenshotDir, 0o755))
	require.NoError(p.t, os.WriteFile(filepath.Join(*screenshotDir, name+"-"+p.vp.Name+".png"), buf, 0o644))
}

// shots writes the page at both viewports, then returns to this tab's.
func (p *tab) shots(name string) {
	p.t.Helper()
	if *screenshotDir == "" {
		return
	}
	was := p.vp
	for _, vp := range []viewport{phone, desktop} {
		require.NoError(p.t, p.resize(vp))
		p.noSidewaysScroll()
		p.shot(name)
	}
	require.NoError(p.t, p.resize(was))
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode reads the newest sign-in code sent to "to" (E.164 or e-mail)
// from the dev outbox, waiting for it to arrive after `after` messages.
func lastCode(t *testing.T, srv *instance, to string, after int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs := outboxTo(t, srv, to)
		if len(msgs) > after {
			if code := codeRE.FindString(msgs[len(msgs)-1].Body); code != "" {
				return code
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no code for %s in the dev outbox", to)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// outboxTo lists the dev outbox's messages to "to", oldest first.
func outboxTo(t *testing.T, srv *instance, to string) []notify.OutboxMessage {
	t.Helper()
	resp, err := http.Get(srv.base + "/dev/outbox")
	require.NoError(t, err)
	defer resp.Body.Close()
	var doc struct {
		Messages []notify.OutboxMessage `json:"messages"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	var out []notify.OutboxMessage
	for _, m := range doc.Messages {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// signIn signs in through the sign-in page with identifier (as a person
// types it), reading the code sent to "to" from the dev outbox, and waits
// for the page the cabinet opens after it.
func (p *tab) signIn(identifier, to string) {
	p.t.Helper()
	p.open("sign-in")
	p.waitReady("signin")
	before := p.askCode(identifier, to)
	p.enterCode(to, before)
}

// askCode asks for a code on the sign-in page and returns how many messages
// "to" had before it.
func (p *tab) askCode(identifier, to string) int {
	p.t.Helper()
	before := len(outboxTo(p.t, p.srv, to))
	p.fill(`input[name=identifier]`, identifier)
	p.click(`form.signin button[type=submit]`)
	p.waitVisible(`input[name=code]`)
	return before
}

// enterCode types the newest code sent to "to" (after the before-th
// message) and waits for the page after sign-in.
func (p *tab) enterCode(to string, before int) {
	p.t.Helper()
	code := lastCode(p.t, p.srv, to, before)
	p.fill(`input[name=code]`, code) // six digits submit the form
	p.poll(`(() => { const r = document.documentElement.dataset.ready; return !!r && r !== 'signin'; })()`, "the page after sign-in")
}

// poll waits until the JavaScript expression is true.
func (p *tab) poll(expr, what string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		p.fail(fmt.Errorf("waiting for %s: %w", what, err))
	}
}
