package auth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

// requireLimited requires err to be a *RateLimitError from limit, with a
// RetryAfter in (0, max], and returns it.
func requireLimited(t *testing.T, err error, limit string, max time.Duration) *auth.RateLimitError {
	t.Helper()
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.ErrorIs(t, err, auth.ErrRateLimited)
	assert.Equal(t, limit, rl.Limit)
	assert.Greater(t, rl.RetryAfter, time.Duration(0))
	assert.LessOrEqual(t, rl.RetryAfter, max)
	return rl
}

// phones returns n distinct Russian mobile numbers.
func phones(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("+7912%07d", 1000000+i)
	}
	return out
}

func TestLimitCodesPerHour(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.CodesPerHour = 2 })
	e.request(phoneAnna, "")
	e.clock.Advance(61 * time.Second)
	e.request(phoneAnna, "")
	e.clock.Advance(61 * time.Second)

	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	rl := requireLimited(t, err, "identifier_hour", time.Hour)
	assert.Equal(t, time.Hour-122*time.Second, rl.RetryAfter, "until the first code leaves the window")
	assert.Equal(t, 2, e.sender.Count())

	// Another identifier is not affected.
	e.request(phoneBoris, "")

	e.clock.Advance(rl.RetryAfter)
	e.request(phoneAnna, "")
	assert.Equal(t, 4, e.sender.Count())
}

func TestLimitCodesPerDay(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.CodesPerDay = 3 })
	for range 3 {
		e.request(phoneAnna, "")
		e.clock.Advance(2 * time.Hour)
	}
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	rl := requireLimited(t, err, "identifier_day", 24*time.Hour)
	assert.Equal(t, 18*time.Hour, rl.RetryAfter)

	e.clock.Advance(18 * time.Hour)
	e.request(phoneAnna, "")
}

func TestLimitSendsPerIP(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.SendsPerIPPerHour = 3 })
	ids := phones(4)
	for _, id := range ids[:3] {
		e.request(id, testIP)
	}
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: ids[3], IP: testIP})
	requireLimited(t, err, "ip_hour", time.Hour)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: emailAnna, IP: testIP})
	requireLimited(t, err, "ip_hour", time.Hour)
	assert.Equal(t, 3, e.sender.Count())

	// Another address is not affected, and the refused identifier was not
	// charged anything (its own cooldown is free).
	e.request(ids[3], "198.51.100.1")

	e.clock.Advance(time.Hour)
	e.request(emailAnna, testIP)
}

func TestLimitSMSBudget(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.SMSPerHour = 3 })
	ids := phones(4)
	for i, id := range ids[:3] {
		e.request(id, fmt.Sprintf("198.51.100.%d", i+1))
	}
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: ids[3], IP: "198.51.100.9"})
	requireLimited(t, err, "sms_budget", time.Hour)
	assert.Equal(t, 3, e.sender.Count())

	// E-mail is not counted against the SMS budget.
	for i := range 5 {
		e.request(fmt.Sprintf("client%d@example.com", i), "")
	}

	e.clock.Advance(time.Hour)
	e.request(ids[3], "")
}

func TestLimitVerifiesPerIP(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.VerifiesPerIPPerHour = 2 })
	tk := e.request(phoneAnna, "")
	code := e.sender.lastCode(t, phoneAnna)

	for left := 4; left >= 3; left-- {
		_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code), IP: testIP})
		var ice *auth.InvalidCodeError
		require.ErrorAs(t, err, &ice)
		assert.Equal(t, left, ice.AttemptsLeft)
	}
	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code, IP: testIP})
	requireLimited(t, err, "verify_ip_hour", time.Hour)

	// The refused verification spent no attempt of the challenge.
	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code), IP: "198.51.100.1"})
	var ice *auth.InvalidCodeError
	require.ErrorAs(t, err, &ice)
	assert.Equal(t, 2, ice.AttemptsLeft)
	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code, IP: "198.51.100.1"})
	assert.NoError(t, err)
}

