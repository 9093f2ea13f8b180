package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// userJSON is a user as the API shows it. Absent contacts are null.
type userJSON struct {
	ID        string      `json:"id"`
	Roles     []auth.Role `json:"roles"`
	Phone     *string     `json:"phone"`
	Email     *string     `json:"email"`
	Locale    string      `json:"locale"`
	BranchIDs []string    `json:"branch_ids"`
	Disabled  bool        `json:"disabled,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
}

func toUserJSON(u auth.User) userJSON {
	out := userJSON{ID: u.ID, Roles: u.Roles, Locale: u.Locale, BranchIDs: u.Branches, Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC()}
	if u.Phone != "" {
		out.Phone = &u.Phone
	}
	if u.Email != "" {
		out.Email = &u.Email
	}
	if out.Roles == nil {
		out.Roles = []auth.Role{}
	}
	if out.BranchIDs == nil {
		out.BranchIDs = []string{}
	}
	return out
}

type ticketJSON struct {
	ChallengeID string       `json:"challenge_id"`
	Channel     auth.Channel `json:"channel"`
	ExpiresAt   time.Time    `json:"expires_at"`
	ResendAfter int          `json:"resend_after"`
}

func toTicketJSON(t auth.Ticket) ticketJSON {
	return ticketJSON{ChallengeID: t.ChallengeID, Channel: t.Channel, ExpiresAt: t.ExpiresAt.UTC(), ResendAfter: int(t.ResendAfter / time.Second)}
}

type codeRequestJSON struct {
	Identifier string `json:"identifier"`
	Locale     string `json:"locale,omitempty"`
}

// requestCode: POST /api/v1/auth/code.
func (s *server) requestCode(w http.ResponseWriter, r *http.Request) error {
	var in codeRequestJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.auth.RequestCode(r.Context(), auth.CodeRequest{
		Identifier: in.Identifier, Locale: firstNonEmpty(in.Locale, preferredLang(r)), IP: s.clientIP(r),
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, toTicketJSON(t))
	return nil
}

type verifyJSON struct {
	ChallengeID string `json:"challenge_id"`
	Code        string `json:"code"`
}

// verify: POST /api/v1/auth/verify. Sets the session cookie too.
func (s *server) verify(w http.ResponseWriter, r *http.Request) error {
	var in verifyJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ChallengeID == "" {
		return &auth.ValidationError{Field: "challenge_id", Message: "is required", Err: auth.ErrInvalidInput}
	}
	res, err := s.auth.Verify(r.Context(), auth.VerifyRequest{
		ChallengeID: in.ChallengeID, Code: in.Code, IP: s.clientIP(r), UserAgent: r.UserAgent(),
	})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, res.Token, res.Session.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      res.Token,
		"expires_at": res.Session.ExpiresAt.UTC(),
		"new_user":   res.NewUser,
		"user":       toUserJSON(res.User),
		"csrf_token": res.CSRFToken,
	})
	return nil
}

func (s *server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	secure := s.secure || r.TLS != nil
	c := &http.Cookie{
		Name:     s.cookie,
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	if secure {
		c.Name = "__Host-" + s.cookie
	}
	if token == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires.UTC()
	}
	http.SetCookie(w, c)
}

// logout: POST /api/v1/auth/logout.
func (s *server) logout(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.auth.Logout(r.Context(), who, s.clientIP(r)); err != nil {
		return err
	}
	s.setSessionCookie(w, r, "", time.Time{})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type sessionJSON struct {
	ID         string    `json:"id"`
	Device     string    `json:"device"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Current    bool      `json:"current"`
}

// listSessions: GET /api/v1/auth/sessions.
func (s *server) listSessions(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	all, err := s.auth.Sessions(r.Context(), who)
	if err != nil {
		return err
	}
	out := make([]sessionJSON, 0, len(all))
	for _, x := range all {
		exp := x.ExpiresAt
		if idle := x.IdleExpiresAt(); idle.Before(exp) {
			exp = idle
		}
		out = append(out, sessionJSON{ID: x.ID, Device: x.UserAgent, IP: x.IP, CreatedAt: x.CreatedAt.UTC(),
			LastSeenAt: x.LastSeenAt.UTC(), ExpiresAt: exp.UTC(), Current: x.ID == who.Session.ID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
	return nil
}

// revokeSession: DELETE /api/v1/auth/sessions/{id}.
func (s *server) revokeSession(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	id := r.PathValue("id")
	if err := s.auth.RevokeSession(r.Context(), who, id, s.clientIP(r)); err != nil {
		return err
	}
	if id == who.Session.ID {
		s.setSessionCookie(w, r, "", time.Time{})
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeOthers: POST /api/v1/auth/sessions/revoke-others.
func (s *server) revokeOthers(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	n, err := s.auth.RevokeOtherSessions(r.Context(), who, s.clientIP(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
	return nil
}

// sessionState: GET /api/v1/auth/session — whether the caller is signed
// in, 200 either way: a page asks it first, and a 401 would be an error in
// the browser's console on every visit of a signed-out client.
func (s *server) sessionState(w http.ResponseWriter, r *http.Request) error {
	token, _ := s.token(r)
	if token == "" {
		writeJSON(w, http.StatusOK, map[string]any{"signed_in": false})
		return nil
	}
	who, err := s.auth.Authenticate(r.Context(), token)
	if errors.Is(err, auth.ErrUnauthenticated) {
		writeJSON(w, http.StatusOK, map[string]any{"signed_in": false})
		return nil
	} else if err != nil {
		return err
	}
	profile, err := s.profileSummary(r, who)
	if err != nil {
		return err
	}
	out := map[string]any{
		"signed_in":  true,
		"user":       toUserJSON(who.User),
		"session_id": who.Session.ID,
		"csrf_token": s.auth.CSRFToken(who.Session.ID),
		"profile":    profile,
	}
	s.addSpecialistID(r, who, out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// me: GET /api/v1/me.
func (s *server) me(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	profile, err := s.profileSummary(r, who)
	if err != nil {
		return err
	}
	out := map[string]any{
		"user":       toUserJSON(who.User),
		"session_id": who.Session.ID,
		"csrf_token": s.auth.CSRFToken(who.Session.ID),
		"profile":    profile,
	}
	s.addSpecialistID(r, who, out)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// requestIdentifier: POST /api/v1/me/identifiers — a code to a new phone or e-mail.
func (s *server) requestIdentifier(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var in codeRequestJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.auth.RequestIdentifierCode(r.Context(), who, auth.CodeRequest{Identifier: in.Identifier, Locale: in.Locale, IP: s.clientIP(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, toTicketJSON(t))
	return nil
}

// confirmIdentifier: POST /api/v1/me/identifiers/verify.
func (s *server) confirmIdentifier(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var in verifyJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.auth.ConfirmIdentifier(r.Context(), who, in.ChallengeID, in.Code, s.clientIP(r))
	if err != nil {
		return confirmCodeError(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

// confirmCodeError turns a wrong code sent by a signed-in user into a 422
// on the field "code" (the session is fine); other errors pass as they are.
func confirmCodeError(err error) error {
	if errors.Is(err, auth.ErrInvalidCode) {
		return &fieldError{field: "code", err: fmt.Errorf("%w: %w", errWrongConfirmCode, err)}
	}
	return err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
