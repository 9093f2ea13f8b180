package notify

import (
	"context"
	"errors"
)

// Channel names a delivery channel. It is stored with queued messages and
// used to pick templates, so its values are stable strings.
type Channel string

// The channels Kabinet knows about. Only SMS and e-mail have senders today;
// push is reserved for a later adapter.
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
// A nil error means the provider accepted the message. Every non-nil error
// matches exactly one of ErrPermanent (do not retry: bad number, rejected)
// or ErrTemporary (retry later: timeout, 5xx, 429, cancelled context), as
// tested with errors.Is. Errors never contain the message text.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) error
}

// MailSender delivers one e-mail.
//
// A nil error means the server accepted the message. Every non-nil error
// matches exactly one of ErrPermanent (do not retry: bad address, 5xx
// reply) or ErrTemporary (retry later: connection failure, 4xx reply,
// cancelled context), as tested with errors.Is. Errors never contain the
// message body.
type MailSender interface {
	SendMail(ctx context.Context, m Mail) error
}

// Sentinel outcomes of a failed delivery. Senders return a *SendError that
// matches one of them; compare with errors.Is.
var (
	ErrPermanent = errors.New("notify: permanent delivery failure")
	ErrTemporary = errors.New("notify: temporary delivery failure")
)

// SendError is the error every sender in this package returns when delivery
// fails. errors.Is(err, ErrPermanent) is true when Permanent is set, and
// errors.Is(err, ErrTemporary) otherwise; Err is the cause (it may itself
// be a context error, so errors.Is(err, context.Canceled) works too).
type SendError struct {
	Permanent bool
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
		return e.Permanent
	case ErrTemporary:
		return !e.Permanent
	}
	return false
}

func permanent(err error) error { return &SendError{Permanent: true, Err: err} }
func temporary(err error) error { return &SendError{Permanent: false, Err: err} }

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

// Kinds of message this package has templates for.
const (
	// KindCode is the one-time code template; its data is CodeData.
	KindCode = "code"
)

// Values of CodeData.Purpose.
const (
	PurposeSignIn        = "sign_in"
	PurposeAddIdentifier = "add_identifier"
)
