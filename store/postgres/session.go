package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// sessionColumns are the columns scanSession reads, in order, qualified so
// they can be joined with users.
const sessionColumns = `sessions.id, sessions.user_id, sessions.token_hash, sessions.created_at,
	sessions.last_seen_at, sessions.expires_at, sessions.idle_for, sessions.user_agent, sessions.ip`

const sessionByTokenSQL = `SELECT ` + sessionColumns + `, ` + qualifiedUserColumns + `
	FROM sessions JOIN users ON users.id = sessions.user_id
	WHERE sessions.token_hash = $1`

// SessionByTokenHash returns the session with that token hash and its user,
// or ErrNotFound. Expiry is the caller's to check.
func (s *Store) SessionByTokenHash(ctx context.Context, hash []byte) (auth.Session, auth.User, error) {
	type pair struct {
		sess auth.Session
		u    auth.User
	}
	p, err := queryOne(ctx, s.db, "session by token", auth.ErrNotFound, func(p *pair) []any {
		return append(sessionDest(&p.sess), userDest(&p.u)...)
	}, sessionByTokenSQL, hash)
	if err != nil {
		return auth.Session{}, auth.User{}, err
	}
	return p.sess, p.u, nil
}

// TouchSession sets the session's LastSeenAt to now, which moves its idle
// expiry. ErrNotFound if the session is gone.
func (s *Store) TouchSession(ctx context.Context, sessionID string, now time.Time) error {
	// idle_for is nanoseconds; timestamptz keeps microseconds.
	n, err := s.execWrite(ctx, "touch session", `UPDATE sessions
		SET last_seen_at = $1::timestamptz, idle_expires_at = $1::timestamptz + make_interval(secs => (idle_for / 1000)::double precision / 1e6)
		WHERE id = $2`, utc(now), sessionID)
	if err != nil {
		return err
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// ListSessions returns the user's sessions, newest (by CreatedAt) first.
func (s *Store) ListSessions(ctx context.Context, userID string) ([]auth.Session, error) {
	return queryRead(ctx, s, "list sessions", sessionDest, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
}

// DeleteSession removes the user's session; ErrNotFound if there is no such
// session or it belongs to another user (which is then left alone).
func (s *Store) DeleteSession(ctx context.Context, userID, sessionID string) error {
	n, err := s.execWrite(ctx, "delete session", `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, sessionID, userID)
	if err != nil {
		return err
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// DeleteOtherSessions removes every session of the user except keepID.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID, keepID string) (int, error) {
	return s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepID)
}

// DeleteUserSessions removes every session of the user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	return s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE user_id = $1`, userID)
}

// DeleteExpiredSessions removes the sessions that are not Live at now: past
// their absolute expiry or their idle expiry (both inclusive).
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE expires_at <= $1 OR idle_expires_at <= $1`, utc(now))
}

func insertSession(ctx context.Context, tx dbtx, s auth.Session) error {
	if s.ID == "" || len(s.TokenHash) == 0 {
		return errors.New("postgres: session without ID or token hash")
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,
			idle_for, idle_expires_at, user_agent, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.UserID, s.TokenHash, utc(s.CreatedAt), utc(s.LastSeenAt),
		utc(s.ExpiresAt), int64(s.IdleFor), utc(s.IdleExpiresAt()), s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("postgres: insert session: %w", err)
	}
	return nil
}

// sessionDest is the scan destination of sessionColumns.
func sessionDest(s *auth.Session) []any {
	return []any{&s.ID, &s.UserID, &s.TokenHash, timeDest{&s.CreatedAt}, timeDest{&s.LastSeenAt},
		timeDest{&s.ExpiresAt}, (*durationDest)(&s.IdleFor), &s.UserAgent, &s.IP}
}
