package recommend

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Config configures an Engine. Zero fields mean the documented default.
type Config struct {
	// Rules is the rule set; nil: DefaultRules().
	Rules *RuleSet
	// Hemisphere decides the seasons of season conditions and the default
	// high-sun months; zero: Northern.
	Hemisphere Hemisphere
	// HighSunMonths are the months with no deep peels (builtin.season).
	// nil: April–September in the northern hemisphere, October–March in
	// the southern one; an empty non-nil list: none.
	HighSunMonths []time.Month
	// RestockDays: a product the client bought is "running out" (selector
	// running_out) from this many days before its supply ends, and is not
	// recommended again (builtin.in_supply) until then; 0: 14.
	RestockDays int
	// PlanDueAhead: the next session of a course is due this long before
	// its NextDue, so the client can book it; 0: 3 days.
	PlanDueAhead time.Duration
	// Now is the clock for Facts whose Now is zero; nil: time.Now.
	Now func() time.Time
}

// Engine turns facts about a client into recommendations and offers. It is
// immutable and safe for concurrent use.
type Engine struct {
	rules        *RuleSet
	order        []int // rule indexes by priority, highest first, then in document order
	ruleAt       map[string]int
	acts         []actRef // every action, by rule then action
	firstAct     []int32  // rule i's actions start at acts[firstAct[i]]
	hemisphere   Hemisphere
	highSun      uint16 // bit m: month m
	restock      time.Duration
	planDueAhead time.Duration
	now          func() time.Time
}

// ErrInvalidConfig is matched by New's errors.
var ErrInvalidConfig = errors.New("recommend: invalid config")

