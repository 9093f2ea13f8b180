package recommend_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/recommend"
)

// summer is the Now of most tests: a July day (northern summer, a high-sun
// month).
var summer = day(2025, time.July, 15)

func engine(t *testing.T, cfg recommend.Config, rules string) *recommend.Engine {
	t.Helper()
	if rules != "" {
		rs, err := recommend.Parse([]byte(rules))
		require.NoError(t, err)
		cfg.Rules = rs
	}
	e, err := recommend.New(cfg)
	require.NoError(t, err)
	return e
}

// probeCatalog: the item "x" that probe rules recommend, and items the
// facts' history and favourites refer to.
func probeCatalog() []recommend.Item {
	return []recommend.Item{
		{ID: "x", Kind: recommend.KindProduct, Category: "probe"},
		{ID: "peel", Kind: recommend.KindProcedure, Category: "peel", Tags: []string{"chemical_peel"}},
		{ID: "massage", Kind: recommend.KindProcedure, Category: "massage"},
		{ID: "retinol", Kind: recommend.KindProduct, Category: "serum", Tags: []string{"retinoid"}},
	}
}

func TestConditions(t *testing.T) {
	base := recommend.Facts{
		SkinType: "oily", Phototype: 2, Age: 34, BirthMonth: time.July,
		Concerns:          []recommend.Concern{{Code: "acne", Severity: 2}, {Code: "dullness"}},
		Contraindications: []string{"anticoagulants"},
		Allergies:         []string{" Латекс "},
		Scores:            []recommend.Score{{Concern: "acne", Value: 6, Trend: 1.5}, {Concern: "pigmentation", Value: 3, Trend: -2}, {Concern: "dullness", Value: 2, Trend: 0.5}},
		Procedures: []recommend.Procedure{
			{ItemID: "peel", At: summer.AddDate(0, 0, -20)},                                              // tags from the catalog
			{ItemID: "gone", Category: "laser", Tags: []string{"laser"}, At: summer.AddDate(0, 0, -200)}, // not in the catalog
		},
		Plans: []recommend.Plan{
			{ServiceID: "massage", Done: 2, Total: 5, NextDue: summer.AddDate(0, 0, 2)},
			{ServiceID: "peel", Done: 4, Total: 4, LastSession: summer.AddDate(0, 0, -20)},
		},
		Purchases: []recommend.Purchase{{ItemID: "retinol", At: summer.AddDate(0, 0, -50), LastsDays: 60}},
		Favorites: []string{"massage"},
		Now:       summer,
	}
	with := func(change func(f *recommend.Facts)) recommend.Facts {
		f := base
		change(&f)
		return f
	}
	tests := []struct {
		name  string
		when  string
		facts recommend.Facts
		cfg   recommend.Config
		want  bool
	}{
		{"always", `{}`, base, recommend.Config{}, true},
		{"skin type", `{"skin_type":["dry","oily"]}`, base, recommend.Config{}, true},
		{"skin type other", `{"skin_type":["dry"]}`, base, recommend.Config{}, false},
		{"skin type unknown", `{"skin_type":["dry"]}`, with(func(f *recommend.Facts) { f.SkinType = "" }), recommend.Config{}, false},
		{"concern", `{"concern":{"code":"acne"}}`, base, recommend.Config{}, true},
		{"concern severity met", `{"concern":{"code":"acne","min_severity":2}}`, base, recommend.Config{}, true},
		{"concern severity short", `{"concern":{"code":"acne","min_severity":3}}`, base, recommend.Config{}, false},
		{"concern severity unset is mild", `{"concern":{"code":"dullness","min_severity":1}}`, base, recommend.Config{}, true},
		{"concern absent", `{"concern":{"code":"rosacea"}}`, base, recommend.Config{}, false},
		{"age in range", `{"age":{"min":30,"max":40}}`, base, recommend.Config{}, true},
		{"age below", `{"age":{"min":35}}`, base, recommend.Config{}, false},
		{"age unknown", `{"age":{"max":40}}`, with(func(f *recommend.Facts) { f.Age = 0 }), recommend.Config{}, false},
		{"phototype", `{"phototype":{"max":3}}`, base, recommend.Config{}, true},
		{"phototype unknown", `{"phototype":{"max":3}}`, with(func(f *recommend.Facts) { f.Phototype = 0 }), recommend.Config{}, false},
		{"contraindication present", `{"contraindication":["pregnancy","anticoagulants"]}`, base, recommend.Config{}, true},
		{"contraindication missing", `{"contraindication":["pregnancy"]}`, base, recommend.Config{}, false},
		{"no contraindication", `{"no_contraindication":["pregnancy"]}`, base, recommend.Config{}, true},
		{"no contraindication broken", `{"no_contraindication":["anticoagulants"]}`, base, recommend.Config{}, false},
		{"allergy ignores case and spaces", `{"allergy":["латекс"]}`, base, recommend.Config{}, true},
		{"allergy other", `{"allergy":["fragrance"]}`, base, recommend.Config{}, false},
		{"month", `{"month":[6,7,8]}`, base, recommend.Config{}, true},
		{"month other", `{"month":[1]}`, base, recommend.Config{}, false},
		{"month in Now's zone", `{"month":[8]}`, with(func(f *recommend.Facts) {
			f.Now = time.Date(2025, 7, 31, 22, 0, 0, 0, time.UTC).In(time.FixedZone("MSK", 3*3600))
		}), recommend.Config{}, true},
		{"season north", `{"season":["summer"]}`, base, recommend.Config{}, true},
		{"season south", `{"season":["winter"]}`, base, recommend.Config{Hemisphere: recommend.Southern}, true},
		{"season south not summer", `{"season":["summer"]}`, base, recommend.Config{Hemisphere: recommend.Southern}, false},
		{"birthday month", `{"birthday_month":true}`, base, recommend.Config{}, true},
		{"birthday other month", `{"birthday_month":true}`, with(func(f *recommend.Facts) { f.BirthMonth = time.May }), recommend.Config{}, false},
		{"birthday unknown", `{"birthday_month":true}`, with(func(f *recommend.Facts) { f.BirthMonth = 0 }), recommend.Config{}, false},
		{"score min", `{"score":{"concern":"acne","min":6}}`, base, recommend.Config{}, true},
		{"score above max", `{"score":{"concern":"acne","max":5}}`, base, recommend.Config{}, false},
		{"score missing", `{"score":{"concern":"rosacea","min":0}}`, base, recommend.Config{}, false},
		{"trend worsening", `{"trend":{"concern":"acne","direction":"worsening"}}`, base, recommend.Config{}, true},
		{"trend worsening slowly", `{"trend":{"concern":"dullness","direction":"worsening"}}`, base, recommend.Config{}, false},
		{"trend worsening slowly, small threshold", `{"trend":{"concern":"dullness","direction":"worsening","min_change":0.5}}`, base, recommend.Config{}, true},
		{"trend improving", `{"trend":{"concern":"pigmentation","direction":"improving","min_change":2}}`, base, recommend.Config{}, true},
		{"trend not improving", `{"trend":{"concern":"acne","direction":"improving"}}`, base, recommend.Config{}, false},
		{"procedure tag from the catalog", `{"procedure":{"tag":"chemical_peel","within_days":30}}`, base, recommend.Config{}, true},
		{"procedure too long ago", `{"procedure":{"category":"peel","within_days":14}}`, base, recommend.Config{}, false},
		{"procedure not within", `{"procedure":{"tag":"laser","not_within_days":180}}`, base, recommend.Config{}, true},
		{"procedure not within, broken", `{"procedure":{"tag":"laser","not_within_days":365}}`, base, recommend.Config{}, false},
		{"procedure never", `{"procedure":{"category":"injection","not_within_days":30}}`, base, recommend.Config{}, true},
		{"procedure ever", `{"procedure":{"item":"gone","ever":true}}`, base, recommend.Config{}, true},
		{"procedure any", `{"procedure":{"ever":true}}`, with(func(f *recommend.Facts) { f.Procedures = nil }), recommend.Config{}, false},
		{"plan active", `{"plan":{"state":"active","service":"massage"}}`, base, recommend.Config{}, true},
		{"plan due ahead", `{"plan":{"state":"due"}}`, base, recommend.Config{}, true},
		{"plan due too far ahead", `{"plan":{"state":"due"}}`, base, recommend.Config{PlanDueAhead: 24 * time.Hour}, false},
		{"plan booked is not due", `{"plan":{"state":"due"}}`, with(func(f *recommend.Facts) {
			f.Plans = []recommend.Plan{{ServiceID: "massage", Done: 2, Total: 5, NextDue: summer, Booked: true}}
		}), recommend.Config{}, false},
		{"plan completed", `{"plan":{"state":"completed","within_days":30}}`, base, recommend.Config{}, true},
		{"plan completed long ago", `{"plan":{"state":"completed","within_days":10}}`, base, recommend.Config{}, false},
		{"favorite any", `{"favorite":{}}`, base, recommend.Config{}, true},
		{"favorite none", `{"favorite":{}}`, with(func(f *recommend.Facts) { f.Favorites = nil }), recommend.Config{}, false},
		{"favorite procedure", `{"favorite":{"kinds":["procedure"],"categories":["massage"]}}`, base, recommend.Config{}, true},
		{"favorite product", `{"favorite":{"kinds":["product"]}}`, base, recommend.Config{}, false},
		{"bought within", `{"bought":{"tag":"retinoid","within_days":60}}`, base, recommend.Config{}, true},
		{"bought not within", `{"bought":{"tag":"retinoid","not_within_days":30}}`, base, recommend.Config{}, true},
		{"bought runs out", `{"bought":{"tag":"retinoid","runs_out_within_days":10}}`, base, recommend.Config{}, true},
		{"bought lasts", `{"bought":{"tag":"retinoid","runs_out_within_days":5}}`, base, recommend.Config{}, false},
		{"bought ever", `{"bought":{"category":"spf","ever":true}}`, base, recommend.Config{}, false},
		{"all", `{"all":[{"skin_type":["oily"]},{"age":{"min":30}}]}`, base, recommend.Config{}, true},
		{"all, one false", `{"all":[{"skin_type":["oily"]},{"age":{"min":40}}]}`, base, recommend.Config{}, false},
		{"keys are all", `{"skin_type":["oily"],"age":{"min":40}}`, base, recommend.Config{}, false},
		{"any", `{"any":[{"skin_type":["dry"]},{"age":{"min":30}}]}`, base, recommend.Config{}, true},
		{"any, none", `{"any":[{"skin_type":["dry"]},{"age":{"min":40}}]}`, base, recommend.Config{}, false},
		{"not", `{"not":{"skin_type":["dry"]}}`, base, recommend.Config{}, true},
		{"not not", `{"not":{"not":{"skin_type":["dry"]}}}`, base, recommend.Config{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := doc(r("probe", tt.when, `[{"recommend":{"ids":["x"],"weight":1,`+reason+`}}]`))
			e := engine(t, tt.cfg, rules)
			got := e.Explain(tt.facts, probeCatalog(), "x")
			assert.Equal(t, tt.want, got.Recommended, "%+v", got)
		})
	}
}

