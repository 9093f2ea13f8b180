package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// photoRoutes are the card's photo and skin journal endpoints: the client's
// own under /me, and the same card for staff under /staff/clients/{id}
// (card.Service.authorize decides who may see it and records every staff
// access; each photo a member of staff opens is recorded as "photo <id>").
func (s *server) photoRoutes() []route {
	h := func(staff bool, fn func(bool) photoHandler) http.Handler { return s.authed(s.photoErrors(fn(staff))) }
	return []route{
		{"POST /api/v1/me/photos", h(false, s.photoUpload)},
		{"GET /api/v1/me/photos", h(false, s.photoList)},
		{"GET /api/v1/me/photos/pairs", h(false, s.photoPairs)},
		{"GET /api/v1/me/photos/{id}/image", h(false, s.photoImage)},
		{"DELETE /api/v1/me/photos/{id}", h(false, s.photoDelete)},
		{"POST /api/v1/me/skin/journal", h(false, s.journalAdd)},
		{"GET /api/v1/me/skin/journal", h(false, s.journalList)},
		{"GET /api/v1/me/skin/trend", h(false, s.skinTrend)},
		{"GET /api/v1/me/skin/report", h(false, s.skinReport)},
		{"POST /api/v1/staff/clients/{id}/photos", h(true, s.photoUpload)},
		{"GET /api/v1/staff/clients/{id}/photos", h(true, s.photoList)},
		{"GET /api/v1/staff/clients/{id}/photos/pairs", h(true, s.photoPairs)},
		{"GET /api/v1/staff/clients/{id}/photos/{photo}/image", h(true, s.photoImage)},
		{"POST /api/v1/staff/clients/{id}/skin/journal", h(true, s.journalAdd)},
		{"GET /api/v1/staff/clients/{id}/skin/journal", h(true, s.journalList)},
		{"GET /api/v1/staff/clients/{id}/skin/trend", h(true, s.skinTrend)},
		{"GET /api/v1/staff/clients/{id}/skin/report", h(true, s.skinReport)},
	}
}

type photoHandler = func(http.ResponseWriter, *http.Request, auth.Identity) error

// Errors of the photo endpoints that the common table does not know.
var (
	errNotMultipart  = errors.New("httpapi: a photo upload must be multipart/form-data")
	errMalformedForm = errors.New("httpapi: malformed multipart form")
)

// photoErrors writes the errors peculiar to photos — a file of an
// unsupported format named by what it is, photos not configured, a body
// that is not a multipart form — and leaves the rest to the common table.
func (s *server) photoErrors(fn photoHandler) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		err := fn(w, r, who)
		if err == nil {
			return nil
		}
		en := preferredLang(r) == "en"
		msg := func(enMsg, ruMsg string) string {
			if en {
				return enMsg
			}
			return ruMsg
		}
		var status int
		var body apiError
		ume, isUME := errors.AsType[*card.UnsupportedMediaError](err)
		switch {
		case isUME:
			status, body = http.StatusUnsupportedMediaType, apiError{Code: "unsupported_media_type", Field: "file"}
			switch ume.Detected {
			case "HEIC":
				body.Message = msg("HEIC photos (the iPhone's default) are not accepted: send a JPEG, PNG or WebP. "+
					"On an iPhone choose Settings → Camera → Formats → Most Compatible.",
					"Фото в формате HEIC (так снимает iPhone) не принимаются: загрузите JPEG, PNG или WebP. "+
						"На iPhone выберите Настройки → Камера → Форматы → «Наиболее совместимый».")
			case "":
				body.Message = msg("This file is not a photo in an accepted format: send a JPEG, PNG or WebP.",
					"Файл не является фотографией в поддерживаемом формате: загрузите JPEG, PNG или WebP.")
			default:
				body.Message = msg(ume.Detected+" files are not accepted: send a photo as JPEG, PNG or WebP.",
					"Файлы "+ume.Detected+" не принимаются: загрузите фото в формате JPEG, PNG или WebP.")
			}
		case errors.Is(err, card.ErrPhotosUnavailable):
			status, body = http.StatusServiceUnavailable, apiError{Code: "photos_unavailable",
				Message: msg("Photos are not available in this cabinet.", "Фотографии в этом кабинете недоступны.")}
		case errors.Is(err, errNotMultipart):
			status, body = http.StatusUnsupportedMediaType, apiError{Code: "unsupported_media_type",
				Message: msg("Send the photo as multipart/form-data with a file field.",
					"Отправьте фото как multipart/form-data с полем file.")}
		case errors.Is(err, errMalformedForm):
			status, body = http.StatusBadRequest, apiError{Code: "malformed_request",
				Message: msg("The form is malformed.", "Форма запроса повреждена.")}
			if fe, ok := errors.AsType[*fieldError](err); ok {
				body.Field = fe.field
			}
		default:
			return err
		}
		writeJSON(w, status, map[string]apiError{"error": body})
		return nil
	}
}

