package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// bridge is an httptest SMS bridge that answers with a fixed status and
// records the requests it gets.
type bridge struct {
	*httptest.Server
	mu       sync.Mutex
	requests []bridgeRequest
}

type bridgeRequest struct {
	Method string
	Header http.Header
	Body   []byte
}

func startBridge(t *testing.T, status int, answer string) *bridge {
	t.Helper()
	b := &bridge{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.requests = append(b.requests, bridgeRequest{Method: r.Method, Header: r.Header.Clone(), Body: body})
		b.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *bridge) received() []bridgeRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bridgeRequest(nil), b.requests...)
}

func TestWebhookSMS(t *testing.T) {
	const text = "482913 — код для входа. Клиника Здоровье. Никому не сообщайте."
	tests := []struct {
		status    int
		wantErr   error // nil, ErrPermanent or ErrTemporary
		wantInErr string
	}{
		{status: http.StatusOK},
		{status: http.StatusAccepted}, // any 2xx: a 202 is not resent (Kratos #3399)
		{status: http.StatusNoContent},
		{status: http.StatusBadRequest, wantErr: notify.ErrPermanent, wantInErr: "HTTP 400"},
		{status: http.StatusUnauthorized, wantErr: notify.ErrPermanent, wantInErr: "HTTP 401"},
		{status: http.StatusUnprocessableEntity, wantErr: notify.ErrPermanent, wantInErr: "HTTP 422"},
		{status: http.StatusFound, wantErr: notify.ErrPermanent, wantInErr: "HTTP 302"},
		{status: http.StatusRequestTimeout, wantErr: notify.ErrTemporary, wantInErr: "HTTP 408"},
		{status: http.StatusTooManyRequests, wantErr: notify.ErrTemporary, wantInErr: "HTTP 429"},
		{status: http.StatusInternalServerError, wantErr: notify.ErrTemporary, wantInErr: "HTTP 500"},
		{status: http.StatusServiceUnavailable, wantErr: notify.ErrTemporary, wantInErr: "HTTP 503"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			// The bridge echoes the text back, as a careless one might.
			b := startBridge(t, tt.status, `{"error":"bad","text":"`+text+`"}`)
			w, err := notify.NewWebhookSMS(notify.WebhookSMSConfig{
				URL:     b.URL + "/sms?token=hunter2",
				Headers: map[string]string{"Authorization": "Bearer t0ken", "X-Clinic": "one"},
			})
			require.NoError(t, err)

			_, err = w.SendSMS(t.Context(), notify.SMS{To: "+79123456789", Text: text})

			reqs := b.received()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Equal(t, "Bearer t0ken", r.Header.Get("Authorization"))
			assert.Equal(t, "one", r.Header.Get("X-Clinic"))
			assert.JSONEq(t, `{"to":"+79123456789","text":"`+text+`"}`, string(r.Body))

			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			other := notify.ErrTemporary
			if tt.wantErr == notify.ErrTemporary {
				other = notify.ErrPermanent
			}
			assert.NotErrorIs(t, err, other)
			var se *notify.HTTPStatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.status, se.StatusCode)
			assert.Contains(t, err.Error(), tt.wantInErr)
			assert.NotContains(t, err.Error(), "482913")
			assert.NotContains(t, err.Error(), "Никому")
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestWebhookSMSNetworkErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + ln.Addr().String() + "/sms?token=hunter2"
	require.NoError(t, ln.Close())

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) }) // runs first

	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		ctx     func(t *testing.T) context.Context
		wantCtx error
	}{
		{name: "connection refused", url: closedURL},
		{name: "timeout", url: slow.URL + "/sms?token=hunter2", timeout: 100 * time.Millisecond, wantCtx: context.DeadlineExceeded},
		{name: "cancelled", url: slow.URL + "/sms?token=hunter2", ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx
		}, wantCtx: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := notify.NewWebhookSMS(notify.WebhookSMSConfig{URL: tt.url, Timeout: tt.timeout})
			require.NoError(t, err)
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(t)
			}

			_, err = w.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "code 482913"})
			require.Error(t, err)
			assert.ErrorIs(t, err, notify.ErrTemporary)
			assert.NotErrorIs(t, err, notify.ErrPermanent)
			if tt.wantCtx != nil {
				assert.ErrorIs(t, err, tt.wantCtx)
			}
			assert.NotContains(t, err.Error(), "482913")
			assert.NotContains(t, err.Error(), "hunter2", "the URL may carry a secret")
		})
	}
}

