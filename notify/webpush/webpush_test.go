package webpush_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/webpush"
)

// endpointToken is the secret part of every test endpoint's path: whoever
// knows it can push to the browser, so it must never show in an error.
const endpointToken = "fcm-token-Zx81Qa7sLk"

// browser plays the subscribing browser: its P-256 key pair and auth
// secret, as PushManager.subscribe creates them.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	auth := make([]byte, 16)
	_, err = rand.Read(auth)
	require.NoError(t, err)
	return &browser{key: key, auth: auth}
}

// subscription is what the browser's PushSubscription.toJSON hands over.
func (b *browser) subscription(endpoint string) notify.Subscription {
	return notify.Subscription{
		ID:       "sub-1",
		UserID:   "user-1",
		Endpoint: endpoint,
		P256dh:   base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(b.auth),
	}
}

// decrypt undoes RFC 8291 (Message Encryption for Web Push) over RFC 8188
// aes128gcm, as the browser does, for a message of a single record.
func (b *browser) decrypt(body []byte) ([]byte, error) {
	// Header: salt (16) | record size (4) | key id length (1) | key id.
	if len(body) < 21 {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idLen != 65 || len(body) < 21+idLen {
		return nil, fmt.Errorf("key id is %d bytes, want the sender's 65-byte public key", idLen)
	}
	senderKey, err := ecdh.P256().NewPublicKey(body[21 : 21+idLen])
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	ciphertext := body[21+idLen:]
	if len(ciphertext) > int(rs) {
		return nil, fmt.Errorf("%d bytes of ciphertext exceed one record of %d", len(ciphertext), rs)
	}

	ecdhSecret, err := b.key.ECDH(senderKey)
	if err != nil {
		return nil, err
	}
	keyInfo := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(senderKey.Bytes())
	ikm, err := hkdf.Key(sha256.New, ecdhSecret, b.auth, keyInfo, 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypting: %w", err)
	}
	// The plaintext is data, a 0x02 delimiter (last record), zero padding.
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 0x02 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:len(plain)-1], nil
}

// pushService is an httptest push service. It checks a request as FCM,
// Mozilla's autopush and Apple do — method, headers, the VAPID JWT — and
// decrypts the payload with the browser's keys; a request failing a check
// is answered 400 or 401 and recorded with its problem. A request passing
// them all is answered with status (and location, if set).
type pushService struct {
	*httptest.Server
	browser    *browser
	vapidKey   []byte // the VAPID public key the service expects
	subscriber string // the VAPID sub expected
	status     int
	location   string
	hang       bool // answer only when the client goes away

	mu       sync.Mutex
	requests []pushRequest
}

type pushRequest struct {
	Header  http.Header
	Payload []byte // decrypted
	Problem string // the check that failed, if any
}

func startPushService(t *testing.T, b *browser, vapidPublic, subscriber string, status int) *pushService {
	t.Helper()
	key, err := base64.RawURLEncoding.DecodeString(vapidPublic)
	require.NoError(t, err)
	ps := &pushService{browser: b, vapidKey: key, subscriber: subscriber, status: status}
	release := make(chan struct{})
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payload, code, problem := ps.check(r)
		ps.mu.Lock()
		ps.requests = append(ps.requests, pushRequest{Header: r.Header.Clone(), Payload: payload, Problem: problem})
		ps.mu.Unlock()
		if problem != "" {
			http.Error(w, problem, code)
			return
		}
		if ps.hang {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		if ps.location != "" {
			w.Header().Set("Location", ps.location)
		}
		w.WriteHeader(ps.status)
	}))
	t.Cleanup(ps.Close)
	t.Cleanup(func() { close(release) }) // runs before Close
	return ps
}

// endpoint is the subscription's URL at this service.
func (ps *pushService) endpoint() string { return ps.URL + "/push/v2/" + endpointToken }

func (ps *pushService) received() []pushRequest {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]pushRequest(nil), ps.requests...)
}

