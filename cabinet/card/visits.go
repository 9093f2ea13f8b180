package card

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// Visits and the plan. A visit is a completed appointment (booking keeps
// them) with what the specialist wrote for the client after it: notes and
// recommendations — a procedure to book, a product to use, home care. The
// plan is what is ahead: upcoming appointments and the sessions of
// treatment plans (courses) still to come.

// RecommendationKind says what a recommendation is about.
type RecommendationKind string

// Recommendation kinds (the same words as the recommendation engine's).
const (
	RecommendProcedure RecommendationKind = "procedure" // ItemID: a service
	RecommendProduct   RecommendationKind = "product"   // ItemID: a product of the catalog
	RecommendHomeCare  RecommendationKind = "home_care" // Text only
)

// Recommendation is one piece of a specialist's advice after a visit.
type Recommendation struct {
	Kind   RecommendationKind
	ItemID string // a service or product ID; empty for home care (optional for the others)
	Text   string
	// Name is the item's current name, filled when read (not stored).
	Name string
}

// VisitNote is what the specialist wrote for the client after a visit.
type VisitNote struct {
	AppointmentID   string
	ClientID        string
	Notes           string
	Recommendations []Recommendation
	WrittenBy       string // user ID of the last writer
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// VisitStore keeps the notes written after visits.
type VisitStore interface {
	// PutVisitNote stores n, replacing the note of its appointment (the
	// stored CreatedAt is kept), and returns it as stored. ErrNotFound: no
	// such appointment.
	PutVisitNote(ctx context.Context, n VisitNote) (VisitNote, error)
	// VisitNote returns the note of an appointment, ErrNotFound if none.
	VisitNote(ctx context.Context, appointmentID string) (VisitNote, error)
	// VisitNotes returns the client's notes, the latest written first.
	VisitNotes(ctx context.Context, clientID string) ([]VisitNote, error)
}

// Limits of a visit note.
const (
	maxVisitNotes         = 4000
	maxRecommendations    = 20
	maxRecommendationText = 500
	maxRecommendationItem = 64
)

// Visit is a completed appointment with the names to show and the
// specialist's note (Note.UpdatedAt zero: none written).
type Visit struct {
	Appointment    booking.Appointment
	ServiceName    string
	SpecialistName string
	BranchName     string
	Note           VisitNote
}

// Visits lists a client's completed appointments, latest first, with the
// specialists' notes. Staff reads are audited.
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Visits(ctx context.Context, actor Actor, clientID string) ([]Visit, error) {
	if err := s.authorize(ctx, actor, clientID, "visits", false); err != nil {
		return nil, err
	}
	appts, err := s.cfg.Booking.Store().Appointments(ctx, booking.AppointmentFilter{
		ClientID: clientID, Statuses: []booking.Status{booking.StatusCompleted}, Descending: true})
	if err != nil {
		return nil, err
	}
	notes, err := s.cfg.Store.VisitNotes(ctx, clientID)
	if err != nil {
		return nil, err
	}
	byAppt := make(map[string]VisitNote, len(notes))
	for _, n := range notes {
		byAppt[n.AppointmentID] = n
	}
	names := s.newNames()
	out := make([]Visit, 0, len(appts))
	for _, a := range appts {
		v := Visit{Appointment: a, ServiceName: names.service(ctx, a.ServiceID),
			SpecialistName: names.specialist(ctx, a.SpecialistID), BranchName: names.branch(ctx, a.BranchID)}
		if n, ok := byAppt[a.ID]; ok {
			n.Recommendations = names.recommendations(ctx, n.Recommendations)
			v.Note = n
		}
		out = append(out, v)
	}
	return out, nil
}

// WriteVisitNote writes (or rewrites) the note and recommendations of a
// visit for the client to read: the visit's own specialist, a manager of
// its branch, or an admin, once the visit has started (and not if it was
// cancelled or the client did not come). The write is audited.
//
// Errors: ErrNotFound (an appointment the actor may not see, or of a client
// whose card they may not see); ErrForbidden (a client; another specialist
// who sees the client); *ValidationError (a visit that has not
// started or did not happen, an unknown kind or item, texts too long).
func (s *Service) WriteVisitNote(ctx context.Context, actor Actor, appointmentID, notes string, recs []Recommendation) (VisitNote, error) {
	if !actor.Staff() {
		return VisitNote{}, ErrForbidden
	}
	a, err := s.cfg.Booking.Appointment(ctx, actor.booking(), appointmentID)
	if errors.Is(err, booking.ErrNotFound) {
		return VisitNote{}, ErrNotFound
	} else if err != nil {
		return VisitNote{}, err
	}
	if !manages(actor, a.BranchID) {
		mine, err := s.specialistIDs(ctx, actor.UserID)
		if err != nil {
			return VisitNote{}, err
		}
		if !slices.Contains(mine, a.SpecialistID) {
			// Staff who may see the client learn that they may not write
			// this note; anyone else, that there is no such visit.
			related, err := s.related(ctx, actor, a.ClientID)
			if err != nil {
				return VisitNote{}, err
			}
			if err := s.auditStaff(ctx, actor, a.ClientID, "visit note "+a.ID, true, false); err != nil {
				return VisitNote{}, err
			}
			if !related {
				return VisitNote{}, ErrNotFound
			}
			return VisitNote{}, ErrForbidden
		}
	}
	switch {
	case a.Status == booking.StatusCancelled || a.Status == booking.StatusNoShow:
		return VisitNote{}, invalid("appointment", "The visit did not take place.", "Визит не состоялся.")
	case a.Start.After(s.now()):
		return VisitNote{}, invalid("appointment", "The visit has not started yet.", "Визит ещё не начался.")
	}
	notes = strings.TrimSpace(notes)
	if err := productText("notes", notes, maxVisitNotes, "The notes", "Заметки", true); err != nil {
		return VisitNote{}, err
	}
	if recs, err = s.checkRecommendations(ctx, recs); err != nil {
		return VisitNote{}, err
	}
	if err := s.authorize(ctx, actor, a.ClientID, "visit note "+a.ID, true); err != nil {
		return VisitNote{}, err
	}
	now := s.now()
	n, err := s.cfg.Store.PutVisitNote(ctx, VisitNote{AppointmentID: a.ID, ClientID: a.ClientID, Notes: notes,
		Recommendations: recs, WrittenBy: actor.UserID, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return VisitNote{}, err
	}
	n.Recommendations = s.newNames().recommendations(ctx, n.Recommendations)
	return n, nil
}

// checkRecommendations validates a note's recommendations: known kinds,
// existing items, texts within bounds; each needs a text or an item.
func (s *Service) checkRecommendations(ctx context.Context, recs []Recommendation) ([]Recommendation, error) {
	if len(recs) > maxRecommendations {
		return nil, invalid("recommendations", fmt.Sprintf("At most %d recommendations.", maxRecommendations),
			fmt.Sprintf("Не больше %d рекомендаций.", maxRecommendations))
	}
	out := make([]Recommendation, 0, len(recs))
	for i, r := range recs {
		field := fmt.Sprintf("recommendations[%d]", i)
		r.Text, r.ItemID, r.Name = strings.TrimSpace(r.Text), strings.TrimSpace(r.ItemID), ""
		if err := productText(field+".text", r.Text, maxRecommendationText, "The text", "Текст", true); err != nil {
			return nil, err
		}
		if len(r.ItemID) > maxRecommendationItem {
			return nil, invalid(field+".item_id", "No such item.", "Такой позиции нет.")
		}
		switch r.Kind {
		case RecommendProcedure:
			if r.ItemID != "" {
				if _, err := s.cfg.Booking.Store().ServiceByID(ctx, r.ItemID); errors.Is(err, booking.ErrNotFound) {
					return nil, invalid(field+".item_id", "No such service.", "Такой услуги нет.")
				} else if err != nil {
					return nil, err
				}
			}
		case RecommendProduct:
			if r.ItemID != "" {
				if _, err := s.cfg.Store.ProductByID(ctx, r.ItemID); errors.Is(err, ErrNotFound) {
					return nil, invalid(field+".item_id", "No such product.", "Такого товара нет.")
				} else if err != nil {
					return nil, err
				}
			}
		case RecommendHomeCare:
			if r.ItemID != "" {
				return nil, invalid(field+".item_id", "Home care names no item: write it in the text.",
					"У рекомендации по домашнему уходу нет позиции каталога: опишите её текстом.")
			}
		default:
			return nil, invalid(field+".kind", `The kind is "procedure", "product" or "home_care".`,
				`Вид — "procedure", "product" или "home_care".`)
		}
		if r.Text == "" && r.ItemID == "" {
			return nil, invalid(field+".text", "Write what you recommend.", "Напишите, что вы рекомендуете.")
		}
		out = append(out, r)
	}
	return out, nil
}

// CarePlan is what is ahead for a client: upcoming appointments, soonest
// first, and the active courses with what remains of them.
type CarePlan struct {
	Upcoming []PlannedVisit
	Courses  []CourseProgress
}

// PlannedVisit is an upcoming appointment with the names to show.
type PlannedVisit struct {
	Appointment    booking.Appointment
	ServiceName    string
	SpecialistName string
	BranchName     string
}

// CourseProgress is an active treatment plan: its sessions done, booked and
// still to book, and the earliest suggested day for the next one.
type CourseProgress struct {
	Plan           booking.Plan
	ServiceName    string
	SpecialistName string
	BranchName     string
	Completed      int
	Booked         []booking.Appointment // upcoming sessions, booked
	Remaining      int                   // sessions neither done nor booked
	NextFrom       time.Time             // when the next one to book is due
}

// Plan returns the client's plan. Staff reads are audited.
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Plan(ctx context.Context, actor Actor, clientID string) (CarePlan, error) {
	if err := s.authorize(ctx, actor, clientID, "plan", false); err != nil {
		return CarePlan{}, err
	}
	upcoming, err := s.cfg.Booking.Upcoming(ctx, clientID)
	if err != nil {
		return CarePlan{}, err
	}
	who := actor.booking()
	if !actor.Staff() {
		who = booking.Actor{UserID: clientID, Role: booking.RoleClient}
	}
	plans, err := s.cfg.Booking.ClientPlans(ctx, who, clientID)
	if err != nil {
		return CarePlan{}, err
	}
	names := s.newNames()
	out := CarePlan{Upcoming: make([]PlannedVisit, 0, len(upcoming)), Courses: []CourseProgress{}}
	for _, a := range upcoming {
		out.Upcoming = append(out.Upcoming, PlannedVisit{Appointment: a, ServiceName: names.service(ctx, a.ServiceID),
			SpecialistName: names.specialist(ctx, a.SpecialistID), BranchName: names.branch(ctx, a.BranchID)})
	}
	for _, pp := range plans {
		if pp.Plan.Status != booking.PlanActive {
			continue
		}
		out.Courses = append(out.Courses, CourseProgress{Plan: pp.Plan, ServiceName: names.service(ctx, pp.Plan.ServiceID),
			SpecialistName: names.specialist(ctx, pp.Plan.SpecialistID), BranchName: names.branch(ctx, pp.Plan.BranchID),
			Completed: pp.Completed, Booked: pp.Booked, Remaining: max(0, pp.Plan.Sessions-pp.Completed-len(pp.Booked)),
			NextFrom: pp.NextFrom})
	}
	slices.SortStableFunc(out.Courses, func(a, b CourseProgress) int {
		return cmp.Or(a.NextFrom.Compare(b.NextFrom), cmp.Compare(a.Plan.ID, b.Plan.ID))
	})
	return out, nil
}

// names looks up the names of catalog entries once per call; an entry that
// is gone has the name "".
type names struct {
	s     *Service
	cache map[string]string
}

func (s *Service) newNames() *names { return &names{s: s, cache: map[string]string{}} }

func (n *names) lookup(key string, find func() (string, error)) string {
	if v, ok := n.cache[key]; ok {
		return v
	}
	v, err := find()
	if err != nil {
		v = ""
	}
	n.cache[key] = v
	return v
}

func (n *names) service(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	return n.lookup("service:"+id, func() (string, error) {
		svc, err := n.s.cfg.Booking.Store().ServiceByID(ctx, id)
		return svc.Name, err
	})
}

func (n *names) specialist(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	return n.lookup("specialist:"+id, func() (string, error) {
		sp, err := n.s.cfg.Booking.Store().SpecialistByID(ctx, id)
		return sp.Name, err
	})
}

func (n *names) branch(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	return n.lookup("branch:"+id, func() (string, error) {
		b, err := n.s.cfg.Booking.Store().BranchByID(ctx, id)
		return b.Name, err
	})
}

func (n *names) product(ctx context.Context, id string) string {
	return n.lookup("product:"+id, func() (string, error) {
		p, err := n.s.cfg.Store.ProductByID(ctx, id)
		return strings.TrimSpace(p.Brand + " " + p.Name), err
	})
}

// recommendations fills the names of the items recommended.
func (n *names) recommendations(ctx context.Context, recs []Recommendation) []Recommendation {
	out := slices.Clone(recs)
	for i, r := range out {
		switch {
		case r.ItemID == "":
		case r.Kind == RecommendProcedure:
			out[i].Name = n.service(ctx, r.ItemID)
		case r.Kind == RecommendProduct:
			out[i].Name = n.product(ctx, r.ItemID)
		}
	}
	return out
}
