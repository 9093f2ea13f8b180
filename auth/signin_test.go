package auth_test

import (
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

func TestSignInFlow(t *testing.T) {
	e := newEnv(t)
	const typed = "+7 (912) 345-67-89"

	tk, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: typed, Locale: "en", IP: testIP})
	require.NoError(t, err)
	assert.NotEmpty(t, tk.ChallengeID)
	assert.Equal(t, auth.ChannelSMS, tk.Channel)
	assert.Equal(t, e.clock.Now().Add(5*time.Minute), tk.ExpiresAt)
	assert.Equal(t, 60*time.Second, tk.ResendAfter)

	msgs := e.sender.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, auth.Identifier{Channel: auth.ChannelSMS, Value: phoneAnna, Region: "RU"}, m.Identifier)
	assert.Regexp(t, `^[0-9]{6}$`, m.Code)
	assert.Equal(t, auth.PurposeSignIn, m.Purpose)
	assert.Equal(t, "en", m.Locale)
	assert.Equal(t, 5*time.Minute, m.TTL)
	assert.Equal(t, tk.ExpiresAt, m.ExpiresAt)

	si, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: " " + m.Code + " ", IP: testIP, UserAgent: "Firefox"})
	require.NoError(t, err)
	assert.True(t, si.NewUser)
	assert.Len(t, si.Token, 43)
	assert.NotEmpty(t, si.CSRFToken)
	assert.True(t, e.svc.ValidCSRF(si.Session.ID, si.CSRFToken))
	assert.Equal(t, []auth.Role{auth.RoleClient}, si.User.Roles)
	assert.Equal(t, phoneAnna, si.User.Phone)
	assert.Empty(t, si.User.Email)
	assert.Equal(t, "en", si.User.Locale)
	assert.Equal(t, si.User.ID, si.Session.UserID)
	assert.Equal(t, e.clock.Now().Add(30*24*time.Hour), si.Session.IdleExpiresAt())
	assert.Equal(t, e.clock.Now().Add(90*24*time.Hour), si.Session.ExpiresAt)

	who, err := e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)
	assert.Equal(t, si.User.ID, who.User.ID)
	assert.Equal(t, si.Session.ID, who.Session.ID)
	assert.Equal(t, "Firefox", who.Session.UserAgent)
	assert.Equal(t, testIP, who.Session.IP)
	p := who.Principal()
	assert.Equal(t, si.User.ID, p.UserID)
	assert.Equal(t, si.Session.ID, p.SessionID)
	assert.True(t, p.Can(auth.PermOwnData))

	// The second sign-in with another spelling finds the same user and opens a
	// second session with a new token.
	e.clock.Advance(61 * time.Second)
	tk2, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: "89123456789"})
	require.NoError(t, err)
	si2, err := e.verify(tk2, phoneAnna)
	require.NoError(t, err)
	assert.False(t, si2.NewUser)
	assert.Equal(t, si.User.ID, si2.User.ID)
	assert.NotEqual(t, si.Token, si2.Token)
	assert.NotEqual(t, si.Session.ID, si2.Session.ID)
	assert.Equal(t, "en", si2.User.Locale, "the locale of the first sign-in is kept")

	for _, tok := range []string{"", "short", si.Token[:42], si.Token + "A", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		_, err := e.svc.Authenticate(e.ctx, tok)
		assert.ErrorIs(t, err, auth.ErrUnauthenticated, "token %q", tok)
	}
}

func TestSignInByEmail(t *testing.T) {
	e := newEnv(t)
	tk := e.request("Anna@Example.COM", "")
	assert.Equal(t, auth.ChannelEmail, tk.Channel)
	si, err := e.verify(tk, emailAnna)
	require.NoError(t, err)
	assert.True(t, si.NewUser)
	assert.Equal(t, emailAnna, si.User.Email)
	assert.Empty(t, si.User.Phone)
	assert.Equal(t, "ru", si.User.Locale, "the default locale")
}