// TestLimitFailuresAcrossChallenges: wrong guesses spread over many
// challenges still lock the identifier.
func TestLimitFailuresAcrossChallenges(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.FailuresPerDay = 3 })
	var tk auth.Ticket
	for range 3 {
		e.clock.Advance(61 * time.Second)
		tk = e.request(phoneAnna, "")
		_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(e.sender.lastCode(t, phoneAnna))})
		require.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	sent := e.sender.Count()

	// The last challenge is open and has attempts left, but even the right
	// code is refused now.
	_, err := e.verify(tk, phoneAnna)
	requireLimited(t, err, "failures_day", 24*time.Hour)

	e.clock.Advance(61 * time.Second)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "8 (912) 345-67-89"})
	requireLimited(t, err, "failures_day", 24*time.Hour)
	assert.Equal(t, sent, e.sender.Count(), "no code is sent to a locked identifier")

	// Another identifier is not locked.
	e.signIn(phoneBoris)

	// A day after the first failure the lock lifts.
	e.clock.Set(t0.Add(24*time.Hour + 62*time.Second))
	e.signIn(phoneAnna)
}

// TestLimitSpellingsShareBucket: limits are keyed on the normalised
// identifier.
func TestLimitSpellingsShareBucket(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "+7 (912) 345-67-89"})
	require.NoError(t, err)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "89123456789"})
	requireLimited(t, err, "resend", time.Minute)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "+79123456789"})
	requireLimited(t, err, "resend", time.Minute)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "ANNA@example.com"})
	require.NoError(t, err)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "anna@EXAMPLE.com"})
	requireLimited(t, err, "resend", time.Minute)
}

// TestLimitsSurviveRestart: the counts are in the database, not in memory.
func TestLimitsSurviveRestart(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.CodesPerHour = 1
		c.FailuresPerDay = 1
	})
	tk := e.request(phoneAnna, "")
	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(e.sender.lastCode(t, phoneAnna))})
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	e.request(phoneBoris, "")

	e.restart()
	e.clock.Advance(61 * time.Second)

	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneBoris})
	requireLimited(t, err, "identifier_hour", time.Hour)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	requireLimited(t, err, "failures_day", 24*time.Hour)
	_, err = e.verify(tk, phoneAnna)
	requireLimited(t, err, "failures_day", 24*time.Hour)
}

// TestNegativeLimitsDisable: every limit set negative lets a stream of
// requests and failures through that the defaults would stop.
func TestNegativeLimitsDisable(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.ResendAfter = -1
		c.CodesPerHour = -1
		c.CodesPerDay = -1
		c.SendsPerIPPerHour = -1
		c.VerifiesPerIPPerHour = -1
		c.SMSPerHour = -1
		c.FailuresPerDay = -1
	})
	for range 40 { // over the default 5 per hour, 10 per day and 30 per IP
		tk := e.request(phoneAnna, testIP)
		for range 5 { // 200 failures: over the default 100 per day and 120 verifies per IP
			_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{
				ChallengeID: tk.ChallengeID, Code: wrongCode(e.sender.lastCode(t, phoneAnna)), IP: testIP,
			})
			require.ErrorIs(t, err, auth.ErrInvalidCode)
		}
	}
	tk := e.request(phoneAnna, testIP)
	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: e.sender.lastCode(t, phoneAnna), IP: testIP})
	assert.NoError(t, err)
}

// TestNegativeLimitDisablesOnlyItself: with the hourly cap off, more codes
// than the default 5 go out within an hour, while the resend cooldown and the
// daily cap still refuse.
func TestNegativeLimitDisablesOnlyItself(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.CodesPerHour = -1
		c.CodesPerDay = 7
	})
	e.request(phoneAnna, "")
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	requireLimited(t, err, "resend", time.Minute)
	for range 6 {
		e.clock.Advance(61 * time.Second)
		e.request(phoneAnna, "")
	}
	e.clock.Advance(61 * time.Second)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	requireLimited(t, err, "identifier_day", 24*time.Hour)
	assert.Equal(t, 7, e.sender.Count())
}
