package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// profileRoutes are the card's questionnaire and consent endpoints: the
// client's own under /me, and the same card for staff under
// /staff/clients/{id} (card.Service.authorize decides who may see it, and
// records every staff access).
func (s *server) profileRoutes() []route {
	return []route{
		{"GET /api/v1/me/profile", s.authed(s.profileGet(false))},
		{"PUT /api/v1/me/profile", s.authed(s.profilePut(false))},
		{"GET /api/v1/me/profile/history", s.authed(s.profileHistory(false))},
		{"GET /api/v1/me/consents", s.authed(s.consentsGet(false))},
		{"POST /api/v1/me/consents", s.authed(s.consentPost(false))},
		{"GET /api/v1/staff/clients/{id}/profile", s.authed(s.profileGet(true))},
		{"PUT /api/v1/staff/clients/{id}/profile", s.authed(s.profilePut(true))},
		{"GET /api/v1/staff/clients/{id}/profile/history", s.authed(s.profileHistory(true))},
		{"GET /api/v1/staff/clients/{id}/consents", s.authed(s.consentsGet(true))},
		{"POST /api/v1/staff/clients/{id}/consents", s.authed(s.consentPost(true))},
		{"GET /api/v1/consent-texts", s.handle(s.consentTexts)},
	}
}

type textJSON struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

type consentTextJSON struct {
	Type       card.ConsentType `json:"type"`
	Version    string           `json:"version"`
	Title      textJSON         `json:"title"`
	Paragraphs []textJSON       `json:"paragraphs"`
}

// consentTexts: GET /api/v1/consent-texts — what a client agrees to, per
// consent type, with the version to send back with the grant. Public: a
// text is read before anyone signs in.
func (s *server) consentTexts(w http.ResponseWriter, r *http.Request) error {
	out := []consentTextJSON{}
	for _, ct := range s.card.ConsentTexts() {
		x := consentTextJSON{Type: ct.Type, Version: ct.Version, Title: textJSON{RU: ct.Title.RU, EN: ct.Title.EN}}
		for _, p := range ct.Paragraphs {
			x.Paragraphs = append(x.Paragraphs, textJSON{RU: p.RU, EN: p.EN})
		}
		out = append(out, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"texts": out})
	return nil
}

// cardTarget is the actor of a card request and whose card it is: the
// caller's own on /me routes, the {id} of the path on /staff routes.
func (s *server) cardTarget(r *http.Request, who auth.Identity, staff bool) (card.Actor, string, error) {
	actor, err := s.cardActor(r, who, staff)
	if err != nil {
		return card.Actor{}, "", err
	}
	if staff {
		return actor, r.PathValue("id"), nil
	}
	return actor, who.User.ID, nil
}

// ---- the questionnaire ---------------------------------------------------------

// profileAnswersJSON is the questionnaire on the wire. Unanswered: "" for
// texts, null for birth_date and phototype, null for lists ([] is the
// answer "none").
type profileAnswersJSON struct {
	Name              string               `json:"name"`
	BirthDate         *string              `json:"birth_date"`
	Gender            string               `json:"gender"`
	Locale            string               `json:"locale"`
	PreferredBranchID string               `json:"preferred_branch_id"`
	SkinType          string               `json:"skin_type"`
	Phototype         *int                 `json:"phototype"`
	Concerns          []profileConcernJSON `json:"concerns"`
	Allergies         []string             `json:"allergies"`
	Contraindications []string             `json:"contraindications"`
	HomeCare          []string             `json:"home_care"`
}

type profileConcernJSON struct {
	Code     string `json:"code"`
	Severity int    `json:"severity"`
}

// profileJSON is the questionnaire with its version.
type profileJSON struct {
	profileAnswersJSON
	Version   int        `json:"version"`    // 0: never filled in
	UpdatedAt *time.Time `json:"updated_at"` // null: never
	UpdatedBy *string    `json:"updated_by"` // "client" or "staff"; null: never
	ClientID  string     `json:"client_id,omitempty"`
}

