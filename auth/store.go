package auth

import (
	"context"
	"time"
)

// Purpose is what a verified challenge does.
type Purpose string

// Purposes of a challenge.
const (
	PurposeSignIn        Purpose = "sign_in"        // sign in, creating the user on first success
	PurposeAddIdentifier Purpose = "add_identifier" // attach a second phone or e-mail to a signed-in user
)

// Challenge is one code sent to one identifier. Only the keyed hash of the code
// is kept.
type Challenge struct {
	ID          string
	Purpose     Purpose
	Identifier  Identifier
	UserID      string // the user adding an identifier; empty for sign-in
	CodeHash    []byte // HMAC-SHA-256(secret, challenge ID ‖ code)
	Locale      string
	IP          string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	Attempts    int // verification attempts made, counted before comparing
	MaxAttempts int
}

// AttemptsLeft is how many more verifications the challenge accepts.
func (c Challenge) AttemptsLeft() int { return max(0, c.MaxAttempts-c.Attempts) }

// User is a person known to the cabinet: a client, a staff member, or both.
type User struct {
	ID        string
	Phone     string // E.164, or empty
	Email     string // lower case, or empty
	Roles     []Role
	Branches  []string // branch IDs for staff roles
	Locale    string   // "ru" or "en"
	Disabled  bool
	CreatedAt time.Time
}

// Session is one signed-in device. Only the hash of its token is stored.
type Session struct {
	ID         string
	UserID     string
	TokenHash  []byte // SHA-256 of the token
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry; idle expiry is LastSeenAt + the idle timeout
	IdleFor    time.Duration
	UserAgent  string
	IP         string
}

// IdleExpiresAt is when the session dies if it is not used again.
func (s Session) IdleExpiresAt() time.Time { return s.LastSeenAt.Add(s.IdleFor) }

// Live reports whether the session is still valid at now.
func (s Session) Live(now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.IdleExpiresAt())
}

// RateLimit is "at most Max events under Key within Window".
type RateLimit struct {
	Name   string // reported in RateLimitError and the audit trail, e.g. "identifier_hour"
	Key    string // e.g. "code:id:+79123456789"
	Window time.Duration
	Max    int
}

// AuditEntry is one line of the append-only audit trail. It never carries a
// code, a token or a health answer; identifiers are masked.
type AuditEntry struct {
	ID      string
	At      time.Time // UTC
	ActorID string    // user who acted, empty for an anonymous request
	Action  string    // e.g. ActionSignIn
	Subject string    // what was acted on: a user, session or challenge ID
	IP      string
	Detail  string // short, non-secret context: "sms +7912*****89", "limit=resend"
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	ActorID string
	Subject string
	Action  string
	Since   time.Time
	Limit   int // 0 → 100
}

// Audit actions written by this package.
const (
	ActionCodeRequested   = "auth.code_requested"
	ActionSignIn          = "auth.sign_in"
	ActionVerifyFailed    = "auth.verify_failed"
	ActionRateLimited     = "auth.rate_limited"
	ActionLogout          = "auth.logout"
	ActionSessionRevoked  = "auth.session_revoked"
	ActionRolesChanged    = "auth.roles_changed"
	ActionStaffRegistered = "auth.staff_registered"
	ActionIdentifierAdded = "auth.identifier_added"
	ActionAccessDenied    = "auth.access_denied"
	ActionUserViewed      = "auth.user_viewed" // staff read someone else's account
)

