package recommend

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Version is the version of the rule format this package reads.
const Version = 1

// Limits of a rule document.
const (
	MaxDocumentSize = 4 << 20 // bytes
	MaxRules        = 10000
	maxActions      = 50
	maxListLen      = 200
	maxDepth        = 8 // nesting of all / any / not
	maxText         = 500
	maxDescription  = 1000
	maxDays         = 3650
	maxWeight       = 100
	maxPriority     = 1000
)

// ErrInvalidRules is matched (errors.Is) by every error of Parse.
var ErrInvalidRules = errors.New("recommend: invalid rule document")

// ParseError is an error of Parse: what is wrong, in which rule and field.
// Its text reads "rules[3] (peel-pregnancy): when.month: 13 is not a month";
// an error of the document itself has no rule ("version: 2 is not
// supported").
type ParseError struct {
	Index   int    // the rule's index in "rules"; -1: the document itself
	RuleID  string // the rule's id when known
	Field   string // the path of the field inside the rule or document; "": the whole of it
	Message string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Index >= 0 {
		fmt.Fprintf(&b, "rules[%d]", e.Index)
		if e.RuleID != "" {
			fmt.Fprintf(&b, " (%s)", e.RuleID)
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap makes a ParseError match ErrInvalidRules.
func (e *ParseError) Unwrap() error { return ErrInvalidRules }

// RuleSet is a parsed, validated rule document. It is immutable and safe
// for concurrent use.
type RuleSet struct {
	version int
	rules   []rule
	src     []byte
	// syms numbers the tags, categories, concerns and skin types the
	// action selectors name, for the engine's per-call index.
	syms [numFields]map[string]int32
}

// The item fields an index is kept for.
const (
	fieldTags = iota
	fieldCategories
	fieldConcerns
	fieldSkinTypes
	numFields
)

// intern numbers the values of sel's indexed fields.
func (rs *RuleSet) intern(sel *selector) {
	for f, list := range [numFields][]string{sel.tags, sel.categories, sel.concerns, sel.skinTypes} {
		if list == nil {
			continue
		}
		if rs.syms[f] == nil {
			rs.syms[f] = map[string]int32{}
		}
		ids := make([]int32, len(list))
		for i, v := range list {
			id, ok := rs.syms[f][v]
			if !ok {
				id = int32(len(rs.syms[f]))
				rs.syms[f][v] = id
			}
			ids[i] = id
		}
		sel.syms[f] = ids
	}
}

// RuleInfo describes one rule of a set.
type RuleInfo struct {
	ID          string
	Description string
	Priority    int
	Offers      []string // the IDs of its offers
}

// Len is the number of rules.
func (rs *RuleSet) Len() int { return len(rs.rules) }

// Version is the format version of the document.
func (rs *RuleSet) Version() int { return rs.version }

// Rules describes the rules in the document's order.
func (rs *RuleSet) Rules() []RuleInfo {
	out := make([]RuleInfo, len(rs.rules))
	for i, r := range rs.rules {
		out[i] = RuleInfo{ID: r.id, Description: r.description, Priority: r.priority}
		for _, a := range r.actions {
			if a.kind == actOffer {
				out[i].Offers = append(out[i].Offers, a.offer.id)
			}
		}
	}
	return out
}

// JSON returns a copy of the document the set was parsed from.
func (rs *RuleSet) JSON() []byte { return bytes.Clone(rs.src) }

//go:embed default_rules.json
var defaultRulesJSON []byte

// DefaultRulesJSON returns a copy of the embedded default rule document.
func DefaultRulesJSON() []byte { return bytes.Clone(defaultRulesJSON) }

// DefaultRules returns the embedded default rule set for skin care (see the
// package documentation), parsed once. It panics if the embedded document
// is invalid, which the package's tests rule out.
func DefaultRules() *RuleSet { return defaultRules() }

var defaultRules = sync.OnceValue(func() *RuleSet {
	rs, err := Parse(defaultRulesJSON)
	if err != nil {
		panic("recommend: the default rules: " + err.Error())
	}
	return rs
})

// The compiled form of a rule.
type rule struct {
	id          string
	description string
	priority    int
	when        cond // nil: always
	actions     []action
}

type actionKind uint8

const (
	actRecommend actionKind = iota + 1
	actExclude
	actOffer
)

type action struct {
	kind   actionKind
	sel    selector // recommend, exclude
	weight float64  // recommend
	reason Text     // recommend, exclude
	offer  *offerDef
}

type offerDef struct {
	id              string
	title           Text
	discount        int
	gift            Text
	validDays       int
	limit           int
	limitPeriodDays int
	appliesTo       *selector
}

// selector picks catalog items: an item matches when it meets every
// criterion given (within one list, any entry).
type selector struct {
	ids        []string
	tags       []string
	categories []string
	concerns   []string
	skinTypes  []string
	kinds      []Kind
	favorites  bool
	runningOut bool
	syms       [numFields][]int32 // tags, categories, concerns, skin types as RuleSet.syms numbers them
}

var (
	codeRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	itemIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	ruleIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// fieldError is an error inside a rule (or the document), before it is
// given the rule's index and id.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func ferr(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// Parse reads and validates a rule document: a JSON object
// {"version":1,"rules":[…]} in the format described in the package
// documentation. Decoding is strict: unknown and repeated fields, values of
// the wrong type and out-of-range values are refused. Every error is a
// *ParseError naming the rule and the field.
func Parse(data []byte) (*RuleSet, error) {
	if len(data) > MaxDocumentSize {
		return nil, &ParseError{Index: -1, Message: fmt.Sprintf("the document is larger than %d bytes", MaxDocumentSize)}
	}
	if !utf8.Valid(data) {
		return nil, &ParseError{Index: -1, Message: "the document is not valid UTF-8"}
	}
	var probe json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParseError{Index: -1, Message: fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
		}
		return nil, &ParseError{Index: -1, Message: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	top, err := object(data, "", "version", "rules")
	if err != nil {
		return nil, docError(err)
	}
	rawVersion, ok := top["version"]
	if !ok {
		return nil, &ParseError{Index: -1, Field: "version", Message: "required"}
	}
	v, err := integer(rawVersion, "version")
	if err != nil {
		return nil, docError(err)
	}
	if v != Version {
		return nil, &ParseError{Index: -1, Field: "version", Message: fmt.Sprintf("%d is not supported (this engine reads version %d)", v, Version)}
	}
	rawRules, ok := top["rules"]
	if !ok {
		return nil, &ParseError{Index: -1, Field: "rules", Message: "required"}
	}
	items, err := list(rawRules, "rules")
	if err != nil {
		return nil, docError(err)
	}
	if len(items) > MaxRules {
		return nil, &ParseError{Index: -1, Field: "rules", Message: fmt.Sprintf("more than %d rules", MaxRules)}
	}
	rs := &RuleSet{version: v, rules: make([]rule, 0, len(items)), src: bytes.Clone(data)}
	ruleAt := map[string]int{}
	offerAt := map[string]int{}
	for i, raw := range items {
		r, err := parseRule(raw)
		if err == nil {
			if j, dup := ruleAt[r.id]; dup {
				err = ferr("id", "%q is already the id of rules[%d]", r.id, j)
			}
		}
		if err == nil {
			for k, a := range r.actions {
				if a.kind != actOffer {
					continue
				}
				if j, dup := offerAt[a.offer.id]; dup {
					err = ferr(index("then", k)+".offer.id", "%q is already an offer of rules[%d]", a.offer.id, j)
					break
				}
				offerAt[a.offer.id] = i
			}
		}
		if err != nil {
			pe := &ParseError{Index: i, RuleID: r.id}
			var fe *fieldError
			if errors.As(err, &fe) {
				pe.Field, pe.Message = fe.field, fe.msg
			} else {
				pe.Message = err.Error()
			}
			return nil, pe
		}
		ruleAt[r.id] = i
		for k := range r.actions {
			if a := &r.actions[k]; a.kind == actOffer {
				if a.offer.appliesTo != nil {
					rs.intern(a.offer.appliesTo)
				}
			} else {
				rs.intern(&a.sel)
			}
		}
		rs.rules = append(rs.rules, r)
	}
	return rs, nil
}

func docError(err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		return &ParseError{Index: -1, Field: fe.field, Message: fe.msg}
	}
	return &ParseError{Index: -1, Message: err.Error()}
}

// parseRule returns the rule, and on an error the rule with as much as was
// read (its id, when valid) for the error's text.
func parseRule(raw json.RawMessage) (rule, error) {
	var r rule
	// The id first, so that every later error can name the rule.
	if raw, ok := peekField(raw, "id"); ok {
		if s, err := str(raw, "id"); err == nil && ruleIDRE.MatchString(s) {
			r.id = s
		}
	}
	o, err := object(raw, "", "id", "description", "priority", "when", "then")
	if err != nil {
		if fe := (*fieldError)(nil); errors.As(err, &fe) && fe.field == "" {
			return r, errors.New("want an object")
		}
		return r, err
	}
	rawID, ok := o["id"]
	if !ok {
		return r, ferr("id", "required")
	}
	id, err := str(rawID, "id")
	if err != nil {
		return r, err
	}
	if !ruleIDRE.MatchString(id) {
		return r, ferr("id", "%q is not a rule id (1–64 lower-case letters, digits, dots, dashes, underscores)", id)
	}
	if strings.HasPrefix(id, "builtin") {
		return r, ferr("id", "ids starting with \"builtin\" are the engine's")
	}
	r.id = id
	rawDesc, ok := o["description"]
	if !ok {
		return r, ferr("description", "required")
	}
	if r.description, err = plainText(rawDesc, "description", maxDescription); err != nil {
		return r, err
	}
	if raw, ok := o["priority"]; ok {
		if r.priority, err = integer(raw, "priority"); err != nil {
			return r, err
		}
		if r.priority < -maxPriority || r.priority > maxPriority {
			return r, ferr("priority", "%d is out of range (-%d to %d)", r.priority, maxPriority, maxPriority)
		}
	}
	if raw, ok := o["when"]; ok {
		if r.when, err = parseCond(raw, "when", 0); err != nil {
			return r, err
		}
	}
	rawThen, ok := o["then"]
	if !ok {
		return r, ferr("then", "required")
	}
	acts, err := list(rawThen, "then")
	if err != nil {
		return r, err
	}
	if len(acts) == 0 {
		return r, ferr("then", "no actions")
	}
	if len(acts) > maxActions {
		return r, ferr("then", "more than %d actions", maxActions)
	}
	for k, raw := range acts {
		a, err := parseAction(raw, index("then", k))
		if err != nil {
			return r, err
		}
		r.actions = append(r.actions, a)
	}
	return r, nil
}

func parseAction(raw json.RawMessage, path string) (action, error) {
	o, err := object(raw, path, "recommend", "exclude", "offer")
	if err != nil {
		return action{}, err
	}
	if len(o) != 1 {
		return action{}, ferr(path, "give exactly one of recommend, exclude, offer")
	}
	var a action
	if raw, ok := o["recommend"]; ok {
		p := join(path, "recommend")
		o, err := object(raw, p, append(selectorKeys[:len(selectorKeys):len(selectorKeys)], "weight", "reason")...)
		if err != nil {
			return a, err
		}
		a.kind = actRecommend
		if a.sel, err = parseSelector(o, p, true); err != nil {
			return a, err
		}
		w, ok := o["weight"]
		if !ok {
			return a, ferr(join(p, "weight"), "required")
		}
		if a.weight, err = number(w, join(p, "weight")); err != nil {
			return a, err
		}
		if a.weight == 0 || math.Abs(a.weight) > maxWeight {
			return a, ferr(join(p, "weight"), "%s is out of range (a non-zero number from -%d to %d)", fmtNum(a.weight), maxWeight, maxWeight)
		}
		if a.reason, err = requiredText(o, p, "reason"); err != nil {
			return a, err
		}
		return a, nil
	}
	if raw, ok := o["exclude"]; ok {
		p := join(path, "exclude")
		o, err := object(raw, p, append(selectorKeys[:len(selectorKeys):len(selectorKeys)], "reason")...)
		if err != nil {
			return a, err
		}
		a.kind = actExclude
		if a.sel, err = parseSelector(o, p, true); err != nil {
			return a, err
		}
		if a.reason, err = requiredText(o, p, "reason"); err != nil {
			return a, err
		}
		return a, nil
	}
	a.kind = actOffer
	a.offer, err = parseOffer(o["offer"], join(path, "offer"))
	return a, err
}

func parseOffer(raw json.RawMessage, p string) (*offerDef, error) {
	o, err := object(raw, p, "id", "title", "discount_percent", "gift", "valid_days", "per_client_limit", "limit_period_days", "applies_to")
	if err != nil {
		return nil, err
	}
	d := &offerDef{limit: 1}
	rawID, ok := o["id"]
	if !ok {
		return nil, ferr(join(p, "id"), "required")
	}
	if d.id, err = str(rawID, join(p, "id")); err != nil {
		return nil, err
	}
	if !ruleIDRE.MatchString(d.id) {
		return nil, ferr(join(p, "id"), "%q is not an offer id (1–64 lower-case letters, digits, dots, dashes, underscores)", d.id)
	}
	if d.title, err = requiredText(o, p, "title"); err != nil {
		return nil, err
	}
	_, hasDiscount := o["discount_percent"]
	_, hasGift := o["gift"]
	if !hasDiscount && !hasGift {
		return nil, ferr(p, "give discount_percent, gift or both")
	}
	if hasDiscount {
		if d.discount, err = intIn(o["discount_percent"], join(p, "discount_percent"), 1, 100); err != nil {
			return nil, err
		}
	}
	if hasGift {
		if d.gift, err = requiredText(o, p, "gift"); err != nil {
			return nil, err
		}
	}
	rawValid, ok := o["valid_days"]
	if !ok {
		return nil, ferr(join(p, "valid_days"), "required")
	}
	if d.validDays, err = intIn(rawValid, join(p, "valid_days"), 1, 366); err != nil {
		return nil, err
	}
	if raw, ok := o["per_client_limit"]; ok {
		if d.limit, err = intIn(raw, join(p, "per_client_limit"), 1, 1000); err != nil {
			return nil, err
		}
	}
	if raw, ok := o["limit_period_days"]; ok {
		if d.limitPeriodDays, err = intIn(raw, join(p, "limit_period_days"), 1, maxDays); err != nil {
			return nil, err
		}
	}
	if raw, ok := o["applies_to"]; ok {
		ap := join(p, "applies_to")
		so, err := object(raw, ap, selectorKeys...)
		if err != nil {
			return nil, err
		}
		sel, err := parseSelector(so, ap, true)
		if err != nil {
			return nil, err
		}
		d.appliesTo = &sel
	}
	return d, nil
}

var selectorKeys = []string{"ids", "tags", "categories", "kinds", "concerns", "skin_types", "favorites", "running_out"}

// parseSelector reads the selector keys of o; nonEmpty requires at least
// one criterion.
func parseSelector(o map[string]json.RawMessage, p string, nonEmpty bool) (selector, error) {
	var s selector
	var err error
	n := 0
	if raw, ok := o["ids"]; ok {
		if s.ids, err = stringList(raw, join(p, "ids"), itemIDRE, "an item id"); err != nil {
			return s, err
		}
		n++
	}
	for _, f := range []struct {
		key string
		dst *[]string
	}{{"tags", &s.tags}, {"categories", &s.categories}, {"concerns", &s.concerns}, {"skin_types", &s.skinTypes}} {
		if raw, ok := o[f.key]; ok {
			if *f.dst, err = codeList(raw, join(p, f.key)); err != nil {
				return s, err
			}
			n++
		}
	}
	if raw, ok := o["kinds"]; ok {
		ks, err := stringList(raw, join(p, "kinds"), nil, "")
		if err != nil {
			return s, err
		}
		for _, k := range ks {
			switch Kind(k) {
			case KindProcedure, KindProduct, KindHomeCare:
				s.kinds = append(s.kinds, Kind(k))
			default:
				return s, ferr(join(p, "kinds"), "%q is not a kind (procedure, product, home_care)", k)
			}
		}
		n++
	}
	if raw, ok := o["favorites"]; ok {
		if err := isTrue(raw, join(p, "favorites")); err != nil {
			return s, err
		}
		s.favorites = true
		n++
	}
	if raw, ok := o["running_out"]; ok {
		if err := isTrue(raw, join(p, "running_out")); err != nil {
			return s, err
		}
		s.runningOut = true
		n++
	}
	if nonEmpty && n == 0 {
		return s, ferr(p, "select items by at least one of %s", strings.Join(selectorKeys, ", "))
	}
	return s, nil
}

// --- JSON helpers -----------------------------------------------------------

// object reads raw as a JSON object whose keys are all in allowed, each
// given once. The keys are checked in the document's order.
func object(raw json.RawMessage, path string, allowed ...string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, ferr(path, "want an object")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, ferr(path, "want an object")
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, ferr(path, "want an object")
		}
		if !contains(allowed, key) {
			return nil, ferr(join(path, quoteKey(key)), "unknown field")
		}
		if _, dup := out[key]; dup {
			return nil, ferr(join(path, key), "given twice")
		}
		out[key] = v
	}
	return out, nil
}

// quoteKey keeps a field path readable when an unknown key is odd.
func quoteKey(k string) string {
	if k != "" && codeRE.MatchString(k) {
		return k
	}
	return strconv.Quote(k)
}

// peekField returns the value of key in raw when raw is an object that has
// it (the first one).
func peekField(raw json.RawMessage, key string) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if tok == key {
			return v, true
		}
	}
	return nil, false
}

