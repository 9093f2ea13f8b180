package notify_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// smtpServer is a real go-smtp server on loopback that records what it
// receives.
type smtpServer struct {
	Host string
	Port int
	Pool *x509.CertPool // trusts the server's certificate when it has one

	opts serverOptions
	mu   sync.Mutex
	msgs []receivedMail
}

type serverOptions struct {
	startTLS    bool   // offer STARTTLS
	implicitTLS bool   // TLS from the first byte
	user, pass  string // require AUTH PLAIN with these
	rcptReply   *smtp.SMTPError
	dataDelay   time.Duration // stall in DATA, to test cancellation
	listen      string        // default 127.0.0.1:0
}

type receivedMail struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
}

func (s *smtpServer) messages() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.msgs...)
}

func startSMTPServer(t *testing.T, opts serverOptions) *smtpServer {
	t.Helper()
	srv := &smtpServer{opts: opts}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: srv, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.AllowInsecureAuth = !opts.startTLS && !opts.implicitTLS

	ln, err := net.Listen("tcp", cmp.Or(opts.listen, "127.0.0.1:0"))
	if err != nil && opts.listen != "" {
		t.Skipf("cannot listen on %s: %v", opts.listen, err)
	}
	require.NoError(t, err)
	if opts.startTLS || opts.implicitTLS {
		cert, pool := selfSignedCert(t)
		srv.Pool = pool
		tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if opts.startTLS {
			s.TLSConfig = tlsConfig
		} else {
			ln = tls.NewListener(ln, tlsConfig)
		}
	}
	addr := ln.Addr().(*net.TCPAddr)
	srv.Host, srv.Port = addr.IP.String(), addr.Port

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		_ = ln.Close() // Close misses a listener that Serve has not registered yet
		<-done
	})
	return srv
}

type smtpSession struct {
	srv      *smtpServer
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.srv.opts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.srv.opts.user || password != s.srv.opts.pass {
			return smtp.ErrAuthFailed
		}
		s.authUser = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.opts.user != "" && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.srv.opts.rcptReply != nil {
		return s.srv.opts.rcptReply
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if d := s.srv.opts.dataDelay; d > 0 {
		time.Sleep(d)
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.msgs = append(s.srv.msgs, receivedMail{From: s.from, To: s.to, Data: data, TLS: isTLS, AuthUser: s.authUser})
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

// selfSignedCert makes a certificate for 127.0.0.1 and localhost and a pool
// that trusts it.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "notify test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// parsedMail is a received message taken apart.
type parsedMail struct {
	Header      netmail.Header
	Subject     string
	Text, HTML  string
	Attachments map[string][]byte // by file name
	AttachTypes map[string]string
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	p := parsedMail{
		Header: msg.Header, Subject: subject,
		Attachments: map[string][]byte{}, AttachTypes: map[string]string{},
	}
	walkPart(t, &p, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return p
}

func walkPart(t *testing.T, p *parsedMail, contentType, encoding, disposition string, body io.Reader) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	require.NoError(t, err)
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart() // raw: decode transfer encodings here, for both kinds
			if errors.Is(err, io.EOF) {
				return
			}
			require.NoError(t, err)
			walkPart(t, p, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part)
		}
	}
	data := decodeTransfer(t, encoding, body)
	if disposition != "" {
		if d, dp, err := mime.ParseMediaType(disposition); err == nil && d == "attachment" {
			// go-mail writes a non-ASCII name as an RFC 2047 word, as mail
			// clients expect.
			name, err := new(mime.WordDecoder).DecodeHeader(dp["filename"])
			require.NoError(t, err)
			p.Attachments[name] = data
			p.AttachTypes[name] = mediaType
			return
		}
	}
	switch mediaType {
	case "text/plain":
		p.Text = string(data)
	case "text/html":
		p.HTML = string(data)
	}
}

func decodeTransfer(t *testing.T, encoding string, body io.Reader) []byte {
	t.Helper()
	var r io.Reader
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	default:
		r = body
	}
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	return data
}

