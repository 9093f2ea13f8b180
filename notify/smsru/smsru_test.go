package smsru_test

import (
	"cmp"
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
	"github.com/kabinet-dev/kabinet/notify/smsru"
)

const (
	apiKey = "A3CA597E-3ACF-4E7D-82EE-CF82B52B1A8B"
	to     = "+79123456789"
	digits = "79123456789"
	text   = "482913 — код для входа. Клиника Здоровье. Никому не сообщайте."
)

// fakeSMSRu is an httptest stand-in for sms.ru: it records each request's
// method, path, headers and form, and answers with a fixed HTTP status and
// body.
type fakeSMSRu struct {
	*httptest.Server
	mu       sync.Mutex
	requests []fakeRequest
}

type fakeRequest struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Form     url.Values
}

func startFake(t *testing.T, status int, answer string) *fakeSMSRu {
	t.Helper()
	f := &fakeSMSRu{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.requests = append(f.requests, fakeRequest{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Form: form,
		})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSMSRu) received() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// Answers in the shape of sms.ru/api/send with json=1. Error answers carry
// SMS.ru's Russian status_text, which the sender must not copy.
const (
	answerOK = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"OK","status_code":100,"sms_id":"000000-10000001"}},"balance":4122.56}`
	// sms_id as a bare number, tolerated.
	answerOKNumericID = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"OK","status_code":100,"sms_id":202512345}},"balance":"4122.56"}`
	// The only result, under a key spelled differently.
	answerOKOtherKey = `{"status":"OK","status_code":100,"sms":{"+79123456789":{"status":"OK","status_code":100,"sms_id":"000000-10000002"}},"balance":4122.56}`
	// A per-recipient failure inside a request that is OK as a whole.
	answerBadNumber = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"ERROR","status_code":202,"status_text":"Неправильно указан номер телефона получателя, либо на него нет маршрута"}},"balance":4122.56}`
	answerNoRoute   = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"ERROR","status_code":207,"status_text":"На этот номер нет маршрута для доставки сообщений"}},"balance":4122.56}`
	answerStopList  = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"ERROR","status_code":215,"status_text":"Этот номер находится в стоп-листе SMS.RU"}},"balance":4122.56}`
	answerNoFunds   = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"ERROR","status_code":201,"status_text":"Не хватает средств на лицевом счету"}},"balance":0.12}`
	answerDayLimit  = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"ERROR","status_code":230,"status_text":"Превышен общий лимит количества сообщений на этот номер в день"}},"balance":4122.56}`
	answerSameLimit = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"ERROR","status_code":231,"status_text":"Превышен лимит одинаковых сообщений на этот номер в минуту"}},"balance":4122.56}`
	// Request-level failures: no "sms" at all.
	answerBadKey      = `{"status":"ERROR","status_code":200,"status_text":"Неправильный api_id"}`
	answerBadLogin    = `{"status":"ERROR","status_code":301,"status_text":"Неправильный api_id, либо логин/пароль"}`
	answerBadSender   = `{"status":"ERROR","status_code":204,"status_text":"Имя отправителя не согласовано с администрацией"}`
	answerNoFundsTop  = `{"status":"ERROR","status_code":201,"status_text":"Не хватает средств на лицевом счету"}`
	answerUnavailable = `{"status":"ERROR","status_code":220,"status_text":"Сервис временно недоступен, попробуйте чуть позже"}`
	answerServerError = `{"status":"ERROR","status_code":500,"status_text":"Ошибка на сервере. Повторите запрос."}`
	answerUnknownCode = `{"status":"ERROR","status_code":299,"status_text":"Что-то новое"}`
	// Not a send result for our recipient.
	answerOtherNumbers = `{"status":"OK","status_code":100,"sms":{"79000000001":{"status":"OK","status_code":100,"sms_id":"1"},"79000000002":{"status":"OK","status_code":100,"sms_id":"2"}}}`
	answerNoCode       = `{"status":"OK","sms":{"79123456789":{"status":"OK","sms_id":"1"}}}`
	answerHTML         = `<html><body>502 Bad Gateway — 79123456789</body></html>`
	answerTruncated    = `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"OK","sta`
)

