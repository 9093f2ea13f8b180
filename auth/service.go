package auth

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// CodeSender delivers a one-time code to a phone (SMS) or an e-mail address.
// The cabinet implements it with the notify package's templates and senders.
// Implementations must not log the code.
type CodeSender interface {
	SendCode(ctx context.Context, m CodeMessage) error
}

// CodeMessage is what a CodeSender delivers.
type CodeMessage struct {
	Identifier Identifier
	Code       string
	Purpose    Purpose
	Locale     string // "ru" or "en"
	TTL        time.Duration
	ExpiresAt  time.Time
}

// Config configures a Service. Zero fields take the documented default; a
// negative limit disables that limit.
type Config struct {
	Store  Store      // required
	Sender CodeSender // required
	// Secret keys the code hashes and CSRF tokens: at least 32 random bytes, the
	// same on every instance, kept outside the database.
	Secret []byte

	Now    func() time.Time // default time.Now
	NewID  func() string    // default UUIDv7
	Logger *slog.Logger     // default: discard

	DefaultRegion  string   // region for numbers without a country code; default "RU"
	AllowedRegions []string // regions that get SMS codes; default RU, KZ, BY; {"*"} allows all
	DefaultLocale  string   // "ru" (default) or "en"

	CodeTTL     time.Duration // default 5m; at most 10m
	MaxAttempts int           // wrong codes per challenge; default 5
	ResendAfter time.Duration // cooldown before another code to one identifier; default 60s

	CodesPerHour         int // codes per identifier per hour; default 5
	CodesPerDay          int // codes per identifier per day; default 10
	SendsPerIPPerHour    int // code requests per client IP per hour; default 30
	VerifiesPerIPPerHour int // verifications per client IP per hour; default 120
	SMSPerHour           int // global SMS budget per hour; default 1000
	FailuresPerDay       int // failed verifications per identifier per day, across challenges; default 100

	SessionIdle      time.Duration // client session idle timeout; default 30 days
	SessionMax       time.Duration // client session absolute lifetime; default 90 days
	StaffSessionIdle time.Duration // idle timeout when the user holds a staff role; default 12h
	StaffSessionMax  time.Duration // absolute lifetime for staff; default 7 days
	// TouchEvery: LastSeenAt is written at most this often per session, so
	// checking a session is a read on most requests. Default 1m.
	TouchEvery time.Duration
	// AuditRetention: Cleanup deletes audit entries older than this. Zero (the
	// default) keeps them forever; set it to what the clinic's policy says.
	AuditRetention time.Duration
}

