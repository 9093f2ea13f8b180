package httpapi

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// intervalJSON is a local wall-clock span, "HH:MM" to "HH:MM".
type intervalJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

func parseIntervals(in []intervalJSON, field string) ([]booking.Interval, error) {
	out := make([]booking.Interval, 0, len(in))
	for _, iv := range in {
		start, err1 := booking.ParseClock(iv.Start)
		end, err2 := booking.ParseClock(iv.End)
		if err1 != nil || err2 != nil {
			return nil, &booking.ValidationError{Field: field, Message: "times are HH:MM", Err: booking.ErrInvalidInput}
		}
		out = append(out, booking.Interval{Start: start, End: end})
	}
	return out, nil
}

func toIntervalsJSON(in []booking.Interval) []intervalJSON {
	out := make([]intervalJSON, 0, len(in))
	for _, iv := range in {
		out = append(out, intervalJSON{Start: iv.Start.String(), End: iv.End.String()})
	}
	return out
}

// weekdays are the JSON keys of a weekly plan, indexed by time.Weekday.
var weekdays = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

type workingPlanJSON struct {
	ID           string                    `json:"id,omitempty"`
	SpecialistID string                    `json:"specialist_id"`
	BranchID     string                    `json:"branch_id"`
	Week         map[string][]intervalJSON `json:"week"`
	From         string                    `json:"from,omitempty"`
	To           string                    `json:"to,omitempty"`
}

// setWorkingPlan: PUT /api/v1/staff/working-plans (a manager of the branch or an admin).
func (s *server) setWorkingPlan(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	var in workingPlanJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := booking.WorkingPlan{ID: in.ID, SpecialistID: in.SpecialistID, BranchID: in.BranchID}
	for day, ivs := range in.Week {
		i := slices.Index(weekdays[:], day)
		if i < 0 {
			return &booking.ValidationError{Field: "week", Message: "days are sun, mon, tue, wed, thu, fri, sat", Err: booking.ErrInvalidInput}
		}
		parsed, err := parseIntervals(ivs, "week")
		if err != nil {
			return err
		}
		p.Week[i] = parsed
	}
	var err error
	if in.From != "" {
		if p.From, err = parseDateParam(in.From, "from"); err != nil {
			return err
		}
	}
	if in.To != "" {
		if p.To, err = parseDateParam(in.To, "to"); err != nil {
			return err
		}
	}
	p, err = s.booking.SetWorkingPlan(r.Context(), staffActor(who), p)
	if err != nil {
		return s.bookingError(r, who, err)
	}
	in.ID = p.ID
	writeJSON(w, http.StatusOK, in)
	return nil
}

type exceptionJSON struct {
	ID           string         `json:"id,omitempty"`
	SpecialistID string         `json:"specialist_id"`
	BranchID     string         `json:"branch_id,omitempty"`
	Kind         string         `json:"kind"`
	From         string         `json:"from"`
	To           string         `json:"to"`
	Intervals    []intervalJSON `json:"intervals,omitempty"`
	Note         string         `json:"note,omitempty"`
}

// addException: POST /api/v1/staff/exceptions.
func (s *server) addException(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	var in exceptionJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	e := booking.Exception{SpecialistID: in.SpecialistID, BranchID: in.BranchID, Kind: booking.ExceptionKind(in.Kind), Note: in.Note}
	var err error
	if e.From, err = parseDateParam(in.From, "from"); err != nil {
		return err
	}
	if e.To, err = parseDateParam(in.To, "to"); err != nil {
		return err
	}
	if e.Intervals, err = parseIntervals(in.Intervals, "intervals"); err != nil {
		return err
	}
	e, err = s.booking.AddException(r.Context(), staffActor(who), e)
	if err != nil {
		return s.bookingError(r, who, err)
	}
	in.ID, in.Intervals = e.ID, toIntervalsJSON(e.Intervals)
	writeJSON(w, http.StatusCreated, in)
	return nil
}

type planJSON struct {
	ID           string `json:"id,omitempty"`
	ClientID     string `json:"client_id"`
	SpecialistID string `json:"specialist_id"`
	ServiceID    string `json:"service_id"`
	BranchID     string `json:"branch_id"`
	Sessions     int    `json:"sessions"`
	IntervalDays int    `json:"interval_days"`
	Notes        string `json:"notes,omitempty"`
	Status       string `json:"status,omitempty"`
}

func toPlanJSON(p booking.Plan) planJSON {
	return planJSON{ID: p.ID, ClientID: p.ClientID, SpecialistID: p.SpecialistID, ServiceID: p.ServiceID, BranchID: p.BranchID,
		Sessions: p.Sessions, IntervalDays: int(p.Interval / (24 * time.Hour)), Notes: p.Notes, Status: string(p.Status)}
}

// createPlan: POST /api/v1/staff/plans — assign a course.
func (s *server) createPlan(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	var in planJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.IntervalDays < 0 || in.IntervalDays > 365 {
		return &booking.ValidationError{Field: "interval_days", Message: "must be from 1 to 365 days", Err: booking.ErrInvalidInput}
	}
	if err := s.knownClient(r, who, in.ClientID); err != nil {
		return err
	}
	p, err := s.booking.CreatePlan(r.Context(), staffActor(who), booking.Plan{
		ClientID: in.ClientID, SpecialistID: in.SpecialistID, ServiceID: in.ServiceID, BranchID: in.BranchID,
		Sessions: in.Sessions, Interval: time.Duration(in.IntervalDays) * 24 * time.Hour, Notes: in.Notes,
	})
	if err != nil {
		return s.bookingError(r, who, err)
	}
	writeJSON(w, http.StatusCreated, toPlanJSON(p))
	return nil
}

