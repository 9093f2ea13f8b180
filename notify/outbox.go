package notify

import (
	"context"
	"errors"
	"time"
)

// Category groups messages by what they are about; the client chooses the
// channels of each (Settings). Its values are stable strings.
type Category string

// The categories.
const (
	// CategorySecurity: sign-in and verification codes. They are sent at
	// once by the sign-in service, on the channel of the identifier itself,
	// not through the outbox; the category exists so that clients see it is
	// not switchable. A Request in it queues nothing (it has no channels).
	CategorySecurity Category = "security"
	// CategoryAppointments: confirmations, changes and cancellations. Not
	// held back at night: they answer what the client just did, or warn of a
	// change.
	CategoryAppointments Category = "appointments"
	// CategoryReminders: reminders before a visit and care follow-ups after
	// one.
	CategoryReminders Category = "reminders"
	// CategoryOffers: personal offers. Marketing: off until the client
	// consents.
	CategoryOffers Category = "offers"
	// CategoryNewServices: news about services. Marketing, as offers.
	CategoryNewServices Category = "new_services"
	// CategoryOrders: order updates.
	CategoryOrders Category = "orders"
)

// Categories lists every category, in the order the cabinet shows them.
var Categories = []Category{CategorySecurity, CategoryAppointments, CategoryReminders,
	CategoryOffers, CategoryNewServices, CategoryOrders}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Marketing reports whether c needs the client's marketing consent.
func (c Category) Marketing() bool { return c == CategoryOffers || c == CategoryNewServices }

// Urgent reports whether c is sent even in quiet hours.
func (c Category) Urgent() bool { return c == CategorySecurity || c == CategoryAppointments }

// Status is where a queued message is in its life.
type Status string

// The statuses of a Message.
const (
	// StatusPending: waiting for DueAt, or for a dispatcher (possibly
	// leased by one right now), or for a retry.
	StatusPending Status = "pending"
	// StatusSent: a provider accepted it; ProviderID says which message.
	StatusSent Status = "sent"
	// StatusFailed: delivery was given up — a permanent failure, or the
	// last attempt failed; LastError says why.
	StatusFailed Status = "failed"
	// StatusWithdrawn: no longer to be sent — its appointment was moved or
	// cancelled, it expired, or its channel went away.
	StatusWithdrawn Status = "withdrawn"
)

// Message is one message to one recipient on one channel, as the outbox
// keeps it: rendered when queued, so what was sent is what is shown.
type Message struct {
	ID string
	// Key is unique across the outbox: queuing a message whose key exists
	// does nothing, so planning the same message twice sends it once. The
	// Notifier makes it "<request key>:<channel>".
	Key      string
	UserID   string
	Category Category
	Kind     string // the template kind, e.g. "reminder"
	Channel  Channel
	Locale   string
	// To is the phone number (SMS), the e-mail address, or the push
	// subscription's ID.
	To          string
	Subject     string // e-mail subject, push title
	Text        string
	HTML        string
	URL         string // push: the cabinet page to open
	Attachments []Attachment
	// Ref names what the message is about ("appointment:<id>"), so the
	// messages of one thing can be withdrawn together.
	Ref    string
	Status Status
	// DueAt: not sent before. ExpiresAt: not sent after (zero: never
	// expires); a message found expired is withdrawn.
	DueAt, ExpiresAt time.Time
	Attempts         int
	LastError        string // never the text, never a code
	ProviderID       string
	LeaseOwner       string
	LeaseUntil       time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	SentAt           time.Time
}

// Result is the outcome of one delivery attempt, recorded by FinishMessage.
type Result struct {
	Status     Status    // StatusSent, StatusFailed, StatusWithdrawn, or StatusPending to retry at RetryAt
	ProviderID string    // with StatusSent
	Error      string    // the failure, for staff; never the text
	RetryAt    time.Time // with StatusPending
	// To, when not empty, replaces the message's address: the one it was
	// actually sent to (the client changed their phone meanwhile).
	To string
	At time.Time
}

// MessageFilter selects messages for Messages. UserID is required.
type MessageFilter struct {
	UserID   string
	Channels []Channel // empty: all
	Statuses []Status  // empty: all
	// Before pages back: only messages created before it (with BeforeID
	// breaking ties). Zero: from the newest.
	Before   time.Time
	BeforeID string
	Limit    int // at most; the store may cap it
}

