package httpapi

import (
	"net/http"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/recommend"
)

// recommendRoutes are the card's endpoints of recommendations and offers.
func (s *server) recommendRoutes() []route {
	return []route{
		{"GET /api/v1/me/recommendations", s.authed(s.myRecommendations)},
		{"GET /api/v1/me/recommendations/explain", s.authed(s.explainRecommendation)},
		{"GET /api/v1/me/offers", s.authed(s.myOffers)},
		{"GET /api/v1/staff/clients/{id}/recommendations", s.authed(s.clientRecommendations)},
		{"GET /api/v1/staff/clients/{id}/recommendations/explain", s.authed(s.explainClientRecommendation)},
		{"GET /api/v1/staff/clients/{id}/offers", s.authed(s.clientOffers)},
	}
}

// recommendationJSON is the shape fixed in API.md.
type recommendationJSON struct {
	Kind    recommend.Kind `json:"kind"`
	ItemID  string         `json:"item_id"`
	Name    string         `json:"name"`
	Score   float64        `json:"score"`
	Reasons []string       `json:"reasons"`
	Source  card.Source    `json:"source"`
}

// myRecommendations: GET /api/v1/me/recommendations.
func (s *server) myRecommendations(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeRecommendations(w, r, who, false)
}

// clientRecommendations: GET /api/v1/staff/clients/{id}/recommendations
// (audited).
func (s *server) clientRecommendations(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeRecommendations(w, r, who, true)
}

func (s *server) writeRecommendations(w http.ResponseWriter, r *http.Request, who auth.Identity, staff bool) error {
	actor, err := s.cardActor(r, who, staff)
	if err != nil {
		return err
	}
	clientID := who.User.ID
	if staff {
		clientID = r.PathValue("id")
	}
	list, err := s.card.Recommendations(r.Context(), actor, clientID, 0)
	if err != nil {
		return err
	}
	lang := preferredLang(r)
	out := make([]recommendationJSON, 0, len(list))
	for _, sg := range list {
		rec := recommendationJSON{Kind: sg.Kind, ItemID: sg.ItemID, Name: sg.Name.In(lang), Score: sg.Score,
			Reasons: make([]string, 0, len(sg.Reasons)), Source: sg.Source}
		for _, why := range sg.Reasons {
			rec.Reasons = append(rec.Reasons, why.In(lang))
		}
		out = append(out, rec)
	}
	writeJSON(w, http.StatusOK, map[string]any{"recommendations": out})
	return nil
}

type ruleReasonJSON struct {
	RuleID string  `json:"rule_id"`
	Text   string  `json:"text"`
	Weight float64 `json:"weight"`
}

type exclusionJSON struct {
	RuleID  string `json:"rule_id"`
	Text    string `json:"text"`
	Builtin bool   `json:"builtin"`
}

type explanationJSON struct {
	ItemID      string           `json:"item_id"`
	Recommended bool             `json:"recommended"`
	Rank        int              `json:"rank"`
	Score       float64          `json:"score"`
	Course      bool             `json:"course"`
	For         []ruleReasonJSON `json:"for"`
	Against     []ruleReasonJSON `json:"against"`
	Exclusions  []exclusionJSON  `json:"exclusions"`
}

func toReasonsJSON(list []recommend.Reason, lang string) []ruleReasonJSON {
	out := make([]ruleReasonJSON, 0, len(list))
	for _, r := range list {
		out = append(out, ruleReasonJSON{RuleID: r.RuleID, Text: r.Text.In(lang), Weight: r.Weight})
	}
	return out
}

// explainRecommendation: GET /api/v1/me/recommendations/explain?item= —
// why an item of the catalog is or is not recommended; 404 for an item not
// in it.
func (s *server) explainRecommendation(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeExplanation(w, r, who, false)
}

// explainClientRecommendation: GET
// /api/v1/staff/clients/{id}/recommendations/explain?item= (audited).
func (s *server) explainClientRecommendation(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeExplanation(w, r, who, true)
}

func (s *server) writeExplanation(w http.ResponseWriter, r *http.Request, who auth.Identity, staff bool) error {
	actor, err := s.cardActor(r, who, staff)
	if err != nil {
		return err
	}
	clientID := who.User.ID
	if staff {
		clientID = r.PathValue("id")
	}
	item := r.URL.Query().Get("item")
	if item == "" {
		return &fieldError{field: "item", err: errMalformedParam}
	}
	ex, err := s.card.ExplainRecommendation(r.Context(), actor, clientID, item)
	if err != nil {
		return err
	}
	lang := preferredLang(r)
	out := explanationJSON{ItemID: ex.ItemID, Recommended: ex.Recommended, Rank: ex.Rank, Score: ex.Score, Course: ex.Course,
		For: toReasonsJSON(ex.For, lang), Against: toReasonsJSON(ex.Against, lang), Exclusions: make([]exclusionJSON, 0, len(ex.Exclusions))}
	for _, x := range ex.Exclusions {
		out.Exclusions = append(out.Exclusions, exclusionJSON{RuleID: x.RuleID, Text: x.Text.In(lang), Builtin: x.Builtin})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type offerJSON struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	DiscountPercent int       `json:"discount_percent,omitempty"`
	Gift            string    `json:"gift,omitempty"`
	ValidFrom       time.Time `json:"valid_from"`
	ValidUntil      time.Time `json:"valid_until"`
	ItemIDs         []string  `json:"item_ids"`
}

// myOffers: GET /api/v1/me/offers — the client's current personal offers.
func (s *server) myOffers(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeOffers(w, r, who, false)
}

// clientOffers: GET /api/v1/staff/clients/{id}/offers (audited).
func (s *server) clientOffers(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeOffers(w, r, who, true)
}

func (s *server) writeOffers(w http.ResponseWriter, r *http.Request, who auth.Identity, staff bool) error {
	actor, err := s.cardActor(r, who, staff)
	if err != nil {
		return err
	}
	clientID := who.User.ID
	if staff {
		clientID = r.PathValue("id")
	}
	offers, err := s.card.Offers(r.Context(), actor, clientID)
	if err != nil {
		return err
	}
	lang := preferredLang(r)
	out := make([]offerJSON, 0, len(offers))
	for _, g := range offers {
		o := g.Offer
		items := o.ItemIDs
		if items == nil {
			items = []string{}
		}
		oj := offerJSON{ID: o.ID, Title: o.Title.In(lang), DiscountPercent: o.DiscountPercent,
			ValidFrom: o.ValidFrom.UTC(), ValidUntil: o.ValidUntil.UTC(), ItemIDs: items}
		if o.Gift != (recommend.Text{}) {
			oj.Gift = o.Gift.In(lang)
		}
		out = append(out, oj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"offers": out})
	return nil
}
