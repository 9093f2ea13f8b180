package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

func TestAddIdentifier(t *testing.T) {
	e := newEnv(t)
	_, who := e.signIn(phoneAnna)

	tk, err := e.svc.RequestIdentifierCode(e.ctx, who, auth.CodeRequest{Identifier: "Anna@Example.com", IP: testIP})
	require.NoError(t, err)
	assert.Equal(t, auth.ChannelEmail, tk.Channel)
	msgs := e.sender.Messages()
	assert.Equal(t, auth.PurposeAddIdentifier, msgs[len(msgs)-1].Purpose)
	code := e.sender.lastCode(t, emailAnna)

	// A sign-in with the add-identifier challenge is refused…
	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
	assert.ErrorIs(t, err, auth.ErrCodeExpired)

	// …while the confirmation works.
	u, err := e.svc.ConfirmIdentifier(e.ctx, who, tk.ChallengeID, code, testIP)
	require.NoError(t, err)
	assert.Equal(t, who.User.ID, u.ID)
	assert.Equal(t, phoneAnna, u.Phone)
	assert.Equal(t, emailAnna, u.Email)

	_, err = e.svc.ConfirmIdentifier(e.ctx, who, tk.ChallengeID, code, testIP)
	assert.ErrorIs(t, err, auth.ErrCodeExpired, "single use")

	// Signing in by e-mail now reaches the same user.
	si, _ := e.signIn(emailAnna)
	assert.False(t, si.NewUser)
	assert.Equal(t, who.User.ID, si.User.ID)

	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionIdentifierAdded})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.NotContains(t, entries[0].Detail, emailAnna)
}

func TestAddIdentifierTaken(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(emailAnna)
	_, boris := e.signIn(phoneBoris)

	tk, err := e.svc.RequestIdentifierCode(e.ctx, boris, auth.CodeRequest{Identifier: emailAnna})
	require.NoError(t, err, "the answer does not reveal that the address is taken")
	_, err = e.svc.ConfirmIdentifier(e.ctx, boris, tk.ChallengeID, e.sender.lastCode(t, emailAnna), "")
	assert.ErrorIs(t, err, auth.ErrIdentifierTaken)

	u, err := e.store.UserByID(e.ctx, boris.User.ID)
	require.NoError(t, err)
	assert.Empty(t, u.Email)
	u, err = e.store.UserByID(e.ctx, anna.User.ID)
	require.NoError(t, err)
	assert.Equal(t, emailAnna, u.Email)
}

func TestAddIdentifierForeignChallenge(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(phoneAnna)
	_, boris := e.signIn(phoneBoris)

	tk, err := e.svc.RequestIdentifierCode(e.ctx, anna, auth.CodeRequest{Identifier: emailAnna})
	require.NoError(t, err)
	code := e.sender.lastCode(t, emailAnna)

	_, err = e.svc.ConfirmIdentifier(e.ctx, boris, tk.ChallengeID, code, "")
	assert.ErrorIs(t, err, auth.ErrCodeExpired, "another user's challenge is as if unknown")
	u, err := e.store.UserByID(e.ctx, boris.User.ID)
	require.NoError(t, err)
	assert.Empty(t, u.Email)

	// A sign-in challenge cannot be used to add an identifier either.
	e.clock.Advance(61 * time.Second)
	signIn := e.request(emailBoris, "")
	_, err = e.svc.ConfirmIdentifier(e.ctx, boris, signIn.ChallengeID, e.sender.lastCode(t, emailBoris), "")
	assert.ErrorIs(t, err, auth.ErrCodeExpired)

	u, err = e.svc.ConfirmIdentifier(e.ctx, anna, tk.ChallengeID, code, "")
	require.NoError(t, err, "the owner can still confirm")
	assert.Equal(t, emailAnna, u.Email)
}

func TestReplacePhone(t *testing.T) {
	e := newEnv(t)
	_, who := e.signIn(phoneAnna)
	tk, err := e.svc.RequestIdentifierCode(e.ctx, who, auth.CodeRequest{Identifier: phoneVera})
	require.NoError(t, err)
	u, err := e.svc.ConfirmIdentifier(e.ctx, who, tk.ChallengeID, e.sender.lastCode(t, phoneVera), "")
	require.NoError(t, err)
	assert.Equal(t, phoneVera, u.Phone, "the new phone replaces the old one")

	si, _ := e.signIn(phoneVera)
	assert.Equal(t, who.User.ID, si.User.ID)
}