type planProgressJSON struct {
	planJSON
	Completed         int               `json:"completed"`
	Booked            []appointmentJSON `json:"booked"`
	NextSuggestedFrom time.Time         `json:"next_suggested_from"`
}

// myPlans: GET /api/v1/me/plans — courses with progress and the next date.
func (s *server) myPlans(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	list, err := s.booking.ClientPlans(r.Context(), clientActor(who), who.User.ID)
	if err != nil {
		return err
	}
	return s.writePlans(w, r, list, false)
}

func (s *server) writePlans(w http.ResponseWriter, r *http.Request, list []booking.PlanProgress, staff bool) error {
	out := make([]planProgressJSON, 0, len(list))
	for _, pp := range list {
		x := planProgressJSON{planJSON: toPlanJSON(pp.Plan), Completed: pp.Completed, Booked: []appointmentJSON{}, NextSuggestedFrom: pp.NextFrom.UTC()}
		for _, a := range pp.Booked {
			x.Booked = append(x.Booked, s.toAppointmentJSON(r, a, staff))
		}
		out = append(out, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": out})
	return nil
}

// knownClient checks that a client ID names an account the staff member may
// see, so bookings and plans are not made for nobody.
func (s *server) knownClient(r *http.Request, who auth.Identity, clientID string) error {
	if clientID == "" {
		return &booking.ValidationError{Field: "client_id", Message: "is required", Err: booking.ErrInvalidInput}
	}
	if _, err := s.auth.User(r.Context(), who.Principal(), clientID); err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			return &booking.ValidationError{Field: "client_id", Message: "not found", Err: booking.ErrNotFound}
		}
		return err
	}
	return nil
}

// workingPlans: GET /api/v1/staff/working-plans?specialist_id=&branch_id=.
func (s *server) workingPlans(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.booking.WorkingPlans(r.Context(), staffActor(who), q.Get("specialist_id"), q.Get("branch_id"))
	if err != nil {
		return s.bookingError(r, who, err)
	}
	out := make([]workingPlanJSON, 0, len(list))
	for _, p := range list {
		x := workingPlanJSON{ID: p.ID, SpecialistID: p.SpecialistID, BranchID: p.BranchID, Week: map[string][]intervalJSON{}}
		for d, ivs := range p.Week {
			if len(ivs) > 0 {
				x.Week[weekdays[d]] = toIntervalsJSON(ivs)
			}
		}
		if !p.From.IsZero() {
			x.From = p.From.String()
		}
		if !p.To.IsZero() {
			x.To = p.To.String()
		}
		out = append(out, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"working_plans": out})
	return nil
}

// deleteWorkingPlan: DELETE /api/v1/staff/working-plans/{id}.
func (s *server) deleteWorkingPlan(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	if err := s.booking.DeleteWorkingPlan(r.Context(), staffActor(who), r.PathValue("id")); err != nil {
		return s.bookingError(r, who, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// exceptions: GET /api/v1/staff/exceptions?specialist_id=&from=&to=.
func (s *server) exceptions(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("specialist_id") == "" {
		return &booking.ValidationError{Field: "specialist_id", Message: "is required", Err: booking.ErrInvalidInput}
	}
	from, err := parseDateParam(q.Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := parseDateParam(q.Get("to"), "to")
	if err != nil {
		return err
	}
	list, err := s.booking.Exceptions(r.Context(), staffActor(who), q.Get("specialist_id"), from, to)
	if err != nil {
		return s.bookingError(r, who, err)
	}
	out := make([]exceptionJSON, 0, len(list))
	for _, e := range list {
		out = append(out, exceptionJSON{ID: e.ID, SpecialistID: e.SpecialistID, BranchID: e.BranchID, Kind: string(e.Kind),
			From: e.From.String(), To: e.To.String(), Intervals: toIntervalsJSON(e.Intervals), Note: e.Note})
	}
	writeJSON(w, http.StatusOK, map[string]any{"exceptions": out})
	return nil
}

// deleteException: DELETE /api/v1/staff/exceptions/{id}.
func (s *server) deleteException(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	if err := s.booking.DeleteException(r.Context(), staffActor(who), r.PathValue("id")); err != nil {
		return s.bookingError(r, who, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// clientPlans: GET /api/v1/staff/clients/{id}/plans — a client's courses for staff.
func (s *server) clientPlans(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	if err := s.knownClient(r, who, r.PathValue("id")); err != nil {
		return err
	}
	// Only staff who may see the client's card see their courses.
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	if err := s.card.CheckAccess(r.Context(), actor, r.PathValue("id"), "plans"); err != nil {
		return err
	}
	list, err := s.booking.ClientPlans(r.Context(), staffActor(who), r.PathValue("id"))
	if err != nil {
		return s.bookingError(r, who, err)
	}
	return s.writePlans(w, r, list, true)
}
