package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

func auditCount(t *testing.T, e *env, action string) int {
	t.Helper()
	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: action, Limit: 1000})
	require.NoError(t, err)
	return len(entries)
}

func TestBootstrap(t *testing.T) {
	e := newEnv(t)
	u, err := e.svc.Bootstrap(e.ctx, "8 (912) 345-67-89")
	require.NoError(t, err)
	assert.Equal(t, []auth.Role{auth.RoleAdmin}, u.Roles)
	assert.Equal(t, phoneAnna, u.Phone)
	assert.Equal(t, 1, auditCount(t, e, auth.ActionStaffRegistered))

	again, err := e.svc.Bootstrap(e.ctx, phoneAnna)
	require.NoError(t, err)
	assert.Equal(t, u.ID, again.ID)
	assert.Equal(t, []auth.Role{auth.RoleAdmin}, again.Roles)
	assert.Equal(t, 1, auditCount(t, e, auth.ActionStaffRegistered), "nothing changed, nothing audited")

	si, who := e.signIn(phoneAnna)
	assert.False(t, si.NewUser)
	assert.Equal(t, u.ID, si.User.ID)
	p := who.Principal()
	assert.True(t, p.Can(auth.PermManageStaff))
	assert.True(t, p.Can(auth.PermViewAudit))

	// Bootstrap on the next start-up does not end the admin's session.
	_, err = e.svc.Bootstrap(e.ctx, phoneAnna)
	require.NoError(t, err)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	assert.NoError(t, err)
}

func TestBootstrapExistingClient(t *testing.T) {
	e := newEnv(t)
	client, _ := e.signIn(phoneAnna)
	u, err := e.svc.Bootstrap(e.ctx, phoneAnna)
	require.NoError(t, err)
	assert.Equal(t, client.User.ID, u.ID)
	assert.ElementsMatch(t, []auth.Role{auth.RoleClient, auth.RoleAdmin}, u.Roles)
	_, err = e.svc.Authenticate(e.ctx, client.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated, "a role change ends the client-lifetime session")
}

func TestClientCannotManageStaff(t *testing.T) {
	e := newEnv(t)
	_, client := e.signIn(phoneAnna)
	_, other := e.signIn(phoneBoris)

	_, err := e.svc.RegisterStaff(e.ctx, client.Principal(), auth.StaffInput{Identifier: phoneVera, Roles: []auth.Role{auth.RoleAdmin}})
	assert.ErrorIs(t, err, auth.ErrForbidden)
	_, err = e.svc.SetAccess(e.ctx, client.Principal(), client.User.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleAdmin}})
	assert.ErrorIs(t, err, auth.ErrForbidden, "not even on themselves")
	_, err = e.svc.SetAccess(e.ctx, client.Principal(), other.User.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleClient}, Disabled: true})
	assert.ErrorIs(t, err, auth.ErrForbidden)
	_, err = e.svc.AuditTrail(e.ctx, client.Principal(), auth.AuditFilter{})
	assert.ErrorIs(t, err, auth.ErrForbidden)
	_, err = e.svc.RegisterStaff(e.ctx, auth.Principal{}, auth.StaffInput{Identifier: phoneVera, Roles: []auth.Role{auth.RoleAdmin}})
	assert.ErrorIs(t, err, auth.ErrForbidden, "the zero principal")

	_, err = e.store.UserByIdentifier(e.ctx, auth.Identifier{Channel: auth.ChannelSMS, Value: phoneVera})
	assert.ErrorIs(t, err, auth.ErrNotFound, "nobody was created")
	u, err := e.store.UserByID(e.ctx, other.User.ID)
	require.NoError(t, err)
	assert.False(t, u.Disabled)
}

