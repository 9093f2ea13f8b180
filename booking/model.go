package booking

import (
	"fmt"
	"time"
)

// Money is an amount in minor units (kopecks, cents) and an ISO 4217 code.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Date is a calendar day in a branch's time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("booking: date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// In is time.Date(d, 00:00, loc). Where a DST change skips midnight
// (America/Santiago, Havana) time.Date normalises it, possibly into the day
// before; slot search computes day boundaries from the zone's real offsets
// instead, and callers that only need a range use a day of margin.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the day n days later (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Weekday of d.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.In(time.UTC).Before(e.In(time.UTC)) }

// Clock is a local wall-clock time of day in minutes after midnight
// (0 … 1440). 9:30 is 570.
type Clock int

// ParseClock reads exactly "HH:MM" (24:00 allowed as the end of a day).
func ParseClock(s string) (Clock, error) {
	digit := func(i int) (int, bool) { return int(s[i] - '0'), s[i] >= '0' && s[i] <= '9' }
	if len(s) == 5 && s[2] == ':' {
		h1, ok1 := digit(0)
		h2, ok2 := digit(1)
		m1, ok3 := digit(3)
		m2, ok4 := digit(4)
		h, m := h1*10+h2, m1*10+m2
		if ok1 && ok2 && ok3 && ok4 && m < 60 && h*60+m <= 24*60 {
			return Clock(h*60 + m), nil
		}
	}
	return 0, fmt.Errorf("booking: time of day %q: want HH:MM", s)
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// On is time.Date(d, c, loc). For a wall time that a DST change skips or
// repeats, time.Date's normalisation depends on the zone; slot search does not
// use On but maps boundaries to the earliest instant at or after c (see
// FindSlots).
func (c Clock) On(d Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, loc)
}

// Interval is a half-open local wall-clock span [Start, End) within a day.
type Interval struct {
	Start Clock `json:"start"`
	End   Clock `json:"end"`
}

// Week holds intervals per weekday, indexed by time.Weekday (Sunday = 0).
type Week [7][]Interval

// Branch is one clinic location.
type Branch struct {
	ID       string
	Name     string
	Address  string
	Phone    string
	TimeZone string // IANA, e.g. "Europe/Moscow"
	Opening  Week   // opening hours; slots never fall outside them
	Holidays []Date // days the branch is closed
	Active   bool
}

// Location loads the branch's time zone.
func (b Branch) Location() (*time.Location, error) { return time.LoadLocation(b.TimeZone) }

// Resource is a room or a device with a capacity of one.
type Resource struct {
	ID       string
	BranchID string
	Kind     string // e.g. "laser_room", "ultrasound"
	Name     string
	Active   bool
}

// Service is a procedure that can be booked.
type Service struct {
	ID                string
	Name              string
	Category          string // e.g. "consultation", "peel", "laser", "injection", "massage"
	Description       string
	Duration          time.Duration
	Price             Money
	BufferBefore      time.Duration // preparation: the specialist (and room) are busy before Start
	BufferAfter       time.Duration // cleaning: busy after End
	ResourceKinds     []string      // one free resource of each kind is needed in the branch
	BranchIDs         []string      // where it is offered
	Tags              []string      // for recommendations: skin types, concerns, contraindications
	Active            bool
	OnlineBooking     bool          // clients may book it themselves
	NeedsConfirmation bool          // a client's booking starts as pending until staff confirm
	CourseInterval    time.Duration // suggested gap between sessions of a course; 0: none
}

// SpecialistService is a service a specialist performs, optionally with their
// own duration.
type SpecialistService struct {
	ServiceID string
	Duration  time.Duration // 0: the service's duration
}

// Specialist is a cosmetologist, dermatologist, masseur…
type Specialist struct {
	ID        string
	UserID    string // the auth user, when the specialist signs in
	Name      string
	Title     string
	BranchIDs []string
	Services  []SpecialistService
	Active    bool
}

// Performs reports whether the specialist performs serviceID, and for how long.
func (s Specialist) Performs(svc Service) (time.Duration, bool) {
	for _, x := range s.Services {
		if x.ServiceID == svc.ID {
			if x.Duration > 0 {
				return x.Duration, true
			}
			return svc.Duration, true
		}
	}
	return 0, false
}

// WorkingPlan is a specialist's weekly hours in one branch, in the branch's
// local time, valid from From to To inclusive (zero dates: open-ended).
// Breaks are the gaps between a day's intervals.
type WorkingPlan struct {
	ID           string
	SpecialistID string
	BranchID     string
	Week         Week
	From, To     Date
}

