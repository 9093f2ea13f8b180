package notify

import (
	"bytes"
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
)

// DefaultWebhookTimeout bounds one webhook request when
// WebhookSMSConfig.Timeout is zero.
const DefaultWebhookTimeout = 10 * time.Second

// WebhookSMSConfig configures a WebhookSMS.
type WebhookSMSConfig struct {
	// URL receives the POST. Required; http or https. It may carry a
	// secret (a token in the path or query): it never appears in errors.
	URL string
	// Headers are added to every request, e.g. "Authorization". They
	// cannot replace Content-Type.
	Headers map[string]string
	// Timeout bounds one request, default 10s.
	Timeout time.Duration
	// Client defaults to a client that does not follow redirects.
	Client *http.Client
}

// WebhookSMS sends SMS through any provider behind a small HTTP bridge: it
// POSTs {"to":"+7…","text":"…"} as application/json to a fixed URL.
// It is safe for concurrent use.
type WebhookSMS struct {
	url     string
	headers http.Header
	timeout time.Duration
	client  *http.Client
}

var _ SMSSender = (*WebhookSMS)(nil)

// NewWebhookSMS checks cfg and returns a sender; a bad field fails here with
// an error naming it.
func NewWebhookSMS(cfg WebhookSMSConfig) (*WebhookSMS, error) {
	if cfg.URL == "" {
		return nil, errors.New("notify: WebhookSMSConfig.URL is required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The parse error would repeat the URL, which may hold a secret.
		return nil, errors.New("notify: WebhookSMSConfig.URL must be an absolute http or https URL")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("notify: WebhookSMSConfig.Timeout %s is negative", cfg.Timeout)
	}
	headers := make(http.Header, len(cfg.Headers))
	for k, v := range cfg.Headers {
		if !validHeaderName(k) || strings.ContainsAny(v, "\r\n\x00") {
			return nil, fmt.Errorf("notify: WebhookSMSConfig.Headers: invalid header %q", k)
		}
		headers.Set(k, v)
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{
			// A redirected POST turns into a GET without a body; treat a
			// redirect as the answer (a permanent failure) instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &WebhookSMS{
		url:     cfg.URL,
		headers: headers,
		timeout: cmp.Or(cfg.Timeout, DefaultWebhookTimeout),
		client:  client,
	}, nil
}

// webhookBody is the JSON the bridge receives.
type webhookBody struct {
	To   string `json:"to"`
	Text string `json:"text"`
}

// IsE164 reports whether s is a phone number in E.164 ("+" and 2 to 15
// digits, the first not zero): what every SMS sender checks before sending.
func IsE164(s string) bool { return e164.MatchString(s) }

// RedactURL drops the URL from a *url.Error — a provider URL may carry an
// account or a key — keeping the operation and the cause, so that a context
// error stays reachable through errors.Is. Other errors come back as they
// are. Senders wrap network errors with it before returning them.
func RedactURL(err error) error { return redactURLError(err) }

// e164 is "+" and 2 to 15 digits, the first not zero.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// SendSMS POSTs m to the bridge.
//
// Any 2xx is success (202 included). 408, 429, 5xx, network errors,
// timeouts and a cancelled ctx match ErrTemporary; other statuses (other
// 4xx, an unfollowed 3xx) match ErrPermanent, as does a To that is not
// E.164, which is refused before any request. Errors carry the status code
// only: never the text, the response body or the URL.
func (w *WebhookSMS) SendSMS(ctx context.Context, m SMS) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", temporary(err)
	}
	if !e164.MatchString(m.To) {
		return "", permanent(errors.New("webhook: SMS.To is not an E.164 number"))
	}
	if m.Text == "" {
		return "", permanent(errors.New("webhook: SMS.Text is empty"))
	}
	body, err := json.Marshal(webhookBody{To: m.To, Text: m.Text})
	if err != nil {
		return "", permanent(errors.New("webhook: encoding the request failed"))
	}

	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return "", permanent(errors.New("webhook: building the request failed"))
	}
	req.Header = w.headers.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := w.client.Do(req)
	if err != nil {
		return "", temporary(fmt.Errorf("webhook: %w", redactURLError(err)))
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused; the body is never
	// read into an error, since a bridge may echo the text.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return "", nil
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return "", temporary(&HTTPStatusError{StatusCode: code})
	default:
		return "", permanent(&HTTPStatusError{StatusCode: code})
	}
}

// HTTPStatusError is the cause of a failed webhook delivery that got an
// answer: the provider's status code.
type HTTPStatusError struct {
	StatusCode int
}

func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("webhook: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// redactURLError drops the URL from a *url.Error (it may carry a secret),
// keeping the operation and the cause.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &redactedURLError{op: ue.Op, err: ue.Err}
	}
	return err
}

type redactedURLError struct {
	op  string
	err error
}

func (e *redactedURLError) Error() string { return e.op + ": " + e.err.Error() }
func (e *redactedURLError) Unwrap() error { return e.err }

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}
