package card

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/recommend"
)

// Source says where a suggestion comes from.
type Source string

// Sources of suggestions.
const (
	SourceDoctor Source = "doctor" // a specialist's recommendation written after a visit
	SourceRules  Source = "rules"  // the recommendation engine
)

// Suggestion is one item recommended to a client: a specialist's advice
// from a visit note, or one of the engine's recommendations.
type Suggestion struct {
	Source Source
	Kind   recommend.Kind
	ItemID string // empty for a specialist's home-care advice
	Name   recommend.Text
	Score  float64
	// Reasons: the engine's reasons for it, or the specialist's text.
	Reasons []recommend.Text
}

// maxDoctorSuggestions bounds the specialists' recommendations shown, the
// latest notes first.
const maxDoctorSuggestions = 20

// Recommendations returns what is recommended to the client, best first:
// the specialists' recommendations from visit notes (the latest note
// first, each item once), scored above every rule, then the engine's,
// without the items a specialist already recommended. limit bounds the
// engine's part (0: 20). Staff reads are audited.
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Recommendations(ctx context.Context, actor Actor, clientID string, limit int) ([]Suggestion, error) {
	if err := s.authorize(ctx, actor, clientID, "recommendations", false); err != nil {
		return nil, err
	}
	facts, catalog, err := s.RecommendationInput(ctx, clientID)
	if err != nil {
		return nil, err
	}
	recs := s.cfg.Recommend.Recommend(facts, catalog, recommend.Options{Limit: cmp.Or(limit, 20)})
	notes, err := s.cfg.Store.VisitNotes(ctx, clientID)
	if err != nil {
		return nil, err
	}
	top := 0.0
	for _, r := range recs {
		top = max(top, r.Score)
	}
	names := s.newNames()
	out := []Suggestion{}
	seen := map[string]bool{}
	for _, n := range notes {
		for _, r := range names.recommendations(ctx, n.Recommendations) {
			key := string(r.Kind) + "\x00" + r.ItemID
			if r.ItemID == "" {
				key += "\x00" + r.Text
			}
			if seen[key] || len(out) >= maxDoctorSuggestions {
				continue
			}
			seen[key] = true
			sg := Suggestion{Source: SourceDoctor, Kind: recommend.Kind(r.Kind), ItemID: r.ItemID,
				Name: recommend.Text{RU: r.Name, EN: r.Name}, Score: top + 1, Reasons: []recommend.Text{}}
			if r.Text != "" {
				sg.Reasons = append(sg.Reasons, recommend.Text{RU: r.Text, EN: r.Text})
			}
			out = append(out, sg)
		}
	}
	for _, r := range recs {
		if seen[string(r.Kind)+"\x00"+r.ItemID] {
			continue
		}
		sg := Suggestion{Source: SourceRules, Kind: r.Kind, ItemID: r.ItemID, Name: r.Name, Score: r.Score,
			Reasons: make([]recommend.Text, 0, len(r.Reasons))}
		for _, why := range r.Reasons {
			sg.Reasons = append(sg.Reasons, why.Text)
		}
		out = append(out, sg)
	}
	return out, nil
}

// ExplainRecommendation says why an item of the catalog (a service bookable
// online or a product) is or is not recommended to the client. Staff reads
// are audited.
//
// Errors: ErrNotFound (not a card the actor may see, or an item not in the
// catalog).
func (s *Service) ExplainRecommendation(ctx context.Context, actor Actor, clientID, itemID string) (recommend.Explanation, error) {
	if err := s.authorize(ctx, actor, clientID, "recommendations", false); err != nil {
		return recommend.Explanation{}, err
	}
	facts, catalog, err := s.RecommendationInput(ctx, clientID)
	if err != nil {
		return recommend.Explanation{}, err
	}
	ex := s.cfg.Recommend.Explain(facts, catalog, itemID)
	if !ex.Known {
		return ex, ErrNotFound
	}
	return ex, nil
}

