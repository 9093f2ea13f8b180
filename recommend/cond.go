package recommend

import (
	"encoding/json"
	"strings"
	"time"
)

// Season is a season of the year.
type Season string

// Seasons.
const (
	Winter Season = "winter"
	Spring Season = "spring"
	Summer Season = "summer"
	Autumn Season = "autumn"
)

// Hemisphere says which way the seasons run. The zero value is Northern.
type Hemisphere int

// Hemispheres.
const (
	Northern Hemisphere = iota + 1
	Southern
)

// SeasonOf is the meteorological season of a month: December–February is
// winter in the northern hemisphere and summer in the southern one.
func SeasonOf(m time.Month, h Hemisphere) Season {
	if h == Southern {
		m = (m+5)%12 + 1
	}
	switch m {
	case time.December, time.January, time.February:
		return Winter
	case time.March, time.April, time.May:
		return Spring
	case time.June, time.July, time.August:
		return Summer
	}
	return Autumn
}

// cond is a compiled condition over the facts.
type cond interface{ eval(s *state) bool }

var condKeys = []string{"skin_type", "concern", "age", "phototype", "contraindication", "no_contraindication",
	"allergy", "month", "season", "birthday_month", "score", "trend", "procedure", "plan", "favorite", "bought",
	"all", "any", "not"}

