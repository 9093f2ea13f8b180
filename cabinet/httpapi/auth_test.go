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

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func TestSignInByPhone(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "8 (912) 345-67-89"}})
	require.Equal(t, http.StatusAccepted, r.StatusCode, "%s", r.body)
	m := r.json(t)
	assert.Equal(t, "sms", m["channel"])
	assert.EqualValues(t, 60, m["resend_after"])
	assert.NotEmpty(t, m["challenge_id"])
	exp, err := time.Parse(time.RFC3339, m["expires_at"].(string))
	require.NoError(t, err)
	assert.Equal(t, h.clock.Now().Add(5*time.Minute), exp)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))

	code := h.lastCode("+79123456789")
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": m["challenge_id"].(string), "code": code}})
	require.Equal(t, http.StatusOK, v.StatusCode, "%s", v.body)
	vm := v.json(t)
	assert.Equal(t, true, vm["new_user"])
	user := vm["user"].(map[string]any)
	assert.Equal(t, "+79123456789", user["phone"])
	assert.Nil(t, user["email"])
	assert.Equal(t, []any{"client"}, user["roles"])
	token := vm["token"].(string)
	assert.Len(t, token, 43)

	var cookie *http.Cookie
	for _, c := range v.Cookies() {
		if c.Name == "kabinet_session" {
			cookie = c
		}
	}
	require.NotNil(t, cookie, "verify sets the session cookie")
	assert.True(t, cookie.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, cookie.SameSite)
	assert.False(t, cookie.Secure, "plain HTTP on loopback: not Secure")
	assert.Equal(t, "/", cookie.Path)
	assert.Equal(t, token, cookie.Value)

	me := h.do(req{method: "GET", path: "/api/v1/me", token: token})
	require.Equal(t, http.StatusOK, me.StatusCode)
	assert.Equal(t, user["id"], me.json(t)["user"].(map[string]any)["id"])

	// A code typed with spaces is the same code.
	h.clock.Advance(61 * time.Second)
	c := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	spaced := h.lastCode("+79123456789")
	spaced = " " + spaced[:3] + " " + spaced[3:] + " "
	v2 := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": c.json(t)["challenge_id"].(string), "code": spaced}})
	assert.Equal(t, http.StatusOK, v2.StatusCode, "%s", v2.body)

	// The same person, another spelling: the same account.
	again := h.signIn("+7 912 345 67 89", "+79123456789")
	assert.Equal(t, user["id"], again.userID)
}

func TestSignInByEmailAndLocale(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "Anna@Example.COM"},
		header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"}})
	require.Equal(t, http.StatusAccepted, r.StatusCode)
	assert.Equal(t, "email", r.json(t)["channel"])
	msg, ok := h.outbox.Last("anna@example.com")
	require.True(t, ok)
	assert.Equal(t, "email", string(msg.Channel))
	assert.NotContains(t, msg.Subject, "Код", "an English speaker gets English")
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{
		"challenge_id": r.json(t)["challenge_id"].(string), "code": h.lastCode("anna@example.com")}})
	require.Equal(t, http.StatusOK, v.StatusCode)
	me := h.do(req{method: "GET", path: "/api/v1/me", token: v.json(t)["token"].(string)}).json(t)
	assert.Equal(t, "anna@example.com", me["user"].(map[string]any)["email"])
	assert.Equal(t, "en", me["user"].(map[string]any)["locale"])
}

func TestVerifyFailures(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	ch := r.json(t)["challenge_id"].(string)
	code := h.lastCode("+79123456789")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for left := 4; left >= 0; left-- {
		v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": ch, "code": wrong}})
		require.Equal(t, http.StatusUnauthorized, v.StatusCode)
		assert.Equal(t, "invalid_code", v.errCode(t))
		assert.EqualValues(t, left, v.json(t)["error"].(map[string]any)["attempts_left"])
	}
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": ch, "code": code}})
	assert.Equal(t, http.StatusGone, v.StatusCode, "the right code after five wrong ones")
	assert.Equal(t, "code_expired", v.errCode(t))

	v = h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": "nope", "code": "123456"}})
	assert.Equal(t, http.StatusGone, v.StatusCode)

	v = h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": ch, "code": "12a4"}})
	assert.Equal(t, http.StatusUnprocessableEntity, v.StatusCode)
	assert.Equal(t, "code", v.json(t)["error"].(map[string]any)["field"])
}

