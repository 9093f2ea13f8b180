package recommend_test

import (
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/recommend"
)

// A rule document, a small catalog and one client: what the engine
// recommends, why, what it rules out, and which offer the client gets.
func ExampleEngine_Recommend() {
	rules, err := recommend.Parse([]byte(`{
	  "version": 1,
	  "rules": [
	    {"id": "acne", "description": "Acne: what treats it.",
	     "when": {"concern": {"code": "acne", "min_severity": 2}},
	     "then": [{"recommend": {"concerns": ["acne"], "weight": 2,
	               "reason": {"ru": "Помогает при акне.", "en": "Helps with acne."}}}]},
	    {"id": "summer-spf", "description": "Summer: SPF.",
	     "when": {"season": ["summer"]},
	     "then": [{"recommend": {"tags": ["spf"], "weight": 3,
	               "reason": {"ru": "Летом нужен SPF.", "en": "Summer calls for SPF."}}}]},
	    {"id": "come-back", "description": "No visit for 90 days.",
	     "when": {"all": [{"procedure": {"ever": true}}, {"procedure": {"not_within_days": 90}}]},
	     "then": [{"offer": {"id": "come-back-15", "title": {"ru": "−15% на процедуру", "en": "15% off a procedure"},
	               "discount_percent": 15, "valid_days": 30}}]}
	  ]}`))
	if err != nil {
		panic(err)
	}
	engine, err := recommend.New(recommend.Config{Rules: rules})
	if err != nil {
		panic(err)
	}
	catalog := []recommend.Item{
		{ID: "svc-cleansing", Kind: recommend.KindProcedure, Category: "cleansing", Concerns: []string{"acne"}},
		{ID: "svc-peel", Kind: recommend.KindProcedure, Category: "peel", Concerns: []string{"acne"}, Tags: []string{"chemical_peel"}},
		{ID: "prd-retinol", Kind: recommend.KindProduct, Category: "moisturizer", Concerns: []string{"acne"},
			Contraindications: []string{"pregnancy"}, Tags: []string{"retinoid"}},
		{ID: "prd-spf", Kind: recommend.KindProduct, Category: "spf", Tags: []string{"spf"}},
	}
	now := time.Date(2025, time.July, 15, 12, 0, 0, 0, time.UTC)
	client := recommend.Facts{
		SkinType:          "oily",
		Concerns:          []recommend.Concern{{Code: "acne", Severity: 2}},
		Contraindications: []string{"pregnancy"},
		Procedures:        []recommend.Procedure{{ItemID: "svc-cleansing", At: now.AddDate(0, -5, 0)}},
		Now:               now,
	}

	for _, rec := range engine.Recommend(client, catalog, recommend.Options{Limit: 5}) {
		fmt.Printf("%s %s %.1f: %s\n", rec.Kind, rec.ItemID, rec.Score, rec.Reasons[0].Text.In("en"))
	}
	x := engine.Explain(client, catalog, "prd-retinol")
	fmt.Println("prd-retinol recommended:", x.Recommended)
	for _, ex := range x.Exclusions {
		fmt.Printf("  %s: %s\n", ex.RuleID, ex.Text.In("en"))
	}
	for _, o := range engine.Offers(client, catalog) {
		fmt.Printf("offer %s: %d%% until %s\n", o.ID, o.DiscountPercent, o.ValidUntil.Format(time.DateOnly))
	}
	// Output:
	// product prd-spf 3.0: Summer calls for SPF.
	// procedure svc-cleansing 2.0: Helps with acne.
	// prd-retinol recommended: false
	//   builtin.contraindication: Contraindicated: pregnancy.
	//   builtin.pregnancy: Not recommended during pregnancy.
	// offer come-back-15: 15% until 2025-08-15
}