// everything recommends every item with the highest weight: the engine's
// safety must hold against it.
const everything = `{"version":1,"rules":[{"id":"everything","description":"A bad rule file.",
	"then":[{"recommend":{"kinds":["procedure","product","home_care"],"weight":100,"reason":{"ru":"всё","en":"all"}}}]}]}`

func TestBuiltinSafety(t *testing.T) {
	cat := demoCatalog()
	winter := day(2025, time.January, 15)
	tests := []struct {
		name     string
		facts    recommend.Facts
		item     string
		excluded []string // builtin rule IDs, in order
	}{
		{"own contraindication", recommend.Facts{Contraindications: []string{"anticoagulants"}, Now: winter}, "svc-botox",
			[]string{recommend.RuleContraindication}},
		{"pregnancy and a retinoid", recommend.Facts{Contraindications: []string{"pregnancy"}, Now: winter}, "prd-retinol-night",
			[]string{recommend.RuleContraindication, recommend.RulePregnancy}},
		{"pregnancy and a superficial peel", recommend.Facts{Contraindications: []string{"pregnancy"}, Now: winter}, "svc-peel-almond",
			[]string{recommend.RulePregnancy}},
		{"breastfeeding and microcurrents", recommend.Facts{Contraindications: []string{"breastfeeding"}, Now: winter}, "svc-microcurrent",
			[]string{recommend.RulePregnancy}},
		{"breastfeeding and laser hair removal", recommend.Facts{Contraindications: []string{"breastfeeding"}, Now: winter}, "svc-laser-hair",
			[]string{recommend.RulePregnancy}},
		{"phototype V and a light-skin laser", recommend.Facts{Phototype: 5, Now: winter}, "svc-laser-hair",
			[]string{recommend.RuleDarkPhototype}},
		{"sunburn and a peel", recommend.Facts{Contraindications: []string{"sunburn"}, Now: winter}, "svc-peel-almond",
			[]string{recommend.RuleContraindication, recommend.RuleSunburn}},
		{"herpes and a cleansing", recommend.Facts{Contraindications: []string{"active_herpes"}, Now: winter}, "svc-cleansing",
			[]string{recommend.RuleContraindication, recommend.RuleSkinBarrier}},
		{"skin infection and an injection", recommend.Facts{Contraindications: []string{"skin_infection"}, Now: winter}, "svc-biorevitalization",
			[]string{recommend.RuleContraindication, recommend.RuleSkinBarrier}},
		{"isotretinoin and laser", recommend.Facts{Contraindications: []string{"isotretinoin"}, Now: winter}, "svc-laser-rejuvenation",
			[]string{recommend.RuleContraindication, recommend.RuleIsotretinoin}},
		{"isotretinoin and home acids", recommend.Facts{Contraindications: []string{"isotretinoin"}, Now: winter}, "hc-acid-night",
			[]string{recommend.RuleContraindication, recommend.RuleIsotretinoin}},
		{"pacemaker and microcurrents", recommend.Facts{Contraindications: []string{"pacemaker"}, Now: winter}, "svc-microcurrent",
			[]string{recommend.RuleContraindication, recommend.RulePacemaker}},
		{"deep peel in July", recommend.Facts{Now: summer}, "svc-peel-tca", []string{recommend.RuleSeason}},
		{"cool-down", recommend.Facts{Now: winter, Procedures: []recommend.Procedure{{ItemID: "svc-botox", At: winter.AddDate(0, 0, -60)}}},
			"svc-botox", []string{recommend.RuleCooldown}},
		{"another skin type", recommend.Facts{SkinType: "dry", Now: winter}, "svc-cleansing", []string{recommend.RuleSkinType}},
		{"still in supply", recommend.Facts{Now: winter, Purchases: []recommend.Purchase{{ItemID: "prd-vitamin-c", At: winter.AddDate(0, 0, -10), LastsDays: 60}}},
			"prd-vitamin-c", []string{recommend.RuleInSupply}},
	}
	e := engine(t, recommend.Config{}, everything)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := e.Explain(tt.facts, cat, tt.item)
			require.True(t, x.Known)
			assert.False(t, x.Recommended)
			assert.Zero(t, x.Rank)
			assert.Equal(t, 100.0, x.Score, "the rule still fired")
			var got []string
			for _, ex := range x.Exclusions {
				assert.True(t, ex.Builtin)
				assert.NotEmpty(t, ex.Text.RU)
				assert.NotEmpty(t, ex.Text.EN)
				got = append(got, ex.RuleID)
			}
			assert.Equal(t, tt.excluded, got)
			assert.NotContains(t, ids(e.Recommend(tt.facts, cat, recommend.Options{})), tt.item)

			// Without the fact the item is recommended.
			clean := recommend.Facts{Now: day(2025, time.January, 15)}
			assert.True(t, e.Explain(clean, cat, tt.item).Recommended)
		})
	}
}

