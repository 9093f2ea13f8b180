package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// CompleteSignIn consumes the sign-in challenge, finds the user holding its
// identifier or creates newUser, and stores session for that user — one write
// transaction, so of many concurrent callers exactly one succeeds.
//
// newUser gets the challenge's identifier as its phone or e-mail whatever the
// caller set there: the verified challenge is the authority. Any error rolls
// the whole transaction back: the challenge stays unconsumed (its counted
// attempts stay counted), no user is created, no session stored. That holds for
// a disabled user (ErrUnauthenticated) too.
func (s *Store) CompleteSignIn(ctx context.Context, challengeID string, now time.Time, newUser auth.User, session auth.Session) (auth.User, bool, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return auth.User{}, false, err
	}
	defer tx.Rollback()

	c, err := consumeChallenge(ctx, tx, challengeID, auth.PurposeSignIn, now)
	if err != nil {
		return auth.User{}, false, err
	}
	created := false
	u, err := findUserByIdentifier(ctx, tx, c.Identifier)
	if errors.Is(err, auth.ErrNotFound) {
		switch c.Identifier.Channel {
		case auth.ChannelSMS:
			newUser.Phone = c.Identifier.Value
		case auth.ChannelEmail:
			newUser.Email = c.Identifier.Value
		default:
			return auth.User{}, false, fmt.Errorf("sqlite: challenge %s has unknown channel %q", c.ID, c.Identifier.Channel)
		}
		if err := insertUser(ctx, tx, newUser); err != nil {
			return auth.User{}, false, err
		}
		if u, err = findUserByID(ctx, tx, newUser.ID); err != nil {
			return auth.User{}, false, err
		}
		created = true
	} else if err != nil {
		return auth.User{}, false, err
	}
	if u.Disabled {
		return auth.User{}, false, auth.ErrUnauthenticated
	}

	session.UserID = u.ID
	if err := insertSession(ctx, tx, session); err != nil {
		return auth.User{}, false, err
	}
	if err := commit(tx); err != nil {
		return auth.User{}, false, err
	}
	return u, created, nil
}

// AttachIdentifier consumes the add-identifier challenge and sets its
// identifier as the phone or e-mail of the challenge's user, replacing the one
// held before, in one write transaction.
//
// Any error rolls the whole transaction back, so the challenge stays
// unconsumed. ErrIdentifierTaken if another user holds the identifier;
// ErrCodeExpired if the challenge cannot be consumed (unknown, used, voided,
// expired, or not an add-identifier challenge). Attaching an identifier the
// user already holds succeeds and changes nothing but the challenge.
func (s *Store) AttachIdentifier(ctx context.Context, challengeID string, now time.Time) (auth.User, error) {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return auth.User{}, err
	}
	defer tx.Rollback()

	c, err := consumeChallenge(ctx, tx, challengeID, auth.PurposeAddIdentifier, now)
	if err != nil {
		return auth.User{}, err
	}
	col, ok := identifierColumn(c.Identifier.Channel)
	if !ok || c.Identifier.Value == "" {
		return auth.User{}, fmt.Errorf("sqlite: challenge %s has no usable identifier", c.ID)
	}
	if c.UserID == "" {
		// An add-identifier challenge stored without a user is a caller's
		// bug, not an outcome to branch on.
		return auth.User{}, fmt.Errorf("sqlite: challenge %s has no user", c.ID)
	}
	var old sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT `+col+` FROM users WHERE id = ?`, c.UserID).Scan(&old); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, fmt.Errorf("sqlite: attach identifier: %w", err)
	}
	n, err := execCount(ctx, tx, `UPDATE users SET `+col+` = ? WHERE id = ?`, c.Identifier.Value, c.UserID)
	if err != nil {
		return auth.User{}, userError(err, "attach identifier")
	}
	if n == 0 {
		// The foreign key deletes a user's challenges with the user, so this
		// only happens if it was created without one.
		return auth.User{}, auth.ErrNotFound
	}
	// A changed phone or e-mail voids what is still pending around it: the
	// user's other identifier requests and sign-in codes sent to the old and
	// the new value.
	if _, err := tx.ExecContext(ctx, `UPDATE challenges SET voided_at = ?
		WHERE used_at IS NULL AND voided_at IS NULL
		  AND (user_id = ? OR (purpose = ? AND identifier IN (?, ?)))`,
		encodeTime(now), c.UserID, string(auth.PurposeSignIn), old.String, c.Identifier.Value); err != nil {
		return auth.User{}, fmt.Errorf("sqlite: attach identifier: void challenges: %w", err)
	}
	u, err := findUserByID(ctx, tx, c.UserID)
	if err != nil {
		return auth.User{}, err
	}
	if err := commit(tx); err != nil {
		return auth.User{}, err
	}
	return u, nil
}
