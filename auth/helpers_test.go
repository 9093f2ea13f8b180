package auth_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// Test identifiers: all are mobile numbers in an allowed region, or valid
// e-mail addresses.
const (
	phoneAnna  = "+79123456789"
	phoneBoris = "+79161234567"
	phoneVera  = "+79031234567"
	phoneGleb  = "+79261234567"
	emailAnna  = "anna@example.com"
	emailBoris = "boris@example.com"
	testIP     = "203.0.113.7"
)

// t0 is where every fake clock starts: a fixed UTC instant with a fraction of
// a second, so that time encoding is exercised.
var t0 = time.Date(2030, time.March, 4, 9, 30, 0, 123_000_000, time.UTC)

// fakeClock is a controllable clock, safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// recordingSender is the provider boundary: it keeps every message it is
// handed, and can be told to fail (the message is still recorded: the
// provider was called with it).
type recordingSender struct {
	mu   sync.Mutex
	msgs []auth.CodeMessage
	fail error
}

func (s *recordingSender) SendCode(_ context.Context, m auth.CodeMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	return s.fail
}

func (s *recordingSender) Messages() []auth.CodeMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]auth.CodeMessage(nil), s.msgs...)
}

func (s *recordingSender) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

func (s *recordingSender) FailWith(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// lastCode returns the code of the newest message to the identifier value.
func (s *recordingSender) lastCode(t testing.TB, value string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if s.msgs[i].Identifier.Value == value {
			return s.msgs[i].Code
		}
	}
	require.FailNow(t, "no code was sent", "to %s", value)
	return ""
}

// codes returns every code the sender was handed.
func (e *env) codes() []string {
	var out []string
	for _, m := range e.sender.Messages() {
		out = append(out, m.Code)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testSecret is the HMAC key of every test service: 32 bytes.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// env is one service on a real SQLite store in a temporary file.
type env struct {
	t      testing.TB
	ctx    context.Context
	path   string
	clock  *fakeClock
	sender *recordingSender
	logs   *syncBuffer
	store  *sqlite.Store
	svc    *auth.Service
	mods   []func(*auth.Config)
}

// newEnv opens a store in t.TempDir and a Service on it. mods change the
// Config before New.
func newEnv(t testing.TB, mods ...func(*auth.Config)) *env {
	t.Helper()
	e := &env{
		t:      t,
		ctx:    t.Context(),
		path:   filepath.Join(t.TempDir(), "kabinet.db"),
		clock:  newFakeClock(),
		sender: &recordingSender{},
		logs:   &syncBuffer{},
		mods:   mods,
	}
	e.open()
	t.Cleanup(func() { e.store.Close() })
	return e
}

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// open opens the store file and builds a Service on it.
func (e *env) open() {
	e.t.Helper()
	st, err := sqlite.Open(e.ctx, e.path, sqlite.WithNow(e.clock.Now), sqlite.WithLogger(e.logger()))
	require.NoError(e.t, err)
	e.store = st
	cfg := auth.Config{
		Store:  st,
		Sender: e.sender,
		Secret: testSecret,
		Now:    e.clock.Now,
		Logger: e.logger(),
	}
	for _, m := range e.mods {
		m(&cfg)
	}
	e.svc, err = auth.New(cfg)
	require.NoError(e.t, err)
}

// restart closes the store and opens the same file with a new Service, as
// after a process restart.
func (e *env) restart() {
	e.t.Helper()
	require.NoError(e.t, e.store.Close())
	e.open()
}

// request asks for a sign-in code and requires success.
func (e *env) request(identifier, ip string) auth.Ticket {
	e.t.Helper()
	tk, err := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: identifier, IP: ip})
	require.NoError(e.t, err, "RequestCode(%q)", identifier)
	return tk
}

// verify verifies the newest code sent to value for the ticket.
func (e *env) verify(tk auth.Ticket, value string) (auth.SignIn, error) {
	e.t.Helper()
	return e.svc.Verify(e.ctx, auth.VerifyRequest{
		ChallengeID: tk.ChallengeID, Code: e.sender.lastCode(e.t, value), UserAgent: "test",
	})
}

// signIn runs the whole flow for a normalised identifier and returns the
// sign-in and the identity behind its token. It advances the clock past the
// resend cooldown first, so it can be called repeatedly.
func (e *env) signIn(value string) (auth.SignIn, auth.Identity) {
	e.t.Helper()
	e.clock.Advance(61 * time.Second)
	tk := e.request(value, "")
	si, err := e.verify(tk, value)
	require.NoError(e.t, err)
	who, err := e.svc.Authenticate(e.ctx, si.Token)
	require.NoError(e.t, err)
	return si, who
}

// admin bootstraps an admin on phone and signs them in.
func (e *env) admin(phone string) auth.Identity {
	e.t.Helper()
	_, err := e.svc.Bootstrap(e.ctx, phone)
	require.NoError(e.t, err)
	_, who := e.signIn(phone)
	require.True(e.t, who.Principal().HasRole(auth.RoleAdmin))
	return who
}

// wrongCode returns a well-formed code that differs from code.
func wrongCode(code string) string {
	n, _ := strconv.Atoi(code)
	return fmt.Sprintf("%06d", (n+1)%1_000_000)
}

// dumpTables returns the text of every row of every table of the database
// file, read through a connection of its own, formatted with %v.
func dumpTables(t testing.TB, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	require.NoError(t, err)
	defer db.Close()

	rows, err := db.QueryContext(t.Context(), `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.Contains(t, tables, "challenges")

	var out bytes.Buffer
	for _, table := range tables {
		rows, err := db.QueryContext(t.Context(), `SELECT * FROM "`+table+`"`)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			fmt.Fprintf(&out, "%s: %v\n", table, vals)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	return out.String()
}

// containsNumber reports whether digits occurs in s as a whole number, not as
// part of a longer run of digits (a timestamp's fraction "000000000" does not
// contain the code "000000").
func containsNumber(s, digits string) bool {
	return regexp.MustCompile(`(^|[^0-9])` + regexp.QuoteMeta(digits) + `([^0-9]|$)`).MatchString(s)
}