func TestContraindicationText(t *testing.T) {
	e := engine(t, recommend.Config{}, everything)
	x := e.Explain(recommend.Facts{Contraindications: []string{"breastfeeding", "anticoagulants", "x_new"}, Now: summer},
		[]recommend.Item{{ID: "i", Kind: recommend.KindProduct, Contraindications: []string{"x_new", "anticoagulants"}}}, "i")
	require.Len(t, x.Exclusions, 1)
	assert.Equal(t, recommend.Exclusion{RuleID: recommend.RuleContraindication, Builtin: true,
		Text: recommend.Text{RU: "Противопоказано: x new, приём антикоагулянтов.", EN: "Contraindicated: x new, anticoagulants."}}, x.Exclusions[0])
}

func TestHighSunMonthsConfig(t *testing.T) {
	cat := demoCatalog()
	f := recommend.Facts{Now: summer}
	south := engine(t, recommend.Config{Hemisphere: recommend.Southern}, everything)
	assert.True(t, south.Explain(f, cat, "svc-peel-tca").Recommended, "July is winter in the south")
	f.Now = day(2025, time.December, 10)
	assert.False(t, south.Explain(f, cat, "svc-peel-tca").Recommended)

	none := engine(t, recommend.Config{HighSunMonths: []time.Month{}}, everything)
	assert.True(t, none.Explain(recommend.Facts{Now: summer}, cat, "svc-peel-tca").Recommended)
	march := engine(t, recommend.Config{HighSunMonths: []time.Month{time.March}}, everything)
	assert.True(t, march.Explain(recommend.Facts{Now: summer}, cat, "svc-peel-tca").Recommended)
	assert.False(t, march.Explain(recommend.Facts{Now: day(2025, time.March, 3)}, cat, "svc-peel-tca").Recommended)

	_, err := recommend.New(recommend.Config{HighSunMonths: []time.Month{13}})
	require.ErrorIs(t, err, recommend.ErrInvalidConfig)
	assert.EqualError(t, err, "recommend: invalid config: HighSunMonths: 13 is not a month")
	_, err = recommend.New(recommend.Config{Hemisphere: 3})
	assert.EqualError(t, err, "recommend: invalid config: Hemisphere: 3 is not a hemisphere")
	_, err = recommend.New(recommend.Config{RestockDays: -1})
	assert.EqualError(t, err, "recommend: invalid config: RestockDays: -1 is out of range (0 to 3650)")
	_, err = recommend.New(recommend.Config{PlanDueAhead: -time.Hour})
	assert.EqualError(t, err, "recommend: invalid config: PlanDueAhead: negative")
}

