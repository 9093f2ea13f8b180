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
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/cabinet/httpapi"
	"github.com/kabinet-dev/kabinet/cabinet/web"
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
	// SMS and Mail also deliver the other messages (confirmations,
	// reminders…), through the outbox. Push delivers Web Push notifications
	// (e.g. notify/webpush); nil: no push channel. VAPIDPublicKey is handed
	// to browsers that subscribe (webpush.Sender.PublicKey()).
	Push           notify.PushSender
	VAPIDPublicKey string
	// PublicURL is where clients open the cabinet, e.g.
	// "https://clinic.example/cabinet", for links in messages; empty: no
	// links.
	PublicURL string
	// Notify tunes messages: default channels, quiet hours, time zone,
	// retries. Its Store, Contacts, Templates, senders, Now and Logger are
	// set by New and must be left empty.
	Notify notify.Config
	// Reminders are sent this long before each confirmed visit; default
	// DefaultReminders (24 h and 2 h). A non-nil empty slice sends none.
	Reminders []time.Duration
	// Aftercare lists the care follow-ups after a completed visit, by
	// service ID or by "category:<service category>" (the ID wins).
	Aftercare map[string][]FollowUp
	// Blobs keeps the bytes of photos, e.g. card.NewDiskBlobs(dir); nil:
	// photo uploads answer 503.
	Blobs card.BlobStore
	// Card tunes the client's card (photo size and pixel caps, processing
	// slots); its Store, Booking, Blobs, Audit, Now and Logger are set by
	// New and must be left empty.
	Card card.Config
	// NameProceduresInMessages puts the procedure's name into e-mails and
	// their calendar files. Off by default: which procedure a client has is
	// health data, and a mailbox (or a lock screen) is not the cabinet —
	// messages say when and where, and the cabinet says what. SMS and push
	// never name it.
	NameProceduresInMessages bool
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
	// confirmation; optional. It is asked first; then the cabinet's own
	// check refuses a service whose contraindications (its tags, and the
	// recommendation engine's safety exclusions) the client's
	// questionnaire lists.
	Eligibility booking.Eligibility
	// HTTP tunes the API handler.
	HTTP HTTPConfig
	// Web, when set, adds the web cabinet — the clients' and staff's pages
	// in the browser — to Handler, beside the API: everything outside
	// /api/ is a page or its assets. Nil: Handler serves the API alone.
	// Its ClinicName defaults to Config.ClinicName, its Logger to
	// Config.Logger.
	Web *web.Config
	// CleanupEvery is how often Run removes expired challenges, sessions and
	// rate-limit events; default 10m.
	CleanupEvery time.Duration
	// PlanEvery is how often Run reads new events to plan their messages;
	// default 1s.
	PlanEvery time.Duration
	// CampaignEvery is how often Run gives personal offers and announces
	// them and new services (Campaign); default 1h. Negative: never (a
	// host that calls Campaign itself).
	CampaignEvery time.Duration
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
	card     *card.Service
	cfg      Config
	log      *slog.Logger
	auth     *auth.Service
	booking  *booking.Scheduler
	notifier *notify.Notifier
	planner  *planner
	handler  http.Handler
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
	cfg.PlanEvery = cmp.Or(cfg.PlanEvery, time.Second)
	cfg.CampaignEvery = cmp.Or(cfg.CampaignEvery, time.Hour)
	if cfg.Reminders == nil {
		cfg.Reminders = DefaultReminders
	}
	for _, r := range cfg.Reminders {
		if r <= 0 {
			return nil, errors.New("cabinet: Config.Reminders must be positive durations")
		}
	}
	for key, steps := range cfg.Aftercare {
		for _, st := range steps {
			if st.After <= 0 || st.Kind == "" {
				return nil, fmt.Errorf("cabinet: Config.Aftercare[%q]: each follow-up needs a positive After and a Kind", key)
			}
		}
	}
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
	elig := &eligibility{host: bc.Eligibility}
	bc.Eligibility = elig
	sched, err := booking.New(bc)
	if err != nil {
		return nil, fmt.Errorf("cabinet: Config.Booking: %w", err)
	}
	nc := cfg.Notify
	if nc.Store != nil || nc.Contacts != nil || nc.Templates != nil || nc.SMS != nil || nc.Mail != nil || nc.Push != nil {
		return nil, errors.New("cabinet: Config.Notify.Store, Contacts, Templates and the senders are set by the cabinet; leave them empty")
	}
	nc.Store, nc.Templates, nc.SMS, nc.Mail, nc.Push = cfg.Store, tpl, cfg.SMS, cfg.Mail, cfg.Push
	nc.Contacts = storeContacts{cfg.Store}
	nc.Now, nc.Logger = cfg.Now, log
	notifier, err := notify.New(nc)
	if err != nil {
		return nil, fmt.Errorf("cabinet: Config.Notify: %w", err)
	}
	for _, steps := range cfg.Aftercare {
		for _, st := range steps {
			if !tpl.HasKind(st.Kind) {
				return nil, fmt.Errorf("cabinet: Config.Aftercare: no templates for kind %q", st.Kind)
			}
		}
	}
	pl := &planner{
		store: cfg.Store, sched: sched, notifier: notifier, clinic: cfg.ClinicName,
		publicURL: strings.TrimRight(cfg.PublicURL, "/"), domain: hostOf(cfg.PublicURL),
		reminders: cfg.Reminders, aftercare: cfg.Aftercare, now: cfg.Now, log: log,
		namesInMessages: cfg.NameProceduresInMessages, owner: "instance-" + uuid.NewString(),
	}
	cc := cfg.Card
	if cc.Store != nil || cc.Booking != nil || cc.Blobs != nil || cc.Audit != nil || cc.OnMarketingConsent != nil {
		return nil, errors.New("cabinet: Config.Card.Store, Booking, Blobs, Audit and OnMarketingConsent are set by the cabinet; leave them empty")
	}
	cc.Store, cc.Booking, cc.Blobs, cc.Audit, cc.Now, cc.Logger = cfg.Store, sched, cfg.Blobs, authSvc.Audit, cfg.Now, log
	// A marketing consent given or withdrawn in the card turns offers and
	// news on or off (and withdraws those not yet sent).
	cc.OnMarketingConsent = func(ctx context.Context, userID string, granted bool, source, version string) error {
		_, err := notifier.UpdateSettings(ctx, userID, notify.SettingsChange{Marketing: &granted, ConsentSource: source, ConsentVersion: version})
		return err
	}
	cardSvc, err := card.New(cc)
	if err != nil {
		return nil, fmt.Errorf("cabinet: Config.Card: %w", err)
	}
	elig.card = cardSvc
	// The channels offered to clients are those the clinic can deliver on.
	channels := []notify.Channel{}
	if cfg.SMS != nil {
		channels = append(channels, notify.ChannelSMS)
	}
	if cfg.Mail != nil {
		channels = append(channels, notify.ChannelEmail)
	}
	if cfg.Push != nil && cfg.VAPIDPublicKey != "" {
		channels = append(channels, notify.ChannelPush)
	}
	api, err := httpapi.New(httpapi.Config{
		Services:       httpapi.Services{Auth: authSvc, Booking: sched, Notify: notifier, Card: cardSvc},
		VAPIDPublicKey: cfg.VAPIDPublicKey,
		Channels:       channels,
		ClinicName:     cfg.ClinicName,
		Logger:         log,
		TrustedProxies: cfg.HTTP.TrustedProxies,
		SecureCookies:  cfg.HTTP.SecureCookies,
		TrustedOrigins: cfg.HTTP.TrustedOrigins,
	})
	if err != nil {
		return nil, fmt.Errorf("cabinet: %w", err)
	}
	handler := api
	if cfg.Web != nil {
		wc := *cfg.Web
		wc.ClinicName = cmp.Or(wc.ClinicName, cfg.ClinicName)
		if wc.Logger == nil {
			wc.Logger = log
		}
		pages, err := web.Handler(wc)
		if err != nil {
			return nil, fmt.Errorf("cabinet: Config.Web: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/api/", api)
		mux.Handle("/", pages)
		handler = mux
	}
	return &Cabinet{card: cardSvc, cfg: cfg, log: log, auth: authSvc, booking: sched, notifier: notifier, planner: pl, handler: handler}, nil
}

