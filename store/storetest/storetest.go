package storetest

import (
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

// Run runs the whole suite against the backend that open returns. open must
// return a new, empty store each time it is called and arrange for it to be
// closed (t.Cleanup); it is called from parallel subtests.
func Run(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("Challenges", func(t *testing.T) { testChallenges(t, open) })
	t.Run("SignIn", func(t *testing.T) { testSignIn(t, open) })
	t.Run("AttachIdentifier", func(t *testing.T) { testAttachIdentifier(t, open) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("Rate", func(t *testing.T) { testRate(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	runBooking(t, open)
	runNotify(t, open)
	runCardProfile(t, open)
	runCardPhotos(t, open)
	runCardOrders(t, open)
	runCardReviews(t, open)
	runCardErase(t, open)
	runCardSearch(t, open)
	runCampaigns(t, open)
	runLeases(t, open)
	t.Run("Ping", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, open(t).Ping(t.Context()))
	})
}

// t0 is "now" for the suite. Instants are whole seconds or milliseconds, so a
// backend storing microseconds (PostgreSQL) passes too.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// codeTTL is the lifetime of the challenges the suite creates.
const codeTTL = 5 * time.Minute

// Identifiers, as auth.ParseIdentifier returns them.
var (
	phoneA = auth.Identifier{Channel: auth.ChannelSMS, Value: "+79123456789", Region: "RU"}
	phoneB = auth.Identifier{Channel: auth.ChannelSMS, Value: "+79123456780", Region: "RU"}
	emailA = auth.Identifier{Channel: auth.ChannelEmail, Value: "anna@example.com"}
	emailB = auth.Identifier{Channel: auth.ChannelEmail, Value: "boris@example.com"}
)

// newChallenge returns a challenge created at t0 that lives codeTTL and
// accepts 5 attempts.
func newChallenge(id string, ident auth.Identifier, purpose auth.Purpose, userID string) auth.Challenge {
	return auth.Challenge{
		ID:          id,
		Purpose:     purpose,
		Identifier:  ident,
		UserID:      userID,
		CodeHash:    hash("code-" + id),
		Locale:      "ru",
		IP:          "192.0.2.1",
		CreatedAt:   t0,
		ExpiresAt:   t0.Add(codeTTL),
		MaxAttempts: 5,
	}
}

// newUser returns a client created at t0 with no identifier.
func newUser(id string) auth.User {
	return auth.User{ID: id, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: t0}
}

// newSession returns a session created at at, living 30 days, idle for 7.
func newSession(id string, at time.Time) auth.Session {
	return auth.Session{
		ID:         id,
		TokenHash:  hash("token-" + id),
		CreatedAt:  at,
		LastSeenAt: at,
		ExpiresAt:  at.Add(30 * 24 * time.Hour),
		IdleFor:    7 * 24 * time.Hour,
		UserAgent:  "storetest",
		IP:         "192.0.2.1",
	}
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// signIn signs ident in at at through a fresh challenge, creating user
// userID if nobody holds ident, and returns the user and the stored session
// sessionID.
func signIn(t *testing.T, st cabinet.Store, ident auth.Identifier, userID, sessionID string, at time.Time) (auth.User, auth.Session) {
	t.Helper()
	c := newChallenge("ch-"+sessionID, ident, auth.PurposeSignIn, "")
	c.CreatedAt, c.ExpiresAt = at, at.Add(codeTTL)
	require.NoError(t, st.CreateChallenge(t.Context(), c))
	sess := newSession(sessionID, at)
	u, _, err := st.CompleteSignIn(t.Context(), c.ID, at, newUser(userID), sess)
	require.NoError(t, err)
	sess.UserID = u.ID
	return u, sess
}

// parallel runs f(i) for i in [0, n) on n goroutines released together and
// returns the errors, indexed by i.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}