// check returns the decrypted payload, or the status and reason to refuse
// the request with.
func (ps *pushService) check(r *http.Request) (payload []byte, status int, problem string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, http.StatusBadRequest, "reading body: " + err.Error()
	}
	switch {
	case r.Method != http.MethodPost:
		return nil, http.StatusMethodNotAllowed, "method " + r.Method
	case r.URL.Path != "/push/v2/"+endpointToken:
		return nil, http.StatusNotFound, "unknown subscription " + r.URL.Path
	case r.Header.Get("Content-Encoding") != "aes128gcm":
		return nil, http.StatusBadRequest, "Content-Encoding " + r.Header.Get("Content-Encoding")
	case len(body) > 4096:
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes", len(body))
	}
	if ttl, err := strconv.Atoi(r.Header.Get("TTL")); err != nil || ttl < 0 {
		return nil, http.StatusBadRequest, "TTL header " + strconv.Quote(r.Header.Get("TTL"))
	}
	origin := "http://" + r.Host
	if err := verifyVAPID(r.Header.Get("Authorization"), origin, ps.subscriber, ps.vapidKey, time.Now()); err != nil {
		return nil, http.StatusUnauthorized, "VAPID: " + err.Error()
	}
	payload, err = ps.browser.decrypt(body)
	if err != nil {
		return nil, http.StatusBadRequest, "payload: " + err.Error()
	}
	return payload, 0, ""
}

// verifyVAPID checks an RFC 8292 Authorization header: "vapid t=<JWT>,
// k=<public key>", the key being the one expected and the JWT an ES256
// token signed with it for aud = the endpoint's origin, sub = the
// subscriber, expiring within 24 hours.
func verifyVAPID(header, origin, subscriber string, key []byte, now time.Time) error {
	params, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return fmt.Errorf("scheme of %q", header)
	}
	var token, k string
	for p := range strings.SplitSeq(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case "t":
			token = value
		case "k":
			k = value
		}
	}
	if k != base64.RawURLEncoding.EncodeToString(key) {
		return fmt.Errorf("k=%q is not the VAPID public key", k)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("t has %d parts", len(parts))
	}
	var head struct{ Alg, Typ string }
	if err := decodeJWTPart(parts[0], &head); err != nil {
		return err
	}
	if head.Alg != "ES256" {
		return fmt.Errorf("alg %q", head.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("signature is not 64 bytes of base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), key)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("signature does not verify")
	}
	var claims struct {
		Aud string
		Sub string
		Exp int64
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return err
	}
	exp := time.Unix(claims.Exp, 0)
	switch {
	case claims.Aud != origin:
		return fmt.Errorf("aud %q, want %q", claims.Aud, origin)
	case claims.Sub != subscriber:
		return fmt.Errorf("sub %q, want %q", claims.Sub, subscriber)
	case !exp.After(now) || exp.After(now.Add(24*time.Hour)):
		return fmt.Errorf("exp %s is not within 24h of %s", exp, now)
	}
	return nil
}

func decodeJWTPart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return fmt.Errorf("JWT part: %w", err)
	}
	return json.Unmarshal(b, v)
}

// vapidKeys returns a fresh VAPID key pair.
func vapidKeys(t *testing.T) (public, private string) {
	t.Helper()
	public, private, err := webpush.GenerateKeys()
	require.NoError(t, err)
	return public, private
}

// newSender returns a Sender allowed to push to httptest's http endpoints
// on 127.0.0.1.
func newSender(t *testing.T, cfg webpush.Config) *webpush.Sender {
	t.Helper()
	cfg.AllowInsecureEndpoints = true
	s, err := webpush.New(cfg)
	require.NoError(t, err)
	return s
}

// assertClean checks that err mentions neither the endpoint's secret nor
// anything of the payload.
func assertClean(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, endpointToken) {
		assert.NotContains(t, err.Error(), s)
	}
}

