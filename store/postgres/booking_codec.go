package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

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
		return "", fmt.Errorf("postgres: encode week: %w", err)
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
	weekDest     struct{ w *booking.Week }                // jsonb Week; empty days are nil
	datesDest    struct{ l *[]booking.Date }              // jsonb array of YYYY-MM-DD; [] is nil
	specSvcsDest struct{ l *[]booking.SpecialistService } // jsonb storedSpecialistService array
)

func (d weekDest) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil {
		return err
	}
	var w booking.Week
	if b != nil {
		if err := json.Unmarshal(b, &w); err != nil {
			return fmt.Errorf("postgres: stored week: %w", err)
		}
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
			return fmt.Errorf("postgres: stored date: %w", err)
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

// bookingError maps a failed booking write: a reference to a row that does
// not exist (branch, service, specialist, resource, plan) is ErrNotFound; a
// duplicate ID or a value the schema refuses is ErrInvalidInput; an overlap
// refused by an exclusion constraint is ErrSlotTaken, or ErrResourceTaken
// when it is a room's or device's. Anything else, already wrapped by the
// caller, is returned as it is.
func bookingError(err error) error {
	switch {
	case err == nil:
		return nil
	case violation(err, codeExclusionViolation, "appointment_resources_overlap"):
		return booking.ErrResourceTaken
	case violation(err, codeExclusionViolation, "appointments_specialist_overlap"):
		return fmt.Errorf("%w: the specialist is busy then", booking.ErrSlotTaken)
	case violation(err, codeExclusionViolation, "appointments_client_overlap"):
		return fmt.Errorf("%w: the client has another appointment then", booking.ErrSlotTaken)
	case violation(err, codeExclusionViolation, ""):
		return fmt.Errorf("%w: %s", booking.ErrSlotTaken, pgError(err).ConstraintName)
	case foreignKeyViolation(err):
		return fmt.Errorf("postgres: a referenced branch, service, specialist, resource or plan does not exist: %w",
			booking.ErrNotFound)
	case violation(err, codeUniqueViolation, ""):
		return fmt.Errorf("postgres: the ID is already taken: %w", booking.ErrInvalidInput)
	case invalidValue(err):
		return fmt.Errorf("postgres: a value is out of range (%s): %w", pgError(err).Message, booking.ErrInvalidInput)
	}
	return err
}
