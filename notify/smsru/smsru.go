package smsru

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/notify"
)

// DefaultBaseURL is where the SMS.ru API lives.
const DefaultBaseURL = "https://sms.ru"

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxAnswer bounds how much of an answer is read; a send answer for one
// number is a few hundred bytes.
const maxAnswer = 64 << 10

// Config configures a Sender. Zero fields mean the documented default.
type Config struct {
	// APIKey is the account's api_id. Required. It travels in the POST
	// body, never in the URL, and never appears in errors.
	APIKey string
	// From is the sender name ("from"), approved in the SMS.ru account.
	// Empty means the account's default sender.
	From string
	// Test asks SMS.ru to check the request without sending or charging
	// ("test=1"). The answer still carries an sms_id.
	Test bool
	// BaseURL defaults to DefaultBaseURL; tests point it at a fake.
	BaseURL string
	// HTTPClient defaults to a client that does not follow redirects.
	HTTPClient *http.Client
	// Timeout bounds one request, default DefaultTimeout.
	Timeout time.Duration
}

// Sender sends SMS through SMS.ru. It is safe for concurrent use.
type Sender struct {
	apiKey  string
	from    string
	test    bool
	sendURL string
	client  *http.Client
	timeout time.Duration
}

var _ notify.SMSSender = (*Sender)(nil)

// New checks cfg and returns a sender; a bad field fails here with an error
// naming it.
func New(cfg Config) (*Sender, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("smsru: Config.APIKey is required")
	}
	base := strings.TrimRight(cmp.Or(cfg.BaseURL, DefaultBaseURL), "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("smsru: Config.BaseURL must be an absolute http or https URL")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("smsru: Config.Timeout %s is negative", cfg.Timeout)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{
			// A redirected POST turns into a GET without a body (SMS.ru
			// answers 210 to a GET); take a redirect as the answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Sender{
		apiKey:  cfg.APIKey,
		from:    cfg.From,
		test:    cfg.Test,
		sendURL: base + "/sms/send",
		client:  client,
		timeout: cmp.Or(cfg.Timeout, DefaultTimeout),
	}, nil
}

// SendSMS posts m to sms/send and returns the message's sms_id.
//
// The error mapping is in the package documentation. A To that is not
// E.164 or an empty Text fails permanently before any request. Errors carry
// SMS.ru's status code or the HTTP status, never the text, the API key, the
// recipient's number or the answer's status_text.
func (s *Sender) SendSMS(ctx context.Context, m notify.SMS) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", notify.Temporary(err)
	}
	if !notify.IsE164(m.To) {
		return "", notify.Permanent(errors.New("smsru: SMS.To is not an E.164 number"))
	}
	if m.Text == "" {
		return "", notify.Permanent(errors.New("smsru: SMS.Text is empty"))
	}
	to := strings.TrimPrefix(m.To, "+") // SMS.ru takes digits only

	form := url.Values{}
	form.Set("api_id", s.apiKey)
	form.Set("to", to)
	form.Set("msg", m.Text)
	form.Set("json", "1")
	if s.from != "" {
		form.Set("from", s.from)
	}
	if s.test {
		form.Set("test", "1")
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.sendURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", notify.Permanent(errors.New("smsru: building the request failed"))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := s.client.Do(req)
	if err != nil {
		return "", notify.Temporary(fmt.Errorf("smsru: %w", notify.RedactURL(err)))
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	// Drain the rest so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))

	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return "", notify.Temporary(&HTTPStatusError{StatusCode: code})
	default:
		return "", notify.Permanent(&HTTPStatusError{StatusCode: code})
	}
	if readErr != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", notify.Temporary(fmt.Errorf("smsru: reading the answer: %w", ctxErr))
		}
		return "", notify.Temporary(errors.New("smsru: reading the answer failed"))
	}
	return parseAnswer(body, to)
}

// answer is the JSON of sms/send with json=1.
type answer struct {
	Status     string                `json:"status"`
	StatusCode int                   `json:"status_code"`
	SMS        map[string]smsOutcome `json:"sms"`
}

