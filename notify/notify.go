package notify

import (
	"context"
	"errors"
	"time"
)

// Channel names a delivery channel. It is stored with queued messages and
// used to pick templates, so its values are stable strings.
type Channel string

// The channels Kabinet knows about.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
	ChannelPush  Channel = "push"
)

// SMS is one text message to a phone number in E.164 (for example
// "+79123456789"). Normalising the number is the caller's job.
type SMS struct {
	To   string
	Text string
}

// Mail is one e-mail: a text part and an optional HTML alternative, plus
// attachments. To is a single address, bare ("a@b.example") or with a
// display name ("Anna <a@b.example>").
type Mail struct {
	To          string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Attachment is a file attached to a Mail. ContentType defaults to
// "application/octet-stream" when empty.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// SMSSender delivers one SMS.
//
// A nil error means the provider accepted the message; id is the
// provider's ID of it (empty when the provider gives none), kept with the
// message for support and reconciliation. Every non-nil error
// matches exactly one of ErrPermanent (do not retry: bad number, rejected)
// or ErrTemporary (retry later: timeout, 5xx, 429, cancelled context), as
// tested with errors.Is. Errors never contain the message text.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) (id string, err error)
}

// MailSender delivers one e-mail.
//
// A nil error means the server accepted the message; id is its Message-ID
// (or the provider's ID; empty when unknown). Every non-nil error
// matches exactly one of ErrPermanent (do not retry: bad address, 5xx
// reply) or ErrTemporary (retry later: connection failure, 4xx reply,
// cancelled context), as tested with errors.Is. Errors never contain the
// message body.
type MailSender interface {
	SendMail(ctx context.Context, m Mail) (id string, err error)
}

// Subscription is one browser's Web Push subscription (the PushSubscription
// of the Push API): where to send, and the keys to encrypt for it.
type Subscription struct {
	ID        string // assigned by the store
	UserID    string
	Endpoint  string // the push service URL, https
	P256dh    string // the browser's public key, base64url
	Auth      string // the auth secret, base64url
	UserAgent string // for the client's list of devices
	CreatedAt time.Time
}

// Push is one Web Push notification: a short title and body, and the page
// of the cabinet to open when it is clicked.
type Push struct {
	Subscription Subscription
	Title        string
	Body         string
	URL          string        // relative to the cabinet, e.g. "/appointments/…"; may be empty
	TTL          time.Duration // how long the push service keeps it for an offline browser
	Urgency      string        // "very-low", "low", "normal" (default) or "high"
	Topic        string        // a newer push with the same topic replaces an undelivered one
}

// PushSender delivers one push notification.
//
// A nil error means the push service accepted it; id is the service's
// Location of it, when given. Every non-nil error matches ErrPermanent or
// ErrTemporary as for SMSSender; a subscription the push service reports
// gone (404 or 410) also matches ErrGone, and the caller deletes it.
type PushSender interface {
	SendPush(ctx context.Context, p Push) (id string, err error)
}

// Sentinel outcomes of a failed delivery. Senders return a *SendError that
// matches one of them; compare with errors.Is.
var (
	ErrPermanent = errors.New("notify: permanent delivery failure")
	ErrTemporary = errors.New("notify: temporary delivery failure")
	// ErrGone: the push subscription no longer exists (the browser
	// unsubscribed or the push service expired it). It is permanent too.
	ErrGone = errors.New("notify: push subscription gone")
)

// SendError is the error every sender in this package returns when delivery
// fails. errors.Is(err, ErrPermanent) is true when Permanent is set, and
// errors.Is(err, ErrTemporary) otherwise; Err is the cause (it may itself
// be a context error, so errors.Is(err, context.Canceled) works too).
type SendError struct {
	Permanent bool
	Gone      bool // a push subscription that no longer exists; implies Permanent
	Err       error
}

func (e *SendError) Error() string {
	prefix := ErrTemporary.Error()
	if e.Permanent {
		prefix = ErrPermanent.Error()
	}
	if e.Err == nil {
		return prefix
	}
	return prefix + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel for this failure's kind.
func (e *SendError) Is(target error) bool {
	switch target {
	case ErrPermanent:
		return e.Permanent || e.Gone
	case ErrTemporary:
		return !e.Permanent && !e.Gone
	case ErrGone:
		return e.Gone
	}
	return false
}

func permanent(err error) error { return &SendError{Permanent: true, Err: err} }
func temporary(err error) error { return &SendError{Permanent: false, Err: err} }

// Permanent wraps err as a permanent delivery failure, for senders outside
// this package (provider adapters).
func Permanent(err error) error { return permanent(err) }

// Temporary wraps err as a temporary delivery failure (retry later).
func Temporary(err error) error { return temporary(err) }

// Gone wraps err as a push subscription that no longer exists.
func Gone(err error) error { return &SendError{Permanent: true, Gone: true, Err: err} }

// CodeData is the data of the "code" template: a sign-in or verification
// one-time code.
type CodeData struct {
	Code       string
	ClinicName string
	TTLMinutes int
	Locale     string
	// Purpose is PurposeSignIn or PurposeAddIdentifier; anything else reads
	// as sign-in.
	Purpose string
}

// Values of CodeData.Purpose.
const (
	PurposeSignIn        = "sign_in"
	PurposeAddIdentifier = "add_identifier"
)