// profileVersionJSON is one version of the history.
type profileVersionJSON struct {
	Version   int                `json:"version"`
	At        time.Time          `json:"at"`
	By        string             `json:"by"`                   // "client" or "staff"
	ChangedBy string             `json:"changed_by,omitempty"` // the user, on staff routes
	Profile   profileAnswersJSON `json:"profile"`
}

// profileList maps a list keeping null (unanswered) apart from [] (none).
func profileList[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func toProfileAnswersJSON(p card.Profile) profileAnswersJSON {
	out := profileAnswersJSON{
		Name: p.Name, Gender: string(p.Gender), Locale: p.Locale, PreferredBranchID: p.PreferredBranchID,
		SkinType: string(p.SkinType),
		Concerns: profileList(p.Concerns, func(c card.Concern) profileConcernJSON {
			return profileConcernJSON{Code: string(c.Code), Severity: c.Severity}
		}),
		Allergies:         profileList(p.Allergies, func(s string) string { return s }),
		Contraindications: profileList(p.Contraindications, func(c card.Contraindication) string { return string(c) }),
		HomeCare:          profileList(p.HomeCare, func(s string) string { return s }),
	}
	if !p.BirthDate.IsZero() {
		d := p.BirthDate.String()
		out.BirthDate = &d
	}
	if p.Phototype != 0 {
		n := p.Phototype
		out.Phototype = &n
	}
	return out
}

func byWhom(staff bool) string {
	if staff {
		return "staff"
	}
	return "client"
}

func toProfileJSON(v card.ProfileVersion, staff bool) profileJSON {
	out := profileJSON{profileAnswersJSON: toProfileAnswersJSON(v.Profile), Version: v.Version}
	if v.Version > 0 {
		at, by := v.At.UTC(), byWhom(v.ByStaff)
		out.UpdatedAt, out.UpdatedBy = &at, &by
	}
	if staff {
		out.ClientID = v.ClientID
	}
	return out
}

// profileGet: GET /api/v1/me/profile, GET /api/v1/staff/clients/{id}/profile.
func (s *server) profileGet(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		v, err := s.card.Profile(r.Context(), actor, clientID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, toProfileJSON(v, staff))
		return nil
	}
}

// profileChangeJSON is a PUT body: each field is kept raw to tell an absent
// field (unchanged) from null (cleared).
type profileChangeJSON struct {
	Name              json.RawMessage `json:"name"`
	BirthDate         json.RawMessage `json:"birth_date"`
	Gender            json.RawMessage `json:"gender"`
	Locale            json.RawMessage `json:"locale"`
	PreferredBranchID json.RawMessage `json:"preferred_branch_id"`
	SkinType          json.RawMessage `json:"skin_type"`
	Phototype         json.RawMessage `json:"phototype"`
	Concerns          json.RawMessage `json:"concerns"`
	Allergies         json.RawMessage `json:"allergies"`
	Contraindications json.RawMessage `json:"contraindications"`
	HomeCare          json.RawMessage `json:"home_care"`
}

// profileField decodes one field of a PUT body: nil when absent, a pointer
// to the zero value for null, else the value. A value of the wrong shape
// is a fieldError naming the field (and the part of it, for concerns).
func profileField[T any](raw json.RawMessage, field string) (*T, error) {
	if raw == nil {
		return nil, nil
	}
	var v T
	if string(bytes.TrimSpace(raw)) == "null" {
		return &v, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		err = jsonError(err)
		if fe, ok := errors.AsType[*fieldError](err); ok {
			name := field
			if fe.field != "" {
				name += "." + fe.field
			}
			return nil, &fieldError{field: name, err: fe.err}
		}
		if errors.Is(err, errMalformedJSON) {
			return nil, &fieldError{field: field, err: errWrongType}
		}
		return nil, err
	}
	return &v, nil
}

