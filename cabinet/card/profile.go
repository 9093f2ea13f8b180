package card

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet-dev/kabinet/booking"
)

// The questionnaire ("анкета"): personal answers (name, date of birth,
// gender, language, preferred branch) and health answers (skin type,
// phototype, concerns, allergies, contraindications, home care). Every
// change is kept as a version holding the whole questionnaire after it, who
// made it (the client or staff) and when; the newest version is the
// questionnaire.
//
// Health answers are stored only while the client's health_data consent is
// given: a change that adds or changes one without it is refused with
// *ConsentError. Clearing a health answer needs no consent (it stores
// nothing), so a client who withdrew the consent can still remove what they
// had answered. Personal answers need no consent of their own: they are
// kept to provide the clinic's services, as the phone number of the account
// is; the personal_data consent is recorded and shown, not enforced.

// ProfileStore keeps questionnaires, their versions and consents. Versions
// and consent records are append-only.
type ProfileStore interface {
	// LatestProfile returns the client's newest questionnaire version, or
	// the zero ProfileVersion (Version 0) and nil when they never filled it
	// in. ErrNotFound: no such user.
	LatestProfile(ctx context.Context, clientID string) (ProfileVersion, error)
	// ProfileVersions lists the client's versions newest first: those with
	// a Version below before (0: from the newest), at most limit (1 … 1000;
	// a limit out of that range is an error). ErrNotFound: no such user.
	ProfileVersions(ctx context.Context, clientID string, before, limit int) ([]ProfileVersion, error)
	// AppendProfileVersion stores v, in one transaction that first checks:
	// that v.Version is exactly one more than the client's newest stored
	// version (1 for the first), else ErrVersionConflict; and that the
	// newest consent record of each type in requires is a grant, else a
	// *ConsentError for the first that is not. Nothing is stored when a
	// check fails. ErrNotFound: no such user (v.ClientID). v needs
	// ClientID, a positive Version, At and ChangedBy (else an error that is
	// none of these).
	AppendProfileVersion(ctx context.Context, v ProfileVersion, requires ...ConsentType) error

	// AppendConsent appends c to the client's consent records. c needs ID,
	// ClientID, Type, Source, RecordedBy and At. ErrNotFound: no such user.
	// A taken ID is an error (and stores nothing).
	AppendConsent(ctx context.Context, c Consent) error
	// Consents lists every consent record of the client, newest first: in
	// the order they were appended, latest first, whatever their At.
	// ErrNotFound: no such user.
	Consents(ctx context.Context, clientID string) ([]Consent, error)
	// CurrentConsent returns the newest record of the client's consent of
	// type t (given or withdrawn); ErrNotFound when there is none (or no
	// such user).
	CurrentConsent(ctx context.Context, clientID string, t ConsentType) (Consent, error)
}

// ErrVersionConflict is the store's answer to an AppendProfileVersion made
// from a stale version: another change was stored meanwhile. The Service
// reads the new version, applies the change again and retries.
var ErrVersionConflict = errors.New("card: the questionnaire changed meanwhile")

// SkinType is the client's skin type.
type SkinType string

// Skin types.
const (
	SkinNormal      SkinType = "normal"
	SkinDry         SkinType = "dry"
	SkinOily        SkinType = "oily"
	SkinCombination SkinType = "combination"
	SkinSensitive   SkinType = "sensitive"
)

// Gender is the client's gender, an optional answer.
type Gender string

// Genders.
const (
	GenderFemale Gender = "female"
	GenderMale   Gender = "male"
	GenderOther  Gender = "other"
)

// ConcernCode names a skin concern.
type ConcernCode string

// Skin concerns. More may be added; these stay.
const (
	ConcernAcne           ConcernCode = "acne"
	ConcernPostAcne       ConcernCode = "post_acne"
	ConcernPigmentation   ConcernCode = "pigmentation"
	ConcernRosacea        ConcernCode = "rosacea" // rosacea / couperose
	ConcernWrinkles       ConcernCode = "wrinkles"
	ConcernLossOfFirmness ConcernCode = "loss_of_firmness"
	ConcernDehydration    ConcernCode = "dehydration"
	ConcernEnlargedPores  ConcernCode = "enlarged_pores"
	ConcernDullness       ConcernCode = "dullness"
	ConcernSensitivity    ConcernCode = "sensitivity"
)

// Contraindication names a contraindication to procedures.
type Contraindication string

