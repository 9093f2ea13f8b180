package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// challengeColumns are the columns scanChallenge reads, in order.
const challengeColumns = `id, purpose, channel, identifier, region, user_id, code_hash, locale, ip,
	created_at, expires_at, attempts, max_attempts`

// CreateChallenge stores c and voids every open challenge for the same
// identifier value and purpose, in one transaction. The voided challenges get
// c.CreatedAt as their voided_at. ErrNotFound if c.UserID names no user.
func (s *Store) CreateChallenge(ctx context.Context, c auth.Challenge) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := voidOpenChallenges(ctx, tx, c.Identifier.Value, c.Purpose, c.CreatedAt); err != nil {
		return err
	}
	if err := insertChallenge(ctx, tx, c); err != nil {
		return err
	}
	return commit(tx)
}

// AttemptChallenge counts one attempt and returns the challenge after the
// increment, or ErrCodeExpired. The increment is committed before the caller
// compares the code.
func (s *Store) AttemptChallenge(ctx context.Context, id string, now time.Time) (auth.Challenge, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return auth.Challenge{}, err
	}
	defer tx.Rollback()

	c, err := scanChallenge(tx.QueryRowContext(ctx, `
		UPDATE challenges SET attempts = attempts + 1
		WHERE id = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?
			AND attempts < max_attempts
		RETURNING `+challengeColumns,
		id, encodeTime(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Challenge{}, auth.ErrCodeExpired
	} else if err != nil {
		return auth.Challenge{}, fmt.Errorf("sqlite: attempt challenge: %w", err)
	}
	if err := commit(tx); err != nil {
		return auth.Challenge{}, err
	}
	return c, nil
}

// DeleteChallengesBefore removes challenges whose expiry is before t, used or
// not.
func (s *Store) DeleteChallengesBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execWrite(ctx, "delete challenges", `DELETE FROM challenges WHERE expires_at < ?`, encodeTime(t))
}

// voidOpenChallenges marks the open challenges of identifier for purpose as
// voided at now.
func voidOpenChallenges(ctx context.Context, tx dbtx, identifier string, purpose auth.Purpose, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE challenges SET voided_at = ?
		WHERE identifier = ? AND purpose = ? AND used_at IS NULL AND voided_at IS NULL`,
		encodeTime(now), identifier, string(purpose))
	if err != nil {
		return fmt.Errorf("sqlite: void challenges: %w", err)
	}
	return nil
}

func insertChallenge(ctx context.Context, tx dbtx, c auth.Challenge) error {
	if c.ID == "" {
		return errors.New("sqlite: challenge without ID")
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO challenges (id, purpose, channel, identifier, region, user_id, code_hash, locale, ip,
			created_at, expires_at, attempts, max_attempts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, string(c.Purpose), string(c.Identifier.Channel), c.Identifier.Value, c.Identifier.Region,
		nullString(c.UserID), c.CodeHash, c.Locale, c.IP,
		encodeTime(c.CreatedAt), encodeTime(c.ExpiresAt), c.Attempts, c.MaxAttempts)
	switch {
	case foreignKeyViolation(err):
		return fmt.Errorf("sqlite: challenge for user %q: %w", c.UserID, auth.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: insert challenge: %w", err)
	}
	return nil
}

// consumeChallenge marks the challenge used at now if it is open, of purpose,
// and not expired at now, and returns it; otherwise ErrCodeExpired. The
// condition and the write are one statement, so of several concurrent
// consumers exactly one sees a row.
func consumeChallenge(ctx context.Context, tx dbtx, id string, purpose auth.Purpose, now time.Time) (auth.Challenge, error) {
	at := encodeTime(now)
	c, err := scanChallenge(tx.QueryRowContext(ctx, `
		UPDATE challenges SET used_at = ?
		WHERE id = ? AND purpose = ? AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?
		RETURNING `+challengeColumns,
		at, id, string(purpose), at))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Challenge{}, auth.ErrCodeExpired
	} else if err != nil {
		return auth.Challenge{}, fmt.Errorf("sqlite: consume challenge: %w", err)
	}
	return c, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanChallenge reads challengeColumns. It returns sql.ErrNoRows unwrapped.
func scanChallenge(row scanner) (auth.Challenge, error) {
	var c auth.Challenge
	err := row.Scan(&c.ID, (*string)(&c.Purpose), (*string)(&c.Identifier.Channel), &c.Identifier.Value,
		&c.Identifier.Region, nullDest{&c.UserID}, &c.CodeHash, &c.Locale, &c.IP,
		timeDest{&c.CreatedAt}, timeDest{&c.ExpiresAt}, &c.Attempts, &c.MaxAttempts)
	if err != nil {
		return auth.Challenge{}, err
	}
	return c, nil
}

// execCount runs a statement and returns the number of rows it changed.
func execCount(ctx context.Context, tx dbtx, query string, args ...any) (int, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
