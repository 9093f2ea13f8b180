package booking

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Role is what an Actor may do in booking. The host maps its own roles onto
// it (the cabinet maps auth roles).
type Role int

// Roles, weakest first. The zero value may do nothing.
const (
	RoleClient     Role = iota + 1 // their own appointments, within the deadlines
	RoleSpecialist                 // their own schedule; complete / no-show their visits; treatment plans
	RoleManager                    // everything in their branches: book for clients, schedules
	RoleAdmin                      // everything everywhere
)

// Actor is who asks: a client or a staff member.
type Actor struct {
	UserID   string
	Role     Role
	Branches []string // a specialist's or manager's branches
}

func (a Actor) staff() bool { return a.Role >= RoleSpecialist }

// manages reports whether the actor runs the branch (manager there, or admin).
func (a Actor) manages(branchID string) bool {
	return a.Role == RoleAdmin || a.Role == RoleManager && slices.Contains(a.Branches, branchID)
}

// worksIn reports whether the actor is staff in the branch.
func (a Actor) worksIn(branchID string) bool {
	return a.Role == RoleAdmin || a.staff() && slices.Contains(a.Branches, branchID)
}

// Verdict is the Eligibility hook's answer.
type Verdict struct {
	Allowed           bool
	NeedsConfirmation bool   // book as pending: staff must confirm
	Reason            string // shown to the client when refused or pending
}

// Eligibility decides whether a client may book a service (contraindications,
// age, the host's own rules). It is consulted for client bookings; staff may
// override a refusal with a note.
type Eligibility interface {
	Eligible(ctx context.Context, clientID string, svc Service) (Verdict, error)
}

// EligibilityFunc adapts a function to Eligibility.
type EligibilityFunc func(ctx context.Context, clientID string, svc Service) (Verdict, error)

// Eligible calls f.
func (f EligibilityFunc) Eligible(ctx context.Context, clientID string, svc Service) (Verdict, error) {
	return f(ctx, clientID, svc)
}

// Config configures a Scheduler. Zero fields take the documented default.
type Config struct {
	Store       Store       // required
	Busy        BusySource  // optional: time taken outside Kabinet
	Eligibility Eligibility // optional: every client may book every online service
	Now         func() time.Time
	NewID       func() string
	Logger      *slog.Logger

	Notice         time.Duration // minimum notice before a client's booking; default 2h
	Horizon        time.Duration // how far ahead clients may book; default 60 days
	Grid           time.Duration // start times are on this grid; default 15m
	ChangeDeadline time.Duration // clients move or cancel until this long before the start; default 12h
	MaxRangeDays   int           // longest slot search; default 62
	Alternatives   int           // free slots offered when a slot is taken; default 3
}

