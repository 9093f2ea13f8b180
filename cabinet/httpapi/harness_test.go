package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/cabinet/httpapi"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a real cabinet over a real SQLite file, served by a real HTTP
// server on loopback, with the dev outbox as SMS, mail and push provider.
// Every response is validated against the OpenAPI document.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	cab    *cabinet.Cabinet
	store  *sqlite.Store
	outbox *notify.DevOutbox
	clock  *clock
	router routers.Router
}

// testVAPIDKey stands for the clinic's Web Push key in the harness.
const testVAPIDKey = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"

func newHarness(t *testing.T, tune ...func(*cabinet.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kabinet.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	clk := &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	outbox := notify.NewDevOutbox(0, clk.Now)
	cfg := cabinet.Config{
		Store:          st,
		Secret:         bytes.Repeat([]byte("k"), 32),
		SMS:            outbox,
		Mail:           outbox,
		Push:           outbox,
		VAPIDPublicKey: testVAPIDKey,
		Now:            clk.Now,
		Blobs: func() card.BlobStore {
			b, err := card.NewDiskBlobs(filepath.Join(t.TempDir(), "blobs"))
			require.NoError(t, err)
			return b
		}(),
	}
	for _, f := range tune {
		f(&cfg)
	}
	cab, err := cabinet.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(cab.Handler())
	t.Cleanup(srv.Close)

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(ctx))
	doc.Servers = nil // match on paths only
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return &harness{t: t, srv: srv, cab: cab, store: st, outbox: outbox, clock: clk, router: router}
}

// req describes one request.
type req struct {
	method, path string
	body         any // marshalled to JSON unless raw is set
	raw          []byte
	header       map[string]string
	token        string
	cookies      []*http.Cookie
	invalid      bool // the request breaks the contract on purpose: skip request validation
}

// res is a response with its body read.
type res struct {
	*http.Response
	body []byte
}

func (r res) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// errCode returns error.code of an error body.
func (r res) errCode(t *testing.T) string {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	require.True(t, ok, "no error object in %s", r.body)
	return e["code"].(string)
}

func (h *harness) do(q req) res {
	h.t.Helper()
	var body io.Reader
	var raw []byte
	switch {
	case q.raw != nil:
		raw = q.raw
	case q.body != nil:
		var err error
		raw, err = json.Marshal(q.body)
		require.NoError(h.t, err)
	}
	if raw != nil {
		body = bytes.NewReader(raw)
	}
	r, err := http.NewRequest(q.method, h.srv.URL+q.path, body)
	require.NoError(h.t, err)
	if raw != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if q.token != "" {
		r.Header.Set("Authorization", "Bearer "+q.token)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	for _, c := range q.cookies {
		r.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(r)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	h.validate(r, raw, q.invalid, resp, got)
	return res{Response: resp, body: got}
}

// validate checks the exchange against the OpenAPI document: the request
// (unless it is deliberately invalid) and always the response, status included.
func (h *harness) validate(r *http.Request, raw []byte, invalid bool, resp *http.Response, body []byte) {
	h.t.Helper()
	ctx := context.Background()
	probe := r.Clone(ctx)
	probe.URL.Scheme, probe.URL.Host = "", ""
	if raw != nil {
		probe.Body = io.NopCloser(bytes.NewReader(raw))
	}
	route, params, err := h.router.FindRoute(probe)
	if err != nil {
		// Only our own "no such endpoint" answers may come from outside the document.
		require.Contains(h.t, []int{404, 405}, resp.StatusCode, "%s %s is not in the OpenAPI document", r.Method, r.URL.Path)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if !invalid {
		require.NoError(h.t, openapi3filter.ValidateRequest(ctx, in), "request does not match the OpenAPI document")
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(body)
	require.NoError(h.t, openapi3filter.ValidateResponse(ctx, out), "%s %s → %d %s", r.Method, r.URL.Path, resp.StatusCode, body)
}

func init() {
	// Calendar files are checked by the tests themselves; the validator only
	// needs to read them.
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.FileBodyDecoder)
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode reads the newest code sent to a normalised address from the dev outbox.
func (h *harness) lastCode(to string) string {
	h.t.Helper()
	m, ok := h.outbox.Last(to)
	require.True(h.t, ok, "nothing was sent to %s", to)
	match := codeRE.FindStringSubmatch(m.Body)
	require.NotNil(h.t, match, "no code in %q", m.Body)
	return match[1]
}

// signedIn is a signed-in client of the harness.
type signedIn struct {
	token, csrf, userID string
	cookie              *http.Cookie
}

// signIn requests a code for identifier (delivered to "to") and verifies it.
// The clock first moves past the resend cooldown of any earlier request.
func (h *harness) signIn(identifier, to string) signedIn {
	h.t.Helper()
	h.clock.Advance(61 * time.Second)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": identifier}})
	require.Equal(h.t, http.StatusAccepted, r.StatusCode, "%s", r.body)
	ch := r.json(h.t)["challenge_id"].(string)
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": ch, "code": h.lastCode(to)}})
	require.Equal(h.t, http.StatusOK, v.StatusCode, "%s", v.body)
	m := v.json(h.t)
	out := signedIn{token: m["token"].(string), csrf: m["csrf_token"].(string), userID: m["user"].(map[string]any)["id"].(string)}
	for _, c := range v.Cookies() {
		if strings.HasSuffix(c.Name, "kabinet_session") {
			out.cookie = c
		}
	}
	return out
}