// Service signs people in and checks who they are. It is safe for concurrent
// use; all its state lives in the Store.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg, fills defaults and returns a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("auth: Config.Store is required")
	case cfg.Sender == nil:
		return nil, errors.New("auth: Config.Sender is required")
	case len(cfg.Secret) < 32:
		return nil, errors.New("auth: Config.Secret must be at least 32 bytes")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	cfg.DefaultRegion = strings.ToUpper(cmp.Or(cfg.DefaultRegion, "RU"))
	if cfg.AllowedRegions == nil {
		cfg.AllowedRegions = []string{"RU", "KZ", "BY"}
	}
	// A copy: upper-casing must not rewrite the caller's slice, and a later
	// change to it must not widen the allow-list of a running service.
	cfg.AllowedRegions = slices.Clone(cfg.AllowedRegions)
	if slices.Contains(cfg.AllowedRegions, "*") {
		cfg.AllowedRegions = []string{}
	}
	for i, r := range cfg.AllowedRegions {
		cfg.AllowedRegions[i] = strings.ToUpper(r)
	}
	cfg.DefaultLocale = normalizeLocale(cfg.DefaultLocale, "ru")
	cfg.CodeTTL = cmp.Or(cfg.CodeTTL, 5*time.Minute)
	if cfg.CodeTTL < 0 || cfg.CodeTTL > 10*time.Minute {
		return nil, errors.New("auth: Config.CodeTTL must be between 0 and 10 minutes")
	}
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 5)
	if cfg.MaxAttempts < 1 || cfg.MaxAttempts > 10 {
		return nil, errors.New("auth: Config.MaxAttempts must be between 1 and 10")
	}
	cfg.ResendAfter = cmp.Or(cfg.ResendAfter, 60*time.Second)
	cfg.CodesPerHour = cmp.Or(cfg.CodesPerHour, 5)
	cfg.CodesPerDay = cmp.Or(cfg.CodesPerDay, 10)
	cfg.SendsPerIPPerHour = cmp.Or(cfg.SendsPerIPPerHour, 30)
	cfg.VerifiesPerIPPerHour = cmp.Or(cfg.VerifiesPerIPPerHour, 120)
	cfg.SMSPerHour = cmp.Or(cfg.SMSPerHour, 1000)
	cfg.FailuresPerDay = cmp.Or(cfg.FailuresPerDay, 100)
	cfg.SessionIdle = cmp.Or(cfg.SessionIdle, 30*24*time.Hour)
	cfg.SessionMax = cmp.Or(cfg.SessionMax, 90*24*time.Hour)
	cfg.StaffSessionIdle = cmp.Or(cfg.StaffSessionIdle, 12*time.Hour)
	cfg.StaffSessionMax = cmp.Or(cfg.StaffSessionMax, 7*24*time.Hour)
	cfg.TouchEvery = cmp.Or(cfg.TouchEvery, time.Minute)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{cfg: cfg, log: log}, nil
}

// Config returns the configuration in force, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// ParseIdentifier normalises raw with the service's default region and checks
// the SMS country allow-list.
func (s *Service) ParseIdentifier(raw string) (Identifier, error) {
	id, err := ParseIdentifier(raw, s.cfg.DefaultRegion)
	if err != nil {
		return Identifier{}, err
	}
	if err := checkRegion(id, s.cfg.AllowedRegions); err != nil {
		return Identifier{}, err
	}
	return id, nil
}

// CodeRequest asks for a code to be sent.
type CodeRequest struct {
	Identifier string // as typed: a phone number or an e-mail address
	Locale     string // language of the message for a new user ("ru", "en")
	IP         string // client IP for per-IP limits; empty skips them
}

// Ticket describes a sent code without revealing it.
type Ticket struct {
	ChallengeID string
	Channel     Channel
	ExpiresAt   time.Time
	ResendAfter time.Duration
}

// RequestCode sends a sign-in code. The answer is the same whether or not the
// identifier belongs to an account. Errors: *ValidationError
// (ErrInvalidIdentifier), *RateLimitError (ErrRateLimited), ErrDeliveryFailed.
func (s *Service) RequestCode(ctx context.Context, req CodeRequest) (Ticket, error) {
	return s.issue(ctx, PurposeSignIn, "", req)
}

// RequestIdentifierCode sends a code to a new phone or e-mail that the signed-in
// user wants to add (or to replace the one of that kind). Confirm it with
// ConfirmIdentifier.
func (s *Service) RequestIdentifierCode(ctx context.Context, who Identity, req CodeRequest) (Ticket, error) {
	if req.Locale == "" {
		req.Locale = who.User.Locale
	}
	return s.issue(ctx, PurposeAddIdentifier, who.User.ID, req)
}