func TestCodeExpiresAfterFiveMinutes(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	ch := r.json(t)["challenge_id"].(string)
	h.clock.Advance(5*time.Minute + time.Second)
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{"challenge_id": ch, "code": h.lastCode("+79123456789")}})
	assert.Equal(t, http.StatusGone, v.StatusCode)
	assert.Equal(t, "code_expired", v.errCode(t))
}

func TestResendIsRateLimitedWithRetryAfter(t *testing.T) {
	h := newHarness(t)
	first := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	require.Equal(t, http.StatusAccepted, first.StatusCode)
	h.clock.Advance(20 * time.Second)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "89123456789"}})
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	assert.Equal(t, "rate_limited", r.errCode(t))
	assert.Equal(t, "40", r.Header.Get("Retry-After"))
	assert.EqualValues(t, 40, r.json(t)["error"].(map[string]any)["retry_after"])

	oldCode := h.lastCode("+79123456789")
	h.clock.Advance(41 * time.Second)
	second := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	require.Equal(t, http.StatusAccepted, second.StatusCode)
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{
		"challenge_id": first.json(t)["challenge_id"].(string), "code": oldCode}})
	assert.Equal(t, http.StatusGone, v.StatusCode, "a resend voids the previous code")
}

func TestNoEnumeration(t *testing.T) {
	h := newHarness(t)
	h.signIn("+79123456789", "+79123456789")
	h.clock.Advance(2 * time.Minute)
	known := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	unknown := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456780"}})
	require.Equal(t, known.StatusCode, unknown.StatusCode)
	k, u := known.json(t), unknown.json(t)
	assert.Equal(t, keys(k), keys(u))
	assert.Equal(t, k["channel"], u["channel"])
	assert.Equal(t, k["expires_at"], u["expires_at"])
	assert.Equal(t, k["resend_after"], u["resend_after"])
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return sortStrings(out)
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestCountryAllowList(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+44 7911 123456"}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, "invalid_identifier", r.errCode(t))
	assert.Equal(t, "identifier", r.json(t)["error"].(map[string]any)["field"])
	assert.Empty(t, h.outbox.Messages(), "the provider is never called")
}

func TestLogoutEndsSessionAtOnce(t *testing.T) {
	h := newHarness(t)
	s := h.signIn("+79123456789", "+79123456789")
	r := h.do(req{method: "POST", path: "/api/v1/auth/logout", token: s.token})
	require.Equal(t, http.StatusNoContent, r.StatusCode)
	me := h.do(req{method: "GET", path: "/api/v1/me", token: s.token})
	assert.Equal(t, http.StatusUnauthorized, me.StatusCode)
	assert.Equal(t, "unauthenticated", me.errCode(t))
}

func TestUnauthenticated(t *testing.T) {
	h := newHarness(t)
	for _, tok := range []string{"", "short", strings.Repeat("a", 43)} {
		r := h.do(req{method: "GET", path: "/api/v1/me", token: tok})
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "token %q", tok)
		assert.Equal(t, "unauthenticated", r.errCode(t))
	}
}

func TestSessionsListAndRevoke(t *testing.T) {
	h := newHarness(t)
	a1 := h.signIn("+79123456789", "+79123456789")
	h.clock.Advance(2 * time.Minute)
	a2 := h.signIn("+79123456789", "+79123456789")
	b := h.signIn("bob@example.com", "bob@example.com")

	list := h.do(req{method: "GET", path: "/api/v1/auth/sessions", token: a2.token}).json(t)["sessions"].([]any)
	require.Len(t, list, 2)
	var otherID string
	for _, x := range list {
		s := x.(map[string]any)
		assert.Equal(t, "127.0.0.1", s["ip"])
		if !s["current"].(bool) {
			otherID = s["id"].(string)
		}
	}
	require.NotEmpty(t, otherID)

	// Bob cannot revoke Anna's session: 404, and it keeps working.
	r := h.do(req{method: "DELETE", path: "/api/v1/auth/sessions/" + otherID, token: b.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: a1.token}).StatusCode)
	entries, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: b.userID, Action: auth.ActionAccessDenied})
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the cross-user attempt is on record")

	r = h.do(req{method: "DELETE", path: "/api/v1/auth/sessions/" + otherID, token: a2.token})
	assert.Equal(t, http.StatusNoContent, r.StatusCode)
	assert.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/me", token: a1.token}).StatusCode)

	h.signIn("+79123456789", "+79123456789")
	r = h.do(req{method: "POST", path: "/api/v1/auth/sessions/revoke-others", token: a2.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.EqualValues(t, 1, r.json(t)["revoked"])
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: a2.token}).StatusCode)
}