// ---- photos ----------------------------------------------------------------------

type photoSizeJSON struct {
	Width  int   `json:"width"`
	Height int   `json:"height"`
	Bytes  int64 `json:"bytes"`
}

type photoJSON struct {
	ID            string                   `json:"id"`
	Kind          string                   `json:"kind"`
	Area          string                   `json:"area"`
	TakenAt       string                   `json:"taken_at"` // YYYY-MM-DD
	Width         int                      `json:"width"`
	Height        int                      `json:"height"`
	AppointmentID string                   `json:"appointment_id,omitempty"`
	UploadedBy    string                   `json:"uploaded_by"` // client or staff
	CreatedAt     time.Time                `json:"created_at"`
	Sizes         map[string]photoSizeJSON `json:"sizes"` // original, medium, thumb
}

func toPhotoJSON(p card.Photo) photoJSON {
	size := func(f card.PhotoFile) photoSizeJSON { return photoSizeJSON{f.Width, f.Height, f.Bytes} }
	return photoJSON{
		ID: p.ID, Kind: string(p.Kind), Area: string(p.Area), TakenAt: p.TakenOn.String(),
		Width: p.Original.Width, Height: p.Original.Height, AppointmentID: p.AppointmentID,
		UploadedBy: byWhom(p.ByStaff), CreatedAt: p.CreatedAt.UTC(),
		Sizes: map[string]photoSizeJSON{
			string(card.SizeOriginal): size(p.Original), string(card.SizeMedium): size(p.Medium),
			string(card.SizeThumb): size(p.Thumb),
		},
	}
}

// maxFormOverhead is what a photo upload's body may hold besides the file:
// the other fields and the multipart framing.
const maxFormOverhead = 64 << 10

// maxFormField caps each text field of the form.
const maxFormField = 256

// readPhotoForm reads an upload: multipart/form-data with the parts file,
// kind, area and optionally taken_at and appointment_id, in any order.
// The file is read into memory (it is decoded from there anyway), never to
// a temporary file: the raw upload, GPS and all, does not touch the disk.
// The body is capped while it streams (413 beyond the card's size cap).
func readPhotoForm(w http.ResponseWriter, r *http.Request, maxBytes int64) (card.PhotoUpload, error) {
	var in card.PhotoUpload
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return in, errNotMultipart
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes+maxFormOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, errMalformedForm
	}
	tooLarge := func(err error) bool {
		_, ok := errors.AsType[*http.MaxBytesError](err)
		return ok
	}
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if tooLarge(err) {
				return in, card.ErrTooLarge
			}
			return in, errMalformedForm
		}
		name := part.FormName()
		if seen[name] {
			return in, &fieldError{field: name, err: errMalformedForm}
		}
		seen[name] = true
		if name == "file" {
			buf := new(bytes.Buffer)
			if r.ContentLength > 0 {
				buf.Grow(int(min(r.ContentLength, maxBytes+1)) + bytes.MinRead)
			}
			n, err := buf.ReadFrom(io.LimitReader(part, maxBytes+1))
			switch {
			case tooLarge(err) || n > maxBytes:
				return in, card.ErrTooLarge
			case err != nil:
				return in, &fieldError{field: "file", err: errMalformedForm}
			}
			in.File = buf
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
		if err != nil {
			if tooLarge(err) {
				return in, card.ErrTooLarge
			}
			return in, &fieldError{field: name, err: errMalformedForm}
		}
		if len(raw) > maxFormField {
			return in, &fieldError{field: name, err: errMalformedForm}
		}
		v := string(raw)
		switch name {
		case "kind":
			in.Kind = card.PhotoKind(v)
		case "area":
			in.Area = card.PhotoArea(v)
		case "appointment_id":
			in.AppointmentID = v
		case "taken_at":
			if v != "" {
				if in.TakenOn, err = booking.ParseDate(v); err != nil {
					return in, &fieldError{field: "taken_at", err: errMalformedParam}
				}
			}
		default:
			return in, &fieldError{field: name, err: errUnknownField}
		}
	}
	return in, nil
}