func list(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, ferr(path, "want a list")
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, ferr(path, "want a list")
	}
	return out, nil
}

func str(raw json.RawMessage, path string) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", ferr(path, "want a string")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", ferr(path, "want a string")
	}
	return s, nil
}

func integer(raw json.RawMessage, path string) (int, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, ferr(path, "want a whole number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange), f != math.Trunc(f):
		return 0, ferr(path, "%s is not a whole number", string(raw))
	case err != nil || math.Abs(f) > 1e9:
		return 0, ferr(path, "%s is out of range", string(raw))
	}
	return int(f), nil
}

func intIn(raw json.RawMessage, path string, lo, hi int) (int, error) {
	n, err := integer(raw, path)
	if err != nil {
		return 0, err
	}
	if n < lo || n > hi {
		return 0, ferr(path, "%d is out of range (%d to %d)", n, lo, hi)
	}
	return n, nil
}

func number(raw json.RawMessage, path string) (float64, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, ferr(path, "want a number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, ferr(path, "%s is out of range", string(raw))
	}
	return f, nil
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func isTrue(raw json.RawMessage, path string) error {
	switch string(raw) {
	case "true":
		return nil
	case "false":
		return ferr(path, "false is not allowed: leave the field out, or use \"not\"")
	}
	return ferr(path, "want true")
}

// stringList reads a non-empty list of distinct strings, each matching re
// (nil: any non-empty string without control characters).
func stringList(raw json.RawMessage, path string, re *regexp.Regexp, what string) ([]string, error) {
	items, err := list(raw, path)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, ferr(path, "empty list")
	}
	if len(items) > maxListLen {
		return nil, ferr(path, "more than %d entries", maxListLen)
	}
	out := make([]string, 0, len(items))
	for i, raw := range items {
		s, err := str(raw, index(path, i))
		if err != nil {
			return nil, err
		}
		if re != nil && !re.MatchString(s) {
			return nil, ferr(path, "%q is not %s", s, what)
		}
		if re == nil && (strings.TrimSpace(s) == "" || strings.ContainsFunc(s, unicode.IsControl) || utf8.RuneCountInString(s) > 100) {
			return nil, ferr(path, "%q is not allowed (1–100 characters, no control characters)", s)
		}
		if contains(out, s) {
			return nil, ferr(path, "%q is given twice", s)
		}
		out = append(out, s)
	}
	return out, nil
}

