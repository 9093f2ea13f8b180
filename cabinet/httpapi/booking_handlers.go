package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// clientActor is the signed-in person acting as a client on /me routes,
// whatever staff roles they also hold.
func clientActor(who auth.Identity) booking.Actor {
	return booking.Actor{UserID: who.User.ID, Role: booking.RoleClient}
}

// staffActor maps auth roles onto booking's: the strongest role wins.
func staffActor(who auth.Identity) booking.Actor {
	p := who.Principal()
	a := booking.Actor{UserID: p.UserID, Branches: p.Branches}
	switch {
	case p.HasRole(auth.RoleAdmin):
		a.Role = booking.RoleAdmin
	case p.HasRole(auth.RoleManager):
		a.Role = booking.RoleManager
	case p.HasRole(auth.RoleSpecialist):
		a.Role = booking.RoleSpecialist
	default:
		a.Role = booking.RoleClient
	}
	return a
}

// actorFor is the booking actor of a /me route (the person as a client) or
// of a /staff route (their staff role; non-staff are refused and recorded).
func (s *server) actorFor(r *http.Request, who auth.Identity, staff bool) (booking.Actor, error) {
	if !staff {
		return clientActor(who), nil
	}
	if err := s.staffOnly(r, who); err != nil {
		return booking.Actor{}, err
	}
	return staffActor(who), nil
}

// staffOnly refuses a non-staff caller on /staff routes (and records it).
func (s *server) staffOnly(r *http.Request, who auth.Identity) error {
	if !who.Principal().IsStaff() {
		return s.denied(r, who, auth.ErrForbidden)
	}
	return nil
}

// ---- catalog -------------------------------------------------------------------

type branchJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Phone    string `json:"phone,omitempty"`
	TimeZone string `json:"time_zone"`
}

// branches: GET /api/v1/branches.
func (s *server) branches(w http.ResponseWriter, r *http.Request) error {
	all, err := s.booking.Branches(r.Context())
	if err != nil {
		return err
	}
	out := make([]branchJSON, 0, len(all))
	for _, b := range all {
		out = append(out, branchJSON{ID: b.ID, Name: b.Name, Address: b.Address, Phone: b.Phone, TimeZone: b.TimeZone})
	}
	writeJSON(w, http.StatusOK, map[string]any{"branches": out})
	return nil
}

type serviceJSON struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Category        string        `json:"category"`
	Description     string        `json:"description,omitempty"`
	DurationMinutes int           `json:"duration_minutes"`
	Price           booking.Money `json:"price"`
	BranchIDs       []string      `json:"branch_ids"`
	// NeedsConfirmation: a booking waits (pending) until staff confirm it.
	NeedsConfirmation bool `json:"needs_confirmation"`
}

// services: GET /api/v1/services[?branch_id=].
func (s *server) services(w http.ResponseWriter, r *http.Request) error {
	all, err := s.booking.Services(r.Context(), r.URL.Query().Get("branch_id"))
	if err != nil {
		return err
	}
	out := make([]serviceJSON, 0, len(all))
	for _, x := range all {
		out = append(out, serviceJSON{ID: x.ID, Name: x.Name, Category: x.Category, Description: x.Description,
			DurationMinutes: int(x.Duration / time.Minute), Price: x.Price, BranchIDs: nonNil(x.BranchIDs), NeedsConfirmation: x.NeedsConfirmation})
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": out})
	return nil
}

type specialistJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	BranchIDs  []string `json:"branch_ids"`
	ServiceIDs []string `json:"service_ids"`
}

// specialists: GET /api/v1/specialists[?branch_id=&service_id=].
func (s *server) specialists(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	all, err := s.booking.Specialists(r.Context(), q.Get("branch_id"), q.Get("service_id"))
	if err != nil {
		return err
	}
	out := make([]specialistJSON, 0, len(all))
	for _, sp := range all {
		ids := make([]string, 0, len(sp.Services))
		for _, x := range sp.Services {
			ids = append(ids, x.ServiceID)
		}
		out = append(out, specialistJSON{ID: sp.ID, Name: sp.Name, Title: sp.Title, BranchIDs: nonNil(sp.BranchIDs), ServiceIDs: ids})
	}
	writeJSON(w, http.StatusOK, map[string]any{"specialists": out})
	return nil
}

type slotJSON struct {
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	SpecialistID string    `json:"specialist_id"`
}

func toSlotsJSON(slots []booking.Slot, loc *time.Location) []slotJSON {
	out := make([]slotJSON, 0, len(slots))
	for _, x := range slots {
		out = append(out, slotJSON{Start: x.Start.In(loc), End: x.End.In(loc), SpecialistID: x.SpecialistID})
	}
	return out
}

