package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

func TestStaffManagement(t *testing.T) {
	h := newHarness(t)
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	owner := h.signIn("owner@clinic.example", "owner@clinic.example")
	client := h.signIn("+79123456789", "+79123456789")

	// A client may not register staff: 403, and the attempt is on record —
	// once a minute however often it is repeated.
	var r res
	for range 5 {
		r = h.do(req{method: "POST", path: "/api/v1/staff/users", token: client.token,
			body: map[string]any{"identifier": "doc@clinic.example", "roles": []string{"specialist"}}})
		assert.Equal(t, http.StatusForbidden, r.StatusCode)
	}
	denied, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: client.userID, Action: auth.ActionAccessDenied})
	require.NoError(t, err)
	assert.Len(t, denied, 1)

	r = h.do(req{method: "POST", path: "/api/v1/staff/users", token: owner.token,
		body: map[string]any{"identifier": "doc@clinic.example", "roles": []string{"specialist"}, "branch_ids": []string{"b1"}}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	doc := r.json(t)["user"].(map[string]any)
	assert.Equal(t, []any{"specialist"}, doc["roles"])
	assert.Equal(t, []any{"b1"}, doc["branch_ids"])

	// The specialist signs in with a code like anyone else.
	spec := h.signIn("doc@clinic.example", "doc@clinic.example")
	assert.Equal(t, doc["id"], spec.userID)
	// A specialist sees a client's account only with a relation to the
	// client (the card's rule); the owner always. A client does not see the
	// specialist's.
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/staff/users/" + client.userID, token: spec.token}).StatusCode,
		"no appointment with this client: their phone is not the specialist's business")
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/staff/users/" + client.userID, token: owner.token}).StatusCode)
	assert.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/staff/users/" + spec.userID, token: client.token}).StatusCode)

	// Disabling the specialist ends their session at once.
	r = h.do(req{method: "PUT", path: "/api/v1/staff/users/" + spec.userID + "/access", token: owner.token,
		body: map[string]any{"roles": []string{"specialist"}, "disabled": true}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/me", token: spec.token}).StatusCode)

	// Changing only the roles keeps the account disabled and its branches.
	r = h.do(req{method: "PUT", path: "/api/v1/staff/users/" + spec.userID + "/access", token: owner.token,
		body: map[string]any{"roles": []string{"specialist", "manager"}}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	u := r.json(t)["user"].(map[string]any)
	assert.Equal(t, true, u["disabled"])
	assert.Equal(t, []any{"b1"}, u["branch_ids"])

	// A disabled person with the right code is told so.
	h.clock.Advance(61e9)
	c := h.do(req{method: "POST", path: "/api/v1/auth/code", body: map[string]string{"identifier": "doc@clinic.example"}})
	require.Equal(t, http.StatusAccepted, c.StatusCode)
	v := h.do(req{method: "POST", path: "/api/v1/auth/verify", body: map[string]string{
		"challenge_id": c.json(t)["challenge_id"].(string), "code": h.lastCode("doc@clinic.example")}})
	assert.Equal(t, http.StatusForbidden, v.StatusCode)
	assert.Equal(t, "account_disabled", v.errCode(t))

	// The owner cannot lock themselves out.
	r = h.do(req{method: "PUT", path: "/api/v1/staff/users/" + owner.userID + "/access", token: owner.token,
		body: map[string]any{"roles": []string{"client"}}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)

	// The audit trail shows the role change, and only to the admin.
	r = h.do(req{method: "GET", path: "/api/v1/staff/audit?action=" + auth.ActionRolesChanged, token: owner.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Len(t, r.json(t)["entries"], 2, "the disable and the role change")
	assert.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/staff/audit", token: client.token}).StatusCode)
	r = h.do(req{method: "GET", path: "/api/v1/staff/audit?limit=0", token: owner.token, invalid: true})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
}

func TestAddSecondIdentifier(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	r := h.do(req{method: "POST", path: "/api/v1/me/identifiers", token: anna.token, body: map[string]string{"identifier": "anna@example.com"}})
	require.Equal(t, http.StatusAccepted, r.StatusCode, "%s", r.body)
	code := h.lastCode("anna@example.com")

	// A wrong code is the form's mistake, not a lost session: 422 on the
	// field, never a 401 that would sign a page out.
	v := h.do(req{method: "POST", path: "/api/v1/me/identifiers/verify", token: anna.token,
		body: map[string]string{"challenge_id": r.json(t)["challenge_id"].(string), "code": wrongCode(code)}})
	require.Equal(t, http.StatusUnprocessableEntity, v.StatusCode, "%s", v.body)
	assert.Equal(t, "invalid_code", v.errCode(t))
	e := v.json(t)["error"].(map[string]any)
	assert.Equal(t, "code", e["field"])
	assert.EqualValues(t, 4, e["attempts_left"])
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: anna.token}).StatusCode)

	v = h.do(req{method: "POST", path: "/api/v1/me/identifiers/verify", token: anna.token,
		body: map[string]string{"challenge_id": r.json(t)["challenge_id"].(string), "code": code}})
	require.Equal(t, http.StatusOK, v.StatusCode, "%s", v.body)
	u := v.json(t)["user"].(map[string]any)
	assert.Equal(t, "+79123456789", u["phone"])
	assert.Equal(t, "anna@example.com", u["email"])
	// Signing in by e-mail now reaches the same account.
	assert.Equal(t, anna.userID, h.signIn("anna@example.com", "anna@example.com").userID)

	// Bob cannot take Anna's e-mail.
	bob := h.signIn("+79123456780", "+79123456780")
	h.clock.Advance(61e9)
	r = h.do(req{method: "POST", path: "/api/v1/me/identifiers", token: bob.token, body: map[string]string{"identifier": "anna@example.com"}})
	require.Equal(t, http.StatusAccepted, r.StatusCode)
	v = h.do(req{method: "POST", path: "/api/v1/me/identifiers/verify", token: bob.token,
		body: map[string]string{"challenge_id": r.json(t)["challenge_id"].(string), "code": h.lastCode("anna@example.com")}})
	assert.Equal(t, http.StatusConflict, v.StatusCode)
	assert.Equal(t, "identifier_taken", v.errCode(t))
}

// wrongCode is a six-digit code other than code.
func wrongCode(code string) string {
	n := 0
	for _, c := range code {
		n = n*10 + int(c-'0')
	}
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}