func codeMail(to string) notify.Mail {
	return notify.Mail{
		To:      to,
		Subject: "Код для входа — Клиника «Здоровье»",
		Text:    "Ваш код для входа: 123456\nСрок действия кода — 5 минут.",
		HTML:    "<p>Ваш код для входа:</p><p><b>123456</b></p>",
		Attachments: []notify.Attachment{
			{Name: "памятка.txt", ContentType: "text/plain", Data: []byte("hello attachment")},
			{Name: "blob.bin", Data: []byte{0, 1, 2, 3, 255}},
		},
	}
}

func TestSMTPSendMail(t *testing.T) {
	tests := []struct {
		name     string
		server   serverOptions
		security notify.SMTPSecurity
		auth     bool
		wantTLS  bool
	}{
		{name: "plain", server: serverOptions{}, security: notify.SMTPPlain},
		{name: "plain with auth", server: serverOptions{user: "mailer", pass: "s3cret"}, security: notify.SMTPPlain, auth: true},
		{name: "starttls", server: serverOptions{startTLS: true}, security: notify.SMTPStartTLS, wantTLS: true},
		{name: "starttls by default", server: serverOptions{startTLS: true}, security: 0, wantTLS: true},
		{name: "starttls with auth", server: serverOptions{startTLS: true, user: "mailer", pass: "s3cret"}, security: notify.SMTPStartTLS, auth: true, wantTLS: true},
		{name: "implicit tls with auth", server: serverOptions{implicitTLS: true, user: "mailer", pass: "s3cret"}, security: notify.SMTPImplicitTLS, auth: true, wantTLS: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTPServer(t, tt.server)
			cfg := notify.SMTPConfig{
				Host:     srv.Host,
				Port:     srv.Port,
				From:     "Клиника «Здоровье» <no-reply@clinic.example>",
				Security: tt.security,
				Timeout:  5 * time.Second,
			}
			if tt.auth {
				cfg.Username, cfg.Password = tt.server.user, tt.server.pass
			}
			if srv.Pool != nil {
				cfg.TLSConfig = &tls.Config{RootCAs: srv.Pool}
			}
			s, err := notify.NewSMTP(cfg)
			require.NoError(t, err)

			_, err = s.SendMail(t.Context(), codeMail("Анна <anna@example.org>"))
			require.NoError(t, err)

			got := srv.messages()
			require.Len(t, got, 1)
			m := got[0]
			assert.Equal(t, "no-reply@clinic.example", m.From)
			assert.Equal(t, []string{"anna@example.org"}, m.To)
			assert.Equal(t, tt.wantTLS, m.TLS)
			if tt.auth {
				assert.Equal(t, "mailer", m.AuthUser)
			}

			p := parseMail(t, m.Data)
			to, err := p.Header.AddressList("To")
			require.NoError(t, err)
			require.Len(t, to, 1)
			assert.Equal(t, "anna@example.org", to[0].Address)
			assert.Equal(t, "Анна", to[0].Name)
			from, err := p.Header.AddressList("From")
			require.NoError(t, err)
			require.Len(t, from, 1)
			assert.Equal(t, "Клиника «Здоровье»", from[0].Name)
			assert.Equal(t, "Код для входа — Клиника «Здоровье»", p.Subject)
			assert.Contains(t, p.Text, "123456")
			assert.Contains(t, p.Text, "5 минут")
			assert.Contains(t, p.HTML, "<b>123456</b>")
			assert.Equal(t, []byte("hello attachment"), p.Attachments["памятка.txt"])
			assert.Equal(t, "text/plain", p.AttachTypes["памятка.txt"])
			assert.Equal(t, []byte{0, 1, 2, 3, 255}, p.Attachments["blob.bin"])
			assert.Equal(t, "application/octet-stream", p.AttachTypes["blob.bin"])
			assert.True(t, strings.HasSuffix(p.Header.Get("Message-Id"), "@clinic.example>"), p.Header.Get("Message-Id"))
			assert.NotEmpty(t, p.Header.Get("Date"))
			assert.Empty(t, p.Header.Get("User-Agent"))
			assert.Empty(t, p.Header.Get("X-Mailer"))
		})
	}
}

