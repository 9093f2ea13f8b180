package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kabinet-dev/kabinet/auth"
)

// userColumns are the columns scanUser reads, in order.
const userColumns = `id, phone, email, roles, branches, locale, disabled, created_at`

// qualifiedUserColumns are userColumns for a join.
const qualifiedUserColumns = `users.id, users.phone, users.email, users.roles, users.branches,
	users.locale, users.disabled, users.created_at`

// CreateUser stores u. ErrIdentifierTaken if its phone or e-mail belongs to
// another user. It holds the identifiers' locks, as a sign-in that creates
// a user does.
func (s *Store) CreateUser(ctx context.Context, u auth.User) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var keys []int64
		for _, v := range []string{u.Phone, u.Email} {
			if v != "" {
				keys = append(keys, identifierLock(v))
			}
		}
		if err := lockKeys(ctx, tx, keys...); err != nil {
			return err
		}
		return insertUser(ctx, tx, u)
	})
}

// UserByID returns the user, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (auth.User, error) {
	return findUserByID(ctx, s.db, id)
}

// UserByIdentifier returns the user holding the phone or e-mail, or
// ErrNotFound.
func (s *Store) UserByIdentifier(ctx context.Context, id auth.Identifier) (auth.User, error) {
	return findUserByIdentifier(ctx, s.db, id)
}

// UpdateUserAccess replaces the user's roles, branches and disabled flag.
// ErrNotFound for an unknown ID.
func (s *Store) UpdateUserAccess(ctx context.Context, userID string, roles []auth.Role, branches []string, disabled bool) error {
	rolesJSON, err := encodeList(roles)
	if err != nil {
		return err
	}
	branchesJSON, err := encodeList(branches)
	if err != nil {
		return err
	}
	n, err := s.execWrite(ctx, "update user access",
		`UPDATE users SET roles = $1, branches = $2, disabled = $3 WHERE id = $4`,
		rolesJSON, branchesJSON, disabled, userID)
	if err != nil {
		return err
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// SetUserLocale stores the user's language. ErrNotFound for an unknown ID.
func (s *Store) SetUserLocale(ctx context.Context, userID, locale string) error {
	n, err := s.execWrite(ctx, "set user locale", `UPDATE users SET locale = $1 WHERE id = $2`, locale, userID)
	if err != nil {
		return err
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}

func insertUser(ctx context.Context, tx dbtx, u auth.User) error {
	if u.ID == "" {
		return errors.New("postgres: user without ID")
	}
	rolesJSON, err := encodeList(u.Roles)
	if err != nil {
		return err
	}
	branchesJSON, err := encodeList(u.Branches)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO users (id, phone, email, roles, branches, locale, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, nullString(u.Phone), nullString(u.Email), rolesJSON, branchesJSON, u.Locale, u.Disabled,
		utc(u.CreatedAt))
	if err != nil {
		return userError(err, "insert user")
	}
	return nil
}

// userError maps a failed write to users: a phone or e-mail held by another
// user is ErrIdentifierTaken; anything else is wrapped.
func userError(err error, op string) error {
	if uniqueViolation(err, "users_phone_key") || uniqueViolation(err, "users_email_key") {
		return auth.ErrIdentifierTaken
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

func findUserByID(ctx context.Context, q dbtx, id string) (auth.User, error) {
	return queryOne(ctx, q, "find user", auth.ErrNotFound, userDest,
		`SELECT `+userColumns+` FROM users WHERE id = $1`, id)
}

// identifierColumn is the users column holding identifiers of channel ch.
func identifierColumn(ch auth.Channel) (string, bool) {
	switch ch {
	case auth.ChannelSMS:
		return "phone", true
	case auth.ChannelEmail:
		return "email", true
	}
	return "", false
}

func findUserByIdentifier(ctx context.Context, q dbtx, id auth.Identifier) (auth.User, error) {
	col, ok := identifierColumn(id.Channel)
	if !ok || id.Value == "" {
		return auth.User{}, auth.ErrNotFound
	}
	return queryOne(ctx, q, "find user", auth.ErrNotFound, userDest,
		`SELECT `+userColumns+` FROM users WHERE `+col+` = $1`, id.Value)
}

// userDest is the scan destination of userColumns.
func userDest(u *auth.User) []any {
	return []any{&u.ID, nullDest{&u.Phone}, nullDest{&u.Email}, listDest[auth.Role]{&u.Roles},
		listDest[string]{&u.Branches}, &u.Locale, &u.Disabled, timeDest{&u.CreatedAt}}
}