func (s *Service) issue(ctx context.Context, purpose Purpose, userID string, req CodeRequest) (Ticket, error) {
	id, err := s.ParseIdentifier(req.Identifier)
	if err != nil {
		return Ticket{}, err
	}
	now := s.cfg.Now().UTC()
	// enabled: a negative FailuresPerDay switches the limit off; passed on, the
	// store would count Max < 0 as always exhausted.
	failures := enabled([]RateLimit{s.failureLimit(id)})
	if err := s.cfg.Store.CheckRate(ctx, now, failures...); err != nil {
		return Ticket{}, s.rateLimited(ctx, err, failures, userID, id, req.IP)
	}
	sends := s.sendLimits(purpose, id, req.IP)
	if err := s.cfg.Store.TakeRate(ctx, now, sends...); err != nil {
		return Ticket{}, s.rateLimited(ctx, err, sends, userID, id, req.IP)
	}

	locale := normalizeLocale(req.Locale, s.cfg.DefaultLocale)
	if u, err := s.cfg.Store.UserByIdentifier(ctx, id); err == nil && u.Locale != "" && purpose == PurposeSignIn {
		locale = u.Locale // a known user gets their own language; same work either way
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return Ticket{}, err
	}

	code, err := newCode()
	if err != nil {
		return Ticket{}, err
	}
	ch := Challenge{
		ID:          s.cfg.NewID(),
		Purpose:     purpose,
		Identifier:  id,
		UserID:      userID,
		Locale:      locale,
		IP:          req.IP,
		CreatedAt:   now,
		ExpiresAt:   now.Add(s.cfg.CodeTTL),
		MaxAttempts: s.cfg.MaxAttempts,
	}
	ch.CodeHash = codeHash(s.cfg.Secret, ch.ID, code)
	if err := s.cfg.Store.CreateChallenge(ctx, ch); err != nil {
		return Ticket{}, err
	}
	s.audit(ctx, AuditEntry{At: now, ActorID: userID, Action: ActionCodeRequested, Subject: ch.ID, IP: req.IP,
		Detail: string(id.Channel) + " " + id.Masked()})

	err = s.cfg.Sender.SendCode(ctx, CodeMessage{
		Identifier: id, Code: code, Purpose: purpose, Locale: locale, TTL: s.cfg.CodeTTL, ExpiresAt: ch.ExpiresAt,
	})
	if err != nil {
		s.log.ErrorContext(ctx, "auth: code delivery failed", "channel", id.Channel, "challenge", ch.ID, "err", err)
		return Ticket{}, fmt.Errorf("%w: %w", ErrDeliveryFailed, err)
	}
	return Ticket{ChallengeID: ch.ID, Channel: id.Channel, ExpiresAt: ch.ExpiresAt, ResendAfter: s.cfg.ResendAfter}, nil
}

func (s *Service) sendLimits(purpose Purpose, id Identifier, ip string) []RateLimit {
	limits := []RateLimit{
		{Name: "resend", Key: "code:resend:" + string(purpose) + ":" + id.Value, Window: s.cfg.ResendAfter, Max: 1},
		{Name: "identifier_hour", Key: "code:id_hour:" + id.Value, Window: time.Hour, Max: s.cfg.CodesPerHour},
		{Name: "identifier_day", Key: "code:id_day:" + id.Value, Window: 24 * time.Hour, Max: s.cfg.CodesPerDay},
	}
	if ip != "" {
		limits = append(limits, RateLimit{Name: "ip_hour", Key: "code:ip:" + ipBucket(ip), Window: time.Hour, Max: s.cfg.SendsPerIPPerHour})
	}
	if id.Channel == ChannelSMS {
		limits = append(limits, RateLimit{Name: "sms_budget", Key: "code:sms_budget", Window: time.Hour, Max: s.cfg.SMSPerHour})
	}
	return enabled(limits)
}

func (s *Service) failureLimit(id Identifier) RateLimit {
	return RateLimit{Name: "failures_day", Key: "verify:fail:" + id.Value, Window: 24 * time.Hour, Max: s.cfg.FailuresPerDay}
}

// enabled drops limits switched off with a negative Max.
func enabled(limits []RateLimit) []RateLimit {
	return slices.DeleteFunc(limits, func(l RateLimit) bool { return l.Max < 0 || l.Window <= 0 })
}