func TestSpecialistLifecycle(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.StaffSessionIdle = 8 * time.Hour
		c.StaffSessionMax = 3 * day
	})
	admin := e.admin(phoneAnna)

	spec, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{
		Identifier: "+7 916 123-45-67", Roles: []auth.Role{auth.RoleSpecialist}, Branches: []string{"north", " south ", "north", ""}, Locale: "en",
	})
	require.NoError(t, err)
	assert.Equal(t, []auth.Role{auth.RoleSpecialist}, spec.Roles)
	assert.Equal(t, []string{"north", "south"}, spec.Branches)
	assert.Equal(t, phoneBoris, spec.Phone)

	si, who := e.signIn(phoneBoris)
	assert.False(t, si.NewUser)
	assert.Equal(t, spec.ID, si.User.ID)
	assert.Equal(t, 8*time.Hour, si.Session.IdleFor)
	assert.Equal(t, e.clock.Now().Add(3*day), si.Session.ExpiresAt)
	p := who.Principal()
	assert.True(t, p.CanInBranch(auth.PermViewHealthData, "north"))
	assert.False(t, p.CanInBranch(auth.PermViewHealthData, "east"))

	// Idle for the staff timeout → signed out.
	e.clock.Advance(8 * time.Hour)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated)

	// Disabled: the live token stops at once and a new sign-in is refused.
	si, _ = e.signIn(phoneBoris)
	_, err = e.svc.SetAccess(e.ctx, admin.Principal(), spec.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleSpecialist}, Disabled: true})
	require.NoError(t, err)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated)

	e.clock.Advance(61 * time.Second)
	tk, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneBoris})
	require.NoError(t, err, "a disabled account gets the same answer as any other")
	_, err = e.verify(tk, phoneBoris)
	assert.ErrorIs(t, err, auth.ErrAccountDisabled)
	sessions, err := e.store.ListSessions(e.ctx, spec.ID)
	require.NoError(t, err)
	assert.Empty(t, sessions)

	// Enabled again, with a role change: signs in.
	_, err = e.svc.SetAccess(e.ctx, admin.Principal(), spec.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleManager}, Branches: []string{"north"}})
	require.NoError(t, err)
	_, who = e.signIn(phoneBoris)
	assert.Equal(t, []auth.Role{auth.RoleManager}, who.User.Roles)
	assert.Equal(t, []string{"north"}, who.User.Branches)
}

func TestRoleChangeEndsSessions(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	client, _ := e.signIn(phoneBoris)

	_, err := e.svc.SetAccess(e.ctx, admin.Principal(), client.User.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleClient, auth.RoleSpecialist}, Branches: []string{"north"}})
	require.NoError(t, err)
	_, err = e.svc.Authenticate(e.ctx, client.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated)

	si, _ := e.signIn(phoneBoris)
	assert.Equal(t, 12*time.Hour, si.Session.IdleFor, "the default staff idle timeout")
	assert.Equal(t, e.clock.Now().Add(7*day), si.Session.ExpiresAt, "the default staff lifetime")
}

func TestAdminCannotDemoteSelf(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)

	for name, ch := range map[string]auth.AccessChange{
		"drop admin": {Roles: []auth.Role{auth.RoleClient}},
		"disable":    {Roles: []auth.Role{auth.RoleAdmin}, Disabled: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.SetAccess(e.ctx, admin.Principal(), admin.User.ID, ch)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "roles", ve.Field)
			assert.ErrorIs(t, err, auth.ErrInvalidInput)
		})
	}
	u, err := e.store.UserByID(e.ctx, admin.User.ID)
	require.NoError(t, err)
	assert.Equal(t, []auth.Role{auth.RoleAdmin}, u.Roles)
	assert.False(t, u.Disabled)
	sessions, err := e.store.ListSessions(e.ctx, admin.User.ID)
	require.NoError(t, err)
	assert.Len(t, sessions, 1, "the refused change ended no session")
}

func TestInvalidRoles(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	_, client := e.signIn(phoneBoris)

	tests := []struct {
		name string
		call func() error
	}{
		{"register unknown role", func() error {
			_, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: phoneVera, Roles: []auth.Role{"owner"}})
			return err
		}},
		{"register client only", func() error {
			_, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: phoneVera, Roles: []auth.Role{auth.RoleClient}})
			return err
		}},
		{"register no roles", func() error {
			_, err := e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: phoneVera})
			return err
		}},
		{"set unknown role", func() error {
			_, err := e.svc.SetAccess(e.ctx, admin.Principal(), client.User.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleClient, "Admin"}})
			return err
		}},
		{"set no roles", func() error {
			_, err := e.svc.SetAccess(e.ctx, admin.Principal(), client.User.ID, auth.AccessChange{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "roles", ve.Field)
			assert.ErrorIs(t, err, auth.ErrInvalidInput)
		})
	}
	u, err := e.store.UserByID(e.ctx, client.User.ID)
	require.NoError(t, err)
	assert.Equal(t, []auth.Role{auth.RoleClient}, u.Roles)

	_, err = e.svc.SetAccess(e.ctx, admin.Principal(), "no-such-user", auth.AccessChange{Roles: []auth.Role{auth.RoleClient}})
	assert.ErrorIs(t, err, auth.ErrNotFound)
	_, err = e.svc.RegisterStaff(e.ctx, admin.Principal(), auth.StaffInput{Identifier: "+44 7400 123456", Roles: []auth.Role{auth.RoleSpecialist}})
	assert.ErrorIs(t, err, auth.ErrInvalidIdentifier)
}

