package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// TakeRate checks every limit at now and, only if none is exhausted, records
// one event per distinct key, in one write transaction. See checkLimits for
// what "exhausted" means.
func (s *Store) TakeRate(ctx context.Context, now time.Time, limits ...auth.RateLimit) error {
	if len(limits) == 0 {
		return nil
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := checkLimits(ctx, tx, now, limits); err != nil {
		return err
	}
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}
	if err := recordEvents(ctx, tx, now, keys); err != nil {
		return err
	}
	return commit(tx)
}

// CheckRate is TakeRate without recording; it only reads.
func (s *Store) CheckRate(ctx context.Context, now time.Time, limits ...auth.RateLimit) error {
	if len(limits) == 0 {
		return nil
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return checkLimits(ctx, tx, now, limits)
}

// RecordRate records one event at now under each distinct key, without
// checking.
func (s *Store) RecordRate(ctx context.Context, now time.Time, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := recordEvents(ctx, tx, now, keys); err != nil {
		return err
	}
	return commit(tx)
}

// DeleteRateEventsBefore removes events recorded before t.
func (s *Store) DeleteRateEventsBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execWrite(ctx, "delete rate events", `DELETE FROM rate_events WHERE at < ?`, encodeTime(t))
}

// checkLimits returns a *auth.RateLimitError for the first limit, in order,
// that is exhausted at now, or nil.
//
// A limit's window at now is the half-open interval (now−Window, now]: an
// event recorded at a leaves it at a+Window. The limit is exhausted when the
// window holds Max events or more (events recorded "in the future" by a clock
// running ahead count too). It frees a slot when the Max-th newest event
// leaves, so RetryAfter is that event's time + Window − now, rounded up to
// whole seconds and at least one second. A limit with Max ≤ 0 is always
// exhausted and reports its Window.
func checkLimits(ctx context.Context, tx dbtx, now time.Time, limits []auth.RateLimit) error {
	for _, l := range limits {
		if l.Max <= 0 {
			return rateLimitError(l.Name, l.Window)
		}
		var at string
		err := tx.QueryRowContext(ctx, `
			SELECT at FROM rate_events WHERE key = ? AND at > ?
			ORDER BY at DESC LIMIT 1 OFFSET ?`,
			l.Key, encodeTime(now.Add(-l.Window)), l.Max-1).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return fmt.Errorf("sqlite: check rate %s: %w", l.Name, err)
		}
		t, err := decodeTime(at)
		if err != nil {
			return err
		}
		return rateLimitError(l.Name, t.Add(l.Window).Sub(now))
	}
	return nil
}

// rateLimitError reports limit name with retry rounded up to whole seconds,
// at least one.
func rateLimitError(name string, retry time.Duration) error {
	secs := max(1, (retry+time.Second-1)/time.Second)
	return &auth.RateLimitError{Limit: name, RetryAfter: secs * time.Second}
}

// recordEvents records one event at now under each distinct key: two limits
// sharing a key (an hourly and a daily cap) count one event, not two.
func recordEvents(ctx context.Context, tx dbtx, now time.Time, keys []string) error {
	at := encodeTime(now)
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO rate_events (key, at) VALUES (?, ?)`, k, at); err != nil {
			return fmt.Errorf("sqlite: record rate event: %w", err)
		}
	}
	return nil
}
