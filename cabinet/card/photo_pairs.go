package card

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/kabinet-dev/kabinet/booking"
)

// Before / after pairs.
//
// The photos a pair is chosen from are those of a scope: one visit (the
// photos linked to the appointment), a course (those linked to any session
// of the treatment plan), or a period (those taken in it, for reports).
// Progress photos are never paired. Photos are ordered by when they were
// taken: TakenOn, then CreatedAt (the upload), then ID.
//
// For each area with a before or an after photo in the scope, in the order
// of PhotoAreas:
//   - one visit: Before is the latest "before" — the state right before
//     the procedure — and After the earliest "after" not earlier than that
//     Before — the result right after it;
//   - a course or a period: Before is the earliest "before" — where the
//     course started — and After the latest "after" not earlier than it —
//     where it got to. (Latest-before and earliest-after across a course
//     would pair the last session's before with the first session's after,
//     the wrong way round.)
//
// An "after" taken before the chosen Before cannot show its result and is
// not used. A half that has no photo is nil; an area with neither is not
// listed.

// PhotoPair is the before and the after photo of one area; either may be
// nil.
type PhotoPair struct {
	Area   PhotoArea
	Before *Photo
	After  *Photo
}

// PairScope says which photos pairs are made of: set exactly one field.
type PairScope struct {
	AppointmentID string // one visit
	PlanID        string // a course: every session of the treatment plan
}

// PhotoPairs returns the client's before / after pairs, by area, for one
// visit or one course (see the rules above). Staff reads are audited.
//
// Errors: ErrNotFound (also for another client's appointment or plan);
// *ValidationError (neither or both of AppointmentID and PlanID).
func (s *Service) PhotoPairs(ctx context.Context, actor Actor, clientID string, scope PairScope) ([]PhotoPair, error) {
	if err := s.authorize(ctx, actor, clientID, "photo pairs", false); err != nil {
		return nil, err
	}
	if (scope.AppointmentID == "") == (scope.PlanID == "") {
		return nil, invalid("appointment_id", "Give either appointment_id or plan_id.", "Укажите appointment_id или plan_id.")
	}
	var ids []string
	if scope.AppointmentID != "" {
		a, err := s.cfg.Booking.Store().AppointmentByID(ctx, scope.AppointmentID)
		if errors.Is(err, booking.ErrNotFound) || err == nil && a.ClientID != clientID {
			return nil, ErrNotFound
		} else if err != nil {
			return nil, err
		}
		ids = []string{a.ID}
	} else {
		_, sessions, err := s.planSessions(ctx, clientID, scope.PlanID)
		if err != nil {
			return nil, err
		}
		for _, a := range sessions {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return []PhotoPair{}, nil
	}
	photos, err := s.cfg.Store.Photos(ctx, PhotoFilter{ClientID: clientID, AppointmentIDs: ids})
	if err != nil {
		return nil, err
	}
	return pairPhotos(photos, scope.PlanID != ""), nil
}

// planSessions returns the client's plan and its sessions (appointments,
// by start); another client's plan is ErrNotFound.
func (s *Service) planSessions(ctx context.Context, clientID, planID string) (booking.Plan, []booking.Appointment, error) {
	st := s.cfg.Booking.Store()
	p, err := st.PlanByID(ctx, planID)
	if errors.Is(err, booking.ErrNotFound) || err == nil && p.ClientID != clientID {
		return booking.Plan{}, nil, ErrNotFound
	} else if err != nil {
		return booking.Plan{}, nil, err
	}
	appts, err := st.Appointments(ctx, booking.AppointmentFilter{PlanID: p.ID, ClientID: clientID})
	if err != nil {
		return booking.Plan{}, nil, err
	}
	return p, appts, nil
}

// photoOrder orders photos by when they were taken.
func photoOrder(a, b Photo) int {
	if c := cmp.Compare(a.TakenOn.String(), b.TakenOn.String()); c != 0 {
		return c
	}
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// pairPhotos pairs photos by area: for one visit (widest false) the latest
// before and the earliest later after; for a course or a period (widest
// true) the earliest before and the latest later after.
func pairPhotos(photos []Photo, widest bool) []PhotoPair {
	photos = slices.Clone(photos)
	slices.SortFunc(photos, photoOrder)
	pairs := []PhotoPair{}
	for _, area := range PhotoAreas() {
		var before, after *Photo
		for i := range photos {
			p := &photos[i]
			if p.Area == area && p.Kind == PhotoBefore && (before == nil || !widest) {
				before = p // widest: the first; otherwise: the last
			}
		}
		for i := range photos {
			p := &photos[i]
			if p.Area != area || p.Kind != PhotoAfter || before != nil && photoOrder(*p, *before) < 0 {
				continue
			}
			if after == nil || widest {
				after = p // widest: the last; otherwise: the first
			}
		}
		if before != nil || after != nil {
			pairs = append(pairs, PhotoPair{Area: area, Before: before, After: after})
		}
	}
	return pairs
}