func TestSMTPSendMailTextOnly(t *testing.T) {
	srv := startSMTPServer(t, serverOptions{})
	s, err := notify.NewSMTP(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, From: "no-reply@clinic.example", Security: notify.SMTPPlain})
	require.NoError(t, err)

	require.NoError(t, errOf(s.SendMail(t.Context(), notify.Mail{To: "a@example.org", Subject: "Hi", Text: "code 654321"})))

	got := srv.messages()
	require.Len(t, got, 1)
	p := parseMail(t, got[0].Data)
	assert.Contains(t, p.Text, "code 654321")
	assert.Empty(t, p.HTML)
	assert.Empty(t, p.Attachments)
}

func TestSMTPSendMailFailures(t *testing.T) {
	tests := []struct {
		name      string
		server    serverOptions
		cfg       func(*notify.SMTPConfig)
		mail      notify.Mail
		permanent bool
	}{
		{
			name:      "RCPT rejected with 550",
			server:    serverOptions{rcptReply: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}},
			permanent: true,
		},
		{
			name:   "RCPT deferred with 450",
			server: serverOptions{rcptReply: &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "Mailbox busy"}},
		},
		{
			name:      "wrong password",
			server:    serverOptions{user: "mailer", pass: "s3cret"},
			cfg:       func(c *notify.SMTPConfig) { c.Username, c.Password = "mailer", "wrong" },
			permanent: true,
		},
		{
			name: "STARTTLS required but not offered",
			cfg:  func(c *notify.SMTPConfig) { c.Security = notify.SMTPStartTLS },
		},
		{
			name:   "untrusted certificate",
			server: serverOptions{startTLS: true},
			cfg: func(c *notify.SMTPConfig) {
				c.Security = notify.SMTPStartTLS
				c.TLSConfig = nil // system roots do not trust the test certificate
			},
		},
		{
			name:      "recipient that does not parse",
			mail:      notify.Mail{To: "not an address", Subject: "s", Text: "t"},
			permanent: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTPServer(t, tt.server)
			cfg := notify.SMTPConfig{Host: srv.Host, Port: srv.Port, From: "no-reply@clinic.example", Security: notify.SMTPPlain, Timeout: 5 * time.Second}
			if srv.Pool != nil {
				cfg.TLSConfig = &tls.Config{RootCAs: srv.Pool}
			}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s, err := notify.NewSMTP(cfg)
			require.NoError(t, err)
			m := tt.mail
			if m.To == "" {
				m = notify.Mail{To: "anna@example.org", Subject: "s", Text: "secret code 987654"}
			}

			_, err = s.SendMail(t.Context(), m)
			require.Error(t, err)
			t.Log(err)
			assert.Equal(t, tt.permanent, errors.Is(err, notify.ErrPermanent), err)
			assert.Equal(t, !tt.permanent, errors.Is(err, notify.ErrTemporary), err)
			var se *notify.SendError
			assert.ErrorAs(t, err, &se)
			assert.NotContains(t, err.Error(), "987654")
			assert.NotContains(t, err.Error(), "anna@example.org")
			assert.Empty(t, srv.messages())
		})
	}
}

func TestSMTPSendMailClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	s, err := notify.NewSMTP(notify.SMTPConfig{Host: "127.0.0.1", Port: port, From: "no-reply@clinic.example", Timeout: 2 * time.Second})
	require.NoError(t, err)
	_, err = s.SendMail(t.Context(), notify.Mail{To: "a@example.org", Subject: "s", Text: "t"})
	require.Error(t, err)
	assert.ErrorIs(t, err, notify.ErrTemporary)
	assert.NotErrorIs(t, err, notify.ErrPermanent)
}