// parseCond compiles a condition object: every key given must hold.
func parseCond(raw json.RawMessage, p string, depth int) (cond, error) {
	if depth > maxDepth {
		return nil, ferr(p, "conditions nested more than %d deep", maxDepth)
	}
	o, err := object(raw, p, condKeys...)
	if err != nil {
		return nil, err
	}
	var all condAll
	for _, key := range condKeys { // a fixed order: the first error is stable
		raw, ok := o[key]
		if !ok {
			continue
		}
		c, err := parseCondKey(key, raw, join(p, key), depth)
		if err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	switch len(all) {
	case 0:
		return condTrue{}, nil
	case 1:
		return all[0], nil
	}
	return all, nil
}

func parseCondKey(key string, raw json.RawMessage, p string, depth int) (cond, error) {
	switch key {
	case "skin_type":
		l, err := codeList(raw, p)
		return condSkinType(l), err
	case "contraindication", "no_contraindication":
		l, err := codeList(raw, p)
		return condContra{codes: l, absent: key == "no_contraindication"}, err
	case "allergy":
		l, err := stringList(raw, p, nil, "")
		for i := range l {
			l[i] = normAllergy(l[i])
		}
		return condAllergy(l), err
	case "concern":
		o, err := object(raw, p, "code", "min_severity")
		if err != nil {
			return nil, err
		}
		c := condConcern{min: 1}
		if c.code, err = requiredCode(o, p, "code"); err != nil {
			return nil, err
		}
		if raw, ok := o["min_severity"]; ok {
			if c.min, err = intIn(raw, join(p, "min_severity"), 1, 3); err != nil {
				return nil, err
			}
		}
		return c, nil
	case "age":
		lo, hi, err := minMax(raw, p, 0, 150)
		return condAge{lo, hi}, err
	case "phototype":
		lo, hi, err := minMax(raw, p, 1, 6)
		return condPhototype{lo, hi}, err
	case "month":
		items, err := list(raw, p)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, ferr(p, "empty list")
		}
		var mask condMonth
		for i, raw := range items {
			m, err := integer(raw, index(p, i))
			if err != nil {
				return nil, err
			}
			if m < 1 || m > 12 {
				return nil, ferr(p, "%d is not a month", m)
			}
			if mask&(1<<m) != 0 {
				return nil, ferr(p, "%d is given twice", m)
			}
			mask |= 1 << m
		}
		return mask, nil
	case "season":
		l, err := stringList(raw, p, nil, "")
		if err != nil {
			return nil, err
		}
		var c condSeason
		for _, s := range l {
			switch Season(s) {
			case Winter, Spring, Summer, Autumn:
				c = append(c, Season(s))
			default:
				return nil, ferr(p, "%q is not a season (winter, spring, summer, autumn)", s)
			}
		}
		return c, nil
	case "birthday_month":
		return condBirthday{}, isTrue(raw, p)
	case "score":
		o, err := object(raw, p, "concern", "min", "max")
		if err != nil {
			return nil, err
		}
		c := condScore{min: 0, max: 10}
		if c.concern, err = requiredCode(o, p, "concern"); err != nil {
			return nil, err
		}
		_, hasMin := o["min"]
		_, hasMax := o["max"]
		if !hasMin && !hasMax {
			return nil, ferr(p, "give min, max or both")
		}
		if hasMin {
			if c.min, err = intIn(o["min"], join(p, "min"), 0, 10); err != nil {
				return nil, err
			}
		}
		if hasMax {
			if c.max, err = intIn(o["max"], join(p, "max"), 0, 10); err != nil {
				return nil, err
			}
		}
		if c.min > c.max {
			return nil, ferr(p, "min %d is above max %d", c.min, c.max)
		}
		return c, nil
	case "trend":
		o, err := object(raw, p, "concern", "direction", "min_change")
		if err != nil {
			return nil, err
		}
		c := condTrend{minChange: 1}
		if c.concern, err = requiredCode(o, p, "concern"); err != nil {
			return nil, err
		}
		rawDir, ok := o["direction"]
		if !ok {
			return nil, ferr(join(p, "direction"), "required")
		}
		dir, err := str(rawDir, join(p, "direction"))
		if err != nil {
			return nil, err
		}
		switch dir {
		case "worsening":
			c.worsening = true
		case "improving":
		default:
			return nil, ferr(join(p, "direction"), "%q is not a direction (worsening, improving)", dir)
		}
		if raw, ok := o["min_change"]; ok {
			if c.minChange, err = number(raw, join(p, "min_change")); err != nil {
				return nil, err
			}
			if c.minChange <= 0 || c.minChange > 10 {
				return nil, ferr(join(p, "min_change"), "%s is out of range (above 0, at most 10)", fmtNum(c.minChange))
			}
		}
		return c, nil
	case "procedure", "bought":
		return parseHistory(raw, p, key == "bought")
	case "plan":
		o, err := object(raw, p, "state", "service", "within_days")
		if err != nil {
			return nil, err
		}
		var c condPlan
		rawState, ok := o["state"]
		if !ok {
			return nil, ferr(join(p, "state"), "required")
		}
		st, err := str(rawState, join(p, "state"))
		if err != nil {
			return nil, err
		}
		switch st {
		case "active":
			c.state = planActive
		case "due":
			c.state = planDue
		case "completed":
			c.state = planCompleted
		default:
			return nil, ferr(join(p, "state"), "%q is not a plan state (active, due, completed)", st)
		}
		if raw, ok := o["service"]; ok {
			if c.service, err = str(raw, join(p, "service")); err != nil {
				return nil, err
			}
			if !itemIDRE.MatchString(c.service) {
				return nil, ferr(join(p, "service"), "%q is not an item id", c.service)
			}
		}
		if raw, ok := o["within_days"]; ok {
			if c.state != planCompleted {
				return nil, ferr(join(p, "within_days"), "only with state \"completed\"")
			}
			if c.days, err = intIn(raw, join(p, "within_days"), 1, maxDays); err != nil {
				return nil, err
			}
		}
		return c, nil
	case "favorite":
		o, err := object(raw, p, "ids", "tags", "categories", "kinds", "concerns", "skin_types")
		if err != nil {
			return nil, err
		}
		sel, err := parseSelector(o, p, false)
		return condFavorite{sel: sel}, err
	case "all", "any":
		items, err := list(raw, p)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, ferr(p, "empty list")
		}
		if len(items) > maxListLen {
			return nil, ferr(p, "more than %d conditions", maxListLen)
		}
		cs := make([]cond, len(items))
		for i, raw := range items {
			if cs[i], err = parseCond(raw, index(p, i), depth+1); err != nil {
				return nil, err
			}
		}
		if key == "all" {
			return condAll(cs), nil
		}
		return condAny(cs), nil
	case "not":
		c, err := parseCond(raw, p, depth+1)
		if err != nil {
			return nil, err
		}
		return condNot{c}, nil
	}
	return nil, ferr(p, "unknown field")
}