// Contraindications. More may be added; these stay.
const (
	ContraPregnancy      Contraindication = "pregnancy"
	ContraBreastfeeding  Contraindication = "breastfeeding"
	ContraIsotretinoin   Contraindication = "isotretinoin" // within the last 6 months
	ContraActiveHerpes   Contraindication = "active_herpes"
	ContraSkinInfection  Contraindication = "skin_infection"
	ContraSunburn        Contraindication = "sunburn" // recent
	ContraAnticoagulants Contraindication = "anticoagulants"
	ContraPacemaker      Contraindication = "pacemaker"
	ContraKeloidTendency Contraindication = "keloid_tendency"
)

// ConcernCodes are the known concern codes, in the questionnaire's order.
func ConcernCodes() []ConcernCode {
	return []ConcernCode{ConcernAcne, ConcernPostAcne, ConcernPigmentation, ConcernRosacea, ConcernWrinkles,
		ConcernLossOfFirmness, ConcernDehydration, ConcernEnlargedPores, ConcernDullness, ConcernSensitivity}
}

// Contraindications are the known contraindication codes, in the
// questionnaire's order.
func Contraindications() []Contraindication {
	return []Contraindication{ContraPregnancy, ContraBreastfeeding, ContraIsotretinoin, ContraActiveHerpes,
		ContraSkinInfection, ContraSunburn, ContraAnticoagulants, ContraPacemaker, ContraKeloidTendency}
}

// Concern is one skin concern with its severity, 1 (mild) to 3 (marked).
type Concern struct {
	Code     ConcernCode
	Severity int
}

// Profile is the questionnaire. Empty values are unanswered. A nil list is
// unanswered, while an empty non-nil list is the answer "none" (no known
// allergies, no contraindications): a specialist must tell the two apart.
type Profile struct {
	// Personal answers.
	Name              string
	BirthDate         booking.Date // zero: unanswered
	Gender            Gender
	Locale            string // "ru" or "en": the language of the cabinet and of messages
	PreferredBranchID string

	// Health answers: stored only with the health_data consent.
	SkinType          SkinType
	Phototype         int // Fitzpatrick I–VI as 1–6; 0: unanswered
	Concerns          []Concern
	Allergies         []string
	Contraindications []Contraindication
	HomeCare          []string // current home-care products
}

// HasHealthAnswers reports whether any health answer is given.
func (p Profile) HasHealthAnswers() bool {
	return p.SkinType != "" || p.Phototype != 0 || p.Concerns != nil || p.Allergies != nil ||
		p.Contraindications != nil || p.HomeCare != nil
}

// Completeness is the share of the questionnaire answered, in percent (a
// multiple of 10): name, date of birth, language, preferred branch, skin
// type, phototype, concerns, allergies, contraindications and home care
// count; gender, which is optional, does not. "None" counts as an answer.
func (p Profile) Completeness() int {
	n := 0
	for _, answered := range []bool{p.Name != "", !p.BirthDate.IsZero(), p.Locale != "", p.PreferredBranchID != "",
		p.SkinType != "", p.Phototype != 0, p.Concerns != nil, p.Allergies != nil, p.Contraindications != nil,
		p.HomeCare != nil} {
		if answered {
			n++
		}
	}
	return n * 10
}

// ProfileVersion is the questionnaire after one change.
type ProfileVersion struct {
	ClientID  string
	Version   int // 1, 2, … per client; 0: never filled in
	At        time.Time
	ChangedBy string // the user who made the change
	ByStaff   bool   // the change was made by staff, not by the client
	Profile   Profile
}

// ProfileChange changes a questionnaire: a nil field stays as it is; a
// field set to its zero value (a pointer to "", to 0, to the zero Date, to
// a nil list) clears the answer; a pointer to an empty non-nil list answers
// "none".
type ProfileChange struct {
	Name              *string
	BirthDate         *booking.Date
	Gender            *Gender
	Locale            *string
	PreferredBranchID *string

	SkinType          *SkinType
	Phototype         *int
	Concerns          *[]Concern
	Allergies         *[]string
	Contraindications *[]Contraindication
	HomeCare          *[]string
}

// Limits of the questionnaire's free text.
const (
	MaxNameLength     = 100 // characters
	MaxListItems      = 30  // allergies, home-care products
	MaxAllergyLength  = 100
	MaxHomeCareLength = 200
)

