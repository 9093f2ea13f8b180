package webpush

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	webpushgo "github.com/SherClockHolmes/webpush-go"

	"github.com/kabinet-dev/kabinet/notify"
)

// Defaults for the zero fields of Config.
const (
	DefaultTimeout = 10 * time.Second
	DefaultTTL     = 24 * time.Hour
)

// MaxPayload is the largest JSON payload, in bytes, that fits one Web Push
// message: 4096 bytes less the aes128gcm header (86), the GCM tag (16) and
// the padding delimiter (1).
const MaxPayload = 4096 - 86 - 16 - 1

// ellipsis ends a body that was cut to fit MaxPayload.
const ellipsis = "…"

// Config configures a Sender. Zero fields mean the documented default.
type Config struct {
	// VAPIDPublicKey and VAPIDPrivateKey are the VAPID key pair, base64url
	// (padding optional), as GenerateKeys returns them: a 65-byte
	// uncompressed P-256 point and a 32-byte scalar. Both are required, and
	// they must belong together.
	VAPIDPublicKey  string
	VAPIDPrivateKey string
	// Subscriber is the contact the push services see: "mailto:" and an
	// address, or an https URL. Required.
	Subscriber string
	// HTTPClient defaults to a client that connects only to public
	// addresses, uses no proxy and follows no redirect. A client given here
	// is used as it is; see the package documentation on endpoints.
	HTTPClient *http.Client
	// Timeout bounds one request, default 10s.
	Timeout time.Duration
	// DefaultTTL is how long a push service keeps a message for an offline
	// browser when Push.TTL is zero, default 24h. Whole seconds are sent,
	// rounded up.
	DefaultTTL time.Duration
	// AllowInsecureEndpoints allows http endpoints and endpoints on
	// loopback, private and other non-public addresses. It exists for tests
	// (httptest serves http on 127.0.0.1) and development: in production it
	// lets any client make the server send requests into its own network.
	AllowInsecureEndpoints bool
}

// Sender sends Web Push notifications signed with one VAPID key pair. It is
// safe for concurrent use.
type Sender struct {
	publicKey     string // raw base64url
	privateKey    string // raw base64url
	subscriber    string // as the library wants it: see parseSubscriber
	client        *http.Client
	timeout       time.Duration
	ttl           time.Duration
	allowInsecure bool
}

var _ notify.PushSender = (*Sender)(nil)

// New checks cfg and returns a Sender; a bad field fails here with an error
// naming it (and never repeating a key).
func New(cfg Config) (*Sender, error) {
	if cfg.VAPIDPublicKey == "" {
		return nil, errors.New("webpush: Config.VAPIDPublicKey is required")
	}
	pub, err := decodeKey(cfg.VAPIDPublicKey)
	if err != nil {
		return nil, errors.New("webpush: Config.VAPIDPublicKey is not base64url")
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return nil, errors.New("webpush: Config.VAPIDPublicKey is not an uncompressed P-256 point (65 bytes)")
	}
	if cfg.VAPIDPrivateKey == "" {
		return nil, errors.New("webpush: Config.VAPIDPrivateKey is required")
	}
	privBytes, err := decodeKey(cfg.VAPIDPrivateKey)
	if err != nil {
		return nil, errors.New("webpush: Config.VAPIDPrivateKey is not base64url")
	}
	priv, err := ecdh.P256().NewPrivateKey(privBytes)
	if err != nil {
		return nil, errors.New("webpush: Config.VAPIDPrivateKey is not a P-256 private key (32 bytes)")
	}
	if !bytes.Equal(priv.PublicKey().Bytes(), pub) {
		return nil, errors.New("webpush: Config.VAPIDPrivateKey does not belong to Config.VAPIDPublicKey")
	}
	subscriber, err := parseSubscriber(cfg.Subscriber)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("webpush: Config.Timeout %s is negative", cfg.Timeout)
	}
	if cfg.DefaultTTL < 0 {
		return nil, fmt.Errorf("webpush: Config.DefaultTTL %s is negative", cfg.DefaultTTL)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = defaultClient(cfg.AllowInsecureEndpoints)
	}
	return &Sender{
		publicKey:     base64.RawURLEncoding.EncodeToString(pub),
		privateKey:    base64.RawURLEncoding.EncodeToString(privBytes),
		subscriber:    subscriber,
		client:        client,
		timeout:       cmp.Or(cfg.Timeout, DefaultTimeout),
		ttl:           cmp.Or(cfg.DefaultTTL, DefaultTTL),
		allowInsecure: cfg.AllowInsecureEndpoints,
	}, nil
}

