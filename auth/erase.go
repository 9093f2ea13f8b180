package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Deleting one's own account is confirmed with a fresh code, as signing in
// is: a stolen session alone cannot erase a client. The code goes to the
// account's own phone or e-mail (RequestEraseCode) and is checked and
// consumed by ConfirmErase; what the erasure then does is the card's
// business (cabinet/card). Staff accounts are not erased this way — their
// IDs stand in other clients' records — an administrator disables them.

// PurposeErase confirms deleting the signed-in user's own account.
const PurposeErase Purpose = "erase"

// ChallengeConsumer is the capability of a Store that ConfirmErase needs:
// consuming a challenge without signing in or attaching anything.
// store/sqlite implements it; with a Store that does not, ConfirmErase
// fails (with an error that is none of this package's sentinels).
type ChallengeConsumer interface {
	// ConsumeChallenge marks the challenge used at now if it is open (not
	// used, voided or expired at now), of purpose, and of userID; otherwise
	// it returns ErrCodeExpired and changes nothing. Of several concurrent
	// callers for one challenge, at most one succeeds.
	ConsumeChallenge(ctx context.Context, id string, purpose Purpose, userID string, now time.Time) error
}

// maxOwnAudit bounds how many audit entries OwnAudit returns per direction
// (as actor, as subject): far more than a client's lifetime of sign-ins and
// card reads.
const maxOwnAudit = 100_000

// RequestEraseCode sends a code confirming the deletion of who's account
// to the account's own phone (channel sms) or e-mail (channel email); an
// empty channel picks the phone when the account has one, else the e-mail.
// The code's message says what it confirms (Purpose "erase"). The limits of
// sign-in codes apply (resend cooldown, per identifier, per IP).
//
// Errors: ErrForbidden (the user holds a staff role); *ValidationError
// (ErrInvalidInput, field "channel": an unknown channel, or one the account
// has no identifier for); *RateLimitError; ErrDeliveryFailed.
func (s *Service) RequestEraseCode(ctx context.Context, who Identity, channel Channel, ip string) (Ticket, error) {
	if isStaff(who.User) {
		return Ticket{}, ErrForbidden
	}
	var value string
	switch channel {
	case "":
		value = who.User.Phone
		if value == "" {
			value = who.User.Email
		}
	case ChannelSMS:
		value = who.User.Phone
	case ChannelEmail:
		value = who.User.Email
	default:
		return Ticket{}, &ValidationError{Field: "channel", Message: `must be "sms" or "email"`, Err: ErrInvalidInput}
	}
	if value == "" {
		return Ticket{}, &ValidationError{Field: "channel", Message: "the account has no such identifier", Err: ErrInvalidInput}
	}
	return s.issue(ctx, PurposeErase, who.User.ID, CodeRequest{Identifier: value, Locale: who.User.Locale, IP: ip})
}

// ConfirmErase checks a code sent by RequestEraseCode for who and consumes
// its challenge: a nil answer is the user's fresh consent to erase their
// account, given once. The caller erases at once.
//
// Errors: ErrForbidden (a staff user); *InvalidCodeError (ErrInvalidCode)
// with the attempts left; ErrCodeExpired (unknown, expired, used, another
// user's or another purpose's challenge, out of attempts); *RateLimitError;
// *ValidationError for a code that is not six digits.
func (s *Service) ConfirmErase(ctx context.Context, who Identity, challengeID, code, ip string) error {
	if isStaff(who.User) {
		return ErrForbidden
	}
	cc, ok := s.cfg.Store.(ChallengeConsumer)
	if !ok {
		return errors.New("auth: the store cannot consume challenges (auth.ChallengeConsumer)")
	}
	ch, err := s.checkCode(ctx, challengeID, code, ip, PurposeErase, who.User.ID)
	if err != nil {
		return err
	}
	return cc.ConsumeChallenge(ctx, ch.ID, PurposeErase, who.User.ID, s.cfg.Now().UTC())
}

// TakeLimit spends one event of l for an action of userID outside sign-in
// (a data export, say): nil when l allows it, else a *RateLimitError
// (ErrRateLimited) with the time to wait, recorded in the audit trail as
// sign-in's refusals are (at most once a minute per key). l.Key is
// prefixed with "app:", so it never meets sign-in's keys; a negative Max
// switches the limit off.
func (s *Service) TakeLimit(ctx context.Context, userID, ip string, l RateLimit) error {
	if l.Name == "" || l.Key == "" {
		return errors.New("auth: TakeLimit: the limit needs a name and a key")
	}
	l.Key = "app:" + l.Key
	limits := enabled([]RateLimit{l})
	if len(limits) == 0 {
		return nil
	}
	if err := s.cfg.Store.TakeRate(ctx, s.cfg.Now().UTC(), limits...); err != nil {
		return s.rateLimited(ctx, err, limits, userID, Identifier{}, ip)
	}
	return nil
}

// OwnAudit returns the audit entries about who — those they made (actor)
// and those about their account (subject) — newest first, for the export
// of their own data.
func (s *Service) OwnAudit(ctx context.Context, who Identity) ([]AuditEntry, error) {
	id := who.User.ID
	if id == "" {
		return nil, ErrUnauthenticated
	}
	byActor, err := s.cfg.Store.ListAudit(ctx, AuditFilter{ActorID: id, Limit: maxOwnAudit})
	if err != nil {
		return nil, fmt.Errorf("auth: own audit: %w", err)
	}
	bySubject, err := s.cfg.Store.ListAudit(ctx, AuditFilter{Subject: id, Limit: maxOwnAudit})
	if err != nil {
		return nil, fmt.Errorf("auth: own audit: %w", err)
	}
	seen := make(map[string]bool, len(byActor))
	out := make([]AuditEntry, 0, len(byActor)+len(bySubject))
	for _, e := range append(byActor, bySubject...) {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	// Newest first; the store's order within each list is kept for ties.
	slices.SortStableFunc(out, func(a, b AuditEntry) int { return b.At.Compare(a.At) })
	return out, nil
}
