package card

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// ReportQuery chooses the period of a skin report: From and To (inclusive,
// both required, at most MaxReportDays apart), or a course (PlanID alone).
type ReportQuery struct {
	From, To booking.Date
	PlanID   string
}

// MaxReportDays bounds a report's period.
const MaxReportDays = 3660

// Sources of a report's notes.
const (
	NoteAssessment = "assessment" // a specialist's journal entry
	NoteVisit      = "visit"      // the note a specialist wrote for the client after a visit (never the staff-only notes)
)

// ReportNote is one specialist's note in a report.
type ReportNote struct {
	Date           booking.Date
	Source         string // NoteAssessment or NoteVisit
	SpecialistID   string // the booking specialist, when known
	SpecialistName string
	Text           string
	EntryID        string // for an assessment
	AppointmentID  string // for a visit
}

// SkinReport is one printable document about a period of the client's
// skin: the before / after pairs by area, the score series, and the
// specialists' notes.
type SkinReport struct {
	ClientID    string
	From, To    booking.Date
	PlanID      string // set for a course's report
	Pairs       []PhotoPair
	Trend       []ConcernTrend
	Notes       []ReportNote // by date, assessments before visits on one day
	GeneratedAt time.Time
}

// SkinReport gathers the client's report for a period or a course:
//   - Pairs: for a period, from the photos taken in it; for a course, from
//     the photos of its sessions — earliest before and latest later after
//     per area (see photo_pairs.go);
//   - Trend: the journal's series of the period (SkinTrend);
//   - Notes: the notes of the specialists' journal entries and of the
//     completed visits (for a course, of its sessions) in the period.
//
// A course's period runs from the day of its first session to that of its
// last one (in the branch's zone); a course with no session yet covers the
// day it was created to today. Staff reads are audited.
//
// Errors: ErrNotFound (also another client's plan); *ValidationError
// (from, to, plan_id: a period and a plan together, a missing or too long
// period).
func (s *Service) SkinReport(ctx context.Context, actor Actor, clientID string, q ReportQuery) (SkinReport, error) {
	if err := s.authorize(ctx, actor, clientID, "skin report", false); err != nil {
		return SkinReport{}, err
	}
	rep := SkinReport{ClientID: clientID, From: q.From, To: q.To, PlanID: q.PlanID, GeneratedAt: s.now()}
	zones := zoneCache{s: s, ctx: ctx}
	var sessions []booking.Appointment
	switch {
	case q.PlanID != "" && (!q.From.IsZero() || !q.To.IsZero()):
		return SkinReport{}, invalid("plan_id", "Give either a period (from, to) or plan_id.", "Укажите период (from, to) или plan_id.")
	case q.PlanID != "":
		plan, list, err := s.planSessions(ctx, clientID, q.PlanID)
		if err != nil {
			return SkinReport{}, err
		}
		sessions = list
		if len(sessions) == 0 {
			rep.From, rep.To = booking.DateOf(plan.CreatedAt, time.UTC), booking.DateOf(s.now(), time.UTC)
		} else {
			rep.From = booking.DateOf(sessions[0].Start, zones.of(sessions[0].BranchID))
			last := sessions[len(sessions)-1]
			rep.To = booking.DateOf(last.Start, zones.of(last.BranchID))
		}
	case q.From.IsZero():
		return SkinReport{}, invalid("from", "from is required (YYYY-MM-DD).", "Укажите начало периода (from).")
	case q.To.IsZero():
		return SkinReport{}, invalid("to", "to is required (YYYY-MM-DD).", "Укажите конец периода (to).")
	case q.To.Before(q.From):
		return SkinReport{}, invalid("to", "to must not be before from.", "Конец периода раньше его начала.")
	case q.From.AddDays(MaxReportDays).Before(q.To):
		return SkinReport{}, invalid("to", "The period is too long: at most ten years.", "Слишком длинный период: не больше десяти лет.")
	}

	// Pairs.
	var photos []Photo
	var err error
	if q.PlanID != "" {
		ids := make([]string, 0, len(sessions))
		for _, a := range sessions {
			ids = append(ids, a.ID)
		}
		if len(ids) > 0 {
			photos, err = s.cfg.Store.Photos(ctx, PhotoFilter{ClientID: clientID, AppointmentIDs: ids})
		}
	} else {
		photos, err = s.cfg.Store.Photos(ctx, PhotoFilter{ClientID: clientID, From: rep.From, To: rep.To})
	}
	if err != nil {
		return SkinReport{}, err
	}
	rep.Pairs = pairPhotos(photos, true)

	// Scores and the specialists' entries.
	entries, err := s.cfg.Store.JournalEntries(ctx, JournalFilter{ClientID: clientID, From: rep.From, To: rep.To, Limit: maxJournalEntries})
	if err != nil {
		return SkinReport{}, err
	}
	rep.Trend = trend(entries)
	names, err := s.specialistNames(ctx)
	if err != nil {
		return SkinReport{}, err
	}
	rep.Notes = []ReportNote{}
	for _, e := range entries {
		if e.Kind != JournalAssessment || e.Notes == "" {
			continue
		}
		n := ReportNote{Date: e.Date, Source: NoteAssessment, Text: e.Notes, EntryID: e.ID}
		if sp, ok := names.byUser[e.AuthorID]; ok {
			n.SpecialistID, n.SpecialistName = sp.ID, sp.Name
		}
		rep.Notes = append(rep.Notes, n)
	}

	// Visits: the course's sessions, or the client's visits around the
	// period (a day of margin each way for the zones), kept by local day.
	visits := sessions
	if q.PlanID == "" {
		visits, err = s.cfg.Booking.Store().Appointments(ctx, booking.AppointmentFilter{ClientID: clientID,
			From: rep.From.In(time.UTC).Add(-24 * time.Hour), To: rep.To.AddDays(2).In(time.UTC),
			Statuses: []booking.Status{booking.StatusCompleted}})
		if err != nil {
			return SkinReport{}, err
		}
	}
	// The notes the specialist wrote for the client (VisitNote), never the
	// appointment's own notes, which are for staff only.
	visitNotes, err := s.cfg.Store.VisitNotes(ctx, clientID)
	if err != nil {
		return SkinReport{}, err
	}
	forClient := make(map[string]string, len(visitNotes))
	for _, vn := range visitNotes {
		forClient[vn.AppointmentID] = vn.Notes
	}
	for _, a := range visits {
		text := forClient[a.ID]
		if a.Status != booking.StatusCompleted || text == "" {
			continue
		}
		day := booking.DateOf(a.Start, zones.of(a.BranchID))
		if day.Before(rep.From) || rep.To.Before(day) {
			continue
		}
		n := ReportNote{Date: day, Source: NoteVisit, Text: text, AppointmentID: a.ID, SpecialistID: a.SpecialistID}
		if sp, ok := names.byID[a.SpecialistID]; ok {
			n.SpecialistName = sp.Name
		}
		rep.Notes = append(rep.Notes, n)
	}
	slices.SortStableFunc(rep.Notes, func(a, b ReportNote) int {
		return cmp.Or(cmp.Compare(a.Date.String(), b.Date.String()), cmp.Compare(a.Source, b.Source))
	})
	if zones.err != nil {
		return SkinReport{}, zones.err
	}
	return rep, nil
}

