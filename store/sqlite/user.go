package sqlite

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
// another user.
func (s *Store) CreateUser(ctx context.Context, u auth.User) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := insertUser(ctx, tx, u); err != nil {
		return err
	}
	return commit(tx)
}

// UserByID returns the user, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (auth.User, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return auth.User{}, err
	}
	defer tx.Rollback()
	return findUserByID(ctx, tx, id)
}

// UserByIdentifier returns the user holding the phone or e-mail, or
// ErrNotFound.
func (s *Store) UserByIdentifier(ctx context.Context, id auth.Identifier) (auth.User, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return auth.User{}, err
	}
	defer tx.Rollback()
	return findUserByIdentifier(ctx, tx, id)
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
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	n, err := execCount(ctx, tx, `UPDATE users SET roles = ?, branches = ?, disabled = ? WHERE id = ?`,
		rolesJSON, branchesJSON, disabled, userID)
	if err != nil {
		return fmt.Errorf("sqlite: update user access: %w", err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return commit(tx)
}

// SetUserLocale stores the user's language. ErrNotFound for an unknown ID.
func (s *Store) SetUserLocale(ctx context.Context, userID, locale string) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	n, err := execCount(ctx, tx, `UPDATE users SET locale = ? WHERE id = ?`, locale, userID)
	if err != nil {
		return fmt.Errorf("sqlite: set user locale: %w", err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return commit(tx)
}

func insertUser(ctx context.Context, tx dbtx, u auth.User) error {
	if u.ID == "" {
		return errors.New("sqlite: user without ID")
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
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, nullString(u.Phone), nullString(u.Email), rolesJSON, branchesJSON, u.Locale, u.Disabled,
		encodeTime(u.CreatedAt))
	if err != nil {
		return userError(err, "insert user")
	}
	return nil
}

// userError maps a failed write to users: a phone or e-mail held by another
// user is ErrIdentifierTaken; anything else is wrapped.
func userError(err error, op string) error {
	if uniqueViolation(err, "users.phone") || uniqueViolation(err, "users.email") {
		return auth.ErrIdentifierTaken
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

func findUserByID(ctx context.Context, tx dbtx, id string) (auth.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, auth.ErrNotFound
	} else if err != nil {
		return auth.User{}, fmt.Errorf("sqlite: find user: %w", err)
	}
	return u, nil
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

func findUserByIdentifier(ctx context.Context, tx dbtx, id auth.Identifier) (auth.User, error) {
	col, ok := identifierColumn(id.Channel)
	if !ok || id.Value == "" {
		return auth.User{}, auth.ErrNotFound
	}
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+col+` = ?`, id.Value))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, auth.ErrNotFound
	} else if err != nil {
		return auth.User{}, fmt.Errorf("sqlite: find user: %w", err)
	}
	return u, nil
}

// scanUser reads userColumns. It returns sql.ErrNoRows unwrapped.
func scanUser(row scanner) (auth.User, error) {
	var u auth.User
	if err := row.Scan(userDest(&u)...); err != nil {
		return auth.User{}, err
	}
	return u, nil
}

// userDest is the scan destination of userColumns.
func userDest(u *auth.User) []any {
	return []any{&u.ID, nullDest{&u.Phone}, nullDest{&u.Email}, listDest[auth.Role]{&u.Roles},
		listDest[string]{&u.Branches}, &u.Locale, &u.Disabled, timeDest{&u.CreatedAt}}
}
