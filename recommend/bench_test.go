package recommend_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kabinet-dev/kabinet/recommend"
)

// benchData generates a rule document of nRules rules and a catalog of
// nItems items over the demo vocabulary plus synthetic tags, so that rules
// fire and select items the way real ones do: about half the conditions
// hold for the benchmark client, and each action selects a few dozen items.
func benchData(nRules, nItems int) ([]byte, []recommend.Item) {
	rng := rand.New(rand.NewPCG(500, 300))
	tags := []string{"chemical_peel", "deep_peel", "retinoid", "laser", "energy_based", "injectable", "spf", "vitamin_c",
		"niacinamide", "hyaluronic_acid", "peptides", "ceramides", "fragrance_free", "post_procedure", "aha", "bha", "zinc", "clay"}
	for i := range 30 {
		tags = append(tags, fmt.Sprintf("tag_%d", i))
	}
	categories := []string{"consultation", "cleansing", "peel", "injection", "laser", "hardware", "massage", "care",
		"cleanser", "toner", "exfoliant", "serum", "moisturizer", "eye_care", "spf", "mask", "recovery", "body"}
	kinds := []recommend.Kind{recommend.KindProcedure, recommend.KindProduct, recommend.KindHomeCare}
	some := func(list []string, n int) []string {
		out := []string{}
		for _, i := range rng.Perm(len(list))[:n] {
			out = append(out, list[i])
		}
		return out
	}
	items := make([]recommend.Item, nItems)
	for i := range items {
		it := recommend.Item{ID: fmt.Sprintf("item-%03d", i), Kind: kinds[rng.IntN(3)], Category: categories[rng.IntN(len(categories))],
			Name:     recommend.Text{RU: fmt.Sprintf("Позиция %d", i), EN: fmt.Sprintf("Item %d", i)},
			Concerns: some(concernCodes, 1+rng.IntN(3)), Tags: some(tags, 2+rng.IntN(4))}
		if rng.IntN(3) == 0 {
			it.SkinTypes = some(skinTypes, 2+rng.IntN(3))
		}
		if rng.IntN(4) == 0 {
			it.Contraindications = some(contraindications, 1+rng.IntN(3))
		}
		if it.Kind == recommend.KindProcedure {
			it.CooldownDays = rng.IntN(60)
		}
		items[i] = it
	}
	conds := func() any {
		switch rng.IntN(10) {
		case 0:
			return map[string]any{"skin_type": some(skinTypes, 2)}
		case 1:
			return map[string]any{"concern": map[string]any{"code": concernCodes[rng.IntN(10)], "min_severity": 1 + rng.IntN(2)}}
		case 2:
			return map[string]any{"age": map[string]any{"min": 20 + rng.IntN(20)}}
		case 3:
			return map[string]any{"season": []string{"summer", "autumn"}[rng.IntN(2):]}
		case 4:
			return map[string]any{"score": map[string]any{"concern": concernCodes[rng.IntN(10)], "min": rng.IntN(6)}}
		case 5:
			return map[string]any{"procedure": map[string]any{"tag": tags[rng.IntN(len(tags))], "not_within_days": 30 + rng.IntN(60)}}
		case 6:
			return map[string]any{"bought": map[string]any{"category": categories[rng.IntN(len(categories))], "within_days": 90}}
		case 7:
			return map[string]any{"any": []any{map[string]any{"phototype": map[string]any{"max": 3}}, map[string]any{"favorite": map[string]any{}}}}
		case 8:
			return map[string]any{"not": map[string]any{"contraindication": some(contraindications, 2)}}
		}
		return map[string]any{"trend": map[string]any{"concern": concernCodes[rng.IntN(10)], "direction": "worsening", "min_change": 0.5}}
	}
	txt := map[string]string{"ru": "Причина", "en": "Reason"}
	rules := make([]any, nRules)
	for i := range rules {
		var then []any
		for range 1 + rng.IntN(2) {
			sel := map[string]any{"weight": float64(rng.IntN(9)-2) + 0.5, "reason": txt}
			switch rng.IntN(4) {
			case 0:
				sel["tags"] = some(tags, 1+rng.IntN(2))
			case 1:
				sel["categories"] = some(categories, 1)
				sel["kinds"] = []string{string(kinds[rng.IntN(3)])}
			case 2:
				sel["concerns"] = some(concernCodes, 1)
			default:
				k := rng.IntN(nItems)
				sel["ids"] = []string{items[k].ID, items[(k+1+rng.IntN(nItems-1))%nItems].ID}
			}
			then = append(then, map[string]any{"recommend": sel})
		}
		if rng.IntN(20) == 0 {
			then = append(then, map[string]any{"exclude": map[string]any{"tags": some(tags, 1), "reason": txt}})
		}
		rules[i] = map[string]any{"id": fmt.Sprintf("rule-%03d", i), "description": "A generated rule.", "priority": rng.IntN(3),
			"when": map[string]any{"all": []any{conds(), conds()}}, "then": then}
	}
	data, err := json.Marshal(map[string]any{"version": 1, "rules": rules})
	if err != nil {
		panic(err)
	}
	return data, items
}

// BenchmarkRecommend: one client, 500 rules, a 300-item catalog.
func BenchmarkRecommend(b *testing.B) {
	data, items := benchData(500, 300)
	rs, err := recommend.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	e, err := recommend.New(recommend.Config{Rules: rs})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2025, time.August, 20, 12, 0, 0, 0, time.UTC)
	client := recommend.Facts{
		SkinType: "combination", Phototype: 3, Age: 36, BirthMonth: time.March,
		Concerns:          []recommend.Concern{{Code: "acne", Severity: 2}, {Code: "pigmentation", Severity: 1}, {Code: "dehydration", Severity: 3}},
		Contraindications: []string{"anticoagulants"},
		Scores:            []recommend.Score{{Concern: "acne", Value: 5, Trend: 1}, {Concern: "pigmentation", Value: 3, Trend: -0.5}},
		Procedures: []recommend.Procedure{{ItemID: items[3].ID, At: now.AddDate(0, 0, -20)}, {ItemID: items[10].ID, At: now.AddDate(0, -3, 0)},
			{ItemID: items[40].ID, At: now.AddDate(0, -7, 0)}},
		Plans:     []recommend.Plan{{ServiceID: items[3].ID, Done: 2, Total: 5, NextDue: now.AddDate(0, 0, 1)}},
		Purchases: []recommend.Purchase{{ItemID: items[5].ID, At: now.AddDate(0, 0, -40), LastsDays: 50}, {ItemID: items[7].ID, At: now.AddDate(0, 0, -5), LastsDays: 60}},
		Favorites: []string{items[12].ID, items[13].ID},
		Now:       now,
	}
	recs := e.Recommend(client, items, recommend.Options{})
	fired := 0
	for _, rec := range recs {
		fired += len(rec.Reasons) + len(rec.Cautions)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		e.Recommend(client, items, recommend.Options{})
	}
	if cpu := cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(len(recs)), "recs/op")
	b.ReportMetric(float64(fired), "reasons/op")
}

// BenchmarkRecommendDefaultRules: the default rules and the demo catalog.
func BenchmarkRecommendDefaultRules(b *testing.B) {
	e, err := recommend.New(recommend.Config{})
	if err != nil {
		b.Fatal(err)
	}
	cat := demoCatalog()
	f := randomFacts(newRand(), cat)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		e.Recommend(f, cat, recommend.Options{Limit: 20})
	}
	if cpu := cpuTime() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkParse: loading a 500-rule document.
func BenchmarkParse(b *testing.B) {
	data, _ := benchData(500, 300)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := recommend.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