// TestSecretsNotStoredOrLogged dumps the database and the logs after a
// sign-in, a failed attempt and a failed delivery: no code, token or raw phone
// number is in them.
func TestSecretsNotStoredOrLogged(t *testing.T) {
	e := newEnv(t)
	const typed = "+7 912 345 67 89"

	tk := e.request(typed, testIP)
	code := e.sender.lastCode(t, phoneAnna)
	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code), IP: testIP})
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	si, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code, IP: testIP})
	require.NoError(t, err)
	_, err = e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(t, err)

	// A delivery failure is logged: the log line must not carry the contact.
	e.sender.FailWith(errors.New("provider answered 500"))
	e.clock.Advance(61 * time.Second)
	_, err = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: typed, IP: testIP})
	require.ErrorIs(t, err, auth.ErrDeliveryFailed)
	msgs := e.sender.Messages()
	require.Len(t, msgs, 2)
	undelivered := msgs[1].Code

	// Raw bytes of the database file and its write-ahead log: the token is
	// long enough that a chance match is impossible.
	for _, name := range []string{e.path, e.path + "-wal"} {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		assert.NotContains(t, string(b), si.Token, "%s holds the token", name)
	}
	// Text of every row: neither the code (as a whole number) nor the token.
	dump := dumpTables(t, e.path)
	require.Contains(t, dump, phoneAnna, "the dump is readable (the user's phone is stored)")
	assert.NotContains(t, dump, si.Token)
	for _, c := range []string{code, undelivered} {
		assert.False(t, containsNumber(dump, c), "the code %s is in the database:\n%s", c, dump)
		if n, _ := strconv.Atoi(c); n >= 10_000 {
			assert.False(t, containsNumber(dump, strconv.Itoa(n)), "the code %s is in the database as a number", c)
		}
	}

	logs := e.logs.String()
	require.Contains(t, logs, "delivery failed", "the failure was logged")
	for _, secret := range []string{code, wrongCode(code), undelivered, si.Token, phoneAnna, typed, "9123456789"} {
		assert.NotContains(t, logs, secret)
	}
}

func TestCodeExpiry(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration
		err   error
	}{
		{"TTL-1s", 5*time.Minute - time.Second, nil},
		{"TTL", 5 * time.Minute, auth.ErrCodeExpired},
		{"TTL+1s", 5*time.Minute + time.Second, auth.ErrCodeExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tk := e.request(phoneAnna, "")
			e.clock.Advance(tt.after)
			_, err := e.verify(tk, phoneAnna)
			if tt.err == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.err)
			}
		})
	}
}

func TestConfiguredCodeTTL(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.CodeTTL = 2 * time.Minute })
	tk := e.request(phoneAnna, "")
	assert.Equal(t, e.clock.Now().Add(2*time.Minute), tk.ExpiresAt)
	e.clock.Advance(2*time.Minute + time.Second)
	_, err := e.verify(tk, phoneAnna)
	assert.ErrorIs(t, err, auth.ErrCodeExpired)
}

func TestWrongCodes(t *testing.T) {
	e := newEnv(t)
	tk := e.request(phoneAnna, "")
	code := e.sender.lastCode(t, phoneAnna)

	for want := 4; want >= 0; want-- {
		_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code)})
		var ice *auth.InvalidCodeError
		require.ErrorAs(t, err, &ice)
		assert.ErrorIs(t, err, auth.ErrInvalidCode)
		assert.Equal(t, want, ice.AttemptsLeft)
	}
	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
	assert.ErrorIs(t, err, auth.ErrCodeExpired, "the right code after the last attempt")
}

func TestMalformedCodeSpendsNoAttempt(t *testing.T) {
	e := newEnv(t)
	tk := e.request(phoneAnna, "")
	code := e.sender.lastCode(t, phoneAnna)

	for _, bad := range []string{"12a456", "12345", "1234567", "", "١٢٣٤٥٦", "12 456"} {
		_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: bad})
		var ve *auth.ValidationError
		require.ErrorAs(t, err, &ve, "code %q", bad)
		assert.Equal(t, "code", ve.Field)
		assert.ErrorIs(t, err, auth.ErrInvalidInput)
	}
	// All five attempts are still there.
	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code)})
	var ice *auth.InvalidCodeError
	require.ErrorAs(t, err, &ice)
	assert.Equal(t, 4, ice.AttemptsLeft)
}

func TestUnknownChallenge(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"", "no-such-challenge", string(make([]byte, 65))} {
		_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: id, Code: "123456"})
		assert.ErrorIs(t, err, auth.ErrCodeExpired, "challenge %q", id)
	}
}

// TestParallelWrongCodes: 50 wrong guesses at once; the attempt is counted
// before the comparison, so at most MaxAttempts of them are compared.
func TestParallelWrongCodes(t *testing.T) {
	e := newEnv(t)
	tk := e.request(phoneAnna, "")
	code := e.sender.lastCode(t, phoneAnna)

	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: wrongCode(code)})
		})
	}
	close(start)
	wg.Wait()

	invalid, expired := 0, 0
	for _, err := range errs {
		switch {
		case errors.Is(err, auth.ErrInvalidCode):
			invalid++
		case errors.Is(err, auth.ErrCodeExpired):
			expired++
		default:
			assert.Failf(t, "unexpected result", "%v", err)
		}
	}
	assert.LessOrEqual(t, invalid, 5)
	assert.Equal(t, n, invalid+expired)

	_, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
	assert.ErrorIs(t, err, auth.ErrCodeExpired, "the right code after the attempts are used up")
}