// ipBucket is the rate-limit key part of a client IP: the address for IPv4,
// its /64 for IPv6 (one host usually holds a whole /64).
func ipBucket(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// rateLimited records a refusal by one of limits in the audit trail, at most
// once a minute per refusing limit key: a client hammering a closed door, even
// with ever new identifiers, must not grow the append-only trail without bound.
func (s *Service) rateLimited(ctx context.Context, err error, limits []RateLimit, actorID string, id Identifier, ip string) error {
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		return err
	}
	key := rl.Limit
	for _, l := range limits {
		if l.Name == rl.Limit {
			key = l.Key
		}
	}
	detail := "limit=" + rl.Limit
	if !id.IsZero() {
		detail += " " + id.Masked()
	}
	now := s.cfg.Now().UTC()
	ctx = context.WithoutCancel(ctx)
	if s.cfg.Store.TakeRate(ctx, now, RateLimit{Name: "audit", Key: "audit:" + key, Window: time.Minute, Max: 1}) == nil {
		s.audit(ctx, AuditEntry{At: now, ActorID: actorID, Action: ActionRateLimited, IP: ip, Detail: detail})
	}
	return err
}

// VerifyRequest carries a code typed by a person.
type VerifyRequest struct {
	ChallengeID string
	Code        string
	IP          string
	UserAgent   string
}

// SignIn is the result of a successful verification.
type SignIn struct {
	Token     string // the session token: give it to the client once, never store or log it
	Session   Session
	User      User
	NewUser   bool // the first sign-in created the user
	CSRFToken string
}

// Verify checks a sign-in code and opens a session; the first success for an
// identifier creates its user with the client role. Errors:
// *InvalidCodeError (ErrInvalidCode) with attempts left, ErrCodeExpired (also
// after too many attempts or once used), ErrAccountDisabled, *RateLimitError,
// *ValidationError for a code that is not six digits (no attempt is spent).
func (s *Service) Verify(ctx context.Context, req VerifyRequest) (SignIn, error) {
	ch, err := s.checkCode(ctx, req.ChallengeID, req.Code, req.IP, PurposeSignIn, "")
	if err != nil {
		return SignIn{}, err
	}
	now := s.cfg.Now().UTC()
	token, err := newToken()
	if err != nil {
		return SignIn{}, err
	}
	newUser := User{ID: s.cfg.NewID(), Roles: []Role{RoleClient}, Locale: ch.Locale, CreatedAt: now}
	switch ch.Identifier.Channel {
	case ChannelSMS:
		newUser.Phone = ch.Identifier.Value
	case ChannelEmail:
		newUser.Email = ch.Identifier.Value
	}
	sess := Session{
		ID: s.cfg.NewID(), TokenHash: tokenHash(token), CreatedAt: now, LastSeenAt: now,
		UserAgent: truncate(req.UserAgent, 256), IP: req.IP,
	}
	// Staff get shorter sessions. Should the roles change between this read and
	// the transaction, Authenticate still applies the staff limits.
	sess.IdleFor, sess.ExpiresAt = s.cfg.SessionIdle, now.Add(s.cfg.SessionMax)
	if known, err := s.cfg.Store.UserByIdentifier(ctx, ch.Identifier); err == nil && isStaff(known) {
		sess.IdleFor, sess.ExpiresAt = s.cfg.StaffSessionIdle, now.Add(s.cfg.StaffSessionMax)
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return SignIn{}, err
	}
	user, created, err := s.cfg.Store.CompleteSignIn(ctx, ch.ID, now, newUser, sess)
	if errors.Is(err, ErrUnauthenticated) {
		// The person proved they hold the identifier: telling them the account
		// is disabled reveals nothing to a stranger.
		return SignIn{}, ErrAccountDisabled
	} else if err != nil {
		return SignIn{}, err
	}
	sess.UserID = user.ID
	s.audit(ctx, AuditEntry{At: now, ActorID: user.ID, Action: ActionSignIn, Subject: sess.ID, IP: req.IP,
		Detail: string(ch.Identifier.Channel) + " " + ch.Identifier.Masked()})
	return SignIn{Token: token, Session: sess, User: user, NewUser: created, CSRFToken: s.CSRFToken(sess.ID)}, nil
}