func TestSendPushDelivers(t *testing.T) {
	tests := []struct {
		name       string
		subscriber string // in Config
		wantSub    string // in the JWT
		defaultTTL time.Duration
		push       notify.Push
		wantHeader map[string]string // "" means absent
	}{
		{
			name:       "all fields",
			subscriber: "mailto:ops@clinic.example",
			wantSub:    "mailto:ops@clinic.example",
			push: notify.Push{
				Title:   "Запись подтверждена",
				Body:    `Завтра в 10:00 <b>&</b> "кабинет 3"` + "\nдо встречи",
				URL:     "/appointments/42?from=push#top",
				TTL:     90 * time.Minute,
				Urgency: "high",
				Topic:   "appointment-42",
			},
			wantHeader: map[string]string{"TTL": "5400", "Urgency": "high", "Topic": "appointment-42"},
		},
		{
			name:       "defaults",
			subscriber: "https://clinic.example/contact",
			wantSub:    "https://clinic.example/contact",
			push:       notify.Push{Title: "Новое сообщение", Body: "Откройте кабинет"},
			wantHeader: map[string]string{"TTL": "86400", "Urgency": "", "Topic": ""},
		},
		{
			name:       "configured TTL rounded up, upper-case mailto",
			subscriber: "MAILTO:ops@clinic.example",
			wantSub:    "mailto:ops@clinic.example",
			defaultTTL: 90*time.Second + time.Millisecond,
			push:       notify.Push{Title: "Hello", URL: "/"},
			wantHeader: map[string]string{"TTL": "91", "Urgency": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			public, private := vapidKeys(t)
			b := newBrowser(t)
			ps := startPushService(t, b, public, tt.wantSub, http.StatusCreated)
			ps.location = "https://push.example.net/message/m-123"
			s := newSender(t, webpush.Config{
				VAPIDPublicKey: public, VAPIDPrivateKey: private,
				Subscriber: tt.subscriber, DefaultTTL: tt.defaultTTL,
			})
			p := tt.push
			p.Subscription = b.subscription(ps.endpoint())

			id, err := s.SendPush(t.Context(), p)

			reqs := ps.received()
			require.Len(t, reqs, 1)
			require.Empty(t, reqs[0].Problem)
			require.NoError(t, err)
			assert.Equal(t, "https://push.example.net/message/m-123", id)
			for name, want := range tt.wantHeader {
				assert.Equal(t, want, reqs[0].Header.Get(name), name)
			}
			// Exactly the documented members, byte for byte.
			var got map[string]any
			require.NoError(t, json.Unmarshal(reqs[0].Payload, &got))
			assert.Equal(t, map[string]any{"title": p.Title, "body": p.Body, "url": p.URL}, got)
			assert.NotContains(t, string(reqs[0].Payload), `\u003c`, "HTML escaping wastes the 4 KB")
		})
	}
}