// Settings are one client's notification preferences.
type Settings struct {
	// Channels per category. A category missing from the map takes the
	// default channels; an empty list means "none". CategorySecurity is
	// ignored: codes go to the identifier they were asked for.
	Channels map[Category][]Channel
	// MarketingConsent is when and where the client agreed to offers and
	// news; nil until they do. Without it offers and news are not sent,
	// whatever Channels says.
	MarketingConsent *Consent
	// QuietStart and QuietEnd bound the quiet hours, minutes after local
	// midnight (default 21:00–09:00; equal: no quiet hours). TimeZone is the
	// client's IANA zone (default the Notifier's).
	QuietStart, QuietEnd int
	TimeZone             string
	UpdatedAt            time.Time
}

// Consent records an agreement: when, where (e.g. "cabinet", "front_desk"),
// and the version of the text agreed to.
type Consent struct {
	At      time.Time
	Source  string
	Version string
}

// Errors of the Store contract; compare with errors.Is.
var (
	// ErrNotFound: no such message, subscription or settings.
	ErrNotFound = errors.New("notify: not found")
	// ErrLeaseLost: the dispatcher's lease on a message expired and another
	// took it over; the outcome was not recorded.
	ErrLeaseLost = errors.New("notify: lease lost")
)

// Store keeps the outbox, the preferences and the push subscriptions.
// Implementations are safe for concurrent use, also across processes
// sharing one database: claims are atomic.
type Store interface {
	// EnqueueMessages inserts msgs, in one transaction. A message whose Key
	// is already in the outbox (in any status) is skipped, not an error; so
	// is a message of a marketing category (Category.Marketing) unless its
	// user exists, is not disabled and has a marketing consent when the
	// insert runs — checked in the same statement, so that a consent
	// withdrawn or an account erased between planning and queuing sends
	// nothing. It returns how many were inserted.
	EnqueueMessages(ctx context.Context, msgs []Message) (int, error)
	// ClaimMessages leases to owner, until now+lease, up to limit pending
	// messages with DueAt <= now whose lease is free or expired (LeaseUntil
	// <= now), oldest DueAt first, and returns them with LeaseOwner and
	// LeaseUntil set. Two claims never get the same message while its lease
	// runs.
	ClaimMessages(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// FinishMessage records r for message id if owner still holds its
	// lease (ErrLeaseLost otherwise; ErrNotFound for no such message):
	// StatusSent sets ProviderID and SentAt; StatusPending reschedules it at
	// RetryAt; every outcome but StatusWithdrawn counts an attempt. Error
	// becomes LastError. The lease is released.
	FinishMessage(ctx context.Context, id, owner string, r Result) error
	// ReleaseMessage gives back owner's lease on id without an attempt (a
	// dispatcher stopping), so another may claim it at once. No error when
	// the lease is already gone.
	ReleaseMessage(ctx context.Context, id, owner string) error
	// WithdrawMessages marks the pending messages with ref, and with one of
	// kinds (all kinds when empty), withdrawn at at, with reason as their
	// LastError. It returns how many. Messages leased right now are
	// withdrawn too; the dispatcher holding one then gets ErrLeaseLost.
	WithdrawMessages(ctx context.Context, ref string, kinds []string, reason string, at time.Time) (int, error)
	// Messages lists f.UserID's messages, newest first (CreatedAt, then ID).
	Messages(ctx context.Context, f MessageFilter) ([]Message, error)
	// MessageByKey returns the message with key, or ErrNotFound.
	MessageByKey(ctx context.Context, key string) (Message, error)

	// NotificationSettings returns the client's stored settings, or
	// ErrNotFound when they never saved any.
	NotificationSettings(ctx context.Context, userID string) (Settings, error)
	// SaveNotificationSettings replaces the client's settings.
	SaveNotificationSettings(ctx context.Context, userID string, s Settings) error
	// MarketingAudience returns up to limit IDs of the clients with a
	// marketing consent, in ID order, after the ID after ("" from the
	// start): a campaign pages through them.
	MarketingAudience(ctx context.Context, after string, limit int) ([]string, error)

	// SavePushSubscription stores s (s.ID set by the caller). A
	// subscription with the same Endpoint is replaced (a browser that
	// subscribed again), whoever held it.
	SavePushSubscription(ctx context.Context, s Subscription) error
	// PushSubscriptions lists the user's subscriptions, oldest first.
	PushSubscriptions(ctx context.Context, userID string) ([]Subscription, error)
	// PushSubscriptionByID returns one subscription, or ErrNotFound.
	PushSubscriptionByID(ctx context.Context, id string) (Subscription, error)
	// DeletePushSubscription removes the subscription id of userID (any
	// user's when userID is empty), or returns ErrNotFound.
	DeletePushSubscription(ctx context.Context, userID, id string) error
}