// ConfirmIdentifier checks a code sent by RequestIdentifierCode and sets the
// new phone or e-mail on the user. Errors as Verify, plus ErrIdentifierTaken.
func (s *Service) ConfirmIdentifier(ctx context.Context, who Identity, challengeID, code, ip string) (User, error) {
	ch, err := s.checkCode(ctx, challengeID, code, ip, PurposeAddIdentifier, who.User.ID)
	if err != nil {
		return User{}, err
	}
	u, err := s.cfg.Store.AttachIdentifier(ctx, ch.ID, s.cfg.Now().UTC())
	if err != nil {
		return User{}, err
	}
	// A new phone or e-mail is how an account changes hands: every other
	// device signs in again.
	if _, err := s.cfg.Store.DeleteOtherSessions(context.WithoutCancel(ctx), who.User.ID, who.Session.ID); err != nil {
		return User{}, err
	}
	s.audit(ctx, AuditEntry{At: s.cfg.Now().UTC(), ActorID: who.User.ID, Action: ActionIdentifierAdded, Subject: u.ID,
		IP: ip, Detail: string(ch.Identifier.Channel) + " " + ch.Identifier.Masked()})
	return u, nil
}

// checkCode spends one attempt of the challenge and compares the code.
func (s *Service) checkCode(ctx context.Context, challengeID, code, ip string, purpose Purpose, userID string) (Challenge, error) {
	// People copy codes with spaces or dashes ("451 369"): keep the digits' order.
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, code)
	if !validCodeFormat(code) {
		return Challenge{}, &ValidationError{Field: "code", Message: "the code is six digits", Err: ErrInvalidInput}
	}
	now := s.cfg.Now().UTC()
	if ip != "" {
		perIP := enabled([]RateLimit{{Name: "verify_ip_hour", Key: "verify:ip:" + ipBucket(ip), Window: time.Hour, Max: s.cfg.VerifiesPerIPPerHour}})
		if err := s.cfg.Store.TakeRate(ctx, now, perIP...); err != nil {
			return Challenge{}, s.rateLimited(ctx, err, perIP, userID, Identifier{}, ip)
		}
	}
	if challengeID == "" || len(challengeID) > 64 {
		return Challenge{}, ErrCodeExpired
	}
	ch, err := s.cfg.Store.AttemptChallenge(ctx, challengeID, now)
	if err != nil {
		return Challenge{}, err
	}
	if ch.Purpose != purpose || ch.UserID != userID {
		return Challenge{}, ErrCodeExpired // a challenge of another kind or another user: as if unknown
	}
	failures := enabled([]RateLimit{s.failureLimit(ch.Identifier)})
	if err := s.cfg.Store.CheckRate(ctx, now, failures...); err != nil {
		return Challenge{}, s.rateLimited(ctx, err, failures, userID, ch.Identifier, ip)
	}
	if !hmac.Equal(codeHash(s.cfg.Secret, ch.ID, code), ch.CodeHash) {
		// The failure counts even if the client hangs up now.
		if err := s.cfg.Store.RecordRate(context.WithoutCancel(ctx), now, s.failureLimit(ch.Identifier).Key); err != nil {
			return Challenge{}, err
		}
		s.audit(ctx, AuditEntry{At: now, ActorID: userID, Action: ActionVerifyFailed, Subject: ch.ID, IP: ip,
			Detail: fmt.Sprintf("%s %s attempts_left=%d", ch.Identifier.Channel, ch.Identifier.Masked(), ch.AttemptsLeft())})
		return Challenge{}, &InvalidCodeError{AttemptsLeft: ch.AttemptsLeft()}
	}
	return ch, nil
}

// Identity is an authenticated request's user and session.
type Identity struct {
	User    User
	Session Session
}

// Principal is the identity as a permission subject.
func (id Identity) Principal() Principal {
	return Principal{UserID: id.User.ID, SessionID: id.Session.ID, Roles: id.User.Roles, Branches: id.User.Branches}
}