// rule exclusions are hard: a high weight elsewhere does not undo them.
func TestRuleExclusion(t *testing.T) {
	rules := doc(
		r("up", "", `[{"recommend":{"categories":["massage"],"weight":50,`+reason+`}}]`),
		r("no-massage", `{"concern":{"code":"acne","min_severity":2}}`, `[{"exclude":{"categories":["massage"],"reason":{"ru":"нет","en":"no"}}}]`))
	e := engine(t, recommend.Config{}, rules)
	cat := demoCatalog()
	f := recommend.Facts{Concerns: []recommend.Concern{{Code: "acne", Severity: 2}}, Now: summer}
	x := e.Explain(f, cat, "svc-massage")
	assert.False(t, x.Recommended)
	assert.Equal(t, []recommend.Exclusion{{RuleID: "no-massage", Text: recommend.Text{RU: "нет", EN: "no"}}}, x.Exclusions)
	f.Concerns[0].Severity = 1
	assert.True(t, e.Explain(f, cat, "svc-massage").Recommended)
}

func TestCourseContinuation(t *testing.T) {
	cat := demoCatalog()
	e := engine(t, recommend.Config{}, "") // the default rules
	f := recommend.Facts{SkinType: "dry", Concerns: []recommend.Concern{{Code: "dehydration", Severity: 3}}, Now: day(2025, time.February, 10),
		Procedures: []recommend.Procedure{{ItemID: "svc-microcurrent", At: day(2025, time.February, 6)}},
		Plans: []recommend.Plan{
			{ServiceID: "svc-microcurrent", Done: 3, Total: 10, NextDue: day(2025, time.February, 12)},            // due in 2 days, within its cool-down
			{ServiceID: "svc-massage", Done: 1, Total: 5, NextDue: day(2025, time.February, 1)},                   // overdue: first
			{ServiceID: "svc-mask-hydration", Done: 1, Total: 5, NextDue: day(2025, time.March, 1)},               // not yet due
			{ServiceID: "svc-peel-almond", Done: 1, Total: 4, NextDue: day(2025, time.February, 1), Booked: true}, // booked
		}}
	recs := e.Recommend(f, cat, recommend.Options{})
	require.GreaterOrEqual(t, len(recs), 3)
	assert.Equal(t, []string{"svc-massage", "svc-microcurrent"}, ids(recs[:2]))
	for _, rec := range recs[:2] {
		assert.True(t, rec.Course)
		assert.Equal(t, recommend.RuleCourse, rec.Reasons[0].RuleID)
	}
	assert.Equal(t, recommend.Text{RU: "Следующий сеанс вашего курса: 4 из 10.", EN: "The next session of your course: 4 of 10."}, recs[1].Reasons[0].Text)
	assert.False(t, recs[2].Course)

	// A course does not override safety: with a pacemaker, no microcurrents.
	f.Contraindications = []string{"pacemaker"}
	recs = e.Recommend(f, cat, recommend.Options{})
	assert.NotContains(t, ids(recs), "svc-microcurrent")
	x := e.Explain(f, cat, "svc-microcurrent")
	assert.True(t, x.Course)
	assert.False(t, x.Recommended)
}

