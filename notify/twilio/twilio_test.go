package twilio_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/twilio"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "f3c1b2a4d5e6f7a8b9c0d1e2f3a4b5c6"
	apiKeySID  = "SK00112233445566778899aabbccddeeff"
	apiSecret  = "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3tXY"
	serviceSID = "MG99887766554433221100ffeeddccbbaa"
	from       = "+15005550006"
	to         = "+79123456789"
	text       = "482913 — код для входа. Клиника Здоровье. Никому не сообщайте."
	msgPath    = "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
)

// fakeTwilio is an httptest stand-in for api.twilio.com: it records each
// request and answers with a fixed HTTP status and body.
type fakeTwilio struct {
	*httptest.Server
	mu       sync.Mutex
	requests []fakeRequest
}

type fakeRequest struct {
	Method     string
	Path       string
	RawQuery   string
	Header     http.Header
	User, Pass string
	HasAuth    bool
	Form       url.Values
}

func startFake(t *testing.T, status int, answer string) *fakeTwilio {
	t.Helper()
	f := &fakeTwilio{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, pass, ok := r.BasicAuth()
		f.mu.Lock()
		f.requests = append(f.requests, fakeRequest{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(),
			User: user, Pass: pass, HasAuth: ok, Form: form,
		})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTwilio) received() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// Answers in the shape of Twilio's Create a Message. Error messages repeat
// the number, as Twilio's do; the sender must not copy them.
const (
	answerCreated = `{"account_sid":"` + accountSID + `","api_version":"2010-04-01","body":"` + text + `",` +
		`"date_created":"Thu, 24 Aug 2023 05:01:45 +0000","date_sent":null,"date_updated":"Thu, 24 Aug 2023 05:01:45 +0000",` +
		`"direction":"outbound-api","error_code":null,"error_message":null,"from":"` + from + `","messaging_service_sid":null,` +
		`"num_media":"0","num_segments":"1","price":null,"price_unit":"USD","sid":"SM1f0e8ae6ade43cb3c0ce4525424e404f",` +
		`"status":"queued","subresource_uris":{"media":"/2010-04-01/Accounts/` + accountSID + `/Messages/SM1f0e8ae6ade43cb3c0ce4525424e404f/Media.json"},` +
		`"to":"` + to + `","uri":"/2010-04-01/Accounts/` + accountSID + `/Messages/SM1f0e8ae6ade43cb3c0ce4525424e404f.json"}`
	answerInvalidTo    = `{"code":21211,"message":"The 'To' number +79123456789 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`
	answerNotMobile    = `{"code":21614,"message":"'To' number +79123456789 is not a valid mobile number","more_info":"https://www.twilio.com/docs/errors/21614","status":400}`
	answerUnsubscribed = `{"code":21610,"message":"Attempt to send to unsubscribed recipient +79123456789","more_info":"https://www.twilio.com/docs/errors/21610","status":400}`
	answerRegion       = `{"code":21408,"message":"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +79123456789.","more_info":"https://www.twilio.com/docs/errors/21408","status":400}`
	answerBadFrom      = `{"code":21606,"message":"The From phone number +15005550006 is not a valid, SMS-capable inbound phone number or short code for your account.","more_info":"https://www.twilio.com/docs/errors/21606","status":400}`
	answerFromCountry  = `{"code":21659,"message":"Mismatch between the 'From' number +15005550006 and the account","more_info":"https://www.twilio.com/docs/errors/21659","status":400}`
	answerAuth         = `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`
	answerTooMany      = `{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}`
	answerQueueFull    = `{"code":21611,"message":"This 'From' number has exceeded the maximum number of queued messages","more_info":"https://www.twilio.com/docs/errors/21611","status":400}`
	answerOverflow     = `{"code":30001,"message":"Queue overflow","more_info":"https://www.twilio.com/docs/errors/30001","status":400}`
	answerInternal     = `{"code":20500,"message":"Internal Server Error","more_info":"https://www.twilio.com/docs/errors/20500","status":500}`
	answerNotFound     = `{"code":20404,"message":"The requested resource /2010-04-01/Accounts/` + accountSID + `/Messages.json was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`
	answerHTML         = `<html><body><h1>503 Service Unavailable</h1>` + to + `</body></html>`
	answerTruncated    = `{"code":21211,"message":"The 'To' number +7912`
)

func TestSendSMS(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		answer   string
		wantID   string
		wantErr  error // nil, ErrPermanent or ErrTemporary
		wantCode int   // Twilio error code in the *twilio.APIError
	}{
		{name: "created", status: http.StatusCreated, answer: answerCreated, wantID: "SM1f0e8ae6ade43cb3c0ce4525424e404f"},
		{name: "200 is success too", status: http.StatusOK, answer: answerCreated, wantID: "SM1f0e8ae6ade43cb3c0ce4525424e404f"},
		{name: "202 without a body is not resent", status: http.StatusAccepted, answer: ""},
		{name: "201 with malformed JSON is not resent", status: http.StatusCreated, answer: `{"sid":"SM1f0e`},
		{name: "invalid To", status: http.StatusBadRequest, answer: answerInvalidTo, wantErr: notify.ErrPermanent, wantCode: 21211},
		{name: "not a mobile number", status: http.StatusBadRequest, answer: answerNotMobile, wantErr: notify.ErrPermanent, wantCode: 21614},
		{name: "unsubscribed recipient", status: http.StatusBadRequest, answer: answerUnsubscribed, wantErr: notify.ErrPermanent, wantCode: 21610},
		{name: "region not enabled", status: http.StatusBadRequest, answer: answerRegion, wantErr: notify.ErrPermanent, wantCode: 21408},
		{name: "From not message-capable", status: http.StatusBadRequest, answer: answerBadFrom, wantErr: notify.ErrPermanent, wantCode: 21606},
		{name: "From country mismatch", status: http.StatusBadRequest, answer: answerFromCountry, wantErr: notify.ErrPermanent, wantCode: 21659},
		{name: "authentication failed", status: http.StatusUnauthorized, answer: answerAuth, wantErr: notify.ErrPermanent, wantCode: 20003},
		{name: "unknown code, 404", status: http.StatusNotFound, answer: answerNotFound, wantErr: notify.ErrPermanent, wantCode: 20404},
		{name: "rate limited", status: http.StatusTooManyRequests, answer: answerTooMany, wantErr: notify.ErrTemporary, wantCode: 20429},
		{name: "429 without a body", status: http.StatusTooManyRequests, answer: "", wantErr: notify.ErrTemporary},
		{name: "From queue full", status: http.StatusBadRequest, answer: answerQueueFull, wantErr: notify.ErrTemporary, wantCode: 21611},
		{name: "queue overflow", status: http.StatusBadRequest, answer: answerOverflow, wantErr: notify.ErrTemporary, wantCode: 30001},
		{name: "internal error", status: http.StatusInternalServerError, answer: answerInternal, wantErr: notify.ErrTemporary, wantCode: 20500},
		{name: "503 HTML page", status: http.StatusServiceUnavailable, answer: answerHTML, wantErr: notify.ErrTemporary},
		{name: "400 malformed JSON", status: http.StatusBadRequest, answer: answerTruncated, wantErr: notify.ErrPermanent},
		{name: "302 not followed", status: http.StatusFound, answer: "", wantErr: notify.ErrPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, tt.status, tt.answer)
			s, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: from, BaseURL: f.URL})
			require.NoError(t, err)

			id, err := s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})

			reqs := f.received()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, msgPath, r.Path)
			assert.Empty(t, r.RawQuery, "no secret (nor anything else) in the query")
			assert.NotContains(t, r.Path, authToken)
			require.True(t, r.HasAuth, "HTTP Basic auth")
			assert.Equal(t, accountSID, r.User)
			assert.Equal(t, authToken, r.Pass)
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.Equal(t, url.Values{"To": {to}, "Body": {text}, "From": {from}}, r.Form)

			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantID, id)
				return
			}
			require.Error(t, err)
			assert.Empty(t, id)
			assertKind(t, err, tt.wantErr)
			var ae *twilio.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, tt.wantCode, ae.Code)
			assertNoSecrets(t, err)
		})
	}
}