// Eligible decides whether the client may book svc online: not when their
// questionnaire lists a contraindication the service carries (as a tag), or
// one for which the engine's built-in safety excludes it (a phototype V–VI
// and a light-skin-only laser included). Season, cool-down and skin type do
// not refuse a booking. The reason is in
// the client's language (Russian unless their questionnaire says "en"). It
// reads without an authorization check: booking calls it for the client.
// It implements the check behind booking.Eligibility.
func (s *Service) Eligible(ctx context.Context, clientID string, svc booking.Service) (booking.Verdict, error) {
	v, err := s.cfg.Store.LatestProfile(ctx, clientID)
	if err != nil {
		return booking.Verdict{}, err
	}
	p := v.Profile
	if len(p.Contraindications) == 0 && p.Phototype == 0 {
		return booking.Verdict{Allowed: true}, nil
	}
	item := serviceItem(svc)
	facts := recommend.Facts{Contraindications: codes(p.Contraindications), Phototype: p.Phototype, Now: s.now()}
	ex := s.cfg.Recommend.Explain(facts, []recommend.Item{item}, item.ID)
	for _, e := range ex.Exclusions {
		if !e.Builtin || !hardExclusion(e.RuleID) {
			continue
		}
		// Both languages: the page, not the profile, decides which is read.
		return booking.Verdict{Reason: "Эту процедуру нельзя записать онлайн: " + e.Text.In("ru"),
			ReasonEN: "This procedure cannot be booked online: " + e.Text.In("en")}, nil
	}
	return booking.Verdict{Allowed: true}, nil
}

// hardExclusion reports whether a built-in exclusion is a safety one (not
// a season, cool-down, skin type or supply).
func hardExclusion(ruleID string) bool {
	switch ruleID {
	case recommend.RuleContraindication, recommend.RulePregnancy, recommend.RuleDarkPhototype, recommend.RuleSunburn,
		recommend.RuleSkinBarrier, recommend.RuleIsotretinoin, recommend.RulePacemaker:
		return true
	}
	return false
}

// RecommendationInput gathers the facts about a client from their card —
// questionnaire, latest journal scores and trends, completed visits,
// courses, purchases, favourites — and the catalog: the active services
// bookable online (procedures) and the active products. It reads without
// an authorization check, for code working for the client.
func (s *Service) RecommendationInput(ctx context.Context, clientID string) (recommend.Facts, []recommend.Item, error) {
	cat, err := s.EngineCatalog(ctx)
	if err != nil {
		return recommend.Facts{}, nil, err
	}
	f, err := s.ClientFacts(ctx, clientID, cat)
	if err != nil {
		return recommend.Facts{}, nil, err
	}
	return f, cat.Items(), nil
}

// EngineCatalog is the clinic's catalog as the recommendation engine sees it, with
// what facts need of the clinic (the services behind past visits, the
// branches' time zones): read once, it serves many clients (a campaign).
type EngineCatalog struct {
	items    []recommend.Item
	services map[string]booking.Service // every service, active or not
	zones    map[string]*time.Location  // by branch ID
	zone     *time.Location             // the first branch's: for a client with no visit yet
	ids      map[string]bool            // the items' IDs
}

// Items are the catalog's items: the active services bookable online
// (procedures) and the active products.
func (c *EngineCatalog) Items() []recommend.Item { return slices.Clone(c.items) }

