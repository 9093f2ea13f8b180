package cabinet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/httpapi"
	"github.com/kabinet-dev/kabinet/notify"
)

// Config wires a Cabinet. Zero fields take the documented default.
type Config struct {
	// Store is the storage backend (required), e.g. sqlite.Open(ctx, "clinic.db").
	Store Store
	// Secret keys sign-in code hashes and CSRF tokens: at least 32 random bytes,
	// the same on every instance, kept outside the database (required).
	Secret []byte
	// SMS delivers codes to phone numbers. Nil: sign-in by phone answers
	// 503 delivery_failed; use notify.DevOutbox in development.
	SMS notify.SMSSender
	// Mail delivers codes to e-mail addresses. Nil: as for SMS.
	Mail notify.MailSender
	// ClinicName appears in messages; default "Kabinet".
	ClinicName string
	// Templates overrides message templates by file name (see notify.NewTemplates).
	Templates fs.FS
	// Logger receives operational logs (never codes, tokens or health data).
	// Default: discard.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Auth tunes sign-in: limits, lifetimes, regions. Its Store, Sender and
	// Secret are set by New and must be left empty; its Now and Logger are
	// replaced by Config.Now and Config.Logger.
	Auth auth.Config
	// Booking tunes appointments: notice, horizon, grid, change deadline. Its
	// Store, Now and Logger are set by New and must be left empty.
	Booking booking.Config
	// Busy reports time taken outside Kabinet (the clinic's own system, a
	// calendar) to slot search and booking; optional.
	Busy booking.BusySource
	// Eligibility may refuse a service to a client or ask for staff
	// confirmation; optional.
	Eligibility booking.Eligibility
	// HTTP tunes the API handler.
	HTTP HTTPConfig
	// CleanupEvery is how often Run removes expired challenges, sessions and
	// rate-limit events; default 10m.
	CleanupEvery time.Duration
}

// HTTPConfig tunes Handler.
type HTTPConfig struct {
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// SecureCookies marks the session cookie Secure: set it behind HTTPS.
	SecureCookies bool
	// TrustedOrigins may send state-changing browser requests from another
	// origin, e.g. "https://app.clinic.example".
	TrustedOrigins []string
}

// Cabinet is a wired clinic cabinet.
type Cabinet struct {
	cfg     Config
	log     *slog.Logger
	auth    *auth.Service
	booking *booking.Scheduler
	handler http.Handler
}

// New checks cfg and wires the services.
func New(cfg Config) (*Cabinet, error) {
	if cfg.Store == nil {
		return nil, errors.New("cabinet: Config.Store is required")
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("cabinet: Config.Secret must be at least 32 bytes")
	}
	if cfg.Auth.Store != nil || cfg.Auth.Sender != nil || cfg.Auth.Secret != nil {
		return nil, errors.New("cabinet: Config.Auth.Store, Sender and Secret are set by the cabinet; leave them empty")
	}
	cfg.ClinicName = cmp.Or(cfg.ClinicName, "Kabinet")
	cfg.CleanupEvery = cmp.Or(cfg.CleanupEvery, 10*time.Minute)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	tpl, err := notify.NewTemplates(cfg.Templates, cfg.Auth.DefaultLocale)
	if err != nil {
		return nil, fmt.Errorf("cabinet: Config.Templates: %w", err)
	}

	ac := cfg.Auth
	ac.Store, ac.Secret, ac.Now, ac.Logger = cfg.Store, cfg.Secret, cfg.Now, log
	ac.Sender = &codeSender{sms: cfg.SMS, mail: cfg.Mail, tpl: tpl, clinic: cfg.ClinicName}
	authSvc, err := auth.New(ac)
	if err != nil {
		return nil, fmt.Errorf("cabinet: Config.Auth: %w", err)
	}
	if cfg.Booking.Store != nil {
		return nil, errors.New("cabinet: Config.Booking.Store is set by the cabinet; leave it empty")
	}
	bc := cfg.Booking
	bc.Store, bc.Now, bc.Logger = cfg.Store, cfg.Now, log
	if bc.Busy == nil {
		bc.Busy = cfg.Busy
	}
	if bc.Eligibility == nil {
		bc.Eligibility = cfg.Eligibility
	}
	sched, err := booking.New(bc)
	if err != nil {
		return nil, fmt.Errorf("cabinet: Config.Booking: %w", err)
	}
	api, err := httpapi.New(httpapi.Config{
		Services:       httpapi.Services{Auth: authSvc, Booking: sched},
		ClinicName:     cfg.ClinicName,
		Logger:         log,
		TrustedProxies: cfg.HTTP.TrustedProxies,
		SecureCookies:  cfg.HTTP.SecureCookies,
		TrustedOrigins: cfg.HTTP.TrustedOrigins,
	})
	if err != nil {
		return nil, fmt.Errorf("cabinet: %w", err)
	}
	return &Cabinet{cfg: cfg, log: log, auth: authSvc, booking: sched, handler: api}, nil
}