func TestSendPushStatuses(t *testing.T) {
	const title, body = "Напоминание о приёме", "Завтра в 10:00, кабинет 3"
	tests := []struct {
		status   int
		location string
		wantErr  error // nil, notify.ErrGone, notify.ErrPermanent or notify.ErrTemporary
	}{
		{status: http.StatusCreated, location: "https://push.example.net/m/1"},
		{status: http.StatusCreated}, // no Location: success with an empty id
		{status: http.StatusOK},
		{status: http.StatusAccepted, location: "https://push.example.net/m/2"},
		{status: http.StatusNotFound, wantErr: notify.ErrGone},
		{status: http.StatusGone, wantErr: notify.ErrGone},
		{status: http.StatusBadRequest, wantErr: notify.ErrPermanent},
		{status: http.StatusUnauthorized, wantErr: notify.ErrPermanent},
		{status: http.StatusForbidden, wantErr: notify.ErrPermanent},
		{status: http.StatusRequestEntityTooLarge, wantErr: notify.ErrPermanent},
		{status: http.StatusFound, location: "http://127.0.0.1:1/elsewhere", wantErr: notify.ErrPermanent},
		{status: http.StatusTooManyRequests, wantErr: notify.ErrTemporary},
		{status: http.StatusInternalServerError, wantErr: notify.ErrTemporary},
		{status: http.StatusServiceUnavailable, wantErr: notify.ErrTemporary},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.location), func(t *testing.T) {
			public, private := vapidKeys(t)
			b := newBrowser(t)
			ps := startPushService(t, b, public, "mailto:ops@clinic.example", tt.status)
			ps.location = tt.location
			s := newSender(t, webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"})

			id, err := s.SendPush(t.Context(), notify.Push{Subscription: b.subscription(ps.endpoint()), Title: title, Body: body})

			reqs := ps.received()
			require.Len(t, reqs, 1, "one request, no redirect followed")
			require.Empty(t, reqs[0].Problem)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.location, id)
				return
			}
			require.Error(t, err)
			assert.Empty(t, id)
			assert.Equal(t, tt.wantErr == notify.ErrGone, errors.Is(err, notify.ErrGone), "ErrGone")
			assert.Equal(t, tt.wantErr != notify.ErrTemporary, errors.Is(err, notify.ErrPermanent), "ErrPermanent")
			assert.Equal(t, tt.wantErr == notify.ErrTemporary, errors.Is(err, notify.ErrTemporary), "ErrTemporary")
			var se *webpush.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.status, se.StatusCode)
			assert.Contains(t, err.Error(), strconv.Itoa(tt.status))
			assertClean(t, err, title, body, "/push/v2/")
		})
	}
}

func TestSendPushHungService(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration // Config.Timeout
		cancel  bool          // cancel the caller's context instead
		wantErr error
	}{
		{name: "caller cancels", timeout: time.Minute, cancel: true, wantErr: context.Canceled},
		{name: "timeout", timeout: 200 * time.Millisecond, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			public, private := vapidKeys(t)
			b := newBrowser(t)
			ps := startPushService(t, b, public, "mailto:ops@clinic.example", http.StatusCreated)
			ps.hang = true
			s := newSender(t, webpush.Config{
				VAPIDPublicKey: public, VAPIDPrivateKey: private,
				Subscriber: "mailto:ops@clinic.example", Timeout: tt.timeout,
			})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.cancel {
				time.AfterFunc(200*time.Millisecond, cancel)
			}

			start := time.Now()
			_, err := s.SendPush(ctx, notify.Push{Subscription: b.subscription(ps.endpoint()), Title: "t", Body: "b"})

			require.Error(t, err)
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.ErrorIs(t, err, notify.ErrTemporary)
			assert.NotErrorIs(t, err, notify.ErrPermanent)
			assert.ErrorIs(t, err, tt.wantErr)
			assertClean(t, err)
			require.Len(t, ps.received(), 1)
		})
	}

	t.Run("context done before the call", func(t *testing.T) {
		public, private := vapidKeys(t)
		b := newBrowser(t)
		ps := startPushService(t, b, public, "mailto:ops@clinic.example", http.StatusCreated)
		s := newSender(t, webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()

		_, err := s.SendPush(ctx, notify.Push{Subscription: b.subscription(ps.endpoint()), Title: "t"})

		assert.ErrorIs(t, err, notify.ErrTemporary)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, ps.received())
	})
}

