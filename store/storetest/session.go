package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testSessions(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("ByTokenHash", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		u, s := signIn(t, st, phoneA, "u1", "s1", t0)

		gotS, gotU, err := st.SessionByTokenHash(ctx, s.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, s, gotS)
		assert.Equal(t, u, gotU)

		_, _, err = st.SessionByTokenHash(ctx, hash("unknown"))
		require.ErrorIs(t, err, auth.ErrNotFound)
		_, _, err = st.SessionByTokenHash(ctx, nil)
		require.ErrorIs(t, err, auth.ErrNotFound)
	})

	t.Run("ByTokenHashIgnoresExpiry", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		_, s := signIn(t, st, phoneA, "u1", "s1", t0)
		// Long past both expiries, the session is still returned: the caller
		// checks Live with its clock.
		require.False(t, s.Live(t0.Add(365*24*time.Hour)))
		_, _, err := st.SessionByTokenHash(ctx, s.TokenHash)
		require.NoError(t, err)
	})

	t.Run("ByTokenHashSeesAccessChangesAtOnce", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		_, s := signIn(t, st, phoneA, "u1", "s1", t0)
		require.NoError(t, st.UpdateUserAccess(ctx, "u1", []auth.Role{auth.RoleManager}, []string{"b1"}, true))

		_, u, err := st.SessionByTokenHash(ctx, s.TokenHash)
		require.NoError(t, err)
		assert.True(t, u.Disabled)
		assert.Equal(t, []auth.Role{auth.RoleManager}, u.Roles)
		assert.Equal(t, []string{"b1"}, u.Branches)
	})

	t.Run("Touch", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		_, s := signIn(t, st, phoneA, "u1", "s1", t0)
		later := t0.Add(3 * 24 * time.Hour)
		require.NoError(t, st.TouchSession(ctx, s.ID, later))

		got, _, err := st.SessionByTokenHash(ctx, s.TokenHash)
		require.NoError(t, err)
		assert.True(t, later.Equal(got.LastSeenAt), "LastSeenAt %v", got.LastSeenAt)
		assert.True(t, s.CreatedAt.Equal(got.CreatedAt), "CreatedAt is untouched")
		assert.True(t, s.ExpiresAt.Equal(got.ExpiresAt), "the absolute expiry is untouched")
		assert.Equal(t, s.IdleFor, got.IdleFor)

		require.ErrorIs(t, st.TouchSession(ctx, "nope", later), auth.ErrNotFound)
	})

	t.Run("List", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		_, s1 := signIn(t, st, phoneA, "u1", "s1", t0)
		_, s3 := signIn(t, st, phoneA, "u1", "s3", t0.Add(2*time.Hour))
		_, s2 := signIn(t, st, phoneA, "u1", "s2", t0.Add(time.Hour))
		signIn(t, st, phoneB, "u2", "other", t0.Add(3*time.Hour))

		got, err := st.ListSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, []auth.Session{s3, s2, s1}, got, "newest first, only u1's")

		got, err = st.ListSessions(ctx, "nobody")
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		_, mine := signIn(t, st, phoneA, "u1", "mine", t0)
		_, theirs := signIn(t, st, phoneB, "u2", "theirs", t0)

		require.ErrorIs(t, st.DeleteSession(ctx, "u1", theirs.ID), auth.ErrNotFound, "another user's session")
		_, _, err := st.SessionByTokenHash(ctx, theirs.TokenHash)
		require.NoError(t, err, "another user's session still exists")

		require.ErrorIs(t, st.DeleteSession(ctx, "u1", "nope"), auth.ErrNotFound)

		require.NoError(t, st.DeleteSession(ctx, "u1", mine.ID))
		_, _, err = st.SessionByTokenHash(ctx, mine.TokenHash)
		require.ErrorIs(t, err, auth.ErrNotFound)
		require.ErrorIs(t, st.DeleteSession(ctx, "u1", mine.ID), auth.ErrNotFound, "already deleted")
	})

	t.Run("DeleteOthersAndAll", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for _, id := range []string{"a", "b", "c"} {
			signIn(t, st, phoneA, "u1", id, t0)
		}
		_, theirs := signIn(t, st, phoneB, "u2", "theirs", t0)

		n, err := st.DeleteOtherSessions(ctx, "u1", "b")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		list, err := st.ListSessions(ctx, "u1")
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "b", list[0].ID)

		n, err = st.DeleteUserSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		list, err = st.ListSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Empty(t, list)

		n, err = st.DeleteUserSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Zero(t, n)

		_, _, err = st.SessionByTokenHash(ctx, theirs.TokenHash)
		require.NoError(t, err, "other users' sessions are untouched")
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		now := t0.Add(10 * 24 * time.Hour)
		tests := []struct {
			id      string
			change  func(s *auth.Session)
			touch   time.Time // when set, TouchSession at this instant
			removed bool
		}{
			{id: "live", change: func(s *auth.Session) { s.LastSeenAt = now.Add(-time.Hour) }},
			{id: "absolute-at-now", removed: true, change: func(s *auth.Session) {
				s.LastSeenAt, s.ExpiresAt = now.Add(-time.Hour), now
			}},
			{id: "absolute-before-now", removed: true, change: func(s *auth.Session) {
				s.LastSeenAt, s.ExpiresAt = now.Add(-time.Hour), now.Add(-time.Second)
			}},
			{id: "idle-at-now", removed: true, change: func(s *auth.Session) { s.LastSeenAt = now.Add(-s.IdleFor) }},
			{id: "idle-before-now", removed: true}, // created at t0, idle for 7 days
			{id: "touched", touch: now.Add(-24 * time.Hour)},
		}
		for _, tt := range tests {
			s := newSession(tt.id, t0)
			if tt.change != nil {
				tt.change(&s)
			}
			c := newChallenge("ch-"+tt.id, phoneA, auth.PurposeSignIn, "")
			require.NoError(t, st.CreateChallenge(ctx, c))
			_, _, err := st.CompleteSignIn(ctx, c.ID, t0, newUser("u1"), s)
			require.NoError(t, err)
			if !tt.touch.IsZero() {
				require.NoError(t, st.TouchSession(ctx, tt.id, tt.touch))
			}
		}

		n, err := st.DeleteExpiredSessions(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, 4, n)
		for _, tt := range tests {
			_, _, err := st.SessionByTokenHash(ctx, newSession(tt.id, t0).TokenHash)
			if tt.removed {
				assert.ErrorIs(t, err, auth.ErrNotFound, tt.id)
			} else {
				assert.NoError(t, err, tt.id)
			}
		}
	})
}