// photoUpload: POST /api/v1/me/photos, POST /api/v1/staff/clients/{id}/photos.
func (s *server) photoUpload(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		in, err := readPhotoForm(w, r, s.card.Config().MaxPhotoBytes)
		if err != nil {
			return err
		}
		p, err := s.card.UploadPhoto(r.Context(), actor, clientID, in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, toPhotoJSON(p))
		return nil
	}
}

// optionalDate reads an optional YYYY-MM-DD query parameter.
func optionalDate(r *http.Request, field string) (booking.Date, error) {
	v := r.URL.Query().Get(field)
	if v == "" {
		return booking.Date{}, nil
	}
	return parseDateParam(v, field)
}

// photoList: GET /api/v1/me/photos[?kind=&area=&appointment_id=&from=&to=],
// newest first.
func (s *server) photoList(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		f := card.PhotoFilter{Kind: card.PhotoKind(q.Get("kind")), Area: card.PhotoArea(q.Get("area")), Descending: true}
		if id := q.Get("appointment_id"); id != "" {
			f.AppointmentIDs = []string{id}
		}
		if f.From, err = optionalDate(r, "from"); err != nil {
			return err
		}
		if f.To, err = optionalDate(r, "to"); err != nil {
			return err
		}
		list, err := s.card.Photos(r.Context(), actor, clientID, f)
		if err != nil {
			return err
		}
		out := make([]photoJSON, 0, len(list))
		for _, p := range list {
			out = append(out, toPhotoJSON(p))
		}
		writeJSON(w, http.StatusOK, map[string]any{"photos": out})
		return nil
	}
}

type photoPairJSON struct {
	Area   string     `json:"area"`
	Before *photoJSON `json:"before"`
	After  *photoJSON `json:"after"`
}

func toPhotoPairsJSON(pairs []card.PhotoPair) []photoPairJSON {
	out := make([]photoPairJSON, 0, len(pairs))
	for _, p := range pairs {
		pj := photoPairJSON{Area: string(p.Area)}
		if p.Before != nil {
			b := toPhotoJSON(*p.Before)
			pj.Before = &b
		}
		if p.After != nil {
			a := toPhotoJSON(*p.After)
			pj.After = &a
		}
		out = append(out, pj)
	}
	return out
}

// photoPairs: GET /api/v1/me/photos/pairs?appointment_id= or ?plan_id=.
func (s *server) photoPairs(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		pairs, err := s.card.PhotoPairs(r.Context(), actor, clientID,
			card.PairScope{AppointmentID: q.Get("appointment_id"), PlanID: q.Get("plan_id")})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"pairs": toPhotoPairsJSON(pairs)})
		return nil
	}
}

