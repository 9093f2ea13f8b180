package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/cabinet/httpapi"
)

// The authorization matrix of the client's card. It is driven by the API's
// endpoints as the OpenAPI document lists them (TestOpenAPIListsEveryRoute
// keeps that list equal to the route table), so an endpoint added later
// joins it without being listed:
//
//   - every GET under /api/v1/staff/clients/{id}/… (and the other staff reads
//     of one client) is tried by everyone who may or may not see the card;
//   - every GET and DELETE of /api/v1/me/… that names an object ({id}) is
//     tried by a second client with the first client's object;
//   - every other card route must be named in cardRoutesTestedElsewhere with
//     the test that covers it, or the matrix fails.
//
// The area tests (card_profile_test.go, card_photo_test.go,
// card_order_test.go, card_data_test.go) cover the writes and their bodies.

// cardRoutesTestedElsewhere are the card routes the generic rules do not
// cover, with where they are tested.
var cardRoutesTestedElsewhere = map[string]string{
	"POST /api/v1/me/consents":                       "TestConsentsOverHTTP",
	"POST /api/v1/staff/clients/{id}/consents":       "TestProfileAuthorizationMatrix",
	"PUT /api/v1/me/profile":                         "TestProfileOverHTTP",
	"PUT /api/v1/staff/clients/{id}/profile":         "TestProfileAuthorizationMatrix",
	"POST /api/v1/me/photos":                         "TestPhotoUploadOverHTTP",
	"POST /api/v1/staff/clients/{id}/photos":         "TestPhotoAuthorizationMatrix",
	"POST /api/v1/me/skin/journal":                   "TestSkinJournalOverHTTP",
	"POST /api/v1/staff/clients/{id}/skin/journal":   "TestSkinJournalOverHTTP",
	"POST /api/v1/me/orders":                         "TestOrdersOverHTTP",
	"POST /api/v1/me/orders/{id}/cancel":             "TestOrdersAuthorizationMatrix",
	"POST /api/v1/staff/clients/{id}/orders":         "TestOrdersAuthorizationMatrix",
	"GET /api/v1/me/orders/{id}":                     "TestOrdersAuthorizationMatrix (needs a stocked catalog)",
	"PUT /api/v1/staff/appointments/{id}/visit-note": "TestVisitsAndPlanOverHTTP",
}