// Auth is the sign-in, session and permission service, for the host
// application's own code (bootstrapping an admin, checking a token).
func (c *Cabinet) Auth() *auth.Service { return c.auth }

// Booking is the schedule and appointments service, for the host
// application's own code: cab.Booking().Upcoming(ctx, clientID).
func (c *Cabinet) Booking() *booking.Scheduler { return c.booking }

// Card is the client's card — questionnaire, consents, photos, journal,
// visits, orders — for the host application's own code.
func (c *Cabinet) Card() *card.Service { return c.card }

// Notify is the notification service, for the host application's own
// messages: cab.Notify().Notify(ctx, notify.Request{…}).
func (c *Cabinet) Notify() *notify.Notifier { return c.notifier }

// Handler serves the JSON API under /api/v1 and, with Config.Web, the web
// cabinet's pages everywhere else. Mount it at the cabinet's root, e.g.
// mux.Handle("/cabinet/", http.StripPrefix("/cabinet", cab.Handler())).
func (c *Cabinet) Handler() http.Handler { return c.handler }

// Ping reports whether the store answers (for health checks).
func (c *Cabinet) Ping(ctx context.Context) error { return c.cfg.Store.Ping(ctx) }

// Run does the background work until ctx ends: planning the messages of new
// bookings, changes and visits from the event log (every PlanEvery),
// dispatching the outbox (at once when there is something due, else every
// Config.Notify.PollEvery), and removing expired challenges, sessions and
// rate-limit events and the photo files of erased clients (every
// CleanupEvery), and the offer and news campaigns (every CampaignEvery). It
// is safe to run in several
// processes at once: messages are claimed with leases and planned under
// unique keys. It returns nil when ctx is cancelled, after its work stopped.
func (c *Cabinet) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.notifier.Run(ctx) })
	wg.Go(func() { c.every(ctx, c.cfg.PlanEvery, c.plan) })
	wg.Go(func() { c.every(ctx, c.cfg.CleanupEvery, c.cleanup) })
	if c.cfg.CampaignEvery > 0 {
		wg.Go(func() { c.every(ctx, c.cfg.CampaignEvery, c.campaign) })
	}
	wg.Wait()
	return nil
}

