package recommend_test

import (
	"errors"
	"testing"

	"github.com/kabinet-dev/kabinet/recommend"
)

// FuzzParseRules: Parse never panics; it either refuses a document with a
// *ParseError, or returns a rule set the engine runs without panicking, and
// that parses again from its JSON.
func FuzzParseRules(f *testing.F) {
	f.Add(recommend.DefaultRulesJSON())
	f.Add([]byte(everything))
	f.Add([]byte(`{"version":1,"rules":[]}`))
	f.Add([]byte(doc(r("a", `{"any":[{"month":[1,2]},{"not":{"concern":{"code":"acne","min_severity":2}}}]}`, ""))))
	f.Add([]byte(doc(r("b", `{"procedure":{"tag":"laser","within_days":10},"bought":{"tag":"spf","runs_out_within_days":5}}`,
		`[{"exclude":{"tags":["laser"],`+reason+`}},{"offer":{"id":"o","title":{"ru":"р","en":"e"},"discount_percent":10,"valid_days":5,"applies_to":{"favorites":true}}}]`))))
	f.Add([]byte(`{"version":1,"rules":[{"id":"x","description":"d","when":{"month":[13]},"then":[]}]}`))
	f.Add([]byte(`{"version":1,"rules":[1,"a",null,{}]}`))
	cat := demoCatalog()
	// A client with every contraindication, dark skin, a due course of a
	// deep peel and dangerous favourites, in summer: whatever the rules,
	// nothing forbidden may come out.
	rngFacts := randomFacts(newRand(), cat)
	rngFacts.Contraindications = contraindications
	rngFacts.Phototype = 6
	rngFacts.Now = summer
	rngFacts.Favorites = []string{"svc-peel-tca", "svc-laser-hair", "prd-retinol-night", "svc-massage"}
	rngFacts.Plans = append(rngFacts.Plans, recommend.Plan{ServiceID: "svc-peel-tca", Done: 1, Total: 3, NextDue: summer})
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := recommend.Parse(data)
		if err != nil {
			var pe *recommend.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, recommend.ErrInvalidRules) || err.Error() == "" || rs != nil {
				t.Fatalf("Parse: %T %v", err, err)
			}
			return
		}
		again, err := recommend.Parse(rs.JSON())
		if err != nil || again.Len() != rs.Len() {
			t.Fatalf("the set does not parse again: %v", err)
		}
		e, err := recommend.New(recommend.Config{Rules: rs})
		if err != nil {
			t.Fatal(err)
		}
		recs := e.Recommend(rngFacts, cat, recommend.Options{Limit: 5})
		for _, rec := range recs {
			if why := forbidden(rngFacts, itemByID(cat, rec.ItemID), isHighSun(rngFacts.Now.Month())); why != "" {
				t.Fatalf("%s recommended: %s", rec.ItemID, why)
			}
		}
		e.Explain(rngFacts, cat, "svc-peel-tca")
		e.Offers(rngFacts, cat)
	})
}