// Auth is the sign-in, session and permission service, for the host
// application's own code (bootstrapping an admin, checking a token).
func (c *Cabinet) Auth() *auth.Service { return c.auth }

// Booking is the schedule and appointments service, for the host
// application's own code: cab.Booking().Upcoming(ctx, clientID).
func (c *Cabinet) Booking() *booking.Scheduler { return c.booking }

// Handler serves the JSON API under /api/v1. Mount it at the cabinet's root,
// e.g. mux.Handle("/cabinet/", http.StripPrefix("/cabinet", cab.Handler())).
func (c *Cabinet) Handler() http.Handler { return c.handler }

// Ping reports whether the store answers (for health checks).
func (c *Cabinet) Ping(ctx context.Context) error { return c.cfg.Store.Ping(ctx) }

// Run does the background work until ctx ends: clean-up of expired challenges,
// sessions and rate-limit events now; dispatch and reminders as they arrive.
// It is safe to run in several processes at once. It returns nil when ctx is
// cancelled.
func (c *Cabinet) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.CleanupEvery)
	defer t.Stop()
	for {
		c.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce does one pass of the background work; tests and cron-style hosts
// call it directly. Failures are logged, and the next pass tries again.
func (c *Cabinet) RunOnce(ctx context.Context) {
	if err := c.auth.Cleanup(ctx); err != nil && ctx.Err() == nil {
		c.log.ErrorContext(ctx, "cabinet: clean-up failed", "err", err)
	}
}

// codeSender renders a sign-in code with the notify templates and hands it to
// the SMS or mail sender.
type codeSender struct {
	sms    notify.SMSSender
	mail   notify.MailSender
	tpl    *notify.Templates
	clinic string
}

var errNoSender = errors.New("cabinet: no sender configured for this channel")

func (s *codeSender) SendCode(ctx context.Context, m auth.CodeMessage) error {
	data := notify.CodeData{
		Code: m.Code, ClinicName: s.clinic, TTLMinutes: int(m.TTL.Round(time.Minute) / time.Minute),
		Locale: m.Locale, Purpose: string(m.Purpose),
	}
	switch m.Identifier.Channel {
	case auth.ChannelSMS:
		if s.sms == nil {
			return errNoSender
		}
		r, err := s.tpl.Render("code", m.Locale, notify.ChannelSMS, data)
		if err != nil {
			return err
		}
		_, err = s.sms.SendSMS(ctx, notify.SMS{To: m.Identifier.Value, Text: r.Text})
		return err
	case auth.ChannelEmail:
		if s.mail == nil {
			return errNoSender
		}
		r, err := s.tpl.Render("code", m.Locale, notify.ChannelEmail, data)
		if err != nil {
			return err
		}
		_, err = s.mail.SendMail(ctx, notify.Mail{To: m.Identifier.Value, Subject: r.Subject, Text: r.Text, HTML: r.HTML})
		return err
	}
	return fmt.Errorf("cabinet: unknown channel %q", m.Identifier.Channel)
}