func TestSendSMS(t *testing.T) {
	tests := []struct {
		name       string
		status     int // HTTP status, 200 unless set
		answer     string
		wantID     string
		wantErr    error // nil, ErrPermanent or ErrTemporary
		wantCode   int   // SMS.ru status code in a *smsru.StatusError
		wantHTTP   int   // HTTP status in a *smsru.HTTPStatusError
		wantBadAns bool  // ErrMalformedAnswer
	}{
		{name: "accepted", answer: answerOK, wantID: "000000-10000001"},
		{name: "accepted, numeric id", answer: answerOKNumericID, wantID: "202512345"},
		{name: "accepted, key with plus", answer: answerOKOtherKey, wantID: "000000-10000002"},
		{name: "bad number", answer: answerBadNumber, wantErr: notify.ErrPermanent, wantCode: 202},
		{name: "no route to number", answer: answerNoRoute, wantErr: notify.ErrPermanent, wantCode: 207},
		{name: "number in SMS.ru stop list", answer: answerStopList, wantErr: notify.ErrPermanent, wantCode: 215},
		{name: "insufficient funds for the recipient", answer: answerNoFunds, wantErr: notify.ErrTemporary, wantCode: 201},
		{name: "insufficient funds for the request", answer: answerNoFundsTop, wantErr: notify.ErrTemporary, wantCode: 201},
		{name: "daily limit to number", answer: answerDayLimit, wantErr: notify.ErrTemporary, wantCode: 230},
		{name: "identical messages limit", answer: answerSameLimit, wantErr: notify.ErrTemporary, wantCode: 231},
		{name: "wrong api_id", answer: answerBadKey, wantErr: notify.ErrPermanent, wantCode: 200},
		{name: "wrong credentials", answer: answerBadLogin, wantErr: notify.ErrPermanent, wantCode: 301},
		{name: "sender not approved", answer: answerBadSender, wantErr: notify.ErrPermanent, wantCode: 204},
		{name: "service unavailable", answer: answerUnavailable, wantErr: notify.ErrTemporary, wantCode: 220},
		{name: "server error code", answer: answerServerError, wantErr: notify.ErrTemporary, wantCode: 500},
		{name: "unknown code", answer: answerUnknownCode, wantErr: notify.ErrPermanent, wantCode: 299},
		{name: "HTTP 500", status: http.StatusInternalServerError, answer: answerHTML, wantErr: notify.ErrTemporary, wantHTTP: 500},
		{name: "HTTP 502", status: http.StatusBadGateway, answer: answerHTML, wantErr: notify.ErrTemporary, wantHTTP: 502},
		{name: "HTTP 429 rate limited", status: http.StatusTooManyRequests, answer: "", wantErr: notify.ErrTemporary, wantHTTP: 429},
		{name: "HTTP 404 wrong base URL", status: http.StatusNotFound, answer: answerHTML, wantErr: notify.ErrPermanent, wantHTTP: 404},
		{name: "HTTP 302 not followed", status: http.StatusFound, answer: "", wantErr: notify.ErrPermanent, wantHTTP: 302},
		{name: "HTML instead of JSON", answer: answerHTML, wantErr: notify.ErrTemporary, wantBadAns: true},
		{name: "truncated JSON", answer: answerTruncated, wantErr: notify.ErrTemporary, wantBadAns: true},
		{name: "no status codes", answer: answerNoCode, wantErr: notify.ErrTemporary, wantBadAns: true},
		{name: "empty answer", answer: "", wantErr: notify.ErrTemporary, wantBadAns: true},
		{name: "no result for the recipient", answer: answerOtherNumbers, wantErr: notify.ErrTemporary, wantBadAns: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, cmp.Or(tt.status, http.StatusOK), tt.answer)
			s, err := smsru.New(smsru.Config{APIKey: apiKey, BaseURL: f.URL})
			require.NoError(t, err)

			id, err := s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})

			reqs := f.received()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/sms/send", r.Path)
			assert.Empty(t, r.RawQuery, "nothing, the key least of all, goes in the URL")
			assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
			assert.Equal(t, url.Values{
				"api_id": {apiKey},
				"to":     {digits},
				"msg":    {text},
				"json":   {"1"},
			}, r.Form)

			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantID, id)
				return
			}
			require.Error(t, err)
			assert.Empty(t, id)
			assertKind(t, err, tt.wantErr)
			if tt.wantCode != 0 {
				var se *smsru.StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.wantCode, se.Code)
			}
			if tt.wantHTTP != 0 {
				var he *smsru.HTTPStatusError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, tt.wantHTTP, he.StatusCode)
			}
			if tt.wantBadAns {
				assert.ErrorIs(t, err, smsru.ErrMalformedAnswer)
			}
			assertNoSecrets(t, err)
		})
	}
}