// EngineCatalog reads the catalog as the engine sees it.
func (s *Service) EngineCatalog(ctx context.Context) (*EngineCatalog, error) {
	st := s.cfg.Booking.Store()
	services, err := st.Services(ctx, booking.ServiceFilter{})
	if err != nil {
		return nil, err
	}
	products, err := s.cfg.Store.Products(ctx, ProductFilter{ActiveOnly: true})
	if err != nil {
		return nil, err
	}
	branches, err := st.Branches(ctx)
	if err != nil {
		return nil, err
	}
	c := &EngineCatalog{services: map[string]booking.Service{}, zones: map[string]*time.Location{}, zone: time.UTC}
	// Read-only once built: one catalog serves many clients, and goroutines.
	for _, svc := range services {
		c.services[svc.ID] = svc
		if svc.Active && svc.OnlineBooking {
			c.items = append(c.items, serviceItem(svc))
		}
	}
	for _, p := range products {
		c.items = append(c.items, productItem(p))
	}
	c.ids = make(map[string]bool, len(c.items))
	for _, it := range c.items {
		c.ids[it.ID] = true
	}
	for i, b := range branches {
		loc, err := b.Location()
		if err != nil {
			loc = time.UTC
		}
		c.zones[b.ID] = loc
		if i == 0 {
			c.zone = loc
		}
	}
	return c, nil
}

// ClientFacts gathers the facts about a client from their card, against
// cat. Now is in the zone of the branch of their latest visit (else the
// first branch's), so that month and season conditions and offers' last
// days follow the clinic's calendar. It reads without an authorization
// check, for code working for the client.
func (s *Service) ClientFacts(ctx context.Context, clientID string, cat *EngineCatalog) (recommend.Facts, error) {
	now := s.now()
	st := s.cfg.Booking.Store()
	byID := cat.services
	v, err := s.cfg.Store.LatestProfile(ctx, clientID)
	if err != nil {
		return recommend.Facts{}, err
	}
	p := v.Profile
	f := recommend.Facts{SkinType: string(p.SkinType), Phototype: p.Phototype,
		Contraindications: codes(p.Contraindications), Allergies: slices.Clone(p.Allergies), Now: now}
	f.BirthMonth = p.BirthDate.Month // 0 when unknown
	for _, c := range p.Concerns {
		f.Concerns = append(f.Concerns, recommend.Concern{Code: string(c.Code), Severity: c.Severity})
	}

	entries, err := s.cfg.Store.JournalEntries(ctx, JournalFilter{ClientID: clientID, Limit: maxJournalEntries})
	if err != nil {
		return recommend.Facts{}, err
	}
	f.Scores = latestScores(entries)

	appts, err := st.Appointments(ctx, booking.AppointmentFilter{ClientID: clientID,
		Statuses: []booking.Status{booking.StatusCompleted}})
	if err != nil {
		return recommend.Facts{}, err
	}
	last := map[string]time.Time{}
	zone, latest := cat.zone, time.Time{}
	for _, a := range appts {
		if loc, ok := cat.zones[a.BranchID]; ok && a.Start.After(latest) {
			zone, latest = loc, a.Start
		}
		pr := recommend.Procedure{ItemID: a.ServiceID, At: a.Start}
		if svc, ok := byID[a.ServiceID]; ok {
			it := serviceItem(svc)
			pr.Category, pr.Tags = it.Category, it.Tags
		}
		f.Procedures = append(f.Procedures, pr)
		if a.Start.After(last[a.ServiceID]) {
			last[a.ServiceID] = a.Start
		}
	}
	f.Now = now.In(zone)
	if !p.BirthDate.IsZero() {
		f.Age = ageAt(p.BirthDate, f.Now)
	}

	plans, err := s.cfg.Booking.ClientPlans(ctx, booking.Actor{UserID: clientID, Role: booking.RoleClient}, clientID)
	if err != nil {
		return recommend.Facts{}, err
	}
	for _, pp := range plans {
		if pp.Plan.Status != booking.PlanActive && pp.Completed < pp.Plan.Sessions {
			continue // cancelled before it was done
		}
		pl := recommend.Plan{ServiceID: pp.Plan.ServiceID, Done: pp.Completed, Total: pp.Plan.Sessions,
			Booked: len(pp.Booked) > 0, LastSession: last[pp.Plan.ServiceID]}
		if pp.Completed < pp.Plan.Sessions {
			pl.NextDue = pp.NextFrom
		}
		f.Plans = append(f.Plans, pl)
	}

	orders, err := s.cfg.Store.Orders(ctx, OrderFilter{ClientID: clientID, Statuses: []OrderStatus{OrderCompleted}})
	if err != nil {
		return recommend.Facts{}, err
	}
	for _, pu := range purchasesOf(orders) {
		f.Purchases = append(f.Purchases, recommend.Purchase{ItemID: pu.ProductID, At: pu.LastBought, LastsDays: pu.LastsDays})
	}

	favs, err := s.FavoriteItems(ctx, clientID)
	if err != nil {
		return recommend.Facts{}, err
	}
	for _, fv := range favs {
		f.Favorites = append(f.Favorites, fv.ItemID)
	}
	return f, nil
}