func TestCookieAuthNeedsCSRFToken(t *testing.T) {
	h := newHarness(t)
	s := h.signIn("+79123456789", "+79123456789")
	require.NotNil(t, s.cookie)
	// A GET with the cookie alone works…
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", cookies: []*http.Cookie{s.cookie}}).StatusCode)
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", cookies: []*http.Cookie{s.cookie},
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}}).StatusCode)
	// …unless another site started it (a link on another site opening an
	// audited read, say): the cookie is not the client at work.
	r0 := h.do(req{method: "GET", path: "/api/v1/me", cookies: []*http.Cookie{s.cookie}, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	assert.Equal(t, http.StatusForbidden, r0.StatusCode)
	assert.Equal(t, "csrf_failed", r0.errCode(t))
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: s.token,
		header: map[string]string{"Sec-Fetch-Site": "cross-site"}}).StatusCode, "a bearer token is no ambient credential")
	// A state change with the cookie but no token is refused…
	r := h.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{s.cookie}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	assert.Equal(t, "csrf_failed", r.errCode(t))
	r = h.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{s.cookie}, header: map[string]string{"X-CSRF-Token": "forged"}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	// …and a cross-site browser request is refused before it reaches the handler.
	r = h.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{s.cookie},
		header: map[string]string{"X-CSRF-Token": s.csrf, "Sec-Fetch-Site": "cross-site"}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	r = h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456780"},
		header: map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode, "login CSRF")
	// With the token: works.
	r = h.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{s.cookie}, header: map[string]string{"X-CSRF-Token": s.csrf}})
	assert.Equal(t, http.StatusNoContent, r.StatusCode)
}

func TestSecureCookie(t *testing.T) {
	h := newHarness(t, func(c *cabinet.Config) { c.HTTP.SecureCookies = true })
	s := h.signIn("+79123456789", "+79123456789")
	require.NotNil(t, s.cookie)
	assert.Equal(t, "__Host-kabinet_session", s.cookie.Name)
	assert.True(t, s.cookie.Secure)
}

func TestConcurrentVerifyOneSession(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "+79123456789"}})
	ch := r.json(t)["challenge_id"].(string)
	code := h.lastCode("+79123456789")
	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for range 20 {
		wg.Go(func() {
			resp, err := http.Post(h.srv.URL+"/api/v1/auth/verify", "application/json",
				strings.NewReader(fmt.Sprintf(`{"challenge_id":%q,"code":%q}`, ch, code)))
			if err == nil {
				statuses <- resp.StatusCode
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	assert.Equal(t, 1, count[http.StatusOK], "exactly one sign-in: %v", count)
	assert.Equal(t, 19, count[http.StatusGone], "%v", count)
}

func TestClientIPIgnoresSpoofedForwardedFor(t *testing.T) {
	h := newHarness(t)
	h.signIn("+79123456789", "+79123456789")
	// Thirty sends from "different" spoofed IPs still count against 127.0.0.1.
	for i := range 30 {
		h.clock.Advance(time.Minute)
		r := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": fmt.Sprintf("user%d@example.com", i)},
			header: map[string]string{"X-Forwarded-For": fmt.Sprintf("10.0.0.%d", i)}})
		if i < 29 {
			require.Equal(t, http.StatusAccepted, r.StatusCode, "send %d", i)
		} else {
			assert.Equal(t, http.StatusTooManyRequests, r.StatusCode, "the 31st send from one IP")
		}
	}
}

// TestPlainCookieRefusedWhenSecure: once cookies are Secure, only the __Host-
// cookie authenticates; a planted plain-named one does not (cookie tossing).
func TestPlainCookieRefusedWhenSecure(t *testing.T) {
	h := newHarness(t, func(c *cabinet.Config) { c.HTTP.SecureCookies = true })
	s := h.signIn("+79123456789", "+79123456789")
	planted := &http.Cookie{Name: "kabinet_session", Value: s.token}
	assert.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/me", cookies: []*http.Cookie{planted}}).StatusCode)
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", cookies: []*http.Cookie{s.cookie}}).StatusCode)
}