func TestCodeSingleUse(t *testing.T) {
	e := newEnv(t)
	tk := e.request(phoneAnna, "")
	_, err := e.verify(tk, phoneAnna)
	require.NoError(t, err)
	_, err = e.verify(tk, phoneAnna)
	assert.ErrorIs(t, err, auth.ErrCodeExpired)
}

func TestParallelRightCodes(t *testing.T) {
	e := newEnv(t)
	tk := e.request(phoneAnna, "")
	code := e.sender.lastCode(t, phoneAnna)

	const n = 20
	results := make([]auth.SignIn, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
		})
	}
	close(start)
	wg.Wait()

	var winner auth.SignIn
	ok := 0
	for i, err := range errs {
		if err == nil {
			ok++
			winner = results[i]
			continue
		}
		assert.ErrorIs(t, err, auth.ErrCodeExpired)
	}
	require.Equal(t, 1, ok, "exactly one verification succeeds")

	sessions, err := e.store.ListSessions(e.ctx, winner.User.ID)
	require.NoError(t, err)
	assert.Len(t, sessions, 1, "exactly one session")
	who, err := e.svc.Authenticate(e.ctx, winner.Token)
	require.NoError(t, err)
	live, err := e.svc.Sessions(e.ctx, who)
	require.NoError(t, err)
	assert.Len(t, live, 1)
}

func TestResend(t *testing.T) {
	e := newEnv(t)
	first := e.request(phoneAnna, "")
	oldCode := e.sender.lastCode(t, phoneAnna)

	e.clock.Advance(20 * time.Second)
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.ErrorIs(t, err, auth.ErrRateLimited)
	assert.Equal(t, "resend", rl.Limit)
	assert.Greater(t, rl.RetryAfter, time.Duration(0))
	assert.LessOrEqual(t, rl.RetryAfter, 60*time.Second)
	assert.Equal(t, 40*time.Second, rl.RetryAfter)
	assert.Equal(t, 1, e.sender.Count(), "nothing sent while cooling down")

	e.clock.Advance(41 * time.Second)
	second := e.request(phoneAnna, "")
	require.Equal(t, 2, e.sender.Count())
	newCode := e.sender.lastCode(t, phoneAnna)
	assert.NotEqual(t, first.ChallengeID, second.ChallengeID)

	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: first.ChallengeID, Code: oldCode})
	assert.ErrorIs(t, err, auth.ErrCodeExpired, "the old code is void after a resend")
	// Nor does the old code work on the new challenge (unless the two codes
	// happen to be equal).
	if oldCode != newCode {
		_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: second.ChallengeID, Code: oldCode})
		assert.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	_, err = e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: second.ChallengeID, Code: newCode})
	assert.NoError(t, err)
}

func TestDeliveryFailure(t *testing.T) {
	e := newEnv(t)
	e.sender.FailWith(errors.New("smsc: timeout"))
	_, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna})
	assert.ErrorIs(t, err, auth.ErrDeliveryFailed)
	assert.ErrorContains(t, err, "smsc: timeout")
}

// TestNoEnumeration: asking for a code answers the same for an identifier
// with an account and one without.
func TestNoEnumeration(t *testing.T) {
	e := newEnv(t)
	e.signIn(phoneAnna) // phoneAnna has an account, phoneBoris has none

	e.clock.Advance(time.Hour)
	now := e.clock.Now()
	known, errKnown := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna, IP: testIP})
	unknown, errUnknown := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneBoris, IP: testIP})
	assert.NoError(t, errKnown)
	assert.NoError(t, errUnknown)
	assert.Equal(t, known.Channel, unknown.Channel)
	assert.Equal(t, known.ResendAfter, unknown.ResendAfter)
	assert.Equal(t, known.ExpiresAt.Sub(now), unknown.ExpiresAt.Sub(now))
	assert.NotEmpty(t, known.ChallengeID)
	assert.NotEmpty(t, unknown.ChallengeID)

	// A second request within the cooldown is refused alike.
	_, errKnown = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneAnna, IP: testIP})
	_, errUnknown = e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phoneBoris, IP: testIP})
	assert.Equal(t, errKnown, errUnknown)
}