func TestSendPushTruncatesBody(t *testing.T) {
	const title, pageURL = "Результаты анкеты", "/questionnaires/7"
	tests := []struct {
		name string
		body string
		cut  bool
	}{
		{name: "short", body: "Спасибо, анкета получена."},
		{name: "fits exactly", body: strings.Repeat("a", webpush.MaxPayload-len(`{"title":"","body":"","url":""}`)-len(title)-len(pageURL))},
		{name: "two-byte runes", body: strings.Repeat("Здравствуйте! ", 400), cut: true},
		{name: "four-byte runes", body: strings.Repeat("🦷", 2000), cut: true},
		{name: "mixed widths", body: strings.Repeat("a🦷б€", 700), cut: true},
		{name: "escaped characters", body: strings.Repeat("\"\n\\\x01", 1500), cut: true},
		{name: "one byte too many", body: strings.Repeat("a", webpush.MaxPayload-len(`{"title":"","body":"","url":""}`)-len(title)-len(pageURL)+1), cut: true},
	}
	public, private := vapidKeys(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t)
			ps := startPushService(t, b, public, "mailto:ops@clinic.example", http.StatusCreated)
			s := newSender(t, webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"})

			_, err := s.SendPush(t.Context(), notify.Push{Subscription: b.subscription(ps.endpoint()), Title: title, Body: tt.body, URL: pageURL})

			reqs := ps.received()
			require.Len(t, reqs, 1)
			require.Empty(t, reqs[0].Problem)
			require.NoError(t, err)
			raw := reqs[0].Payload
			assert.LessOrEqual(t, len(raw), webpush.MaxPayload)
			require.True(t, utf8.Valid(raw))
			var got struct{ Title, Body, URL string }
			require.NoError(t, json.Unmarshal(raw, &got))
			assert.Equal(t, title, got.Title)
			assert.Equal(t, pageURL, got.URL)
			if !tt.cut {
				assert.Equal(t, tt.body, got.Body)
				return
			}
			kept, ok := strings.CutSuffix(got.Body, "…")
			require.True(t, ok, "a cut body ends with an ellipsis")
			assert.True(t, strings.HasPrefix(tt.body, kept), "the body is cut, not altered")
			assert.True(t, utf8.ValidString(kept))
			// As much as fits is kept: one more rune would add at most 6
			// bytes ("\u0001").
			assert.Greater(t, len(raw), webpush.MaxPayload-6)
		})
	}

	t.Run("title too long", func(t *testing.T) {
		b := newBrowser(t)
		ps := startPushService(t, b, public, "mailto:ops@clinic.example", http.StatusCreated)
		s := newSender(t, webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"})
		_, err := s.SendPush(t.Context(), notify.Push{Subscription: b.subscription(ps.endpoint()), Title: strings.Repeat("Т", 2000), Body: "b"})
		assert.ErrorIs(t, err, notify.ErrPermanent)
		assert.Empty(t, ps.received())
	})
}