func TestRankingAndDiversity(t *testing.T) {
	var cat []recommend.Item
	for _, id := range []string{"s5", "s3", "s1", "s4", "s2"} {
		cat = append(cat, recommend.Item{ID: id, Kind: recommend.KindProduct, Category: "serum", Tags: []string{"t"}})
	}
	for _, id := range []string{"c2", "c1"} {
		cat = append(cat, recommend.Item{ID: id, Kind: recommend.KindProduct, Category: "cleanser", Tags: []string{"t"}})
	}
	cat = append(cat,
		recommend.Item{ID: "m1", Kind: recommend.KindProduct, Category: "mask", Tags: []string{"t"}},
		recommend.Item{ID: "p1", Kind: recommend.KindProcedure, Category: "serum", Tags: []string{"t"}}, // another kind: another category
		recommend.Item{ID: "n1", Kind: recommend.KindHomeCare, Tags: []string{"t"}},                     // no category: not limited
		recommend.Item{ID: "n2", Kind: recommend.KindHomeCare, Tags: []string{"t"}},
		recommend.Item{ID: "s1", Kind: recommend.KindProduct, Category: "other", Tags: []string{"t"}}, // a repeated ID: ignored
	)
	rules := doc(
		r("base", "", `[{"recommend":{"tags":["t"],"weight":1,`+reason+`}}]`),
		r("serums", "", `[{"recommend":{"categories":["serum"],"kinds":["product"],"weight":2,`+reason+`}}]`),
		r("s5", "", `[{"recommend":{"ids":["s5"],"weight":0.5,`+reason+`}}]`),
		r("n2", "", `[{"recommend":{"ids":["n2"],"weight":-0.5,`+reason+`}}]`),
	)
	e := engine(t, recommend.Config{}, rules)
	f := recommend.Facts{Now: summer}

	plain := e.Recommend(f, cat, recommend.Options{NoDiversity: true})
	assert.Equal(t, []string{"s5", "s1", "s2", "s3", "s4", "c1", "c2", "m1", "n1", "p1", "n2"}, ids(plain))
	assert.Equal(t, 3.5, plain[0].Score)
	assert.Equal(t, 0.5, plain[len(plain)-1].Score)
	assert.Equal(t, []recommend.Reason{{RuleID: "n2", Text: recommend.Text{RU: "р", EN: "e"}, Weight: -0.5}}, plain[len(plain)-1].Cautions)

	diverse := e.Recommend(f, cat, recommend.Options{})
	assert.Equal(t, []string{"s5", "s1", "c1", "c2", "m1", "n1", "s2", "s3", "s4", "p1", "n2"}, ids(diverse))
	three := e.Recommend(f, cat, recommend.Options{DiversityTop: 4, MaxPerCategory: 1, Limit: 5})
	assert.Equal(t, []string{"s5", "c1", "m1", "n1", "s1"}, ids(three))
	procs := e.Recommend(f, cat, recommend.Options{Kinds: []recommend.Kind{recommend.KindProcedure}})
	assert.Equal(t, []string{"p1"}, ids(procs))

	// The catalog's order does not matter.
	shuffled := slices.Clone(cat[:len(cat)-1])
	slices.Reverse(shuffled)
	assert.Equal(t, diverse, e.Recommend(f, shuffled, recommend.Options{}))

	x := e.Explain(f, cat, "s2")
	assert.Equal(t, recommend.Explanation{ItemID: "s2", Known: true, Recommended: true, Rank: 7, Score: 3,
		For: []recommend.Reason{{RuleID: "base", Text: recommend.Text{RU: "р", EN: "e"}, Weight: 1}, {RuleID: "serums", Text: recommend.Text{RU: "р", EN: "e"}, Weight: 2}}}, x)
	assert.Equal(t, recommend.Explanation{ItemID: "nope"}, e.Explain(f, cat, "nope"))
	assert.Equal(t, []recommend.Recommendation{}, e.Recommend(f, nil, recommend.Options{}))
}