func TestSMTPSendMailHonoursContext(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		srv := startSMTPServer(t, serverOptions{})
		s, err := notify.NewSMTP(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, From: "no-reply@clinic.example", Security: notify.SMTPPlain})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()

		_, err = s.SendMail(ctx, notify.Mail{To: "a@example.org", Subject: "s", Text: "t"})
		assert.ErrorIs(t, err, notify.ErrTemporary)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, srv.messages())
	})
	t.Run("deadline during DATA", func(t *testing.T) {
		srv := startSMTPServer(t, serverOptions{dataDelay: 3 * time.Second})
		s, err := notify.NewSMTP(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, From: "no-reply@clinic.example", Security: notify.SMTPPlain, Timeout: 10 * time.Second})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()

		start := time.Now()
		_, err = s.SendMail(ctx, notify.Mail{To: "a@example.org", Subject: "s", Text: "t"})
		assert.Less(t, time.Since(start), 2*time.Second, "SendMail must return when ctx is done, not when the server answers")
		assert.ErrorIs(t, err, notify.ErrTemporary)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestNewSMTPValidation(t *testing.T) {
	valid := notify.SMTPConfig{Host: "smtp.example.org", From: "no-reply@clinic.example"}
	tests := []struct {
		name    string
		edit    func(*notify.SMTPConfig)
		wantErr string
	}{
		{name: "missing host", edit: func(c *notify.SMTPConfig) { c.Host = "" }, wantErr: "notify: SMTPConfig.Host is required"},
		{name: "host with space", edit: func(c *notify.SMTPConfig) { c.Host = "smtp example" }, wantErr: "SMTPConfig.Host"},
		{name: "missing from", edit: func(c *notify.SMTPConfig) { c.From = "" }, wantErr: "notify: SMTPConfig.From is required"},
		{name: "bad from", edit: func(c *notify.SMTPConfig) { c.From = "Clinic no-reply" }, wantErr: "SMTPConfig.From"},
		{name: "port too big", edit: func(c *notify.SMTPConfig) { c.Port = 70000 }, wantErr: "SMTPConfig.Port"},
		{name: "negative port", edit: func(c *notify.SMTPConfig) { c.Port = -1 }, wantErr: "SMTPConfig.Port"},
		{name: "unknown security", edit: func(c *notify.SMTPConfig) { c.Security = 42 }, wantErr: "SMTPConfig.Security"},
		{name: "negative timeout", edit: func(c *notify.SMTPConfig) { c.Timeout = -time.Second }, wantErr: "SMTPConfig.Timeout"},
		{name: "password without user", edit: func(c *notify.SMTPConfig) { c.Password = "x" }, wantErr: "SMTPConfig.Username"},
		{name: "valid bare address"},
		{name: "valid display name", edit: func(c *notify.SMTPConfig) { c.From = "Clinic <no-reply@clinic.example>" }},
		{name: "valid implicit tls", edit: func(c *notify.SMTPConfig) { c.Security = notify.SMTPImplicitTLS }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			if tt.edit != nil {
				tt.edit(&cfg)
			}
			s, err := notify.NewSMTP(cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, s)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Nil(t, s)
		})
	}
}

// Over SMTPPlain, credentials go only to a loopback host by name
// ("localhost", 127.0.0.1, ::1): to any other address go-mail refuses
// before sending them. 127.0.0.2 is loopback on Linux but not one of those
// names, so it stands in for a remote host.
func TestSMTPPlainAuthRefusedOffLoopback(t *testing.T) {
	srv := startSMTPServer(t, serverOptions{listen: "127.0.0.2:0", user: "mailer", pass: "s3cret"})
	s, err := notify.NewSMTP(notify.SMTPConfig{
		Host: srv.Host, Port: srv.Port, From: "no-reply@clinic.example",
		Security: notify.SMTPPlain, Username: "mailer", Password: "s3cret", Timeout: 5 * time.Second,
	})
	require.NoError(t, err)

	_, err = s.SendMail(t.Context(), notify.Mail{To: "a@example.org", Subject: "s", Text: "t"})
	require.Error(t, err)
	assert.ErrorIs(t, err, notify.ErrTemporary)
	assert.Empty(t, srv.messages())
}
