package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

func TestBadRequestsGetErrorBodies(t *testing.T) {
	h := newHarness(t)
	s := h.signIn("+79123456789", "+79123456789")
	huge := append([]byte(`{"identifier":"`), bytes.Repeat([]byte("a"), 70<<10)...)
	huge = append(huge, `"}`...)
	cases := []struct {
		name        string
		req         req
		status      int
		code, field string
	}{
		{"malformed JSON", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":`)}, 400, "malformed_json", ""},
		{"not an object", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`[1,2]`)}, 400, "wrong_type", ""},
		{"empty body", req{method: "POST", path: "/api/v1/auth/code", raw: []byte{}, header: map[string]string{"Content-Type": "application/json"}}, 400, "malformed_json", ""},
		{"trailing data", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":"a@b.co"} {}`)}, 400, "malformed_json", ""},
		{"wrong type", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":42}`)}, 400, "wrong_type", "identifier"},
		{"unknown field rides along", req{method: "POST", path: "/api/v1/auth/verify", raw: []byte(`{"challenge_id":"x","code":"123456","roles":["admin"]}`)}, 400, "unknown_field", "roles"},
		{"body over 64 KiB", req{method: "POST", path: "/api/v1/auth/code", raw: huge}, 413, "too_large", ""},
		{"wrong content type", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`identifier=a`), header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type", ""},
		{"missing challenge", req{method: "POST", path: "/api/v1/auth/verify", raw: []byte(`{"code":"123456"}`)}, 422, "invalid_input", "challenge_id"},
		{"empty identifier", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":""}`)}, 422, "invalid_identifier", "identifier"},
		{"landline", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":"+7 495 123-45-67"}`)}, 422, "invalid_identifier", "identifier"},
		{"control characters", req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":"a\u0000@b.co"}`)}, 422, "invalid_identifier", "identifier"},
		{"unknown role", req{method: "POST", path: "/api/v1/staff/users", token: s.token, raw: []byte(`{"identifier":"x@y.co","roles":["root"]}`)}, 403, "forbidden", ""},
		{"bad audit limit", req{method: "GET", path: "/api/v1/staff/audit?limit=zero", token: s.token}, 403, "forbidden", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.invalid = true
			if tc.req.raw != nil && tc.req.header == nil {
				tc.req.header = map[string]string{}
			}
			r := h.do(tc.req)
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			assert.Equal(t, tc.code, r.errCode(t))
			e := r.json(t)["error"].(map[string]any)
			assert.NotEmpty(t, e["message"])
			if tc.field != "" {
				assert.Equal(t, tc.field, e["field"])
			}
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	h := newHarness(t)
	r0 := h.do(req{method: "GET", path: "/nothing-here"})
	assert.Equal(t, http.StatusNotFound, r0.StatusCode)
	assert.Equal(t, "not_found", r0.errCode(t), "paths outside /api answer in JSON too")
	r := h.do(req{method: "GET", path: "/api/v1/auth/code"})
	assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)
	assert.Equal(t, "POST", r.Header.Get("Allow"))
	assert.Equal(t, "method_not_allowed", r.errCode(t))
	r = h.do(req{method: "GET", path: "/api/v1/nothing-here"})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, "not_found", r.errCode(t))
}

func TestErrorMessagesFollowAcceptLanguage(t *testing.T) {
	h := newHarness(t)
	body := []byte(`{"identifier":"+44 7911 123456"}`)
	ru := h.do(req{method: "POST", path: "/api/v1/auth/code", raw: body})
	en := h.do(req{method: "POST", path: "/api/v1/auth/code", raw: body, header: map[string]string{"Accept-Language": "en-US,en;q=0.8"}})
	ruMsg := ru.json(t)["error"].(map[string]any)["message"].(string)
	enMsg := en.json(t)["error"].(map[string]any)["message"].(string)
	assert.Contains(t, ruMsg, "страны")
	assert.Contains(t, enMsg, "country")

	q := h.do(req{method: "POST", path: "/api/v1/auth/code", raw: body, header: map[string]string{"Accept-Language": "ru;q=0.1, en;q=0.9"}})
	assert.Contains(t, q.json(t)["error"].(map[string]any)["message"], "country", "the higher q-value wins")

	// A limit says when to come back, in the reader's language.
	ok := h.do(req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":"+79123456789"}`)})
	require.Equal(t, http.StatusAccepted, ok.StatusCode)
	h.clock.Advance(7 * time.Second)
	ru429 := h.do(req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":"+79123456789"}`)})
	en429 := h.do(req{method: "POST", path: "/api/v1/auth/code", raw: []byte(`{"identifier":"+79123456789"}`), header: map[string]string{"Accept-Language": "en"}})
	assert.Equal(t, "Слишком много запросов. Повторите через 53 с.", ru429.json(t)["error"].(map[string]any)["message"])
	assert.Equal(t, "Too many requests. Try again in 53 s.", en429.json(t)["error"].(map[string]any)["message"])
}

// FuzzRequestBodies throws arbitrary bodies at the JSON endpoints: the answer
// is always a 2xx or 4xx with the error body, never a 5xx or a panic.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"identifier":"+79123456789"}`, `{"identifier":"anna@example.com","locale":"en"}`,
		`{"challenge_id":"x","code":"123456"}`, `{`, `null`, `[]`, `{"identifier":null}`,
		`{"identifier":"\u0000"}`, `{"a":1}`, `"str"`, `{"identifier":"` + strings.Repeat("9", 300) + `"}`,
	} {
		f.Add(seed)
	}
	// NORMAL: no fsync per commit, so minimising an interesting input (which
	// runs the target many times) does not crawl. Durability is not under test.
	st, err := sqlite.Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.WithSynchronous(sqlite.SynchronousNormal))
	require.NoError(f, err)
	f.Cleanup(func() { _ = st.Close() })
	outbox := notify.NewDevOutbox(10, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("f"), 32), SMS: outbox, Mail: outbox})
	require.NoError(f, err)
	handler := cab.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/api/v1/auth/code", "/api/v1/auth/verify"} {
			r := httptest.NewRequest("POST", path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %q → %d %s", path, body, w.Code, w.Body)
			}
			if w.Code >= 400 && !strings.Contains(w.Body.String(), `"error":{"code":`) {
				t.Fatalf("%s %q → %d without the error body: %s", path, body, w.Code, w.Body)
			}
		}
	})
}