func TestSendSMSOptions(t *testing.T) {
	tests := []struct {
		name     string
		cfg      smsru.Config
		wantFrom string
		wantTest string
	}{
		{name: "defaults", cfg: smsru.Config{APIKey: apiKey}},
		{name: "sender name", cfg: smsru.Config{APIKey: apiKey, From: "Zdorovie"}, wantFrom: "Zdorovie"},
		{name: "test mode", cfg: smsru.Config{APIKey: apiKey, Test: true}, wantTest: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFake(t, http.StatusOK, answerOK)
			tt.cfg.BaseURL = f.URL + "/" // a trailing slash is fine
			s, err := smsru.New(tt.cfg)
			require.NoError(t, err)

			id, err := s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})
			require.NoError(t, err)
			assert.Equal(t, "000000-10000001", id)

			reqs := f.received()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/sms/send", reqs[0].Path)
			assert.Equal(t, tt.wantFrom, reqs[0].Form.Get("from"))
			assert.Equal(t, tt.wantTest, reqs[0].Form.Get("test"))
			_, hasFrom := reqs[0].Form["from"]
			assert.Equal(t, tt.wantFrom != "", hasFrom)
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
			s, err := smsru.New(smsru.Config{APIKey: apiKey, BaseURL: tt.baseURL, Timeout: tt.timeout})
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
		})
	}
}

func TestSendSMSRefusesBadMessages(t *testing.T) {
	f := startFake(t, http.StatusOK, answerOK)
	s, err := smsru.New(smsru.Config{APIKey: apiKey, BaseURL: f.URL})
	require.NoError(t, err)

	tests := []struct {
		name string
		sms  notify.SMS
	}{
		{name: "no plus", sms: notify.SMS{To: digits, Text: text}},
		{name: "national format", sms: notify.SMS{To: "89123456789", Text: text}},
		{name: "spaces", sms: notify.SMS{To: "+7 912 345 67 89", Text: text}},
		{name: "too long", sms: notify.SMS{To: "+1234567890123456", Text: text}},
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
	assert.Empty(t, f.received(), "SMS.ru is never called for a message it cannot take")
}

func TestSendSMSCustomClient(t *testing.T) {
	f := startFake(t, http.StatusOK, answerOK)
	var used bool
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	s, err := smsru.New(smsru.Config{APIKey: apiKey, BaseURL: f.URL, HTTPClient: client})
	require.NoError(t, err)

	_, err = s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})
	require.NoError(t, err)
	assert.True(t, used)
}

// Whatever SMS.ru answers, the outcome is an ID or an error of exactly one
// kind that gives nothing away.
func FuzzSendSMSAnswer(f *testing.F) {
	for _, a := range []string{answerOK, answerOKNumericID, answerBadNumber, answerNoFundsTop, answerOtherNumbers, answerHTML, answerTruncated, ""} {
		f.Add(a)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{
				StatusCode: http.StatusOK,
				Header:     http.Header{"Content-Type": {"application/json"}},
				Body:       io.NopCloser(strings.NewReader(answer)),
				Request:    r,
			}, nil
		})}
		s, err := smsru.New(smsru.Config{APIKey: apiKey, HTTPClient: client})
		require.NoError(t, err)

		_, err = s.SendSMS(t.Context(), notify.SMS{To: to, Text: text})
		if err == nil {
			return
		}
		assert.NotEqual(t, errors.Is(err, notify.ErrPermanent), errors.Is(err, notify.ErrTemporary))
		// A fuzzed code may be any number, so only the secrets themselves.
		for _, secret := range []string{"482913", "Никому", apiKey, strings.TrimPrefix(to, "+")} {
			assert.NotContains(t, err.Error(), secret)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     smsru.Config
		wantErr string
	}{
		{name: "missing key", cfg: smsru.Config{}, wantErr: "smsru: Config.APIKey is required"},
		{name: "blank key", cfg: smsru.Config{APIKey: "  "}, wantErr: "Config.APIKey"},
		{name: "relative base URL", cfg: smsru.Config{APIKey: apiKey, BaseURL: "/sms"}, wantErr: "Config.BaseURL"},
		{name: "ftp base URL", cfg: smsru.Config{APIKey: apiKey, BaseURL: "ftp://sms.ru"}, wantErr: "Config.BaseURL"},
		{name: "unparsable base URL", cfg: smsru.Config{APIKey: apiKey, BaseURL: "http://sms.ru/%zz"}, wantErr: "Config.BaseURL"},
		{name: "negative timeout", cfg: smsru.Config{APIKey: apiKey, Timeout: -time.Second}, wantErr: "Config.Timeout"},
		{name: "defaults", cfg: smsru.Config{APIKey: apiKey}},
		{name: "everything", cfg: smsru.Config{APIKey: apiKey, From: "Zdorovie", Test: true, BaseURL: "https://sms.ru", HTTPClient: &http.Client{}, Timeout: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := smsru.New(tt.cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, s)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), apiKey)
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

// assertNoSecrets checks that err says nothing of the text, the key, the
// number or SMS.ru's own words.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	for _, secret := range []string{"482913", "Никому", apiKey, "A3CA597E", digits, "79123", "Неправильн", "html"} {
		assert.NotContains(t, msg, secret)
	}
}
