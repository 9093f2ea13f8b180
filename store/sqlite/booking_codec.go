package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// encodeDate stores a calendar day as YYYY-MM-DD; the zero Date (open-ended)
// is NULL.
func encodeDate(d booking.Date) sql.NullString {
	if d.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: d.String(), Valid: true}
}

// encodeWeek stores a Week as a JSON array of seven arrays (empty days as []).
func encodeWeek(w booking.Week) (string, error) {
	var out [7][]booking.Interval
	for i, day := range w {
		out[i] = day
		if out[i] == nil {
			out[i] = []booking.Interval{}
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode week: %w", err)
	}
	return string(b), nil
}

// encodeDates stores days as a JSON array of YYYY-MM-DD.
func encodeDates(ds []booking.Date) (string, error) {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return encodeList(s)
}

// storedSpecialistService is how a SpecialistService is kept in
// specialists.services: explicit names, so renaming a Go field never changes
// the stored form.
type storedSpecialistService struct {
	ServiceID string `json:"service_id"`
	Duration  int64  `json:"duration,omitempty"` // nanoseconds; 0: the service's
}

func encodeSpecialistServices(list []booking.SpecialistService) (string, error) {
	s := make([]storedSpecialistService, len(list))
	for i, x := range list {
		s[i] = storedSpecialistService{ServiceID: x.ServiceID, Duration: int64(x.Duration)}
	}
	return encodeList(s)
}

// Scan destinations of the booking columns.
type (
	dateDest     struct{ d *booking.Date }                // TEXT YYYY-MM-DD; NULL is the zero Date
	weekDest     struct{ w *booking.Week }                // TEXT JSON Week; empty days are nil
	datesDest    struct{ l *[]booking.Date }              // TEXT JSON array of YYYY-MM-DD; [] is nil
	specSvcsDest struct{ l *[]booking.SpecialistService } // TEXT JSON storedSpecialistService array
)

func (d dateDest) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	if !s.Valid {
		*d.d = booking.Date{}
		return nil
	}
	v, err := booking.ParseDate(s.String)
	if err != nil {
		return fmt.Errorf("sqlite: stored date: %w", err)
	}
	*d.d = v
	return nil
}

func (d weekDest) Scan(src any) error {
	var s string
	if err := (nullDest{&s}).Scan(src); err != nil {
		return err
	}
	var w booking.Week
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return fmt.Errorf("sqlite: stored week %q: %w", s, err)
	}
	for i := range w {
		if len(w[i]) == 0 {
			w[i] = nil
		}
	}
	*d.w = w
	return nil
}

func (d datesDest) Scan(src any) error {
	var ss []string
	if err := (listDest[string]{&ss}).Scan(src); err != nil {
		return err
	}
	var ds []booking.Date
	for _, s := range ss {
		v, err := booking.ParseDate(s)
		if err != nil {
			return fmt.Errorf("sqlite: stored date: %w", err)
		}
		ds = append(ds, v)
	}
	*d.l = ds
	return nil
}

func (d specSvcsDest) Scan(src any) error {
	var stored []storedSpecialistService
	if err := (listDest[storedSpecialistService]{&stored}).Scan(src); err != nil {
		return err
	}
	var list []booking.SpecialistService
	for _, x := range stored {
		list = append(list, booking.SpecialistService{ServiceID: x.ServiceID, Duration: time.Duration(x.Duration)})
	}
	*d.l = list
	return nil
}

// invalid returns a *booking.ValidationError for field, unwrapping to
// booking.ErrInvalidInput.
func invalid(field, msg string) error {
	return &booking.ValidationError{Field: field, Message: msg, Err: booking.ErrInvalidInput}
}
