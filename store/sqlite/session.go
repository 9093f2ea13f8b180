package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// sessionColumns are the columns scanSession reads, in order, qualified so
// they can be joined with users.
const sessionColumns = `sessions.id, sessions.user_id, sessions.token_hash, sessions.created_at,
	sessions.last_seen_at, sessions.expires_at, sessions.idle_for, sessions.user_agent, sessions.ip`

// SessionByTokenHash returns the session with that token hash and its user,
// or ErrNotFound. Expiry is the caller's to check.
func (s *Store) SessionByTokenHash(ctx context.Context, hash []byte) (auth.Session, auth.User, error) {
	// One statement needs no transaction: it reads one consistent snapshot.
	var (
		sess auth.Session
		u    auth.User
	)
	err := s.sessionByToken.QueryRowContext(ctx, hash).Scan(append(sessionDest(&sess), userDest(&u)...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Session{}, auth.User{}, auth.ErrNotFound
	} else if err != nil {
		return auth.Session{}, auth.User{}, fmt.Errorf("sqlite: session by token: %w", err)
	}
	return sess, u, nil
}

const sessionByTokenSQL = `SELECT ` + sessionColumns + `, ` + qualifiedUserColumns + `
	FROM sessions JOIN users ON users.id = sessions.user_id
	WHERE sessions.token_hash = ?`

// TouchSession sets the session's LastSeenAt to now, which moves its idle
// expiry. ErrNotFound if the session is gone.
func (s *Store) TouchSession(ctx context.Context, sessionID string, now time.Time) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var idleFor int64
	err = tx.QueryRowContext(ctx, `SELECT idle_for FROM sessions WHERE id = ?`, sessionID).Scan(&idleFor)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.ErrNotFound
	} else if err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, idle_expires_at = ? WHERE id = ?`,
		encodeTime(now), encodeTime(now.Add(time.Duration(idleFor))), sessionID); err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	return commit(tx)
}

// ListSessions returns the user's sessions, newest (by CreatedAt) first.
func (s *Store) ListSessions(ctx context.Context, userID string) ([]auth.Session, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list sessions: %w", err)
	}
	defer rows.Close()
	var list []auth.Session
	for rows.Next() {
		var sess auth.Session
		if err := rows.Scan(sessionDest(&sess)...); err != nil {
			return nil, fmt.Errorf("sqlite: list sessions: %w", err)
		}
		list = append(list, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list sessions: %w", err)
	}
	return list, nil
}

// DeleteSession removes the user's session; ErrNotFound if there is no such
// session or it belongs to another user (which is then left alone).
func (s *Store) DeleteSession(ctx context.Context, userID, sessionID string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	n, err := execCount(ctx, tx, `DELETE FROM sessions WHERE id = ? AND user_id = ?`, sessionID, userID)
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return commit(tx)
}

// DeleteOtherSessions removes every session of the user except keepID.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID, keepID string) (int, error) {
	return s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID)
}

// DeleteUserSessions removes every session of the user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	return s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions removes the sessions that are not Live at now: past
// their absolute expiry or their idle expiry (both inclusive).
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	at := encodeTime(now)
	return s.execWrite(ctx, "delete sessions", `DELETE FROM sessions WHERE expires_at <= ? OR idle_expires_at <= ?`, at, at)
}

// execWrite runs one statement in its own write transaction and returns the
// rows it affected; what names the operation in errors.
func (s *Store) execWrite(ctx context.Context, what, query string, args ...any) (int, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()

	n, err := execCount(ctx, tx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return n, commit(tx)
}

func insertSession(ctx context.Context, tx dbtx, s auth.Session) error {
	if s.ID == "" || len(s.TokenHash) == 0 {
		return errors.New("sqlite: session without ID or token hash")
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at,
			idle_for, idle_expires_at, user_agent, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.TokenHash, encodeTime(s.CreatedAt), encodeTime(s.LastSeenAt),
		encodeTime(s.ExpiresAt), int64(s.IdleFor), encodeTime(s.IdleExpiresAt()), s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("sqlite: insert session: %w", err)
	}
	return nil
}

// sessionDest is the scan destination of sessionColumns.
func sessionDest(s *auth.Session) []any {
	return []any{&s.ID, &s.UserID, &s.TokenHash, timeDest{&s.CreatedAt}, timeDest{&s.LastSeenAt},
		timeDest{&s.ExpiresAt}, (*durationDest)(&s.IdleFor), &s.UserAgent, &s.IP}
}