func requiredCode(o map[string]json.RawMessage, p, key string) (string, error) {
	raw, ok := o[key]
	if !ok {
		return "", ferr(join(p, key), "required")
	}
	return code(raw, join(p, key))
}

func minMax(raw json.RawMessage, p string, lo, hi int) (int, int, error) {
	o, err := object(raw, p, "min", "max")
	if err != nil {
		return 0, 0, err
	}
	rawMin, hasMin := o["min"]
	rawMax, hasMax := o["max"]
	if !hasMin && !hasMax {
		return 0, 0, ferr(p, "give min, max or both")
	}
	a, b := lo, hi
	if hasMin {
		if a, err = intIn(rawMin, join(p, "min"), lo, hi); err != nil {
			return 0, 0, err
		}
	}
	if hasMax {
		if b, err = intIn(rawMax, join(p, "max"), lo, hi); err != nil {
			return 0, 0, err
		}
	}
	if a > b {
		return 0, 0, ferr(p, "min %d is above max %d", a, b)
	}
	return a, b, nil
}

type histMode uint8

const (
	histWithin histMode = iota + 1
	histNotWithin
	histEver
	histRunsOut
)

func parseHistory(raw json.RawMessage, p string, bought bool) (cond, error) {
	keys := []string{"item", "category", "tag", "within_days", "not_within_days", "ever"}
	if bought {
		keys = append(keys, "runs_out_within_days")
	}
	o, err := object(raw, p, keys...)
	if err != nil {
		return nil, err
	}
	c := condHistory{bought: bought}
	if raw, ok := o["item"]; ok {
		if c.item, err = str(raw, join(p, "item")); err != nil {
			return nil, err
		}
		if !itemIDRE.MatchString(c.item) {
			return nil, ferr(join(p, "item"), "%q is not an item id", c.item)
		}
	}
	if raw, ok := o["category"]; ok {
		if c.category, err = code(raw, join(p, "category")); err != nil {
			return nil, err
		}
	}
	if raw, ok := o["tag"]; ok {
		if c.tag, err = code(raw, join(p, "tag")); err != nil {
			return nil, err
		}
	}
	modes := 0
	for _, m := range []struct {
		key  string
		mode histMode
	}{{"within_days", histWithin}, {"not_within_days", histNotWithin}, {"ever", histEver}, {"runs_out_within_days", histRunsOut}} {
		raw, ok := o[m.key]
		if !ok {
			continue
		}
		modes++
		c.mode = m.mode
		if m.mode == histEver {
			if err := isTrue(raw, join(p, m.key)); err != nil {
				return nil, err
			}
			continue
		}
		if c.days, err = intIn(raw, join(p, m.key), 1, maxDays); err != nil {
			return nil, err
		}
	}
	if modes != 1 {
		if bought {
			return nil, ferr(p, "give exactly one of within_days, not_within_days, ever, runs_out_within_days")
		}
		return nil, ferr(p, "give exactly one of within_days, not_within_days, ever")
	}
	return c, nil
}

