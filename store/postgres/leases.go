package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
)

var _ cabinet.Leases = (*Store)(nil)

// Leases on background work (cabinet.Leases); migrations/0010_leases.sql.

// TakeLease gives the lease to owner when it is free, expired or owner's
// already, and reports whether owner holds it. One INSERT … ON CONFLICT DO
// UPDATE … WHERE: the row's lock orders owners taking it at once, and each
// re-checks the condition against the row as the one before left it, so
// one of them gets it.
func (s *Store) TakeLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	switch {
	case name == "" || owner == "":
		return false, errors.New("postgres: lease: name and owner are required")
	case ttl <= 0:
		return false, fmt.Errorf("postgres: lease: ttl %v is not positive", ttl)
	}
	var taken int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		taken, err = execCount(ctx, tx, `INSERT INTO leases (name, owner, until, taken_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until, taken_at = excluded.taken_at
				WHERE leases.owner = excluded.owner OR leases.until <= $4`,
			name, owner, utc(now.Add(ttl)), utc(now))
		if err != nil {
			return fmt.Errorf("postgres: take lease: %w", err)
		}
		return nil
	})
	return taken == 1, err
}

// ReleaseLease frees the lease if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND owner = $2`, name, owner); err != nil {
			return fmt.Errorf("postgres: release lease: %w", err)
		}
		return nil
	})
}

// holdsLease checks, inside a write, that owner holds the lease name at at
// (notify.ErrLeaseLost otherwise), and keeps the lease's row locked until
// the write commits, so that nobody takes it over in between.
func holdsLease(ctx context.Context, tx *sql.Tx, name, owner string, at time.Time) error {
	var held bool
	err := tx.QueryRowContext(ctx, `SELECT true FROM leases WHERE name = $1 AND owner = $2 AND until > $3 FOR UPDATE`,
		name, owner, utc(at)).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("postgres: lease %s is not %s's: %w", name, owner, notify.ErrLeaseLost)
	} else if err != nil {
		return fmt.Errorf("postgres: check lease: %w", err)
	}
	return nil
}
