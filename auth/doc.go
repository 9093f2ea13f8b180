// Package auth owns who a person is to the cabinet: users and their roles,
// passwordless sign-in by one-time code, sessions, rate limits, identifier
// normalisation, permission checks and the audit trail of security events.
//
// What it promises:
//
//   - Codes are 6 digits from crypto/rand, stored only as an HMAC-SHA-256 under a
//     server secret, compared in constant time, single use, bound to their
//     challenge, short-lived (5 minutes by default) and limited to a few attempts
//     that are counted before the comparison and kept when it fails.
//   - "Send me a code" answers the same way whether or not the identifier has an
//     account; sign-up is sign-in.
//   - Every limit (resend cooldown, per-identifier, per-IP, global SMS budget,
//     failed verifications across challenges) is kept in the Store, so it holds
//     across restarts and across several instances.
//   - Session tokens are 256-bit random values stored only as a hash; checking one
//     costs no write on most requests.
//   - Codes, tokens and raw contacts are never logged; the audit trail keeps a
//     masked identifier.
//
// The package imports none of Kabinet's other packages: storage comes in as a
// Store, delivery of codes as a CodeSender, time as Config.Now.
package auth
