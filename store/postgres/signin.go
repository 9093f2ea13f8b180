package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// challengeIdentifier reads the identifier, purpose and user of a challenge
// without locking it, so that a write can take the identifier's lock before
// it touches the challenge; the write then checks the challenge again in
// its consuming UPDATE. ErrCodeExpired when there is no such challenge.
func challengeIdentifier(ctx context.Context, tx dbtx, id string) (auth.Identifier, string, error) {
	var (
		ident  auth.Identifier
		userID string
	)
	err := tx.QueryRowContext(ctx, `SELECT channel, identifier, user_id FROM challenges WHERE id = $1`, id).
		Scan((*string)(&ident.Channel), &ident.Value, nullDest{&userID})
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Identifier{}, "", auth.ErrCodeExpired
	} else if err != nil {
		return auth.Identifier{}, "", fmt.Errorf("postgres: find challenge: %w", err)
	}
	return ident, userID, nil
}

// CompleteSignIn consumes the sign-in challenge, finds the user holding its
// identifier or creates newUser, and stores session for that user — one
// transaction, under the identifier's lock, so of many concurrent callers
// with one challenge exactly one succeeds, and of callers with different
// challenges for one new identifier the first creates the user and the
// others find it.
//
// newUser gets the challenge's identifier as its phone or e-mail whatever the
// caller set there: the verified challenge is the authority. Any error rolls
// the whole transaction back: the challenge stays unconsumed (its counted
// attempts stay counted), no user is created, no session stored. That holds for
// a disabled user (ErrUnauthenticated) too.
func (s *Store) CompleteSignIn(ctx context.Context, challengeID string, now time.Time, newUser auth.User, session auth.Session) (auth.User, bool, error) {
	var (
		u       auth.User
		created bool
	)
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		u, created = auth.User{}, false
		ident, _, err := challengeIdentifier(ctx, tx, challengeID)
		if err != nil {
			return err
		}
		if err := lockKeys(ctx, tx, identifierLock(ident.Value)); err != nil {
			return err
		}
		c, err := consumeChallenge(ctx, tx, challengeID, auth.PurposeSignIn, now)
		if err != nil {
			return err
		}
		u, err = findUserByIdentifier(ctx, tx, c.Identifier)
		if errors.Is(err, auth.ErrNotFound) {
			nu := newUser
			switch c.Identifier.Channel {
			case auth.ChannelSMS:
				nu.Phone = c.Identifier.Value
			case auth.ChannelEmail:
				nu.Email = c.Identifier.Value
			default:
				return fmt.Errorf("postgres: challenge %s has unknown channel %q", c.ID, c.Identifier.Channel)
			}
			if err := insertUser(ctx, tx, nu); err != nil {
				return err
			}
			if u, err = findUserByID(ctx, tx, nu.ID); err != nil {
				return err
			}
			created = true
		} else if err != nil {
			return err
		}
		if u.Disabled {
			return auth.ErrUnauthenticated
		}
		sess := session
		sess.UserID = u.ID
		return insertSession(ctx, tx, sess)
	})
	if err != nil {
		return auth.User{}, false, err
	}
	return u, created, nil
}

// AttachIdentifier consumes the add-identifier challenge and sets its
// identifier as the phone or e-mail of the challenge's user, replacing the one
// held before, in one transaction under the locks of the user and of both
// identifiers.
//
// Any error rolls the whole transaction back, so the challenge stays
// unconsumed. ErrIdentifierTaken if another user holds the identifier;
// ErrCodeExpired if the challenge cannot be consumed (unknown, used, voided,
// expired, or not an add-identifier challenge). Attaching an identifier the
// user already holds succeeds and changes nothing but the challenge.
func (s *Store) AttachIdentifier(ctx context.Context, challengeID string, now time.Time) (auth.User, error) {
	var u auth.User
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		ident, userID, err := challengeIdentifier(ctx, tx, challengeID)
		if err != nil {
			return err
		}
		col, ok := identifierColumn(ident.Channel)
		locks := []int64{identifierLock(ident.Value)}
		var old string
		if ok && userID != "" {
			// The old value is read before the locks, to lock it too, and
			// again under them.
			if old, err = userIdentifier(ctx, tx, userID, col); err != nil {
				return err
			}
			locks = append(locks, lockKey("user", userID), identifierLock(old))
		}
		if err := lockKeys(ctx, tx, locks...); err != nil {
			return err
		}
		c, err := consumeChallenge(ctx, tx, challengeID, auth.PurposeAddIdentifier, now)
		if err != nil {
			return err
		}
		if !ok || c.Identifier.Value == "" {
			return fmt.Errorf("postgres: challenge %s has no usable identifier", c.ID)
		}
		if c.UserID == "" {
			// An add-identifier challenge stored without a user is a caller's
			// bug, not an outcome to branch on.
			return fmt.Errorf("postgres: challenge %s has no user", c.ID)
		}
		if old, err = userIdentifier(ctx, tx, c.UserID, col); err != nil {
			return err
		}
		n, err := execCount(ctx, tx, `UPDATE users SET `+col+` = $1 WHERE id = $2`, c.Identifier.Value, c.UserID)
		if err != nil {
			return userError(err, "attach identifier")
		}
		if n == 0 {
			// The foreign key deletes a user's challenges with the user, so this
			// only happens if it was created without one.
			return auth.ErrNotFound
		}
		// A changed phone or e-mail voids what is still pending around it: the
		// user's other identifier requests and sign-in codes sent to the old and
		// the new value.
		if _, err := tx.ExecContext(ctx, `UPDATE challenges SET voided_at = $1
			WHERE used_at IS NULL AND voided_at IS NULL
			  AND (user_id = $2 OR (purpose = $3 AND identifier IN ($4, $5)))`,
			utc(now), c.UserID, string(auth.PurposeSignIn), old, c.Identifier.Value); err != nil {
			return fmt.Errorf("postgres: attach identifier: void challenges: %w", err)
		}
		u, err = findUserByID(ctx, tx, c.UserID)
		return err
	})
	if err != nil {
		return auth.User{}, err
	}
	return u, nil
}

// userIdentifier is the user's phone or e-mail (col), "" when absent or when
// there is no such user.
func userIdentifier(ctx context.Context, tx dbtx, userID, col string) (string, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT `+col+` FROM users WHERE id = $1`, userID).Scan(nullDest{&v})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("postgres: attach identifier: %w", err)
	}
	return v, nil
}