// toProfileChange reads a PUT body into the domain's change.
func toProfileChange(in profileChangeJSON) (card.ProfileChange, error) {
	var ch card.ProfileChange
	var err error
	str := func(raw json.RawMessage, field string) *string {
		if err != nil {
			return nil
		}
		var v *string
		v, err = profileField[string](raw, field)
		return v
	}
	strList := func(raw json.RawMessage, field string) *[]string {
		if err != nil {
			return nil
		}
		var v *[]string
		v, err = profileField[[]string](raw, field)
		return v
	}
	ch.Name = str(in.Name, "name")
	birth := str(in.BirthDate, "birth_date")
	gender := str(in.Gender, "gender")
	ch.Locale = str(in.Locale, "locale")
	ch.PreferredBranchID = str(in.PreferredBranchID, "preferred_branch_id")
	skin := str(in.SkinType, "skin_type")
	contra := strList(in.Contraindications, "contraindications")
	ch.Allergies = strList(in.Allergies, "allergies")
	ch.HomeCare = strList(in.HomeCare, "home_care")
	if err != nil {
		return ch, err
	}
	if ch.Phototype, err = profileField[int](in.Phototype, "phototype"); err != nil {
		return ch, err
	}
	concerns, err := profileField[[]profileConcernJSON](in.Concerns, "concerns")
	if err != nil {
		return ch, err
	}
	if birth != nil {
		d := booking.Date{}
		if *birth != "" {
			if d, err = booking.ParseDate(*birth); err != nil {
				return ch, &card.ValidationError{Field: "birth_date", Message: "The date of birth must be a date YYYY-MM-DD.",
					MessageRU: "Дата рождения должна быть в формате ГГГГ-ММ-ДД."}
			}
		}
		ch.BirthDate = &d
	}
	if gender != nil {
		g := card.Gender(*gender)
		ch.Gender = &g
	}
	if skin != nil {
		t := card.SkinType(*skin)
		ch.SkinType = &t
	}
	if concerns != nil {
		list := profileList(*concerns, func(c profileConcernJSON) card.Concern {
			return card.Concern{Code: card.ConcernCode(c.Code), Severity: c.Severity}
		})
		ch.Concerns = &list
	}
	if contra != nil {
		list := profileList(*contra, func(c string) card.Contraindication { return card.Contraindication(c) })
		ch.Contraindications = &list
	}
	return ch, nil
}

// profilePut: PUT /api/v1/me/profile, PUT /api/v1/staff/clients/{id}/profile.
// Fields present replace the answer (null clears it), absent ones stay.
func (s *server) profilePut(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		var in profileChangeJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		ch, err := toProfileChange(in)
		if err != nil {
			return err
		}
		v, err := s.card.UpdateProfile(r.Context(), actor, clientID, ch)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, toProfileJSON(v, staff))
		return nil
	}
}

// profileHistory: GET /api/v1/me/profile/history?before=&limit=, and the
// staff route. next.before is the before of the next (older) page.
func (s *server) profileHistory(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		var before, limit int
		if v := q.Get("limit"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
				return &card.ValidationError{Field: "limit", Message: "limit must be a number from 1 to 100.",
					MessageRU: "limit должен быть числом от 1 до 100."}
			}
		}
		if v := q.Get("before"); v != "" {
			if before, err = strconv.Atoi(v); err != nil || before < 1 {
				return &card.ValidationError{Field: "before", Message: "before must be a version number.",
					MessageRU: "before должен быть номером версии."}
			}
		}
		list, err := s.card.ProfileHistory(r.Context(), actor, clientID, before, limit)
		if err != nil {
			return err
		}
		out := struct {
			Versions []profileVersionJSON `json:"versions"`
			Next     *struct {
				Before int `json:"before"`
			} `json:"next,omitempty"`
		}{Versions: make([]profileVersionJSON, 0, len(list))}
		for _, v := range list {
			pv := profileVersionJSON{Version: v.Version, At: v.At.UTC(), By: byWhom(v.ByStaff), Profile: toProfileAnswersJSON(v.Profile)}
			if staff {
				pv.ChangedBy = v.ChangedBy
			}
			out.Versions = append(out.Versions, pv)
		}
		// Versions are numbered without gaps: older ones exist while the
		// oldest listed is not the first.
		if n := len(list); n > 0 && list[n-1].Version > 1 {
			out.Next = &struct {
				Before int `json:"before"`
			}{Before: list[n-1].Version}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// ---- consents ------------------------------------------------------------------

// cardConsentJSON is one consent record.
type cardConsentJSON struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	Granted     bool      `json:"granted"`
	TextVersion string    `json:"text_version"`
	Source      string    `json:"source"` // "cabinet" or "front_desk"
	At          time.Time `json:"at"`
	RecordedBy  string    `json:"recorded_by,omitempty"` // on staff routes
}