// New returns an engine.
//
// Errors: ErrInvalidConfig (wrapped, naming the field) for a hemisphere or
// month out of range or a negative duration.
func New(cfg Config) (*Engine, error) {
	e := &Engine{rules: cfg.Rules, hemisphere: cmp.Or(cfg.Hemisphere, Northern), now: cfg.Now}
	if e.rules == nil {
		e.rules = DefaultRules()
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.hemisphere != Northern && e.hemisphere != Southern {
		return nil, fmt.Errorf("%w: Hemisphere: %d is not a hemisphere", ErrInvalidConfig, cfg.Hemisphere)
	}
	months := cfg.HighSunMonths
	if months == nil {
		months = []time.Month{time.April, time.May, time.June, time.July, time.August, time.September}
		if e.hemisphere == Southern {
			months = []time.Month{time.October, time.November, time.December, time.January, time.February, time.March}
		}
	}
	for _, m := range months {
		if m < time.January || m > time.December {
			return nil, fmt.Errorf("%w: HighSunMonths: %d is not a month", ErrInvalidConfig, m)
		}
		e.highSun |= 1 << m
	}
	if cfg.RestockDays < 0 || cfg.RestockDays > maxDays {
		return nil, fmt.Errorf("%w: RestockDays: %d is out of range (0 to %d)", ErrInvalidConfig, cfg.RestockDays, maxDays)
	}
	e.restock = time.Duration(cmp.Or(cfg.RestockDays, 14)) * 24 * time.Hour
	if cfg.PlanDueAhead < 0 {
		return nil, fmt.Errorf("%w: PlanDueAhead: negative", ErrInvalidConfig)
	}
	e.planDueAhead = cmp.Or(cfg.PlanDueAhead, 3*24*time.Hour)
	e.order = make([]int, len(e.rules.rules))
	e.ruleAt = make(map[string]int, len(e.rules.rules))
	e.firstAct = make([]int32, len(e.rules.rules))
	for i := range e.rules.rules {
		r := &e.rules.rules[i]
		e.order[i] = i
		e.ruleAt[r.id] = i
		e.firstAct[i] = int32(len(e.acts))
		for k := range r.actions {
			e.acts = append(e.acts, actRef{rule: int32(i), a: &r.actions[k]})
		}
	}
	slices.SortStableFunc(e.order, func(a, b int) int { return cmp.Compare(e.rules.rules[b].priority, e.rules.rules[a].priority) })
	return e, nil
}

// Rules returns the engine's rule set.
func (e *Engine) Rules() *RuleSet { return e.rules }

// Options shape one call of Recommend. Zero fields mean the documented
// default.
type Options struct {
	// Limit is the most recommendations returned; 0: all.
	Limit int
	// Kinds keeps only items of these kinds; nil: all.
	Kinds []Kind
	// Category diversity: in the first DiversityTop recommendations (0: 6)
	// at most MaxPerCategory (0: 2) share a category, as far as the
	// candidates allow; the rest follow in rank order. Items without a
	// category are not limited. NoDiversity turns it off.
	DiversityTop   int
	MaxPerCategory int
	NoDiversity    bool
}

// Reason is why an item is (or is less) recommended: a rule that fired,
// its text and the weight it added.
type Reason struct {
	RuleID string
	Text   Text
	Weight float64
}

// Recommendation is one recommended item.
type Recommendation struct {
	Kind     Kind
	ItemID   string
	Name     Text
	Category string
	// Score is the sum of the weights of the rules that fired for the item,
	// rounded to two decimals.
	Score float64
	// Course: the next session of a treatment plan is due; such items come
	// first, whatever their score.
	Course bool
	// Reasons are the reasons with a positive weight, and the course
	// reason first for a Course item; Cautions those with a negative
	// weight. Each in order of the rules' priority, then the document's
	// order.
	Reasons  []Reason
	Cautions []Reason
}

// Exclusion is why an item is not recommended: a rule's exclude action or
// one of the engine's own exclusions (Builtin; RuleID is one of the
// Rule… constants).
type Exclusion struct {
	RuleID  string
	Text    Text
	Builtin bool
}

// Explanation says why an item is or is not recommended.
type Explanation struct {
	ItemID string
	// Known: the item is in the catalog given; nothing else is set when it
	// is not.
	Known       bool
	Recommended bool
	// Rank is the item's place (1, 2, …) in Recommend's list with default
	// Options and no limit; 0 when not recommended.
	Rank   int
	Score  float64
	Course bool
	// For are the reasons for it (the course reason first), Against the
	// negative weights and Exclusions what rules it out. An item that is
	// not excluded and not recommended has no reason for it, or reasons
	// that sum to zero or less.
	For        []Reason
	Against    []Reason
	Exclusions []Exclusion
}

// Offer is a personal offer whose rule fired for the client.
type Offer struct {
	ID              string
	RuleID          string
	Title           Text
	DiscountPercent int  // 0: none
	Gift            Text // empty: none
	// ItemIDs are the catalog items it applies to, sorted, without those
	// the client may not have; nil: it is not tied to items.
	ItemIDs []string
	// The offer is valid from ValidFrom (the facts' Now) until ValidUntil,
	// exclusive: the end of the valid_days-th day after Now in Now's
	// location.
	ValidFrom  time.Time
	ValidUntil time.Time
	// PerClientLimit is how many times the client may get it within
	// LimitPeriodDays (0: ever).
	PerClientLimit  int
	LimitPeriodDays int
}

// --- evaluation -------------------------------------------------------------

// catalog indexes the items of one call. A repeated ID keeps its first
// item. The values of the indexed fields (tags, categories, concerns, skin
// types) are indexed only when a rule's selector names them.
type catalog struct {
	items   []Item
	indexed []int32 // the items indexed, in catalog order
	byID    map[string]int32
	fields  [numFields]postings
	kinds   postings // by kind: 0 procedure, 1 product, 2 home care
}

// postings lists the items with each value: value v's are
// list[off[v]:off[v+1]], in catalog order.
type postings struct {
	off  []int32
	list []int32
}

func (p *postings) of(v int32) []int32 { return p.list[p.off[v]:p.off[v+1]] }

func kindIndex(k Kind) int32 {
	switch k {
	case KindProcedure:
		return 0
	case KindProduct:
		return 1
	case KindHomeCare:
		return 2
	}
	return -1
}

func newCatalog(items []Item, syms *[numFields]map[string]int32) *catalog {
	c := &catalog{items: items, byID: make(map[string]int32, len(items))}
	indexed := make([]int32, 0, len(items))
	for i := range items {
		it := &items[i]
		if it.ID == "" {
			continue
		}
		if _, dup := c.byID[it.ID]; dup {
			continue
		}
		c.byID[it.ID] = int32(i)
		indexed = append(indexed, int32(i))
	}
	c.indexed = indexed
	// (value, item) pairs per field, then a counting sort into postings.
	pairs := make([][2]int32, 0, 4*len(indexed))
	for f := range numFields {
		sym := syms[f]
		if len(sym) == 0 {
			c.fields[f] = postings{off: make([]int32, 1)}
			continue
		}
		pairs = pairs[:0]
		for _, n := range indexed {
			it := &items[n]
			var values []string
			switch f {
			case fieldTags:
				values = it.Tags
			case fieldCategories:
				if it.Category != "" {
					if v, ok := sym[it.Category]; ok {
						pairs = append(pairs, [2]int32{v, n})
					}
				}
			case fieldConcerns:
				values = it.Concerns
			case fieldSkinTypes:
				values = it.SkinTypes
			}
			for _, s := range values {
				if v, ok := sym[s]; ok {
					pairs = append(pairs, [2]int32{v, n})
				}
			}
		}
		c.fields[f] = buildPostings(pairs, len(sym))
	}
	pairs = pairs[:0]
	for _, n := range indexed {
		if k := kindIndex(items[n].Kind); k >= 0 {
			pairs = append(pairs, [2]int32{k, n})
		}
	}
	c.kinds = buildPostings(pairs, 3)
	return c
}

func buildPostings(pairs [][2]int32, nvalues int) postings {
	p := postings{off: make([]int32, nvalues+1), list: make([]int32, len(pairs))}
	for _, vn := range pairs {
		p.off[vn[0]+1]++
	}
	for v := 1; v <= nvalues; v++ {
		p.off[v] += p.off[v-1]
	}
	next := slices.Clone(p.off[:nvalues])
	for _, vn := range pairs {
		p.list[next[vn[0]]] = vn[1]
		next[vn[0]]++
	}
	return p
}

const (
	flagIndexed    uint8 = 1 << iota // the item is in the index (not a repeat, has an ID)
	flagHard                         // excluded by safety or a rule
	flagSoft                         // excluded by cool-down, skin type or supply
	flagFavorite                     // in the client's favourites
	flagRunningOut                   // a product the client bought runs out
	flagCourse                       // the next session of a due plan
)

type itemState struct {
	score       float64
	mark        uint32
	flags       uint8
	reasons     int32 // how many recommend hits
	plan        int32 // the due plan's index, for flagCourse
	first, last int32 // the item's hits, a list in state.hits; -1: none
}

// hit is a recommend action that selected an item: one link of the item's
// list of hits, in rule order.
type hit struct {
	act  int32 // index in Engine.acts
	next int32 // the item's next hit; -1: none
}

// actRef is one action of the rule set, in a flat list.
type actRef struct {
	rule int32
	a    *action
}

type exclusionHit struct {
	item int32
	ex   Exclusion
}

// state is one evaluation: the facts, the catalog and what the rules did.
type state struct {
	e         *Engine
	f         *Facts
	now       time.Time
	month     time.Month
	season    Season
	cat       *catalog
	procs     []Procedure
	purchases []Purchase
	allergies []string
	items     []itemState
	gen       uint32
	hits      []hit
	excl      []exclusionHit
	keepExcl  bool    // record exclusions (Explain); else only flag them
	offers    []int32 // offer actions that fired, as indexes in Engine.acts
}

func (e *Engine) newState(f *Facts, items []Item, keepExcl bool) *state {
	s := &state{e: e, f: f, now: f.Now, cat: newCatalog(items, &e.rules.syms), keepExcl: keepExcl}
	if s.now.IsZero() {
		s.now = e.now()
	}
	s.month = s.now.Month()
	s.season = SeasonOf(s.month, e.hemisphere)
	s.items = make([]itemState, len(items))
	s.hits = make([]hit, 0, 16*len(items))
	for n := range s.items {
		s.items[n].plan, s.items[n].first, s.items[n].last = -1, -1, -1
	}
	for _, n := range s.cat.indexed {
		s.items[n].flags = flagIndexed
	}
	// History with the catalog's categories and tags where the facts leave
	// them out.
	s.procs = make([]Procedure, len(f.Procedures))
	for i, p := range f.Procedures {
		if n, ok := s.cat.byID[p.ItemID]; ok && p.Category == "" && p.Tags == nil {
			p.Category, p.Tags = items[n].Category, items[n].Tags
		}
		s.procs[i] = p
	}
	s.purchases = make([]Purchase, len(f.Purchases))
	for i, p := range f.Purchases {
		if n, ok := s.cat.byID[p.ItemID]; ok && p.Category == "" && p.Tags == nil {
			p.Category, p.Tags = items[n].Category, items[n].Tags
		}
		s.purchases[i] = p
	}
	if len(f.Allergies) > 0 {
		s.allergies = make([]string, len(f.Allergies))
		for i, a := range f.Allergies {
			s.allergies[i] = normAllergy(a)
		}
	}
	for _, id := range f.Favorites {
		if n, ok := s.cat.byID[id]; ok {
			s.items[n].flags |= flagFavorite
		}
	}
	// Supplies: the latest purchase of each product.
	for i := range s.purchases {
		p := &s.purchases[i]
		n, ok := s.cat.byID[p.ItemID]
		if !ok || items[n].Kind != KindProduct || !s.latestPurchase(p) {
			continue
		}
		if p.LastsDays <= 0 {
			continue
		}
		end := p.At.Add(time.Duration(p.LastsDays) * 24 * time.Hour)
		switch {
		case end.After(s.now.Add(e.restock)):
			s.exclude(n, Exclusion{RuleID: RuleInSupply, Builtin: true, Text: Text{
				RU: "Вы недавно купили это средство, его хватит ещё надолго.",
				EN: "You bought it recently; it will last a while yet."}}, flagSoft)
		case end.After(s.now.Add(-lapsedDays * 24 * time.Hour)):
			s.items[n].flags |= flagRunningOut
		}
	}
	// Courses whose next session is due.
	for i := range f.Plans {
		p := &f.Plans[i]
		if !s.planDue(p) {
			continue
		}
		n, ok := s.cat.byID[p.ServiceID]
		if !ok {
			continue
		}
		st := &s.items[n]
		if st.flags&flagCourse == 0 || earlierPlan(p, &f.Plans[st.plan]) {
			st.flags |= flagCourse
			st.plan = int32(i)
		}
	}
	return s
}

// earlierPlan orders the due plans of one service: the earliest due, then
// the furthest along.
func earlierPlan(a, b *Plan) bool {
	if !a.NextDue.Equal(b.NextDue) {
		return a.NextDue.Before(b.NextDue)
	}
	if a.Done != b.Done {
		return a.Done > b.Done
	}
	return a.Total > b.Total
}

// lapsedDays: a product that ran out longer ago than this is no longer
// "running out".
const lapsedDays = 60

// latestPurchase reports whether p is the client's latest purchase of its
// item (see laterPurchase; of identical ones, the first given).
func (s *state) latestPurchase(p *Purchase) bool {
	before := true // q comes before p in the list
	for i := range s.purchases {
		q := &s.purchases[i]
		if q == p {
			before = false
			continue
		}
		if q.ItemID == p.ItemID && (laterPurchase(q, p) || before && !laterPurchase(p, q)) {
			return false
		}
	}
	return true
}

// laterPurchase reports whether a is later than b: bought later, or at the
// same time and lasting longer.
func laterPurchase(a, b *Purchase) bool {
	return a.At.After(b.At) || a.At.Equal(b.At) && a.LastsDays > b.LastsDays
}

func (s *state) planDue(p *Plan) bool {
	return p.Total > 0 && p.Done < p.Total && !p.Booked && !p.NextDue.IsZero() &&
		!p.NextDue.After(s.now.Add(s.e.planDueAhead))
}

func (s *state) exclude(n int32, ex Exclusion, flag uint8) {
	s.items[n].flags |= flag
	if s.keepExcl {
		s.excl = append(s.excl, exclusionHit{item: n, ex: ex})
	}
}

// matches reports whether item n meets every criterion of sel.
func (s *state) matches(sel *selector, n int32) bool { return s.matchesBut(sel, n, byNone) }

// matchesBut is matches, the criterion skip taken as met: the index the
// item was found through.
func (s *state) matchesBut(sel *selector, n int32, skip primary) bool {
	it := &s.cat.items[n]
	st := &s.items[n]
	return (sel.ids == nil || skip == byIDs || contains(sel.ids, it.ID)) &&
		(sel.tags == nil || skip == byTags || intersects(sel.tags, it.Tags)) &&
		(sel.categories == nil || skip == byCategories || contains(sel.categories, it.Category)) &&
		(sel.concerns == nil || skip == byConcerns || intersects(sel.concerns, it.Concerns)) &&
		(sel.skinTypes == nil || skip == bySkinTypes || intersects(sel.skinTypes, it.SkinTypes)) &&
		(sel.kinds == nil || skip == byKinds || slices.Contains(sel.kinds, it.Kind)) &&
		(!sel.favorites || st.flags&flagFavorite != 0) &&
		(!sel.runningOut || st.flags&flagRunningOut != 0)
}

// primary is the index a selector's items are looked up through.
type primary uint8

const (
	byNone primary = iota
	byIDs
	byTags
	byCategories
	byConcerns
	bySkinTypes
	byKinds
)

// each calls fn once for every item sel selects, in no particular order.
func (s *state) each(sel *selector, fn func(n int32)) {
	s.gen++
	var by primary
	visit := func(n int32) {
		st := &s.items[n]
		if st.mark == s.gen {
			return
		}
		st.mark = s.gen
		if s.matchesBut(sel, n, by) {
			fn(n)
		}
	}
	visitAll := func(p *postings, values []int32) {
		for _, v := range values {
			for _, n := range p.of(v) {
				visit(n)
			}
		}
	}
	switch {
	case sel.ids != nil:
		by = byIDs
		for _, id := range sel.ids {
			if n, ok := s.cat.byID[id]; ok {
				visit(n)
			}
		}
	case sel.tags != nil:
		by = byTags
		visitAll(&s.cat.fields[fieldTags], sel.syms[fieldTags])
	case sel.categories != nil:
		by = byCategories
		visitAll(&s.cat.fields[fieldCategories], sel.syms[fieldCategories])
	case sel.concerns != nil:
		by = byConcerns
		visitAll(&s.cat.fields[fieldConcerns], sel.syms[fieldConcerns])
	case sel.skinTypes != nil:
		by = bySkinTypes
		visitAll(&s.cat.fields[fieldSkinTypes], sel.syms[fieldSkinTypes])
	case sel.kinds != nil:
		by = byKinds
		for _, k := range sel.kinds {
			for _, n := range s.cat.kinds.of(kindIndex(k)) {
				visit(n)
			}
		}
	default: // favourites or running out: every indexed item
		for n := range s.items {
			if s.items[n].flags&flagIndexed != 0 {
				visit(int32(n))
			}
		}
	}
}

// run evaluates the rules (recommend actions only when recommend) and the
// engine's exclusions.
func (s *state) run(recommend bool) {
	rules := s.e.rules.rules
	for _, ri := range s.e.order {
		r := &rules[ri]
		if r.when != nil && !r.when.eval(s) {
			continue
		}
		for ai := range r.actions {
			a := &r.actions[ai]
			ref := s.e.firstAct[ri] + int32(ai)
			switch a.kind {
			case actRecommend:
				if !recommend {
					continue
				}
				s.each(&a.sel, func(n int32) {
					st := &s.items[n]
					st.score += a.weight
					st.reasons++
					h := int32(len(s.hits))
					s.hits = append(s.hits, hit{act: ref, next: -1})
					if st.last < 0 {
						st.first = h
					} else {
						s.hits[st.last].next = h
					}
					st.last = h
				})
			case actExclude:
				s.each(&a.sel, func(n int32) {
					s.exclude(n, Exclusion{RuleID: r.id, Text: a.reason}, flagHard)
				})
			case actOffer:
				s.offers = append(s.offers, ref)
			}
		}
	}
	s.builtins()
}

// builtins applies the engine's own exclusions to every item.
func (s *state) builtins() {
	guards := s.guards()
	var clientContra []string
	for n := range s.items {
		st := &s.items[n]
		if st.flags&flagIndexed == 0 {
			continue
		}
		it := &s.cat.items[n]
		if len(it.Contraindications) > 0 && intersects(it.Contraindications, s.f.Contraindications) {
			clientContra = clientContra[:0]
			for _, c := range it.Contraindications {
				if contains(s.f.Contraindications, c) && !contains(clientContra, c) {
					clientContra = append(clientContra, c)
				}
			}
			var t Text
			if s.keepExcl {
				t = contraText(clientContra)
			}
			s.exclude(int32(n), Exclusion{RuleID: RuleContraindication, Builtin: true, Text: t}, flagHard)
		}
		for i := range guards {
			if guards[i].applies(it) {
				s.exclude(int32(n), Exclusion{RuleID: guards[i].id, Builtin: true, Text: guards[i].text}, flagHard)
			}
		}
		if s.f.SkinType != "" && len(it.SkinTypes) > 0 && !contains(it.SkinTypes, s.f.SkinType) {
			s.exclude(int32(n), Exclusion{RuleID: RuleSkinType, Builtin: true, Text: Text{
				RU: "Не для вашего типа кожи.", EN: "Not for your skin type."}}, flagSoft)
		}
		if it.Kind == KindProcedure && it.CooldownDays > 0 {
			since := s.now.Add(-time.Duration(it.CooldownDays) * 24 * time.Hour)
			for i := range s.procs {
				if s.procs[i].ItemID == it.ID && s.procs[i].At.After(since) {
					s.exclude(int32(n), Exclusion{RuleID: RuleCooldown, Builtin: true, Text: Text{
						RU: fmt.Sprintf("Процедуру повторяют не раньше чем через %d дн.", it.CooldownDays),
						EN: fmt.Sprintf("The procedure is repeated no sooner than %d days after the last one.", it.CooldownDays)}}, flagSoft)
					break
				}
			}
		}
	}
}

// eligible reports whether item n is recommended: not ruled out (a due
// course ignores the soft exclusions) and either a due course or scoring
// above zero.
func (st *itemState) eligible() bool {
	if st.flags&flagIndexed == 0 || st.flags&flagHard != 0 {
		return false
	}
	if st.flags&flagCourse != 0 {
		return true
	}
	return st.flags&flagSoft == 0 && round2(st.score) > 0
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// ranked returns the recommended items' indexes, best first, with the
// category diversity of o.
func (s *state) ranked(o Options) []int32 {
	var out []int32
	for n := range s.items {
		st := &s.items[n]
		if st.eligible() && (o.Kinds == nil || slices.Contains(o.Kinds, s.cat.items[n].Kind)) {
			out = append(out, int32(n))
		}
	}
	slices.SortFunc(out, func(a, b int32) int {
		sa, sb := &s.items[a], &s.items[b]
		ca, cb := sa.flags&flagCourse != 0, sb.flags&flagCourse != 0
		switch {
		case ca && !cb:
			return -1
		case cb && !ca:
			return 1
		case ca && cb:
			if c := s.f.Plans[sa.plan].NextDue.Compare(s.f.Plans[sb.plan].NextDue); c != 0 {
				return c
			}
		default:
			if c := cmp.Compare(round2(sb.score), round2(sa.score)); c != 0 {
				return c
			}
		}
		return cmp.Compare(s.cat.items[a].ID, s.cat.items[b].ID)
	})
	if o.NoDiversity {
		return out
	}
	top, per := cmp.Or(o.DiversityTop, 6), cmp.Or(o.MaxPerCategory, 2)
	if top <= 0 || per <= 0 || len(out) <= 1 {
		return out
	}
	taken := make([]int32, 0, len(out))
	var deferred []int32
	count := map[string]int{}
	for _, n := range out {
		it := &s.cat.items[n]
		if len(taken) >= top {
			deferred = append(deferred, n)
			continue
		}
		key := string(it.Kind) + "/" + it.Category
		if it.Category != "" && s.items[n].flags&flagCourse == 0 && count[key] >= per {
			deferred = append(deferred, n)
			continue
		}
		count[key]++
		taken = append(taken, n)
	}
	return append(taken, deferred...)
}

// appendReasons appends the reasons of item n — the course reason, then
// its hits with a positive weight — and then those with a negative weight;
// mid is where the negative ones start.
func (s *state) appendReasons(buf []Reason, n int32) (out []Reason, mid int) {
	st := &s.items[n]
	if st.flags&flagCourse != 0 {
		p := &s.f.Plans[st.plan]
		buf = append(buf, Reason{RuleID: RuleCourse, Text: Text{
			RU: fmt.Sprintf("Следующий сеанс вашего курса: %d из %d.", p.Done+1, p.Total),
			EN: fmt.Sprintf("The next session of your course: %d of %d.", p.Done+1, p.Total)}})
	}
	rules, acts := s.e.rules.rules, s.e.acts
	negative := false
	for h := st.first; h >= 0; h = s.hits[h].next {
		if ref := acts[s.hits[h].act]; ref.a.weight > 0 {
			buf = append(buf, Reason{RuleID: rules[ref.rule].id, Text: ref.a.reason, Weight: ref.a.weight})
		} else {
			negative = true
		}
	}
	mid = len(buf)
	for h := st.first; negative && h >= 0; h = s.hits[h].next {
		if ref := acts[s.hits[h].act]; ref.a.weight < 0 {
			buf = append(buf, Reason{RuleID: rules[ref.rule].id, Text: ref.a.reason, Weight: ref.a.weight})
		}
	}
	return buf, mid
}

// Recommend returns the items of catalog recommended to the client, best
// first: the next sessions of due courses, then by score (highest first),
// then by item ID, with category diversity in the top (see Options). An
// item is recommended when its rules' weights sum above zero and nothing
// excludes it: not one of its contraindications the client has, not the
// engine's safety exclusions, not a rule's exclude action, and not its
// cool-down, another skin type or a supply that lasts (which a due course
// session ignores). The result depends only on the arguments: the same
// facts and catalog give the same list.
//
// Items with an empty ID are ignored, and of items sharing an ID only the
// first counts.
func (e *Engine) Recommend(f Facts, catalog []Item, o Options) []Recommendation {
	s := e.newState(&f, catalog, false)
	s.run(true)
	order := s.ranked(o)
	if o.Limit > 0 && len(order) > o.Limit {
		order = order[:o.Limit]
	}
	if len(order) == 0 {
		return []Recommendation{}
	}
	total := 0
	for _, n := range order {
		total += int(s.items[n].reasons)
		if s.items[n].flags&flagCourse != 0 {
			total++
		}
	}
	buf := make([]Reason, 0, total)
	out := make([]Recommendation, len(order))
	for i, n := range order {
		it := &s.cat.items[n]
		st := &s.items[n]
		start := len(buf)
		var mid int
		buf, mid = s.appendReasons(buf, n)
		out[i] = Recommendation{Kind: it.Kind, ItemID: it.ID, Name: it.Name, Category: it.Category,
			Score: round2(st.score), Course: st.flags&flagCourse != 0,
			Reasons: buf[start:mid:mid], Cautions: buf[mid:len(buf):len(buf)]}
		if mid == len(buf) {
			out[i].Cautions = nil
		}
	}
	return out
}

// Explain says why the item with itemID is or is not recommended to the
// client: its score, the reasons for and against and every exclusion, and
// its rank in Recommend's list with default Options.
func (e *Engine) Explain(f Facts, catalog []Item, itemID string) Explanation {
	s := e.newState(&f, catalog, true)
	n, ok := s.cat.byID[itemID]
	if !ok {
		return Explanation{ItemID: itemID}
	}
	s.run(true)
	st := &s.items[n]
	x := Explanation{ItemID: itemID, Known: true, Score: round2(st.score), Course: st.flags&flagCourse != 0}
	buf, mid := s.appendReasons(nil, n)
	if mid > 0 {
		x.For = buf[:mid:mid]
	}
	if mid < len(buf) {
		x.Against = buf[mid:]
	}
	for _, ex := range s.excl {
		if ex.item == n {
			x.Exclusions = append(x.Exclusions, ex.ex)
		}
	}
	if st.eligible() {
		x.Recommended = true
		x.Rank = slices.Index(s.ranked(Options{}), n) + 1
	}
	return x
}

// Excluded returns the IDs of the catalog's items ruled out for the client
// by safety, a rule or the season — the exclusions that also keep an item
// out of an offer. Cool-down, skin type and supply, which only keep an item
// off the list of recommendations, are not among them.
func (e *Engine) Excluded(f Facts, catalog []Item) map[string]bool {
	s := e.newState(&f, catalog, false)
	s.run(false)
	out := map[string]bool{}
	for n := range s.items {
		if s.items[n].flags&flagHard != 0 {
			out[s.cat.items[n].ID] = true
		}
	}
	return out
}

// Offers returns the offers whose rules fire for the client, by rule
// priority (highest first), then offer ID: those the client has not had
// PerClientLimit times within the limit period (Facts.OffersGiven), and, for
// an offer tied to items (applies_to), with the items the client may have —
// an offer none of whose items is left is not made.
func (e *Engine) Offers(f Facts, catalog []Item) []Offer {
	s := e.newState(&f, catalog, false)
	s.run(false)
	out := []Offer{}
	for _, h := range s.offers { // in rule priority order
		ref := e.acts[h]
		r, d := &e.rules.rules[ref.rule], ref.a.offer
		given := 0
		for _, g := range f.OffersGiven {
			if g.OfferID == d.id && (d.limitPeriodDays == 0 || g.At.After(s.now.Add(-time.Duration(d.limitPeriodDays)*24*time.Hour))) {
				given++
			}
		}
		if given >= d.limit {
			continue
		}
		o := Offer{ID: d.id, RuleID: r.id, Title: d.title, DiscountPercent: d.discount, Gift: d.gift,
			ValidFrom: s.now, PerClientLimit: d.limit, LimitPeriodDays: d.limitPeriodDays}
		y, m, day := s.now.Date()
		o.ValidUntil = time.Date(y, m, day+d.validDays+1, 0, 0, 0, 0, s.now.Location())
		if d.appliesTo != nil {
			ids := []string{}
			s.each(d.appliesTo, func(n int32) {
				if s.items[n].flags&flagHard == 0 {
					ids = append(ids, s.cat.items[n].ID)
				}
			})
			if len(ids) == 0 {
				continue
			}
			slices.Sort(ids)
			o.ItemIDs = ids
		}
		out = append(out, o)
	}
	// Equal priorities by offer ID.
	prio := func(o Offer) int { return e.rules.rules[e.ruleAt[o.RuleID]].priority }
	slices.SortStableFunc(out, func(a, b Offer) int {
		return cmp.Or(cmp.Compare(prio(b), prio(a)), cmp.Compare(a.ID, b.ID))
	})
	return out
}
