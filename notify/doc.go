// Package notify owns Kabinet's outgoing messages: what they say and how
// they leave.
//
// It has three parts, none of which imports another Kabinet package:
//
//   - Messages and senders. SMS and Mail are single messages; SMSSender and
//     MailSender deliver one each. SMTP sends mail through a relay
//     (STARTTLS by default), WebhookSMS posts SMS to an HTTP bridge in
//     front of any provider, and DevOutbox keeps everything in memory for
//     development and tests, with JSON and HTML views.
//   - Failures. A sender's error always matches exactly one of
//     ErrPermanent (retrying cannot help: bad address, rejected message)
//     or ErrTemporary (try again later: timeout, 4xx SMTP, HTTP 429 or
//     5xx, cancelled context), through a *SendError. Callers branch on
//     errors.Is, never on text.
//   - Templates. Templates renders each kind of message per locale and
//     channel from text/template and html/template files embedded in the
//     package, which an embedder can override by name. The kind needed for
//     sign-in is KindCode with CodeData, in Russian (the default) and
//     English. Plural gives the right word form for a count.
//
// # Promises
//
//   - This package never logs, and its errors never contain a message's
//     text, body or subject (which may carry a sign-in code), a provider's
//     response body, a webhook URL (which may carry a secret), or the
//     recipient list go-mail would add. SMTP replies and HTTP status codes
//     are kept: they are what an operator needs.
//   - Bodies carry no health information. The templates here speak only of
//     codes and sign-in; a new kind must keep to that, since SMS and e-mail
//     pass through third parties in clear. Say "you have a new message in
//     your account", not what it is about.
//   - A sender holds no goroutines and no global state; each call does its
//     own I/O under the caller's context, and a done context aborts it.
//   - Any 2xx from an SMS bridge is success, so a 202 is never resent.
//
// Queueing, retries, idempotency and preferences are not here yet: a later
// transactional outbox will call these senders and use ErrPermanent and
// ErrTemporary to decide between failing a message and retrying it.
package notify