// Store is the storage auth needs. Implementations must make each method
// atomic; store/storetest checks every promise below, concurrency included.
type Store interface {
	// CreateChallenge stores c and, in the same transaction, voids every open
	// challenge for the same identifier and purpose (a resend invalidates the
	// previous code).
	CreateChallenge(ctx context.Context, c Challenge) error
	// AttemptChallenge atomically counts one verification attempt and returns the
	// challenge as it is after the increment. The attempt is committed whatever
	// the comparison later says. Returns ErrCodeExpired when the challenge is
	// unknown, voided, used, expired at now, or has no attempts left.
	AttemptChallenge(ctx context.Context, id string, now time.Time) (Challenge, error)
	// CompleteSignIn, in one transaction: consumes the challenge (ErrCodeExpired
	// if it was consumed, voided or expired meanwhile — at most one caller ever
	// succeeds), finds the user holding the challenge's identifier or creates
	// newUser (the caller has set its Phone or Email to that identifier), and
	// stores session with its UserID set to that user. Returns the user and whether it was created.
	// A disabled user gets ErrUnauthenticated and no session.
	CompleteSignIn(ctx context.Context, challengeID string, now time.Time, newUser User, session Session) (User, bool, error)
	// AttachIdentifier, in one transaction: consumes the challenge
	// (ErrCodeExpired as above), sets its identifier on the challenge's user
	// (replacing the one of that kind), and voids every other open challenge
	// of that user and every open sign-in challenge for the old or the new
	// value. ErrIdentifierTaken if another user holds it; then nothing changes.
	AttachIdentifier(ctx context.Context, challengeID string, now time.Time) (User, error)
	// DeleteChallengesBefore removes challenges that expired before t.
	DeleteChallengesBefore(ctx context.Context, t time.Time) (int, error)

	// CreateUser stores a new user. ErrIdentifierTaken if its phone or e-mail
	// belongs to another user.
	CreateUser(ctx context.Context, u User) error
	// UserByID returns ErrNotFound for an unknown ID.
	UserByID(ctx context.Context, id string) (User, error)
	// UserByIdentifier returns ErrNotFound when nobody holds the identifier.
	UserByIdentifier(ctx context.Context, id Identifier) (User, error)
	// UpdateUserAccess replaces the user's roles, branches and disabled flag.
	// ErrNotFound for an unknown ID.
	UpdateUserAccess(ctx context.Context, userID string, roles []Role, branches []string, disabled bool) error
	// SetUserLocale stores the user's preferred language. ErrNotFound for an unknown ID.
	SetUserLocale(ctx context.Context, userID, locale string) error

	// SessionByTokenHash returns the session and its user, or ErrNotFound. It
	// does not check expiry: the caller does, with its clock.
	SessionByTokenHash(ctx context.Context, hash []byte) (Session, User, error)
	// TouchSession sets LastSeenAt. ErrNotFound if the session is gone.
	TouchSession(ctx context.Context, sessionID string, now time.Time) error
	// ListSessions returns the user's sessions, newest first.
	ListSessions(ctx context.Context, userID string) ([]Session, error)
	// DeleteSession removes the user's session. ErrNotFound if it does not exist
	// or belongs to someone else.
	DeleteSession(ctx context.Context, userID, sessionID string) error
	// DeleteOtherSessions removes every session of the user except keepID and
	// returns how many.
	DeleteOtherSessions(ctx context.Context, userID, keepID string) (int, error)
	// DeleteUserSessions removes every session of the user.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	// DeleteExpiredSessions removes sessions past their absolute or idle expiry at now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	// TakeRate checks every limit at now and, only if none is exhausted, records
	// one event under each key — all in one transaction, so concurrent callers
	// never exceed Max. When a limit is exhausted nothing is recorded and the
	// error is a *RateLimitError naming the first exhausted limit with the time
	// until it frees a slot.
	TakeRate(ctx context.Context, now time.Time, limits ...RateLimit) error
	// CheckRate is TakeRate without recording.
	CheckRate(ctx context.Context, now time.Time, limits ...RateLimit) error
	// RecordRate records one event under each key without checking.
	RecordRate(ctx context.Context, now time.Time, keys ...string) error
	// DeleteRateEventsBefore removes events older than t.
	DeleteRateEventsBefore(ctx context.Context, t time.Time) (int, error)

	// AppendAudit adds an entry to the append-only audit trail.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// ListAudit returns entries matching f, newest first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
	// DeleteAuditBefore removes entries older than t: retention, the only way
	// entries leave the trail.
	DeleteAuditBefore(ctx context.Context, t time.Time) (int, error)
}