// TestAuditTrail runs a flow with every kind of event and reads the trail as
// an admin: each entry has its time and address, and none carries a code or a
// raw contact.
func TestAuditTrail(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneVera)

	// code_requested, verify_failed, sign_in
	e.clock.Advance(time.Minute)
	tk, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "+7 912 345 67 89", IP: testIP})
	require.NoError(t, err)
	code := e.sender.lastCode(t, phoneAnna)
	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code), IP: testIP})
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	si, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code, IP: testIP})
	require.NoError(t, err)
	who, err := e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)

	// rate_limited (the resend cooldown)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna, IP: testIP})
	require.ErrorIs(t, err, auth.ErrRateLimited)

	// identifier_added (e-mail), session_revoked
	tk, err = e.svc.RequestIdentifierCode(e.ctx, who, auth.CodeRequest{Identifier: emailAnna, IP: testIP})
	require.NoError(t, err)
	_, err = e.svc.ConfirmIdentifier(e.ctx, who, tk.ChallengeID, e.sender.lastCode(t, emailAnna), testIP)
	require.NoError(t, err)
	e.clock.Advance(61 * time.Second)
	tk, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna, IP: testIP})
	require.NoError(t, err)
	other, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: e.sender.lastCode(t, phoneAnna), IP: testIP})
	require.NoError(t, err)
	require.NoError(t, e.svc.RevokeSession(e.ctx, who, other.Session.ID, testIP))

	// roles_changed
	_, err = e.svc.SetAccess(e.ctx, admin.Principal(), who.User.ID, auth.AccessChange{Roles: []auth.Role{auth.RoleClient, auth.RoleSpecialist}, Branches: []string{"north"}, IP: testIP})
	require.NoError(t, err)

	entries, err := e.svc.AuditTrail(e.ctx, admin.Principal(), auth.AuditFilter{})
	require.NoError(t, err)
	byAction := map[string][]auth.AuditEntry{}
	for _, en := range entries {
		byAction[en.Action] = append(byAction[en.Action], en)
	}
	// Entries that come from a request carry its address.
	withIP := []string{auth.ActionCodeRequested, auth.ActionVerifyFailed, auth.ActionSignIn,
		auth.ActionRateLimited, auth.ActionSessionRevoked, auth.ActionIdentifierAdded, auth.ActionRolesChanged}
	for _, action := range append(withIP, auth.ActionStaffRegistered) {
		assert.NotEmpty(t, byAction[action], "no %s entry", action)
	}
	for _, action := range withIP {
		for _, en := range byAction[action] {
			if en.ActorID == admin.User.ID || strings.Contains(en.Detail, "+7903") {
				continue // the admin's own sign-in, made without an address
			}
			assert.Equal(t, testIP, en.IP, "%s %s", action, en.Detail)
		}
	}
	assert.Equal(t, who.User.ID, byAction[auth.ActionRolesChanged][0].Subject)
	assert.Equal(t, admin.User.ID, byAction[auth.ActionRolesChanged][0].ActorID)
	assert.Contains(t, byAction[auth.ActionRateLimited][0].Detail, "limit=resend")
	assert.Equal(t, who.User.ID, byAction[auth.ActionSignIn][1].ActorID, "newest first: the second-newest sign-in is Anna's first")

	var prev time.Time
	for i, en := range entries {
		assert.NotEmpty(t, en.ID)
		assert.False(t, en.At.IsZero())
		assert.Equal(t, time.UTC, en.At.Location())
		if i > 0 {
			assert.False(t, en.At.After(prev), "newest first")
		}
		prev = en.At
		for _, secret := range append(e.codes(), si.Token, other.Token, phoneAnna, phoneVera, emailAnna, "9123456789") {
			assert.NotContains(t, en.Detail, secret, "%s detail", en.Action)
			assert.NotContains(t, en.Subject, secret, "%s subject", en.Action)
		}
	}

	filtered, err := e.svc.AuditTrail(e.ctx, admin.Principal(), auth.AuditFilter{Action: auth.ActionSignIn, Limit: 1})
	require.NoError(t, err)
	require.Len(t, filtered, 1)
	assert.Equal(t, other.Session.ID, filtered[0].Subject)

	_, err = e.svc.AuditTrail(e.ctx, who.Principal(), auth.AuditFilter{})
	assert.ErrorIs(t, err, auth.ErrForbidden, "a client")
	_, err = e.svc.AuditTrail(e.ctx, auth.Principal{}, auth.AuditFilter{})
	assert.ErrorIs(t, err, auth.ErrForbidden, "nobody")
}