func TestServiceUserVisibility(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	_, c1 := e.signIn(phoneBoris)
	_, c2 := e.signIn(phoneVera)

	u, err := e.svc.User(e.ctx, c1.Principal(), c1.User.ID)
	require.NoError(t, err)
	assert.Equal(t, c1.User.ID, u.ID)
	_, err = e.svc.User(e.ctx, c1.Principal(), c2.User.ID)
	assert.ErrorIs(t, err, auth.ErrNotFound, "another client's user is 404")
	_, err = e.svc.User(e.ctx, admin.Principal(), c2.User.ID)
	assert.NoError(t, err)
	_, err = e.svc.User(e.ctx, auth.Principal{}, c2.User.ID)
	assert.ErrorIs(t, err, auth.ErrNotFound)
}

func TestPrincipalPermissions(t *testing.T) {
	all := []auth.Permission{
		auth.PermOwnData, auth.PermViewClients, auth.PermViewHealthData, auth.PermWriteNotes,
		auth.PermManageSchedules, auth.PermManageBookings, auth.PermManageCatalog, auth.PermViewAnalytics,
		auth.PermManageStaff, auth.PermViewAudit, auth.PermAllBranches, auth.PermManageSettings,
	}
	grants := map[auth.Role][]auth.Permission{
		auth.RoleClient:     {auth.PermOwnData},
		auth.RoleSpecialist: {auth.PermOwnData, auth.PermViewClients, auth.PermViewHealthData, auth.PermWriteNotes},
		auth.RoleManager: {auth.PermOwnData, auth.PermViewClients, auth.PermViewHealthData, auth.PermWriteNotes,
			auth.PermManageSchedules, auth.PermManageBookings, auth.PermViewAnalytics},
		auth.RoleAdmin: all,
		"owner":        nil, // an unknown role grants nothing
		"":             nil,
	}
	for role, granted := range grants {
		for _, perm := range all {
			t.Run(string(role)+"/"+string(perm), func(t *testing.T) {
				p := auth.Principal{UserID: "u1", Roles: []auth.Role{role}, Branches: []string{"north"}}
				want := false
				for _, g := range granted {
					want = want || g == perm
				}
				assert.Equal(t, want, p.Can(perm), "Can")
				assert.Equal(t, want, p.Require(perm) == nil, "Require agrees with Can")
				assert.Equal(t, want, p.CanInBranch(perm, "north"), "CanInBranch own branch")
				wantElsewhere := want && role == auth.RoleAdmin
				assert.Equal(t, wantElsewhere, p.CanInBranch(perm, "south"), "CanInBranch another branch")
				assert.False(t, auth.Principal{}.Can(perm), "the zero principal")
				assert.False(t, auth.Principal{Roles: []auth.Role{role}}.Can(perm), "roles without a user")
			})
		}
	}
	t.Run("several roles add up", func(t *testing.T) {
		p := auth.Principal{UserID: "u1", Roles: []auth.Role{auth.RoleClient, auth.RoleSpecialist}, Branches: []string{"north"}}
		assert.True(t, p.Can(auth.PermOwnData))
		assert.True(t, p.CanInBranch(auth.PermWriteNotes, "north"))
		assert.False(t, p.CanInBranch(auth.PermWriteNotes, ""))
		assert.False(t, p.Can(auth.PermManageStaff))
		assert.True(t, p.IsStaff())
		assert.True(t, p.HasRole(auth.RoleSpecialist))
		assert.False(t, p.HasRole(auth.RoleAdmin))
		assert.ErrorIs(t, p.Require(auth.PermViewAudit), auth.ErrForbidden)
	})
	t.Run("unknown permission", func(t *testing.T) {
		p := auth.Principal{UserID: "u1", Roles: []auth.Role{auth.RoleAdmin}}
		assert.False(t, p.Can("everything"))
	})
}

func TestRoleValid(t *testing.T) {
	for _, tt := range []struct {
		role         auth.Role
		valid, staff bool
	}{
		{auth.RoleClient, true, false},
		{auth.RoleSpecialist, true, true},
		{auth.RoleManager, true, true},
		{auth.RoleAdmin, true, true},
		{"ADMIN", false, false},
		{"", false, false},
	} {
		assert.Equal(t, tt.valid, tt.role.Valid(), "%q.Valid", tt.role)
		assert.Equal(t, tt.staff, tt.role.IsStaff(), "%q.IsStaff", tt.role)
	}
}
