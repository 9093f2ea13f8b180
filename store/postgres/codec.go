package postgres

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// How Go values are stored. Instants are timestamptz: pgx sends and reads
// them as instants, in microseconds; they come back in UTC. Durations are
// bigint nanoseconds, calendar days date, lists and documents jsonb (sent as
// JSON text).

// utc is t in UTC; the zero time stays zero.
func utc(t time.Time) time.Time { return t.UTC() }

// micro is t in UTC truncated to microseconds, as timestamptz keeps it; the
// zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullString stores "" as NULL (for columns under a UNIQUE constraint or a
// foreign key, where absent values must not collide or refer).
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// encodeDate stores a calendar day; the zero Date (open-ended) is NULL.
func encodeDate(d booking.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// encodeList stores a list as a JSON array; an empty or nil list is "[]".
func encodeList[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("postgres: encode list: %w", err)
	}
	return string(b), nil
}

// decodeList reads a JSON array stored by encodeList; an empty array is nil.
func decodeList[T any](b []byte) ([]T, error) {
	var list []T
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("postgres: stored list: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// Scan destinations that decode a column as it is stored. Each is an
// sql.Scanner.
type (
	timeDest        struct{ t *time.Time }    // timestamptz; NULL is the zero time
	nullDest        struct{ s *string }       // text or NULL; NULL is ""
	durationDest    time.Duration             // bigint nanoseconds
	listDest[T any] struct{ l *[]T }          // jsonb array; [] is nil
	dateDest        struct{ d *booking.Date } // date; NULL is the zero Date
	jsonDest        struct{ b *[]byte }       // jsonb or NULL, as raw JSON (nil for NULL)
)

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
		return nil
	case time.Time:
		*d.t = v.UTC()
		return nil
	}
	return fmt.Errorf("postgres: stored time is %T", src)
}

func (d nullDest) Scan(src any) error {
	var ns sql.NullString
	err := ns.Scan(src)
	*d.s = ns.String
	return err
}

func (d *durationDest) Scan(src any) error {
	var n sql.NullInt64
	err := n.Scan(src)
	*d = durationDest(n.Int64)
	return err
}

func (d listDest[T]) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil || b == nil {
		*d.l = nil
		return err
	}
	l, err := decodeList[T](b)
	*d.l = l
	return err
}

func (d dateDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.d = booking.Date{}
		return nil
	case time.Time:
		*d.d = booking.Date{Year: v.Year(), Month: v.Month(), Day: v.Day()}
		return nil
	case string:
		day, err := booking.ParseDate(v)
		if err != nil {
			return fmt.Errorf("postgres: stored date: %w", err)
		}
		*d.d = day
		return nil
	}
	return fmt.Errorf("postgres: stored date is %T", src)
}

func (d jsonDest) Scan(src any) error {
	b, err := jsonBytes(src)
	*d.b = b
	return err
}

// jsonBytes is a jsonb value as the driver gives it, copied; nil for NULL.
func jsonBytes(src any) ([]byte, error) {
	switch v := src.(type) {
	case nil:
		return nil, nil
	case []byte:
		return append([]byte(nil), v...), nil
	case string:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("postgres: stored JSON is %T", src)
}