func normAllergy(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// --- evaluation ---------------------------------------------------------

type condTrue struct{}

func (condTrue) eval(*state) bool { return true }

type condAll []cond

func (c condAll) eval(s *state) bool {
	for _, x := range c {
		if !x.eval(s) {
			return false
		}
	}
	return true
}

type condAny []cond

func (c condAny) eval(s *state) bool {
	for _, x := range c {
		if x.eval(s) {
			return true
		}
	}
	return false
}

type condNot struct{ c cond }

func (c condNot) eval(s *state) bool { return !c.c.eval(s) }

type condSkinType []string

func (c condSkinType) eval(s *state) bool { return s.f.SkinType != "" && contains(c, s.f.SkinType) }

type condContra struct {
	codes  []string
	absent bool
}

func (c condContra) eval(s *state) bool {
	return intersects(c.codes, s.f.Contraindications) != c.absent
}

type condAllergy []string

func (c condAllergy) eval(s *state) bool { return intersects(c, s.allergies) }

type condConcern struct {
	code string
	min  int
}

func (c condConcern) eval(s *state) bool {
	for _, x := range s.f.Concerns {
		if x.Code == c.code && max(x.Severity, 1) >= c.min {
			return true
		}
	}
	return false
}

type condAge struct{ min, max int }

func (c condAge) eval(s *state) bool { return s.f.Age > 0 && s.f.Age >= c.min && s.f.Age <= c.max }

type condPhototype struct{ min, max int }

func (c condPhototype) eval(s *state) bool {
	return s.f.Phototype > 0 && s.f.Phototype >= c.min && s.f.Phototype <= c.max
}

type condMonth uint16

func (c condMonth) eval(s *state) bool { return c&(1<<s.month) != 0 }

type condSeason []Season

func (c condSeason) eval(s *state) bool {
	for _, x := range c {
		if x == s.season {
			return true
		}
	}
	return false
}

type condBirthday struct{}

func (condBirthday) eval(s *state) bool { return s.f.BirthMonth != 0 && s.f.BirthMonth == s.month }

type condScore struct {
	concern  string
	min, max int
}

func (c condScore) eval(s *state) bool {
	for _, x := range s.f.Scores {
		if x.Concern == c.concern {
			return x.Value >= c.min && x.Value <= c.max
		}
	}
	return false
}

type condTrend struct {
	concern   string
	worsening bool
	minChange float64
}

func (c condTrend) eval(s *state) bool {
	for _, x := range s.f.Scores {
		if x.Concern == c.concern {
			if c.worsening {
				return x.Trend >= c.minChange
			}
			return -x.Trend >= c.minChange
		}
	}
	return false
}

type condHistory struct {
	bought              bool
	item, category, tag string
	mode                histMode
	days                int
}

func (c condHistory) matches(item, category string, tags []string) bool {
	return (c.item == "" || c.item == item) && (c.category == "" || c.category == category) &&
		(c.tag == "" || contains(tags, c.tag))
}

func (c condHistory) eval(s *state) bool {
	since := s.now.Add(-time.Duration(c.days) * 24 * time.Hour)
	any, within := false, false
	var latest *Purchase
	if c.bought {
		for i := range s.purchases {
			p := &s.purchases[i]
			if !c.matches(p.ItemID, p.Category, p.Tags) {
				continue
			}
			any = true
			within = within || !p.At.Before(since)
			if latest == nil || laterPurchase(p, latest) {
				latest = p
			}
		}
	} else {
		for i := range s.procs {
			p := &s.procs[i]
			if !c.matches(p.ItemID, p.Category, p.Tags) {
				continue
			}
			any = true
			within = within || !p.At.Before(since)
		}
	}
	switch c.mode {
	case histWithin:
		return within
	case histNotWithin:
		return !within
	case histEver:
		return any
	case histRunsOut:
		if latest == nil || latest.LastsDays <= 0 {
			return false
		}
		end := latest.At.Add(time.Duration(latest.LastsDays) * 24 * time.Hour)
		return !end.After(s.now.Add(time.Duration(c.days) * 24 * time.Hour))
	}
	return false
}

type planState uint8

const (
	planActive planState = iota + 1
	planDue
	planCompleted
)

type condPlan struct {
	state   planState
	service string
	days    int
}

func (c condPlan) eval(s *state) bool {
	for i := range s.f.Plans {
		p := &s.f.Plans[i]
		if c.service != "" && p.ServiceID != c.service {
			continue
		}
		switch c.state {
		case planActive:
			if p.Total > 0 && p.Done < p.Total {
				return true
			}
		case planDue:
			if s.planDue(p) {
				return true
			}
		case planCompleted:
			if p.Total > 0 && p.Done >= p.Total &&
				(c.days == 0 || !p.LastSession.Before(s.now.Add(-time.Duration(c.days)*24*time.Hour))) {
				return true
			}
		}
	}
	return false
}

type condFavorite struct{ sel selector }

func (c condFavorite) eval(s *state) bool {
	for _, id := range s.f.Favorites {
		if len(c.sel.ids) > 0 && !contains(c.sel.ids, id) {
			continue
		}
		if c.sel.tags == nil && c.sel.categories == nil && c.sel.kinds == nil && c.sel.concerns == nil && c.sel.skinTypes == nil {
			return true
		}
		if i, ok := s.cat.byID[id]; ok && s.matches(&c.sel, i) {
			return true
		}
	}
	return false
}
