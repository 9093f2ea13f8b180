package card

import (
	"context"
	"fmt"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// Actor is who acts on a card: the client themself, or a member of staff
// with their strongest role and (for specialists and managers) branches.
// IP goes to the audit trail.
type Actor struct {
	UserID   string
	Role     booking.Role
	Branches []string
	IP       string
}

// Staff reports whether the actor acts as staff.
func (a Actor) Staff() bool { return a.Role >= booking.RoleSpecialist }

func (a Actor) booking() booking.Actor {
	return booking.Actor{UserID: a.UserID, Role: a.Role, Branches: a.Branches}
}

// Audit actions of the card.
const (
	ActionCardViewed   = "card.viewed"   // staff read a client's card: Detail says which part
	ActionCardChanged  = "card.changed"  // staff wrote to a client's card
	ActionCardDenied   = "card.denied"   // staff asked for a card they may not see
	ActionDataExported = "card.exported" // a client downloaded their data
	ActionDataErased   = "card.erased"   // a client's data was erased
)

// authorize checks that actor may see clientID's card and, for staff,
// records the access (what: "profile", "photo <id>", …; write says it
// changes the card). A client may see only their own card; a specialist,
// the cards of clients they have or had an appointment with; a manager,
// clients with an appointment in one of their branches; an admin, all.
// Refusals are ErrNotFound, so a card's existence is not revealed.
func (s *Service) authorize(ctx context.Context, actor Actor, clientID, what string, write bool) error {
	if clientID == "" || actor.UserID == "" {
		return ErrNotFound
	}
	if !actor.Staff() {
		if actor.UserID != clientID {
			return ErrNotFound
		}
		return nil
	}
	ok, err := s.related(ctx, actor, clientID)
	if err != nil {
		return err
	}
	action := ActionCardViewed
	if write {
		action = ActionCardChanged
	}
	if !ok {
		action = ActionCardDenied
	}
	if err := s.cfg.Audit(ctx, auth.AuditEntry{At: s.now(), ActorID: actor.UserID, Action: action,
		Subject: clientID, IP: actor.IP, Detail: what}); err != nil {
		// An access that cannot be recorded does not happen.
		return fmt.Errorf("card: audit: %w", err)
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// CheckAccess reports whether actor may see clientID's card — nil, or
// ErrNotFound — and records a staff access in the audit trail as every card
// read does; what names the part read ("notifications", "plans"). Other
// parts of the cabinet that show a client's data to staff use it, so one
// rule decides who sees a client.
func (s *Service) CheckAccess(ctx context.Context, actor Actor, clientID, what string) error {
	return s.authorize(ctx, actor, clientID, what, false)
}

// relating are the statuses of an appointment that relate staff to its
// client: one that stands or took place. A cancelled one does not, so a
// booking made and cancelled at once cannot open a stranger's card.
var relating = []booking.Status{booking.StatusPending, booking.StatusConfirmed, booking.StatusCompleted, booking.StatusNoShow}

// related reports whether a member of staff has a relation to the client
// that opens the card.
func (s *Service) related(ctx context.Context, actor Actor, clientID string) (bool, error) {
	if actor.Role == booking.RoleAdmin {
		return true, nil
	}
	st := s.cfg.Booking.Store()
	switch actor.Role {
	case booking.RoleManager:
		for _, b := range actor.Branches {
			appts, err := st.Appointments(ctx, booking.AppointmentFilter{ClientID: clientID, BranchID: b, Statuses: relating, Limit: 1})
			if err != nil {
				return false, err
			}
			if len(appts) > 0 {
				return true, nil
			}
		}
		return false, nil
	case booking.RoleSpecialist:
		mine, err := s.specialistIDs(ctx, actor.UserID)
		if err != nil {
			return false, err
		}
		for _, id := range mine {
			appts, err := st.Appointments(ctx, booking.AppointmentFilter{ClientID: clientID, SpecialistID: id, Statuses: relating, Limit: 1})
			if err != nil {
				return false, err
			}
			if len(appts) > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

// specialistIDs are the specialist records of a staff user.
func (s *Service) specialistIDs(ctx context.Context, userID string) ([]string, error) {
	return s.cfg.Booking.SpecialistIDsOf(ctx, userID)
}
