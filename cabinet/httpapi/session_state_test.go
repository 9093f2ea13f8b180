package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GET /api/v1/auth/session answers 200 signed in or not, so that a page's
// first request never shows as an error in the browser's console.
func TestSessionState(t *testing.T) {
	h := newHarness(t)
	r := h.do(req{method: "GET", path: "/api/v1/auth/session"})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, map[string]any{"signed_in": false}, r.json(t))

	r = h.do(req{method: "GET", path: "/api/v1/auth/session", token: "not-a-token"})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, map[string]any{"signed_in": false}, r.json(t), "a stale or forged token is no session, not an error")

	anna := h.signIn("+79123456789", "+79123456789")
	r = h.do(req{method: "GET", path: "/api/v1/auth/session", cookies: []*http.Cookie{anna.cookie}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	m := r.json(t)
	assert.Equal(t, true, m["signed_in"])
	assert.Equal(t, anna.csrf, m["csrf_token"], "the page needs it for its writes")
	assert.Equal(t, anna.userID, m["user"].(map[string]any)["id"])

	require.Equal(t, http.StatusNoContent, h.do(req{method: "POST", path: "/api/v1/auth/logout", token: anna.token}).StatusCode)
	r = h.do(req{method: "GET", path: "/api/v1/auth/session", cookies: []*http.Cookie{anna.cookie}})
	assert.Equal(t, map[string]any{"signed_in": false}, r.json(t), "signed out")
}