// cardConsentStateJSON is a consent type's current state (the fields of its
// newest record; absent when never asked) with its history.
type cardConsentStateJSON struct {
	Type        string            `json:"type"`
	Granted     bool              `json:"granted"`
	TextVersion string            `json:"text_version,omitempty"`
	Source      string            `json:"source,omitempty"`
	At          *time.Time        `json:"at,omitempty"`
	History     []cardConsentJSON `json:"history"`
}

func toCardConsentJSON(c card.Consent, staff bool) cardConsentJSON {
	out := cardConsentJSON{ID: c.ID, Type: string(c.Type), Granted: c.Granted, TextVersion: c.TextVersion,
		Source: string(c.Source), At: c.At.UTC()}
	if staff {
		out.RecordedBy = c.RecordedBy
	}
	return out
}

// consentsGet: GET /api/v1/me/consents, GET /api/v1/staff/clients/{id}/consents.
func (s *server) consentsGet(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		states, err := s.card.Consents(r.Context(), actor, clientID)
		if err != nil {
			return err
		}
		out := make([]cardConsentStateJSON, 0, len(states))
		for _, st := range states {
			js := cardConsentStateJSON{Type: string(st.Type), Granted: st.Granted(), History: make([]cardConsentJSON, 0, len(st.History))}
			if c := st.Current; c != nil {
				at := c.At.UTC()
				js.TextVersion, js.Source, js.At = c.TextVersion, string(c.Source), &at
			}
			for _, c := range st.History {
				js.History = append(js.History, toCardConsentJSON(c, staff))
			}
			out = append(out, js)
		}
		writeJSON(w, http.StatusOK, map[string]any{"consents": out})
		return nil
	}
}

type consentInputJSON struct {
	Type        string `json:"type"`
	Granted     *bool  `json:"granted"`
	TextVersion string `json:"text_version"`
}

// consentPost: POST /api/v1/me/consents (source "cabinet"),
// POST /api/v1/staff/clients/{id}/consents (source "front_desk").
func (s *server) consentPost(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, clientID, err := s.cardTarget(r, who, staff)
		if err != nil {
			return err
		}
		var in consentInputJSON
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if in.Granted == nil {
			return &card.ValidationError{Field: "granted", Message: "granted is required: true gives the consent, false withdraws it.",
				MessageRU: "Укажите granted: true — согласие дано, false — отозвано."}
		}
		c, err := s.card.RecordConsent(r.Context(), actor, clientID,
			card.ConsentInput{Type: card.ConsentType(in.Type), Granted: *in.Granted, TextVersion: in.TextVersion})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, toCardConsentJSON(c, staff))
		return nil
	}
}

// ---- the summary in GET /api/v1/me ---------------------------------------------

// profileSummaryJSON is the card's summary that GET /api/v1/me shows under
// "profile" (schema ProfileSummary).
type profileSummaryJSON struct {
	Name         string     `json:"name"`
	SkinType     string     `json:"skin_type"`
	Completeness int        `json:"completeness"` // percent
	Consents     []string   `json:"consents"`     // given now
	Version      int        `json:"version"`
	UpdatedAt    *time.Time `json:"updated_at"`
}

// profileSummary is the signed-in person's own card summary, for GET /me.
func (s *server) profileSummary(r *http.Request, who auth.Identity) (profileSummaryJSON, error) {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return profileSummaryJSON{}, err
	}
	sum, err := s.card.Summary(r.Context(), actor, who.User.ID)
	if err != nil {
		return profileSummaryJSON{}, err
	}
	out := profileSummaryJSON{Name: sum.Name, SkinType: string(sum.SkinType), Completeness: sum.Completeness,
		Consents: make([]string, 0, len(sum.Consents)), Version: sum.Version, UpdatedAt: optionalTime(sum.UpdatedAt)}
	for _, c := range sum.Consents {
		out.Consents = append(out.Consents, string(c))
	}
	return out, nil
}