func TestWebhookSMSRefusesBadMessages(t *testing.T) {
	b := startBridge(t, http.StatusOK, "")
	w, err := notify.NewWebhookSMS(notify.WebhookSMSConfig{URL: b.URL})
	require.NoError(t, err)

	tests := []struct {
		name string
		sms  notify.SMS
	}{
		{name: "not E.164", sms: notify.SMS{To: "89123456789", Text: "code 482913"}},
		{name: "spaces", sms: notify.SMS{To: "+7 912 345 67 89", Text: "code 482913"}},
		{name: "too long", sms: notify.SMS{To: "+1234567890123456", Text: "code 482913"}},
		{name: "empty text", sms: notify.SMS{To: "+79123456789"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.SendSMS(t.Context(), tt.sms)
			require.Error(t, err)
			assert.ErrorIs(t, err, notify.ErrPermanent)
			assert.NotContains(t, err.Error(), "482913")
		})
	}
	assert.Empty(t, b.received(), "the provider is never called for a message it cannot take")
}

func TestWebhookSMSCustomClient(t *testing.T) {
	b := startBridge(t, http.StatusOK, "")
	var used bool
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	w, err := notify.NewWebhookSMS(notify.WebhookSMSConfig{URL: b.URL, Client: client})
	require.NoError(t, err)

	require.NoError(t, errOf(w.SendSMS(t.Context(), notify.SMS{To: "+79123456789", Text: "hi"})))
	assert.True(t, used)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewWebhookSMSValidation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     notify.WebhookSMSConfig
		wantErr string
	}{
		{name: "missing URL", cfg: notify.WebhookSMSConfig{}, wantErr: "notify: WebhookSMSConfig.URL is required"},
		{name: "relative URL", cfg: notify.WebhookSMSConfig{URL: "/sms"}, wantErr: "WebhookSMSConfig.URL"},
		{name: "ftp URL", cfg: notify.WebhookSMSConfig{URL: "ftp://bridge.example/sms"}, wantErr: "WebhookSMSConfig.URL"},
		{name: "unparsable URL keeps its secret", cfg: notify.WebhookSMSConfig{URL: "http://bridge.example/%zz?token=hunter2"}, wantErr: "WebhookSMSConfig.URL"},
		{name: "negative timeout", cfg: notify.WebhookSMSConfig{URL: "https://bridge.example/sms", Timeout: -1}, wantErr: "WebhookSMSConfig.Timeout"},
		{name: "bad header name", cfg: notify.WebhookSMSConfig{URL: "https://bridge.example/sms", Headers: map[string]string{"Bad Header": "x"}}, wantErr: "WebhookSMSConfig.Headers"},
		{name: "header value with newline", cfg: notify.WebhookSMSConfig{URL: "https://bridge.example/sms", Headers: map[string]string{"X-A": "a\r\nX-B: b"}}, wantErr: "WebhookSMSConfig.Headers"},
		{name: "valid", cfg: notify.WebhookSMSConfig{URL: "https://bridge.example/sms", Headers: map[string]string{"Authorization": "Bearer x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := notify.NewWebhookSMS(tt.cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, w)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "hunter2")
			assert.Nil(t, w)
		})
	}
}

// The JSON body escapes whatever the text holds.
func TestWebhookSMSBodyIsJSON(t *testing.T) {
	b := startBridge(t, http.StatusOK, "")
	w, err := notify.NewWebhookSMS(notify.WebhookSMSConfig{URL: b.URL})
	require.NoError(t, err)
	text := "quote \" backslash \\ newline \n <tag> & ✓"

	require.NoError(t, errOf(w.SendSMS(t.Context(), notify.SMS{To: "+441234567890", Text: text})))

	reqs := b.received()
	require.Len(t, reqs, 1)
	var got struct{ To, Text string }
	require.NoError(t, json.Unmarshal(reqs[0].Body, &got))
	assert.Equal(t, "+441234567890", got.To)
	assert.Equal(t, text, got.Text)
}