func TestSendSMSSenderAndAuth(t *testing.T) {
	tests := []struct {
		name     string
		cfg      twilio.Config
		wantUser string
		wantPass string
		wantForm url.Values
	}{
		{
			name:     "From",
			cfg:      twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "Zdorovie"},
			wantUser: accountSID, wantPass: authToken,
			wantForm: url.Values{"To": {to}, "Body": {text}, "From": {"Zdorovie"}},
		},
		{
			name:     "Messaging Service",
			cfg:      twilio.Config{AccountSID: accountSID, AuthToken: authToken, MessagingServiceSID: serviceSID},
			wantUser: accountSID, wantPass: authToken,
			wantForm: url.Values{"To": {to}, "Body": {text}, "MessagingServiceSid": {serviceSID}},
		},
		{
			name:     "both",
			cfg:      twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: from, MessagingServiceSID: serviceSID},
			wantUser: accountSID, wantPass: authToken,
			wantForm: url.Values{"To": {to}, "Body": {text}, "From": {from}, "MessagingServiceSid": {serviceSID}},
		},
		{
			name:     "API key",
			cfg:      twilio.Config{AccountSID: accountSID, APIKeySID: apiKeySID, AuthToken: apiSecret, From: from},
			wantUser: apiKeySID, wantPass: apiSecret,
			wantForm: url.Values{"To": {to}, "Body": {text}, "From": {from}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, http.StatusCreated, answerCreated)
			tt.cfg.BaseURL = f.URL + "/" // a trailing slash is fine
			s, err := twilio.New(tt.cfg)
			require.NoError(t, err)

			id, err := s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})
			require.NoError(t, err)
			assert.Equal(t, "SM1f0e8ae6ade43cb3c0ce4525424e404f", id)

			reqs := f.received()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, msgPath, r.Path, "the path names the account, even with an API key")
			assert.Empty(t, r.RawQuery)
			assert.Equal(t, tt.wantUser, r.User)
			assert.Equal(t, tt.wantPass, r.Pass)
			assert.Equal(t, tt.wantForm, r.Form)
		})
	}
}

func TestSendSMSNetworkErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedURL := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())

	// A server that takes the request and never answers.
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hung.Close)
	t.Cleanup(func() { close(release) }) // runs first

	tests := []struct {
		name    string
		baseURL string
		timeout time.Duration
		ctx     func(t *testing.T) context.Context
		wantCtx error
	}{
		{name: "connection refused", baseURL: closedURL},
		{name: "timeout", baseURL: hung.URL, timeout: 100 * time.Millisecond, wantCtx: context.DeadlineExceeded},
		{name: "cancelled while waiting", baseURL: hung.URL, ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx
		}, wantCtx: context.Canceled},
		{name: "cancelled before the call", baseURL: hung.URL, ctx: func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, wantCtx: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := twilio.New(twilio.Config{
				AccountSID: accountSID, AuthToken: authToken, From: from,
				BaseURL: tt.baseURL, Timeout: tt.timeout,
			})
			require.NoError(t, err)
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(t)
			}

			_, err = s.SendSMS(ctx, notify.SMS{To: to, Text: text})
			require.Error(t, err)
			assertKind(t, err, notify.ErrTemporary)
			if tt.wantCtx != nil {
				assert.ErrorIs(t, err, tt.wantCtx)
			}
			assertNoSecrets(t, err)
			assert.NotContains(t, err.Error(), accountSID, "the URL is dropped from network errors")
		})
	}
}

func TestSendSMSRefusesBadMessages(t *testing.T) {
	f := startFake(t, http.StatusCreated, answerCreated)
	s, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: from, BaseURL: f.URL})
	require.NoError(t, err)

	tests := []struct {
		name string
		sms  notify.SMS
	}{
		{name: "no plus", sms: notify.SMS{To: "79123456789", Text: text}},
		{name: "spaces", sms: notify.SMS{To: "+7 912 345 67 89", Text: text}},
		{name: "too long", sms: notify.SMS{To: "+1234567890123456", Text: text}},
		{name: "channel address", sms: notify.SMS{To: "whatsapp:" + to, Text: text}},
		{name: "empty text", sms: notify.SMS{To: to}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SendSMS(t.Context(), tt.sms)
			require.Error(t, err)
			assertKind(t, err, notify.ErrPermanent)
			assertNoSecrets(t, err)
		})
	}
	assert.Empty(t, f.received(), "Twilio is never called for a message it cannot take")
}

func TestSendSMSCustomClient(t *testing.T) {
	f := startFake(t, http.StatusCreated, answerCreated)
	var used bool
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	s, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: from, BaseURL: f.URL, HTTPClient: client})
	require.NoError(t, err)

	_, err = s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})
	require.NoError(t, err)
	assert.True(t, used)
}