// maxVersionAttempts bounds how often UpdateProfile retries after another
// change was stored meanwhile. Each conflict means someone else's change
// went in, so this is never reached but under a storm of changes to one
// questionnaire.
const maxVersionAttempts = 1000

// Profile returns the client's questionnaire: the newest version, or the
// zero ProfileVersion (Version 0, every answer empty) when it was never
// filled in. Staff reads are audited.
//
// Errors: ErrNotFound (no such client, or not one the actor may see).
func (s *Service) Profile(ctx context.Context, actor Actor, clientID string) (ProfileVersion, error) {
	if err := s.authorize(ctx, actor, clientID, "profile", false); err != nil {
		return ProfileVersion{}, err
	}
	v, err := s.cfg.Store.LatestProfile(ctx, clientID)
	if err != nil {
		return ProfileVersion{}, err
	}
	v.ClientID = clientID
	return v, nil
}

// UpdateProfile applies ch to the client's questionnaire and stores the
// result as a new version, made by actor (a client, or staff entering the
// answers). A change that changes nothing stores no version and returns the
// current one. Concurrent changes all go in, one version each, each applied
// to the version before it.
//
// Errors: ErrNotFound; *ValidationError (the field named: an unknown code,
// a value out of range, a date of birth in the future or before 1900, a
// text too long or with control characters, a concern or contraindication
// given twice, an unknown branch); *ConsentError (ConsentHealthData) when
// the change adds or changes a health answer and the client's health_data
// consent is not given — staff entering answers need the client's consent
// too.
func (s *Service) UpdateProfile(ctx context.Context, actor Actor, clientID string, ch ProfileChange) (ProfileVersion, error) {
	if err := s.authorize(ctx, actor, clientID, "profile", true); err != nil {
		return ProfileVersion{}, err
	}
	if err := s.checkChange(ctx, &ch); err != nil {
		return ProfileVersion{}, err
	}
	for attempt := 1; ; attempt++ {
		cur, err := s.cfg.Store.LatestProfile(ctx, clientID)
		if err != nil {
			return ProfileVersion{}, err
		}
		cur.ClientID = clientID
		next := cur.Profile.apply(ch)
		if reflect.DeepEqual(next, cur.Profile) {
			return cur, nil
		}
		var requires []ConsentType
		if addsHealth(cur.Profile, next) {
			// A clear error before the write; the store checks again in the
			// write's transaction, so a withdrawal meanwhile still wins.
			if err := s.requireConsent(ctx, clientID, ConsentHealthData); err != nil {
				return ProfileVersion{}, err
			}
			requires = []ConsentType{ConsentHealthData}
		}
		v := ProfileVersion{ClientID: clientID, Version: cur.Version + 1, At: s.now(), ChangedBy: actor.UserID,
			ByStaff: actor.Staff(), Profile: next}
		err = s.cfg.Store.AppendProfileVersion(ctx, v, requires...)
		switch {
		case err == nil:
			return v, nil
		case errors.Is(err, ErrVersionConflict) && attempt < maxVersionAttempts && ctx.Err() == nil:
			continue
		}
		return ProfileVersion{}, err
	}
}

// Paging of the questionnaire's history.
const (
	DefaultHistoryPage = 20
	MaxHistoryPage     = 100
)

// ProfileHistory lists the client's questionnaire versions newest first,
// those below version before (0: from the newest), at most limit (0: the
// default, 20; at most 100). Staff reads are audited.
//
// Errors: ErrNotFound; *ValidationError (limit, before).
func (s *Service) ProfileHistory(ctx context.Context, actor Actor, clientID string, before, limit int) ([]ProfileVersion, error) {
	if err := s.authorize(ctx, actor, clientID, "profile history", false); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = DefaultHistoryPage
	}
	if limit < 1 || limit > MaxHistoryPage {
		return nil, invalid("limit", fmt.Sprintf("limit must be a number from 1 to %d.", MaxHistoryPage),
			fmt.Sprintf("limit должен быть числом от 1 до %d.", MaxHistoryPage))
	}
	if before < 0 {
		return nil, invalid("before", "before must be a version number.", "before должен быть номером версии.")
	}
	list, err := s.cfg.Store.ProfileVersions(ctx, clientID, before, limit)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].ClientID = clientID
	}
	return list, nil
}