// photoImage: GET /api/v1/me/photos/{id}/image?size=original|medium|thumb
// and the staff route: the JPEG bytes, never cached, never sniffed, shown
// inline under a name made only of the photo's ID and size.
func (s *server) photoImage(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		photoID := r.PathValue("id")
		if staff {
			photoID = r.PathValue("photo")
		}
		size := card.PhotoSize(r.URL.Query().Get("size"))
		p, f, rc, err := s.card.OpenPhoto(r.Context(), actor, clientID, photoID, size)
		if err != nil {
			return err
		}
		defer rc.Close()
		if size == "" {
			size = card.SizeOriginal
		}
		h := w.Header()
		h.Set("Content-Type", card.ContentType)
		h.Set("Content-Length", strconv.FormatInt(f.Bytes, 10))
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="photo-%s-%s.jpg"`, safeFileName(p.ID), size))
		w.WriteHeader(http.StatusOK)
		if _, err := io.Copy(w, rc); err != nil && r.Context().Err() == nil {
			// Too late for an error body: the status is sent. The client sees
			// a short body against Content-Length.
			s.log.WarnContext(r.Context(), "httpapi: photo not sent whole", "err", err)
		}
		return nil
	}
}

// safeFileName keeps letters, digits, '-' and '_' of s (at most 64).
func safeFileName(s string) string {
	out := make([]byte, 0, min(len(s), 64))
	for i := 0; i < len(s) && len(out) < 64; i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			out = append(out, c)
		}
	}
	return string(out)
}

// photoDelete: DELETE /api/v1/me/photos/{id}; its files go too.
func (s *server) photoDelete(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		if err := s.card.DeletePhoto(r.Context(), actor, clientID, r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// ---- the skin journal ------------------------------------------------------------

type journalInputJSON struct {
	Date     string         `json:"date"`
	Kind     string         `json:"kind"`
	Scores   map[string]int `json:"scores"`
	Notes    string         `json:"notes"`
	PhotoIDs []string       `json:"photo_ids"`
}

type journalEntryJSON struct {
	ID        string         `json:"id"`
	Date      string         `json:"date"`
	Kind      string         `json:"kind"` // self_assessment or assessment
	By        string         `json:"by"`   // client or staff: who assessed
	Scores    map[string]int `json:"scores"`
	Notes     string         `json:"notes"`
	PhotoIDs  []string       `json:"photo_ids"`
	CreatedAt time.Time      `json:"created_at"`
	AuthorID  string         `json:"author_id,omitempty"` // staff views only
}

func toJournalEntryJSON(e card.JournalEntry, staff bool) journalEntryJSON {
	out := journalEntryJSON{ID: e.ID, Date: e.Date.String(), Kind: string(e.Kind), By: byWhom(e.Kind == card.JournalAssessment), Scores: map[string]int{},
		Notes: e.Notes, PhotoIDs: e.PhotoIDs, CreatedAt: e.CreatedAt.UTC()}
	for k, v := range e.Scores {
		out.Scores[string(k)] = v
	}
	if out.PhotoIDs == nil {
		out.PhotoIDs = []string{}
	}
	if staff {
		out.AuthorID = e.AuthorID
	}
	return out
}

// journalAdd: POST /api/v1/me/skin/journal (a self-assessment) and
// POST /api/v1/staff/clients/{id}/skin/journal (an assessment).
func (s *server) journalAdd(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		var in journalInputJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		e := card.JournalEntry{Kind: card.JournalKind(in.Kind), Notes: in.Notes, PhotoIDs: in.PhotoIDs,
			Scores: make(map[card.ConcernCode]int, len(in.Scores))}
		if in.Date != "" {
			if e.Date, err = booking.ParseDate(in.Date); err != nil {
				return &fieldError{field: "date", err: errMalformedParam}
			}
		}
		for k, v := range in.Scores {
			e.Scores[card.ConcernCode(k)] = v
		}
		e, err = s.card.AddJournalEntry(r.Context(), actor, clientID, e)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, toJournalEntryJSON(e, staff))
		return nil
	}
}

// journalList: GET /api/v1/me/skin/journal[?from=&to=&kind=], newest first.
func (s *server) journalList(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		f := card.JournalFilter{Kind: card.JournalKind(r.URL.Query().Get("kind")), Descending: true}
		if f.From, err = optionalDate(r, "from"); err != nil {
			return err
		}
		if f.To, err = optionalDate(r, "to"); err != nil {
			return err
		}
		list, err := s.card.Journal(r.Context(), actor, clientID, f)
		if err != nil {
			return err
		}
		out := make([]journalEntryJSON, 0, len(list))
		for _, e := range list {
			out = append(out, toJournalEntryJSON(e, staff))
		}
		writeJSON(w, http.StatusOK, map[string]any{"entries": out})
		return nil
	}
}

type skinPointJSON struct {
	Date    string `json:"date"`
	Score   int    `json:"score"`
	EntryID string `json:"entry_id"`
}

type skinConcernJSON struct {
	Code           string          `json:"code"`
	SelfAssessment []skinPointJSON `json:"self_assessment"`
	Assessment     []skinPointJSON `json:"assessment"`
}

func toSkinConcernsJSON(trend []card.ConcernTrend) []skinConcernJSON {
	points := func(ps []card.ScorePoint) []skinPointJSON {
		out := make([]skinPointJSON, 0, len(ps))
		for _, p := range ps {
			out = append(out, skinPointJSON{Date: p.Date.String(), Score: p.Score, EntryID: p.EntryID})
		}
		return out
	}
	out := make([]skinConcernJSON, 0, len(trend))
	for _, t := range trend {
		out = append(out, skinConcernJSON{Code: string(t.Concern), SelfAssessment: points(t.Self), Assessment: points(t.Assessment)})
	}
	return out
}

// skinTrend: GET /api/v1/me/skin/trend[?from=&to=].
func (s *server) skinTrend(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		from, err := optionalDate(r, "from")
		if err != nil {
			return err
		}
		to, err := optionalDate(r, "to")
		if err != nil {
			return err
		}
		trend, err := s.card.SkinTrend(r.Context(), actor, clientID, from, to)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"concerns": toSkinConcernsJSON(trend)})
		return nil
	}
}

type skinNoteJSON struct {
	Date           string `json:"date"`
	Source         string `json:"source"` // assessment or visit
	SpecialistID   string `json:"specialist_id,omitempty"`
	SpecialistName string `json:"specialist_name,omitempty"`
	Text           string `json:"text"`
	EntryID        string `json:"entry_id,omitempty"`
	AppointmentID  string `json:"appointment_id,omitempty"`
}

type skinReportJSON struct {
	From        string            `json:"from"`
	To          string            `json:"to"`
	PlanID      string            `json:"plan_id,omitempty"`
	GeneratedAt time.Time         `json:"generated_at"`
	Pairs       []photoPairJSON   `json:"pairs"`
	Concerns    []skinConcernJSON `json:"concerns"`
	Notes       []skinNoteJSON    `json:"notes"`
}

// skinReport: GET /api/v1/me/skin/report?from=&to= or ?plan_id=.
func (s *server) skinReport(staff bool) photoHandler {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		q := card.ReportQuery{PlanID: r.URL.Query().Get("plan_id")}
		if q.From, err = optionalDate(r, "from"); err != nil {
			return err
		}
		if q.To, err = optionalDate(r, "to"); err != nil {
			return err
		}
		rep, err := s.card.SkinReport(r.Context(), actor, clientID, q)
		if err != nil {
			return err
		}
		out := skinReportJSON{From: rep.From.String(), To: rep.To.String(), PlanID: rep.PlanID,
			GeneratedAt: rep.GeneratedAt.UTC(), Pairs: toPhotoPairsJSON(rep.Pairs), Concerns: toSkinConcernsJSON(rep.Trend),
			Notes: make([]skinNoteJSON, 0, len(rep.Notes))}
		for _, n := range rep.Notes {
			out.Notes = append(out.Notes, skinNoteJSON{Date: n.Date.String(), Source: n.Source, SpecialistID: n.SpecialistID,
				SpecialistName: n.SpecialistName, Text: n.Text, EntryID: n.EntryID, AppointmentID: n.AppointmentID})
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}
