package recommend_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/recommend"
)

func doc(rules ...string) string {
	return `{"version":1,"rules":[` + strings.Join(rules, ",") + `]}`
}

// r is a valid rule with the given id whose when and then can be replaced.
func r(id, when, then string) string {
	s := `{"id":"` + id + `","description":"d"`
	if when != "" {
		s += `,"when":` + when
	}
	if then == "" {
		then = `[{"recommend":{"tags":["spf"],"weight":1,"reason":{"ru":"р","en":"e"}}}]`
	}
	return s + `,"then":` + then + `}`
}

const reason = `"reason":{"ru":"р","en":"e"}`

func TestParseRejects(t *testing.T) {
	ok := r("a", "", "")
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{"version":1,`, "invalid JSON at byte 13: unexpected end of JSON input"},
		{"syntax error", `{"version":1,"rules":[}`, "invalid JSON at byte 23: invalid character '}' looking for beginning of value"},
		{"not UTF-8", "{\"version\":1,\"rules\":[],\"x\":\"\xff\"}", "the document is not valid UTF-8"},
		{"a list", `[]`, "want an object"},
		{"no version", `{"rules":[]}`, "version: required"},
		{"version 2", `{"version":2,"rules":[]}`, "version: 2 is not supported (this engine reads version 1)"},
		{"version string", `{"version":"1","rules":[]}`, "version: want a whole number"},
		{"version repeated", `{"version":1,"version":1,"rules":[]}`, "version: given twice"},
		{"no rules", `{"version":1}`, "rules: required"},
		{"rules object", `{"version":1,"rules":{}}`, "rules: want a list"},
		{"unknown top field", `{"version":1,"rules":[],"extra":1}`, "extra: unknown field"},
		{"unknown odd field", `{"version":1,"rules":[],"Rules":[]}`, `"Rules": unknown field`},
		{"rule not object", doc(ok, `1`), "rules[1]: want an object"},
		{"no id", doc(`{"description":"d","then":[]}`), "rules[0]: id: required"},
		{"bad id", doc(r("Peel Pregnancy", "", "")), `rules[0]: id: "Peel Pregnancy" is not a rule id (1–64 lower-case letters, digits, dots, dashes, underscores)`},
		{"id not string", doc(`{"id":7,"description":"d","then":[]}`), "rules[0]: id: want a string"},
		{"builtin id", doc(r("builtin.x", "", "")), `rules[0] (builtin.x): id: ids starting with "builtin" are the engine's`},
		{"repeated id", doc(ok, ok), `rules[1] (a): id: "a" is already the id of rules[0]`},
		{"no description", doc(`{"id":"a","then":[]}`), "rules[0] (a): description: required"},
		{"blank description", doc(`{"id":"a","description":"  ","then":[]}`), "rules[0] (a): description: required"},
		{"unknown rule field", doc(`{"id":"a","description":"d","wen":{},"then":[]}`), "rules[0] (a): wen: unknown field"},
		{"priority fraction", doc(`{"id":"a","description":"d","priority":1.5,"then":[]}`), "rules[0] (a): priority: 1.5 is not a whole number"},
		{"priority range", doc(`{"id":"a","description":"d","priority":5000,"then":[]}`), "rules[0] (a): priority: 5000 is out of range (-1000 to 1000)"},
		{"month 13", doc(ok, r("b", "", ""), r("c", "", ""), r("peel-pregnancy", `{"month":[6,13]}`, "")),
			"rules[3] (peel-pregnancy): when.month: 13 is not a month"},
		{"month twice", doc(r("a", `{"month":[6,6]}`, "")), "rules[0] (a): when.month: 6 is given twice"},
		{"month string", doc(r("a", `{"month":["june"]}`, "")), "rules[0] (a): when.month[0]: want a whole number"},
		{"when null", doc(r("a", `null`, "")), "rules[0] (a): when: want an object"},
		{"unknown condition", doc(r("a", `{"colour":"red"}`, "")), "rules[0] (a): when.colour: unknown field"},
		{"skin type code", doc(r("a", `{"skin_type":["Oily"]}`, "")), `rules[0] (a): when.skin_type: "Oily" is not a code (lower-case letters, digits, underscores)`},
		{"skin type empty", doc(r("a", `{"skin_type":[]}`, "")), "rules[0] (a): when.skin_type: empty list"},
		{"severity", doc(r("a", `{"concern":{"code":"acne","min_severity":4}}`, "")), "rules[0] (a): when.concern.min_severity: 4 is out of range (1 to 3)"},
		{"concern code", doc(r("a", `{"concern":{"min_severity":2}}`, "")), "rules[0] (a): when.concern.code: required"},
		{"age order", doc(r("a", `{"age":{"min":40,"max":30}}`, "")), "rules[0] (a): when.age: min 40 is above max 30"},
		{"age empty", doc(r("a", `{"age":{}}`, "")), "rules[0] (a): when.age: give min, max or both"},
		{"phototype", doc(r("a", `{"phototype":{"min":0}}`, "")), "rules[0] (a): when.phototype.min: 0 is out of range (1 to 6)"},
		{"season", doc(r("a", `{"season":["monsoon"]}`, "")), `rules[0] (a): when.season: "monsoon" is not a season (winter, spring, summer, autumn)`},
		{"birthday false", doc(r("a", `{"birthday_month":false}`, "")), `rules[0] (a): when.birthday_month: false is not allowed: leave the field out, or use "not"`},
		{"score range", doc(r("a", `{"score":{"concern":"acne","min":11}}`, "")), "rules[0] (a): when.score.min: 11 is out of range (0 to 10)"},
		{"trend direction", doc(r("a", `{"trend":{"concern":"acne","direction":"up"}}`, "")), `rules[0] (a): when.trend.direction: "up" is not a direction (worsening, improving)`},
		{"trend change", doc(r("a", `{"trend":{"concern":"acne","direction":"worsening","min_change":0}}`, "")), "rules[0] (a): when.trend.min_change: 0 is out of range (above 0, at most 10)"},
		{"procedure modes", doc(r("a", `{"procedure":{"tag":"laser","within_days":10,"ever":true}}`, "")),
			"rules[0] (a): when.procedure: give exactly one of within_days, not_within_days, ever"},
		{"procedure no mode", doc(r("a", `{"procedure":{"tag":"laser"}}`, "")),
			"rules[0] (a): when.procedure: give exactly one of within_days, not_within_days, ever"},
		{"procedure runs out", doc(r("a", `{"procedure":{"tag":"laser","runs_out_within_days":3}}`, "")),
			"rules[0] (a): when.procedure.runs_out_within_days: unknown field"},
		{"bought days", doc(r("a", `{"bought":{"tag":"retinoid","within_days":0}}`, "")), "rules[0] (a): when.bought.within_days: 0 is out of range (1 to 3650)"},
		{"plan state", doc(r("a", `{"plan":{"state":"late"}}`, "")), `rules[0] (a): when.plan.state: "late" is not a plan state (active, due, completed)`},
		{"plan days", doc(r("a", `{"plan":{"state":"due","within_days":3}}`, "")), `rules[0] (a): when.plan.within_days: only with state "completed"`},
		{"favorite field", doc(r("a", `{"favorite":{"favorites":true}}`, "")), "rules[0] (a): when.favorite.favorites: unknown field"},
		{"nested", doc(r("a", `{"any":[{"skin_type":["dry"]},{"score":{"max":3}}]}`, "")), "rules[0] (a): when.any[1].score.concern: required"},
		{"not", doc(r("a", `{"not":{"all":[]}}`, "")), "rules[0] (a): when.not.all: empty list"},
		{"too deep", doc(r("a", strings.Repeat(`{"not":`, 10)+`{}`+strings.Repeat(`}`, 10), "")),
			"rules[0] (a): when.not.not.not.not.not.not.not.not.not: conditions nested more than 8 deep"},
		{"no then", doc(`{"id":"a","description":"d"}`), "rules[0] (a): then: required"},
		{"empty then", doc(r("a", "", `[]`)), "rules[0] (a): then: no actions"},
		{"two actions in one", doc(r("a", "", `[{"recommend":{"tags":["spf"],"weight":1,`+reason+`},"exclude":{"tags":["x"],`+reason+`}}]`)),
			"rules[0] (a): then[0]: give exactly one of recommend, exclude, offer"},
		{"no selector", doc(r("a", "", `[{"recommend":{"weight":1,`+reason+`}}]`)),
			"rules[0] (a): then[0].recommend: select items by at least one of ids, tags, categories, kinds, concerns, skin_types, favorites, running_out"},
		{"weight zero", doc(r("a", "", `[{"recommend":{"tags":["spf"],"weight":0,`+reason+`}}]`)),
			"rules[0] (a): then[0].recommend.weight: 0 is out of range (a non-zero number from -100 to 100)"},
		{"weight string", doc(r("a", "", `[{"recommend":{"tags":["spf"],"weight":"3",`+reason+`}}]`)), "rules[0] (a): then[0].recommend.weight: want a number"},
		{"weight missing", doc(r("a", "", `[{"recommend":{"tags":["spf"],`+reason+`}}]`)), "rules[0] (a): then[0].recommend.weight: required"},
		{"reason en", doc(r("a", "", `[{"recommend":{"tags":["spf"],"weight":1,"reason":{"ru":"р"}}}]`)), "rules[0] (a): then[0].recommend.reason.en: required"},
		{"reason language", doc(r("a", "", `[{"recommend":{"tags":["spf"],"weight":1,"reason":{"ru":"р","en":"e","de":"d"}}}]`)),
			"rules[0] (a): then[0].recommend.reason.de: unknown field"},
		{"kind", doc(r("a", "", `[{"recommend":{"kinds":["service"],"weight":1,`+reason+`}}]`)),
			`rules[0] (a): then[0].recommend.kinds: "service" is not a kind (procedure, product, home_care)`},
		{"tag twice", doc(r("a", "", `[{"exclude":{"tags":["laser","laser"],`+reason+`}}]`)), `rules[0] (a): then[0].exclude.tags: "laser" is given twice`},
		{"item id", doc(r("a", "", `[{"exclude":{"ids":["a b"],`+reason+`}}]`)), `rules[0] (a): then[0].exclude.ids: "a b" is not an item id`},
		{"exclude reason", doc(r("a", "", `[{"exclude":{"tags":["laser"]}}]`)), "rules[0] (a): then[0].exclude.reason: required"},
		{"exclude weight", doc(r("a", "", `[{"exclude":{"tags":["laser"],"weight":2,`+reason+`}}]`)), "rules[0] (a): then[0].exclude.weight: unknown field"},
		{"running out false", doc(r("a", "", `[{"recommend":{"running_out":false,"weight":1,`+reason+`}}]`)),
			`rules[0] (a): then[0].recommend.running_out: false is not allowed: leave the field out, or use "not"`},
		{"offer without benefit", doc(r("a", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"valid_days":10}}]`)),
			"rules[0] (a): then[0].offer: give discount_percent, gift or both"},
		{"offer discount", doc(r("a", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"discount_percent":120,"valid_days":10}}]`)),
			"rules[0] (a): then[0].offer.discount_percent: 120 is out of range (1 to 100)"},
		{"offer valid days", doc(r("a", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"discount_percent":10}}]`)),
			"rules[0] (a): then[0].offer.valid_days: required"},
		{"offer limit", doc(r("a", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"discount_percent":10,"valid_days":5,"per_client_limit":0}}]`)),
			"rules[0] (a): then[0].offer.per_client_limit: 0 is out of range (1 to 1000)"},
		{"offer applies to nothing", doc(r("a", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"gift":{"ru":"р","en":"e"},"valid_days":5,"applies_to":{}}}]`)),
			"rules[0] (a): then[0].offer.applies_to: select items by at least one of ids, tags, categories, kinds, concerns, skin_types, favorites, running_out"},
		{"offer id twice", doc(
			r("a", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"discount_percent":10,"valid_days":5}}]`),
			r("b", "", `[{"offer":{"id":"o","title":{"ru":"р","en":"e"},"discount_percent":10,"valid_days":5}}]`)),
			`rules[1] (b): then[0].offer.id: "o" is already an offer of rules[0]`},
		{"too big", `{"version":1,"rules":[],"x":"` + strings.Repeat("x", recommend.MaxDocumentSize) + `"}`, "the document is larger than 4194304 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := recommend.Parse([]byte(tt.doc))
			require.Error(t, err)
			assert.Nil(t, rs)
			assert.Equal(t, tt.want, err.Error())
			assert.ErrorIs(t, err, recommend.ErrInvalidRules)
			var pe *recommend.ParseError
			require.ErrorAs(t, err, &pe)
		})
	}
}