// Summary is the short view of a card: who the client is, how much of the
// questionnaire is answered and which consents are given.
type Summary struct {
	Name         string
	SkinType     SkinType
	Completeness int           // percent, see Profile.Completeness
	Consents     []ConsentType // given now, in the order of ConsentTypes
	Version      int           // of the questionnaire; 0: never filled in
	UpdatedAt    time.Time     // of the questionnaire; zero: never
}

// Summary returns the short view of the client's card (for GET /me and
// staff lists). Staff reads are audited.
//
// Errors: ErrNotFound.
func (s *Service) Summary(ctx context.Context, actor Actor, clientID string) (Summary, error) {
	if err := s.authorize(ctx, actor, clientID, "summary", false); err != nil {
		return Summary{}, err
	}
	v, err := s.cfg.Store.LatestProfile(ctx, clientID)
	if err != nil {
		return Summary{}, err
	}
	records, err := s.cfg.Store.Consents(ctx, clientID)
	if err != nil {
		return Summary{}, err
	}
	out := Summary{Name: v.Profile.Name, SkinType: v.Profile.SkinType, Completeness: v.Profile.Completeness(),
		Consents: []ConsentType{}, Version: v.Version, UpdatedAt: v.At}
	for _, st := range consentStates(records) {
		if st.Granted() {
			out.Consents = append(out.Consents, st.Type)
		}
	}
	return out, nil
}

// apply returns p with ch applied; lists are copied, never shared.
func (p Profile) apply(ch ProfileChange) Profile {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, ch.Name)
	set(&p.Locale, ch.Locale)
	set(&p.PreferredBranchID, ch.PreferredBranchID)
	if ch.BirthDate != nil {
		p.BirthDate = *ch.BirthDate
	}
	if ch.Gender != nil {
		p.Gender = *ch.Gender
	}
	if ch.SkinType != nil {
		p.SkinType = *ch.SkinType
	}
	if ch.Phototype != nil {
		p.Phototype = *ch.Phototype
	}
	if ch.Concerns != nil {
		p.Concerns = slices.Clone(*ch.Concerns)
	}
	if ch.Allergies != nil {
		p.Allergies = slices.Clone(*ch.Allergies)
	}
	if ch.Contraindications != nil {
		p.Contraindications = slices.Clone(*ch.Contraindications)
	}
	if ch.HomeCare != nil {
		p.HomeCare = slices.Clone(*ch.HomeCare)
	}
	return p
}

// addsHealth reports whether next gives a health answer that cur did not
// have (a new or changed value; clearing one is not).
func addsHealth(cur, next Profile) bool {
	changed := func(a, b any, cleared bool) bool { return !cleared && !reflect.DeepEqual(a, b) }
	return changed(cur.SkinType, next.SkinType, next.SkinType == "") ||
		changed(cur.Phototype, next.Phototype, next.Phototype == 0) ||
		changed(cur.Concerns, next.Concerns, next.Concerns == nil) ||
		changed(cur.Allergies, next.Allergies, next.Allergies == nil) ||
		changed(cur.Contraindications, next.Contraindications, next.Contraindications == nil) ||
		changed(cur.HomeCare, next.HomeCare, next.HomeCare == nil)
}