// smsOutcome is one recipient's part of the answer.
type smsOutcome struct {
	Status     string          `json:"status"`
	StatusCode int             `json:"status_code"`
	SMSID      json.RawMessage `json:"sms_id"`
}

// parseAnswer turns the answer for one recipient (digits, as sent) into an
// ID or a classified error.
func parseAnswer(body []byte, to string) (string, error) {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil || a.Status == "" || a.StatusCode == 0 {
		// A proxy's HTML page, a truncated answer: nothing says whether the
		// message left, and SMS.ru never answers like this on purpose.
		return "", notify.Temporary(ErrMalformedAnswer)
	}
	if a.Status != "OK" || a.StatusCode != StatusOK {
		return "", classify(a.StatusCode)
	}
	out, ok := a.SMS[to]
	if !ok && len(a.SMS) == 1 {
		for _, only := range a.SMS { // SMS.ru may normalise the key
			out, ok = only, true
		}
	}
	if !ok || out.StatusCode == 0 {
		return "", notify.Temporary(ErrMalformedAnswer)
	}
	if out.Status != "OK" || out.StatusCode != StatusOK {
		return "", classify(out.StatusCode)
	}
	return rawID(out.SMSID), nil
}

// rawID reads sms_id, documented as a string ("000000-10000000"), taking a
// bare number too.
func rawID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// ErrMalformedAnswer is the cause when SMS.ru's answer cannot be read as a
// send result for the recipient. It is wrapped as temporary.
var ErrMalformedAnswer = errors.New("smsru: malformed answer")

// StatusOK is SMS.ru's status_code for an accepted request or message.
const StatusOK = 100

// StatusError is the cause of a failed send that SMS.ru answered with a
// status_code other than 100, at the top level or for the recipient.
type StatusError struct {
	Code int
}

func (e *StatusError) Error() string {
	if c, ok := codes[e.Code]; ok {
		return fmt.Sprintf("smsru: status %d (%s)", e.Code, c.what)
	}
	return fmt.Sprintf("smsru: status %d", e.Code)
}

// classify wraps code as a temporary or permanent failure.
func classify(code int) error {
	e := &StatusError{Code: code}
	if c, ok := codes[code]; ok && c.temporary {
		return notify.Temporary(e)
	}
	return notify.Permanent(e)
}

type codeInfo struct {
	what      string
	temporary bool
}

// codes are SMS.ru's error status codes for sms/send, with a short English
// description (never SMS.ru's own status_text) and whether a retry can
// help. Unknown codes are permanent. See the package documentation.
var codes = map[int]codeInfo{
	200: {what: "wrong api_id"},
	201: {what: "insufficient funds", temporary: true},
	202: {what: "wrong recipient number or no route"},
	203: {what: "no message text"},
	204: {what: "sender name not approved"},
	205: {what: "message too long"},
	206: {what: "daily sending limit of the account reached", temporary: true},
	207: {what: "sending to this number is not allowed"},
	208: {what: "wrong time parameter"},
	209: {what: "number is in the account's stop list"},
	210: {what: "GET used instead of POST"},
	211: {what: "method not found"},
	212: {what: "text not in UTF-8"},
	213: {what: "too many recipients"},
	214: {what: "number abroad, account sends to Russian numbers only"},
	215: {what: "number is in SMS.ru's stop list"},
	216: {what: "forbidden word in the text"},
	217: {what: "credit advertisement without the required phrase"},
	220: {what: "service temporarily unavailable", temporary: true},
	221: {what: "a letter sender name is required"},
	230: {what: "daily message limit to this number reached", temporary: true},
	231: {what: "identical messages to this number per minute limit reached", temporary: true},
	232: {what: "identical messages to this number per day limit reached", temporary: true},
	233: {what: "repeated code messages to this number limit reached", temporary: true},
	300: {what: "wrong token"},
	301: {what: "wrong api_id or login and password"},
	302: {what: "account not confirmed"},
	500: {what: "server error", temporary: true},
	550: {what: "destination country blocked"},
}

// HTTPStatusError is the cause of a failed send that got a non-2xx HTTP
// answer (SMS.ru itself answers 200, with the outcome in the body).
type HTTPStatusError struct {
	StatusCode int
}

func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("smsru: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}
