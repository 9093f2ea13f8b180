package httpapi

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// The staff side's reads for the web cabinet's staff pages: a schedule with
// the names to show (the caller's own day by default), one appointment with
// what the caller may do with it, the front desk's client search, a
// client's overview, and client names for lists.
//
// Who sees what follows the rules of the domain packages: the schedule is
// booking.Agenda's (a specialist their own appointments, a manager their
// branches', an admin all); a client's name, contacts and card are
// card.Service's (a specialist their clients, a manager the clients with
// an appointment in their branches, an admin all). A name in a schedule or
// a list is not a read of the card and is not audited; a search is
// (card.ActionCardSearched), and so is the overview (card.viewed).
func (s *server) staffWebRoutes() []route {
	return []route{
		{"GET /api/v1/staff/schedule", s.authed(s.staffSchedule)},
		{"GET /api/v1/staff/appointments/{id}/details", s.authed(s.appointmentDetails)},
		{"GET /api/v1/staff/clients", s.authed(s.searchClients)},
		{"GET /api/v1/staff/clients/{id}/overview", s.authed(s.clientOverview)},
		{"GET /api/v1/staff/client-names", s.authed(s.clientNames)},
	}
}

// ownSpecialistIDs are the specialist records linked to the user.
func (s *server) ownSpecialistIDs(r *http.Request, userID string) ([]string, error) {
	return s.booking.SpecialistIDsOf(r.Context(), userID)
}

// addSpecialistID adds "specialist_id" to a /me or session answer of a
// staff user linked to a specialist record (the first, when several), so
// pages open that specialist's schedule. A failed lookup leaves it out:
// the session answer must not fail for it.
func (s *server) addSpecialistID(r *http.Request, who auth.Identity, out map[string]any) {
	if !who.Principal().IsStaff() {
		return
	}
	if ids, err := s.ownSpecialistIDs(r, who.User.ID); err == nil && len(ids) > 0 {
		out["specialist_id"] = ids[0]
	}
}

// ---- names ------------------------------------------------------------------------

// clientLabels are the names to show for the clients the actor may see:
// the questionnaire's name, else the phone, else the e-mail. Clients the
// actor may not see are left out.
func (s *server) clientLabels(r *http.Request, actor card.Actor, ids []string, orders ...bool) (map[string]string, error) {
	names, err := s.card.ClientNames(r.Context(), actor, ids, orders...)
	if err != nil {
		return nil, err
	}
	for id, name := range names {
		if name != "" {
			continue
		}
		u, err := s.auth.Config().Store.UserByID(r.Context(), id)
		if err != nil {
			continue
		}
		names[id] = cmp.Or(u.Phone, u.Email)
	}
	return names, nil
}

// scheduleItemJSON is an appointment with the names to show, always
// present (appointmentJSON omits an empty one); client_name only for a
// client the caller may see.
type scheduleItemJSON struct {
	appointmentJSON
	ServiceName    string `json:"service_name"`
	SpecialistName string `json:"specialist_name"`
	BranchName     string `json:"branch_name"`
	ClientName     string `json:"client_name,omitempty"`
}

func (s *server) scheduleItems(r *http.Request, actor card.Actor, list []booking.Appointment) ([]scheduleItemJSON, error) {
	ids := make([]string, 0, len(list))
	for _, a := range list {
		ids = append(ids, a.ClientID)
	}
	clients, err := s.clientLabels(r, actor, ids)
	if err != nil {
		return nil, err
	}
	out := make([]scheduleItemJSON, 0, len(list))
	for _, a := range list {
		aj := s.toAppointmentJSON(r, a, true) // with the catalog's names
		out = append(out, scheduleItemJSON{appointmentJSON: aj, ServiceName: aj.ServiceName,
			SpecialistName: aj.SpecialistName, BranchName: aj.BranchName, ClientName: clients[a.ClientID]})
	}
	return out, nil
}

// ---- the schedule -------------------------------------------------------------------

type scheduleJSON struct {
	Scope        string             `json:"scope"` // "specialist" or "branch"
	SpecialistID string             `json:"specialist_id,omitempty"`
	BranchID     string             `json:"branch_id,omitempty"`
	TimeZone     string             `json:"time_zone"`
	From         string             `json:"from"`
	Days         int                `json:"days"`
	Specialists  []specialistJSON   `json:"specialists"`
	Appointments []scheduleItemJSON `json:"appointments"`
}

