package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

func TestEraseCode(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(phoneAnna)

	tk, err := e.svc.RequestEraseCode(e.ctx, anna, "", testIP)
	require.NoError(t, err)
	assert.Equal(t, auth.ChannelSMS, tk.Channel, "the phone when there is one")
	msgs := e.sender.Messages()
	last := msgs[len(msgs)-1]
	assert.Equal(t, auth.PurposeErase, last.Purpose, "the message says what the code confirms")
	assert.Equal(t, phoneAnna, last.Identifier.Value, "to the account's own phone")
	code := e.sender.lastCode(t, phoneAnna)

	// Not a sign-in code…
	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
	assert.ErrorIs(t, err, auth.ErrCodeExpired)
	// …a wrong code spends an attempt…
	err = e.svc.ConfirmErase(e.ctx, anna, tk.ChallengeID, wrongCode(code), testIP)
	var ic *auth.InvalidCodeError
	require.ErrorAs(t, err, &ic)
	assert.Equal(t, 3, ic.AttemptsLeft, "five attempts: one by Verify, one now")
	// …the right one confirms, once.
	require.NoError(t, e.svc.ConfirmErase(e.ctx, anna, tk.ChallengeID, code, testIP))
	assert.ErrorIs(t, e.svc.ConfirmErase(e.ctx, anna, tk.ChallengeID, code, testIP), auth.ErrCodeExpired, "single use")
}

func TestEraseCodeForeignChallenge(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(phoneAnna)
	_, boris := e.signIn(phoneBoris)

	tk, err := e.svc.RequestEraseCode(e.ctx, anna, auth.ChannelSMS, "")
	require.NoError(t, err)
	code := e.sender.lastCode(t, phoneAnna)
	assert.ErrorIs(t, e.svc.ConfirmErase(e.ctx, boris, tk.ChallengeID, code, ""), auth.ErrCodeExpired,
		"another user's challenge is as if unknown")

	// A sign-in or add-identifier code does not confirm an erasure.
	e.clock.Advance(61 * time.Second)
	signIn := e.request(phoneBoris, "")
	assert.ErrorIs(t, e.svc.ConfirmErase(e.ctx, boris, signIn.ChallengeID, e.sender.lastCode(t, phoneBoris), ""), auth.ErrCodeExpired)
	add, err := e.svc.RequestIdentifierCode(e.ctx, boris, auth.CodeRequest{Identifier: emailBoris})
	require.NoError(t, err)
	assert.ErrorIs(t, e.svc.ConfirmErase(e.ctx, boris, add.ChallengeID, e.sender.lastCode(t, emailBoris), ""), auth.ErrCodeExpired)

	require.NoError(t, e.svc.ConfirmErase(e.ctx, anna, tk.ChallengeID, code, ""), "the owner still can")
}

func TestEraseCodeChannel(t *testing.T) {
	e := newEnv(t)
	_, byMail := e.signIn(emailAnna)

	tk, err := e.svc.RequestEraseCode(e.ctx, byMail, "", "")
	require.NoError(t, err)
	assert.Equal(t, auth.ChannelEmail, tk.Channel, "the e-mail when there is no phone")
	for _, ch := range []auth.Channel{auth.ChannelSMS, "fax"} {
		_, err := e.svc.RequestEraseCode(e.ctx, byMail, ch, "")
		var ve *auth.ValidationError
		require.ErrorAs(t, err, &ve, ch)
		assert.Equal(t, "channel", ve.Field)
		assert.ErrorIs(t, err, auth.ErrInvalidInput)
	}

	// The sign-in limits hold: a second code within the cooldown is refused.
	_, err = e.svc.RequestEraseCode(e.ctx, byMail, auth.ChannelEmail, "")
	assert.ErrorIs(t, err, auth.ErrRateLimited)
}

func TestEraseCodeStaff(t *testing.T) {
	e := newEnv(t)
	admin := e.admin(phoneVera)
	_, err := e.svc.RequestEraseCode(e.ctx, admin, "", "")
	assert.ErrorIs(t, err, auth.ErrForbidden, "staff accounts are closed by an administrator")
	assert.ErrorIs(t, e.svc.ConfirmErase(e.ctx, admin, "ch", "123456", ""), auth.ErrForbidden)
}

func TestTakeLimit(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(phoneAnna)
	l := auth.RateLimit{Name: "export_hour", Key: "export:" + anna.User.ID, Window: time.Hour, Max: 2}
	for range 2 {
		require.NoError(t, e.svc.TakeLimit(e.ctx, anna.User.ID, testIP, l))
	}
	err := e.svc.TakeLimit(e.ctx, anna.User.ID, testIP, l)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, "export_hour", rl.Limit)
	assert.Greater(t, rl.RetryAfter, time.Duration(0))
	entries, err := e.store.ListAudit(e.ctx, auth.AuditFilter{Action: auth.ActionRateLimited, ActorID: anna.User.ID})
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the refusal is recorded")

	e.clock.Advance(time.Hour)
	assert.NoError(t, e.svc.TakeLimit(e.ctx, anna.User.ID, testIP, l), "the window moved on")
	off := l
	off.Max = -1
	for range 5 {
		assert.NoError(t, e.svc.TakeLimit(e.ctx, anna.User.ID, testIP, off), "a negative Max switches it off")
	}
	assert.Error(t, e.svc.TakeLimit(e.ctx, anna.User.ID, testIP, auth.RateLimit{Window: time.Hour, Max: 1}))
}

func TestOwnAudit(t *testing.T) {
	e := newEnv(t)
	_, anna := e.signIn(phoneAnna)
	_, boris := e.signIn(phoneBoris)
	require.NoError(t, e.svc.Audit(e.ctx, auth.AuditEntry{ActorID: "u-staff", Action: "card.viewed", Subject: anna.User.ID}))
	require.NoError(t, e.svc.Audit(e.ctx, auth.AuditEntry{ActorID: anna.User.ID, Action: "test.self", Subject: anna.User.ID}))
	require.NoError(t, e.svc.Audit(e.ctx, auth.AuditEntry{ActorID: "u-staff", Action: "card.viewed", Subject: boris.User.ID}))

	list, err := e.svc.OwnAudit(e.ctx, anna)
	require.NoError(t, err)
	actions := map[string]int{}
	for i, en := range list {
		assert.True(t, en.ActorID == anna.User.ID || en.Subject == anna.User.ID, "%+v", en)
		if i > 0 {
			assert.False(t, en.At.After(list[i-1].At), "newest first")
		}
		actions[en.Action]++
	}
	assert.Equal(t, 1, actions[auth.ActionSignIn])
	assert.Equal(t, 1, actions["card.viewed"])
	assert.Equal(t, 1, actions["test.self"], "an entry both by and about them, once")

	_, err = e.svc.OwnAudit(e.ctx, auth.Identity{})
	assert.True(t, errors.Is(err, auth.ErrUnauthenticated))
}
