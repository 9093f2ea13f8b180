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
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

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
	Reason            string // shown to the client when refused or pending, in the clinic's language
	ReasonEN          string // the same in English, for a client who reads English; empty: Reason
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
	cfg        Config
	log        *slog.Logger
	locs       sync.Map // IANA name → *time.Location: loading a zone reads and parses a file
	branchLocs sync.Map // branch ID → *time.Location, for showing times
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

// location loads an IANA zone once.
func (s *Scheduler) location(name string) (*time.Location, error) {
	if loc, ok := s.locs.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	s.locs.Store(name, loc)
	return loc, nil
}

// BranchLocation is the branch's time zone, for showing times with their
// local offset; UTC when the branch or its zone cannot be found.
//
// The zone is remembered per branch: a branch does not move, and a changed
// zone only changes how times are shown until the process restarts.
func (s *Scheduler) BranchLocation(ctx context.Context, branchID string) *time.Location {
	if loc, ok := s.branchLocs.Load(branchID); ok {
		return loc.(*time.Location)
	}
	if b, err := s.cfg.Store.BranchByID(ctx, branchID); err == nil {
		if loc, err := s.location(b.TimeZone); err == nil {
			s.branchLocs.Store(branchID, loc)
			return loc
		}
	}
	return time.UTC
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

// Specialists lists the active specialists, optionally of a branch and a
// service. ErrNotFound for a branch or service that does not exist or is
// not active, as Services answers, so a typo is not mistaken for "nobody".
func (s *Scheduler) Specialists(ctx context.Context, branchID, serviceID string) ([]Specialist, error) {
	if branchID != "" {
		if _, err := s.activeBranch(ctx, branchID); err != nil {
			return nil, err
		}
	}
	if serviceID != "" {
		svc, err := s.cfg.Store.ServiceByID(ctx, serviceID)
		if err != nil {
			return nil, err
		}
		if !svc.Active {
			return nil, ErrNotFound
		}
	}
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
		return nil, &ValidationError{Field: "to", Message: "the end date is before the start date", Err: ErrInvalidRange}
	case !req.To.Before(req.From.AddDays(s.cfg.MaxRangeDays)):
		return nil, &ValidationError{Field: "to", Message: fmt.Sprintf("the range is longer than %d days", s.cfg.MaxRangeDays), Err: ErrInvalidRange}
	}
	q, err := s.query(ctx, req.ServiceID, req.BranchID, req.SpecialistID, false)
	if err != nil {
		return nil, err
	}
	q.From, q.To = req.From, req.To
	sch, err := s.schedule(ctx, q, "", "")
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
	loc, err := s.location(branch.TimeZone)
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
// for the query's days, leaving out the appointment being moved. With a
// clientID, the client's own active appointments count as busy time for every
// candidate: a client cannot be in two places, and alternatives must not
// offer that.
func (s *Scheduler) schedule(ctx context.Context, q SlotQuery, clientID, skipID string) (Schedule, error) {
	return s.loadSchedule(ctx, q, clientID, skipID, false)
}

// loadSchedule is schedule; light leaves out the specialists' bookings and
// the client's own, which the store checks atomically anyway — for placing a
// booking with a named specialist, where nothing has to be chosen among them.
// Rooms' and devices' bookings are still read: a free one must be picked.
func (s *Scheduler) loadSchedule(ctx context.Context, q SlotQuery, clientID, skipID string, light bool) (Schedule, error) {
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
	busyOf := BusyFilter{SpecialistIDs: ids, ResourceIDs: resIDs, From: from, To: to}
	if light {
		busyOf.SpecialistIDs, clientID = nil, ""
	}
	if len(busyOf.SpecialistIDs) > 0 || len(busyOf.ResourceIDs) > 0 {
		booked, err := s.cfg.Store.Busy(ctx, busyOf)
		if err != nil {
			return Schedule{}, err
		}
		sch.Booked = slices.DeleteFunc(booked, func(a Appointment) bool { return a.ID == skipID })
	}
	if s.cfg.Busy != nil {
		if sch.External, err = s.cfg.Busy.Busy(ctx, q.Branch.ID, ids, from, to); err != nil {
			return Schedule{}, fmt.Errorf("booking: busy source: %w", err)
		}
	}
	if clientID != "" {
		own, err := s.cfg.Store.Appointments(ctx, AppointmentFilter{ClientID: clientID, From: from, To: to, Statuses: []Status{StatusPending, StatusConfirmed}})
		if err != nil {
			return Schedule{}, err
		}
		for _, a := range own {
			if a.ID == skipID {
				continue
			}
			for _, id := range ids {
				sch.External = append(sch.External, Busy{SpecialistID: id, Start: a.Start, End: a.End})
			}
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
	if err := checkText("note", req.ClientNote, 1000); err != nil {
		return Appointment{}, false, err
	}
	if err := checkText("note", req.Note, 2000); err != nil {
		return Appointment{}, false, err
	}
	if err := checkText("Idempotency-Key", req.IdempotencyKey, 200); err != nil {
		return Appointment{}, false, err
	}
	if req.Override && strings.TrimSpace(req.Note) == "" {
		return Appointment{}, false, &ValidationError{Field: "note", Message: "an override needs a note saying why", Err: ErrInvalidInput}
	}
	staff := actor.Role != RoleClient
	if staff && !actor.manages(req.BranchID) {
		return Appointment{}, false, ErrForbidden
	}
	if req.IdempotencyKey != "" {
		// A retry answers with the first result before anything else is
		// checked: its own booking must not look like a conflict.
		if a, err := s.cfg.Store.AppointmentByIdempotencyKey(ctx, req.ClientID, req.IdempotencyKey); err == nil {
			return s.replay(ctx, actor, req, a)
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
			return Appointment{}, false, &EligibilityError{Reason: v.Reason, ReasonEN: v.ReasonEN}
		case v.NeedsConfirmation && !staff:
			status = StatusPending
		}
	}
	if req.PlanID != "" {
		if err := s.checkPlan(ctx, req); err != nil {
			return Appointment{}, false, err
		}
	}

	for attempt := 1; ; attempt++ {
		slot, err := s.place(ctx, q, req.Start, req.SpecialistID, req.ClientID, "")
		if errors.Is(err, ErrSlotTaken) && req.IdempotencyKey != "" {
			// A concurrent retry of the same request may have just won.
			if a, err := s.cfg.Store.AppointmentByIdempotencyKey(ctx, req.ClientID, req.IdempotencyKey); err == nil {
				return s.replay(ctx, actor, req, a)
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
			if attempt == 1 && mayChooseAgain(err, req.SpecialistID) {
				continue
			}
			return Appointment{}, false, s.conflict(ctx, q, req.Start, req.ClientID, "")
		}
		return got, created, err
	}
}

// mayChooseAgain reports whether a slot the store refused may still be free
// with another choice: the rooms were chosen from a read that another booking
// overtook, or the specialist was ours to choose ("any specialist"). The
// Scheduler then reads the schedule again and tries once more, so a client
// is not told "taken" while an equivalent room or specialist is free.
func mayChooseAgain(err error, requestedSpecialist string) bool {
	return errors.Is(err, ErrResourceTaken) || requestedSpecialist == ""
}

// replay answers a retried booking with the appointment its key made — if
// the actor may see it and it is the same request: service, branch, start
// and, when the request names one, specialist. A key reused for a different
// booking is refused rather than silently answered with the first one. The
// start is compared with the booking as made: a later reschedule makes the
// old request a different one.
func (s *Scheduler) replay(ctx context.Context, actor Actor, req BookRequest, a Appointment) (Appointment, bool, error) {
	if !s.canSee(ctx, actor, a) {
		return Appointment{}, false, ErrForbidden
	}
	if a.ServiceID != req.ServiceID || a.BranchID != req.BranchID || !a.Start.Equal(req.Start) ||
		(req.SpecialistID != "" && req.SpecialistID != a.SpecialistID) {
		return Appointment{}, false, &ValidationError{Field: "Idempotency-Key", Message: "was used for another booking", Err: ErrInvalidInput}
	}
	return a, false, nil
}

// place checks a requested start against the schedule and returns the slot
// (specialist and resources chosen), or the classified error; a taken slot
// comes with alternatives.
func (s *Scheduler) place(ctx context.Context, q SlotQuery, start time.Time, specialistID, clientID, skipID string) (Slot, error) {
	day := DateOf(start, q.Location)
	q.From, q.To = day, day
	// With a named specialist nothing is chosen among bookings: the light
	// schedule settles hours, grid, notice and rooms, and the store's atomic
	// check settles overlaps (a taken slot comes back as ErrSlotTaken there).
	sch, err := s.loadSchedule(ctx, q, clientID, skipID, specialistID != "")
	if err != nil {
		return Slot{}, err
	}
	slot, err := Check(q, sch, start, specialistID)
	if errors.Is(err, ErrSlotTaken) {
		return Slot{}, s.conflict(ctx, q, start, clientID, skipID)
	}
	return slot, err
}

// conflict builds the 409 answer: the nearest free slots within a week of t.
func (s *Scheduler) conflict(ctx context.Context, q SlotQuery, t time.Time, clientID, skipID string) error {
	day := DateOf(t, q.Location)
	// The same day and the next usually hold the nearest free times; only when
	// they do not is the wider range (three days back, a week ahead) read.
	var alts []Slot
	for _, r := range [][2]int{{0, 1}, {-3, 7}} {
		q.From, q.To = day.AddDays(r[0]), day.AddDays(r[1])
		sch, err := s.schedule(ctx, q, clientID, skipID)
		if err != nil {
			return err
		}
		if alts = Nearest(FindSlots(q, sch), t, s.cfg.Alternatives); len(alts) >= s.cfg.Alternatives {
			break
		}
	}
	return &ConflictError{Alternatives: alts, Location: q.Location}
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
	if !s.canSee(ctx, actor, a) {
		return Appointment{}, ErrNotFound
	}
	return a, nil
}

// Visible returns whether the actor may open an appointment (Appointment's
// rule, canSee), reading what the rule needs once: for views built on the
// store directly that check many appointments.
func (s *Scheduler) Visible(ctx context.Context, actor Actor) func(Appointment) bool {
	var own map[string]bool
	if actor.Role == RoleSpecialist {
		own = s.ownSpecialistIDs(ctx, actor)
	}
	return func(a Appointment) bool {
		switch {
		case actor.UserID != "" && a.ClientID == actor.UserID:
			return true
		case actor.Role == RoleClient || !actor.staff():
			return false
		case actor.Role == RoleSpecialist:
			return actor.worksIn(a.BranchID) && own[a.SpecialistID]
		}
		return actor.worksIn(a.BranchID)
	}
}

// canSee: a client their own appointments; a manager their branches'; an
// admin all; a specialist their own — the appointments of the specialist
// records linked to them, as Agenda shows them — and none of their
// colleagues', whose clients they may not know.
func (s *Scheduler) canSee(ctx context.Context, actor Actor, a Appointment) bool {
	return s.Visible(ctx, actor)(a)
}

// mayChange reports whether the actor may move or cancel a: the client who
// owns it until the deadline, a manager of its branch or an admin always.
func (s *Scheduler) mayChange(ctx context.Context, actor Actor, a Appointment) error {
	if actor.manages(a.BranchID) {
		return nil
	}
	if a.ClientID != actor.UserID {
		if s.canSee(ctx, actor, a) {
			return ErrForbidden // a specialist sees it but does not run the front desk
		}
		return ErrNotFound
	}
	if s.cfg.Now().Add(s.cfg.ChangeDeadline).After(a.Start) {
		return &ValidationError{Field: "start", Message: "changes are possible online until " + hoursText(s.cfg.ChangeDeadline) + " before the visit; please call the clinic", Err: ErrTooLateToChange}
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
	if err := s.mayChange(ctx, actor, a); err != nil {
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
	if start.Equal(a.Start) && specialistID == a.SpecialistID {
		return a, nil // nothing moves: no history line, no event, no message to the client
	}
	for attempt := 1; ; attempt++ {
		slot, err := s.place(ctx, q, start, specialistID, a.ClientID, a.ID)
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
			// The specialist is always named here (the booked one by default).
			if attempt == 1 && mayChooseAgain(err, specialistID) {
				continue
			}
			return Appointment{}, s.conflict(ctx, q, start, a.ClientID, a.ID)
		}
		return got, err
	}
}

// Cancel cancels an appointment. A client may cancel their own until the
// deadline; a manager or admin always.
func (s *Scheduler) Cancel(ctx context.Context, actor Actor, id, reason string) (Appointment, error) {
	if err := checkText("reason", reason, 1000); err != nil {
		return Appointment{}, err
	}
	a, err := s.Appointment(ctx, actor, id)
	if err != nil {
		return Appointment{}, err
	}
	if !a.Status.Active() {
		return Appointment{}, ErrInvalidTransition
	}
	if err := s.mayChange(ctx, actor, a); err != nil {
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
	if err := checkText("notes", notes, 10000); err != nil {
		return Appointment{}, err
	}
	a, err := s.staffAppointment(ctx, actor, id, false)
	if err != nil {
		return Appointment{}, err
	}
	if s.cfg.Now().Before(a.Start) {
		return Appointment{}, &ValidationError{Field: "status", Message: "a visit is completed once it has started", Err: ErrInvalidTransition}
	}
	done, err := s.setStatus(ctx, actor, a, []Status{StatusConfirmed}, StatusCompleted, "", &notes, EventCompleted)
	if err != nil || done.PlanID == "" {
		return done, err
	}
	return done, s.closePlanIfDone(ctx, done.PlanID)
}

// NoShow marks that the client did not come.
func (s *Scheduler) NoShow(ctx context.Context, actor Actor, id string) (Appointment, error) {
	a, err := s.staffAppointment(ctx, actor, id, false)
	if err != nil {
		return Appointment{}, err
	}
	if s.cfg.Now().Before(a.Start) {
		return Appointment{}, &ValidationError{Field: "status", Message: "a no-show is marked once the visit has started", Err: ErrInvalidTransition}
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
	now := s.cfg.Now()
	all, err := s.cfg.Store.Appointments(ctx, AppointmentFilter{
		ClientID: clientID, From: now.UTC(), Statuses: []Status{StatusPending, StatusConfirmed},
	})
	if err != nil {
		return nil, err
	}
	// The store matches blocked time; the client's view ends with the
	// service, so a visit in its cleaning buffer is already past.
	return slices.DeleteFunc(all, func(a Appointment) bool { return !a.End.After(now) }), nil
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
// branches', an admin all. The rule is the same whichever way a specialist
// asks: their own schedule by specialist_id, and by branch_id their own
// appointments in that branch (not their colleagues', whose clients they
// may not see); a colleague's schedule is ErrForbidden.
func (s *Scheduler) Agenda(ctx context.Context, actor Actor, req DayRequest) ([]Appointment, error) {
	if !actor.staff() {
		return nil, ErrForbidden
	}
	if req.Days < 1 || req.Days > 31 {
		return nil, &ValidationError{Field: "days", Message: "must be from 1 to 31", Err: ErrInvalidInput}
	}
	f := AppointmentFilter{SpecialistID: req.SpecialistID, BranchID: req.BranchID}
	tz := "UTC"
	scope := func(Appointment) bool { return true }
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
		if req.BranchID != "" && !own && !actor.manages(req.BranchID) {
			return nil, ErrForbidden
		}
		scope = func(a Appointment) bool { return own || actor.manages(a.BranchID) }
		if len(sp.BranchIDs) > 0 {
			if b, err := s.cfg.Store.BranchByID(ctx, sp.BranchIDs[0]); err == nil {
				tz = b.TimeZone
			}
		}
	case req.BranchID != "":
		if !actor.worksIn(req.BranchID) {
			return nil, ErrForbidden
		}
		if !actor.manages(req.BranchID) {
			own := s.ownSpecialistIDs(ctx, actor)
			scope = func(a Appointment) bool { return own[a.SpecialistID] }
		}
		b, err := s.cfg.Store.BranchByID(ctx, req.BranchID)
		if err != nil {
			return nil, err
		}
		tz = b.TimeZone
	default:
		return nil, &ValidationError{Field: "specialist_id", Message: "a specialist or a branch is required", Err: ErrInvalidInput}
	}
	loc, err := s.location(tz)
	if err != nil {
		return nil, err
	}
	f.From, f.To = req.From.In(loc), req.From.AddDays(req.Days).In(loc)
	all, err := s.cfg.Store.Appointments(ctx, f)
	if err != nil {
		return nil, err
	}
	// A manager of one branch sees a shared specialist's visits there only.
	return slices.DeleteFunc(all, func(a Appointment) bool { return !scope(a) }), nil
}

// ---- working plans and exceptions -------------------------------------------

// SetWorkingPlan stores a specialist's weekly plan in a branch (a manager of
// the branch or an admin).
func (s *Scheduler) SetWorkingPlan(ctx context.Context, actor Actor, p WorkingPlan) (WorkingPlan, error) {
	if !actor.manages(p.BranchID) {
		return WorkingPlan{}, ErrForbidden
	}
	sp, err := s.cfg.Store.SpecialistByID(ctx, p.SpecialistID)
	if err != nil {
		return WorkingPlan{}, notFoundField(err, "specialist_id")
	}
	if !slices.Contains(sp.BranchIDs, p.BranchID) {
		return WorkingPlan{}, &ValidationError{Field: "branch_id", Message: "the specialist does not work in this branch", Err: ErrInvalidInput}
	}
	if p.ID != "" {
		// Replacing a plan by ID: it must be one the actor may change, and stay
		// the same specialist's — never a way into another branch's plan.
		all, err := s.cfg.Store.WorkingPlans(ctx, nil, "", Date{}, Date{})
		if err != nil {
			return WorkingPlan{}, err
		}
		for _, old := range all {
			if old.ID == p.ID && (!actor.manages(old.BranchID) || old.SpecialistID != p.SpecialistID) {
				return WorkingPlan{}, ErrForbidden
			}
		}
	}
	if err := validWeek(p.Week, "week"); err != nil {
		return WorkingPlan{}, err
	}
	if !p.To.IsZero() && p.To.Before(p.From) {
		return WorkingPlan{}, &ValidationError{Field: "to", Message: "the end date is before the start date", Err: ErrInvalidInput}
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
	// An absence without a branch applies in every branch of the specialist:
	// only someone who manages all of them may record it.
	if e.BranchID != "" && !actor.manages(e.BranchID) || e.BranchID == "" && !allBranches(sp.BranchIDs, actor.manages) {
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
	if err := checkText("note", e.Note, 500); err != nil {
		return Exception{}, err
	}
	e.ID = cmp.Or(e.ID, s.cfg.NewID())
	return e, s.cfg.Store.AddException(ctx, e)
}

func allBranches(ids []string, ok func(string) bool) bool {
	for _, id := range ids {
		if !ok(id) {
			return false
		}
	}
	return len(ids) > 0
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
	if p.Status != PlanActive || p.ServiceID != req.ServiceID || p.BranchID != req.BranchID {
		return &ValidationError{Field: "plan_id", Message: "the plan is not active or is for another service or branch", Err: ErrInvalidInput}
	}
	sessions, err := s.cfg.Store.Appointments(ctx, AppointmentFilter{PlanID: p.ID, Statuses: []Status{StatusPending, StatusConfirmed, StatusCompleted}})
	if err != nil {
		return err
	}
	if len(sessions) >= p.Sessions {
		return &ValidationError{Field: "plan_id", Message: "every session of the plan is booked or done", Err: ErrInvalidInput}
	}
	return nil
}

// closePlanIfDone marks a plan completed when its last session is.
func (s *Scheduler) closePlanIfDone(ctx context.Context, planID string) error {
	p, err := s.cfg.Store.PlanByID(ctx, planID)
	if err != nil || p.Status != PlanActive {
		return err
	}
	done, err := s.cfg.Store.Appointments(ctx, AppointmentFilter{PlanID: p.ID, Statuses: []Status{StatusCompleted}})
	if err != nil {
		return err
	}
	if len(done) >= p.Sessions {
		return s.cfg.Store.UpdatePlanStatus(ctx, p.ID, PlanCompleted)
	}
	return nil
}

// checkText refuses text over max characters or with control or format
// characters (newlines and tabs are fine).
func checkText(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return &ValidationError{Field: field, Message: fmt.Sprintf("is longer than %d characters", max), Err: ErrInvalidInput}
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError) {
			return &ValidationError{Field: field, Message: "has characters that are not allowed", Err: ErrInvalidInput}
		}
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

// ---- listing and removing plans and exceptions ----------------------------------

// WorkingPlans lists the weekly plans of a specialist or a branch that the
// staff actor may see: a manager's branches, an admin's all, a specialist's
// own.
func (s *Scheduler) WorkingPlans(ctx context.Context, actor Actor, specialistID, branchID string) ([]WorkingPlan, error) {
	if !actor.staff() {
		return nil, ErrForbidden
	}
	var ids []string
	if specialistID != "" {
		ids = []string{specialistID}
	}
	all, err := s.cfg.Store.WorkingPlans(ctx, ids, branchID, Date{}, Date{})
	if err != nil {
		return nil, err
	}
	own := s.ownSpecialistIDs(ctx, actor)
	return slices.DeleteFunc(all, func(p WorkingPlan) bool { return !actor.worksIn(p.BranchID) && !own[p.SpecialistID] }), nil
}

// DeleteWorkingPlan removes a plan (a manager of its branch or an admin).
// ErrNotFound for an unknown ID.
func (s *Scheduler) DeleteWorkingPlan(ctx context.Context, actor Actor, id string) error {
	all, err := s.cfg.Store.WorkingPlans(ctx, nil, "", Date{}, Date{})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(p WorkingPlan) bool { return p.ID == id })
	switch {
	case i < 0 || !actor.worksIn(all[i].BranchID):
		return ErrNotFound
	case !actor.manages(all[i].BranchID):
		return ErrForbidden
	}
	return s.cfg.Store.DeleteWorkingPlan(ctx, id)
}

// Exceptions lists a specialist's exceptions touching [from, to] for staff
// who may see the specialist.
func (s *Scheduler) Exceptions(ctx context.Context, actor Actor, specialistID string, from, to Date) ([]Exception, error) {
	if !actor.staff() {
		return nil, ErrForbidden
	}
	sp, err := s.cfg.Store.SpecialistByID(ctx, specialistID)
	if err != nil {
		return nil, notFoundField(err, "specialist_id")
	}
	if !slices.ContainsFunc(sp.BranchIDs, actor.worksIn) && !(sp.UserID != "" && sp.UserID == actor.UserID) {
		return nil, ErrForbidden
	}
	return s.cfg.Store.Exceptions(ctx, []string{specialistID}, from, to)
}

// DeleteException removes a day off, vacation, sick leave or extra shift, with
// the same rights as AddException. ErrNotFound for an unknown ID.
func (s *Scheduler) DeleteException(ctx context.Context, actor Actor, id string) error {
	all, err := s.cfg.Store.Exceptions(ctx, nil, Date{}, Date{})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(e Exception) bool { return e.ID == id })
	if i < 0 {
		return ErrNotFound
	}
	e := all[i]
	sp, err := s.cfg.Store.SpecialistByID(ctx, e.SpecialistID)
	if err != nil {
		return err
	}
	if e.BranchID != "" && !actor.manages(e.BranchID) || e.BranchID == "" && !allBranches(sp.BranchIDs, actor.manages) {
		if slices.ContainsFunc(sp.BranchIDs, actor.worksIn) {
			return ErrForbidden
		}
		return ErrNotFound
	}
	return s.cfg.Store.DeleteException(ctx, id)
}

// ownSpecialistIDs are the specialists linked to the actor's user.
func (s *Scheduler) ownSpecialistIDs(ctx context.Context, actor Actor) map[string]bool {
	own := map[string]bool{}
	ids, _ := s.SpecialistIDsOf(ctx, actor.UserID) // unreadable: none, so nothing is shown
	for _, id := range ids {
		own[id] = true
	}
	return own
}

// SpecialistIDsOf returns the IDs of the specialist records linked to a
// staff user (Specialist.UserID), each once, in the store's order; none for
// an empty userID.
func (s *Scheduler) SpecialistIDsOf(ctx context.Context, userID string) ([]string, error) {
	if userID == "" {
		return nil, nil
	}
	all, err := s.cfg.Store.Specialists(ctx, SpecialistFilter{})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, sp := range all {
		if sp.UserID == userID && !slices.Contains(ids, sp.ID) {
			ids = append(ids, sp.ID)
		}
	}
	return ids, nil
}

// hoursText says a duration in hours or minutes: "12 h", "90 min".
func hoursText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}
