package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

// noLimits switches every rate limit off, so a benchmark measures the work of
// a request rather than the refusals.
func noLimits(c *auth.Config) {
	c.ResendAfter = -1
	c.CodesPerHour = -1
	c.CodesPerDay = -1
	c.SendsPerIPPerHour = -1
	c.VerifiesPerIPPerHour = -1
	c.SMSPerHour = -1
	c.FailuresPerDay = -1
}

// lastSender keeps only the newest message, so a benchmark's own bookkeeping
// stays constant per op.
type lastSender struct {
	mu   sync.Mutex
	last auth.CodeMessage
}

func (s *lastSender) SendCode(_ context.Context, m auth.CodeMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = m
	return nil
}

func (s *lastSender) code() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last.Code
}

// benchEnv is newEnv with every limit off and a lastSender.
func benchEnv(b *testing.B) (*env, *lastSender) {
	b.Helper()
	sender := &lastSender{}
	e := newEnv(b, noLimits, func(c *auth.Config) { c.Sender = sender })
	return e, sender
}

// benchPhone returns the i-th of ten million distinct Russian mobile numbers.
func benchPhone(i int) string { return fmt.Sprintf("+7912%07d", i%10_000_000) }

func BenchmarkRequestCode(b *testing.B) {
	e, _ := benchEnv(b)
	i := 0
	for b.Loop() {
		if _, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: benchPhone(i), IP: testIP}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkVerify(b *testing.B) {
	e, sender := benchEnv(b)
	i := 0
	for b.Loop() {
		phone := benchPhone(i)
		tk, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: phone, IP: testIP})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.Verify(e.ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: sender.code(), IP: testIP}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	e := newEnv(b, noLimits)
	si, _ := e.signIn(phoneAnna) // the clock stands still: no touch, a read per op
	for b.Loop() {
		if _, err := e.svc.Authenticate(e.ctx, si.Token); err != nil {
			b.Fatal(err)
		}
	}
	sessions, err := e.store.ListSessions(e.ctx, si.User.ID)
	require.NoError(b, err)
	require.Equal(b, si.Session.LastSeenAt, sessions[0].LastSeenAt, "no write happened")
}