// Whatever Twilio answers, the outcome is an ID or an error of exactly one
// kind that gives nothing away.
func FuzzSendSMSAnswer(f *testing.F) {
	for _, seed := range []struct {
		status int
		answer string
	}{
		{201, answerCreated}, {400, answerInvalidTo}, {429, answerTooMany}, {400, answerQueueFull},
		{503, answerHTML}, {400, answerTruncated}, {302, ""},
	} {
		f.Add(seed.status, seed.answer)
	}
	f.Fuzz(func(t *testing.T, status int, answer string) {
		if status < 100 || status > 999 {
			t.Skip("not an HTTP status")
		}
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{
				StatusCode: status,
				Header:     http.Header{"Content-Type": {"application/json"}},
				Body:       io.NopCloser(strings.NewReader(answer)),
				Request:    r,
			}, nil
		})}
		s, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: from, HTTPClient: client})
		require.NoError(t, err)

		_, err = s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})
		if status >= 200 && status <= 299 {
			assert.NoError(t, err, "any 2xx is success")
			return
		}
		require.Error(t, err)
		assert.NotEqual(t, errors.Is(err, notify.ErrPermanent), errors.Is(err, notify.ErrTemporary))
		// A fuzzed code may be any number, so only the secrets themselves.
		for _, secret := range []string{"482913", "Никому", authToken, strings.TrimPrefix(to, "+")} {
			assert.NotContains(t, err.Error(), secret)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNew(t *testing.T) {
	valid := twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: from}
	with := func(change func(*twilio.Config)) twilio.Config {
		cfg := valid
		change(&cfg)
		return cfg
	}
	tests := []struct {
		name    string
		cfg     twilio.Config
		wantErr string
	}{
		{name: "missing account", cfg: with(func(c *twilio.Config) { c.AccountSID = "" }), wantErr: "twilio: Config.AccountSID is required"},
		{name: "token as account", cfg: with(func(c *twilio.Config) { c.AccountSID = authToken }), wantErr: "Config.AccountSID"},
		{name: "account with a path", cfg: with(func(c *twilio.Config) { c.AccountSID = "AC0123456789abcdef0123456789abcd/.." }), wantErr: "Config.AccountSID"},
		{name: "missing token", cfg: with(func(c *twilio.Config) { c.AuthToken = "" }), wantErr: "twilio: Config.AuthToken is required"},
		{name: "bad API key", cfg: with(func(c *twilio.Config) { c.APIKeySID = apiSecret }), wantErr: "Config.APIKeySID"},
		{name: "no sender", cfg: with(func(c *twilio.Config) { c.From = "" }), wantErr: "Config.From or Config.MessagingServiceSID"},
		{name: "bad service", cfg: with(func(c *twilio.Config) { c.MessagingServiceSID = "MG123" }), wantErr: "Config.MessagingServiceSID"},
		{name: "relative base URL", cfg: with(func(c *twilio.Config) { c.BaseURL = "/api" }), wantErr: "Config.BaseURL"},
		{name: "ftp base URL", cfg: with(func(c *twilio.Config) { c.BaseURL = "ftp://api.twilio.com" }), wantErr: "Config.BaseURL"},
		{name: "negative timeout", cfg: with(func(c *twilio.Config) { c.Timeout = -time.Second }), wantErr: "Config.Timeout"},
		{name: "defaults", cfg: valid},
		{name: "service only", cfg: with(func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", serviceSID })},
		{name: "API key", cfg: with(func(c *twilio.Config) { c.APIKeySID, c.AuthToken = apiKeySID, apiSecret })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := twilio.New(tt.cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, s)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), authToken)
			assert.NotContains(t, err.Error(), apiSecret)
			assert.Nil(t, s)
		})
	}
}

// assertKind checks that err matches want and not the other kind.
func assertKind(t *testing.T, err, want error) {
	t.Helper()
	other := notify.ErrTemporary
	if want == notify.ErrTemporary {
		other = notify.ErrPermanent
	}
	assert.ErrorIs(t, err, want)
	assert.NotErrorIs(t, err, other)
}

// assertNoSecrets checks that err says nothing of the text, the token, the
// number or Twilio's own message.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	for _, secret := range []string{"482913", "Никому", authToken, apiSecret, strings.TrimPrefix(to, "+"), "79123", "valid phone number", "<html"} {
		assert.NotContains(t, msg, secret)
	}
}