// specialists indexes the booking specialists by ID and by user.
type specialists struct {
	byID, byUser map[string]booking.Specialist
}

func (s *Service) specialistNames(ctx context.Context) (specialists, error) {
	all, err := s.cfg.Booking.Store().Specialists(ctx, booking.SpecialistFilter{})
	if err != nil {
		return specialists{}, err
	}
	out := specialists{byID: map[string]booking.Specialist{}, byUser: map[string]booking.Specialist{}}
	for _, sp := range all {
		out.byID[sp.ID] = sp
		if sp.UserID != "" {
			out.byUser[sp.UserID] = sp
		}
	}
	return out, nil
}

// zoneCache finds branches' time zones once each; an unknown branch or
// zone counts as UTC, a store failure is kept in err.
type zoneCache struct {
	s     *Service
	ctx   context.Context
	zones map[string]*time.Location
	err   error
}

func (z *zoneCache) of(branchID string) *time.Location {
	if loc, ok := z.zones[branchID]; ok {
		return loc
	}
	if z.zones == nil {
		z.zones = map[string]*time.Location{}
	}
	loc := time.UTC
	b, err := z.s.cfg.Booking.Store().BranchByID(z.ctx, branchID)
	switch {
	case err == nil:
		if l, err := time.LoadLocation(b.TimeZone); err == nil {
			loc = l
		}
	case z.err == nil && !isNotFound(err):
		z.err = err
	}
	z.zones[branchID] = loc
	return loc
}

func isNotFound(err error) bool {
	return errors.Is(err, booking.ErrNotFound) || errors.Is(err, ErrNotFound)
}