func codeList(raw json.RawMessage, path string) ([]string, error) {
	return stringList(raw, path, codeRE, "a code (lower-case letters, digits, underscores)")
}

func code(raw json.RawMessage, path string) (string, error) {
	s, err := str(raw, path)
	if err != nil {
		return "", err
	}
	if !codeRE.MatchString(s) {
		return "", ferr(path, "%q is not a code (lower-case letters, digits, underscores)", s)
	}
	return s, nil
}

func plainText(raw json.RawMessage, path string, max int) (string, error) {
	s, err := str(raw, path)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", ferr(path, "required")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }):
		return "", ferr(path, "contains control characters")
	case utf8.RuneCountInString(s) > max:
		return "", ferr(path, "longer than %d characters", max)
	}
	return s, nil
}

// requiredText reads o[key] as a {"ru","en"} text with both languages.
func requiredText(o map[string]json.RawMessage, path, key string) (Text, error) {
	p := join(path, key)
	raw, ok := o[key]
	if !ok {
		return Text{}, ferr(p, "required")
	}
	t, err := object(raw, p, "ru", "en")
	if err != nil {
		return Text{}, err
	}
	var out Text
	for _, l := range []struct {
		key string
		dst *string
	}{{"ru", &out.RU}, {"en", &out.EN}} {
		raw, ok := t[l.key]
		if !ok {
			return Text{}, ferr(join(p, l.key), "required")
		}
		if *l.dst, err = plainText(raw, join(p, l.key), maxText); err != nil {
			return Text{}, err
		}
	}
	return out, nil
}
