package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testSignIn(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("FirstCreatesThenFinds", func(t *testing.T) {
		t.Parallel()
		for _, ident := range []auth.Identifier{phoneA, emailA} {
			t.Run(string(ident.Channel), func(t *testing.T) {
				t.Parallel()
				st, ctx := open(t), t.Context()

				c1 := newChallenge("c1", ident, auth.PurposeSignIn, "")
				require.NoError(t, st.CreateChallenge(ctx, c1))
				now := t0.Add(time.Minute)
				nu := newUser("u1") // the caller sets the identifier
				if ident.Channel == auth.ChannelSMS {
					nu.Phone = ident.Value
				} else {
					nu.Email = ident.Value
				}
				s1 := newSession("s1", now)
				u, created, err := st.CompleteSignIn(ctx, c1.ID, now, nu, s1)
				require.NoError(t, err)
				assert.True(t, created)
				assert.Equal(t, nu, u)

				got, err := st.UserByIdentifier(ctx, ident)
				require.NoError(t, err)
				assert.Equal(t, nu, got)
				gotSess, gotUser, err := st.SessionByTokenHash(ctx, s1.TokenHash)
				require.NoError(t, err)
				s1.UserID = "u1"
				assert.Equal(t, s1, gotSess, "the session is stored with the user's ID")
				assert.Equal(t, nu, gotUser)

				// A second sign-in through a new challenge finds the same user.
				c2 := newChallenge("c2", ident, auth.PurposeSignIn, "")
				c2.CreatedAt = t0.Add(time.Hour)
				c2.ExpiresAt = c2.CreatedAt.Add(codeTTL)
				require.NoError(t, st.CreateChallenge(ctx, c2))
				now = c2.CreatedAt.Add(time.Minute)
				u, created, err = st.CompleteSignIn(ctx, c2.ID, now, newUser("u2"), newSession("s2", now))
				require.NoError(t, err)
				assert.False(t, created)
				assert.Equal(t, "u1", u.ID)
				_, err = st.UserByID(ctx, "u2")
				require.ErrorIs(t, err, auth.ErrNotFound, "newUser is not created when the identifier has a user")

				sessions, err := st.ListSessions(ctx, "u1")
				require.NoError(t, err)
				assert.Len(t, sessions, 2)
			})
		}
	})

	t.Run("ExistingUserIsFound", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		staff := auth.User{ID: "staff", Phone: phoneA.Value, Email: emailA.Value,
			Roles: []auth.Role{auth.RoleSpecialist}, Branches: []string{"b1"}, Locale: "en", CreatedAt: t0}
		require.NoError(t, st.CreateUser(ctx, staff))

		for _, ident := range []auth.Identifier{phoneA, emailA} {
			c := newChallenge("c-"+ident.Value, ident, auth.PurposeSignIn, "")
			require.NoError(t, st.CreateChallenge(ctx, c))
			u, created, err := st.CompleteSignIn(ctx, c.ID, t0, newUser("new"), newSession("s-"+ident.Value, t0))
			require.NoError(t, err)
			assert.False(t, created)
			assert.Equal(t, staff, u)
		}
	})

	t.Run("ChallengeIsSingleUse", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
		require.NoError(t, st.CreateChallenge(ctx, c))
		_, _, err := st.CompleteSignIn(ctx, c.ID, t0, newUser("u1"), newSession("s1", t0))
		require.NoError(t, err)

		_, _, err = st.CompleteSignIn(ctx, c.ID, t0, newUser("u1"), newSession("s2", t0))
		require.ErrorIs(t, err, auth.ErrCodeExpired)
		_, err = st.AttemptChallenge(ctx, c.ID, t0)
		require.ErrorIs(t, err, auth.ErrCodeExpired, "a used challenge accepts no attempt")
		_, _, err = st.SessionByTokenHash(ctx, newSession("s2", t0).TokenHash)
		require.ErrorIs(t, err, auth.ErrNotFound)
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name      string
			challenge auth.Challenge
			unstored  bool // the challenge is never stored
			now       time.Time
			resend    bool // a resend after the challenge was created
		}{
			{name: "unknown", challenge: newChallenge("other", phoneB, auth.PurposeSignIn, ""), unstored: true, now: t0},
			{name: "expired at now", challenge: newChallenge("c1", phoneA, auth.PurposeSignIn, ""), now: t0.Add(codeTTL)},
			{name: "expired", challenge: newChallenge("c1", phoneA, auth.PurposeSignIn, ""), now: t0.Add(time.Hour)},
			{name: "voided", challenge: newChallenge("c1", phoneA, auth.PurposeSignIn, ""), now: t0, resend: true},
			// An add-identifier challenge proves the identifier to a signed-in
			// user; it does not sign anyone in.
			{name: "other purpose", challenge: newChallenge("c1", phoneA, auth.PurposeAddIdentifier, "owner"), now: t0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st, ctx := open(t), t.Context()
				owner := newUser("owner")
				owner.Email = emailB.Value
				require.NoError(t, st.CreateUser(ctx, owner))
				if !tt.unstored {
					require.NoError(t, st.CreateChallenge(ctx, tt.challenge))
				}
				if tt.resend {
					require.NoError(t, st.CreateChallenge(ctx, newChallenge("resend", phoneA, auth.PurposeSignIn, "")))
				}
				_, _, err := st.CompleteSignIn(ctx, tt.challenge.ID, tt.now, newUser("u1"), newSession("s1", tt.now))
				require.ErrorIs(t, err, auth.ErrCodeExpired)

				_, err = st.UserByID(ctx, "u1")
				require.ErrorIs(t, err, auth.ErrNotFound, "no user created")
				_, _, err = st.SessionByTokenHash(ctx, newSession("s1", tt.now).TokenHash)
				require.ErrorIs(t, err, auth.ErrNotFound, "no session stored")
			})
		}
	})

	t.Run("DisabledUser", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		u := newUser("u1")
		u.Phone = phoneA.Value
		u.Disabled = true
		require.NoError(t, st.CreateUser(ctx, u))
		c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
		require.NoError(t, st.CreateChallenge(ctx, c))

		s1 := newSession("s1", t0)
		_, _, err := st.CompleteSignIn(ctx, c.ID, t0, newUser("new"), s1)
		require.ErrorIs(t, err, auth.ErrUnauthenticated)
		_, _, err = st.SessionByTokenHash(ctx, s1.TokenHash)
		require.ErrorIs(t, err, auth.ErrNotFound, "no session")
		sessions, err := st.ListSessions(ctx, "u1")
		require.NoError(t, err)
		assert.Empty(t, sessions)

		// The refusal rolled everything back: the challenge was not consumed,
		// so once the user is enabled again it still works.
		require.NoError(t, st.UpdateUserAccess(ctx, "u1", u.Roles, nil, false))
		got, created, err := st.CompleteSignIn(ctx, c.ID, t0.Add(time.Minute), newUser("new"), newSession("s2", t0))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, "u1", got.ID)
	})

	t.Run("ParallelCompleteSucceedsOnce", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
		require.NoError(t, st.CreateChallenge(ctx, c))

		const n = 20
		errs := parallel(n, func(i int) error {
			id := fmt.Sprint(i)
			_, _, err := st.CompleteSignIn(ctx, c.ID, t0.Add(time.Second), newUser("u"+id), newSession("s"+id, t0))
			return err
		})
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, auth.ErrCodeExpired):
				t.Errorf("sign-in %d: unexpected error %v", i, err)
			}
		}
		assert.Equal(t, 1, ok, "exactly one caller consumes the challenge")

		u, err := st.UserByIdentifier(ctx, phoneA)
		require.NoError(t, err)
		sessions, err := st.ListSessions(ctx, u.ID)
		require.NoError(t, err)
		assert.Len(t, sessions, 1, "exactly one session")
		for i := range n {
			if id := fmt.Sprint("u", i); id != u.ID {
				_, err := st.UserByID(ctx, id)
				assert.ErrorIs(t, err, auth.ErrNotFound, "only one user is created")
			}
		}
	})
}