// every calls f now and then every d until ctx ends.
func (c *Cabinet) every(ctx context.Context, d time.Duration, f func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce does one pass of the background work — clean-up, planning, the
// campaigns (unless CampaignEvery is negative), one dispatch batch — in
// that order; tests and cron-style hosts call it directly. Failures are
// logged, and the next pass tries again.
func (c *Cabinet) RunOnce(ctx context.Context) {
	c.cleanup(ctx)
	c.plan(ctx)
	if c.cfg.CampaignEvery > 0 {
		c.campaign(ctx)
	}
	if _, err := c.notifier.DispatchOnce(ctx); err != nil && ctx.Err() == nil {
		c.log.ErrorContext(ctx, "cabinet: dispatch failed", "err", err)
	}
}

// Leases of the background work, and how long each may run before another
// process may take over (a process that dies holding one). Planning renews
// its lease before each batch.
const (
	planLease     = 2 * time.Minute
	cleanupLease  = 10 * time.Minute
	campaignLease = 30 * time.Minute
)

// leased runs f if this process gets the lease name (another process
// doing the same work meanwhile keeps it), then gives the lease back.
func (c *Cabinet) leased(ctx context.Context, name string, ttl time.Duration, f func(context.Context)) {
	owner := c.turn()
	held, err := c.cfg.Store.TakeLease(ctx, name, owner, c.cfg.Now().UTC(), ttl)
	if err != nil {
		if ctx.Err() == nil {
			c.log.ErrorContext(ctx, "cabinet: taking a lease failed", "lease", name, "err", err)
		}
		return
	}
	if !held {
		return // another process is at it
	}
	defer c.release(ctx, name, owner)
	f(ctx)
}

func (c *Cabinet) cleanup(ctx context.Context) {
	c.leased(ctx, "cleanup", cleanupLease, c.cleanupNow)
}

func (c *Cabinet) cleanupNow(ctx context.Context) {
	if err := c.auth.Cleanup(ctx); err != nil && ctx.Err() == nil {
		c.log.ErrorContext(ctx, "cabinet: clean-up failed", "err", err)
	}
	// Photo files of erased clients whose deletion failed are retried here.
	if _, err := c.card.PurgeErasedBlobs(ctx); err != nil && ctx.Err() == nil {
		c.log.ErrorContext(ctx, "cabinet: deleting erased clients' photo files failed", "err", err)
	}
}

// plan plans every new event, batch after batch, and wakes the dispatcher
// when it queued something.
func (c *Cabinet) plan(ctx context.Context) {
	if _, err := c.Plan(ctx); err != nil && ctx.Err() == nil {
		c.log.ErrorContext(ctx, "cabinet: planning messages failed", "err", err)
	}
}

// Plan reads the event log from where planning stopped and queues the
// messages of every new event — confirmations, changes, cancellations,
// reminders, care follow-ups — and returns how many events it planned. Run
// calls it every PlanEvery; a host that runs its own scheduler may call it
// (and DispatchOnce of Notify) instead.
//
// Each stream of the log is planned by one process at a time, whichever
// holds its lease (Store.TakeLease, named after the consumer); a process
// that does not get it plans nothing of that stream this time. The cursor
// moves only under the lease (EnqueueAndAdvance is fenced), so two
// processes never plan one event — which matters: planning a move twice
// would withdraw the reminders the first planning queued.
func (c *Cabinet) Plan(ctx context.Context) (int, error) {
	total := 0
	streams := []struct {
		consumer string
		once     func(context.Context, string) (int, error)
	}{{bookingConsumer, c.planner.runOnce}, {ordersConsumer, c.planner.runOrdersOnce}}
	for _, stream := range streams {
		owner := c.turn() // this pass's: another Plan in this process is another owner
		held := false
		for {
			// Taken, or renewed, before each batch.
			var err error
			if held, err = c.cfg.Store.TakeLease(ctx, stream.consumer, owner, c.cfg.Now().UTC(), planLease); err != nil {
				return total, err
			}
			if !held {
				break // another process plans this stream
			}
			n, err := stream.once(ctx, owner)
			total += n
			if n > 0 {
				c.notifier.Wake()
			}
			if err != nil {
				c.release(ctx, stream.consumer, owner)
				return total, err
			}
			if n < plannerBatch {
				break
			}
		}
		if held {
			c.release(ctx, stream.consumer, owner)
		}
	}
	return total, nil
}

// turn names one pass of background work on leases: the process's random
// name and the pass's number, so that two passes in one process (Run's and
// a host's call) take turns like two processes.
func (c *Cabinet) turn() string {
	return c.planner.owner + "/" + strconv.FormatInt(c.planner.turns.Add(1), 10)
}

// release gives a lease back, so that any process may take the next turn.
func (c *Cabinet) release(ctx context.Context, name, owner string) {
	if err := c.cfg.Store.ReleaseLease(context.WithoutCancel(ctx), name, owner); err != nil {
		c.log.ErrorContext(ctx, "cabinet: releasing a lease failed", "lease", name, "err", err)
	}
}

// storeContacts answers notify's contact look-ups from the accounts.
type storeContacts struct{ store Store }

func (s storeContacts) Contact(ctx context.Context, userID string) (notify.Contact, error) {
	u, err := s.store.UserByID(ctx, userID)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && u.Disabled) {
		return notify.Contact{}, notify.ErrNotFound
	} else if err != nil {
		return notify.Contact{}, err
	}
	locale := u.Locale
	if l := profileLocale(ctx, s.store, userID); l != "" {
		locale = l // chosen in the questionnaire
	}
	return notify.Contact{Phone: u.Phone, Email: u.Email, Locale: locale}, nil
}

// hostOf is the host of a URL, or "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
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