// slots: GET /api/v1/slots?service_id=&branch_id=&from=&to=[&specialist_id=].
func (s *server) slots(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for _, name := range []string{"service_id", "branch_id", "from", "to"} {
		if q.Get(name) == "" {
			return &booking.ValidationError{Field: name, Message: "is required", Err: booking.ErrInvalidInput}
		}
	}
	from, err := parseDateParam(q.Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := parseDateParam(q.Get("to"), "to")
	if err != nil {
		return err
	}
	req := booking.SlotRequest{ServiceID: q.Get("service_id"), BranchID: q.Get("branch_id"), SpecialistID: q.Get("specialist_id"), From: from, To: to}
	slots, err := s.booking.Slots(r.Context(), req)
	if err != nil {
		return err
	}
	loc := s.branchLocation(r, req.BranchID)
	writeJSON(w, http.StatusOK, map[string]any{"slots": toSlotsJSON(slots, loc)})
	return nil
}

// branchLocation is the branch's zone for rendering times with their local
// offset; UTC if it cannot be loaded.
func (s *server) branchLocation(r *http.Request, branchID string) *time.Location {
	return s.booking.BranchLocation(r.Context(), branchID)
}

// parseDateParam reads a YYYY-MM-DD query parameter; a malformed one is a
// 400, like a malformed time in a JSON body.
func parseDateParam(v, field string) (booking.Date, error) {
	if v == "" {
		return booking.Date{}, &booking.ValidationError{Field: field, Message: "is required", Err: booking.ErrInvalidInput}
	}
	d, err := booking.ParseDate(v)
	if err != nil {
		return booking.Date{}, &fieldError{field: field, err: errMalformedParam}
	}
	return d, nil
}

// ---- appointments ----------------------------------------------------------------

type appointmentJSON struct {
	ID           string        `json:"id"`
	Status       string        `json:"status"`
	Start        time.Time     `json:"start"`
	End          time.Time     `json:"end"`
	ServiceID    string        `json:"service_id"`
	SpecialistID string        `json:"specialist_id"`
	BranchID     string        `json:"branch_id"`
	ClientID     string        `json:"client_id,omitempty"`
	Price        booking.Money `json:"price"`
	ClientNote   string        `json:"note,omitempty"`
	Notes        string        `json:"staff_notes,omitempty"`
	CancelReason string        `json:"cancel_reason,omitempty"`
	PlanID       string        `json:"plan_id,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	// ChangeableUntil is when the client can no longer move or cancel an
	// upcoming visit online (the change deadline before its start).
	ChangeableUntil *time.Time `json:"changeable_until,omitempty"`
	// The names to show, as the catalog has them now.
	ServiceName    string `json:"service_name,omitempty"`
	SpecialistName string `json:"specialist_name,omitempty"`
	BranchName     string `json:"branch_name,omitempty"`
}

// toAppointmentJSON renders a; staff views carry the client and staff notes.
func (s *server) toAppointmentJSON(r *http.Request, a booking.Appointment, staff bool) appointmentJSON {
	loc := s.branchLocation(r, a.BranchID)
	out := appointmentJSON{ID: a.ID, Status: string(a.Status), Start: a.Start.In(loc), End: a.End.In(loc),
		ServiceID: a.ServiceID, SpecialistID: a.SpecialistID, BranchID: a.BranchID, Price: a.Price,
		ClientNote: a.ClientNote, CancelReason: a.CancelReason, PlanID: a.PlanID, CreatedAt: a.CreatedAt.UTC()}
	if staff {
		out.ClientID, out.Notes = a.ClientID, a.Notes
	}
	if a.Status == booking.StatusConfirmed || a.Status == booking.StatusPending {
		until := out.Start.Add(-s.booking.Config().ChangeDeadline)
		out.ChangeableUntil = &until
	}
	out.ServiceName = s.names.name(r.Context(), "service", a.ServiceID, func(ctx context.Context) (string, error) {
		x, err := s.booking.Store().ServiceByID(ctx, a.ServiceID)
		return x.Name, err
	})
	out.SpecialistName = s.names.name(r.Context(), "specialist", a.SpecialistID, func(ctx context.Context) (string, error) {
		x, err := s.booking.Store().SpecialistByID(ctx, a.SpecialistID)
		return x.Name, err
	})
	out.BranchName = s.names.name(r.Context(), "branch", a.BranchID, func(ctx context.Context) (string, error) {
		x, err := s.booking.Store().BranchByID(ctx, a.BranchID)
		return x.Name, err
	})
	return out
}

// nameCache remembers the catalog's names for a minute, so that a list of
// appointments does not read the same service once per line, and a renamed
// service shows its new name soon.
type nameCache struct {
	entries sync.Map // kind+"/"+id → nameEntry
}

type nameEntry struct {
	name string
	at   time.Time
}

const nameTTL = time.Minute

// name returns the cached name of kind/id, else what find reads ("" when
// it fails: a name is a nicety, never a reason to fail the answer).
func (c *nameCache) name(ctx context.Context, kind, id string, find func(context.Context) (string, error)) string {
	if id == "" {
		return ""
	}
	key := kind + "/" + id
	if e, ok := c.entries.Load(key); ok && time.Since(e.(nameEntry).at) < nameTTL {
		return e.(nameEntry).name
	}
	name, err := find(ctx)
	if err != nil {
		return ""
	}
	c.entries.Store(key, nameEntry{name: name, at: time.Now()})
	return name
}

type bookJSON struct {
	ServiceID    string    `json:"service_id"`
	BranchID     string    `json:"branch_id"`
	SpecialistID string    `json:"specialist_id"`
	Start        time.Time `json:"start"`
	Note         string    `json:"note"`
	PlanID       string    `json:"plan_id"`
	// staff only
	ClientID string `json:"client_id"`
	Override bool   `json:"override"`
}

func (in bookJSON) request(r *http.Request) (booking.BookRequest, error) {
	if in.Start.IsZero() {
		return booking.BookRequest{}, &booking.ValidationError{Field: "start", Message: "is required", Err: booking.ErrInvalidInput}
	}
	return booking.BookRequest{ClientID: in.ClientID, ServiceID: in.ServiceID, BranchID: in.BranchID, SpecialistID: in.SpecialistID,
		Start: in.Start, ClientNote: strings.TrimSpace(in.Note), PlanID: in.PlanID, Override: in.Override,
		IdempotencyKey: r.Header.Get("Idempotency-Key")}, nil
}

// book: POST /api/v1/me/appointments (and /staff/appointments with client_id).
func (s *server) book(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.actorFor(r, who, staff)
		if err != nil {
			return err
		}
		var in bookJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if !staff && (in.ClientID != "" || in.Override) {
			return &fieldError{field: "client_id", err: errUnknownField}
		}
		req, err := in.request(r)
		if err != nil {
			return err
		}
		if staff {
			// What staff write is a staff note, not the client's own words.
			req.ClientNote, req.Note = "", strings.TrimSpace(in.Note)
			if err := s.knownClient(r, who, in.ClientID); err != nil {
				return err
			}
		}
		a, created, err := s.booking.Book(r.Context(), actor, req)
		if err != nil {
			return s.bookingError(r, who, err)
		}
		status := http.StatusCreated
		if !created {
			status = http.StatusOK // a retried request: the first booking
		}
		writeJSON(w, status, s.toAppointmentJSON(r, a, staff))
		return nil
	}
}

// bookingError adds the audit line for refused staff actions.
func (s *server) bookingError(r *http.Request, who auth.Identity, err error) error {
	if errors.Is(err, booking.ErrForbidden) {
		return s.denied(r, who, auth.ErrForbidden)
	}
	return err
}

// myAppointments: GET /api/v1/me/appointments[?status=upcoming|past].
func (s *server) myAppointments(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var (
		list []booking.Appointment
		err  error
	)
	switch r.URL.Query().Get("status") {
	case "", "upcoming":
		list, err = s.booking.Upcoming(r.Context(), who.User.ID)
		if err == nil && r.URL.Query().Get("status") == "" {
			var past []booking.Appointment
			past, err = s.booking.Past(r.Context(), who.User.ID)
			list = append(list, past...)
		}
	case "past":
		list, err = s.booking.Past(r.Context(), who.User.ID)
	default:
		return &booking.ValidationError{Field: "status", Message: `must be "upcoming" or "past"`, Err: booking.ErrInvalidInput}
	}
	if err != nil {
		return err
	}
	out := make([]appointmentJSON, 0, len(list))
	for _, a := range list {
		out = append(out, s.toAppointmentJSON(r, a, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"appointments": out})
	return nil
}

// appointment: GET /api/v1/me/appointments/{id} and /staff/appointments/{id}.
func (s *server) appointment(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.actorFor(r, who, staff)
		if err != nil {
			return err
		}
		a, err := s.booking.Appointment(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		if !staff {
			writeJSON(w, http.StatusOK, s.toAppointmentJSON(r, a, false))
			return nil
		}
		hist, err := s.booking.History(r.Context(), actor, a.ID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"appointment": s.toAppointmentJSON(r, a, true), "history": toHistoryJSON(hist)})
		return nil
	}
}

type historyJSON struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	At       time.Time  `json:"at"`
	By       string     `json:"by,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	OldStart *time.Time `json:"old_start,omitempty"`
}

func toHistoryJSON(in []booking.StatusChange) []historyJSON {
	out := make([]historyJSON, 0, len(in))
	for _, c := range in {
		h := historyJSON{From: string(c.From), To: string(c.To), At: c.At.UTC(), By: c.By, Reason: c.Reason}
		if !c.OldStart.IsZero() {
			t := c.OldStart.UTC()
			h.OldStart = &t
		}
		out = append(out, h)
	}
	return out
}

type moveJSON struct {
	Start        time.Time `json:"start"`
	SpecialistID string    `json:"specialist_id"`
}

// reschedule: PATCH /api/v1/me/appointments/{id} and /staff/appointments/{id}.
func (s *server) reschedule(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.actorFor(r, who, staff)
		if err != nil {
			return err
		}
		var in moveJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if in.Start.IsZero() {
			return &booking.ValidationError{Field: "start", Message: "is required", Err: booking.ErrInvalidInput}
		}
		a, err := s.booking.Reschedule(r.Context(), actor, r.PathValue("id"), in.Start, in.SpecialistID)
		if err != nil {
			return s.bookingError(r, who, err)
		}
		writeJSON(w, http.StatusOK, s.toAppointmentJSON(r, a, staff))
		return nil
	}
}

