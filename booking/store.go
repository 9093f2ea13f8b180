package booking

import (
	"context"
	"time"
)

// ServiceFilter selects services; empty fields match everything.
type ServiceFilter struct {
	BranchID     string
	ActiveOnly   bool
	OnlineOnly   bool
	SpecialistID string
}

// SpecialistFilter selects specialists; empty fields match everything.
type SpecialistFilter struct {
	BranchID   string
	ServiceID  string
	ActiveOnly bool
}

// AppointmentFilter selects appointments; empty fields match everything.
// From/To select appointments whose blocked time overlaps [From, To).
type AppointmentFilter struct {
	ClientID     string
	SpecialistID string
	BranchID     string
	PlanID       string
	From, To     time.Time
	Statuses     []Status
	Limit        int // 0: no limit
	Descending   bool
}

// BusyFilter selects the active appointments that block specialists or
// resources in a range, for slot search.
type BusyFilter struct {
	SpecialistIDs []string
	ResourceIDs   []string
	From, To      time.Time // blocked time overlapping [From, To)
}

// MaxBlock is the longest an appointment may block a specialist or resource
// (service time and buffers). The store bounds its overlap queries with it,
// so they stay index ranges however long the history grows.
const MaxBlock = 12 * time.Hour

// Store is the storage booking needs. Each method is atomic; store/storetest
// checks every promise, concurrency included.
type Store interface {
	// Catalog. Upserts insert or replace by ID. By-ID lookups return ErrNotFound.
	UpsertBranch(ctx context.Context, b Branch) error
	Branches(ctx context.Context) ([]Branch, error) // ordered by name
	BranchByID(ctx context.Context, id string) (Branch, error)
	UpsertResource(ctx context.Context, r Resource) error
	Resources(ctx context.Context, branchID string) ([]Resource, error) // ordered by name
	UpsertService(ctx context.Context, s Service) error
	Services(ctx context.Context, f ServiceFilter) ([]Service, error) // ordered by category, name
	ServiceByID(ctx context.Context, id string) (Service, error)
	UpsertSpecialist(ctx context.Context, s Specialist) error
	Specialists(ctx context.Context, f SpecialistFilter) ([]Specialist, error) // ordered by name
	SpecialistByID(ctx context.Context, id string) (Specialist, error)

	// Schedules.
	// SetWorkingPlan inserts or replaces a plan by ID.
	SetWorkingPlan(ctx context.Context, p WorkingPlan) error
	// DeleteWorkingPlan: ErrNotFound if absent.
	DeleteWorkingPlan(ctx context.Context, id string) error
	// WorkingPlans returns the plans of the specialists (all if empty) in the
	// branch (all if empty) valid on some day in [from, to].
	WorkingPlans(ctx context.Context, specialistIDs []string, branchID string, from, to Date) ([]WorkingPlan, error)
	AddException(ctx context.Context, e Exception) error
	// DeleteException: ErrNotFound if absent.
	DeleteException(ctx context.Context, id string) error
	// Exceptions returns the specialists' exceptions (all if empty) touching a
	// day in [from, to].
	Exceptions(ctx context.Context, specialistIDs []string, from, to Date) ([]Exception, error)

	// Appointments.
	// Busy returns the active (pending, confirmed) appointments of any of the
	// specialists or resources whose blocked time overlaps [From, To).
	Busy(ctx context.Context, f BusyFilter) ([]Appointment, error)
	// CreateAppointment, in one transaction: if idempotencyKey is not empty
	// and was used before by the same a.ClientID, returns that appointment and
	// created=false, writing nothing. Otherwise checks that no active
	// appointment overlaps — the specialist's blocked time, any of the
	// resources' blocked time, the client's service time [Start, End) — and
	// returns ErrSlotTaken if one does (ErrResourceTaken when only a
	// resource is busy); else inserts a, its first history line
	// (to a.Status), the idempotency key and ev (with Seq assigned).
	// Intervals are half-open: touching is not overlapping.
	CreateAppointment(ctx context.Context, a Appointment, idempotencyKey string, ev Event) (Appointment, bool, error)
	// MoveAppointment, in one transaction: the appointment must exist
	// (ErrNotFound) and be active (ErrInvalidTransition); checks overlaps as
	// CreateAppointment does, ignoring the appointment itself (ErrSlotTaken:
	// then nothing changes); replaces its specialist, resources, Start, End,
	// BlockStart, BlockEnd and UpdatedAt from moved; appends the history line
	// and ev.
	MoveAppointment(ctx context.Context, moved Appointment, change StatusChange, ev Event) (Appointment, error)
	// SetStatus, in one transaction: the appointment must exist (ErrNotFound)
	// and be in one of from (ErrInvalidTransition); sets change.To, and for
	// cancellations CancelledBy/CancelReason from change.By/Reason, notes when
	// notes is not nil, UpdatedAt = change.At; appends the history line and ev.
	SetStatus(ctx context.Context, id string, from []Status, change StatusChange, notes *string, ev Event) (Appointment, error)
	// AppointmentByID returns ErrNotFound for an unknown ID.
	AppointmentByID(ctx context.Context, id string) (Appointment, error)
	// AppointmentByIdempotencyKey returns the appointment the client created
	// with that key, or ErrNotFound.
	AppointmentByIdempotencyKey(ctx context.Context, clientID, key string) (Appointment, error)
	// Appointments returns the matching appointments ordered by Start
	// (Descending: latest first).
	Appointments(ctx context.Context, f AppointmentFilter) ([]Appointment, error)
	// History returns an appointment's status changes, oldest first.
	History(ctx context.Context, appointmentID string) ([]StatusChange, error)

	// Treatment plans.
	CreatePlan(ctx context.Context, p Plan) error
	// UpdatePlanStatus: ErrNotFound if absent.
	UpdatePlanStatus(ctx context.Context, id string, status PlanStatus) error
	PlanByID(ctx context.Context, id string) (Plan, error)
	Plans(ctx context.Context, clientID string) ([]Plan, error) // newest first

	// Events: the log written with the changes, read with a cursor.
	// EventsAfter returns up to limit events with Seq > after, in Seq order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error)
}

// BusySource reports time taken outside Kabinet (the clinic's own system, a
// calendar) for slot search and booking. Implementations must be safe for
// concurrent use.
type BusySource interface {
	Busy(ctx context.Context, branchID string, specialistIDs []string, from, to time.Time) ([]Busy, error)
}