func TestAuditFromHost(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneAnna)
	require.NoError(t, e.svc.Audit(e.ctx, auth.AuditEntry{ActorID: admin.User.ID, Action: "clients.health_read", Subject: "client-1", IP: testIP}))
	entries, err := e.svc.AuditTrail(e.ctx, admin.Principal(), auth.AuditFilter{Action: "clients.health_read"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.NotEmpty(t, entries[0].ID)
	assert.Equal(t, e.clock.Now(), entries[0].At)
}

func TestNewValidation(t *testing.T) {
	st := newEnv(t).store
	valid := func() auth.Config {
		return auth.Config{Store: st, Sender: &recordingSender{}, Secret: testSecret}
	}
	tests := []struct {
		name  string
		set   func(*auth.Config)
		field string // "" when the config is valid
	}{
		{"valid", func(*auth.Config) {}, ""},
		{"no store", func(c *auth.Config) { c.Store = nil }, "Store"},
		{"no sender", func(c *auth.Config) { c.Sender = nil }, "Sender"},
		{"no secret", func(c *auth.Config) { c.Secret = nil }, "Secret"},
		{"short secret", func(c *auth.Config) { c.Secret = testSecret[:31] }, "Secret"},
		{"CodeTTL over 10m", func(c *auth.Config) { c.CodeTTL = 10*time.Minute + time.Second }, "CodeTTL"},
		{"CodeTTL 10m", func(c *auth.Config) { c.CodeTTL = 10 * time.Minute }, ""},
		{"negative CodeTTL", func(c *auth.Config) { c.CodeTTL = -time.Minute }, "CodeTTL"},
		{"negative MaxAttempts", func(c *auth.Config) { c.MaxAttempts = -1 }, "MaxAttempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.set(&cfg)
			svc, err := auth.New(cfg)
			if tt.field == "" {
				require.NoError(t, err)
				assert.NotNil(t, svc)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Config."+tt.field)
			assert.Nil(t, svc)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	e := newEnv(t)
	c := e.svc.Config()
	assert.Equal(t, 5*time.Minute, c.CodeTTL)
	assert.Equal(t, 5, c.MaxAttempts)
	assert.Equal(t, 60*time.Second, c.ResendAfter)
	assert.Equal(t, 5, c.CodesPerHour)
	assert.Equal(t, 10, c.CodesPerDay)
	assert.Equal(t, 30, c.SendsPerIPPerHour)
	assert.Equal(t, 120, c.VerifiesPerIPPerHour)
	assert.Equal(t, 1000, c.SMSPerHour)
	assert.Equal(t, 100, c.FailuresPerDay)
	assert.Equal(t, 30*day, c.SessionIdle)
	assert.Equal(t, 90*day, c.SessionMax)
	assert.Equal(t, 12*time.Hour, c.StaffSessionIdle)
	assert.Equal(t, 7*day, c.StaffSessionMax)
	assert.Equal(t, time.Minute, c.TouchEvery)
	assert.Equal(t, "RU", c.DefaultRegion)
	assert.Equal(t, "ru", c.DefaultLocale)
	assert.Equal(t, []string{"RU", "KZ", "BY"}, c.AllowedRegions)
}

func TestSetLocale(t *testing.T) {
	e := newEnv(t)
	_, who := e.signIn(phoneAnna)
	require.NoError(t, e.svc.SetLocale(e.ctx, who, "en-GB"))
	u, err := e.store.UserByID(e.ctx, who.User.ID)
	require.NoError(t, err)
	assert.Equal(t, "en", u.Locale)

	// The user's language is used for their next code.
	e.clock.Advance(61 * time.Second)
	e.request(phoneAnna, "")
	msgs := e.sender.Messages()
	assert.Equal(t, "en", msgs[len(msgs)-1].Locale)

	var ve *auth.ValidationError
	require.ErrorAs(t, e.svc.SetLocale(e.ctx, who, "de"), &ve)
	assert.Equal(t, "locale", ve.Field)
}

// TestRateLimitAuditIsBounded: a client hammering a closed door leaves one
// rate_limited entry per minute, not one per request.
func TestRateLimitAuditIsBounded(t *testing.T) {
	e := newEnv(t)
	e.request(phoneAnna, testIP)
	for range 20 {
		_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna, IP: testIP})
		require.ErrorIs(t, err, auth.ErrRateLimited)
	}
	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionRateLimited})
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	e.clock.Advance(61 * time.Second) // past the cooldown and the audit's minute
	e.request(phoneAnna, testIP)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna, IP: testIP})
	require.ErrorIs(t, err, auth.ErrRateLimited)
	entries, err = e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionRateLimited})
	require.NoError(t, err)
	assert.Len(t, entries, 2)
}
