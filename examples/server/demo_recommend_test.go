package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoRecommendations: the demo catalog's tags feed the engine — a
// client with acne is sent to the dermatologist and to cleansing, and a
// pregnant client is never offered a peel, an injection, a laser or
// microcurrents.
func TestDemoRecommendations(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	recs := func(phone string, answers map[string]any) []string {
		t.Helper()
		token, _ := signIn(t, srv.base, phone, "sms", phone)
		require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/me/consents", token,
			map[string]any{"type": "health_data", "granted": true, "text_version": "demo"}, nil))
		require.Equal(t, http.StatusOK, call(t, http.MethodPut, srv.base+"/api/v1/me/profile", token, answers, nil))
		var doc struct {
			Recommendations []struct {
				ItemID string `json:"item_id"`
			} `json:"recommendations"`
		}
		require.Equal(t, http.StatusOK, call(t, http.MethodGet, srv.base+"/api/v1/me/recommendations", token, nil, &doc))
		ids := []string{}
		for _, r := range doc.Recommendations {
			ids = append(ids, r.ItemID)
		}
		return ids
	}

	acne := recs("+79161230001", map[string]any{"skin_type": "oily", "phototype": 2,
		"concerns": []any{map[string]any{"code": "acne", "severity": 3}}, "contraindications": []string{}})
	assert.Contains(t, acne, "svc-derm-consultation")
	assert.Contains(t, acne, "svc-cleansing")

	pregnant := recs("+79161230002", map[string]any{"skin_type": "normal",
		"concerns":          []any{map[string]any{"code": "wrinkles", "severity": 3}, map[string]any{"code": "pigmentation", "severity": 3}},
		"contraindications": []string{"pregnancy"}})
	for _, id := range []string{"svc-peel-almond", "svc-peel-tca", "svc-biorevitalization", "svc-botox", "svc-laser-hair",
		"svc-laser-rejuvenation", "svc-microcurrent"} {
		assert.NotContains(t, pregnant, id)
	}
}

func TestDemoServiceTags(t *testing.T) {
	skinTypes := []string{"normal", "dry", "oily", "combination", "sensitive"}
	want := map[string][]string{
		"svc-derm-consultation":  {"dermatologist"},
		"svc-cleansing":          {"mechanical_cleansing"},
		"svc-microcurrent":       {"microcurrent", "pacemaker", "pregnancy"},
		"svc-laser-hair":         {"laser_light_skin_only", "pregnancy", "isotretinoin", "sunburn"},
		"svc-laser-rejuvenation": {"pregnancy", "isotretinoin", "sunburn"},
		"svc-peel-almond":        {"pregnancy", "breastfeeding", "isotretinoin", "sunburn", "active_herpes", "skin_infection"},
		"svc-peel-tca":           {"pregnancy", "breastfeeding", "isotretinoin", "sunburn", "active_herpes", "skin_infection"},
		"svc-botox":              {"pregnancy", "breastfeeding", "anticoagulants", "skin_infection", "active_herpes"},
		"svc-biorevitalization":  {"pregnancy", "breastfeeding", "anticoagulants", "skin_infection", "active_herpes"},
	}
	for _, svc := range demoServices() {
		for _, tag := range want[svc.ID] {
			assert.Contains(t, svc.Tags, tag, svc.ID)
		}
		n := 0
		for _, tag := range svc.Tags {
			for _, st := range skinTypes {
				if tag == st {
					n++
				}
			}
		}
		assert.Less(t, n, len(skinTypes), "%s: every skin type is written as none", svc.ID)
		assert.NotContains(t, svc.Tags, "all_skin_types", svc.ID)
	}
}
