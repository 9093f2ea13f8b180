package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// timeLayout is how every instant is stored: UTC, fixed width, so that the
// lexical order of the text is the order of the instants and SQL comparisons
// (<, >, ORDER BY) on it are correct. Years 0000–9999 only.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// encodeTime turns t into its stored text.
func encodeTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// encodeNullTime stores the zero time as NULL.
func encodeNullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: encodeTime(t), Valid: true}
}

// decodeTime parses a stored instant.
func decodeTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: stored time %q: %w", s, err)
	}
	return t, nil
}

// nullString stores "" as NULL (for columns under a UNIQUE constraint, where
// absent values must not collide).
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// encodeList stores a list as a JSON array; an empty or nil list is "[]".
func encodeList[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode list: %w", err)
	}
	return string(b), nil
}

// decodeList reads a JSON array stored by encodeList; an empty array is nil.
func decodeList[T any](s string) ([]T, error) {
	var list []T
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("sqlite: stored list %q: %w", s, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// Scan destinations that decode a column as it is stored. Each is an
// sql.Scanner.
type (
	timeDest        struct{ t *time.Time } // TEXT instant; NULL is the zero time
	nullDest        struct{ s *string }    // TEXT or NULL; NULL is ""
	durationDest    time.Duration          // INTEGER nanoseconds
	listDest[T any] struct{ l *[]T }       // TEXT JSON array; [] is nil
)

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
		return nil
	case string:
		t, err := decodeTime(v)
		*d.t = t
		return err
	case []byte:
		t, err := decodeTime(string(v))
		*d.t = t
		return err
	}
	return fmt.Errorf("sqlite: stored time is %T", src)
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
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	l, err := decodeList[T](s.String)
	*d.l = l
	return err
}