type reasonJSON struct {
	Reason string `json:"reason"`
}

// cancel: POST /api/v1/me/appointments/{id}/cancel and the staff twin.
func (s *server) cancel(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.actorFor(r, who, staff)
		if err != nil {
			return err
		}
		var in reasonJSON
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				return err
			}
		}
		a, err := s.booking.Cancel(r.Context(), actor, r.PathValue("id"), in.Reason)
		if err != nil {
			return s.bookingError(r, who, err)
		}
		writeJSON(w, http.StatusOK, s.toAppointmentJSON(r, a, staff))
		return nil
	}
}

// calendar: GET /api/v1/me/appointments/{id}/calendar.ics.
func (s *server) calendar(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	a, err := s.booking.Appointment(r.Context(), clientActor(who), r.PathValue("id"))
	if err != nil {
		return err
	}
	st := s.booking.Store()
	info := booking.CalendarInfo{ClinicName: s.clinic, Now: s.booking.Config().Now()}
	if svc, err := st.ServiceByID(r.Context(), a.ServiceID); err == nil {
		info.ServiceName = svc.Name
	}
	if sp, err := st.SpecialistByID(r.Context(), a.SpecialistID); err == nil {
		info.SpecialistName = sp.Name
	}
	if b, err := st.BranchByID(r.Context(), a.BranchID); err == nil {
		info.Branch = b
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="appointment-`+strconv.Quote(a.ID)[1:len(strconv.Quote(a.ID))-1]+`.ics"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(booking.ICS(a, info))
	return nil
}

// ---- staff: status changes and agenda ----------------------------------------------

type notesJSON struct {
	Notes string `json:"notes"`
}

// staffStatus: POST /api/v1/staff/appointments/{id}/{confirm|complete|no-show}.
func (s *server) staffStatus(action string) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		if err := s.staffOnly(r, who); err != nil {
			return err
		}
		var in notesJSON
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				return err
			}
		}
		actor, id := staffActor(who), r.PathValue("id")
		var (
			a   booking.Appointment
			err error
		)
		switch action {
		case "confirm":
			a, err = s.booking.Confirm(r.Context(), actor, id)
		case "complete":
			a, err = s.booking.Complete(r.Context(), actor, id, strings.TrimSpace(in.Notes))
		case "no-show":
			a, err = s.booking.NoShow(r.Context(), actor, id)
		}
		if err != nil {
			return s.bookingError(r, who, err)
		}
		writeJSON(w, http.StatusOK, s.toAppointmentJSON(r, a, true))
		return nil
	}
}

// agenda: GET /api/v1/staff/agenda?specialist_id=|branch_id=&from=&days=.
func (s *server) agenda(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	q := r.URL.Query()
	from, err := parseDateParam(q.Get("from"), "from")
	if err != nil {
		return err
	}
	days := 1
	if v := q.Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil {
			return &booking.ValidationError{Field: "days", Message: "must be from 1 to 31", Err: booking.ErrInvalidInput}
		}
	}
	list, err := s.booking.Agenda(r.Context(), staffActor(who), booking.DayRequest{
		SpecialistID: q.Get("specialist_id"), BranchID: q.Get("branch_id"), From: from, Days: days})
	if err != nil {
		return s.bookingError(r, who, err)
	}
	out := make([]appointmentJSON, 0, len(list))
	for _, a := range list {
		out = append(out, s.toAppointmentJSON(r, a, true))
	}
	writeJSON(w, http.StatusOK, map[string]any{"appointments": out})
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
