package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// env is a fake environment for run's getenv.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// syncBuffer collects the server's log; the server writes from several
// goroutines.
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

// instance is a running server.
type instance struct {
	base string // "http://127.0.0.1:port"
	addr string
	log  *syncBuffer
	stop func() error // cancels run and returns its error; idempotent
}

// dirs is where an instance keeps its database and data directory, so a
// restart can reuse them.
type dirs struct{ db, data string }

func newDirs(t *testing.T) dirs {
	t.Helper()
	d := t.TempDir()
	return dirs{db: filepath.Join(d, "kabinet.db"), data: filepath.Join(d, "data")}
}

// start runs the server on 127.0.0.1:0 over d with extra args and returns
// once it accepts requests. It is stopped at the end of the test.
func start(t *testing.T, d dirs, e env, args ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	all := append([]string{"-addr", "127.0.0.1:0", "-db", d.db, "-data", d.data}, args...)
	log := &syncBuffer{}
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, all, e.get, log, func(a string) { addrc <- a }) }()

	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		cancel()
		require.FailNow(t, "server did not start", "err: %v\nlog:\n%s", err, log.String())
	case <-time.After(30 * time.Second):
		cancel()
		require.FailNow(t, "server did not start in time", "log:\n%s", log.String())
	}
	var (
		once    sync.Once
		stopErr error
	)
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("run did not return after cancel")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { assert.NoError(t, stop(), "log:\n%s", log.String()) })
	return &instance{base: "http://" + addr, addr: addr, log: log, stop: stop}
}

// call sends a JSON request (body may be nil) and decodes a JSON answer into
// out when out is not nil. It returns the status.
func call(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out), "body: %s", raw)
	}
	return resp.StatusCode
}

type outboxDoc struct {
	Messages []notify.OutboxMessage `json:"messages"`
}

type userDoc struct {
	ID    string   `json:"id"`
	Roles []string `json:"roles"`
	Phone *string  `json:"phone"`
	Email *string  `json:"email"`
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// codeFor reads the newest message to "to" from the dev outbox, checks its
// channel and returns the code in it.
func codeFor(t *testing.T, base, channel, to string) string {
	t.Helper()
	var doc outboxDoc
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, base+"/dev/outbox", "", nil, &doc))
	for i := len(doc.Messages) - 1; i >= 0; i-- {
		m := doc.Messages[i]
		if m.To != to {
			continue
		}
		require.Equal(t, channel, string(m.Channel))
		code := sixDigits.FindString(m.Body)
		require.NotEmpty(t, code, "no 6-digit code in %q", m.Body)
		return code
	}
	require.FailNow(t, "no message in the dev outbox", "to %s; outbox: %+v", to, doc.Messages)
	return ""
}