func TestReasonsFollowPriority(t *testing.T) {
	rules := doc(
		`{"id":"low","description":"d","then":[{"recommend":{"ids":["i"],"weight":1,`+reason+`}}]}`,
		`{"id":"high","description":"d","priority":5,"then":[{"recommend":{"ids":["i"],"weight":1,`+reason+`}}]}`,
		`{"id":"sum-zero","description":"d","then":[{"recommend":{"ids":["j"],"weight":1,`+reason+`}},{"recommend":{"ids":["j"],"weight":-1,`+reason+`}}]}`,
	)
	e := engine(t, recommend.Config{}, rules)
	cat := []recommend.Item{{ID: "i", Kind: recommend.KindProduct}, {ID: "j", Kind: recommend.KindProduct}}
	recs := e.Recommend(recommend.Facts{Now: summer}, cat, recommend.Options{})
	require.Len(t, recs, 1, "j sums to zero")
	assert.Equal(t, "high", recs[0].Reasons[0].RuleID)
	assert.Equal(t, "low", recs[0].Reasons[1].RuleID)
	x := e.Explain(recommend.Facts{Now: summer}, cat, "j")
	assert.False(t, x.Recommended)
	assert.Len(t, x.For, 1)
	assert.Len(t, x.Against, 1)
	assert.Empty(t, x.Exclusions)
}

func TestSupply(t *testing.T) {
	rules := doc(r("restock", "", `[{"recommend":{"running_out":true,"weight":4,`+reason+`}}]`),
		r("base", "", `[{"recommend":{"kinds":["product"],"weight":1,`+reason+`}}]`))
	e := engine(t, recommend.Config{}, rules)
	cat := demoCatalog()
	now := day(2025, time.March, 1)
	f := recommend.Facts{Now: now, Purchases: []recommend.Purchase{
		{ItemID: "prd-vitamin-c", At: now.AddDate(0, 0, -50), LastsDays: 60},   // runs out in 10 days
		{ItemID: "prd-hyaluronic", At: now.AddDate(0, 0, -100), LastsDays: 50}, // ran out 50 days ago
		{ItemID: "prd-hyaluronic", At: now.AddDate(0, 0, -5), LastsDays: 50},   // … and bought again
		{ItemID: "prd-peptide", At: now.AddDate(0, 0, -200), LastsDays: 60},    // ran out long ago
		{ItemID: "prd-spf50-fluid", At: now.AddDate(0, 0, -80), LastsDays: 33}, // ran out 47 days ago
		{ItemID: "prd-micellar", At: now.AddDate(0, 0, -3)},                    // lasts: unknown
	}}
	top := e.Recommend(f, cat, recommend.Options{NoDiversity: true})
	assert.Equal(t, []string{"prd-spf50-fluid", "prd-vitamin-c"}, ids(top[:2]))
	assert.NotContains(t, ids(top), "prd-hyaluronic")
	assert.Contains(t, ids(top), "prd-micellar")
	assert.Equal(t, 1.0, e.Explain(f, cat, "prd-peptide").Score)
	_, err := recommend.New(recommend.Config{RestockDays: 5})
	require.NoError(t, err)
	short := engine(t, recommend.Config{RestockDays: 5}, rules)
	assert.False(t, short.Explain(f, cat, "prd-vitamin-c").Recommended, "10 days left: still in supply")
}