func testAttachIdentifier(t *testing.T, open func(t *testing.T) cabinet.Store) {
	// setup stores user u1 holding phoneA and an add-identifier challenge c1
	// for ident.
	setup := func(t *testing.T, ident auth.Identifier) cabinet.Store {
		t.Helper()
		st := open(t)
		u := newUser("u1")
		u.Phone = phoneA.Value
		require.NoError(t, st.CreateUser(t.Context(), u))
		require.NoError(t, st.CreateChallenge(t.Context(), newChallenge("c1", ident, auth.PurposeAddIdentifier, "u1")))
		return st
	}

	t.Run("SetsTheIdentifier", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			ident     auth.Identifier
			wantPhone string
			wantEmail string
		}{
			{ident: emailA, wantPhone: phoneA.Value, wantEmail: emailA.Value},
			{ident: phoneB, wantPhone: phoneB.Value}, // replaces the phone
			{ident: phoneA, wantPhone: phoneA.Value}, // already the user's: no change
		}
		for _, tt := range tests {
			t.Run(tt.ident.Value, func(t *testing.T) {
				t.Parallel()
				st := setup(t, tt.ident)
				ctx := t.Context()
				u, err := st.AttachIdentifier(ctx, "c1", t0.Add(time.Minute))
				require.NoError(t, err)
				assert.Equal(t, "u1", u.ID)
				assert.Equal(t, tt.wantPhone, u.Phone)
				assert.Equal(t, tt.wantEmail, u.Email)

				got, err := st.UserByIdentifier(ctx, tt.ident)
				require.NoError(t, err)
				assert.Equal(t, u, got)
				if tt.ident != phoneA && tt.wantPhone != phoneA.Value {
					_, err := st.UserByIdentifier(ctx, phoneA)
					assert.ErrorIs(t, err, auth.ErrNotFound, "the replaced phone is free")
				}

				_, err = st.AttachIdentifier(ctx, "c1", t0.Add(2*time.Minute))
				require.ErrorIs(t, err, auth.ErrCodeExpired, "the challenge is consumed")
			})
		}
	})

	t.Run("VoidsPendingChallenges", func(t *testing.T) {
		t.Parallel()
		st := setup(t, phoneB) // u1 replaces phoneA with phoneB
		ctx := t.Context()
		pending := []auth.Challenge{
			newChallenge("old-phone-sign-in", phoneA, auth.PurposeSignIn, ""),
			newChallenge("new-phone-sign-in", phoneB, auth.PurposeSignIn, ""),
			newChallenge("other-request", emailA, auth.PurposeAddIdentifier, "u1"),
			newChallenge("unrelated", emailB, auth.PurposeSignIn, ""),
		}
		for _, c := range pending {
			c.CreatedAt = t0.Add(time.Second) // after c1, so creating them voids nothing of u1's
			require.NoError(t, st.CreateChallenge(ctx, c))
		}
		_, err := st.AttachIdentifier(ctx, "c1", t0.Add(time.Minute))
		require.NoError(t, err)
		for _, id := range []string{"old-phone-sign-in", "new-phone-sign-in", "other-request"} {
			_, err := st.AttemptChallenge(ctx, id, t0.Add(2*time.Minute))
			assert.ErrorIs(t, err, auth.ErrCodeExpired, "%s is void after the change", id)
		}
		_, err = st.AttemptChallenge(ctx, "unrelated", t0.Add(2*time.Minute))
		assert.NoError(t, err, "someone else's sign-in is untouched")
	})

	t.Run("TakenLeavesChallengeUnconsumed", func(t *testing.T) {
		t.Parallel()
		st := setup(t, emailA)
		ctx := t.Context()
		other := newUser("u2")
		other.Email = emailA.Value
		require.NoError(t, st.CreateUser(ctx, other))

		_, err := st.AttachIdentifier(ctx, "c1", t0.Add(time.Minute))
		require.ErrorIs(t, err, auth.ErrIdentifierTaken)

		u, err := st.UserByID(ctx, "u1")
		require.NoError(t, err)
		assert.Empty(t, u.Email, "u1 is unchanged")
		got, err := st.UserByIdentifier(ctx, emailA)
		require.NoError(t, err)
		assert.Equal(t, "u2", got.ID, "the holder keeps it")

		// The transaction rolled back: the challenge is still open, so it
		// accepts attempts, and attaching works once the identifier is free.
		_, err = st.AttemptChallenge(ctx, "c1", t0.Add(2*time.Minute))
		require.NoError(t, err)
		require.NoError(t, st.CreateChallenge(ctx, newChallenge("c2", emailB, auth.PurposeAddIdentifier, "u2")))
		_, err = st.AttachIdentifier(ctx, "c2", t0.Add(2*time.Minute)) // u2 swaps emailA for emailB
		require.NoError(t, err)
		u, err = st.AttachIdentifier(ctx, "c1", t0.Add(3*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, emailA.Value, u.Email)
	})

	t.Run("Refused", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			id     string
			now    time.Time
			before func(t *testing.T, st cabinet.Store)
		}{
			{name: "unknown", id: "nope", now: t0},
			{name: "expired at now", id: "c1", now: t0.Add(codeTTL)},
			{name: "voided", id: "c1", now: t0, before: func(t *testing.T, st cabinet.Store) {
				require.NoError(t, st.CreateChallenge(t.Context(), newChallenge("c2", emailA, auth.PurposeAddIdentifier, "u1")))
			}},
			{name: "sign-in purpose", id: "c3", now: t0, before: func(t *testing.T, st cabinet.Store) {
				require.NoError(t, st.CreateChallenge(t.Context(), newChallenge("c3", emailB, auth.PurposeSignIn, "")))
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st := setup(t, emailA)
				if tt.before != nil {
					tt.before(t, st)
				}
				_, err := st.AttachIdentifier(t.Context(), tt.id, tt.now)
				require.ErrorIs(t, err, auth.ErrCodeExpired)
				u, err := st.UserByID(t.Context(), "u1")
				require.NoError(t, err)
				assert.Empty(t, u.Email)
			})
		}
	})

	t.Run("ParallelAttachSucceedsOnce", func(t *testing.T) {
		t.Parallel()
		st := setup(t, emailA)
		errs := parallel(20, func(int) error {
			_, err := st.AttachIdentifier(t.Context(), "c1", t0.Add(time.Second))
			return err
		})
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, auth.ErrCodeExpired):
				t.Errorf("attach %d: unexpected error %v", i, err)
			}
		}
		assert.Equal(t, 1, ok)
	})
}