// staffSchedule: GET /api/v1/staff/schedule?specialist_id=&branch_id=&from=&days=
// — appointments with names. Without specialist_id and branch_id: the
// caller's own schedule when they are a specialist, else their first
// branch's (an admin's: the first branch). Without from: today in the
// schedule's time zone. Rights are booking.Agenda's.
func (s *server) staffSchedule(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req := booking.DayRequest{SpecialistID: q.Get("specialist_id"), BranchID: q.Get("branch_id"), Days: 1}
	if v := q.Get("days"); v != "" {
		if req.Days, err = strconv.Atoi(v); err != nil || req.Days < 1 || req.Days > 31 {
			return &booking.ValidationError{Field: "days", Message: "must be from 1 to 31", Err: booking.ErrInvalidInput}
		}
	}
	if req.SpecialistID == "" && req.BranchID == "" {
		own, err := s.ownSpecialistIDs(r, who.User.ID)
		if err != nil {
			return err
		}
		switch {
		case len(own) > 0:
			req.SpecialistID = own[0]
		case len(who.User.Branches) > 0 && !who.Principal().HasRole(auth.RoleAdmin):
			req.BranchID = who.User.Branches[0]
		default:
			all, err := s.booking.Branches(r.Context())
			if err != nil {
				return err
			}
			for _, b := range all {
				if b.Active && (who.Principal().HasRole(auth.RoleAdmin) || slices.Contains(who.User.Branches, b.ID)) {
					req.BranchID = b.ID
					break
				}
			}
		}
		if req.SpecialistID == "" && req.BranchID == "" {
			return &booking.ValidationError{Field: "specialist_id", Message: "a specialist or a branch is required", Err: booking.ErrInvalidInput}
		}
	}
	out := scheduleJSON{Scope: "branch", SpecialistID: req.SpecialistID, BranchID: req.BranchID, Days: req.Days,
		Specialists: []specialistJSON{}}
	zoneBranch := req.BranchID
	if req.SpecialistID != "" {
		out.Scope = "specialist"
		sp, err := s.booking.Store().SpecialistByID(r.Context(), req.SpecialistID)
		if err != nil {
			return err
		}
		if zoneBranch == "" && len(sp.BranchIDs) > 0 {
			zoneBranch = sp.BranchIDs[0]
		}
		out.Specialists = append(out.Specialists, toSpecialistJSON(sp))
	}
	loc := s.branchLocation(r, zoneBranch)
	out.TimeZone = loc.String()
	if v := q.Get("from"); v != "" {
		if req.From, err = parseDateParam(v, "from"); err != nil {
			return err
		}
	} else {
		req.From = booking.DateOf(s.booking.Config().Now(), loc)
	}
	out.From = req.From.String()
	list, err := s.booking.Agenda(r.Context(), staffActor(who), req)
	if err != nil {
		return s.bookingError(r, who, err)
	}
	if out.Scope == "branch" {
		sps, err := s.booking.Store().Specialists(r.Context(), booking.SpecialistFilter{BranchID: req.BranchID, ActiveOnly: true})
		if err != nil {
			return err
		}
		if !runsBranch(staffActor(who), req.BranchID) {
			// A specialist's view of a branch is their own schedule there.
			own, err := s.ownSpecialistIDs(r, who.User.ID)
			if err != nil {
				return err
			}
			sps = slices.DeleteFunc(sps, func(sp booking.Specialist) bool { return !slices.Contains(own, sp.ID) })
		}
		for _, sp := range sps {
			out.Specialists = append(out.Specialists, toSpecialistJSON(sp))
		}
	}
	if out.Appointments, err = s.scheduleItems(r, actor, list); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// runsBranch reports whether a staff actor runs the branch: an admin, or a
// manager of it (booking's own rule for the front desk's actions).
func runsBranch(a booking.Actor, branchID string) bool {
	return a.Role == booking.RoleAdmin || a.Role == booking.RoleManager && slices.Contains(a.Branches, branchID)
}

func toSpecialistJSON(sp booking.Specialist) specialistJSON {
	ids := make([]string, 0, len(sp.Services))
	for _, x := range sp.Services {
		ids = append(ids, x.ServiceID)
	}
	return specialistJSON{ID: sp.ID, Name: sp.Name, Title: sp.Title, BranchIDs: nonNil(sp.BranchIDs), ServiceIDs: ids}
}

// ---- one appointment ----------------------------------------------------------------

// mayJSON says what the caller may do with an appointment now, so a page
// offers only what the API will accept.
type mayJSON struct {
	Confirm    bool `json:"confirm"`
	Complete   bool `json:"complete"`
	NoShow     bool `json:"no_show"`
	Cancel     bool `json:"cancel"`
	WriteNote  bool `json:"write_note"`
	OpenClient bool `json:"open_client"`
}

type visitNoteJSON struct {
	Notes           string                    `json:"notes"`
	Recommendations []visitRecommendationJSON `json:"recommendations"`
	UpdatedAt       time.Time                 `json:"updated_at"`
}

type appointmentDetailsJSON struct {
	Appointment scheduleItemJSON `json:"appointment"`
	TimeZone    string           `json:"time_zone"`
	History     []historyJSON    `json:"history"`
	May         mayJSON          `json:"may"`
	VisitNote   *visitNoteJSON   `json:"visit_note,omitempty"`
}

// appointmentDetails: GET /api/v1/staff/appointments/{id}/details — one
// appointment with names, its history, what the caller may do with it, and
// the note written after the visit (a read of the card, audited). Who sees
// the appointment is booking's rule (GET /api/v1/staff/appointments/{id}).
func (s *server) appointmentDetails(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	ba := staffActor(who)
	a, err := s.booking.Appointment(r.Context(), ba, r.PathValue("id"))
	if err != nil {
		return err
	}
	hist, err := s.booking.History(r.Context(), ba, a.ID)
	if err != nil {
		return err
	}
	items, err := s.scheduleItems(r, actor, []booking.Appointment{a})
	if err != nil {
		return err
	}
	out := appointmentDetailsJSON{Appointment: items[0], TimeZone: s.branchLocation(r, a.BranchID).String(), History: toHistoryJSON(hist)}
	names, err := s.card.ClientNames(r.Context(), actor, []string{a.ClientID})
	if err != nil {
		return err
	}
	_, visible := names[a.ClientID]
	own := false
	if sp, err := s.booking.Store().SpecialistByID(r.Context(), a.SpecialistID); err == nil {
		own = sp.UserID != "" && sp.UserID == who.User.ID
	}
	runs := runsBranch(ba, a.BranchID)
	started := !s.booking.Config().Now().Before(a.Start)
	out.May = mayJSON{
		Confirm:    runs && a.Status == booking.StatusPending,
		Complete:   (runs || own) && started && a.Status == booking.StatusConfirmed,
		NoShow:     (runs || own) && started && a.Status.Active(),
		Cancel:     runs && a.Status.Active(),
		WriteNote:  (runs || own) && visible && a.Status == booking.StatusCompleted,
		OpenClient: visible,
	}
	if visible && a.Status == booking.StatusCompleted {
		visits, err := s.card.Visits(r.Context(), actor, a.ClientID)
		if err != nil && !errors.Is(err, card.ErrNotFound) {
			return err
		}
		for _, v := range visits {
			if v.Appointment.ID == a.ID && !v.Note.UpdatedAt.IsZero() {
				out.VisitNote = &visitNoteJSON{Notes: v.Note.Notes, Recommendations: toVisitRecommendationsJSON(v.Note.Recommendations),
					UpdatedAt: v.Note.UpdatedAt.UTC()}
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ---- clients ---------------------------------------------------------------------

type clientJSON struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Phone *string `json:"phone"`
	Email *string `json:"email"`
}

func toClientJSON(id, name, phone, email string) clientJSON {
	out := clientJSON{ID: id, Name: name}
	if phone != "" {
		out.Phone = &phone
	}
	if email != "" {
		out.Email = &email
	}
	return out
}

// searchClients: GET /api/v1/staff/clients?q= — the front desk's search by
// phone (or its last digits), e-mail or name, within the clients the
// caller may see; every client shown is recorded in the audit trail.
func (s *server) searchClients(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	found, err := s.card.SearchClients(r.Context(), actor, r.URL.Query().Get("q"))
	if err != nil {
		return s.orderError(r, who, err)
	}
	out := make([]clientJSON, 0, len(found))
	for _, m := range found {
		out = append(out, toClientJSON(m.ClientID, m.Name, m.Phone, m.Email))
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": out})
	return nil
}

// maxOverviewAppointments bounds the overview's list.
const maxOverviewAppointments = 200

// clientOverview: GET /api/v1/staff/clients/{id}/overview — a client's
// name, contacts and appointments (latest first, with names), for staff
// who may see the card; the read is audited as card.viewed "overview".
func (s *server) clientOverview(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.card.CheckAccess(r.Context(), actor, id, "overview"); err != nil {
		return err
	}
	u, err := s.auth.Config().Store.UserByID(r.Context(), id)
	if errors.Is(err, auth.ErrNotFound) {
		return card.ErrNotFound
	} else if err != nil {
		return err
	}
	names, err := s.card.ClientNames(r.Context(), actor, []string{id})
	if err != nil {
		return err
	}
	list, err := s.booking.Store().Appointments(r.Context(), booking.AppointmentFilter{ClientID: id, Descending: true, Limit: maxOverviewAppointments})
	if err != nil {
		return err
	}
	items, err := s.scheduleItems(r, actor, list)
	if err != nil {
		return err
	}
	// The card shows that a visit exists; what was said about one the
	// caller may not open (another branch's, a colleague's) stays there:
	// the client's note, the staff's, a cancellation's reason.
	visible := s.booking.Visible(r.Context(), staffActor(who))
	for i, a := range list {
		if !visible(a) {
			items[i].ClientNote, items[i].Notes, items[i].CancelReason = "", "", ""
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"client":       toClientJSON(u.ID, names[id], u.Phone, u.Email),
		"appointments": items,
	})
	return nil
}

// maxNames bounds one client-names request.
const maxNames = 100

// clientNames: GET /api/v1/staff/client-names?id=…&id=…[&orders=true] — the
// names to show for clients in a list (orders, schedules): the
// questionnaire's name, else the phone or e-mail; only for clients the
// caller may see (with orders=true, a manager also those who placed an
// order at their branches), the others are left out. Not audited: a name
// is not a read of the card.
func (s *server) clientNames(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	ids := r.URL.Query()["id"]
	if len(ids) > maxNames {
		return &booking.ValidationError{Field: "id", Message: "at most 100 IDs", Err: booking.ErrInvalidInput}
	}
	names, err := s.clientLabels(r, actor, ids, r.URL.Query().Get("orders") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"names": names})
	return nil
}
