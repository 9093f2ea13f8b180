package card

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Consents: what the client agreed to (or withdrew), with the version of
// the text they were shown, when, and where it was recorded (the cabinet,
// or the front desk by staff). Records are append-only; the newest record
// of a type is the consent's current state.
//
// Withdrawing health_data or photos keeps what is stored but stops new
// health answers and photos (requireConsent); deleting that part of the
// card on withdrawal is offered with the erasure work. Withdrawing
// personal_data is recorded; it does not by itself delete the account (that
// is DELETE /api/v1/me). Marketing is kept in step with the notification
// settings through Config.OnMarketingConsent.

// ConsentType names what a client agreed to.
type ConsentType string

// The consents of the questionnaire.
const (
	ConsentPersonalData ConsentType = "personal_data"
	ConsentHealthData   ConsentType = "health_data"
	ConsentPhotos       ConsentType = "photos"
	ConsentMarketing    ConsentType = "marketing"
)

// ConsentTypes are the known consent types, in the order they are shown.
func ConsentTypes() []ConsentType {
	return []ConsentType{ConsentPersonalData, ConsentHealthData, ConsentPhotos, ConsentMarketing}
}

// Valid reports whether t is a known consent type.
func (t ConsentType) Valid() bool { return slices.Contains(ConsentTypes(), t) }

// ConsentSource is where a consent was recorded.
type ConsentSource string

// Sources of consents.
const (
	SourceCabinet   ConsentSource = "cabinet"    // by the client, in the cabinet
	SourceFrontDesk ConsentSource = "front_desk" // by staff, from the client's signed form
)

// Consent is one record: the client gave (Granted) or withdrew a consent.
type Consent struct {
	ID          string
	ClientID    string
	Type        ConsentType
	Granted     bool
	TextVersion string // the version of the consent text; may be empty for a withdrawal
	Source      ConsentSource
	RecordedBy  string // the user who recorded it: the client, or the member of staff
	At          time.Time
}

// ConsentState is the current state of one consent type with its history.
type ConsentState struct {
	Type    ConsentType
	Current *Consent  // the newest record; nil when never asked
	History []Consent // newest first; Current is History[0]
}

// Granted reports whether the consent is given now.
func (c ConsentState) Granted() bool { return c.Current != nil && c.Current.Granted }

// ConsentInput is a consent given or withdrawn.
type ConsentInput struct {
	Type        ConsentType
	Granted     bool
	TextVersion string // required when Granted
}

// MaxTextVersionLength caps ConsentInput.TextVersion.
const MaxTextVersionLength = 64

// RecordConsent appends a consent record for the client: by the client
// themself (source "cabinet") or by staff (source "front_desk", audited).
// A marketing consent is then passed to Config.OnMarketingConsent; if that
// fails, the record stays and the error is returned (recording it again is
// harmless).
//
// Errors: ErrNotFound; *ValidationError (type: unknown; text_version:
// missing for a grant, too long or with control characters).
func (s *Service) RecordConsent(ctx context.Context, actor Actor, clientID string, in ConsentInput) (Consent, error) {
	if err := s.authorize(ctx, actor, clientID, "consent "+safeType(in.Type), true); err != nil {
		return Consent{}, err
	}
	if !in.Type.Valid() {
		return Consent{}, invalid("type", "type must be personal_data, health_data, photos or marketing.",
			"Тип согласия: допустимо personal_data, health_data, photos или marketing.")
	}
	in.TextVersion = strings.TrimSpace(in.TextVersion)
	switch v := in.TextVersion; {
	case in.Granted && v == "":
		return Consent{}, invalid("text_version", "text_version is required: the version of the text the client agreed to.",
			"Укажите text_version — версию текста согласия.")
	case !cleanText(v):
		return Consent{}, invalid("text_version", "text_version contains characters that are not allowed.",
			"text_version содержит недопустимые символы.")
	case utf8.RuneCountInString(v) > MaxTextVersionLength:
		return Consent{}, invalid("text_version", fmt.Sprintf("text_version is too long: at most %d characters.", MaxTextVersionLength),
			fmt.Sprintf("text_version слишком длинный: не больше %d символов.", MaxTextVersionLength))
	}
	source := SourceCabinet
	if actor.Staff() {
		source = SourceFrontDesk
	}
	c := Consent{ID: s.cfg.NewID(), ClientID: clientID, Type: in.Type, Granted: in.Granted, TextVersion: in.TextVersion,
		Source: source, RecordedBy: actor.UserID, At: s.now()}
	if err := s.cfg.Store.AppendConsent(ctx, c); err != nil {
		return Consent{}, err
	}
	if c.Type == ConsentMarketing {
		if hook := s.cfg.OnMarketingConsent; hook != nil {
			if err := hook(ctx, clientID, c.Granted, string(c.Source), c.TextVersion); err != nil {
				return c, fmt.Errorf("card: marketing consent recorded, notification settings not updated: %w", err)
			}
		}
	}
	return c, nil
}

// NoteMarketingConsent records a marketing consent given or withdrawn
// elsewhere — in the notification settings — so that the card's records
// stay in step. It records nothing when the card's current state already
// agrees, and never calls Config.OnMarketingConsent (the change came from
// there). source is where it was given ("cabinet" for the settings page);
// version may be empty.
func (s *Service) NoteMarketingConsent(ctx context.Context, clientID string, granted bool, source ConsentSource, version string) error {
	cur, err := s.cfg.Store.CurrentConsent(ctx, clientID, ConsentMarketing)
	switch {
	case err == nil && cur.Granted == granted:
		return nil
	case errors.Is(err, ErrNotFound) && !granted:
		return nil // never given: nothing to withdraw
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	if source == "" {
		source = SourceCabinet
	}
	return s.cfg.Store.AppendConsent(ctx, Consent{ID: s.cfg.NewID(), ClientID: clientID, Type: ConsentMarketing,
		Granted: granted, TextVersion: version, Source: source, RecordedBy: clientID, At: s.now()})
}

// Consents returns the state of every known consent type of the client (in
// the order of ConsentTypes, then any other type found in the records),
// each with its history. Staff reads are audited.
//
// Errors: ErrNotFound.
func (s *Service) Consents(ctx context.Context, actor Actor, clientID string) ([]ConsentState, error) {
	if err := s.authorize(ctx, actor, clientID, "consents", false); err != nil {
		return nil, err
	}
	records, err := s.cfg.Store.Consents(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return consentStates(records), nil
}

// consentStates groups records (newest first) by type.
func consentStates(records []Consent) []ConsentState {
	types := ConsentTypes()
	for _, r := range records {
		if !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
	}
	out := make([]ConsentState, 0, len(types))
	for _, t := range types {
		st := ConsentState{Type: t, History: []Consent{}}
		for _, r := range records {
			if r.Type == t {
				st.History = append(st.History, r)
			}
		}
		if len(st.History) > 0 {
			st.Current = &st.History[0]
		}
		out = append(out, st)
	}
	return out
}

// requireConsent returns a *ConsentError unless the client's consent of
// type t is given now (its newest record is a grant).
func (s *Service) requireConsent(ctx context.Context, clientID string, t ConsentType) error {
	c, err := s.cfg.Store.CurrentConsent(ctx, clientID, t)
	switch {
	case errors.Is(err, ErrNotFound):
		return &ConsentError{Type: t}
	case err != nil:
		return err
	case !c.Granted:
		return &ConsentError{Type: t}
	}
	return nil
}

// safeType is t for the audit trail: a known type, or "unknown" (the value
// came from a request).
func safeType(t ConsentType) string {
	if t.Valid() {
		return string(t)
	}
	return "unknown"
}