// countingTransport counts the requests that reach it and answers 201.
type countingTransport struct{ calls atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

func TestSendPushRefusesBeforeRequest(t *testing.T) {
	public, private := vapidKeys(t)
	b := newBrowser(t)
	good := b.subscription("https://push.example.net/push/v2/" + endpointToken)
	offCurve := append([]byte{4}, bytes.Repeat([]byte{0xff}, 64)...)

	tests := []struct {
		name   string
		modify func(p *notify.Push)
	}{
		{"http endpoint", func(p *notify.Push) { p.Subscription.Endpoint = "http://push.example.net/push/v2/" + endpointToken }},
		{"loopback", func(p *notify.Push) { p.Subscription.Endpoint = "https://127.0.0.1/push/v2/" + endpointToken }},
		{"loopback IPv6", func(p *notify.Push) { p.Subscription.Endpoint = "https://[::1]:8443/push/v2/" + endpointToken }},
		{"IPv4-mapped loopback", func(p *notify.Push) { p.Subscription.Endpoint = "https://[::ffff:127.0.0.1]/push/v2/" + endpointToken }},
		{"private", func(p *notify.Push) { p.Subscription.Endpoint = "https://10.0.0.7/push/v2/" + endpointToken }},
		{"private 192.168", func(p *notify.Push) { p.Subscription.Endpoint = "https://192.168.1.1/push/v2/" + endpointToken }},
		{"cloud metadata", func(p *notify.Push) { p.Subscription.Endpoint = "https://169.254.169.254/push/v2/" + endpointToken }},
		{"shared address space", func(p *notify.Push) { p.Subscription.Endpoint = "https://100.64.0.1/push/v2/" + endpointToken }},
		{"unspecified", func(p *notify.Push) { p.Subscription.Endpoint = "https://0.0.0.0/push/v2/" + endpointToken }},
		{"NAT64 of loopback", func(p *notify.Push) { p.Subscription.Endpoint = "https://[64:ff9b::7f00:1]/push/v2/" + endpointToken }},
		{"empty endpoint", func(p *notify.Push) { p.Subscription.Endpoint = "" }},
		{"relative endpoint", func(p *notify.Push) { p.Subscription.Endpoint = "/push/v2/" + endpointToken }},
		{"unparsable endpoint", func(p *notify.Push) { p.Subscription.Endpoint = "https://push.example.net/%zz/" + endpointToken }},
		{"user info", func(p *notify.Push) {
			p.Subscription.Endpoint = "https://u:p@push.example.net/push/v2/" + endpointToken
		}},
		{"p256dh not base64", func(p *notify.Push) { p.Subscription.P256dh = "not base64!" }},
		{"p256dh empty", func(p *notify.Push) { p.Subscription.P256dh = "" }},
		{"p256dh too short", func(p *notify.Push) { p.Subscription.P256dh = p.Subscription.P256dh[:40] }},
		{"p256dh off the curve", func(p *notify.Push) { p.Subscription.P256dh = base64.RawURLEncoding.EncodeToString(offCurve) }},
		{"auth wrong length", func(p *notify.Push) { p.Subscription.Auth = base64.RawURLEncoding.EncodeToString(make([]byte, 12)) }},
		{"auth not base64", func(p *notify.Push) { p.Subscription.Auth = "%%%" }},
		{"empty title", func(p *notify.Push) { p.Title = "" }},
		{"absolute URL", func(p *notify.Push) { p.URL = "https://evil.example/" }},
		{"protocol-relative URL", func(p *notify.Push) { p.URL = "//evil.example/" }},
		{"backslash URL", func(p *notify.Push) { p.URL = `/\evil.example/` }},
		{"javascript URL", func(p *notify.Push) { p.URL = "javascript:alert(1)" }},
		{"unknown urgency", func(p *notify.Push) { p.Urgency = "urgent" }},
		{"topic too long", func(p *notify.Push) { p.Topic = strings.Repeat("t", 33) }},
		{"topic not base64url", func(p *notify.Push) { p.Topic = "appointment 42" }},
		{"negative TTL", func(p *notify.Push) { p.TTL = -time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &countingTransport{}
			s, err := webpush.New(webpush.Config{
				VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example",
				HTTPClient: &http.Client{Transport: tr},
			})
			require.NoError(t, err)
			p := notify.Push{Subscription: good, Title: "Напоминание", Body: "Завтра в 10:00"}
			tt.modify(&p)

			_, err = s.SendPush(t.Context(), p)

			require.Error(t, err)
			assert.ErrorIs(t, err, notify.ErrPermanent)
			assert.NotErrorIs(t, err, notify.ErrTemporary)
			assert.NotErrorIs(t, err, notify.ErrGone)
			assert.Zero(t, tr.calls.Load(), "no request")
			assertClean(t, err, "Завтра в 10:00")
		})
	}

	t.Run("the same push is sent when valid", func(t *testing.T) {
		tr := &countingTransport{}
		s, err := webpush.New(webpush.Config{
			VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example",
			HTTPClient: &http.Client{Transport: tr},
		})
		require.NoError(t, err)
		// Padded and standard base64 keys are accepted too.
		sub := good
		sub.P256dh = base64.StdEncoding.EncodeToString(b.key.PublicKey().Bytes())
		sub.Auth = base64.URLEncoding.EncodeToString(b.auth)
		_, err = s.SendPush(t.Context(), notify.Push{Subscription: sub, Title: "Напоминание", URL: "/a", Urgency: "very-low", Topic: "Ab-_9"})
		require.NoError(t, err)
		assert.Equal(t, int32(1), tr.calls.Load())
	})
}

// TestSendPushDialGuard checks that the default client refuses a name that
// resolves to a non-public address when it connects.
func TestSendPushDialGuard(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	public, private := vapidKeys(t)
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"})
	require.NoError(t, err)
	b := newBrowser(t)

	_, err = s.SendPush(t.Context(), notify.Push{
		Subscription: b.subscription("https://localhost:" + u.Port() + "/push/v2/" + endpointToken),
		Title:        "t",
	})

	require.Error(t, err)
	assert.ErrorIs(t, err, notify.ErrPermanent)
	assert.NotErrorIs(t, err, notify.ErrGone)
	assert.Zero(t, hits.Load())
	assertClean(t, err)
}

func TestSendPushConcurrent(t *testing.T) {
	public, private := vapidKeys(t)
	b := newBrowser(t)
	ps := startPushService(t, b, public, "mailto:ops@clinic.example", http.StatusCreated)
	s := newSender(t, webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"})

	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.SendPush(t.Context(), notify.Push{
				Subscription: b.subscription(ps.endpoint()),
				Title:        "Сообщение " + strconv.Itoa(i),
			})
		})
	}
	wg.Wait()

	for _, err := range errs {
		assert.NoError(t, err)
	}
	titles := map[string]bool{}
	for _, r := range ps.received() {
		require.Empty(t, r.Problem)
		var got struct{ Title string }
		require.NoError(t, json.Unmarshal(r.Payload, &got))
		titles[got.Title] = true
	}
	assert.Len(t, titles, n)
}

