package recommend_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/recommend"
)

// randomFacts draws a client: any skin type, phototype, age, concerns,
// contraindications, journal, history, courses, purchases and favourites,
// on any day of two years.
func randomFacts(rng *rand.Rand, cat []recommend.Item) recommend.Facts {
	pick := func(list []string, p float64) []string {
		var out []string
		for _, x := range list {
			if rng.Float64() < p {
				out = append(out, x)
			}
		}
		return out
	}
	now := day(2024, time.January, 1).Add(time.Duration(rng.IntN(730*24)) * time.Hour)
	f := recommend.Facts{Now: now, Phototype: rng.IntN(7), BirthMonth: time.Month(rng.IntN(13))}
	if rng.IntN(6) > 0 {
		f.SkinType = skinTypes[rng.IntN(len(skinTypes))]
	}
	if rng.IntN(4) > 0 {
		f.Age = 12 + rng.IntN(70)
	}
	for _, c := range pick(concernCodes, 0.3) {
		f.Concerns = append(f.Concerns, recommend.Concern{Code: c, Severity: rng.IntN(4)})
	}
	f.Contraindications = pick(contraindications, 0.15)
	if rng.IntN(10) == 0 {
		f.Allergies = []string{"Fragrance"}
	}
	for _, c := range pick(concernCodes, 0.3) {
		f.Scores = append(f.Scores, recommend.Score{Concern: c, Value: rng.IntN(11), Trend: rng.Float64()*6 - 3})
	}
	ago := func(days int) time.Time { return now.Add(-time.Duration(rng.IntN(days*24)) * time.Hour) }
	for range rng.IntN(8) {
		it := cat[rng.IntN(len(cat))]
		switch it.Kind {
		case recommend.KindProcedure:
			f.Procedures = append(f.Procedures, recommend.Procedure{ItemID: it.ID, At: ago(400)})
		case recommend.KindProduct:
			f.Purchases = append(f.Purchases, recommend.Purchase{ItemID: it.ID, At: ago(200), LastsDays: rng.IntN(90)})
		}
	}
	for range rng.IntN(3) {
		it := cat[rng.IntN(len(cat))]
		total := 1 + rng.IntN(8)
		f.Plans = append(f.Plans, recommend.Plan{ServiceID: it.ID, Done: rng.IntN(total + 1), Total: total,
			NextDue: now.Add(time.Duration(rng.IntN(40*24)-20*24) * time.Hour), Booked: rng.IntN(4) == 0, LastSession: ago(60)})
	}
	for range rng.IntN(4) {
		f.Favorites = append(f.Favorites, cat[rng.IntN(len(cat))].ID)
	}
	for range rng.IntN(3) {
		f.OffersGiven = append(f.OffersGiven, recommend.OfferGiven{OfferID: []string{"come-back-15", "birthday", "favorite-service-10"}[rng.IntN(3)], At: ago(400)})
	}
	return f
}

// forbidden returns why the client may never get the item, or "".
func forbidden(f recommend.Facts, it recommend.Item, highSun bool) string {
	has := func(c string) bool { return slices.Contains(f.Contraindications, c) }
	tagged := func(tags ...string) bool {
		for _, t := range tags {
			if slices.Contains(it.Tags, t) {
				return true
			}
		}
		return false
	}
	in := func(cats ...string) bool { return slices.Contains(cats, it.Category) }
	for _, c := range it.Contraindications {
		if has(c) {
			return "contraindication " + c
		}
	}
	switch {
	case (has("pregnancy") || has("breastfeeding")) &&
		(tagged("chemical_peel", "deep_peel", "retinoid", "injectable", "laser", "energy_based") || in("peel", "injection", "laser")):
		return "pregnancy or breastfeeding"
	case f.Phototype >= 5 && tagged("laser_light_skin_only"):
		return "phototype V–VI"
	case has("sunburn") && (tagged("chemical_peel", "deep_peel", "laser") || in("peel", "laser")):
		return "sunburn"
	case (has("active_herpes") || has("skin_infection")) && it.Kind == recommend.KindProcedure &&
		(tagged("chemical_peel", "injectable", "laser", "mechanical_cleansing") || in("peel", "cleansing", "injection", "laser")):
		return "herpes or infection"
	case has("isotretinoin") && (tagged("chemical_peel", "deep_peel", "laser") || in("peel", "laser")):
		return "isotretinoin"
	case has("pacemaker") && it.Kind == recommend.KindProcedure && tagged("microcurrent", "energy_based"):
		return "pacemaker"
	case highSun && tagged("deep_peel"):
		return "deep peel in a high-sun month"
	}
	return ""
}

func isHighSun(m time.Month) bool { return m >= time.April && m <= time.September }