// GenerateKeys creates a VAPID key pair, base64url without padding, for
// Config. An operator runs it once and keeps both.
func GenerateKeys() (public, private string, err error) {
	// The library returns the private key first.
	private, public, err = webpushgo.GenerateVAPIDKeys()
	if err != nil {
		return "", "", fmt.Errorf("webpush: generating VAPID keys: %w", err)
	}
	return public, private, nil
}

// PublicKey returns the VAPID public key, base64url without padding: the
// applicationServerKey the browser needs to subscribe.
func (s *Sender) PublicKey() string { return s.publicKey }

// SendPush encrypts p for p.Subscription and posts it to the
// subscription's push service.
//
// It returns the push service's Location of the message on any 2xx (empty
// when there is none). Errors match notify.ErrGone for 404 and 410,
// notify.ErrTemporary for 408, 429, 5xx, network errors, timeouts and a
// done ctx, and notify.ErrPermanent otherwise, including a push refused
// before any request: an endpoint that is not https or not public (unless
// Config.AllowInsecureEndpoints), subscription keys that do not decode, an
// empty Title, a URL that is not a path, an unknown Urgency, a Topic that
// is not 1 to 32 base64url characters, a negative TTL, or a Title and URL
// too long for MaxPayload. Errors never contain the endpoint, the payload
// or the response body.
func (s *Sender) SendPush(ctx context.Context, p notify.Push) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", notify.Temporary(err)
	}
	sub, err := s.subscription(p.Subscription)
	if err != nil {
		return "", notify.Permanent(err)
	}
	opts, err := s.options(p)
	if err != nil {
		return "", notify.Permanent(err)
	}
	payload, err := encodePayload(p)
	if err != nil {
		return "", notify.Permanent(err)
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := webpushgo.SendNotificationWithContext(ctx, payload, sub, opts)
	if err != nil {
		return "", sendError(err)
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused; the body is never
	// read into an error.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return resp.Header.Get("Location"), nil
	case code == http.StatusNotFound, code == http.StatusGone:
		return "", notify.Gone(&StatusError{StatusCode: code})
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return "", notify.Temporary(&StatusError{StatusCode: code})
	default:
		return "", notify.Permanent(&StatusError{StatusCode: code})
	}
}

