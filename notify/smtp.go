package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// SMTPSecurity says how the SMTP connection is protected. The zero value
// means SMTPStartTLS.
type SMTPSecurity int

const (
	// SMTPStartTLS connects in plain text and requires STARTTLS before
	// anything else is sent; a server that does not offer it is an error.
	// The default; port 587 unless set.
	SMTPStartTLS SMTPSecurity = iota + 1
	// SMTPImplicitTLS speaks TLS from the first byte ("SMTPS"); port 465
	// unless set.
	SMTPImplicitTLS
	// SMTPPlain uses no TLS at all. It exists only for a development or
	// test server on loopback (or a mail catcher on the same private
	// network); never use it to reach a real relay. Credentials are refused
	// by the client over it unless the host is "localhost", 127.0.0.1 or
	// ::1.
	SMTPPlain
)

// String returns the name used in error messages.
func (s SMTPSecurity) String() string {
	switch s {
	case SMTPStartTLS:
		return "starttls"
	case SMTPImplicitTLS:
		return "implicit-tls"
	case SMTPPlain:
		return "plain"
	}
	return fmt.Sprintf("SMTPSecurity(%d)", int(s))
}

// Defaults of SMTPConfig.
const (
	DefaultSMTPPort    = 587
	DefaultSMTPSPort   = 465
	DefaultSMTPTimeout = 15 * time.Second
	defaultSMTPMinTLS  = tls.VersionTLS12
)

// SMTPConfig configures an SMTP sender. Zero fields take the documented
// defaults.
type SMTPConfig struct {
	// Host is the relay's host name or IP address. Required.
	Host string
	// Port defaults to 587, or 465 for SMTPImplicitTLS.
	Port int
	// Username and Password, when Username is set, enable SMTP AUTH:
	// PLAIN or LOGIN, whichever the server offers (SCRAM or CRAM-MD5 if it
	// offers neither).
	Username, Password string
	// From is the sender, "Clinic <no-reply@clinic.example>" or a bare
	// address. Required; parsed with net/mail.
	From string
	// Security defaults to SMTPStartTLS.
	Security SMTPSecurity
	// Timeout bounds connecting and each step of the conversation;
	// default 15s. The context passed to SendMail bounds the whole send.
	Timeout time.Duration
	// TLSConfig is optional. It is cloned; an empty ServerName becomes
	// Host, and MinVersion defaults to TLS 1.2.
	TLSConfig *tls.Config
}

// SMTP sends e-mail through an SMTP relay. Each SendMail opens its own
// connection, so an *SMTP is safe for concurrent use.
type SMTP struct {
	host     string
	port     int
	user     string
	pass     string
	from     *netmail.Address
	domain   string // of From, for Message-IDs
	security SMTPSecurity
	timeout  time.Duration
	tls      *tls.Config
}

var _ MailSender = (*SMTP)(nil)

// NewSMTP checks cfg and returns a sender. It does not connect. A bad field
// fails here with an error naming it, e.g.
// "notify: SMTPConfig.Host is required".
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host := strings.TrimSpace(cfg.Host)
	if host == "" {
		return nil, errors.New("notify: SMTPConfig.Host is required")
	}
	if strings.ContainsAny(host, " \t\r\n/") {
		return nil, fmt.Errorf("notify: SMTPConfig.Host %q is not a host name or IP address", cfg.Host)
	}
	security := cmp.Or(cfg.Security, SMTPStartTLS)
	if security < SMTPStartTLS || security > SMTPPlain {
		return nil, fmt.Errorf("notify: SMTPConfig.Security %d is unknown", int(cfg.Security))
	}
	defaultPort := DefaultSMTPPort
	if security == SMTPImplicitTLS {
		defaultPort = DefaultSMTPSPort
	}
	port := cmp.Or(cfg.Port, defaultPort)
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("notify: SMTPConfig.Port %d is out of range 1-65535", cfg.Port)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("notify: SMTPConfig.Timeout %s is negative", cfg.Timeout)
	}
	if cfg.From == "" {
		return nil, errors.New("notify: SMTPConfig.From is required")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTPConfig.From: %w", err)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("notify: SMTPConfig.Username is required when Password is set")
	}
	var tlsConfig *tls.Config
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	} else {
		tlsConfig = &tls.Config{}
	}
	tlsConfig.ServerName = cmp.Or(tlsConfig.ServerName, host)
	tlsConfig.MinVersion = cmp.Or(tlsConfig.MinVersion, defaultSMTPMinTLS)

	_, domain, _ := strings.Cut(from.Address, "@")
	return &SMTP{
		host:     host,
		port:     port,
		user:     cfg.Username,
		pass:     cfg.Password,
		from:     from,
		domain:   cmp.Or(domain, "localhost"),
		security: security,
		timeout:  cmp.Or(cfg.Timeout, DefaultSMTPTimeout),
		tls:      tlsConfig,
	}, nil
}