// Authenticate resolves a session token. It writes to the store at most once
// per TouchEvery per session. Errors: ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (Identity, error) {
	if len(token) != 43 { // 32 bytes, base64url without padding
		return Identity{}, ErrUnauthenticated
	}
	sess, user, err := s.cfg.Store.SessionByTokenHash(ctx, tokenHash(token))
	if errors.Is(err, ErrNotFound) {
		return Identity{}, ErrUnauthenticated
	} else if err != nil {
		return Identity{}, err
	}
	now := s.cfg.Now().UTC()
	if isStaff(user) {
		// Staff lifetimes hold even for a session opened while the user was a
		// client (a role granted during sign-in).
		sess.IdleFor = min(sess.IdleFor, s.cfg.StaffSessionIdle)
		if limit := sess.CreatedAt.Add(s.cfg.StaffSessionMax); limit.Before(sess.ExpiresAt) {
			sess.ExpiresAt = limit
		}
	}
	if !sess.Live(now) || user.Disabled {
		return Identity{}, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) >= s.cfg.TouchEvery {
		if err := s.cfg.Store.TouchSession(ctx, sess.ID, now); errors.Is(err, ErrNotFound) {
			return Identity{}, ErrUnauthenticated
		} else if err != nil {
			return Identity{}, err
		}
		sess.LastSeenAt = now
	}
	return Identity{User: user, Session: sess}, nil
}

// Logout ends the identity's session at once.
func (s *Service) Logout(ctx context.Context, who Identity, ip string) error {
	if err := s.cfg.Store.DeleteSession(ctx, who.User.ID, who.Session.ID); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	s.audit(ctx, AuditEntry{At: s.cfg.Now().UTC(), ActorID: who.User.ID, Action: ActionLogout, Subject: who.Session.ID, IP: ip})
	return nil
}