// checkChange validates ch and normalises it in place (trimmed texts).
func (s *Service) checkChange(ctx context.Context, ch *ProfileChange) error {
	if ch.Name != nil {
		name := strings.TrimSpace(*ch.Name)
		if err := checkText("name", name, MaxNameLength, "Name", "Имя"); err != nil {
			return err
		}
		ch.Name = &name
	}
	if d := ch.BirthDate; d != nil && !d.IsZero() {
		// The latest calendar day anywhere on Earth (UTC+14) is still "today".
		today := booking.DateOf(s.now().Add(14*time.Hour), time.UTC)
		switch {
		case d.Before(booking.Date{Year: 1900, Month: time.January, Day: 1}):
			return invalid("birth_date", "The date of birth cannot be before 1900.", "Дата рождения не может быть раньше 1900 года.")
		case today.Before(*d):
			return invalid("birth_date", "The date of birth cannot be in the future.", "Дата рождения не может быть в будущем.")
		}
	}
	if g := ch.Gender; g != nil && *g != "" && *g != GenderFemale && *g != GenderMale && *g != GenderOther {
		return invalid("gender", `gender must be "female", "male" or "other".`, `Пол: допустимо "female", "male" или "other".`)
	}
	if l := ch.Locale; l != nil && *l != "" && *l != "ru" && *l != "en" {
		return invalid("locale", `locale must be "ru" or "en".`, `Язык: допустимо "ru" или "en".`)
	}
	if b := ch.PreferredBranchID; b != nil && *b != "" {
		br, err := s.cfg.Booking.Store().BranchByID(ctx, *b)
		if errors.Is(err, booking.ErrNotFound) || err == nil && !br.Active {
			return invalid("preferred_branch_id", "There is no such branch.", "Такого филиала нет.")
		} else if err != nil {
			return err
		}
	}
	if t := ch.SkinType; t != nil && *t != "" && !slices.Contains([]SkinType{SkinNormal, SkinDry, SkinOily, SkinCombination, SkinSensitive}, *t) {
		return invalid("skin_type", "skin_type must be normal, dry, oily, combination or sensitive.",
			"Тип кожи: допустимо normal, dry, oily, combination или sensitive.")
	}
	if p := ch.Phototype; p != nil && (*p < 0 || *p > 6) {
		return invalid("phototype", "The phototype must be a number from 1 to 6.", "Фототип должен быть числом от 1 до 6.")
	}
	if c := ch.Concerns; c != nil {
		seen := map[ConcernCode]bool{}
		for i, con := range *c {
			field := fmt.Sprintf("concerns[%d]", i)
			switch {
			case !slices.Contains(ConcernCodes(), con.Code):
				return invalid(field+".code", "Unknown skin concern: see the list of codes.",
					"Такой проблемы кожи нет в списке.")
			case seen[con.Code]:
				return invalid(field+".code", "This skin concern is given twice.",
					"Эта проблема кожи указана дважды.")
			case con.Severity < 1 || con.Severity > 3:
				return invalid(field+".severity", "The severity must be 1, 2 or 3.", "Выраженность должна быть 1, 2 или 3.")
			}
			seen[con.Code] = true
		}
	}
	if c := ch.Contraindications; c != nil {
		seen := map[Contraindication]bool{}
		for i, code := range *c {
			field := fmt.Sprintf("contraindications[%d]", i)
			switch {
			case !slices.Contains(Contraindications(), code):
				return invalid(field, "Unknown contraindication: see the list of codes.", "Такого противопоказания нет в списке.")
			case seen[code]:
				return invalid(field, "This contraindication is given twice.", "Это противопоказание указано дважды.")
			}
			seen[code] = true
		}
	}
	for _, l := range []struct {
		field    string
		list     **[]string
		max      int
		what, ru string
	}{
		{"allergies", &ch.Allergies, MaxAllergyLength, "An allergy", "Аллергия"},
		{"home_care", &ch.HomeCare, MaxHomeCareLength, "A home-care product", "Средство домашнего ухода"},
	} {
		if *l.list == nil || **l.list == nil {
			continue
		}
		if len(**l.list) > MaxListItems {
			return invalid(l.field, fmt.Sprintf("At most %d items.", MaxListItems), fmt.Sprintf("Не больше %d пунктов.", MaxListItems))
		}
		out := make([]string, 0, len(**l.list))
		for i, item := range **l.list {
			field := fmt.Sprintf("%s[%d]", l.field, i)
			item = strings.TrimSpace(item)
			if item == "" {
				return invalid(field, l.what+" cannot be empty.", l.ru+": пустое значение.")
			}
			if err := checkText(field, item, l.max, l.what, l.ru); err != nil {
				return err
			}
			if slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, item) }) {
				return invalid(field, l.what+" is given twice.", l.ru+": указано дважды.")
			}
			out = append(out, item)
		}
		*l.list = &out // a copy: the caller's list stays as it was
	}
	return nil
}

// checkText refuses invalid UTF-8, control characters and texts longer
// than max characters.
func checkText(field, s string, max int, what, ru string) error {
	switch {
	case !cleanText(s):
		return invalid(field, what+" contains characters that are not allowed.", ru+": недопустимые символы.")
	case utf8.RuneCountInString(s) > max:
		return invalid(field, fmt.Sprintf("%s is too long: at most %d characters.", what, max),
			fmt.Sprintf("%s: слишком длинно, не больше %d символов.", ru, max))
	}
	return nil
}

// cleanText reports whether s is valid UTF-8 without control characters,
// bidirectional overrides among them (they make a name read differently on
// a staff screen than it is stored).
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
	})
}