func TestNew(t *testing.T) {
	public, private := vapidKeys(t)
	otherPublic, _ := vapidKeys(t)
	valid := func() webpush.Config {
		return webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example"}
	}
	rawPublic, err := base64.RawURLEncoding.DecodeString(public)
	require.NoError(t, err)

	tests := []struct {
		name   string
		modify func(c *webpush.Config)
		field  string // named in the error
	}{
		{"public key missing", func(c *webpush.Config) { c.VAPIDPublicKey = "" }, "VAPIDPublicKey"},
		{"public key not base64", func(c *webpush.Config) { c.VAPIDPublicKey = "not a key!" }, "VAPIDPublicKey"},
		{"public key compressed", func(c *webpush.Config) {
			c.VAPIDPublicKey = base64.RawURLEncoding.EncodeToString(append([]byte{2 | rawPublic[64]&1}, rawPublic[1:33]...))
		}, "VAPIDPublicKey"},
		{"public key given twice", func(c *webpush.Config) { c.VAPIDPrivateKey = c.VAPIDPublicKey }, "VAPIDPrivateKey"},
		{"private key missing", func(c *webpush.Config) { c.VAPIDPrivateKey = "" }, "VAPIDPrivateKey"},
		{"private key not base64", func(c *webpush.Config) { c.VAPIDPrivateKey = c.VAPIDPrivateKey + "!" }, "VAPIDPrivateKey"},
		{"private key short", func(c *webpush.Config) { c.VAPIDPrivateKey = c.VAPIDPrivateKey[:40] }, "VAPIDPrivateKey"},
		{"keys from different pairs", func(c *webpush.Config) { c.VAPIDPublicKey = otherPublic }, "VAPIDPrivateKey"},
		{"subscriber missing", func(c *webpush.Config) { c.Subscriber = "" }, "Subscriber"},
		{"subscriber bare address", func(c *webpush.Config) { c.Subscriber = "ops@clinic.example" }, "Subscriber"},
		{"subscriber mailto without address", func(c *webpush.Config) { c.Subscriber = "mailto:ops" }, "Subscriber"},
		{"subscriber http", func(c *webpush.Config) { c.Subscriber = "http://clinic.example/" }, "Subscriber"},
		{"subscriber with space", func(c *webpush.Config) { c.Subscriber = "mailto:ops@clinic.example bcc" }, "Subscriber"},
		{"negative timeout", func(c *webpush.Config) { c.Timeout = -time.Second }, "Timeout"},
		{"negative default TTL", func(c *webpush.Config) { c.DefaultTTL = -time.Second }, "DefaultTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.modify(&cfg)
			s, err := webpush.New(cfg)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), "Config."+tt.field)
			assert.NotContains(t, err.Error(), private)
			if cfg.VAPIDPrivateKey != "" {
				assert.NotContains(t, err.Error(), cfg.VAPIDPrivateKey)
			}
		})
	}

	t.Run("valid", func(t *testing.T) {
		s, err := webpush.New(valid())
		require.NoError(t, err)
		assert.Equal(t, public, s.PublicKey())
	})
	t.Run("padded keys", func(t *testing.T) {
		cfg := valid()
		cfg.VAPIDPublicKey = base64.URLEncoding.EncodeToString(rawPublic)
		rawPrivate, err := base64.RawURLEncoding.DecodeString(private)
		require.NoError(t, err)
		cfg.VAPIDPrivateKey = base64.URLEncoding.EncodeToString(rawPrivate)
		s, err := webpush.New(cfg)
		require.NoError(t, err)
		assert.Equal(t, public, s.PublicKey(), "PublicKey is unpadded, as applicationServerKey wants it")
	})
}

