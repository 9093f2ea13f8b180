package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

const day = 24 * time.Hour

func TestSessionIdleExpiry(t *testing.T) {
	e := newEnv(t)
	si, _ := e.signIn(phoneAnna)

	e.clock.Advance(30*day - time.Second)
	_, err := e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err, "just before the idle timeout")

	// That use moved the idle expiry: another 30 days less a second is fine…
	e.clock.Advance(30*day - time.Second)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)

	// …but 30 days without use are not.
	e.clock.Advance(30 * day)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	e := newEnv(t)
	si, _ := e.signIn(phoneAnna)
	end := si.Session.ExpiresAt
	require.Equal(t, e.clock.Now().Add(90*day), end)

	days := 0
	for e.clock.Advance(day).Before(end) {
		_, err := e.svc.Authenticate(e.ctx, si.Token)
		require.NoError(t, err, "day %d", days+1)
		days++
	}
	assert.Equal(t, 89, days)
	_, err := e.svc.Authenticate(e.ctx, si.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated, "used every day, still over at 90 days")
}

func TestSessionTouchEvery(t *testing.T) {
	e := newEnv(t)
	si, _ := e.signIn(phoneAnna) // Authenticate at the sign-in instant writes nothing
	created := si.Session.CreatedAt

	lastSeen := func() time.Time {
		t.Helper()
		list, err := e.store.ListSessions(e.ctx, si.User.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		return list[0].LastSeenAt
	}
	require.Equal(t, created, lastSeen())

	e.clock.Advance(59 * time.Second)
	who, err := e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)
	assert.Equal(t, created, lastSeen(), "not written within TouchEvery")
	assert.Equal(t, created, who.Session.LastSeenAt)

	at := e.clock.Advance(time.Second) // TouchEvery after the last write
	who, err = e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)
	assert.Equal(t, at, lastSeen(), "written once TouchEvery has passed")
	assert.Equal(t, at, who.Session.LastSeenAt)
	assert.Equal(t, at.Add(30*day), who.Session.IdleExpiresAt())

	e.clock.Advance(30 * time.Second)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)
	assert.Equal(t, at, lastSeen())
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	si, who := e.signIn(phoneAnna)
	other, _ := e.signIn(phoneAnna)

	require.NoError(t, e.svc.Logout(e.ctx, who, testIP))
	_, err := e.svc.Authenticate(e.ctx, si.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated, "at once, no clock change")
	_, err = e.svc.Authenticate(e.ctx, other.Token)
	assert.NoError(t, err, "the user's other session stays")

	assert.NoError(t, e.svc.Logout(e.ctx, who, testIP), "logging out twice is harmless")

	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionLogout})
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	assert.Equal(t, who.Session.ID, entries[0].Subject)
	assert.Equal(t, si.User.ID, entries[0].ActorID)
}

func TestRevokeForeignSession(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(phoneAnna)
	boris, borisWho := e.signIn(phoneBoris)

	err := e.svc.RevokeSession(e.ctx, anna, borisWho.Session.ID, testIP)
	assert.ErrorIs(t, err, auth.ErrNotFound)
	_, err = e.svc.Authenticate(e.ctx, boris.Token)
	assert.NoError(t, err, "the other user's session still works")

	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionAccessDenied})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, anna.User.ID, entries[0].ActorID)
	assert.Equal(t, borisWho.Session.ID, entries[0].Subject)
	assert.Equal(t, testIP, entries[0].IP)
	assert.Equal(t, e.clock.Now(), entries[0].At)

	assert.ErrorIs(t, e.svc.RevokeSession(e.ctx, anna, "no-such-session", testIP), auth.ErrNotFound)
}

func TestRevokeOwnSession(t *testing.T) {
	e := newEnv(t)
	first, _ := e.signIn(phoneAnna)
	_, who := e.signIn(phoneAnna)

	require.NoError(t, e.svc.RevokeSession(e.ctx, who, first.Session.ID, testIP))
	_, err := e.svc.Authenticate(e.ctx, first.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionSessionRevoked})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, first.Session.ID, entries[0].Subject)
}

