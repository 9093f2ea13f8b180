package recommend

import (
	"strings"
	"time"
)

// Kind is what a catalog item is.
type Kind string

// Kinds of items.
const (
	KindProcedure Kind = "procedure" // a service of the clinic
	KindProduct   Kind = "product"   // a cosmetic product the clinic sells
	KindHomeCare  Kind = "home_care" // a home-care step or programme
)

// Kinds are the known kinds, in the order of the constants.
func Kinds() []Kind { return []Kind{KindProcedure, KindProduct, KindHomeCare} }

// Text is a text in the two languages of the cabinet.
type Text struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// In returns the text in the locale: English for "en" and "en-…", Russian
// otherwise; the other language when that one is empty.
func (t Text) In(locale string) string {
	en := locale == "en" || strings.HasPrefix(locale, "en-") || strings.HasPrefix(locale, "en_")
	if en && t.EN != "" || t.RU == "" {
		return t.EN
	}
	return t.RU
}

// Facts are what the engine knows about one client. Codes are the
// questionnaire's: skin types (normal, dry, oily, combination, sensitive),
// concerns (acne, post_acne, pigmentation, rosacea, wrinkles,
// loss_of_firmness, dehydration, enlarged_pores, dullness, sensitivity) and
// contraindications (pregnancy, breastfeeding, isotretinoin, active_herpes,
// skin_infection, sunburn, anticoagulants, pacemaker, keloid_tendency). The
// engine matches codes as given; it does not check them against these lists,
// so codes added later work without a change here. Empty values are
// unknown, and a condition about an unknown value is false.
type Facts struct {
	SkinType   string
	Phototype  int        // Fitzpatrick I–VI as 1–6; 0: unknown
	Age        int        // full years; 0: unknown
	BirthMonth time.Month // 0: unknown

	Concerns          []Concern
	Contraindications []string
	Allergies         []string // free text, matched without regard to case

	// Scores are the latest skin-journal scores, one per concern.
	Scores []Score

	Procedures []Procedure // procedures done (completed visits), any order
	Plans      []Plan      // treatment plans (courses), active and completed
	Purchases  []Purchase  // products bought, any order
	Favorites  []string    // item IDs

	// OffersGiven are the offers the client already received, for the
	// offers' per-client limits.
	OffersGiven []OfferGiven

	// Now is the moment of the recommendation; its month (in Now's
	// location) and season drive month and season conditions. Zero: the
	// engine's clock (Config.Now).
	Now time.Time
}

// Concern is one of the client's skin concerns with its severity, 1 (mild)
// to 3 (marked); a severity below 1 counts as 1, above 3 as 3.
type Concern struct {
	Code     string
	Severity int
}

// Score is the latest skin-journal score of one concern, 0 (none) to 10
// (worst), and its trend: the change of the score per 30 days (positive:
// worsening, negative: improving; 0 when unknown).
type Score struct {
	Concern string
	Value   int
	Trend   float64
}

// Procedure is a procedure the client had. Category and Tags may both be
// left empty: the engine then takes them from the catalog item with ItemID.
type Procedure struct {
	ItemID   string
	Category string
	Tags     []string
	At       time.Time
}

// Plan is a treatment plan (a course of sessions of one service). It is
// active while Done < Total, completed once Done ≥ Total.
type Plan struct {
	ServiceID string
	Done      int // sessions completed
	Total     int // sessions planned
	// NextDue is the earliest suggested time of the next session (zero:
	// none); the session is due from Config.PlanDueAhead before it.
	NextDue time.Time
	// Booked: the next session is already booked, so it is not due.
	Booked bool
	// LastSession is when the latest session was completed; for a
	// completed plan, when it was completed.
	LastSession time.Time
}

// Purchase is a product the client bought. LastsDays is how long it lasts
// at the expected daily use (0: unknown). Category and Tags may both be
// left empty: the engine then takes them from the catalog item with ItemID.
type Purchase struct {
	ItemID    string
	Category  string
	Tags      []string
	At        time.Time
	LastsDays int
}

// OfferGiven is an offer the client received.
type OfferGiven struct {
	OfferID string
	At      time.Time
}

// Item is one entry of the clinic's catalog: a procedure (service), a
// product or a home-care step. The engine reads the codes of the skin types
// it suits (none: every type), the concerns it treats and the
// contraindications it has, and free lower-case tags ("chemical_peel",
// "deep_peel", "retinoid", "laser", "energy_based", "injectable", "spf"…).
type Item struct {
	ID       string
	Kind     Kind
	Name     Text
	Category string

	SkinTypes         []string
	Concerns          []string
	Contraindications []string
	Tags              []string

	// CooldownDays: a procedure is not recommended again sooner than this
	// many days after the client had it; 0: no cool-down.
	CooldownDays int
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if contains(b, x) {
			return true
		}
	}
	return false
}