func TestDefaultRulesScenarios(t *testing.T) {
	cat := demoCatalog()
	e := engine(t, recommend.Config{}, "")
	autumn := day(2025, time.October, 20)

	t.Run("every concern is treated", func(t *testing.T) {
		for _, c := range concernCodes {
			f := recommend.Facts{SkinType: "normal", Age: 35, Concerns: []recommend.Concern{{Code: c, Severity: 2}}, Now: autumn,
				Procedures: []recommend.Procedure{{ItemID: "svc-consultation", At: autumn.AddDate(0, -1, 0)}}}
			recs := e.Recommend(f, cat, recommend.Options{Limit: 6})
			require.NotEmpty(t, recs, c)
			treats := false
			for _, rec := range recs {
				if slices.Contains(itemByID(cat, rec.ItemID).Concerns, c) {
					treats = true
				}
			}
			assert.True(t, treats, "%s: %v", c, ids(recs))
			assert.True(t, firedRule(recs, func(id string) bool {
				return strings.Contains(id, strings.SplitN(strings.ReplaceAll(c, "_", "-"), "-", 2)[0])
			}),
				"%s: no rule of its own fired", c)
		}
	})
	t.Run("every skin type has rules", func(t *testing.T) {
		for _, st := range skinTypes {
			f := recommend.Facts{SkinType: st, Now: autumn}
			recs := e.Recommend(f, cat, recommend.Options{})
			assert.True(t, firedRule(recs, func(id string) bool { return strings.HasPrefix(id, "skin-"+st) }), st)
			for _, rec := range recs {
				it := itemByID(cat, rec.ItemID)
				assert.True(t, len(it.SkinTypes) == 0 || slices.Contains(it.SkinTypes, st), "%s gets %s", st, it.ID)
			}
		}
	})
	t.Run("marked acne: dermatologist first, no massage", func(t *testing.T) {
		f := recommend.Facts{SkinType: "oily", Concerns: []recommend.Concern{{Code: "acne", Severity: 3}, {Code: "loss_of_firmness", Severity: 2}}, Now: autumn,
			Procedures: []recommend.Procedure{{ItemID: "svc-consultation", At: autumn.AddDate(0, -2, 0)}}}
		recs := e.Recommend(f, cat, recommend.Options{})
		assert.Equal(t, "svc-derm-consultation", recs[0].ItemID)
		x := e.Explain(f, cat, "svc-massage")
		assert.False(t, x.Recommended)
		assert.Equal(t, "acne-no-massage", x.Exclusions[0].RuleID)
	})
	t.Run("rosacea: no mechanical cleansing", func(t *testing.T) {
		f := recommend.Facts{SkinType: "combination", Concerns: []recommend.Concern{{Code: "rosacea", Severity: 1}, {Code: "enlarged_pores", Severity: 3}}, Now: autumn}
		x := e.Explain(f, cat, "svc-cleansing")
		assert.False(t, x.Recommended)
		assert.Equal(t, "rosacea-no-mechanical", x.Exclusions[0].RuleID)
	})
	t.Run("after a peel: SPF and recovery, no acids or retinoids", func(t *testing.T) {
		f := recommend.Facts{SkinType: "normal", Concerns: []recommend.Concern{{Code: "wrinkles", Severity: 2}}, Age: 40, Now: autumn,
			Procedures: []recommend.Procedure{{ItemID: "svc-peel-almond", At: autumn.AddDate(0, 0, -5)}}}
		recs := e.Recommend(f, cat, recommend.Options{Kinds: []recommend.Kind{recommend.KindProduct}, Limit: 3})
		assert.Equal(t, "prd-spf50-fluid", recs[0].ItemID)
		assert.Equal(t, "after-peel-spf", recs[0].Reasons[0].RuleID)
		assert.False(t, e.Explain(f, cat, "prd-retinol-night").Recommended)
		assert.False(t, e.Explain(f, cat, "svc-peel-almond").Recommended, "cool-down")
	})
	t.Run("summer: no deep peel, SPF", func(t *testing.T) {
		f := recommend.Facts{SkinType: "normal", Concerns: []recommend.Concern{{Code: "post_acne", Severity: 3}}, Now: summer}
		x := e.Explain(f, cat, "svc-peel-tca")
		assert.False(t, x.Recommended)
		assert.Equal(t, recommend.RuleSeason, x.Exclusions[0].RuleID)
		f.Now = autumn
		assert.True(t, e.Explain(f, cat, "svc-peel-tca").Recommended)
	})
	t.Run("a new client starts with a consultation", func(t *testing.T) {
		recs := e.Recommend(recommend.Facts{Now: autumn}, cat, recommend.Options{Kinds: []recommend.Kind{recommend.KindProcedure}})
		assert.Equal(t, "consultation", recs[0].Category)
	})
}

func firedRule(recs []recommend.Recommendation, match func(string) bool) bool {
	for _, rec := range recs {
		for _, rs := range rec.Reasons {
			if match(rs.RuleID) {
				return true
			}
		}
	}
	return false
}

