package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testChallenges(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("AttemptReturnsChallengeAfterIncrement", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		u := newUser("u1")
		u.Phone = phoneA.Value
		require.NoError(t, st.CreateUser(ctx, u))
		for _, c := range []auth.Challenge{
			newChallenge("sign-in", phoneB, auth.PurposeSignIn, ""),
			newChallenge("add", emailA, auth.PurposeAddIdentifier, "u1"),
		} {
			require.NoError(t, st.CreateChallenge(ctx, c))
			got, err := st.AttemptChallenge(ctx, c.ID, t0)
			require.NoError(t, err)
			want := c
			want.Attempts = 1
			assert.Equal(t, want, got)
			assert.Equal(t, 4, got.AttemptsLeft())
		}
	})

	t.Run("AttemptsAreCountedUpToMax", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
		c.MaxAttempts = 3
		require.NoError(t, st.CreateChallenge(ctx, c))
		for want := 1; want <= 3; want++ {
			got, err := st.AttemptChallenge(ctx, c.ID, t0.Add(time.Duration(want)*time.Second))
			require.NoError(t, err)
			assert.Equal(t, want, got.Attempts)
			assert.Equal(t, 3-want, got.AttemptsLeft())
		}
		_, err := st.AttemptChallenge(ctx, c.ID, t0.Add(10*time.Second))
		require.ErrorIs(t, err, auth.ErrCodeExpired)
		// Out of attempts, the challenge cannot be consumed with a right code
		// either: the caller never gets as far as comparing.
		_, err = st.AttemptChallenge(ctx, c.ID, t0.Add(11*time.Second))
		require.ErrorIs(t, err, auth.ErrCodeExpired)
	})

	t.Run("AttemptRefused", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			change func(c *auth.Challenge)                                // before c is created
			setup  func(t *testing.T, st cabinet.Store, c auth.Challenge) // after c is created
			id     string                                                 // attempted instead of c.ID
			now    time.Time
		}{
			{name: "unknown", id: "nope", now: t0},
			{name: "expired at now", now: t0.Add(codeTTL)},
			{name: "expired before now", now: t0.Add(codeTTL + time.Second)},
			{name: "voided by resend", now: t0.Add(time.Minute), setup: func(t *testing.T, st cabinet.Store, c auth.Challenge) {
				resend := newChallenge("resend", c.Identifier, c.Purpose, "")
				resend.CreatedAt = t0.Add(time.Minute)
				require.NoError(t, st.CreateChallenge(t.Context(), resend))
			}},
			{name: "used", now: t0.Add(2 * time.Minute), setup: func(t *testing.T, st cabinet.Store, c auth.Challenge) {
				_, _, err := st.CompleteSignIn(t.Context(), c.ID, t0.Add(time.Minute), newUser("u1"), newSession("s1", t0))
				require.NoError(t, err)
			}},
			{name: "no attempts allowed", now: t0, change: func(c *auth.Challenge) { c.MaxAttempts = 0 }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				st, ctx := open(t), t.Context()
				c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
				if tt.change != nil {
					tt.change(&c)
				}
				require.NoError(t, st.CreateChallenge(ctx, c))
				if tt.setup != nil {
					tt.setup(t, st, c)
				}
				id := c.ID
				if tt.id != "" {
					id = tt.id
				}
				_, err := st.AttemptChallenge(ctx, id, tt.now)
				require.ErrorIs(t, err, auth.ErrCodeExpired)
			})
		}
	})

	t.Run("AttemptJustBeforeExpiry", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
		require.NoError(t, st.CreateChallenge(ctx, c))
		_, err := st.AttemptChallenge(ctx, c.ID, c.ExpiresAt.Add(-time.Millisecond))
		require.NoError(t, err)
	})

	t.Run("ResendVoidsOnlyThatIdentifierAndPurpose", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		u := newUser("u1")
		u.Phone = phoneB.Value
		require.NoError(t, st.CreateUser(ctx, u))

		old := newChallenge("old", phoneA, auth.PurposeSignIn, "")
		otherIdent := newChallenge("other-ident", emailA, auth.PurposeSignIn, "")
		otherPurpose := newChallenge("other-purpose", phoneA, auth.PurposeAddIdentifier, "u1")
		for _, c := range []auth.Challenge{old, otherIdent, otherPurpose} {
			require.NoError(t, st.CreateChallenge(ctx, c))
		}
		resend := newChallenge("resend", phoneA, auth.PurposeSignIn, "")
		resend.CreatedAt = t0.Add(time.Minute)
		resend.ExpiresAt = resend.CreatedAt.Add(codeTTL)
		require.NoError(t, st.CreateChallenge(ctx, resend))

		now := t0.Add(2 * time.Minute)
		_, err := st.AttemptChallenge(ctx, old.ID, now)
		require.ErrorIs(t, err, auth.ErrCodeExpired, "the old code after a resend")
		_, _, err = st.CompleteSignIn(ctx, old.ID, now, newUser("u2"), newSession("s-old", now))
		require.ErrorIs(t, err, auth.ErrCodeExpired, "the old challenge cannot sign in")
		for _, id := range []string{resend.ID, otherIdent.ID, otherPurpose.ID} {
			_, err := st.AttemptChallenge(ctx, id, now)
			assert.NoError(t, err, id)
		}
	})

	t.Run("ParallelAttemptsStopAtMax", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		c := newChallenge("c1", phoneA, auth.PurposeSignIn, "")
		c.MaxAttempts = 5
		require.NoError(t, st.CreateChallenge(ctx, c))

		const n = 50
		counts := make([]int, n)
		errs := parallel(n, func(i int) error {
			got, err := st.AttemptChallenge(ctx, c.ID, t0.Add(time.Second))
			counts[i] = got.Attempts
			return err
		})
		var seen []int
		for i, err := range errs {
			switch {
			case err == nil:
				seen = append(seen, counts[i])
			case !errors.Is(err, auth.ErrCodeExpired):
				t.Errorf("attempt %d: unexpected error %v", i, err)
			}
		}
		assert.ElementsMatch(t, []int{1, 2, 3, 4, 5}, seen, "each successful attempt sees its own count")

		// The right code afterwards fails too.
		_, err := st.AttemptChallenge(ctx, c.ID, t0.Add(2*time.Second))
		require.ErrorIs(t, err, auth.ErrCodeExpired)
	})

	t.Run("DeleteChallengesBefore", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for i, ident := range []auth.Identifier{phoneA, phoneB, emailA} {
			c := newChallenge(ident.Value, ident, auth.PurposeSignIn, "")
			c.ExpiresAt = t0.Add(time.Duration(i+1) * time.Minute) // 10:01, 10:02, 10:03
			require.NoError(t, st.CreateChallenge(ctx, c))
		}
		// A used challenge that has not expired yet stays until it has.
		_, _, err := st.CompleteSignIn(ctx, emailA.Value, t0, newUser("u1"), newSession("s1", t0))
		require.NoError(t, err)

		n, err := st.DeleteChallengesBefore(ctx, t0.Add(2*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, 1, n, "only the one expired strictly before 10:02")

		_, err = st.AttemptChallenge(ctx, phoneA.Value, t0)
		require.ErrorIs(t, err, auth.ErrCodeExpired, "deleted")
		_, err = st.AttemptChallenge(ctx, phoneB.Value, t0)
		require.NoError(t, err, "expiring at 10:02 is kept")

		n, err = st.DeleteChallengesBefore(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, 2, n)
	})
}