// signIn requests a code for identifier, reads it from the outbox (addressed
// to "to" on channel) and verifies it. It returns the token and the user.
func signIn(t *testing.T, base, identifier, channel, to string) (string, userDoc) {
	t.Helper()
	var ticket struct {
		ChallengeID string `json:"challenge_id"`
		Channel     string `json:"channel"`
	}
	require.Equal(t, http.StatusAccepted, call(t, http.MethodPost, base+"/api/v1/auth/code", "",
		map[string]string{"identifier": identifier}, &ticket))
	require.Equal(t, channel, ticket.Channel)
	require.NotEmpty(t, ticket.ChallengeID)

	code := codeFor(t, base, channel, to)
	var res struct {
		Token string  `json:"token"`
		User  userDoc `json:"user"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, base+"/api/v1/auth/verify", "",
		map[string]string{"challenge_id": ticket.ChallengeID, "code": code}, &res))
	require.NotEmpty(t, res.Token)
	return res.Token, res.User
}

// me returns the status of GET /api/v1/me and the user it names.
func me(t *testing.T, base, token string) (int, userDoc) {
	t.Helper()
	var doc struct {
		User userDoc `json:"user"`
	}
	status := call(t, http.MethodGet, base+"/api/v1/me", token, nil, &doc)
	return status, doc.User
}

func TestSignInOverHTTP(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})

	var health map[string]string
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/healthz", "", nil, &health))
	assert.Equal(t, "ok", health["status"])

	t.Run("phone", func(t *testing.T) {
		token, user := signIn(t, srv.base, "+7 912 345-67-89", "sms", "+79123456789")
		require.NotNil(t, user.Phone)
		assert.Equal(t, "+79123456789", *user.Phone)

		status, got := me(t, srv.base, token)
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, got.Phone)
		assert.Equal(t, "+79123456789", *got.Phone)
		assert.Equal(t, []string{"client"}, got.Roles)
	})
	t.Run("email", func(t *testing.T) {
		token, _ := signIn(t, srv.base, "Anna@Example.com", "email", "anna@example.com")
		status, got := me(t, srv.base, token)
		require.Equal(t, http.StatusOK, status)
		require.NotNil(t, got.Email)
		assert.Equal(t, "anna@example.com", *got.Email)
		assert.Nil(t, got.Phone)
	})
	t.Run("no token", func(t *testing.T) {
		status, _ := me(t, srv.base, "")
		assert.Equal(t, http.StatusUnauthorized, status)
	})
	t.Run("outbox page", func(t *testing.T) {
		resp, err := http.Get(srv.base + "/dev/outbox.html")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
		assert.Contains(t, string(body), "anna@example.com")
	})

	assert.Contains(t, srv.log.String(), "dev mode: codes are not sent; read them at "+srv.base+"/dev/outbox.html")

	// A graceful stop returns nil and closes the listener.
	require.NoError(t, srv.stop())
	_, err := net.DialTimeout("tcp", srv.addr, time.Second)
	assert.Error(t, err, "still listening after run returned")
}

func TestHealthUnavailable(t *testing.T) {
	t.Parallel()
	// The handler alone, over a store that does not answer.
	h := healthHandler(func(context.Context) error { return errors.New("database is locked") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.JSONEq(t, `{"status":"unavailable"}`, rec.Body.String())
}

func TestDevModeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8080", "example.com:8080"} {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			d := newDirs(t)
			called := false
			err := run(t.Context(), []string{"-addr", addr, "-db", d.db, "-data", d.data}, env{}.get, io.Discard,
				func(string) { called = true })
			require.Error(t, err)
			assert.Contains(t, err.Error(), "loopback")
			assert.Contains(t, err.Error(), "SMTP")
			assert.Contains(t, err.Error(), "SMS")
			assert.False(t, called, "ready was called")
			assert.NoFileExists(t, d.db, "nothing is opened before the check")
		})
	}
}

func TestDevModeRefusesBehindProxy(t *testing.T) {
	t.Parallel()
	for _, flag := range [][]string{{"-trusted-proxies", "127.0.0.1/32"}, {"-secure-cookies"}} {
		t.Run(flag[0], func(t *testing.T) {
			t.Parallel()
			d := newDirs(t)
			args := append([]string{"-addr", "127.0.0.1:0", "-db", d.db, "-data", d.data}, flag...)
			err := run(t.Context(), args, env{}.get, io.Discard, func(string) { t.Error("ready was called") })
			require.Error(t, err)
			assert.Contains(t, err.Error(), "proxy")
		})
	}
}

// TestDevOutboxOnlyForDirectLocalRequests: a forwarded request or a foreign
// Host (DNS rebinding) does not see the codes.
func TestDevOutboxOnlyForDirectLocalRequests(t *testing.T) {
	h := localOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	cases := []struct {
		host   string
		header string
		want   int
	}{
		{"127.0.0.1:8080", "", http.StatusOK},
		{"localhost:8080", "", http.StatusOK},
		{"[::1]:8080", "", http.StatusOK},
		{"localhost", "", http.StatusOK},
		{"attacker.example:8080", "", http.StatusForbidden},
		{"cabinet.clinic.example", "", http.StatusForbidden},
		{"127.0.0.1:8080", "X-Forwarded-For", http.StatusForbidden},
		{"127.0.0.1:8080", "Forwarded", http.StatusForbidden},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/dev/outbox", nil)
		r.Host = tc.host
		if tc.header != "" {
			r.Header.Set(tc.header, "for=203.0.113.66")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, tc.want, w.Code, "%s %s", tc.host, tc.header)
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:8080":        true,
		"127.1.2.3:0":           true,
		"[::1]:8080":            true,
		"localhost:8080":        true,
		"LOCALHOST:1":           true,
		"[::ffff:127.0.0.1]:80": true,
		":8080":                 false,
		"0.0.0.0:8080":          false,
		"[::]:8080":             false,
		"10.0.0.1:8080":         false,
		"localhost.evil:80":     false,
		"127.0.0.1":             false, // no port: not an address
	} {
		assert.Equal(t, want, isLoopback(addr), addr)
	}
}

func TestProvidersConfiguredNoDevOutbox(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{
		"KABINET_SMS_WEBHOOK_URL":   "http://127.0.0.1:1/sms", // never called here
		"KABINET_SMS_WEBHOOK_TOKEN": "t0ken",
		"KABINET_SMTP_HOST":         "127.0.0.1",
		"KABINET_SMTP_PORT":         "1",
		"KABINET_SMTP_FROM":         "Clinic <no-reply@clinic.example>",
		"KABINET_SMTP_SECURITY":     "plain",
	})
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodGet, srv.base+"/dev/outbox", "", nil, nil))
	assert.Equal(t, http.StatusNotFound, call(t, http.MethodGet, srv.base+"/dev/outbox.html", "", nil, nil))
	assert.Contains(t, srv.log.String(), "dev_mode=false")
	assert.NotContains(t, srv.log.String(), "t0ken")
}

func TestConfig(t *testing.T) {
	t.Parallel()
	defaults, err := parseConfig(nil, env{}.get, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", defaults.addr)
	assert.Equal(t, "kabinet.db", defaults.db)
	assert.Equal(t, "kabinet-data", defaults.data)
	assert.True(t, defaults.demo)
	assert.Equal(t, "Kabinet demo clinic", defaults.clinic)
	assert.Equal(t, "RU", defaults.region)
	assert.Equal(t, []string{"RU", "KZ", "BY"}, defaults.smsCountries)
	assert.Equal(t, slog.LevelInfo, defaults.logLevel)
	assert.Nil(t, defaults.secret)
	assert.Nil(t, defaults.smtp)
	assert.Nil(t, defaults.sms)
	assert.Nil(t, defaults.vapid)
	assert.Empty(t, defaults.publicURL)
	assert.Empty(t, defaults.vapidSubject)

	t.Run("precedence", func(t *testing.T) {
		e := env{
			"KABINET_ADDR": "127.0.0.1:9001", "KABINET_DB": "env.db", "KABINET_DATA": "env-data", "KABINET_DEMO": "false",
			"KABINET_CLINIC_NAME": "Env clinic", "KABINET_REGION": "kz", "KABINET_SMS_COUNTRIES": "ru, kz",
			"KABINET_LOG_LEVEL": "debug", "KABINET_SECURE_COOKIES": "true", "KABINET_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1",
			"KABINET_PUBLIC_URL": "https://env.example", "KABINET_VAPID_SUBJECT": "mailto:env@clinic.example",
		}
		fromEnv, err := parseConfig(nil, e.get, io.Discard)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1:9001", fromEnv.addr)
		assert.Equal(t, "env.db", fromEnv.db)
		assert.Equal(t, "env-data", fromEnv.data)
		assert.False(t, fromEnv.demo)
		assert.Equal(t, "Env clinic", fromEnv.clinic)
		assert.Equal(t, "KZ", fromEnv.region)
		assert.Equal(t, []string{"RU", "KZ"}, fromEnv.smsCountries)
		assert.Equal(t, slog.LevelDebug, fromEnv.logLevel)
		assert.True(t, fromEnv.secureCookies)
		assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.1/32")}, fromEnv.trustedProxies)
		assert.Equal(t, "https://env.example", fromEnv.publicURL)
		assert.Equal(t, "mailto:env@clinic.example", fromEnv.vapidSubject)

		fromFlags, err := parseConfig([]string{
			"-addr", "127.0.0.1:9002", "-db", "flag.db", "-data", "flag-data", "-demo=true", "-clinic", "Flag clinic",
			"-region", "BY", "-sms-countries", "*", "-log-level", "error", "-secure-cookies=false", "-trusted-proxies", "",
			"-public-url", "https://flag.example/cabinet", "-vapid-subject", "",
		}, e.get, io.Discard)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1:9002", fromFlags.addr)
		assert.Equal(t, "flag.db", fromFlags.db)
		assert.Equal(t, "flag-data", fromFlags.data)
		assert.True(t, fromFlags.demo)
		assert.Equal(t, "Flag clinic", fromFlags.clinic)
		assert.Equal(t, "BY", fromFlags.region)
		assert.Equal(t, []string{"*"}, fromFlags.smsCountries)
		assert.Equal(t, slog.LevelError, fromFlags.logLevel)
		assert.False(t, fromFlags.secureCookies)
		assert.Empty(t, fromFlags.trustedProxies)
		assert.Equal(t, "https://flag.example/cabinet", fromFlags.publicURL)
		assert.Empty(t, fromFlags.vapidSubject, "an empty flag turns the variable off")
	})

	t.Run("precedence at run time", func(t *testing.T) {
		t.Parallel()
		// KABINET_ADDR names a non-loopback address that dev mode refuses;
		// the flag wins, so the server starts.
		srv := start(t, newDirs(t), env{"KABINET_ADDR": "0.0.0.0:0", "KABINET_CLINIC_NAME": "Env clinic"}, "-clinic", "Flag clinic")
		signIn(t, srv.base, "flag@example.com", "email", "flag@example.com")
		var doc outboxDoc
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/dev/outbox", "", nil, &doc))
		require.NotEmpty(t, doc.Messages)
		assert.Contains(t, doc.Messages[len(doc.Messages)-1].Body, "Flag clinic")
	})

	t.Run("secret", func(t *testing.T) {
		key := bytes.Repeat([]byte{0xab}, 32)
		for name, v := range map[string]string{
			"hex":       hex.EncodeToString(key),
			"base64":    "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
			"base64raw": "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",
		} {
			c, err := parseConfig(nil, env{"KABINET_SECRET": v}.get, io.Discard)
			require.NoError(t, err, name)
			assert.Equal(t, key, c.secret, name)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			args []string
			env  env
			want string
		}{
			{"addr flag", []string{"-addr", "8080"}, nil, "-addr"},
			{"addr env", nil, env{"KABINET_ADDR": "nonsense"}, "-addr"},
			{"demo env", nil, env{"KABINET_DEMO": "maybe"}, "KABINET_DEMO"},
			{"demo flag", []string{"-demo=maybe"}, nil, "-demo"},
			{"log level env", nil, env{"KABINET_LOG_LEVEL": "loud"}, "KABINET_LOG_LEVEL"},
			{"log level flag", []string{"-log-level", "loud"}, nil, "-log-level"},
			{"proxies", []string{"-trusted-proxies", "10.0.0.0/33"}, nil, "-trusted-proxies"},
			{"proxies env", nil, env{"KABINET_TRUSTED_PROXIES": "office"}, "KABINET_TRUSTED_PROXIES"},
			{"countries", []string{"-sms-countries", "RUS"}, nil, "-sms-countries"},
			{"region", []string{"-region", "Russia"}, nil, "-region"},
			{"unknown region", []string{"-region", "XX"}, nil, "-region"},
			{"unknown SMS country", []string{"-sms-countries", "RU,ZZ"}, nil, "-sms-countries"},
			{"secure cookies env", nil, env{"KABINET_SECURE_COOKIES": "yes please"}, "KABINET_SECURE_COOKIES"},
			{"short secret", nil, env{"KABINET_SECRET": "abcd"}, "KABINET_SECRET"},
			{"smtp without host", nil, env{"KABINET_SMTP_FROM": "a@b.example"}, "KABINET_SMTP_HOST"},
			{"smtp without from", nil, env{"KABINET_SMTP_HOST": "smtp.example"}, "KABINET_SMTP_FROM"},
			{"smtp port", nil, env{"KABINET_SMTP_HOST": "smtp.example", "KABINET_SMTP_FROM": "a@b.example", "KABINET_SMTP_PORT": "x"}, "KABINET_SMTP_PORT"},
			{"smtp security", nil, env{"KABINET_SMTP_HOST": "smtp.example", "KABINET_SMTP_FROM": "a@b.example", "KABINET_SMTP_SECURITY": "ssl"}, "KABINET_SMTP_SECURITY"},
			{"sms token without url", nil, env{"KABINET_SMS_WEBHOOK_TOKEN": "t"}, "KABINET_SMS_WEBHOOK_URL"},
			{"public url env", nil, env{"KABINET_PUBLIC_URL": "clinic.example"}, "KABINET_PUBLIC_URL"},
			{"public url flag", []string{"-public-url", "https://clinic.example/?utm=sms"}, nil, "-public-url"},
			{"vapid subject env", nil, env{"KABINET_VAPID_SUBJECT": "admin"}, "KABINET_VAPID_SUBJECT"},
			{"vapid subject flag", []string{"-vapid-subject", "http://clinic.example"}, nil, "-vapid-subject"},
			{"positional", []string{"serve"}, nil, "serve"},
			{"language", []string{"-lang", "de"}, nil, "-lang"},
			{"language env", nil, env{"KABINET_LANG": "fr"}, "-lang"},
			{"accent", []string{"-accent", "pink"}, nil, "-accent"},
			{"accent too light", nil, env{"KABINET_ACCENT": "#ffd700"}, "WCAG AA"},
		} {
			_, err := parseConfig(tc.args, tc.env.get, io.Discard)
			require.Error(t, err, tc.name)
			assert.Contains(t, err.Error(), tc.want, tc.name)
		}
		_, err := parseConfig(nil, env{"KABINET_SECRET": "abcd"}.get, io.Discard)
		assert.NotContains(t, err.Error(), "abcd", "the secret is never repeated")
	})

	t.Run("help", func(t *testing.T) {
		var out bytes.Buffer
		_, err := parseConfig([]string{"-help"}, env{}.get, &out)
		require.ErrorIs(t, err, flag.ErrHelp)
		for _, name := range []string{
			"-addr", "KABINET_ADDR", "-db", "KABINET_DB", "-data", "KABINET_DATA", "-demo", "KABINET_DEMO",
			"-clinic", "KABINET_CLINIC_NAME", "-admin", "KABINET_ADMIN", "-trusted-proxies", "KABINET_TRUSTED_PROXIES",
			"-secure-cookies", "KABINET_SECURE_COOKIES", "-region", "KABINET_REGION", "-sms-countries",
			"KABINET_SMS_COUNTRIES", "-log-level", "KABINET_LOG_LEVEL", "KABINET_SECRET", "KABINET_SMTP_HOST",
			"KABINET_SMTP_PORT", "KABINET_SMTP_USER", "KABINET_SMTP_PASSWORD", "KABINET_SMTP_FROM",
			"KABINET_SMTP_SECURITY", "KABINET_SMS_WEBHOOK_URL", "KABINET_SMS_WEBHOOK_TOKEN",
			"KABINET_SMSRU_API_KEY", "KABINET_SMSRU_FROM", "KABINET_TWILIO_ACCOUNT_SID", "KABINET_TWILIO_AUTH_TOKEN",
			"KABINET_TWILIO_FROM", "KABINET_TWILIO_MESSAGING_SERVICE_SID", "KABINET_VAPID_PUBLIC_KEY", "KABINET_VAPID_PRIVATE_KEY",
			"-public-url", "KABINET_PUBLIC_URL", "-vapid-subject", "KABINET_VAPID_SUBJECT",
		} {
			assert.Contains(t, out.String(), name)
		}
	})
}

func TestSecretFileSurvivesRestart(t *testing.T) {
	t.Parallel()
	d := newDirs(t)
	srv := start(t, d, env{})
	token, _ := signIn(t, srv.base, "+7 912 345-67-89", "sms", "+79123456789")
	require.NoError(t, srv.stop())

	path := filepath.Join(d.data, secretFile)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.Equal(t, int64(32), info.Size())
	dirInfo, err := os.Stat(d.data)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dirInfo.Mode().Perm())
	first, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, srv.log.String(), hex.EncodeToString(first))

	again := start(t, d, env{})
	status, user := me(t, again.base, token)
	require.Equal(t, http.StatusOK, status, "a session from before the restart still works")
	require.NotNil(t, user.Phone)
	assert.Equal(t, "+79123456789", *user.Phone)
	for _, name := range []string{d.db, d.db + "-wal", d.db + "-shm"} { // while open: WAL and SHM exist
		info, err := os.Stat(name)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "%s is private", name)
	}
	second, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, first, second, "the key is reused, not replaced")
	entries, err := os.ReadDir(d.data)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{secretFile, vapidFile, "photos"}, names, "no temporary files left behind")
	photos, err := os.Stat(filepath.Join(d.data, "photos"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), photos.Mode().Perm(), "the photo directory is private")

	t.Run("env secret wins", func(t *testing.T) {
		d := newDirs(t)
		srv := start(t, d, env{"KABINET_SECRET": strings.Repeat("42", 32)})
		signIn(t, srv.base, "env@example.com", "email", "env@example.com")
		assert.NoFileExists(t, filepath.Join(d.data, secretFile))
	})
	t.Run("short key file", func(t *testing.T) {
		d := newDirs(t)
		require.NoError(t, os.MkdirAll(d.data, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(d.data, secretFile), []byte("short"), 0o600))
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-db", d.db, "-data", d.data}, env{}.get, io.Discard, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), secretFile)
	})
}

type auditDoc struct {
	Entries []struct {
		Action  string `json:"action"`
		Subject string `json:"subject"`
	} `json:"entries"`
}

func TestDemoStaff(t *testing.T) {
	t.Parallel()
	d := newDirs(t)
	srv := start(t, d, env{})
	roles := map[string][]string{
		demoOwner:      {"admin"},
		demoSpecialist: {"specialist"},
		demoManager:    {"manager"},
	}
	ids := map[string]string{}
	var ownerToken string
	for who, want := range roles {
		token, user := signIn(t, srv.base, who, "email", who)
		assert.Equal(t, want, user.Roles, who)
		ids[who] = user.ID
		if who == demoOwner {
			ownerToken = token
		}
	}
	staffRegistered := func(base, token string) int {
		t.Helper()
		var doc auditDoc
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, base+"/api/v1/staff/audit?action=auth.staff_registered", token, nil, &doc))
		return len(doc.Entries)
	}
	assert.Equal(t, 3, staffRegistered(srv.base, ownerToken))
	require.NoError(t, srv.stop())

	again := start(t, d, env{})
	assert.NotContains(t, again.log.String(), "loaded the demo clinic")
	assert.Equal(t, 3, staffRegistered(again.base, ownerToken), "a second start registers nobody")
	for who := range roles { // same users, same roles (a new code for them would hit the resend limit)
		var doc struct {
			User userDoc `json:"user"`
		}
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, again.base+"/api/v1/staff/users/"+ids[who], ownerToken, nil, &doc))
		require.NotNil(t, doc.User.Email, who)
		assert.Equal(t, who, *doc.User.Email)
		assert.Equal(t, roles[who], doc.User.Roles, who)
	}

	t.Run("demo off", func(t *testing.T) {
		t.Parallel()
		srv := start(t, newDirs(t), env{"KABINET_DEMO": "false"})
		_, user := signIn(t, srv.base, demoOwner, "email", demoOwner)
		assert.Equal(t, []string{"client"}, user.Roles)
	})
}

func TestAdminFlag(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		args []string
		env  env
	}{
		"flag": {args: []string{"-admin", "+7 (916) 123-45-67", "-demo=false"}},
		"env":  {env: env{"KABINET_ADMIN": "89161234567", "KABINET_DEMO": "false"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, newDirs(t), tc.env, tc.args...)
			_, user := signIn(t, srv.base, "+79161234567", "sms", "+79161234567")
			assert.Equal(t, []string{"admin"}, user.Roles)
			assert.NotContains(t, srv.log.String(), "9161234567", "the identifier is not logged")
		})
	}
	t.Run("invalid", func(t *testing.T) {
		t.Parallel()
		d := newDirs(t)
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-db", d.db, "-data", d.data, "-admin", "nobody"},
			env{}.get, io.Discard, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "-admin")
	})
}

// TestDemoClinic: the demo clinic of API.md — 2 branches, 6 specialists, 12
// services, working plans for the next 60 days — and a client books a slot.
func TestDemoClinic(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	var branches struct {
		Branches []struct {
			ID       string `json:"id"`
			TimeZone string `json:"time_zone"`
		} `json:"branches"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/branches", "", nil, &branches))
	require.Len(t, branches.Branches, 2)
	assert.Equal(t, "Europe/Moscow", branches.Branches[0].TimeZone)
	var services struct {
		Services []struct{ ID string } `json:"services"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/services", "", nil, &services))
	assert.Len(t, services.Services, 12)
	var specialists struct {
		Specialists []struct{ ID string } `json:"specialists"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/specialists", "", nil, &specialists))
	assert.Len(t, specialists.Specialists, 6)
	var products struct {
		Products []struct{ ID string } `json:"products"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/products", "", nil, &products))
	assert.Len(t, products.Products, 20, "the demo cosmetics")

	msk, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	from := time.Now().In(msk)
	var slots struct {
		Slots []struct {
			Start        time.Time `json:"start"`
			SpecialistID string    `json:"specialist_id"`
		} `json:"slots"`
	}
	url := fmt.Sprintf("%s/api/v1/slots?service_id=svc-laser-hair&branch_id=%s&from=%s&to=%s", srv.base, demoBranchCenter,
		from.Format(time.DateOnly), from.AddDate(0, 0, 13).Format(time.DateOnly))
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, url, "", nil, &slots))
	require.NotEmpty(t, slots.Slots, "two weeks of the laser specialist's plan")
	// The plans reach the end of the 60 days: the last two weeks still have slots
	// (two weeks, so the New Year holidays cannot cover the whole range).
	url = fmt.Sprintf("%s/api/v1/slots?service_id=svc-consultation&branch_id=%s&from=%s&to=%s", srv.base, demoBranchCenter,
		from.AddDate(0, 0, 45).Format(time.DateOnly), from.AddDate(0, 0, 58).Format(time.DateOnly))
	var late struct {
		Slots []any `json:"slots"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, url, "", nil, &late))
	assert.NotEmpty(t, late.Slots)

	token, _ := signIn(t, srv.base, "+7 912 345-67-89", "sms", "+79123456789")
	var appt struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	body := map[string]any{"service_id": "svc-laser-hair", "branch_id": demoBranchCenter, "start": slots.Slots[0].Start.Format(time.RFC3339)}
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/me/appointments", token, body, &appt))
	assert.Equal(t, "confirmed", appt.Status)
}