func TestOffers(t *testing.T) {
	cat := demoCatalog()
	e := engine(t, recommend.Config{}, "")
	now := time.Date(2025, time.July, 15, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	offerIDs := func(offers []recommend.Offer) []string {
		out := []string{}
		for _, o := range offers {
			out = append(out, o.ID)
		}
		return out
	}
	visited := func(daysAgo int) []recommend.Procedure {
		return []recommend.Procedure{{ItemID: "svc-massage", At: now.AddDate(0, 0, -daysAgo)}}
	}
	tests := []struct {
		name  string
		facts recommend.Facts
		want  []string
	}{
		{"a new client", recommend.Facts{Now: now}, []string{"welcome-consultation"}},
		{"a recent visit", recommend.Facts{Now: now, Procedures: visited(20)}, []string{}},
		{"no visit for 90 days", recommend.Facts{Now: now, Procedures: visited(91)}, []string{"come-back-15"}},
		{"come back already given", recommend.Facts{Now: now, Procedures: visited(120),
			OffersGiven: []recommend.OfferGiven{{OfferID: "come-back-15", At: now.AddDate(0, 0, -25)}}}, []string{}},
		{"come back given long ago", recommend.Facts{Now: now, Procedures: visited(400),
			OffersGiven: []recommend.OfferGiven{{OfferID: "come-back-15", At: now.AddDate(0, 0, -200)}}}, []string{"come-back-15"}},
		{"birthday month first", recommend.Facts{Now: now, BirthMonth: time.July, Procedures: visited(100)}, []string{"birthday", "come-back-15"}},
		{"course completed", recommend.Facts{Now: now, Procedures: visited(10),
			Plans: []recommend.Plan{{ServiceID: "svc-massage", Done: 5, Total: 5, LastSession: now.AddDate(0, 0, -10)}}}, []string{"course-maintenance-10"}},
		{"favourite service", recommend.Facts{Now: now, Procedures: visited(40), Favorites: []string{"svc-massage", "prd-micellar"}}, []string{"favorite-service-10"}},
		{"favourite service, visited lately", recommend.Facts{Now: now, Procedures: visited(10), Favorites: []string{"svc-massage"}}, []string{}},
		{"favourite peel, pregnant", recommend.Facts{Now: now, Procedures: visited(40), Favorites: []string{"svc-peel-almond"},
			Contraindications: []string{"pregnancy"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, offerIDs(e.Offers(tt.facts, cat)))
		})
	}

	offers := e.Offers(recommend.Facts{Now: now, Procedures: visited(40), Favorites: []string{"svc-massage", "svc-botox", "prd-micellar"},
		Contraindications: []string{"anticoagulants"}}, cat)
	require.Len(t, offers, 1)
	assert.Equal(t, recommend.Offer{ID: "favorite-service-10", RuleID: "offer-favorite-service",
		Title:           recommend.Text{RU: "−10% на процедуру из избранного", EN: "10% off a procedure from your favourites"},
		DiscountPercent: 10, ItemIDs: []string{"svc-massage"}, ValidFrom: now,
		ValidUntil:     time.Date(2025, time.July, 30, 0, 0, 0, 0, now.Location()),
		PerClientLimit: 1, LimitPeriodDays: 90}, offers[0])
}

func TestTextIn(t *testing.T) {
	tx := recommend.Text{RU: "да", EN: "yes"}
	assert.Equal(t, "да", tx.In("ru"))
	assert.Equal(t, "да", tx.In(""))
	assert.Equal(t, "yes", tx.In("en"))
	assert.Equal(t, "yes", tx.In("en-GB"))
	assert.Equal(t, "да", recommend.Text{RU: "да"}.In("en"))
	assert.Equal(t, "yes", recommend.Text{EN: "yes"}.In("ru"))
}

func TestSeasonOf(t *testing.T) {
	assert.Equal(t, recommend.Winter, recommend.SeasonOf(time.January, recommend.Northern))
	assert.Equal(t, recommend.Summer, recommend.SeasonOf(time.January, recommend.Southern))
	assert.Equal(t, recommend.Spring, recommend.SeasonOf(time.May, 0))
	assert.Equal(t, recommend.Autumn, recommend.SeasonOf(time.May, recommend.Southern))
	assert.Equal(t, recommend.Autumn, recommend.SeasonOf(time.November, recommend.Northern))
	assert.Equal(t, recommend.Spring, recommend.SeasonOf(time.November, recommend.Southern))
}

func TestZeroNowUsesTheClock(t *testing.T) {
	e := engine(t, recommend.Config{Now: func() time.Time { return summer }},
		doc(r("july", `{"month":[7]}`, `[{"recommend":{"ids":["x"],"weight":1,`+reason+`}}]`)))
	assert.True(t, e.Explain(recommend.Facts{}, probeCatalog(), "x").Recommended)
}

// Excluded names the items safety, rules or the season rule out, and not
// those a cool-down or the skin type only keeps off the list.
func TestExcluded(t *testing.T) {
	e := engine(t, recommend.Config{}, `{"version": 1, "rules": [
		{"id": "no-massage-for-rosacea", "description": "Rosacea: no massage.", "when": {"concern": {"code": "rosacea"}},
		 "then": [{"exclude": {"ids": ["massage"], "reason": {"ru": "нет", "en": "no"}}}]}]}`)
	catalog := append(probeCatalog(),
		recommend.Item{ID: "dry-cream", Kind: recommend.KindProduct, Category: "cream", SkinTypes: []string{"dry"}},
		recommend.Item{ID: "laser", Kind: recommend.KindProcedure, Category: "laser", CooldownDays: 30, Tags: []string{"laser"}})
	f := recommend.Facts{SkinType: "oily", Contraindications: []string{"pregnancy"}, Concerns: []recommend.Concern{{Code: "rosacea", Severity: 1}},
		Procedures: []recommend.Procedure{{ItemID: "laser", At: summer.AddDate(0, 0, -3)}}, Now: summer}
	got := e.Excluded(f, catalog)
	assert.Equal(t, map[string]bool{"peel": true, "retinol": true, "laser": true, "massage": true}, got,
		"pregnancy: peel, retinoid, laser; the rule: massage; not the dry-skin cream (skin type) — and the laser's cool-down adds nothing")

	f.Contraindications = nil
	got = e.Excluded(f, catalog)
	assert.False(t, got["laser"], "a cool-down alone does not exclude")
	assert.False(t, got["dry-cream"])
	assert.True(t, got["massage"])
}