// serviceItem is a service as a catalog item: its tags split into the
// questionnaire's skin types, concerns and contraindications, the rest
// free tags; its course interval is its cool-down.
func serviceItem(svc booking.Service) recommend.Item {
	it := recommend.Item{ID: svc.ID, Kind: recommend.KindProcedure, Name: recommend.Text{RU: svc.Name, EN: svc.Name},
		Category: svc.Category, CooldownDays: int(svc.CourseInterval / (24 * time.Hour))}
	for _, tag := range svc.Tags {
		tag = strings.ToLower(strings.TrimSpace(tag))
		switch {
		case tag == "":
		case slices.Contains(Contraindications(), Contraindication(tag)):
			it.Contraindications = append(it.Contraindications, tag)
		case slices.Contains(skinTypes, SkinType(tag)):
			it.SkinTypes = append(it.SkinTypes, tag)
		case slices.Contains(ConcernCodes(), ConcernCode(tag)):
			it.Concerns = append(it.Concerns, tag)
		default:
			it.Tags = append(it.Tags, tag)
		}
	}
	return it
}

// productItem is a product as a catalog item.
func productItem(p Product) recommend.Item {
	name := strings.TrimSpace(p.Brand + " " + p.Name)
	return recommend.Item{ID: p.ID, Kind: recommend.KindProduct, Name: recommend.Text{RU: name, EN: name},
		Category: string(p.Category), SkinTypes: codes(p.SkinTypes), Concerns: codes(p.Concerns),
		Contraindications: codes(p.Contraindications), Tags: slices.Clone(p.Tags)}
}

func codes[T ~string](list []T) []string {
	out := make([]string, 0, len(list))
	for _, c := range list {
		out = append(out, string(c))
	}
	return out
}

// ageAt is the age in full years on now's day.
func ageAt(birth booking.Date, now time.Time) int {
	age := now.Year() - birth.Year
	if now.Month() < birth.Month || now.Month() == birth.Month && now.Day() < birth.Day {
		age--
	}
	return max(age, 0)
}

// trendWindow is how far back the first point of a score's trend is taken.
const trendWindow = 90

// latestScores are the latest score per concern (self-assessments and
// specialists' assessments together) with the trend per 30 days from the
// earliest score within trendWindow days before it.
func latestScores(entries []JournalEntry) []recommend.Score {
	var out []recommend.Score
	for _, t := range trend(entries) {
		points := append(slices.Clone(t.Self), t.Assessment...)
		slices.SortStableFunc(points, func(a, b ScorePoint) int {
			switch {
			case a.Date.Before(b.Date):
				return -1
			case b.Date.Before(a.Date):
				return 1
			}
			return 0
		})
		if len(points) == 0 {
			continue
		}
		lastP := points[len(points)-1]
		sc := recommend.Score{Concern: string(t.Concern), Value: lastP.Score}
		lastDay := lastP.Date.In(time.UTC)
		for _, p := range points {
			days := lastDay.Sub(p.Date.In(time.UTC)).Hours() / 24
			if days >= 1 && days <= trendWindow {
				sc.Trend = float64(lastP.Score-p.Score) / days * 30
				break
			}
		}
		out = append(out, sc)
	}
	return out
}
