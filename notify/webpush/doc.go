// Package webpush delivers notify.Push messages to browsers through the Web
// Push protocol (RFC 8030), encrypted for the subscription (RFC 8291,
// aes128gcm) and signed with the clinic's VAPID key (RFC 8292). It wraps
// github.com/SherClockHolmes/webpush-go and implements notify.PushSender.
//
// # Keys
//
// An operator creates a VAPID key pair once with GenerateKeys and keeps it
// in the configuration: changing it invalidates every subscription, because
// browsers bind a subscription to the key they were given. The public key,
// Sender.PublicKey, is what the cabinet's page passes to
// pushManager.subscribe as applicationServerKey. Config.Subscriber is the
// contact the push services see in every request ("mailto:…" or an https
// URL); Apple's push service refuses requests without a well-formed one.
//
// # Payload
//
// The browser receives, decrypted, one JSON object with exactly three
// string members, which the cabinet's service worker reads:
//
//	{"title":"…","body":"…","url":"/appointments/…"}
//
// url is a path within the cabinet to open when the notification is
// clicked, or "" for the start page; SendPush refuses anything else (an
// absolute or protocol-relative URL), so a notification cannot lead away
// from the cabinet. Characters are not HTML-escaped: the service worker
// must display them as text.
//
// A Web Push message carries at most 4096 bytes, which leaves MaxPayload
// (3993) bytes of JSON. A longer body is cut at a rune boundary and ends
// with "…"; a title and url that alone do not fit are refused. Every
// message is padded to the full 4096 bytes, so its size tells an observer
// of the push service nothing about its content.
//
// # Endpoints are capabilities, and client input
//
// A subscription's endpoint comes from the browser, that is from the
// client, and whoever knows it can push to that browser. So:
//
//   - SendPush refuses, before any request and as a permanent failure, an
//     endpoint that is not https, a literal loopback, private, link-local
//     or otherwise non-public address, and keys that do not decode to a
//     P-256 public key and a 16-byte auth secret. The default HTTP client
//     also checks every address it connects to after DNS resolution (so a
//     public name pointing at 127.0.0.1 or a cloud metadata address is
//     refused too), uses no proxy and follows no redirect. Together they
//     stop a client from making the server send requests into its own
//     network (SSRF). Config.AllowInsecureEndpoints lifts these checks, for
//     tests and development only. A Config.HTTPClient replaces the
//     connection-time check: give it a dialer with the same rule.
//   - Errors carry the HTTP status or the network failure, never the
//     endpoint's path, the payload, or a response body. The package never
//     logs.
//
// # Outcomes
//
// SendPush returns the push service's Location of the message (possibly
// empty) on any 2xx. Otherwise the error matches, by errors.Is:
//
//   - notify.ErrGone (and notify.ErrPermanent) for 404 and 410: the
//     subscription has expired or the browser unsubscribed; delete it.
//   - notify.ErrPermanent for 400, 401/403 (the VAPID signature or
//     Subscriber was rejected: a configuration problem), 413, other 4xx
//     and 3xx, and for a push refused before sending.
//   - notify.ErrTemporary for 408, 429, 5xx, network errors, timeouts and
//     a done context; retry later.
//
// A *StatusError in the chain gives the status code. A Sender holds no
// goroutines and is safe for concurrent use.
package webpush
