package auth

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Callers compare with errors.Is; the HTTP layer maps each to a
// status and a stable code.
var (
	// ErrInvalidIdentifier: the phone number or e-mail cannot be used (malformed,
	// not a mobile number, or a country that is not served).
	ErrInvalidIdentifier = errors.New("auth: invalid identifier")
	// ErrInvalidCode: the code did not match; the challenge still accepts attempts.
	ErrInvalidCode = errors.New("auth: invalid code")
	// ErrCodeExpired: the challenge is unknown, expired, used, replaced by a
	// resend, or out of attempts.
	ErrCodeExpired = errors.New("auth: code expired")
	// ErrRateLimited: a limit was hit; see *RateLimitError for when to retry.
	ErrRateLimited = errors.New("auth: rate limited")
	// ErrUnauthenticated: no valid session for the token.
	ErrUnauthenticated = errors.New("auth: unauthenticated")
	// ErrAccountDisabled: the code was right, but the clinic has disabled the
	// account.
	ErrAccountDisabled = errors.New("auth: account disabled")
	// ErrForbidden: the principal lacks the permission.
	ErrForbidden = errors.New("auth: forbidden")
	// ErrNotFound: the object does not exist or is not the caller's.
	ErrNotFound = errors.New("auth: not found")
	// ErrIdentifierTaken: the phone or e-mail already belongs to another user.
	ErrIdentifierTaken = errors.New("auth: identifier already in use")
	// ErrDeliveryFailed: the code could not be handed to the SMS or mail provider.
	ErrDeliveryFailed = errors.New("auth: code delivery failed")
	// ErrInvalidInput: a request field is malformed; see *ValidationError.
	ErrInvalidInput = errors.New("auth: invalid input")
)

// ValidationError names the input field that is wrong. It unwraps to the
// sentinel that classifies it (ErrInvalidIdentifier, ErrInvalidInput…).
type ValidationError struct {
	Field   string // JSON name of the field, e.g. "identifier"
	Message string // human text in English, safe to show
	Err     error  // the sentinel
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("auth: %s: %s", e.Field, e.Message)
}

func (e *ValidationError) Unwrap() error { return e.Err }

// RateLimitError says which limit refused the request and when to retry.
// It unwraps to ErrRateLimited.
type RateLimitError struct {
	Limit      string        // the limit's name, e.g. "resend", "identifier_hour"
	RetryAfter time.Duration // at least one second
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("auth: rate limited by %s, retry after %s", e.Limit, e.RetryAfter)
}

func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// InvalidCodeError reports a wrong code and how many attempts the challenge
// still accepts. It unwraps to ErrInvalidCode.
type InvalidCodeError struct {
	AttemptsLeft int
}

func (e *InvalidCodeError) Error() string {
	return fmt.Sprintf("auth: invalid code, %d attempts left", e.AttemptsLeft)
}

func (e *InvalidCodeError) Unwrap() error { return ErrInvalidCode }
