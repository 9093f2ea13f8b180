package auth_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

// TestIPv6SharesA64: one host holds a whole /64, so the per-IP cap counts the
// /64, not each address in it.
func TestIPv6SharesA64(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.SendsPerIPPerHour = 3 })
	for i := range 3 {
		e.request(fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "user9@example.com", IP: "2001:db8:1:2:ffff::9"})
	require.ErrorIs(t, err, auth.ErrRateLimited)
	e.request("other@example.com", "2001:db8:1:3::1") // the next /64 is someone else
}

// TestRateLimitAuditBoundedAcrossIdentifiers: a refused IP writes one audit
// entry a minute however many identifiers it tries.
func TestRateLimitAuditBoundedAcrossIdentifiers(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.SendsPerIPPerHour = 1 })
	e.request("first@example.com", testIP)
	for i := range 30 {
		_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: fmt.Sprintf("u%d@example.com", i), IP: testIP})
		require.ErrorIs(t, err, auth.ErrRateLimited)
	}
	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionRateLimited})
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestRegisterStaffKeepsDisabledAccountDisabled(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	doc, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: emailBoris, Roles: []auth.Role{auth.RoleSpecialist}})
	require.NoError(t, err)
	_, err = e.svc.SetAccess(e.ctx, admin.Principal(), doc.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleSpecialist}, Disabled: true})
	require.NoError(t, err)
	again, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: emailBoris, Roles: []auth.Role{auth.RoleManager}})
	require.NoError(t, err)
	assert.True(t, again.Disabled, "only SetAccess enables an account")
	assert.ElementsMatch(t, []auth.Role{auth.RoleSpecialist, auth.RoleManager}, again.Roles)
}

func TestStaffSeesClientsNotOtherStaff(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	_, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: emailBoris, Roles: []auth.Role{auth.RoleSpecialist}})
	require.NoError(t, err)
	_, spec := e.signIn(emailBoris)
	_, client := e.signIn(phoneVera)

	got, err := e.svc.User(e.ctx, spec.Principal(), client.User.ID)
	require.NoError(t, err)
	assert.Equal(t, client.User.ID, got.ID)
	viewed, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionUserViewed, ActorID: spec.User.ID})
	require.NoError(t, err)
	assert.Len(t, viewed, 1, "a staff read of a client's account is on record")

	_, err = e.svc.User(e.ctx, spec.Principal(), admin.User.ID)
	assert.ErrorIs(t, err, auth.ErrNotFound, "a specialist does not see the owner's account")
	_, err = e.svc.User(e.ctx, client.Principal(), spec.User.ID)
	assert.ErrorIs(t, err, auth.ErrNotFound)
	_, err = e.svc.User(e.ctx, admin.Principal(), spec.User.ID)
	assert.NoError(t, err, "the admin sees staff")
}

func TestBranchIDsAreBounded(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	for name, branches := range map[string][]string{
		"too many":     make([]string, 101),
		"too long":     {strings.Repeat("b", 65)},
		"control char": {"north\nsouth"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: emailBoris, Roles: []auth.Role{auth.RoleSpecialist}, Branches: branches})
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "branch_ids", ve.Field)
		})
	}
}

// TestNewIdentifierEndsOtherSessions: changing a phone or e-mail is how an
// account changes hands, so every other device must sign in again.
func TestNewIdentifierEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	other, _ := e.signIn(phoneAnna)
	cur, who := e.signIn(phoneAnna)
	e.clock.Advance(61 * time.Second)
	tk, err := e.svc.RequestIdentifierCode(e.ctx, who, auth.CodeRequest{Identifier: phoneBoris})
	require.NoError(t, err)
	_, err = e.svc.ConfirmIdentifier(e.ctx, who, tk.ChallengeID, e.sender.lastCode(t, phoneBoris), "")
	require.NoError(t, err)
	_, err = e.svc.Authenticate(e.ctx, other.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
	_, err = e.svc.Authenticate(e.ctx, cur.Token)
	assert.NoError(t, err, "the device that made the change stays signed in")
}

func TestMaxAttemptsIsCapped(t *testing.T) {
	e := newEnv(t)
	_, err := auth.New(auth.Config{Store: e.store, Sender: e.sender, Secret: testSecret, MaxAttempts: 11})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MaxAttempts")
}