// StatusError is the cause of a failed push that got an answer: the push
// service's status code.
type StatusError struct {
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webpush: push service answered HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// subscription checks sub and returns it in the library's form, with the
// keys re-encoded as unpadded base64url.
func (s *Sender) subscription(sub notify.Subscription) (*webpushgo.Subscription, error) {
	if sub.Endpoint == "" {
		return nil, errors.New("webpush: Subscription.Endpoint is empty")
	}
	// The parse error would repeat the endpoint.
	u, err := url.Parse(sub.Endpoint)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("webpush: Subscription.Endpoint is not an absolute URL")
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !s.allowInsecure) {
		return nil, errors.New("webpush: Subscription.Endpoint is not https")
	}
	if u.User != nil {
		return nil, errors.New("webpush: Subscription.Endpoint carries user information")
	}
	if !s.allowInsecure {
		if addr, err := netip.ParseAddr(u.Hostname()); err == nil && !publicAddr(addr) {
			return nil, errNonPublicAddress
		}
	}
	p256dh, err := decodeKey(sub.P256dh)
	if err != nil {
		return nil, errors.New("webpush: Subscription.P256dh is not base64url")
	}
	if _, err := ecdh.P256().NewPublicKey(p256dh); err != nil {
		return nil, errors.New("webpush: Subscription.P256dh is not an uncompressed P-256 point (65 bytes)")
	}
	auth, err := decodeKey(sub.Auth)
	if err != nil {
		return nil, errors.New("webpush: Subscription.Auth is not base64url")
	}
	if len(auth) != 16 {
		return nil, fmt.Errorf("webpush: Subscription.Auth is %d bytes, want 16", len(auth))
	}
	return &webpushgo.Subscription{
		Endpoint: sub.Endpoint,
		Keys: webpushgo.Keys{
			Auth:   base64.RawURLEncoding.EncodeToString(auth),
			P256dh: base64.RawURLEncoding.EncodeToString(p256dh),
		},
	}, nil
}

// options checks the delivery settings of p and returns the library's
// options for it.
func (s *Sender) options(p notify.Push) (*webpushgo.Options, error) {
	if p.TTL < 0 {
		return nil, fmt.Errorf("webpush: Push.TTL %s is negative", p.TTL)
	}
	ttl := cmp.Or(p.TTL, s.ttl)
	switch webpushgo.Urgency(p.Urgency) {
	case "", webpushgo.UrgencyVeryLow, webpushgo.UrgencyLow, webpushgo.UrgencyNormal, webpushgo.UrgencyHigh:
	default:
		return nil, fmt.Errorf("webpush: Push.Urgency %q is not very-low, low, normal or high", p.Urgency)
	}
	if p.Topic != "" && !validTopic(p.Topic) {
		return nil, errors.New("webpush: Push.Topic is not 1 to 32 base64url characters")
	}
	return &webpushgo.Options{
		HTTPClient:      s.client,
		Subscriber:      s.subscriber,
		Topic:           p.Topic,
		TTL:             int((ttl + time.Second - 1) / time.Second),
		Urgency:         webpushgo.Urgency(p.Urgency),
		VAPIDPublicKey:  s.publicKey,
		VAPIDPrivateKey: s.privateKey,
	}, nil
}

// payload is what the service worker receives; see the package
// documentation.
type payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
}