// isCardRoute reports whether pattern belongs to the client's card.
func isCardRoute(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	for _, p := range []string{"/api/v1/me/profile", "/api/v1/me/consents", "/api/v1/me/photos", "/api/v1/me/skin",
		"/api/v1/me/orders", "/api/v1/me/purchases", "/api/v1/me/visits", "/api/v1/me/plan", "/api/v1/me/export",
		"/api/v1/staff/clients/{id}/", "/api/v1/staff/appointments/{id}/visit-note"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// endpoints lists "METHOD /path" of every operation of the API.
func endpoints(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(httpapi.OpenAPI(), &doc))
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if m := strings.ToUpper(method); m != "PARAMETERS" {
				out = append(out, m+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestCardAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	c := newPhotoCast(t, h)
	h.grant(c.client, card.ConsentPhotos)
	up := h.upload(c.client.token, "/api/v1/me/photos", false,
		filePart(photoQuads(64, 48)), formPart{name: "kind", value: "before"}, formPart{name: "area", value: "face"})
	require.Equal(t, http.StatusCreated, up.StatusCode, "%s", up.body)
	photoID := up.json(t)["id"].(string)
	// A past, completed visit too, so visit and report routes have data.
	h.clock.Advance(7 * 24 * time.Hour)
	_, err := h.cab.Booking().Complete(t.Context(), booking.Actor{UserID: c.admin.userID, Role: booking.RoleAdmin}, c.apptID, "")
	require.NoError(t, err)
	// A week on, staff sessions have ended: everyone signs in again.
	c.admin = h.signIn("owner@clinic.example", "owner@clinic.example")
	c.doc = h.signIn("doc@clinic.example", "doc@clinic.example")
	c.stranger = h.signIn("stranger@clinic.example", "stranger@clinic.example")
	c.manager2 = h.signIn("manager2@clinic.example", "manager2@clinic.example")
	c.client = h.signIn("+79123456789", "+79123456789")
	c.other = h.signIn("+79123456780", "+79123456780")

	// Values of the path parameters, by route prefix.
	objectOf := func(pattern string) (map[string]string, bool) {
		switch {
		case strings.Contains(pattern, "/staff/clients/{id}/photos/{photo}"):
			return map[string]string{"id": c.client.userID, "photo": photoID}, true
		case strings.Contains(pattern, "/staff/clients/{id}/"):
			return map[string]string{"id": c.client.userID}, true
		case strings.Contains(pattern, "/me/photos/{id}"):
			return map[string]string{"id": photoID}, true
		}
		return nil, false
	}
	// The query some reads need to answer 200.
	queries := map[string]string{
		"/photos/pairs":            "?appointment_id=" + c.apptID,
		"/skin/report":             "?from=2026-11-01&to=2026-12-31",
		"/recommendations/explain": "?item=peel",
	}
	fill := func(path string, params map[string]string) string {
		for k, v := range params {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		for suffix, q := range queries {
			if strings.HasSuffix(path, suffix) {
				path += q
			}
		}
		return path
	}

	covered := map[string]bool{}
	for _, pattern := range endpoints(t) {
		if !isCardRoute(pattern) {
			continue
		}
		method, path, _ := strings.Cut(pattern, " ")
		params, ok := objectOf(pattern)
		switch {
		case !ok || cardRoutesTestedElsewhere[pattern] != "":
			continue
		case method == http.MethodGet && strings.HasPrefix(path, "/api/v1/staff/clients/{id}/"):
			covered[pattern] = true
			target := fill(path, params)
			t.Run(pattern, func(t *testing.T) {
				for _, tc := range []struct {
					who  string
					as   *signedIn
					want int
				}{
					{"admin", &c.admin, http.StatusOK},
					{"specialist who saw her", &c.doc, http.StatusOK},
					{"specialist who never did", &c.stranger, http.StatusNotFound},
					{"manager of another branch", &c.manager2, http.StatusNotFound},
					{"a client", &c.other, http.StatusForbidden},
					{"nobody", nil, http.StatusUnauthorized},
				} {
					q := req{method: method, path: target}
					if tc.as != nil {
						q.token = tc.as.token
					}
					r := h.do(q)
					assert.Equal(t, tc.want, r.StatusCode, "%s: %s", tc.who, r.body)
				}
			})
		case (method == http.MethodGet || method == http.MethodDelete) && strings.HasPrefix(path, "/api/v1/me/"):
			covered[pattern] = true
			target := fill(path, params)
			t.Run(pattern, func(t *testing.T) {
				r := h.do(req{method: method, path: target, token: c.other.token})
				assert.Equal(t, http.StatusNotFound, r.StatusCode, "another client's object: %s", r.body)
				r = h.do(req{method: method, path: target})
				assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
			})
		}
	}

	// Every card route is either in the matrix or named with its test;
	// a /me route without an object is the caller's own by construction.
	for _, pattern := range endpoints(t) {
		if !isCardRoute(pattern) || covered[pattern] || cardRoutesTestedElsewhere[pattern] != "" {
			continue
		}
		_, path, _ := strings.Cut(pattern, " ")
		if strings.HasPrefix(path, "/api/v1/me/") && !strings.Contains(path, "{") {
			continue
		}
		t.Errorf("%s is a card route neither in the matrix nor in cardRoutesTestedElsewhere", pattern)
	}
	assert.GreaterOrEqual(t, len(covered), 14, "the matrix tried the card's routes")
}