// ExceptionKind says what an exception does to a working plan.
type ExceptionKind string

// Exception kinds. Day off, vacation and sick leave remove the hours of the
// days they cover (or only their Intervals, when given); an extra shift adds
// its Intervals.
const (
	ExceptionDayOff     ExceptionKind = "day_off"
	ExceptionVacation   ExceptionKind = "vacation"
	ExceptionSickLeave  ExceptionKind = "sick_leave"
	ExceptionExtraShift ExceptionKind = "extra_shift"
)

// Exception changes a specialist's plan on some days.
type Exception struct {
	ID           string
	SpecialistID string
	BranchID     string // for an extra shift: where; for absences: empty means every branch
	Kind         ExceptionKind
	From, To     Date       // inclusive
	Intervals    []Interval // an extra shift's hours; a partial absence; empty: the whole day
	Note         string
}

// Status is where an appointment is in its lifecycle.
type Status string

// Appointment statuses.
const (
	StatusPending   Status = "pending"   // waits for staff confirmation
	StatusConfirmed Status = "confirmed" // booked
	StatusCompleted Status = "completed" // the visit happened
	StatusCancelled Status = "cancelled" // by the client or the clinic
	StatusNoShow    Status = "no_show"   // the client did not come
)

// Active reports whether the appointment holds its time (pending or confirmed).
func (s Status) Active() bool { return s == StatusPending || s == StatusConfirmed }

// Appointment is one booked visit. Start and End are the service time; the
// specialist and resources are blocked from BlockStart to BlockEnd (the
// buffers added).
type Appointment struct {
	ID           string
	ClientID     string
	BranchID     string
	ServiceID    string
	SpecialistID string
	ResourceIDs  []string
	Start, End   time.Time // UTC
	BlockStart   time.Time // Start − service buffer before
	BlockEnd     time.Time // End + service buffer after
	Status       Status
	Price        Money
	Notes        string // staff notes
	ClientNote   string // what the client wrote when booking
	CancelledBy  string // user ID
	CancelReason string
	PlanID       string // the treatment plan this is a session of
	CreatedBy    string // user ID of whoever booked (the client, or staff on their behalf)
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// StatusChange is one line of an appointment's history.
type StatusChange struct {
	AppointmentID string
	From, To      Status // From is empty for the booking itself
	At            time.Time
	By            string // user ID
	Reason        string
	// For a reschedule (From == To): the times before the move.
	OldStart, OldEnd time.Time
}

// EventType names a change the rest of the system may react to.
type EventType string

// Event types, written in the same transaction as the change.
const (
	EventBooked      EventType = "appointment.booked"
	EventConfirmed   EventType = "appointment.confirmed" // pending → confirmed
	EventRescheduled EventType = "appointment.rescheduled"
	EventCancelled   EventType = "appointment.cancelled"
	EventCompleted   EventType = "appointment.completed"
	EventNoShow      EventType = "appointment.no_show"
)

// Event is one entry of the event log. Seq is assigned by the store,
// increasing; consumers keep their own cursor.
type Event struct {
	Seq           int64
	Type          EventType
	AppointmentID string
	ClientID      string
	At            time.Time
	Appointment   Appointment // the appointment after the change
	OldStart      time.Time   // for a reschedule
}

// PlanStatus is where a treatment plan is.
type PlanStatus string

// Treatment plan statuses.
const (
	PlanActive    PlanStatus = "active"
	PlanCompleted PlanStatus = "completed"
	PlanCancelled PlanStatus = "cancelled"
)

// Plan is a course: a series of sessions of one service at an interval,
// assigned by a specialist.
type Plan struct {
	ID           string
	ClientID     string
	SpecialistID string
	ServiceID    string
	BranchID     string
	Sessions     int           // planned sessions
	Interval     time.Duration // between sessions
	Status       PlanStatus
	Notes        string
	CreatedBy    string
	CreatedAt    time.Time
}

// Busy is time taken outside Kabinet (the clinic's own system, a calendar):
// a specialist or a resource is unavailable from Start to End.
type Busy struct {
	SpecialistID string // one of the two is set
	ResourceID   string
	Start, End   time.Time
}

// Slot is a start time at which a service fits completely.
type Slot struct {
	Start, End   time.Time
	SpecialistID string
	ResourceIDs  []string
}