// The safety properties, over random clients, with the default rules and
// with a rule file that recommends everything.
func TestSafetyProperties(t *testing.T) {
	cat := demoCatalog()
	byID := map[string]recommend.Item{}
	for _, it := range cat {
		byID[it.ID] = it
	}
	everythingEngine := engine(t, recommend.Config{}, everything)
	defaults := engine(t, recommend.Config{}, "")
	rng := rand.New(rand.NewPCG(7, 2025))
	const clients = 3000
	counts := map[string]int{}
	for n := range clients {
		f := randomFacts(rng, cat)
		for name, e := range map[string]*recommend.Engine{"defaults": defaults, "everything": everythingEngine} {
			recs := e.Recommend(f, cat, recommend.Options{})
			counts[name] += len(recs)
			seen := map[string]bool{}
			for rank, rec := range recs {
				it := byID[rec.ItemID]
				require.Empty(t, forbidden(f, it, isHighSun(f.Now.Month())), "client %d (%s): %s recommended: %+v", n, name, rec.ItemID, f)
				require.False(t, seen[rec.ItemID], "repeated item")
				seen[rec.ItemID] = true
				require.Equal(t, it.Kind, rec.Kind)
				require.True(t, rec.Course || rec.Score > 0)
				if f.SkinType != "" && !rec.Course {
					require.True(t, len(it.SkinTypes) == 0 || slices.Contains(it.SkinTypes, f.SkinType))
				}
				// Explain agrees.
				if rank < 5 {
					x := e.Explain(f, cat, rec.ItemID)
					require.True(t, x.Recommended)
					require.Equal(t, rank+1, x.Rank)
					require.Equal(t, rec.Score, x.Score)
				}
			}
			// Without diversity, the order is course, then score, then ID.
			plain := e.Recommend(f, cat, recommend.Options{NoDiversity: true})
			require.ElementsMatch(t, ids(recs), ids(plain))
			for i := 1; i < len(plain); i++ {
				a, b := plain[i-1], plain[i]
				require.True(t, a.Course && !b.Course || a.Course == b.Course && (a.Course || a.Score > b.Score || a.Score == b.Score && a.ItemID < b.ItemID),
					"order %v then %v", a, b)
			}
			// Every forbidden item is explained as excluded.
			for _, it := range cat {
				if why := forbidden(f, it, isHighSun(f.Now.Month())); why != "" && rng.IntN(8) == 0 {
					counts["forbidden"]++
					x := e.Explain(f, cat, it.ID)
					require.False(t, x.Recommended, why)
					require.NotEmpty(t, x.Exclusions, why)
				}
			}
			// Offers never name an item the client may not have.
			for _, o := range e.Offers(f, cat) {
				for _, id := range o.ItemIDs {
					require.Empty(t, forbidden(f, byID[id], isHighSun(f.Now.Month())), "offer %s names %s", o.ID, id)
				}
				require.True(t, o.ValidUntil.After(o.ValidFrom))
			}
		}
	}
	// The properties were not vacuous.
	assert.Greater(t, counts["defaults"], clients*5)
	assert.Greater(t, counts["everything"], clients*15)
	assert.Greater(t, counts["forbidden"], clients)
}

// The same facts give the same list, whatever the order of the catalog and
// of the history.
func TestDeterminism(t *testing.T) {
	cat := demoCatalog()
	e := engine(t, recommend.Config{}, "")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		f := randomFacts(rng, cat)
		want := e.Recommend(f, cat, recommend.Options{})
		shuffled := slices.Clone(cat)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		g := f
		g.Procedures = slices.Clone(f.Procedures)
		slices.Reverse(g.Procedures)
		g.Favorites = slices.Clone(f.Favorites)
		slices.Reverse(g.Favorites)
		g.Purchases = slices.Clone(f.Purchases)
		slices.Reverse(g.Purchases)
		g.Plans = slices.Clone(f.Plans)
		slices.Reverse(g.Plans)
		require.Equal(t, want, e.Recommend(g, shuffled, recommend.Options{}))
		require.Equal(t, e.Offers(f, cat), e.Offers(g, shuffled))
	}
}

// An engine is used by many requests at once.
func TestConcurrentUse(t *testing.T) {
	cat := demoCatalog()
	e := engine(t, recommend.Config{}, "")
	rng := rand.New(rand.NewPCG(3, 4))
	facts := make([]recommend.Facts, 50)
	want := make([][]recommend.Recommendation, len(facts))
	for i := range facts {
		facts[i] = randomFacts(rng, cat)
		want[i] = e.Recommend(facts[i], cat, recommend.Options{Limit: 10})
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range facts {
				k := (i + w) % len(facts)
				assert.Equal(t, want[k], e.Recommend(facts[k], cat, recommend.Options{Limit: 10}))
				e.Offers(facts[k], cat)
			}
		})
	}
	wg.Wait()
}

// newRand is a fixed-seed generator.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(11, 12)) }
