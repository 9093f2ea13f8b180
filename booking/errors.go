package booking

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors; callers compare with errors.Is.
var (
	// ErrNotFound: no such branch, service, specialist, appointment or plan —
	// or not one the caller may see.
	ErrNotFound = errors.New("booking: not found")
	// ErrSlotTaken: the time overlaps another booking of the specialist, a
	// resource or the client. See *ConflictError for alternatives.
	ErrSlotTaken = errors.New("booking: slot taken")
	// ErrOutsideWorkingHours: the service does not fit the specialist's hours
	// (or the branch's) at that time.
	ErrOutsideWorkingHours = errors.New("booking: outside working hours")
	// ErrInPast: the start is in the past, or closer than the minimum notice.
	ErrInPast = errors.New("booking: in the past")
	// ErrTooLateToChange: a client may no longer move or cancel it.
	ErrTooLateToChange = errors.New("booking: too late to change")
	// ErrNotEligible: the Eligibility hook refused the service for this client.
	ErrNotEligible = errors.New("booking: not eligible")
	// ErrInvalidTransition: the appointment's status does not allow the change
	// (e.g. completing a cancelled appointment).
	ErrInvalidTransition = errors.New("booking: invalid status change")
	// ErrInvalidRange: a slot search over more days than allowed (62).
	ErrInvalidRange = errors.New("booking: invalid range")
	// ErrInvalidInput: a field is malformed; see *ValidationError.
	ErrInvalidInput = errors.New("booking: invalid input")
	// ErrForbidden: the principal may not do this.
	ErrForbidden = errors.New("booking: forbidden")
)

// ErrResourceTaken is the ErrSlotTaken a Store returns when the specialist
// and the client are free but a room or device the appointment holds is
// not: another choice of rooms may still fit, so the Scheduler looks again
// once before answering 409. errors.Is(ErrResourceTaken, ErrSlotTaken) holds.
var ErrResourceTaken error = &takenError{"booking: slot taken: a room or device is busy then"}

// takenError is a more precise ErrSlotTaken.
type takenError struct{ msg string }

func (e *takenError) Error() string { return e.msg }
func (e *takenError) Unwrap() error { return ErrSlotTaken }

// ValidationError names the field that is wrong. It unwraps to the sentinel
// that classifies it (ErrInvalidInput, ErrInPast, ErrOutsideWorkingHours…).
type ValidationError struct {
	Field   string
	Message string
	Err     error
}

func (e *ValidationError) Error() string { return fmt.Sprintf("booking: %s: %s", e.Field, e.Message) }
func (e *ValidationError) Unwrap() error { return e.Err }

// ConflictError is ErrSlotTaken with the nearest free alternatives.
type ConflictError struct {
	Alternatives []Slot
	Location     *time.Location // the branch's zone, for showing the alternatives
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("booking: slot taken (%d alternatives)", len(e.Alternatives))
}
func (e *ConflictError) Unwrap() error { return ErrSlotTaken }

// EligibilityError is ErrNotEligible with the reason to show the client.
type EligibilityError struct {
	Reason   string
	ReasonEN string // in English; empty: Reason
}

func (e *EligibilityError) Error() string { return "booking: not eligible: " + e.Reason }
func (e *EligibilityError) Unwrap() error { return ErrNotEligible }