// Sessions lists the user's live sessions, newest first.
func (s *Service) Sessions(ctx context.Context, who Identity) ([]Session, error) {
	all, err := s.cfg.Store.ListSessions(ctx, who.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	return slices.DeleteFunc(all, func(x Session) bool { return !x.Live(now) }), nil
}

// RevokeSession ends one of the user's own sessions. ErrNotFound for a session
// that is not theirs.
func (s *Service) RevokeSession(ctx context.Context, who Identity, sessionID, ip string) error {
	if err := s.cfg.Store.DeleteSession(ctx, who.User.ID, sessionID); err != nil {
		if errors.Is(err, ErrNotFound) {
			s.audit(ctx, AuditEntry{At: s.cfg.Now().UTC(), ActorID: who.User.ID, Action: ActionAccessDenied,
				Subject: truncate(sessionID, 64), IP: ip, Detail: "revoke foreign or unknown session"})
		}
		return err
	}
	s.audit(ctx, AuditEntry{At: s.cfg.Now().UTC(), ActorID: who.User.ID, Action: ActionSessionRevoked, Subject: sessionID, IP: ip})
	return nil
}

// RevokeOtherSessions ends every session of the user but the current one.
func (s *Service) RevokeOtherSessions(ctx context.Context, who Identity, ip string) (int, error) {
	n, err := s.cfg.Store.DeleteOtherSessions(ctx, who.User.ID, who.Session.ID)
	if err != nil {
		return 0, err
	}
	s.audit(ctx, AuditEntry{At: s.cfg.Now().UTC(), ActorID: who.User.ID, Action: ActionSessionRevoked,
		Subject: who.User.ID, IP: ip, Detail: fmt.Sprintf("others=%d", n)})
	return n, nil
}

// CSRFToken is the anti-forgery token of a session: cookie-authenticated
// requests that change state must echo it in the X-CSRF-Token header.
func (s *Service) CSRFToken(sessionID string) string {
	m := hmac.New(sha256.New, s.cfg.Secret)
	m.Write([]byte("csrf\x00"))
	m.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ValidCSRF reports whether token is the session's CSRF token, in constant time.
func (s *Service) ValidCSRF(sessionID, token string) bool {
	return hmac.Equal([]byte(s.CSRFToken(sessionID)), []byte(token))
}

// SetLocale stores the user's preferred language ("ru" or "en").
func (s *Service) SetLocale(ctx context.Context, who Identity, locale string) error {
	if l := normalizeLocale(locale, ""); l == "" {
		return &ValidationError{Field: "locale", Message: `must be "ru" or "en"`, Err: ErrInvalidInput}
	}
	return s.cfg.Store.SetUserLocale(ctx, who.User.ID, normalizeLocale(locale, ""))
}

// Cleanup removes expired challenges, sessions and rate-limit events, and
// audit entries past AuditRetention. The
// cabinet calls it from Run; it is safe on several instances at once.
func (s *Service) Cleanup(ctx context.Context) error {
	now := s.cfg.Now().UTC()
	if _, err := s.cfg.Store.DeleteChallengesBefore(ctx, now); err != nil {
		return err
	}
	if _, err := s.cfg.Store.DeleteExpiredSessions(ctx, now); err != nil {
		return err
	}
	// The longest window is a day; older events can never refuse anything.
	longest := max(24*time.Hour, s.cfg.ResendAfter)
	if _, err := s.cfg.Store.DeleteRateEventsBefore(ctx, now.Add(-longest)); err != nil {
		return err
	}
	if s.cfg.AuditRetention > 0 {
		if _, err := s.cfg.Store.DeleteAuditBefore(ctx, now.Add(-s.cfg.AuditRetention)); err != nil {
			return err
		}
	}
	return nil
}

// audit appends an entry. A failure is logged, not returned: the outcome of the
// request the entry describes stands.
func (s *Service) audit(ctx context.Context, e AuditEntry) {
	e.ID = s.cfg.NewID()
	// The change it records is committed: the entry must be written even if
	// the client hangs up meanwhile.
	if err := s.cfg.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.log.ErrorContext(ctx, "auth: audit append failed", "action", e.Action, "err", err)
	}
}

// Audit appends an entry to the audit trail for the host application or other
// packages (staff reads of health data, access refusals). ID and At are filled
// when empty.
func (s *Service) Audit(ctx context.Context, e AuditEntry) error {
	e.ID = cmp.Or(e.ID, s.cfg.NewID())
	if e.At.IsZero() {
		e.At = s.cfg.Now().UTC()
	}
	return s.cfg.Store.AppendAudit(context.WithoutCancel(ctx), e)
}

// AuditAtMostEvery appends e unless an entry under the same key was appended
// within every: for events an outsider can repeat at will (refused requests),
// so they cannot grow the append-only trail without bound.
func (s *Service) AuditAtMostEvery(ctx context.Context, key string, every time.Duration, e AuditEntry) error {
	ctx = context.WithoutCancel(ctx)
	err := s.cfg.Store.TakeRate(ctx, s.cfg.Now().UTC(), RateLimit{Name: "audit", Key: "audit:" + key, Window: every, Max: 1})
	if errors.Is(err, ErrRateLimited) {
		return nil
	} else if err != nil {
		return err
	}
	return s.Audit(ctx, e)
}

// AuditTrail lists audit entries. Only a principal with PermViewAudit may read it.
func (s *Service) AuditTrail(ctx context.Context, actor Principal, f AuditFilter) ([]AuditEntry, error) {
	if err := actor.Require(PermViewAudit); err != nil {
		return nil, err
	}
	return s.cfg.Store.ListAudit(ctx, f)
}

func isStaff(u User) bool { return slices.ContainsFunc(u.Roles, Role.IsStaff) }

func normalizeLocale(l, fallback string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if len(l) >= 2 {
		switch l[:2] {
		case "ru":
			return "ru"
		case "en":
			return "en"
		}
	}
	return fallback
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