// Scheduler books, moves and cancels appointments against the specialists'
// real schedules. It is safe for concurrent use; the Store makes the final
// overlap check atomic.
type Scheduler struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg and returns a Scheduler.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Store == nil {
		return nil, errors.New("booking: Config.Store is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	cfg.Notice = cmp.Or(cfg.Notice, 2*time.Hour)
	cfg.Horizon = cmp.Or(cfg.Horizon, 60*24*time.Hour)
	cfg.Grid = cmp.Or(cfg.Grid, 15*time.Minute)
	cfg.ChangeDeadline = cmp.Or(cfg.ChangeDeadline, 12*time.Hour)
	cfg.MaxRangeDays = cmp.Or(cfg.MaxRangeDays, 62)
	cfg.Alternatives = cmp.Or(cfg.Alternatives, 3)
	switch {
	case cfg.Grid < time.Minute || cfg.Grid > 24*time.Hour || (24*time.Hour)%cfg.Grid != 0:
		return nil, errors.New("booking: Config.Grid must divide a day and be at least a minute")
	case cfg.Notice < 0 || cfg.Horizon <= 0 || cfg.ChangeDeadline < 0 || cfg.MaxRangeDays < 1:
		return nil, errors.New("booking: Config.Notice, Horizon, ChangeDeadline and MaxRangeDays must not be negative")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Scheduler{cfg: cfg, log: log}, nil
}

// Store returns the store, for catalog administration and demo data.
func (s *Scheduler) Store() Store { return s.cfg.Store }

// Config returns the configuration in force.
func (s *Scheduler) Config() Config { return s.cfg }

// ---- catalog ---------------------------------------------------------------

// Branches lists the active branches.
func (s *Scheduler) Branches(ctx context.Context) ([]Branch, error) {
	all, err := s.cfg.Store.Branches(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(b Branch) bool { return !b.Active }), nil
}

// Services lists the active services bookable online, of one branch or all.
func (s *Scheduler) Services(ctx context.Context, branchID string) ([]Service, error) {
	if branchID != "" {
		if _, err := s.activeBranch(ctx, branchID); err != nil {
			return nil, err
		}
	}
	return s.cfg.Store.Services(ctx, ServiceFilter{BranchID: branchID, ActiveOnly: true, OnlineOnly: true})
}

// Specialists lists the active specialists, optionally of a branch and a service.
func (s *Scheduler) Specialists(ctx context.Context, branchID, serviceID string) ([]Specialist, error) {
	return s.cfg.Store.Specialists(ctx, SpecialistFilter{BranchID: branchID, ServiceID: serviceID, ActiveOnly: true})
}

func (s *Scheduler) activeBranch(ctx context.Context, id string) (Branch, error) {
	b, err := s.cfg.Store.BranchByID(ctx, id)
	if err != nil {
		return Branch{}, err
	}
	if !b.Active {
		return Branch{}, ErrNotFound
	}
	return b, nil
}

// ---- slots -----------------------------------------------------------------

// SlotRequest asks for free start times.
type SlotRequest struct {
	ServiceID    string
	BranchID     string
	SpecialistID string // empty: any specialist
	From, To     Date   // inclusive, in the branch's zone
}

// Slots returns every start at which the service fits, ordered by start.
// Errors: ErrNotFound (unknown service, branch or specialist, or the service
// is not offered there), *ValidationError with ErrInvalidRange (more than
// MaxRangeDays days, or To before From).
func (s *Scheduler) Slots(ctx context.Context, req SlotRequest) ([]Slot, error) {
	switch {
	case req.From.IsZero() || req.To.IsZero():
		return nil, &ValidationError{Field: "from", Message: "from and to are required dates", Err: ErrInvalidInput}
	case req.To.Before(req.From):
		return nil, &ValidationError{Field: "to", Message: "to is before from", Err: ErrInvalidRange}
	case !req.To.Before(req.From.AddDays(s.cfg.MaxRangeDays)):
		return nil, &ValidationError{Field: "to", Message: fmt.Sprintf("the range is longer than %d days", s.cfg.MaxRangeDays), Err: ErrInvalidRange}
	}
	q, err := s.query(ctx, req.ServiceID, req.BranchID, req.SpecialistID, false)
	if err != nil {
		return nil, err
	}
	q.From, q.To = req.From, req.To
	sch, err := s.schedule(ctx, q, "")
	if err != nil {
		return nil, err
	}
	return FindSlots(q, sch), nil
}

// query loads what a search or a booking needs. staff bookings skip the
// online-booking flag, the notice and the horizon.
func (s *Scheduler) query(ctx context.Context, serviceID, branchID, specialistID string, staff bool) (SlotQuery, error) {
	svc, err := s.cfg.Store.ServiceByID(ctx, serviceID)
	if err != nil {
		return SlotQuery{}, notFoundField(err, "service_id")
	}
	branch, err := s.activeBranch(ctx, branchID)
	if err != nil {
		return SlotQuery{}, notFoundField(err, "branch_id")
	}
	if !svc.Active || !slices.Contains(svc.BranchIDs, branchID) || !svc.OnlineBooking && !staff {
		return SlotQuery{}, &ValidationError{Field: "service_id", Message: "the service is not booked online in this branch", Err: ErrNotFound}
	}
	loc, err := branch.Location()
	if err != nil {
		return SlotQuery{}, fmt.Errorf("booking: branch %s: time zone: %w", branch.ID, err)
	}
	var cands []Specialist
	if specialistID != "" {
		sp, err := s.cfg.Store.SpecialistByID(ctx, specialistID)
		if err != nil {
			return SlotQuery{}, notFoundField(err, "specialist_id")
		}
		if _, ok := sp.Performs(svc); !ok || !sp.Active || !slices.Contains(sp.BranchIDs, branchID) {
			return SlotQuery{}, &ValidationError{Field: "specialist_id", Message: "the specialist does not perform this service in this branch", Err: ErrNotFound}
		}
		cands = []Specialist{sp}
	} else if cands, err = s.Specialists(ctx, branchID, serviceID); err != nil {
		return SlotQuery{}, err
	}
	q := SlotQuery{
		Service: svc, Branch: branch, Location: loc, Specialists: cands,
		Now: s.cfg.Now(), Notice: s.cfg.Notice, Horizon: s.cfg.Horizon, Grid: s.cfg.Grid,
	}
	if staff {
		// The front desk books what the client asks for on the phone, even
		// for in an hour; the past stays closed.
		q.Notice, q.Horizon = 0, 366*24*time.Hour
	}
	return q, nil
}

// schedule loads plans, exceptions, bookings, resources and outside busy time
// for the query's days, leaving out the appointment being moved.
func (s *Scheduler) schedule(ctx context.Context, q SlotQuery, skipID string) (Schedule, error) {
	ids := make([]string, len(q.Specialists))
	for i, sp := range q.Specialists {
		ids[i] = sp.ID
	}
	from, to := q.From.AddDays(-1).In(q.Location), q.To.AddDays(2).In(q.Location)
	var sch Schedule
	var err error
	if sch.Plans, err = s.cfg.Store.WorkingPlans(ctx, ids, q.Branch.ID, q.From, q.To); err != nil {
		return Schedule{}, err
	}
	if sch.Exceptions, err = s.cfg.Store.Exceptions(ctx, ids, q.From, q.To); err != nil {
		return Schedule{}, err
	}
	all, err := s.cfg.Store.Resources(ctx, q.Branch.ID)
	if err != nil {
		return Schedule{}, err
	}
	var resIDs []string
	for _, r := range all {
		if r.Active && slices.Contains(q.Service.ResourceKinds, r.Kind) {
			sch.Resources = append(sch.Resources, r)
			resIDs = append(resIDs, r.ID)
		}
	}
	booked, err := s.cfg.Store.Busy(ctx, BusyFilter{SpecialistIDs: ids, ResourceIDs: resIDs, From: from, To: to})
	if err != nil {
		return Schedule{}, err
	}
	sch.Booked = slices.DeleteFunc(booked, func(a Appointment) bool { return a.ID == skipID })
	if s.cfg.Busy != nil {
		if sch.External, err = s.cfg.Busy.Busy(ctx, q.Branch.ID, ids, from, to); err != nil {
			return Schedule{}, fmt.Errorf("booking: busy source: %w", err)
		}
	}
	return sch, nil
}

// ---- booking ---------------------------------------------------------------

// BookRequest asks for one appointment.
type BookRequest struct {
	ClientID       string // the client; a client actor books for themselves
	ServiceID      string
	BranchID       string
	SpecialistID   string // empty: any free specialist
	Start          time.Time
	ClientNote     string
	IdempotencyKey string // a retried request with the same key returns the first result
	PlanID         string // a session of this treatment plan
	// Override lets staff book a service the Eligibility hook refused; Note
	// says why and goes to the appointment's notes.
	Override bool
	Note     string
}

// Book creates an appointment, confirmed at once (pending when the service
// or the Eligibility hook asks for staff confirmation). created is false when
// an earlier request with the same IdempotencyKey already made it.
//
// Errors: ErrNotFound; *ValidationError (start: ErrInPast, ErrInvalidInput,
// ErrOutsideWorkingHours); *EligibilityError; *ConflictError (ErrSlotTaken)
// with the nearest free alternatives.
func (s *Scheduler) Book(ctx context.Context, actor Actor, req BookRequest) (Appointment, bool, error) {
	if actor.Role == RoleClient {
		req.ClientID, req.Override = actor.UserID, false
	}
	if req.ClientID == "" {
		return Appointment{}, false, &ValidationError{Field: "client_id", Message: "is required", Err: ErrInvalidInput}
	}
	if len(req.ClientNote) > 1000 || len(req.Note) > 2000 || len(req.IdempotencyKey) > 200 {
		return Appointment{}, false, &ValidationError{Field: "note", Message: "too long", Err: ErrInvalidInput}
	}
	staff := actor.Role != RoleClient
	if staff && !actor.manages(req.BranchID) {
		return Appointment{}, false, ErrForbidden
	}
	if req.IdempotencyKey != "" {
		// A retry answers with the first result before anything else is
		// checked: its own booking must not look like a conflict.
		if a, err := s.cfg.Store.AppointmentByIdempotencyKey(ctx, req.ClientID, req.IdempotencyKey); err == nil {
			return a, false, nil
		} else if !errors.Is(err, ErrNotFound) {
			return Appointment{}, false, err
		}
	}
	q, err := s.query(ctx, req.ServiceID, req.BranchID, req.SpecialistID, staff)
	if err != nil {
		return Appointment{}, false, err
	}
	status := StatusConfirmed
	if q.Service.NeedsConfirmation && !staff {
		status = StatusPending
	}
	if s.cfg.Eligibility != nil {
		v, err := s.cfg.Eligibility.Eligible(ctx, req.ClientID, q.Service)
		if err != nil {
			return Appointment{}, false, fmt.Errorf("booking: eligibility: %w", err)
		}
		switch {
		case !v.Allowed && !(staff && req.Override):
			return Appointment{}, false, &EligibilityError{Reason: v.Reason}
		case v.NeedsConfirmation && !staff:
			status = StatusPending
		}
	}
	if req.PlanID != "" {
		if err := s.checkPlan(ctx, req); err != nil {
			return Appointment{}, false, err
		}
	}

	slot, err := s.place(ctx, q, req.Start, req.SpecialistID, "")
	if errors.Is(err, ErrSlotTaken) && req.IdempotencyKey != "" {
		// A concurrent retry of the same request may have just won.
		if a, err := s.cfg.Store.AppointmentByIdempotencyKey(ctx, req.ClientID, req.IdempotencyKey); err == nil {
			return a, false, nil
		}
	}
	if err != nil {
		return Appointment{}, false, err
	}
	now := s.cfg.Now().UTC()
	a := Appointment{
		ID: s.cfg.NewID(), ClientID: req.ClientID, BranchID: req.BranchID, ServiceID: req.ServiceID,
		Status: status, Price: q.Service.Price, ClientNote: req.ClientNote, Notes: req.Note, PlanID: req.PlanID,
		CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now,
	}
	setSlot(&a, slot, q.Service)
	ev := Event{Type: EventBooked, AppointmentID: a.ID, ClientID: a.ClientID, At: now, Appointment: a}
	got, created, err := s.cfg.Store.CreateAppointment(ctx, a, req.IdempotencyKey, ev)
	if errors.Is(err, ErrSlotTaken) {
		return Appointment{}, false, s.conflict(ctx, q, req.Start, "")
	}
	return got, created, err
}

// place checks a requested start against the schedule and returns the slot
// (specialist and resources chosen), or the classified error; a taken slot
// comes with alternatives.
func (s *Scheduler) place(ctx context.Context, q SlotQuery, start time.Time, specialistID, skipID string) (Slot, error) {
	day := DateOf(start, q.Location)
	q.From, q.To = day, day
	sch, err := s.schedule(ctx, q, skipID)
	if err != nil {
		return Slot{}, err
	}
	slot, err := Check(q, sch, start, specialistID)
	if errors.Is(err, ErrSlotTaken) {
		return Slot{}, s.conflict(ctx, q, start, skipID)
	}
	return slot, err
}

// conflict builds the 409 answer: the nearest free slots within a week of t.
func (s *Scheduler) conflict(ctx context.Context, q SlotQuery, t time.Time, skipID string) error {
	day := DateOf(t, q.Location)
	q.From, q.To = day.AddDays(-3), day.AddDays(7)
	sch, err := s.schedule(ctx, q, skipID)
	if err != nil {
		return err
	}
	return &ConflictError{Alternatives: Nearest(FindSlots(q, sch), t, s.cfg.Alternatives)}
}

func setSlot(a *Appointment, slot Slot, svc Service) {
	a.SpecialistID, a.ResourceIDs = slot.SpecialistID, slot.ResourceIDs
	a.Start, a.End = slot.Start.UTC(), slot.End.UTC()
	a.BlockStart, a.BlockEnd = a.Start.Add(-svc.BufferBefore), a.End.Add(svc.BufferAfter)
}

// ---- changes ---------------------------------------------------------------

// Appointment returns one appointment the actor may see: their own as a
// client, their branches' as staff. Others: ErrNotFound.
func (s *Scheduler) Appointment(ctx context.Context, actor Actor, id string) (Appointment, error) {
	a, err := s.cfg.Store.AppointmentByID(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	if !s.canSee(actor, a) {
		return Appointment{}, ErrNotFound
	}
	return a, nil
}

func (s *Scheduler) canSee(actor Actor, a Appointment) bool {
	if actor.Role == RoleClient || !actor.staff() {
		return actor.UserID != "" && a.ClientID == actor.UserID
	}
	return actor.worksIn(a.BranchID) || a.ClientID == actor.UserID
}

// mayChange reports whether the actor may move or cancel a: the client who
// owns it until the deadline, a manager of its branch or an admin always.
func (s *Scheduler) mayChange(actor Actor, a Appointment) error {
	if actor.manages(a.BranchID) {
		return nil
	}
	if a.ClientID != actor.UserID {
		if s.canSee(actor, a) {
			return ErrForbidden // a specialist sees it but does not run the front desk
		}
		return ErrNotFound
	}
	if s.cfg.Now().Add(s.cfg.ChangeDeadline).After(a.Start) {
		return &ValidationError{Field: "start", Message: fmt.Sprintf("changes are possible until %s before the visit", s.cfg.ChangeDeadline), Err: ErrTooLateToChange}
	}
	return nil
}

// Reschedule moves an appointment to a new start (and optionally another
// specialist) in one atomic step: if the new time is taken, the old booking
// stays as it was. Errors as Book, plus ErrTooLateToChange and
// ErrInvalidTransition (not active).
func (s *Scheduler) Reschedule(ctx context.Context, actor Actor, id string, start time.Time, specialistID string) (Appointment, error) {
	a, err := s.Appointment(ctx, actor, id)
	if err != nil {
		return Appointment{}, err
	}
	if err := s.mayChange(actor, a); err != nil {
		return Appointment{}, err
	}
	if !a.Status.Active() {
		return Appointment{}, ErrInvalidTransition
	}
	if specialistID == "" {
		specialistID = a.SpecialistID
	}
	q, err := s.query(ctx, a.ServiceID, a.BranchID, specialistID, actor.manages(a.BranchID))
	if err != nil {
		return Appointment{}, err
	}
	if actor.Role == RoleClient {
		// A client's new time also respects the change deadline.
		if s.cfg.Now().Add(s.cfg.ChangeDeadline).After(start) {
			return Appointment{}, &ValidationError{Field: "start", Message: fmt.Sprintf("the new time must be at least %s ahead", s.cfg.ChangeDeadline), Err: ErrTooLateToChange}
		}
	}
	slot, err := s.place(ctx, q, start, specialistID, a.ID)
	if err != nil {
		return Appointment{}, err
	}
	now := s.cfg.Now().UTC()
	moved := a
	setSlot(&moved, slot, q.Service)
	moved.UpdatedAt = now
	change := StatusChange{AppointmentID: a.ID, From: a.Status, To: a.Status, At: now, By: actor.UserID, OldStart: a.Start, OldEnd: a.End}
	ev := Event{Type: EventRescheduled, AppointmentID: a.ID, ClientID: a.ClientID, At: now, Appointment: moved, OldStart: a.Start}
	got, err := s.cfg.Store.MoveAppointment(ctx, moved, change, ev)
	if errors.Is(err, ErrSlotTaken) {
		return Appointment{}, s.conflict(ctx, q, start, a.ID)
	}
	return got, err
}

// Cancel cancels an appointment. A client may cancel their own until the
// deadline; a manager or admin always.
func (s *Scheduler) Cancel(ctx context.Context, actor Actor, id, reason string) (Appointment, error) {
	if len(reason) > 1000 {
		return Appointment{}, &ValidationError{Field: "reason", Message: "too long", Err: ErrInvalidInput}
	}
	a, err := s.Appointment(ctx, actor, id)
	if err != nil {
		return Appointment{}, err
	}
	if !a.Status.Active() {
		return Appointment{}, ErrInvalidTransition
	}
	if err := s.mayChange(actor, a); err != nil {
		return Appointment{}, err
	}
	return s.setStatus(ctx, actor, a, []Status{StatusPending, StatusConfirmed}, StatusCancelled, strings.TrimSpace(reason), nil, EventCancelled)
}

// Confirm confirms a pending appointment (manager of the branch or admin).
func (s *Scheduler) Confirm(ctx context.Context, actor Actor, id string) (Appointment, error) {
	a, err := s.staffAppointment(ctx, actor, id, true)
	if err != nil {
		return Appointment{}, err
	}
	return s.setStatus(ctx, actor, a, []Status{StatusPending}, StatusConfirmed, "", nil, EventConfirmed)
}

// Complete marks a visit as done, with the specialist's notes. The
// appointment's specialist, a manager of the branch or an admin may.
func (s *Scheduler) Complete(ctx context.Context, actor Actor, id, notes string) (Appointment, error) {
	if len(notes) > 10000 {
		return Appointment{}, &ValidationError{Field: "notes", Message: "too long", Err: ErrInvalidInput}
	}
	a, err := s.staffAppointment(ctx, actor, id, false)
	if err != nil {
		return Appointment{}, err
	}
	return s.setStatus(ctx, actor, a, []Status{StatusConfirmed, StatusPending}, StatusCompleted, "", &notes, EventCompleted)
}

// NoShow marks that the client did not come.
func (s *Scheduler) NoShow(ctx context.Context, actor Actor, id string) (Appointment, error) {
	a, err := s.staffAppointment(ctx, actor, id, false)
	if err != nil {
		return Appointment{}, err
	}
	return s.setStatus(ctx, actor, a, []Status{StatusConfirmed, StatusPending}, StatusNoShow, "", nil, EventNoShow)
}

// staffAppointment loads an appointment a staff actor may act on: a manager
// of its branch or an admin; unless managerOnly, also its own specialist.
func (s *Scheduler) staffAppointment(ctx context.Context, actor Actor, id string, managerOnly bool) (Appointment, error) {
	if !actor.staff() {
		return Appointment{}, ErrForbidden
	}
	a, err := s.Appointment(ctx, actor, id)
	if err != nil {
		return Appointment{}, err
	}
	if actor.manages(a.BranchID) {
		return a, nil
	}
	if !managerOnly {
		if sp, err := s.cfg.Store.SpecialistByID(ctx, a.SpecialistID); err == nil && sp.UserID != "" && sp.UserID == actor.UserID {
			return a, nil
		}
	}
	return Appointment{}, ErrForbidden
}

func (s *Scheduler) setStatus(ctx context.Context, actor Actor, a Appointment, from []Status, to Status, reason string, notes *string, t EventType) (Appointment, error) {
	now := s.cfg.Now().UTC()
	change := StatusChange{AppointmentID: a.ID, From: a.Status, To: to, At: now, By: actor.UserID, Reason: reason}
	after := a
	after.Status, after.UpdatedAt = to, now
	if to == StatusCancelled {
		after.CancelledBy, after.CancelReason = actor.UserID, reason
	}
	if notes != nil {
		after.Notes = *notes
	}
	ev := Event{Type: t, AppointmentID: a.ID, ClientID: a.ClientID, At: now, Appointment: after}
	return s.cfg.Store.SetStatus(ctx, a.ID, from, change, notes, ev)
}

// ---- lists -----------------------------------------------------------------

// Upcoming returns the client's active appointments that have not ended,
// soonest first — for the host application's own code.
func (s *Scheduler) Upcoming(ctx context.Context, clientID string) ([]Appointment, error) {
	return s.cfg.Store.Appointments(ctx, AppointmentFilter{
		ClientID: clientID, From: s.cfg.Now().UTC(), Statuses: []Status{StatusPending, StatusConfirmed},
	})
}

// Past returns the client's appointments that have started or are no longer
// active, latest first.
func (s *Scheduler) Past(ctx context.Context, clientID string) ([]Appointment, error) {
	all, err := s.cfg.Store.Appointments(ctx, AppointmentFilter{ClientID: clientID, Descending: true})
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	return slices.DeleteFunc(all, func(a Appointment) bool { return a.Status.Active() && a.End.After(now) }), nil
}

// History returns an appointment's status changes for someone who may see it.
func (s *Scheduler) History(ctx context.Context, actor Actor, id string) ([]StatusChange, error) {
	if _, err := s.Appointment(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.cfg.Store.History(ctx, id)
}

// DayRequest selects a staff schedule: a specialist's, or a whole branch's.
type DayRequest struct {
	SpecialistID string // one of the two
	BranchID     string
	From         Date // first day, in the branch's zone
	Days         int  // 1 for a day, 7 for a week; at most 31
}

// Agenda returns the appointments of a specialist or a branch over some days,
// ordered by start, for staff: a specialist sees their own, a manager their
// branches', an admin all.
func (s *Scheduler) Agenda(ctx context.Context, actor Actor, req DayRequest) ([]Appointment, error) {
	if !actor.staff() {
		return nil, ErrForbidden
	}
	if req.Days < 1 || req.Days > 31 {
		return nil, &ValidationError{Field: "days", Message: "must be from 1 to 31", Err: ErrInvalidInput}
	}
	f := AppointmentFilter{SpecialistID: req.SpecialistID, BranchID: req.BranchID}
	tz := "UTC"
	switch {
	case req.SpecialistID != "":
		sp, err := s.cfg.Store.SpecialistByID(ctx, req.SpecialistID)
		if err != nil {
			return nil, err
		}
		own := sp.UserID != "" && sp.UserID == actor.UserID
		if !own && !slices.ContainsFunc(sp.BranchIDs, actor.manages) {
			return nil, ErrForbidden
		}
		if len(sp.BranchIDs) > 0 {
			if b, err := s.cfg.Store.BranchByID(ctx, sp.BranchIDs[0]); err == nil {
				tz = b.TimeZone
			}
		}
	case req.BranchID != "":
		if !actor.worksIn(req.BranchID) {
			return nil, ErrForbidden
		}
		b, err := s.cfg.Store.BranchByID(ctx, req.BranchID)
		if err != nil {
			return nil, err
		}
		tz = b.TimeZone
	default:
		return nil, &ValidationError{Field: "specialist_id", Message: "a specialist or a branch is required", Err: ErrInvalidInput}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, err
	}
	f.From, f.To = req.From.In(loc), req.From.AddDays(req.Days).In(loc)
	return s.cfg.Store.Appointments(ctx, f)
}

// ---- working plans and exceptions -------------------------------------------

// SetWorkingPlan stores a specialist's weekly plan in a branch (a manager of
// the branch or an admin).
func (s *Scheduler) SetWorkingPlan(ctx context.Context, actor Actor, p WorkingPlan) (WorkingPlan, error) {
	if !actor.manages(p.BranchID) {
		return WorkingPlan{}, ErrForbidden
	}
	if _, err := s.cfg.Store.SpecialistByID(ctx, p.SpecialistID); err != nil {
		return WorkingPlan{}, notFoundField(err, "specialist_id")
	}
	if err := validWeek(p.Week, "week"); err != nil {
		return WorkingPlan{}, err
	}
	if !p.To.IsZero() && p.To.Before(p.From) {
		return WorkingPlan{}, &ValidationError{Field: "to", Message: "to is before from", Err: ErrInvalidInput}
	}
	p.ID = cmp.Or(p.ID, s.cfg.NewID())
	return p, s.cfg.Store.SetWorkingPlan(ctx, p)
}

// AddException records a day off, vacation, sick leave or extra shift (a
// manager of the specialist's branch or an admin).
func (s *Scheduler) AddException(ctx context.Context, actor Actor, e Exception) (Exception, error) {
	sp, err := s.cfg.Store.SpecialistByID(ctx, e.SpecialistID)
	if err != nil {
		return Exception{}, notFoundField(err, "specialist_id")
	}
	if e.BranchID != "" && !actor.manages(e.BranchID) || e.BranchID == "" && !slices.ContainsFunc(sp.BranchIDs, actor.manages) {
		return Exception{}, ErrForbidden
	}
	switch e.Kind {
	case ExceptionDayOff, ExceptionVacation, ExceptionSickLeave:
	case ExceptionExtraShift:
		if e.BranchID == "" || len(e.Intervals) == 0 {
			return Exception{}, &ValidationError{Field: "intervals", Message: "an extra shift needs a branch and its hours", Err: ErrInvalidInput}
		}
	default:
		return Exception{}, &ValidationError{Field: "kind", Message: "must be day_off, vacation, sick_leave or extra_shift", Err: ErrInvalidInput}
	}
	if e.From.IsZero() || e.To.IsZero() || e.To.Before(e.From) {
		return Exception{}, &ValidationError{Field: "to", Message: "from and to are required and to may not be before from", Err: ErrInvalidInput}
	}
	if err := validIntervals(e.Intervals, "intervals"); err != nil {
		return Exception{}, err
	}
	if len(e.Note) > 500 {
		return Exception{}, &ValidationError{Field: "note", Message: "too long", Err: ErrInvalidInput}
	}
	e.ID = cmp.Or(e.ID, s.cfg.NewID())
	return e, s.cfg.Store.AddException(ctx, e)
}

func validWeek(w Week, field string) error {
	for _, day := range w {
		if err := validIntervals(day, field); err != nil {
			return err
		}
	}
	return nil
}

// validIntervals: each within the day, start before end, ordered, not overlapping.
func validIntervals(in []Interval, field string) error {
	for i, iv := range in {
		if iv.Start < 0 || iv.End > 24*60 || iv.Start >= iv.End {
			return &ValidationError{Field: field, Message: "each interval starts before it ends, within the day", Err: ErrInvalidInput}
		}
		if i > 0 && in[i-1].End > iv.Start {
			return &ValidationError{Field: field, Message: "intervals must be ordered and not overlap", Err: ErrInvalidInput}
		}
	}
	return nil
}

// ---- treatment plans ---------------------------------------------------------

// CreatePlan assigns a course to a client (a specialist, manager or admin).
func (s *Scheduler) CreatePlan(ctx context.Context, actor Actor, p Plan) (Plan, error) {
	if !actor.staff() {
		return Plan{}, ErrForbidden
	}
	if !actor.worksIn(p.BranchID) {
		return Plan{}, ErrForbidden
	}
	svc, err := s.cfg.Store.ServiceByID(ctx, p.ServiceID)
	if err != nil {
		return Plan{}, notFoundField(err, "service_id")
	}
	if p.ClientID == "" {
		return Plan{}, &ValidationError{Field: "client_id", Message: "is required", Err: ErrInvalidInput}
	}
	if p.Sessions < 1 || p.Sessions > 50 {
		return Plan{}, &ValidationError{Field: "sessions", Message: "must be from 1 to 50", Err: ErrInvalidInput}
	}
	p.Interval = cmp.Or(p.Interval, svc.CourseInterval)
	if p.Interval < 24*time.Hour || p.Interval > 365*24*time.Hour {
		return Plan{}, &ValidationError{Field: "interval_days", Message: "must be from 1 to 365 days", Err: ErrInvalidInput}
	}
	p.ID, p.Status, p.CreatedBy, p.CreatedAt = s.cfg.NewID(), PlanActive, actor.UserID, s.cfg.Now().UTC()
	return p, s.cfg.Store.CreatePlan(ctx, p)
}

// PlanProgress is a course with what is done and what comes next.
type PlanProgress struct {
	Plan      Plan
	Completed int
	Booked    []Appointment // upcoming sessions
	// NextFrom is the earliest suggested day for the next session: the
	// interval after the last completed or booked one (today for the first).
	NextFrom time.Time
}

// ClientPlans returns a client's treatment plans with their progress (the
// client themselves or staff).
func (s *Scheduler) ClientPlans(ctx context.Context, actor Actor, clientID string) ([]PlanProgress, error) {
	if actor.UserID != clientID && !actor.staff() {
		return nil, ErrNotFound
	}
	plans, err := s.cfg.Store.Plans(ctx, clientID)
	if err != nil {
		return nil, err
	}
	out := make([]PlanProgress, 0, len(plans))
	for _, p := range plans {
		appts, err := s.cfg.Store.Appointments(ctx, AppointmentFilter{PlanID: p.ID})
		if err != nil {
			return nil, err
		}
		pp := PlanProgress{Plan: p, NextFrom: s.cfg.Now().UTC()}
		var last time.Time
		for _, a := range appts {
			switch {
			case a.Status == StatusCompleted:
				pp.Completed++
			case a.Status.Active():
				pp.Booked = append(pp.Booked, a)
			default:
				continue
			}
			if a.Start.After(last) {
				last = a.Start
			}
		}
		if !last.IsZero() && last.Add(p.Interval).After(pp.NextFrom) {
			pp.NextFrom = last.Add(p.Interval)
		}
		out = append(out, pp)
	}
	return out, nil
}

func (s *Scheduler) checkPlan(ctx context.Context, req BookRequest) error {
	p, err := s.cfg.Store.PlanByID(ctx, req.PlanID)
	if err != nil || p.ClientID != req.ClientID {
		return &ValidationError{Field: "plan_id", Message: "no such treatment plan for this client", Err: ErrNotFound}
	}
	if p.Status != PlanActive || p.ServiceID != req.ServiceID {
		return &ValidationError{Field: "plan_id", Message: "the plan is not active or is for another service", Err: ErrInvalidInput}
	}
	return nil
}

// notFoundField names the field of a lookup that found nothing.
func notFoundField(err error, field string) error {
	if errors.Is(err, ErrNotFound) {
		return &ValidationError{Field: field, Message: "not found", Err: ErrNotFound}
	}
	return err
}
