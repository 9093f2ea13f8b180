package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Contact is how to reach a user: their sign-in identifiers and language.
type Contact struct {
	Phone  string // E.164, or empty
	Email  string // or empty
	Locale string // "ru", "en"; empty: the templates' default
}

// Contacts looks up how to reach a user; the cabinet answers from its
// accounts. It returns ErrNotFound for an unknown user.
type Contacts interface {
	Contact(ctx context.Context, userID string) (Contact, error)
}

// ContactsFunc adapts a function to Contacts.
type ContactsFunc func(ctx context.Context, userID string) (Contact, error)

// Contact calls f.
func (f ContactsFunc) Contact(ctx context.Context, userID string) (Contact, error) {
	return f(ctx, userID)
}

// Config configures a Notifier. Zero fields take the documented default.
type Config struct {
	// Store keeps the outbox (required).
	Store Store
	// Contacts says where to send (required).
	Contacts Contacts
	// Templates renders messages; default NewTemplates(nil, "").
	Templates *Templates
	// The senders; a nil one makes its channel unavailable (messages for it
	// are not queued).
	SMS  SMSSender
	Mail MailSender
	Push PushSender

	// TimeZone is the clients' zone for quiet hours until they choose their
	// own; default "Europe/Moscow".
	TimeZone string
	// QuietStart and QuietEnd are the default quiet hours, minutes after
	// local midnight; default 21:00–09:00. NoQuietHours turns the default
	// off (clients may still set their own).
	QuietStart, QuietEnd int
	NoQuietHours         bool
	// DefaultChannels per category, for clients who never chose; default
	// DefaultChannels(). Every one of them the client can be reached on is
	// used.
	DefaultChannels map[Category][]Channel
	// SMSMaxParts is the length budget of an SMS, in parts (a Cyrillic
	// part is 67 characters when concatenated); longer texts are cut with
	// FitSMS. Default 2.
	SMSMaxParts int

	// Dispatch. Owner names this dispatcher in leases and must be unique
	// among the dispatchers sharing a store (default host name, process ID
	// and a random suffix); each claim takes up to BatchSize
	// messages (100) for Lease (2 min), sent by Workers goroutines (8), each
	// send bounded by SendTimeout (30 s). A temporary failure is retried
	// after RetryBase × 2^attempts (1 min, at most RetryMax, 6 h) with
	// jitter, up to MaxAttempts attempts (8) in all. Run polls every
	// PollEvery (5 s) while the outbox is idle.
	Owner       string
	BatchSize   int
	Lease       time.Duration
	Workers     int
	SendTimeout time.Duration
	RetryBase   time.Duration
	RetryMax    time.Duration
	MaxAttempts int
	PollEvery   time.Duration

	// Now is the clock (default time.Now); NewID makes message and
	// subscription IDs (default UUIDv7); Jitter returns a number in [0, 1)
	// (default math/rand/v2); Logger receives delivery failures (default:
	// discard).
	Now    func() time.Time
	NewID  func() string
	Jitter func() float64
	Logger *slog.Logger
}

// DefaultChannels is the channel choice of a client who never chose:
// appointments by SMS, e-mail and push; reminders by SMS and push; offers
// and orders by e-mail and push; news by e-mail. Appointments, reminders and
// orders fall back to whatever the client can be reached on when none of
// these reach them.
func DefaultChannels() map[Category][]Channel {
	return map[Category][]Channel{
		CategoryAppointments: {ChannelSMS, ChannelEmail, ChannelPush},
		CategoryReminders:    {ChannelSMS, ChannelPush},
		CategoryOffers:       {ChannelEmail, ChannelPush},
		CategoryNewServices:  {ChannelEmail},
		CategoryOrders:       {ChannelEmail, ChannelPush},
	}
}

