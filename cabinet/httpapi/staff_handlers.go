package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// denied records a refused staff request in the audit trail (once a minute
// per user and endpoint, so repeating it cannot flood the trail), then
// returns err.
func (s *server) denied(r *http.Request, who auth.Identity, err error) error {
	if errors.Is(err, auth.ErrForbidden) {
		_ = s.auth.AuditAtMostEvery(r.Context(), "denied:"+who.User.ID+":"+r.Pattern, time.Minute,
			auth.AuditEntry{ActorID: who.User.ID, Action: auth.ActionAccessDenied, IP: s.clientIP(r), Detail: r.Pattern})
	}
	return err
}

type staffInputJSON struct {
	Identifier string      `json:"identifier"`
	Roles      []auth.Role `json:"roles"`
	BranchIDs  []string    `json:"branch_ids"`
	Locale     string      `json:"locale"`
}

// registerStaff: POST /api/v1/staff/users (admin).
func (s *server) registerStaff(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if !who.Principal().Can(auth.PermManageStaff) {
		return s.denied(r, who, auth.ErrForbidden)
	}
	var in staffInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.auth.RegisterStaff(r.Context(), who.Principal(), auth.StaffInput{
		Identifier: in.Identifier, Roles: in.Roles, Branches: in.BranchIDs, Locale: in.Locale, IP: s.clientIP(r),
	})
	if err != nil {
		return s.denied(r, who, err)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": toUserJSON(u)})
	return nil
}

// staffUser: GET /api/v1/staff/users/{id}.
func (s *server) staffUser(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if !who.Principal().Can(auth.PermViewClients) {
		return s.denied(r, who, auth.ErrForbidden)
	}
	u, err := s.auth.User(r.Context(), who.Principal(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !(auth.Principal{UserID: u.ID, Roles: u.Roles}).IsStaff() {
		// A client's contacts are part of their card: only staff who may
		// see the card see them (a specialist: their own clients).
		actor, err := s.cardActor(r, who, true)
		if err != nil {
			return err
		}
		if err := s.card.CheckAccess(r.Context(), actor, u.ID, "account"); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

// accessJSON is a change of access; omitted branch_ids or disabled keep
// their current values, so changing roles never re-enables an account.
type accessJSON struct {
	Roles     []auth.Role `json:"roles"`
	BranchIDs *[]string   `json:"branch_ids"`
	Disabled  *bool       `json:"disabled"`
}

// setAccess: PUT /api/v1/staff/users/{id}/access (admin).
func (s *server) setAccess(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if !who.Principal().Can(auth.PermManageStaff) {
		return s.denied(r, who, auth.ErrForbidden)
	}
	var in accessJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	change := auth.AccessChange{Roles: in.Roles, IP: s.clientIP(r)}
	if in.BranchIDs == nil || in.Disabled == nil {
		cur, err := s.auth.User(r.Context(), who.Principal(), r.PathValue("id"))
		if err != nil {
			return err
		}
		change.Branches, change.Disabled = cur.Branches, cur.Disabled
	}
	if in.BranchIDs != nil {
		change.Branches = *in.BranchIDs
	}
	if in.Disabled != nil {
		change.Disabled = *in.Disabled
	}
	u, err := s.auth.SetAccess(r.Context(), who.Principal(), r.PathValue("id"), change)
	if err != nil {
		return s.denied(r, who, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

type auditJSON struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	ActorID string    `json:"actor_id,omitempty"`
	Action  string    `json:"action"`
	Subject string    `json:"subject,omitempty"`
	IP      string    `json:"ip,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// auditTrail: GET /api/v1/staff/audit?actor_id=&subject=&action=&since=&limit= (admin).
func (s *server) auditTrail(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if !who.Principal().Can(auth.PermViewAudit) {
		return s.denied(r, who, auth.ErrForbidden)
	}
	q := r.URL.Query()
	f := auth.AuditFilter{ActorID: q.Get("actor_id"), Subject: q.Get("subject"), Action: q.Get("action")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return &auth.ValidationError{Field: "limit", Message: "must be a number from 1 to 1000", Err: auth.ErrInvalidInput}
		}
		f.Limit = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return &auth.ValidationError{Field: "since", Message: "must be an RFC 3339 time", Err: auth.ErrInvalidInput}
		}
		f.Since = t
	}
	entries, err := s.auth.AuditTrail(r.Context(), who.Principal(), f)
	if err != nil {
		return s.denied(r, who, err)
	}
	out := make([]auditJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, auditJSON{ID: e.ID, At: e.At.UTC(), ActorID: e.ActorID, Action: e.Action, Subject: e.Subject, IP: e.IP, Detail: e.Detail})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
	return nil
}