// SendMail delivers m over one SMTP connection: a multipart/alternative
// message with the text part and, when m.HTML is set, the HTML part, plus
// attachments. It returns the message's Message-ID.
//
// Cancelling ctx aborts the connection at once and returns an error that
// matches ErrTemporary and ctx.Err(). A 5xx reply (bad address, rejected
// message, failed authentication) or an address that does not parse
// matches ErrPermanent; a 4xx reply or any connection or TLS failure
// matches ErrTemporary. Error strings carry the SMTP step and reply code,
// never the body, and not the recipient list that go-mail would add.
func (s *SMTP) SendMail(ctx context.Context, m Mail) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", temporary(err)
	}
	msg, err := s.message(m)
	if err != nil {
		return "", permanent(err)
	}

	// Each connection this send opens is closed when ctx is done and, in
	// any case, when the send returns (go-mail leaves it open when the
	// greeting, STARTTLS or AUTH fails).
	var conns []net.Conn
	var stops []func() bool
	defer func() {
		for _, stop := range stops {
			stop()
		}
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		conns = append(conns, raw)
		stops = append(stops, context.AfterFunc(ctx, func() { _ = raw.Close() }))
		if s.security != SMTPImplicitTLS {
			return raw, nil
		}
		tc := tls.Client(raw, s.tls)
		if err := tc.HandshakeContext(dctx); err != nil {
			return nil, err
		}
		return tc, nil
	}

	client, err := mail.NewClient(s.host, s.clientOptions(dial)...)
	if err != nil {
		return "", permanent(fmt.Errorf("smtp: client: %w", err))
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return "", s.failure(ctx, "connect", err)
	}
	err = client.SendWithSMTPClient(sc, msg)
	if err != nil && !msg.IsDelivered() {
		// IsDelivered: the server accepted DATA; a failing RSET afterwards
		// must not make the caller send the message twice.
		return "", s.failure(ctx, "send", err)
	}
	_ = client.CloseWithSMTPClient(sc) // QUIT; delivery has happened
	return msg.GetMessageID(), nil
}

func (s *SMTP) clientOptions(dial mail.DialContextFunc) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(s.port),
		mail.WithTimeout(s.timeout),
		mail.WithTLSConfig(s.tls),
		mail.WithDialContextFunc(dial),
	}
	switch s.security {
	case SMTPStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case SMTPImplicitTLS:
		// The dialer already speaks TLS; WithSSL keeps go-mail from
		// attempting STARTTLS on top of it.
		opts = append(opts, mail.WithSSL(), mail.WithTLSPolicy(mail.NoTLS))
	case SMTPPlain:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.user != "" {
		// Opportunistic: PLAIN or LOGIN as offered, else go-mail's
		// auto-discovery. go-mail refuses PLAIN/LOGIN without TLS except
		// to a loopback host.
		opts = append(opts,
			mail.WithOpportunisticSMTPAuth(mail.SMTPAuthPlain, mail.SMTPAuthLogin),
			mail.WithUsername(s.user),
			mail.WithPassword(s.pass),
		)
	}
	return opts
}

// message builds the go-mail message. Its errors are about m itself and so
// are permanent.
func (s *SMTP) message(m Mail) (*mail.Msg, error) {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("smtp: Mail.To does not parse: %w", err)
	}
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("smtp: Mail has neither Text nor HTML")
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.Subject(oneLine(m.Subject))
	msg.SetDate()
	id, err := messageID(s.domain)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id)
	switch {
	case m.HTML == "":
		msg.SetBodyString(mail.TypeTextPlain, m.Text)
	case m.Text == "":
		msg.SetBodyString(mail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(mail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	for i, a := range m.Attachments {
		name := oneLine(a.Name)
		if name == "" {
			return nil, fmt.Errorf("smtp: Mail.Attachments[%d].Name is empty", i)
		}
		ct := cmp.Or(oneLine(a.ContentType), "application/octet-stream")
		msg.AttachReadSeeker(name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(ct)))
	}
	return msg, nil
}

// failure turns a go-mail error into a *SendError. It keeps the SMTP step,
// reply code and enhanced status, but builds its own text so that the
// recipient list go-mail puts into its messages stays out of logs.
func (s *SMTP) failure(ctx context.Context, step string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return temporary(fmt.Errorf("smtp: %s: %w", step, ctxErr))
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		detail := se.Reason.String()
		if code != 0 {
			detail += fmt.Sprintf(": reply %d", code)
		}
		if esc := se.EnhancedStatusCode(); esc != "" {
			detail += " " + esc
		}
		return &SendError{
			Permanent: code >= 500 && code <= 599,
			Err:       &smtpError{step: step, detail: detail, code: code, err: err},
		}
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return &SendError{
			Permanent: te.Code >= 500 && te.Code <= 599,
			Err:       &smtpError{step: step, detail: err.Error(), code: te.Code, err: err},
		}
	}
	return temporary(&smtpError{step: step, detail: err.Error(), err: err})
}

// smtpError describes a failed SMTP exchange without recipients or body.
type smtpError struct {
	step   string
	detail string
	code   int
	err    error
}

func (e *smtpError) Error() string { return "smtp: " + e.step + ": " + e.detail }
func (e *smtpError) Unwrap() error { return e.err }

// messageID returns a random Message-ID in the sender's domain, so the
// machine's host name does not leak into headers.
func messageID(domain string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("smtp: message id: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}

// oneLine replaces control characters (CR and LF included) with spaces and
// trims, so a header value cannot start a new header.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}