// Notifier queues messages in the outbox as each client wants them, and
// dispatches the outbox. It is safe for concurrent use.
type Notifier struct {
	cfg Config
	log *slog.Logger
	loc *time.Location

	zonesMu sync.Mutex
	zones   map[string]*time.Location

	wake chan struct{} // nudges Run when new messages are due now
}

// New checks cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("notify: Config.Store is required")
	case cfg.Contacts == nil:
		return nil, errors.New("notify: Config.Contacts is required")
	}
	if cfg.Templates == nil {
		t, err := NewTemplates(nil, "")
		if err != nil {
			return nil, err
		}
		cfg.Templates = t
	}
	cfg.TimeZone = cmp.Or(cfg.TimeZone, "Europe/Moscow")
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("notify: Config.TimeZone: %w", err)
	}
	if cfg.QuietStart == 0 && cfg.QuietEnd == 0 && !cfg.NoQuietHours {
		cfg.QuietStart, cfg.QuietEnd = 21*60, 9*60
	}
	if !validMinute(cfg.QuietStart) || !validMinute(cfg.QuietEnd) {
		return nil, errors.New("notify: Config.QuietStart and QuietEnd must be minutes within a day")
	}
	if cfg.DefaultChannels == nil {
		cfg.DefaultChannels = DefaultChannels()
	}
	cfg.SMSMaxParts = cmp.Or(cfg.SMSMaxParts, 2)
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		cfg.Owner = fmt.Sprintf("%s-%d-%s", cmp.Or(host, "host"), os.Getpid(), uuid.NewString()[:8])
	}
	cfg.BatchSize = cmp.Or(cfg.BatchSize, 100)
	cfg.Lease = cmp.Or(cfg.Lease, 2*time.Minute)
	cfg.Workers = cmp.Or(cfg.Workers, 8)
	cfg.SendTimeout = cmp.Or(cfg.SendTimeout, 30*time.Second)
	cfg.RetryBase = cmp.Or(cfg.RetryBase, time.Minute)
	cfg.RetryMax = cmp.Or(cfg.RetryMax, 6*time.Hour)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 8)
	cfg.PollEvery = cmp.Or(cfg.PollEvery, 5*time.Second)
	if cfg.BatchSize < 0 || cfg.Lease < 0 || cfg.Workers < 0 || cfg.SendTimeout < 0 || cfg.RetryBase < 0 ||
		cfg.RetryMax < 0 || cfg.MaxAttempts < 0 || cfg.PollEvery < 0 || cfg.SMSMaxParts < 0 {
		return nil, errors.New("notify: Config sizes and durations must not be negative")
	}
	if cfg.Lease <= cfg.SendTimeout {
		return nil, errors.New("notify: Config.Lease must be longer than SendTimeout, or a slow send outlives its lease")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if cfg.Jitter == nil {
		cfg.Jitter = randFloat
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{cfg: cfg, log: log, loc: loc, zones: map[string]*time.Location{}, wake: make(chan struct{}, 1)}, nil
}

func validMinute(m int) bool { return m >= 0 && m < 24*60 }

// Request asks for one notification to one client; the Notifier makes a
// message of it per channel the client chose for its category.
type Request struct {
	UserID   string
	Category Category
	Kind     string // the template kind
	// Key identifies the notification: asking again with the same key
	// queues nothing new. For example "reminder:<appointment>:24h:<start>".
	Key string
	// Ref groups messages to withdraw together, e.g. "appointment:<id>".
	Ref  string
	Data any // the template data
	// DueAt: not before (zero: now). ExpiresAt: not after (zero: never);
	// a reminder expires when its visit starts.
	DueAt, ExpiresAt time.Time
	// Attachments go with the e-mail only (an .ics file).
	Attachments []Attachment
	// URL is the cabinet page a push notification opens.
	URL string
	// TimeZone is the zone of the client's quiet hours when they never chose
	// one themself — the zone of their branch; empty: the Notifier's.
	TimeZone string
}

// DueAware is template data that words itself for the moment it is sent:
// Notify calls AtDue with the final due time (after quiet hours), so that a
// reminder moved to the evening before says "in 12 hours", not "in 2".
type DueAware interface {
	AtDue(due time.Time) any
}

// Notify queues req's messages: one per channel the client chose for the
// category and can be reached on (one per browser for push). Marketing
// categories are skipped without the client's consent, and messages of
// categories that are not urgent are held back through the client's quiet
// hours. It returns the messages it queued (none when the client opted out
// or cannot be reached; a message whose key was queued before is not
// queued again and not returned).
func (n *Notifier) Notify(ctx context.Context, req Request) ([]Message, error) {
	msgs, err := n.prepare(ctx, req, nil)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	inserted, err := n.cfg.Store.EnqueueMessages(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if inserted == len(msgs) {
		return msgs, nil
	}
	// Some were queued before: return only the new ones.
	var fresh []Message
	for _, m := range msgs {
		if got, err := n.cfg.Store.MessageByKey(ctx, m.Key); err == nil && got.ID == m.ID {
			fresh = append(fresh, m)
		}
	}
	return fresh, nil
}

// recipient is what prepare needs to know of a client; a Batch keeps it.
type recipient struct {
	settings Settings
	tz       string // the zone the client chose; "" when they did not
	contact  Contact
	found    bool
	subs     []Subscription
	subsRead bool
}

// zone is the client's own zone, else fallback (e.g. their branch's); ""
// means the Notifier's default.
func (rc *recipient) zone(fallback string) string { return cmp.Or(rc.tz, fallback) }

// prepare renders req's messages without queuing them. With a cache (a
// Batch's), each client's settings and contact are read once.
func (n *Notifier) prepare(ctx context.Context, req Request, cache map[string]*recipient) ([]Message, error) {
	switch {
	case req.UserID == "":
		return nil, errors.New("notify: Request.UserID is required")
	case !req.Category.Valid():
		return nil, fmt.Errorf("notify: Request.Category %q is not a category", req.Category)
	case req.Kind == "":
		return nil, errors.New("notify: Request.Kind is required")
	case req.Key == "":
		return nil, errors.New("notify: Request.Key is required")
	}
	rc, err := n.recipient(ctx, req.UserID, cache)
	if err != nil || !rc.found {
		return nil, err // no such client (any more): nobody to tell
	}
	if req.Category.Marketing() {
		if rc.settings.MarketingConsent == nil {
			return nil, nil
		}
		// Withdrawing the consent withdraws by this ref: every offer and
		// piece of news carries it, whatever the caller asked for.
		req.Ref = MarketingRef(req.UserID)
	}
	now := n.cfg.Now().UTC()
	due := req.DueAt
	if due.IsZero() || due.Before(now) {
		due = now
	}
	if !req.ExpiresAt.IsZero() && !due.Before(req.ExpiresAt) {
		return nil, nil // already too late
	}
	if !req.Category.Urgent() {
		var ok bool
		if due, ok = n.afterQuietHours(rc.settings, rc.zone(req.TimeZone), due, req.ExpiresAt, now); !ok {
			return nil, nil // nowhere to fit it before it expires
		}
	}
	data := req.Data
	if d, ok := data.(DueAware); ok {
		data = d.AtDue(due)
	}

	targets, err := n.targets(ctx, req, rc)
	if err != nil {
		return nil, err
	}
	contact := rc.contact
	var msgs []Message
	for _, tg := range targets {
		r, err := n.cfg.Templates.Render(req.Kind, contact.Locale, tg.channel, data)
		if err != nil {
			// A kind without a template for this channel, or an override
			// that fails on these data: the other channels still go, and a
			// planner is not stalled by a message that can never render.
			n.log.WarnContext(ctx, "notify: a message could not be rendered; its channel is skipped",
				"kind", req.Kind, "channel", tg.channel, "err", err)
			continue
		}
		m := Message{
			ID: n.cfg.NewID(), Key: req.Key + ":" + string(tg.channel) + tg.suffix, UserID: req.UserID,
			Category: req.Category, Kind: req.Kind, Channel: tg.channel, Locale: localeOr(contact.Locale),
			To: tg.to, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Ref: req.Ref, Status: StatusPending,
			DueAt: due, ExpiresAt: req.ExpiresAt, CreatedAt: now, UpdatedAt: now,
		}
		switch tg.channel {
		case ChannelSMS:
			m.Subject, m.HTML = "", ""
			m.Text = FitSMS(m.Text, n.cfg.SMSMaxParts)
		case ChannelEmail:
			m.Attachments = req.Attachments
		case ChannelPush:
			m.URL, m.HTML = req.URL, ""
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// recipient reads a client's settings and contact, through cache if given.
func (n *Notifier) recipient(ctx context.Context, userID string, cache map[string]*recipient) (*recipient, error) {
	if rc, ok := cache[userID]; ok {
		return rc, nil
	}
	rc := &recipient{}
	contact, err := n.cfg.Contacts.Contact(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("notify: contact of the client: %w", err)
	default:
		if rc.settings, rc.tz, err = n.settings(ctx, userID); err != nil {
			return nil, err
		}
		rc.contact, rc.found = contact, true
	}
	if cache != nil {
		cache[userID] = rc
	}
	return rc, nil
}

// Batch plans many notifications together — a planner catching up on the
// event log — and queues them in few transactions: each client's settings
// and contact are read once, and the messages are written when the batch
// is flushed. A withdrawal flushes first, so that it applies to the
// messages planned before it, exactly as Notify then Withdraw would. A
// Batch is for one goroutine; nothing is queued until Flush (or Withdraw):
// plan a bounded number of requests per batch.
type Batch struct {
	n       *Notifier
	cache   map[string]*recipient
	pending []Message
}

// NewBatch starts a batch.
func (n *Notifier) NewBatch() *Batch {
	return &Batch{n: n, cache: map[string]*recipient{}}
}

// Notify plans req as Notifier.Notify does; its messages are queued at the
// next Flush (or Withdraw).
func (b *Batch) Notify(ctx context.Context, req Request) error {
	msgs, err := b.n.prepare(ctx, req, b.cache)
	if err != nil {
		return err
	}
	b.pending = append(b.pending, msgs...)
	return nil
}

// Take returns the messages planned and not yet queued, and forgets them:
// for a caller that queues them itself, together with its own write (a
// planner moving its cursor in the same transaction).
func (b *Batch) Take() []Message {
	out := b.pending
	b.pending = nil
	return out
}

// Withdraw flushes the batch, then withdraws as Notifier.Withdraw does.
func (b *Batch) Withdraw(ctx context.Context, ref, reason string, kinds ...string) (int, error) {
	if err := b.Flush(ctx); err != nil {
		return 0, err
	}
	return b.n.Withdraw(ctx, ref, reason, kinds...)
}

// Flush queues the planned messages in one transaction (messages whose key
// is queued already are skipped) and returns how many were new.
func (b *Batch) Flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	if _, err := b.n.cfg.Store.EnqueueMessages(ctx, b.pending); err != nil {
		return err
	}
	b.pending = b.pending[:0]
	return nil
}

func localeOr(l string) string { return cmp.Or(l, DefaultLocale) }

type target struct {
	channel Channel
	to      string
	suffix  string // distinguishes the keys of several push subscriptions
}

// targets resolves the channels of req's category for this client to
// addresses, in the order chosen.
func (n *Notifier) targets(ctx context.Context, req Request, rc *recipient) ([]target, error) {
	s, c := rc.settings, rc.contact
	chosen, explicit := s.Channels[req.Category]
	if !explicit {
		chosen = n.cfg.DefaultChannels[req.Category]
	}
	resolve := func(chs []Channel) ([]target, error) {
		var out []target
		for _, ch := range chs {
			switch {
			case ch == ChannelSMS && n.cfg.SMS != nil && c.Phone != "":
				out = append(out, target{channel: ch, to: c.Phone})
			case ch == ChannelEmail && n.cfg.Mail != nil && c.Email != "":
				out = append(out, target{channel: ch, to: c.Email})
			case ch == ChannelPush && n.cfg.Push != nil:
				if !rc.subsRead {
					subs, err := n.cfg.Store.PushSubscriptions(ctx, req.UserID)
					if err != nil {
						return nil, err
					}
					rc.subs, rc.subsRead = subs, true
				}
				for _, sub := range rc.subs {
					out = append(out, target{channel: ch, to: sub.ID, suffix: ":" + sub.ID})
				}
			}
		}
		return out, nil
	}
	out, err := resolve(chosen)
	if err != nil || len(out) > 0 || len(chosen) == 0 {
		return out, err // found, or the client chose "none"
	}
	// The client chose channels they cannot be reached on (no e-mail, no
	// browser subscribed). Appointments, reminders and orders matter too
	// much to drop: they go wherever the client can be reached.
	if req.Category == CategoryAppointments || req.Category == CategoryReminders || req.Category == CategoryOrders {
		return resolve([]Channel{ChannelSMS, ChannelEmail, ChannelPush})
	}
	return nil, nil
}

// afterQuietHours moves due out of the client's quiet hours, in zone (""
// for the default): to their end
// ("release it in the morning") or, when that would be after expires (a
// reminder of an early visit), to just before they began, if that is still
// ahead. ok is false when neither fits.
func (n *Notifier) afterQuietHours(s Settings, zone string, due, expires, now time.Time) (time.Time, bool) {
	start, end := s.QuietStart, s.QuietEnd
	if start == end {
		return due, true
	}
	loc := n.zone(zone)
	local := due.In(loc)
	minute := local.Hour()*60 + local.Minute()
	at := func(dayOffset, m int) time.Time {
		return time.Date(local.Year(), local.Month(), local.Day()+dayOffset, m/60, m%60, 0, 0, loc).UTC()
	}
	var began, ends time.Time
	switch {
	case start < end && minute >= start && minute < end: // e.g. 13:00–14:00
		began, ends = at(0, start), at(0, end)
	case start > end && minute >= start: // overnight, evening part
		began, ends = at(0, start), at(1, end)
	case start > end && minute < end: // overnight, morning part
		began, ends = at(-1, start), at(0, end)
	default:
		return due, true
	}
	if expires.IsZero() || ends.Before(expires) {
		return ends, true
	}
	if evening := began.Add(-time.Minute); evening.After(now) {
		return evening, true
	}
	return time.Time{}, false
}

// zone loads an IANA zone once; an unknown one is the default zone.
func (n *Notifier) zone(name string) *time.Location {
	if name == "" {
		return n.loc
	}
	n.zonesMu.Lock()
	defer n.zonesMu.Unlock()
	if loc, ok := n.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = n.loc
	}
	n.zones[name] = loc
	return loc
}

// Withdraw stops the pending messages with ref (and one of kinds; every
// kind when none is given) from being sent — a moved or cancelled visit's
// reminders. It returns how many it withdrew.
func (n *Notifier) Withdraw(ctx context.Context, ref string, reason string, kinds ...string) (int, error) {
	if ref == "" {
		return 0, errors.New("notify: Withdraw needs a ref")
	}
	return n.cfg.Store.WithdrawMessages(ctx, ref, kinds, reason, n.cfg.Now().UTC())
}

// Settings returns the client's notification settings with the defaults
// filled in: every category but security has its channels (the default
// ones where the client never chose), the quiet hours and the time zone.
func (n *Notifier) Settings(ctx context.Context, userID string) (Settings, error) {
	s, _, err := n.settings(ctx, userID)
	return s, err
}

// settings is Settings, and the zone the client chose themself ("" when the
// default fills it in).
func (n *Notifier) settings(ctx context.Context, userID string) (Settings, string, error) {
	s, err := n.cfg.Store.NotificationSettings(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		s = Settings{QuietStart: n.cfg.QuietStart, QuietEnd: n.cfg.QuietEnd}
	case err != nil:
		return Settings{}, "", err
	}
	channels := map[Category][]Channel{}
	for _, c := range Categories {
		if c == CategorySecurity {
			continue
		}
		if chs, ok := s.Channels[c]; ok {
			channels[c] = slices.Clone(chs)
		} else {
			channels[c] = slices.Clone(n.cfg.DefaultChannels[c])
		}
	}
	s.Channels = channels
	own := s.TimeZone
	s.TimeZone = cmp.Or(s.TimeZone, n.cfg.TimeZone)
	return s, own, nil
}

// SettingsChange is what a client changes in their settings; nil fields
// stay as they are.
type SettingsChange struct {
	// Channels replaces the channels of the categories it names.
	Channels map[Category][]Channel
	// Marketing gives (true) or withdraws (false) the consent to offers and
	// news, recorded with the time and ConsentSource / ConsentVersion.
	Marketing      *bool
	ConsentSource  string
	ConsentVersion string
	// QuietHours replaces the quiet hours: [start, end] in minutes after
	// local midnight; equal values turn them off.
	QuietHours *[2]int
	TimeZone   *string
}

// ValidationError names the field of a settings change that is wrong.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return "notify: " + e.Field + ": " + e.Message }

// UpdateSettings applies ch to the client's settings and returns them as
// Settings would. Errors: *ValidationError for an unknown or security
// category, an unknown or repeated channel, a quiet hour out of range or an
// unknown time zone.
func (n *Notifier) UpdateSettings(ctx context.Context, userID string, ch SettingsChange) (Settings, error) {
	cur, err := n.cfg.Store.NotificationSettings(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		cur = Settings{QuietStart: n.cfg.QuietStart, QuietEnd: n.cfg.QuietEnd}
	case err != nil:
		return Settings{}, err
	}
	next := cur
	next.Channels = maps.Clone(cur.Channels)
	if next.Channels == nil {
		next.Channels = map[Category][]Channel{}
	}
	for cat, chs := range ch.Channels {
		field := "channels." + string(cat)
		switch {
		case !cat.Valid():
			return Settings{}, &ValidationError{Field: field, Message: "is not a category"}
		case cat == CategorySecurity:
			return Settings{}, &ValidationError{Field: field, Message: "sign-in codes always go to the identifier they were asked for"}
		}
		seen := map[Channel]bool{}
		for _, c := range chs {
			if !knownChannel(c) {
				return Settings{}, &ValidationError{Field: field, Message: fmt.Sprintf("%q is not a channel", c)}
			}
			if seen[c] {
				return Settings{}, &ValidationError{Field: field, Message: fmt.Sprintf("%q is given twice", c)}
			}
			seen[c] = true
		}
		next.Channels[cat] = slices.Clone(chs)
		if next.Channels[cat] == nil {
			next.Channels[cat] = []Channel{}
		}
	}
	if q := ch.QuietHours; q != nil {
		if !validMinute(q[0]) || !validMinute(q[1]) {
			return Settings{}, &ValidationError{Field: "quiet_hours", Message: "must be times within a day"}
		}
		next.QuietStart, next.QuietEnd = q[0], q[1]
	}
	if tz := ch.TimeZone; tz != nil {
		if *tz != "" {
			if _, err := time.LoadLocation(*tz); err != nil || strings.EqualFold(*tz, "local") {
				return Settings{}, &ValidationError{Field: "time_zone", Message: "is not an IANA time zone"}
			}
		}
		next.TimeZone = *tz
	}
	now := n.cfg.Now().UTC()
	if m := ch.Marketing; m != nil {
		switch {
		case *m && cur.MarketingConsent == nil:
			next.MarketingConsent = &Consent{At: now, Source: cmp.Or(ch.ConsentSource, "cabinet"), Version: ch.ConsentVersion}
		case !*m:
			next.MarketingConsent = nil
		}
	}
	next.UpdatedAt = now
	if err := n.cfg.Store.SaveNotificationSettings(ctx, userID, next); err != nil {
		return Settings{}, err
	}
	if ch.Marketing != nil && !*ch.Marketing && cur.MarketingConsent != nil {
		// Consent withdrawn: offers and news already queued must not go out.
		if err := n.withdrawMarketing(ctx, userID); err != nil {
			return Settings{}, err
		}
	}
	return n.Settings(ctx, userID)
}

// withdrawMarketing withdraws the client's pending offers and news.
func (n *Notifier) withdrawMarketing(ctx context.Context, userID string) error {
	_, err := n.cfg.Store.WithdrawMessages(ctx, MarketingRef(userID), nil, "marketing consent withdrawn", n.cfg.Now().UTC())
	return err
}

// MarketingRef is the Ref that offers and news to a client must carry, so
// that withdrawing the consent withdraws them.
func MarketingRef(userID string) string { return "marketing:" + userID }

// Inbox lists the client's messages, newest first: what was sent, when and
// on which channel, and what is still to come. before and beforeID page
// back (zero: from the newest); limit is capped at 200.
func (n *Notifier) Inbox(ctx context.Context, userID string, before time.Time, beforeID string, limit int) ([]Message, error) {
	return n.cfg.Store.Messages(ctx, MessageFilter{UserID: userID, Before: before, BeforeID: beforeID, Limit: min(cmp.Or(limit, 50), 200)})
}

// Subscribe registers a browser's push subscription for the client. An
// endpoint that is already registered (the browser subscribed again) is
// moved to this client.
func (n *Notifier) Subscribe(ctx context.Context, userID string, s Subscription) (Subscription, error) {
	switch {
	case !strings.HasPrefix(s.Endpoint, "https://") || len(s.Endpoint) > 2048:
		return Subscription{}, &ValidationError{Field: "endpoint", Message: "must be an https URL of at most 2048 characters"}
	case s.P256dh == "" || len(s.P256dh) > 200:
		return Subscription{}, &ValidationError{Field: "keys.p256dh", Message: "is required"}
	case s.Auth == "" || len(s.Auth) > 100:
		return Subscription{}, &ValidationError{Field: "keys.auth", Message: "is required"}
	}
	s.ID, s.UserID, s.CreatedAt = n.cfg.NewID(), userID, n.cfg.Now().UTC()
	if len(s.UserAgent) > 300 {
		s.UserAgent = s.UserAgent[:300]
	}
	if err := n.cfg.Store.SavePushSubscription(ctx, s); err != nil {
		return Subscription{}, err
	}
	return s, nil
}

// Unsubscribe removes one of the client's push subscriptions (ErrNotFound
// for another client's).
func (n *Notifier) Unsubscribe(ctx context.Context, userID, id string) error {
	return n.cfg.Store.DeletePushSubscription(ctx, userID, id)
}

// Subscriptions lists the client's push subscriptions.
func (n *Notifier) Subscriptions(ctx context.Context, userID string) ([]Subscription, error) {
	return n.cfg.Store.PushSubscriptions(ctx, userID)
}

// Owner is the name this Notifier's dispatcher leases messages under.
func (n *Notifier) Owner() string { return n.cfg.Owner }

// formatMinutes writes minutes after midnight as "21:00".
func formatMinutes(m int) string {
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// FormatQuietHours writes quiet hours as "21:00–09:00", or "" when off.
func FormatQuietHours(start, end int) string {
	if start == end {
		return ""
	}
	return formatMinutes(start) + "–" + formatMinutes(end)
}

// ParseClock reads "HH:MM" as minutes after midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("notify: %q is not HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("notify: %q is not HH:MM", s)
	}
	return hh*60 + mm, nil
}