func TestGenerateKeys(t *testing.T) {
	public1, private1 := vapidKeys(t)
	public2, private2 := vapidKeys(t)
	assert.NotEqual(t, public1, public2)
	assert.NotEqual(t, private1, private2)

	pub, err := base64.RawURLEncoding.DecodeString(public1)
	require.NoError(t, err)
	priv, err := base64.RawURLEncoding.DecodeString(private1)
	require.NoError(t, err)
	key, err := ecdh.P256().NewPrivateKey(priv)
	require.NoError(t, err)
	assert.Equal(t, pub, key.PublicKey().Bytes(), "the pair belongs together, public first")
}

// FuzzSendPush sends arbitrary texts through an in-process push service
// that decrypts them: the payload is always valid JSON within MaxPayload,
// and a valid title and URL arrive unchanged. Its inputs pass 4 KB, which
// makes minimizing slow: fuzz with -fuzzminimizetime=20x.
func FuzzSendPush(f *testing.F) {
	f.Add("Запись", "Завтра в 10:00", "/appointments/1")
	f.Add("t", strings.Repeat("🦷\"", 1500), "")
	f.Add(strings.Repeat("x", 3980), "body", "/")
	f.Add("\xff\xfe", "\xed\xa0\x80 bad utf-8", "/\u2028")
	f.Add("<script>", "&amp;", "/a?b=<c>")

	public, private, err := webpush.GenerateKeys()
	require.NoError(f, err)
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(f, err)
	b := &browser{key: key, auth: bytes.Repeat([]byte{7}, 16)}
	var (
		mu      sync.Mutex
		payload []byte
	)
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		plain, err := b.decrypt(body)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		payload = plain
		mu.Unlock()
		return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})}
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: public, VAPIDPrivateKey: private, Subscriber: "mailto:ops@clinic.example", HTTPClient: client})
	require.NoError(f, err)
	sub := b.subscription("https://push.example.net/push/v2/" + endpointToken)

	f.Fuzz(func(t *testing.T, title, body, pageURL string) {
		mu.Lock()
		payload = nil
		mu.Unlock()
		_, err := s.SendPush(t.Context(), notify.Push{Subscription: sub, Title: title, Body: body, URL: pageURL})
		if err != nil {
			require.ErrorIs(t, err, notify.ErrPermanent, "only refusals, the transport always accepts")
			mu.Lock()
			assert.Nil(t, payload, "refused before sending")
			mu.Unlock()
			return
		}
		mu.Lock()
		raw := payload
		mu.Unlock()
		require.LessOrEqual(t, len(raw), webpush.MaxPayload)
		var got struct{ Title, Body, URL string }
		require.NoError(t, json.Unmarshal(raw, &got))
		if utf8.ValidString(title) && utf8.ValidString(pageURL) {
			assert.Equal(t, title, got.Title)
			assert.Equal(t, pageURL, got.URL)
		}
		if utf8.ValidString(body) && got.Body != body {
			kept, ok := strings.CutSuffix(got.Body, "…")
			require.True(t, ok)
			assert.True(t, strings.HasPrefix(body, kept))
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
