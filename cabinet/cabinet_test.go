package cabinet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// smtpSink is a real SMTP server on loopback that keeps what it receives.
type smtpSink struct {
	mu   sync.Mutex
	msgs [][]byte
	addr string
}

type sinkSession struct{ sink *smtpSink }

func (s sinkSession) Reset()                               {}
func (s sinkSession) Logout() error                        { return nil }
func (s sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.msgs = append(s.sink.msgs, b)
	return nil
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return sinkSession{sink}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sink.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = ln.Close() // Close misses a listener that Serve has not registered yet
	})
	return sink
}

func (s *smtpSink) last(t *testing.T) *mail.Message {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.msgs, "no mail arrived")
	m, err := mail.ReadMessage(bytes.NewReader(s.msgs[len(s.msgs)-1]))
	require.NoError(t, err)
	return m
}

// textPart returns the text/plain part of a multipart/alternative message.
func textPart(t *testing.T, m *mail.Message) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(m.Body)
		return string(b)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		require.NoError(t, err, "no text/plain part")
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p) // multipart.Part decodes quoted-printable
			require.NoError(t, err)
			return string(b)
		}
	}
}

// TestEmailSignInThroughRealSMTP: the code that arrives at a real SMTP server
// signs the user in through the real HTTP API.
func TestEmailSignInThroughRealSMTP(t *testing.T) {
	sink := newSMTPSink(t)
	host, port, err := net.SplitHostPort(sink.addr)
	require.NoError(t, err)
	portN, err := strconv.Atoi(port)
	require.NoError(t, err)
	mailer, err := notify.NewSMTP(notify.SMTPConfig{Host: host, Port: portN, From: "Clinic <no-reply@clinic.example>", Security: notify.SMTPPlain})
	require.NoError(t, err)

	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("s"), 32), Mail: mailer, ClinicName: "Клиника Анны"})
	require.NoError(t, err)
	srv := httptest.NewServer(cab.Handler())
	t.Cleanup(srv.Close)

	resp := postJSON(t, srv.URL+"/api/v1/auth/code", `{"identifier":"anna@example.com"}`)
	require.Equal(t, http.StatusAccepted, resp.status, "%s", resp.body)

	m := sink.last(t)
	assert.Equal(t, "anna@example.com", mustAddr(t, m.Header.Get("To")))
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Contains(t, subject, "Клиника Анны")
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(textPart(t, m))
	require.NotEmpty(t, code, "the letter carries the code")

	v := postJSON(t, srv.URL+"/api/v1/auth/verify", `{"challenge_id":"`+resp.json["challenge_id"].(string)+`","code":"`+code+`"}`)
	require.Equal(t, http.StatusOK, v.status, "%s", v.body)
	assert.Equal(t, "anna@example.com", v.json["user"].(map[string]any)["email"])
}

func TestNewReportsTheBadField(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	secret := bytes.Repeat([]byte("s"), 32)
	cases := []struct {
		name string
		cfg  cabinet.Config
		want string
	}{
		{"no store", cabinet.Config{Secret: secret}, "Config.Store"},
		{"short secret", cabinet.Config{Store: st, Secret: []byte("short")}, "Config.Secret"},
		{"auth store set", cabinet.Config{Store: st, Secret: secret, Auth: auth.Config{Secret: secret}}, "Config.Auth"},
		{"bad TTL", cabinet.Config{Store: st, Secret: secret, Auth: auth.Config{CodeTTL: time.Hour}}, "CodeTTL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cabinet.New(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNoSenderForChannelIs503(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("s"), 32), Mail: notify.NewDevOutbox(0, nil)})
	require.NoError(t, err)
	srv := httptest.NewServer(cab.Handler())
	t.Cleanup(srv.Close)
	r := postJSON(t, srv.URL+"/api/v1/auth/code", `{"identifier":"+79123456789"}`)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "delivery_failed", r.json["error"].(map[string]any)["code"])
}

// TestRunCleansUpAndStops: RunOnce removes expired sessions; Run returns when
// its context ends.
func TestRunCleansUpAndStops(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	outbox := notify.NewDevOutbox(0, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("s"), 32), SMS: outbox, Mail: outbox, Now: clock})
	require.NoError(t, err)
	tk, err := cab.Auth().RequestCode(t.Context(), auth.CodeRequest{Identifier: "anna@example.com"})
	require.NoError(t, err)
	msg, _ := outbox.Last("anna@example.com")
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(msg.Body)
	in, err := cab.Auth().Verify(t.Context(), auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
	require.NoError(t, err)

	mu.Lock()
	now = now.Add(91 * 24 * time.Hour)
	mu.Unlock()
	cab.RunOnce(t.Context())
	sessions, err := st.ListSessions(t.Context(), in.User.ID)
	require.NoError(t, err)
	assert.Empty(t, sessions, "the expired session was removed")

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- cab.Run(ctx) }()
	cancel()
	assert.NoError(t, <-done)
}

type jsonResp struct {
	status int
	body   []byte
	json   map[string]any
}

func postJSON(t *testing.T, url, body string) jsonResp {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := jsonResp{status: resp.StatusCode, body: b}
	require.NoError(t, json.Unmarshal(b, &out.json), "%s", b)
	return out
}

func mustAddr(t *testing.T, s string) string {
	t.Helper()
	a, err := mail.ParseAddress(s)
	require.NoError(t, err)
	return a.Address
}
