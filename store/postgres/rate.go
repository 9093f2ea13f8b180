package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// Rate limits live in rate_events, in the database every instance shares, so
// a limit holds across instances and restarts.

// rateLock is the advisory lock of one rate-limit key.
func rateLock(key string) int64 { return lockKey("rate", key) }

// TakeRate checks every limit at now and, only if none is exhausted, records
// one event per distinct key, in one transaction that holds the keys' locks
// from before the check to the commit: concurrent callers of one key, on
// any instance, take turns, so none sees a count that another is about to
// raise. See checkLimits for what "exhausted" means.
func (s *Store) TakeRate(ctx context.Context, now time.Time, limits ...auth.RateLimit) error {
	if len(limits) == 0 {
		return nil
	}
	keys := make([]string, len(limits))
	locks := make([]int64, len(limits))
	for i, l := range limits {
		keys[i], locks[i] = l.Key, rateLock(l.Key)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, locks...); err != nil {
			return err
		}
		if err := checkLimits(ctx, tx, now, limits); err != nil {
			return err
		}
		return recordEvents(ctx, tx, now, keys)
	})
}

// CheckRate is TakeRate without recording; it only reads.
func (s *Store) CheckRate(ctx context.Context, now time.Time, limits ...auth.RateLimit) error {
	if len(limits) == 0 {
		return nil
	}
	return s.read(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return checkLimits(ctx, tx, now, limits)
	})
}

// RecordRate records one event at now under each distinct key, without
// checking.
func (s *Store) RecordRate(ctx context.Context, now time.Time, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return recordEvents(ctx, tx, now, keys)
	})
}

// DeleteRateEventsBefore removes events recorded before t.
func (s *Store) DeleteRateEventsBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execWrite(ctx, "delete rate events", `DELETE FROM rate_events WHERE at < $1`, utc(t))
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
		var at time.Time
		err := tx.QueryRowContext(ctx, `
			SELECT at FROM rate_events WHERE key = $1 AND at > $2
			ORDER BY at DESC LIMIT 1 OFFSET $3`,
			l.Key, utc(now.Add(-l.Window)), l.Max-1).Scan(timeDest{&at})
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return fmt.Errorf("postgres: check rate %s: %w", l.Name, err)
		}
		return rateLimitError(l.Name, at.Add(l.Window).Sub(now))
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
	seen := make(map[string]bool, len(keys))
	distinct := make([]string, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			distinct = append(distinct, k)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rate_events (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k`,
		distinct, utc(now)); err != nil {
		return fmt.Errorf("postgres: record rate event: %w", err)
	}
	return nil
}
