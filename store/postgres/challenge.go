package postgres

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

// identifierLock is the advisory lock of everything that creates, voids or
// hands out one identifier: challenges for it, and the user holding it.
func identifierLock(value string) int64 { return lockKey("identifier", value) }

// CreateChallenge stores c and voids every open challenge for the same
// identifier value and purpose, in one transaction, under the identifier's
// lock: of two resends at once, the later one leaves the only open
// challenge. The voided challenges get c.CreatedAt as their voided_at.
// ErrNotFound if c.UserID names no user.
func (s *Store) CreateChallenge(ctx context.Context, c auth.Challenge) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, identifierLock(c.Identifier.Value)); err != nil {
			return err
		}
		if err := voidOpenChallenges(ctx, tx, c.Identifier.Value, c.Purpose, c.CreatedAt); err != nil {
			return err
		}
		return insertChallenge(ctx, tx, c)
	})
}

// AttemptChallenge counts one attempt and returns the challenge after the
// increment, or ErrCodeExpired. The increment is committed before the caller
// compares the code. It is one UPDATE: concurrent attempts queue on the
// row's lock and each re-checks attempts < max_attempts against the count
// the one before it left.
func (s *Store) AttemptChallenge(ctx context.Context, id string, now time.Time) (auth.Challenge, error) {
	var c auth.Challenge
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		c, err = scanChallenge(tx.QueryRowContext(ctx, `
			UPDATE challenges SET attempts = attempts + 1
			WHERE id = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2
				AND attempts < max_attempts
			RETURNING `+challengeColumns,
			id, utc(now)))
		if errors.Is(err, sql.ErrNoRows) {
			return auth.ErrCodeExpired
		} else if err != nil {
			return fmt.Errorf("postgres: attempt challenge: %w", err)
		}
		return nil
	})
	if err != nil {
		return auth.Challenge{}, err
	}
	return c, nil
}

// DeleteChallengesBefore removes challenges whose expiry is before t, used or
// not.
func (s *Store) DeleteChallengesBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execWrite(ctx, "delete challenges", `DELETE FROM challenges WHERE expires_at < $1`, utc(t))
}

// voidOpenChallenges marks the open challenges of identifier for purpose as
// voided at now.
func voidOpenChallenges(ctx context.Context, tx dbtx, identifier string, purpose auth.Purpose, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE challenges SET voided_at = $1
		WHERE identifier = $2 AND purpose = $3 AND used_at IS NULL AND voided_at IS NULL`,
		utc(now), identifier, string(purpose))
	if err != nil {
		return fmt.Errorf("postgres: void challenges: %w", err)
	}
	return nil
}

func insertChallenge(ctx context.Context, tx dbtx, c auth.Challenge) error {
	if c.ID == "" {
		return errors.New("postgres: challenge without ID")
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO challenges (id, purpose, channel, identifier, region, user_id, code_hash, locale, ip,
			created_at, expires_at, attempts, max_attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, string(c.Purpose), string(c.Identifier.Channel), c.Identifier.Value, c.Identifier.Region,
		nullString(c.UserID), c.CodeHash, c.Locale, c.IP,
		utc(c.CreatedAt), utc(c.ExpiresAt), c.Attempts, c.MaxAttempts)
	switch {
	case foreignKeyViolation(err):
		return fmt.Errorf("postgres: challenge for user %q: %w", c.UserID, auth.ErrNotFound)
	case err != nil:
		return fmt.Errorf("postgres: insert challenge: %w", err)
	}
	return nil
}

// consumeChallenge marks the challenge used at now if it is open, of purpose,
// and not expired at now, and returns it; otherwise ErrCodeExpired. The
// condition and the write are one statement, so of several concurrent
// consumers exactly one sees a row: the others wait for its row lock and
// then find used_at set.
func consumeChallenge(ctx context.Context, tx dbtx, id string, purpose auth.Purpose, now time.Time) (auth.Challenge, error) {
	c, err := scanChallenge(tx.QueryRowContext(ctx, `
		UPDATE challenges SET used_at = $1
		WHERE id = $2 AND purpose = $3 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $1
		RETURNING `+challengeColumns,
		utc(now), id, string(purpose)))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Challenge{}, auth.ErrCodeExpired
	} else if err != nil {
		return auth.Challenge{}, fmt.Errorf("postgres: consume challenge: %w", err)
	}
	return c, nil
}

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
