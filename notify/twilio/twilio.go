package twilio

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/notify"
)

// DefaultBaseURL is where Twilio's REST API lives.
const DefaultBaseURL = "https://api.twilio.com"

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxAnswer bounds how much of an answer is read; a Message resource is a
// couple of kilobytes.
const maxAnswer = 64 << 10

// Config configures a Sender. Zero fields mean the documented default.
type Config struct {
	// AccountSID ("AC" and 32 hex digits) is the account that sends.
	// Required.
	AccountSID string
	// AuthToken is the account's auth token, or the API key's secret when
	// APIKeySID is set. Required. It is sent only in the Authorization
	// header and never appears in errors.
	AuthToken string
	// APIKeySID ("SK" and 32 hex digits), when set, authenticates with an
	// API key (APIKeySID:AuthToken) instead of the account's own token.
	APIKeySID string
	// From is the sender: a Twilio phone number in E.164, a short code or
	// an alphanumeric sender ID. One of From and MessagingServiceSID is
	// required; with both, Twilio sends from From, which must be in the
	// service's sender pool.
	From string
	// MessagingServiceSID ("MG" and 32 hex digits) lets Twilio pick the
	// sender from a Messaging Service.
	MessagingServiceSID string
	// BaseURL defaults to DefaultBaseURL; tests point it at a fake.
	BaseURL string
	// HTTPClient defaults to a client that does not follow redirects.
	HTTPClient *http.Client
	// Timeout bounds one request, default DefaultTimeout.
	Timeout time.Duration
}

// Sender sends SMS through Twilio Programmable Messaging. It is safe for
// concurrent use.
type Sender struct {
	user, pass          string
	from                string
	messagingServiceSID string
	messagesURL         string
	client              *http.Client
	timeout             time.Duration
}

var _ notify.SMSSender = (*Sender)(nil)

var (
	accountSID = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	apiKeySID  = regexp.MustCompile(`^SK[0-9a-fA-F]{32}$`)
	serviceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

// New checks cfg and returns a sender; a bad field fails here with an error
// naming it (never repeating a secret).
func New(cfg Config) (*Sender, error) {
	switch {
	case cfg.AccountSID == "":
		return nil, errors.New("twilio: Config.AccountSID is required")
	case !accountSID.MatchString(cfg.AccountSID):
		return nil, errors.New(`twilio: Config.AccountSID must be "AC" and 32 hex digits`)
	case cfg.AuthToken == "":
		return nil, errors.New("twilio: Config.AuthToken is required")
	case cfg.APIKeySID != "" && !apiKeySID.MatchString(cfg.APIKeySID):
		return nil, errors.New(`twilio: Config.APIKeySID must be "SK" and 32 hex digits`)
	case cfg.From == "" && cfg.MessagingServiceSID == "":
		return nil, errors.New("twilio: Config.From or Config.MessagingServiceSID is required")
	case cfg.MessagingServiceSID != "" && !serviceSID.MatchString(cfg.MessagingServiceSID):
		return nil, errors.New(`twilio: Config.MessagingServiceSID must be "MG" and 32 hex digits`)
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("twilio: Config.Timeout %s is negative", cfg.Timeout)
	}
	base := strings.TrimRight(cmp.Or(cfg.BaseURL, DefaultBaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("twilio: Config.BaseURL must be an absolute http or https URL")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{
			// A redirected POST turns into a GET without a body; take a
			// redirect as the answer (a permanent failure) instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Sender{
		user:                cmp.Or(cfg.APIKeySID, cfg.AccountSID),
		pass:                cfg.AuthToken,
		from:                cfg.From,
		messagingServiceSID: cfg.MessagingServiceSID,
		messagesURL:         base + "/2010-04-01/Accounts/" + cfg.AccountSID + "/Messages.json",
		client:              client,
		timeout:             cmp.Or(cfg.Timeout, DefaultTimeout),
	}, nil
}

// SendSMS creates a Message resource for m and returns its SID ("SM…").
//
// Any 2xx is success (Twilio answers 201 Created); the error mapping is in
// the package documentation. A To that is not E.164 or an empty Text fails
// permanently before any request. Errors carry the HTTP status and
// Twilio's error code only: never the text, the token, the recipient's
// number or Twilio's message (which repeats the number).
func (s *Sender) SendSMS(ctx context.Context, m notify.SMS) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", notify.Temporary(err)
	}
	if !notify.IsE164(m.To) {
		return "", notify.Permanent(errors.New("twilio: SMS.To is not an E.164 number"))
	}
	if m.Text == "" {
		return "", notify.Permanent(errors.New("twilio: SMS.Text is empty"))
	}
	form := url.Values{}
	form.Set("To", m.To)
	form.Set("Body", m.Text)
	if s.from != "" {
		form.Set("From", s.from)
	}
	if s.messagingServiceSID != "" {
		form.Set("MessagingServiceSid", s.messagingServiceSID)
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.messagesURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", notify.Permanent(errors.New("twilio: building the request failed"))
	}
	req.SetBasicAuth(s.user, s.pass)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := s.client.Do(req)
	if err != nil {
		return "", notify.Temporary(fmt.Errorf("twilio: %w", notify.RedactURL(err)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	// Drain the rest so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// Twilio has the message. An unreadable body only loses the SID;
		// sending again would send it twice.
		var created struct {
			SID string `json:"sid"`
		}
		_ = json.Unmarshal(body, &created)
		return created.SID, nil
	}
	var apiErr struct {
		Code int `json:"code"`
	}
	_ = json.Unmarshal(body, &apiErr) // a non-JSON error leaves Code zero
	return "", classify(&APIError{StatusCode: resp.StatusCode, Code: apiErr.Code})
}

// APIError is the cause of a failed send that Twilio answered: the HTTP
// status and, when the body was Twilio's JSON error, its error code
// (https://www.twilio.com/docs/api/errors/{Code}).
type APIError struct {
	StatusCode int
	Code       int // zero when the answer had none
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("twilio: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code == 0 {
		return s
	}
	s += fmt.Sprintf(", error %d", e.Code)
	if c, ok := codes[e.Code]; ok {
		s += " (" + c.what + ")"
	}
	return s
}

// classify wraps e as a temporary or permanent failure.
func classify(e *APIError) error {
	c, known := codes[e.Code]
	switch {
	case known && c.temporary,
		e.StatusCode == http.StatusRequestTimeout,
		e.StatusCode == http.StatusTooManyRequests,
		e.StatusCode >= 500:
		return notify.Temporary(e)
	default:
		return notify.Permanent(e)
	}
}

type codeInfo struct {
	what      string
	temporary bool
}

// codes are the Twilio error codes Create a Message is known to return
// synchronously, with a short description and whether a retry can help.
// Any other code follows the HTTP status. See the package documentation.
var codes = map[int]codeInfo{
	20003: {what: "authentication failed"},
	20429: {what: "too many requests", temporary: true},
	21211: {what: "invalid To number"},
	21408: {what: "destination region not enabled in Geo Permissions"},
	21604: {what: "To number required"},
	21606: {what: "From is not a message-capable number for this destination"},
	21608: {what: "To number not verified for this trial account"},
	21610: {what: "recipient unsubscribed with STOP"},
	21611: {what: "From has too many queued messages", temporary: true},
	21612: {what: "To number not reachable"},
	21614: {what: "To is not a mobile number"},
	21659: {what: "From is not a Twilio number, or short code country mismatch"},
	21660: {what: "From does not belong to the account"},
	21661: {what: "From is not SMS-capable"},
	30001: {what: "queue overflow", temporary: true},
}