func TestRevokeOtherSessions(t *testing.T) {
	e := newEnv(t)
	s1, _ := e.signIn(phoneAnna)
	s2, keep := e.signIn(phoneAnna)
	s3, _ := e.signIn(phoneAnna)
	borisSI, _ := e.signIn(phoneBoris)

	n, err := e.svc.RevokeOtherSessions(e.ctx, keep, testIP)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	for _, tok := range []string{s1.Token, s3.Token} {
		_, err := e.svc.Authenticate(e.ctx, tok)
		assert.ErrorIs(t, err, auth.ErrUnauthenticated)
	}
	_, err = e.svc.Authenticate(e.ctx, s2.Token)
	assert.NoError(t, err, "the current session stays")
	_, err = e.svc.Authenticate(e.ctx, borisSI.Token)
	assert.NoError(t, err, "another user's session is untouched")
}

func TestSessionsListsOwnLiveOnly(t *testing.T) {
	e := newEnv(t)
	old, _ := e.signIn(phoneAnna)
	e.clock.Advance(20 * day)
	cur, who := e.signIn(phoneAnna)
	e.signIn(phoneBoris)
	e.clock.Advance(11 * day) // the first session has been idle 31 days

	_, err := e.svc.Authenticate(e.ctx, old.Token)
	require.ErrorIs(t, err, auth.ErrUnauthenticated)

	list, err := e.svc.Sessions(e.ctx, who)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, cur.Session.ID, list[0].ID)
	assert.Equal(t, cur.User.ID, list[0].UserID)

	all, err := e.store.ListSessions(e.ctx, cur.User.ID)
	require.NoError(t, err)
	assert.Len(t, all, 2, "the expired one is still stored until Cleanup")

	require.NoError(t, e.svc.Cleanup(e.ctx))
	all, err = e.store.ListSessions(e.ctx, cur.User.ID)
	require.NoError(t, err)
	assert.Len(t, all, 1)
}

func TestCleanupKeepsLimits(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.CodesPerDay = 1 })
	e.request(phoneAnna, "")
	e.clock.Advance(23 * time.Hour)
	require.NoError(t, e.svc.Cleanup(e.ctx))
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	assert.ErrorIs(t, err, auth.ErrRateLimited, "Cleanup removes only events no window can see")
}

// TestStaffLimitsApplyToOlderSession: a session opened as a client and kept
// when a staff role arrives directly in the store (the race between reading
// the roles and the sign-in transaction) still gets the staff lifetimes.
func TestStaffLimitsApplyToOlderSession(t *testing.T) {
	e := newEnv(t)
	si, _ := e.signIn(phoneAnna)
	require.NoError(t, e.store.UpdateUserAccess(e.ctx, si.User.ID, []auth.Role{auth.RoleClient, auth.RoleSpecialist}, nil, false))

	e.clock.Advance(11 * time.Hour)
	_, err := e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err, "within the staff idle timeout")
	e.clock.Advance(13 * time.Hour)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	assert.ErrorIs(t, err, auth.ErrUnauthenticated, "12h staff idle timeout, not the client's 30 days")
}

func TestCleanupAppliesAuditRetention(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention time.Duration
		want      int
	}{
		{"kept forever by default", 0, 2},
		{"older than the retention go", 30 * day, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *auth.Config) { c.AuditRetention = tc.retention })
			e.request(phoneAnna, "") // one code_requested entry
			e.clock.Advance(40 * day)
			e.request(phoneBoris, "") // and one 40 days later
			require.NoError(t, e.svc.Cleanup(e.ctx))
			entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{})
			require.NoError(t, err)
			assert.Len(t, entries, tc.want)
		})
	}
}