func TestParseErrorFields(t *testing.T) {
	_, err := recommend.Parse([]byte(doc(r("a", "", ""), r("peel-pregnancy", `{"month":[13]}`, ""))))
	var pe *recommend.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, recommend.ParseError{Index: 1, RuleID: "peel-pregnancy", Field: "when.month", Message: "13 is not a month"}, *pe)
}

func TestParseAccepts(t *testing.T) {
	src := doc(
		`{"id":"everything","description":"Every condition once.","priority":-3,
		  "when":{"skin_type":["oily"],"concern":{"code":"acne","min_severity":2},"age":{"min":18},"phototype":{"max":4},
		    "contraindication":["x_new_code"],"no_contraindication":["pregnancy"],"allergy":["Латекс"],"month":[1,12],
		    "season":["winter"],"birthday_month":true,"score":{"concern":"acne","min":5,"max":9},
		    "trend":{"concern":"acne","direction":"improving","min_change":0.5},
		    "procedure":{"item":"svc-1","category":"peel","tag":"chemical_peel","ever":true},
		    "plan":{"state":"completed","service":"svc-1","within_days":30},"favorite":{},
		    "bought":{"tag":"retinoid","runs_out_within_days":7},
		    "all":[{}],"any":[{"not":{"month":[6]}}],"not":{"season":["summer"]}},
		  "then":[{"recommend":{"ids":["svc-1"],"tags":["a"],"categories":["b"],"kinds":["procedure"],"concerns":["acne"],
		    "skin_types":["oily"],"favorites":true,"running_out":true,"weight":-2.5,"reason":{"ru":"р","en":"e"}}},
		    {"exclude":{"tags":["laser"],"reason":{"ru":"р","en":"e"}}},
		    {"offer":{"id":"o-1","title":{"ru":"р","en":"e"},"gift":{"ru":"р","en":"e"},"valid_days":7,"per_client_limit":2,
		      "limit_period_days":365,"applies_to":{"favorites":true}}}]}`,
		r("always", "", ""))
	rs, err := recommend.Parse([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, 2, rs.Len())
	assert.Equal(t, 1, rs.Version())
	assert.Equal(t, []recommend.RuleInfo{
		{ID: "everything", Description: "Every condition once.", Priority: -3, Offers: []string{"o-1"}},
		{ID: "always", Description: "d"},
	}, rs.Rules())
	assert.Equal(t, src, string(rs.JSON()))

	empty, err := recommend.Parse([]byte(`{"version":1,"rules":[]}`))
	require.NoError(t, err)
	assert.Zero(t, empty.Len())
}

func TestDefaultRules(t *testing.T) {
	rs := recommend.DefaultRules()
	require.GreaterOrEqual(t, rs.Len(), 40)
	src := string(recommend.DefaultRulesJSON())

	// Every skin type and every concern of the questionnaire has a rule.
	for _, st := range skinTypes {
		assert.Contains(t, src, `"`+st+`"`, "skin type %s", st)
	}
	for _, c := range concernCodes {
		assert.Contains(t, src, `"code": "`+c+`"`, "concern %s", c)
	}
	// Every tag, category and concern the rules select is carried by the
	// demo catalog, so no rule is dead.
	carried := map[string]map[string]bool{"tags": {}, "categories": {}, "concerns": {}}
	for _, it := range demoCatalog() {
		for _, v := range it.Tags {
			carried["tags"][v] = true
		}
		for _, v := range it.Concerns {
			carried["concerns"][v] = true
		}
		carried["categories"][it.Category] = true
	}
	// Codes other catalogs use that the demo has no item for.
	carried["tags"]["microneedling"] = true
	carried["categories"]["microcurrent"] = true
	unknown := map[string]bool{}
	for field, known := range carried {
		for _, list := range jsonLists(src, field) {
			for _, v := range list {
				if !known[v] {
					unknown[field+":"+v] = true
				}
			}
		}
	}
	assert.Empty(t, unknown, "selected by the default rules but carried by no demo item")
	// Offers: come back, birthday, course completed, favourite service.
	var offers []string
	for _, ri := range rs.Rules() {
		offers = append(offers, ri.Offers...)
	}
	assert.Subset(t, offers, []string{"come-back-15", "birthday", "course-maintenance-10", "favorite-service-10"})
}

// jsonLists returns the string lists given for a field anywhere in src
// (a simple scan: the default document is formatted one value a line).
func jsonLists(src, field string) [][]string {
	var out [][]string
	for _, chunk := range strings.Split(src, `"`+field+`": [`)[1:] {
		end := strings.Index(chunk, "]")
		var list []string
		for _, v := range strings.Split(chunk[:end], ",") {
			if v = strings.Trim(strings.TrimSpace(v), `"`); v != "" {
				list = append(list, v)
			}
		}
		out = append(out, list)
	}
	return out
}

func TestParseErrorWithoutRule(t *testing.T) {
	err := error(&recommend.ParseError{Index: -1, Field: "version", Message: "required"})
	assert.Equal(t, "version: required", err.Error())
	assert.True(t, errors.Is(err, recommend.ErrInvalidRules))
	assert.Equal(t, "rules[2]: want an object", fmt.Sprint(&recommend.ParseError{Index: 2, Message: "want an object"}))
}

// The complete example of the package documentation parses.
func TestDocExample(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	text := string(src)
	start := strings.Index(text, "// A complete example:\n//\n")
	end := strings.Index(text, "// Limits:")
	require.True(t, start > 0 && end > start)
	var b strings.Builder
	for _, line := range strings.Split(text[start:end], "\n")[2:] {
		b.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "//"), "\t"))
		b.WriteString("\n")
	}
	rs, err := recommend.Parse([]byte(b.String()))
	require.NoError(t, err)
	assert.Equal(t, 3, rs.Len())
}
