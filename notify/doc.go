// Package notify owns Kabinet's outgoing messages: what they say, to whom and
// on which channel, and how they leave — durably, once, and never at night
// unless they must.
//
// It imports no other Kabinet package. Its parts:
//
//   - Senders. SMSSender, MailSender and PushSender deliver one message each
//     and return the provider's ID of it. SMTP sends mail through a relay
//     (STARTTLS by default) with attachments; WebhookSMS posts SMS to an HTTP
//     bridge; the subpackages smsru, twilio and webpush speak to SMS.ru,
//     Twilio and Web Push services (VAPID); DevOutbox keeps everything in
//     memory for development and tests, with JSON and HTML views.
//   - Failures. A sender's error matches exactly one of ErrPermanent
//     (retrying cannot help: bad number, rejected message) or ErrTemporary
//     (try again later: timeout, 4xx SMTP, HTTP 429 or 5xx, insufficient
//     balance, cancelled context), through a *SendError; a push subscription
//     the push service no longer knows also matches ErrGone. Callers branch
//     on errors.Is, never on text.
//   - Templates. Templates renders each kind of message (KindCode,
//     KindAppointmentBooked, KindReminder, KindAftercareCheck…, see
//     data.go) per locale (ru, en) and channel (sms, email with an HTML
//     part, push) from files embedded in the package, which an embedder can
//     override or extend by name through an fs.FS. Plural and the date
//     functions word counts, dates and times in the file's own language;
//     SMSSegments and FitSMS keep SMS within a length budget.
//   - The outbox. A Notifier turns a Request (a client, a category, a kind,
//     a key) into Messages — one per channel the client chose for the
//     category (Settings), rendered in their language — and queues them in
//     the Store. Marketing categories need the client's recorded consent;
//     categories other than security and appointments wait out the client's
//     quiet hours (default 21:00–09:00 in their zone). DispatchOnce and Run
//     deliver what is due. Batch plans many requests in few transactions.
//
// # Delivery
//
// Every message is a row in the store before anything is sent, with a unique
// key: queuing the same notification twice sends it once. Dispatchers claim
// due messages with a lease, so any number of them — in one process or
// several on one database — never hold one message at once. A temporary
// failure is retried after RetryBase × 2^attempts with jitter, up to
// MaxAttempts; a permanent one fails at once; a message past its ExpiresAt
// (a reminder after its visit began) is withdrawn, not sent. The outcome and
// the provider's message ID are kept for staff.
//
// A dispatcher starts a send only while its lease would outlast it (now +
// SendTimeout before LeaseUntil) and gives back the rest of a slow batch, so
// a lease never runs out mid-send. Leases compare the clocks of the
// dispatchers' hosts: keep them in sync (NTP); skew eats into that margin.
// An SMS or e-mail goes to the client's phone or address as it is when it is
// sent, not when it was planned, and is withdrawn if the client can no
// longer be reached; a temporary failure of a message that waits out quiet
// hours is retried outside them too.
//
// Delivery is at least once at exactly one edge: a message a provider
// accepted whose outcome could not be recorded — the process died, or its
// lease ran out, between the provider's answer and the store's write — is
// sent again when its lease expires. Nothing else is sent twice, and a
// process that dies loses nothing: its leases run out and another dispatcher
// takes the messages over. A dispatcher that is stopped (its context
// cancelled) releases what it holds at once.
//
// Sign-in codes do not go through the outbox: they are sent while the client
// waits, so a failure can be answered at once, and they never rest in the
// database in clear. They use the same templates and senders.
//
// # Promises
//
//   - This package logs only through the injected logger, and neither its
//     logs nor its errors contain a message's text, body or subject (which
//     may carry a code), a provider's response body, a URL that may carry a
//     secret (webhook, push endpoint), or the recipient list go-mail would
//     add. SMTP replies and HTTP status codes are kept: they are what an
//     operator needs.
//   - SMS and push bodies never name a procedure or anything about the
//     client's health: they pass through third parties in clear and show on
//     lock screens. E-mails name the procedure only when the data carries it
//     (the cabinet leaves it out unless the clinic opts in).
//   - A sender holds no goroutines and no global state; each call does its
//     own I/O under the caller's context, and a done context aborts it.
//   - Any 2xx from a provider is success, so a 202 is never resent.
package notify
