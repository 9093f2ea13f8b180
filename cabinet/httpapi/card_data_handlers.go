package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// dataRoutes are the client's rights over their own data: the export of
// everything (a zip), the erasure of the account (re-confirmed with a
// fresh code), and the erasure of the health part or the photos alone. All
// are /me only: nobody exports or erases someone else's data through the
// API.
func (s *server) dataRoutes() []route {
	return []route{
		{"GET /api/v1/me/export", s.authed(s.exportData)},
		{"POST /api/v1/me/erasure/code", s.authed(s.erasureCode)},
		{"DELETE /api/v1/me", s.authed(s.eraseMe)},
		{"DELETE /api/v1/me/photos", s.authed(s.photoErrors(s.erasePhotos))},
		{"DELETE /api/v1/me/profile/health", s.authed(s.eraseHealth)},
	}
}

// exportLimit bounds exports: each reads every photo of the client, so a
// few an hour is plenty for a person and little for the server.
func exportLimit(userID string) auth.RateLimit {
	return auth.RateLimit{Name: "export_hour", Key: "export:" + userID, Window: time.Hour, Max: 3}
}

// exportData: GET /api/v1/me/export. The archive is streamed: once the
// first byte is out the status is 200, so everything that can fail with an
// error body (the limit, the reads, the audit) happens before.
func (s *server) exportData(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	ctx := r.Context()
	actor, clientID, err := s.cardTarget(r, who, false)
	if err != nil {
		return err
	}
	if err := s.auth.TakeLimit(ctx, who.User.ID, actor.IP, exportLimit(who.User.ID)); err != nil {
		return err
	}
	extra := card.ExportExtra{Account: who.User}
	set, err := s.notify.Settings(ctx, clientID)
	if err != nil {
		return err
	}
	extra.Settings = &set
	if extra.Subscriptions, err = s.notify.Subscriptions(ctx, clientID); err != nil {
		return err
	}
	if extra.Messages, err = s.inboxAll(r, clientID); err != nil {
		return err
	}
	if extra.Audit, err = s.auth.OwnAudit(ctx, who); err != nil {
		return err
	}
	exp, err := s.card.PrepareExport(ctx, actor, clientID, extra)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, exp.FileName()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := exp.WriteZip(ctx, w); err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "httpapi: export failed while streaming", "err", err)
		}
		// The status is out: only breaking the connection tells the client
		// the archive is incomplete.
		panic(http.ErrAbortHandler)
	}
	return nil
}

// inboxAll reads every message of the client, page by page.
func (s *server) inboxAll(r *http.Request, userID string) ([]notify.Message, error) {
	const page = 200
	var (
		all      []notify.Message
		before   time.Time
		beforeID string
	)
	for {
		msgs, err := s.notify.Inbox(r.Context(), userID, before, beforeID, page)
		if err != nil {
			return nil, err
		}
		all = append(all, msgs...)
		if len(msgs) < page {
			return all, nil
		}
		last := msgs[len(msgs)-1]
		before, beforeID = last.CreatedAt, last.ID
	}
}

type erasureCodeJSON struct {
	Channel string `json:"channel"`
}

// erasureCode: POST /api/v1/me/erasure/code. The body is optional: an
// empty one (or none) sends the code to the phone, else the e-mail.
func (s *server) erasureCode(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var in erasureCodeJSON
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	t, err := s.auth.RequestEraseCode(r.Context(), who, auth.Channel(in.Channel), s.clientIP(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, toTicketJSON(t))
	return nil
}

// eraseMe: DELETE /api/v1/me with {"challenge_id","code"}. The code is
// checked and consumed first; a wrong one erases nothing. Once it is
// accepted the erasure runs even if the client hangs up.
func (s *server) eraseMe(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var in verifyJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.ChallengeID == "" {
		return &auth.ValidationError{Field: "challenge_id", Message: "is required", Err: auth.ErrInvalidInput}
	}
	ip := s.clientIP(r)
	if err := s.auth.ConfirmErase(r.Context(), who, in.ChallengeID, in.Code, ip); err != nil {
		return confirmCodeError(err)
	}
	actor, _, err := s.cardTarget(r, who, false)
	if err != nil {
		return err
	}
	if _, err := s.card.EraseClient(context.WithoutCancel(r.Context()), actor); err != nil {
		if errors.Is(err, card.ErrNotFound) {
			return auth.ErrUnauthenticated // erased meanwhile by another request
		}
		return err
	}
	s.setSessionCookie(w, r, "", time.Time{})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type erasedPhotosJSON struct {
	Deleted int `json:"deleted"`
}

// erasePhotos: DELETE /api/v1/me/photos — every photo, files and rows. No
// code is asked: the session suffices, as it does to delete one photo.
func (s *server) erasePhotos(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, clientID, err := s.cardTarget(r, who, false)
	if err != nil {
		return err
	}
	n, err := s.card.ErasePhotos(context.WithoutCancel(r.Context()), actor, clientID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, erasedPhotosJSON{Deleted: n})
	return nil
}

type erasedHealthJSON struct {
	Versions       int `json:"versions"`
	JournalEntries int `json:"journal_entries"`
}

// eraseHealth: DELETE /api/v1/me/profile/health — the health answers of
// every questionnaire version and the skin journal. No code, as above.
func (s *server) eraseHealth(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, clientID, err := s.cardTarget(r, who, false)
	if err != nil {
		return err
	}
	out, err := s.card.EraseHealthData(context.WithoutCancel(r.Context()), actor, clientID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, erasedHealthJSON{Versions: out.Versions, JournalEntries: out.JournalEntries})
	return nil
}
