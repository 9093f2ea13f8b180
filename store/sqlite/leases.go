package sqlite

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
// already, in one upsert on the single writer, and reports whether owner
// holds it.
func (s *Store) TakeLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	if err := checkLease(name, owner, ttl); err != nil {
		return false, err
	}
	var taken int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		taken, err = execCount(ctx, tx, `INSERT INTO leases (name, owner, until, taken_at) VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until, taken_at = excluded.taken_at
				WHERE leases.owner = excluded.owner OR leases.until <= ?4`,
			name, owner, encodeTime(now.Add(ttl)), encodeTime(now))
		if err != nil {
			return fmt.Errorf("sqlite: take lease: %w", err)
		}
		return nil
	})
	return taken == 1, err
}

// ReleaseLease frees the lease if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
			return fmt.Errorf("sqlite: release lease: %w", err)
		}
		return nil
	})
}

func checkLease(name, owner string, ttl time.Duration) error {
	switch {
	case name == "" || owner == "":
		return errors.New("sqlite: lease: name and owner are required")
	case ttl <= 0:
		return fmt.Errorf("sqlite: lease: ttl %v is not positive", ttl)
	}
	return nil
}

// holdsLease checks, inside a write, that owner holds the lease name at at:
// notify.ErrLeaseLost otherwise.
func holdsLease(ctx context.Context, tx *sql.Tx, name, owner string, at time.Time) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM leases WHERE name = ? AND owner = ? AND until > ?`,
		name, owner, encodeTime(at)).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite: check lease: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: lease %s is not %s's: %w", name, owner, notify.ErrLeaseLost)
	}
	return nil
}