// encodePayload returns p as the JSON payload, its body cut at a rune
// boundary (and ended with an ellipsis) when the whole would exceed
// MaxPayload.
func encodePayload(p notify.Push) ([]byte, error) {
	if p.Title == "" {
		return nil, errors.New("webpush: Push.Title is empty")
	}
	if p.URL != "" && (!strings.HasPrefix(p.URL, "/") || strings.HasPrefix(p.URL, "//") || strings.HasPrefix(p.URL, `/\`)) {
		// "//host" and, in browsers, "/\host" lead to another site.
		return nil, errors.New("webpush: Push.URL is not a path within the cabinet")
	}
	full, err := marshalPayload(payload{Title: p.Title, Body: p.Body, URL: p.URL})
	if err != nil {
		return nil, err
	}
	if len(full) <= MaxPayload {
		return full, nil
	}

	// The encoded length grows with the prefix kept, so search for the
	// longest prefix (ending on a rune boundary) that still fits.
	var cuts []int
	for i := range p.Body {
		cuts = append(cuts, i)
	}
	var encodeErr error
	cut := func(i int) []byte {
		b, err := marshalPayload(payload{Title: p.Title, Body: p.Body[:cuts[i]] + ellipsis, URL: p.URL})
		if err != nil {
			encodeErr = err
		}
		return b
	}
	n := sort.Search(len(cuts), func(i int) bool { return len(cut(i)) > MaxPayload })
	if encodeErr != nil {
		return nil, encodeErr
	}
	if n == 0 {
		return nil, fmt.Errorf("webpush: Push.Title and Push.URL leave no room for the body in %d bytes", MaxPayload)
	}
	return cut(n - 1), nil
}

// marshalPayload encodes v as compact JSON without HTML escaping, which
// would make "<", ">" and "&" six bytes each.
func marshalPayload(v payload) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, errors.New("webpush: encoding the payload failed")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sendError classifies an error of the library: a failed request is
// temporary (unless it was refused for its address), anything before it
// permanent. The endpoint is dropped from it.
func sendError(err error) error {
	if errors.Is(err, errNonPublicAddress) {
		return notify.Permanent(errNonPublicAddress)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Op == "parse" {
			return notify.Permanent(errors.New("webpush: Subscription.Endpoint is not a valid URL"))
		}
		return notify.Temporary(&requestError{op: ue.Op, err: ue.Err})
	}
	return notify.Permanent(fmt.Errorf("webpush: preparing the push failed: %w", err))
}

// requestError is a *url.Error without the URL, which is a capability.
type requestError struct {
	op  string
	err error
}

func (e *requestError) Error() string { return "webpush: " + e.op + ": " + e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

// parseSubscriber checks the VAPID contact and returns it as webpush-go
// v1.4.0 wants it: that version prefixes "mailto:" to anything not starting
// with "https:", so a "mailto:" given here is passed without it (a doubled
// prefix makes Apple refuse every request with 403 BadJwtToken).
func parseSubscriber(s string) (string, error) {
	const mailto = "mailto:"
	switch {
	case s == "":
		return "", errors.New("webpush: Config.Subscriber is required")
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || r == utf8.RuneError }):
		return "", errors.New("webpush: Config.Subscriber contains spaces or control characters")
	case len(s) > len(mailto) && strings.EqualFold(s[:len(mailto)], mailto):
		addr := s[len(mailto):]
		if at := strings.LastIndexByte(addr, '@'); at <= 0 || at == len(addr)-1 {
			return "", errors.New(`webpush: Config.Subscriber "mailto:" needs an e-mail address`)
		}
		return addr, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "", errors.New(`webpush: Config.Subscriber is neither "mailto:" and an address nor an https URL`)
	}
	return u.String(), nil
}

// validTopic reports whether t is a valid Topic header (RFC 8030 5.4): at
// most 32 characters of the base64url alphabet.
func validTopic(t string) bool {
	if len(t) > 32 {
		return false
	}
	for _, r := range t {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// decodeKey decodes base64url or standard base64, with or without padding,
// as browsers and libraries hand keys around in both.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.Strict().DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

// errNonPublicAddress refuses an endpoint, given or resolved, that is not a
// public address.
var errNonPublicAddress = errors.New("webpush: Subscription.Endpoint is on a loopback, private or reserved address")

// defaultClient returns the client used when Config.HTTPClient is nil: no
// proxy (its address would be checked instead of the push service's), no
// redirects, and unless allowInsecure only public addresses.
func defaultClient(allowInsecure bool) *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !allowInsecure {
		dialer.Control = refuseNonPublic
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		},
		// Push services do not redirect; a redirect is the answer, and a
		// permanent failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refuseNonPublic is a net.Dialer Control function: it runs after DNS
// resolution, on the address about to be connected to.
func refuseNonPublic(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !publicAddr(ap.Addr()) {
		return errNonPublicAddress
	}
	return nil
}

// nonPublic lists special-purpose ranges (RFC 6890 and successors) that
// netip.Addr's predicates leave out.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier-grade NAT, cloud internals)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// nat64 is the well-known NAT64 prefix, which embeds an IPv4 address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// publicAddr reports whether a is a public unicast address.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if nat64.Contains(a) {
		b := a.As16()
		return publicAddr(netip.AddrFrom4([4]byte(b[12:])))
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
