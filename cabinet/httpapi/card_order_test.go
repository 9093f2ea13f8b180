package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// ordersClinic is the harness's clinic with a catalog and its people: the
// owner (admin), specialist A ("doc", linked to specialist A of b1), a
// specialist of b1 with no client ("doc2"), managers of b1 and of b2, and
// clients Anna (a completed visit with A on 2026-11-20) and Boris.
type ordersClinic struct {
	h                                            *harness
	owner, doc, doc2, mgr, mgrOther, anna, boris signedIn
	visitID                                      string
	byName                                       map[string]signedIn
}

func newOrdersClinic(t *testing.T) *ordersClinic {
	t.Helper()
	h := newHarness(t)
	c := &ordersClinic{h: h}
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	c.owner = h.signIn("owner@clinic.example", "owner@clinic.example")
	staff := func(email, role, branch string) signedIn {
		r := h.do(req{method: "POST", path: "/api/v1/staff/users", token: c.owner.token,
			body: map[string]any{"identifier": email, "roles": []string{role}, "branch_ids": []string{branch}}})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		return h.signIn(email, email)
	}
	c.doc = staff("doc@clinic.example", "specialist", "b1")
	c.doc2 = staff("doc2@clinic.example", "specialist", "b1")
	c.mgr = staff("mgr@clinic.example", "manager", "b1")
	c.mgrOther = staff("mgr2@clinic.example", "manager", "b2")
	h.seedClinic(c.doc.userID)
	require.NoError(t, h.store.UpsertBranch(t.Context(), booking.Branch{ID: "b2", Name: "Кутузовский", TimeZone: "Europe/Moscow", Active: true}))
	c.anna = h.signIn("+79123456789", "+79123456789")
	c.boris = h.signIn("+79123456780", "+79123456780")

	// Anna's past visit with A, completed.
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, msk)
	a := booking.Appointment{ID: "visit-1", ClientID: c.anna.userID, BranchID: "b1", ServiceID: "peel", SpecialistID: "A",
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(75 * time.Minute),
		Status: booking.StatusCompleted, Price: booking.Money{Amount: 350000, Currency: "RUB"},
		CreatedBy: c.anna.userID, CreatedAt: start.Add(-48 * time.Hour), UpdatedAt: start}
	_, _, err = h.store.CreateAppointment(t.Context(), a, "", booking.Event{Type: booking.EventBooked, At: a.CreatedAt})
	require.NoError(t, err)
	c.visitID = a.ID

	// The catalog: a serum (5 in b1, 2 in b2), a retinol cream (1 in b1),
	// an inactive toner.
	for id, p := range map[string]map[string]any{
		"serum": {"brand": "Derma Lab", "line": "Bright", "name": "Vitamin C 15% Serum", "category": "serum", "volume": 30, "unit": "ml",
			"daily_use": 0.5, "price": map[string]any{"amount": 350000, "currency": "RUB"}, "skin_types": []string{"normal", "combination"},
			"concerns": []string{"dullness", "pigmentation"}, "tags": []string{"vitamin_c"}},
		"retinol": {"brand": "Derma Lab", "name": "Retinol Night Cream", "category": "moisturizer", "volume": 50, "unit": "ml",
			"daily_use": 0.8, "price": map[string]any{"amount": 420000, "currency": "RUB"},
			"contraindications": []string{"pregnancy", "breastfeeding", "isotretinoin"}, "tags": []string{"retinoid"}},
		"toner": {"brand": "Aqua", "name": "Toner", "category": "toner", "price": map[string]any{"amount": 90000, "currency": "RUB"}, "active": false},
	} {
		r := h.do(req{method: "PUT", path: "/api/v1/staff/products/" + id, token: c.owner.token, body: p})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	}
	for _, s := range []struct {
		product, branch string
		qty             int
	}{{"serum", "b1", 5}, {"serum", "b2", 2}, {"retinol", "b1", 1}} {
		r := h.do(req{method: "PUT", path: "/api/v1/staff/products/" + s.product + "/stock", token: c.owner.token,
			body: map[string]any{"branch_id": s.branch, "quantity": s.qty}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	}
	c.byName = map[string]signedIn{"owner": c.anna, "client2": c.boris, "docFree": c.doc2, "doc": c.doc, "mgr": c.mgr,
		"mgrOther": c.mgrOther, "admin": c.owner, "anon": {}}
	return c
}

// orderBody is an order of the products (id → quantity) at a branch.
func orderBody(branch string, items ...any) map[string]any {
	list := []map[string]any{}
	for i := 0; i+1 < len(items); i += 2 {
		list = append(list, map[string]any{"product_id": items[i], "quantity": items[i+1]})
	}
	return map[string]any{"branch_id": branch, "items": list}
}

func (c *ordersClinic) placeOrder(who signedIn, body map[string]any) res {
	c.h.t.Helper()
	return c.h.do(req{method: "POST", path: "/api/v1/me/orders", token: who.token, body: body})
}

func TestProductsOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h

	r := h.do(req{method: "GET", path: "/api/v1/products"})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	products := r.json(t)["products"].([]any)
	require.Len(t, products, 2, "active only")
	retinol := products[0].(map[string]any)
	assert.Equal(t, "retinol", retinol["id"])
	assert.Equal(t, []any{"pregnancy", "breastfeeding", "isotretinoin"}, retinol["contraindications"])
	assert.EqualValues(t, 62, retinol["lasts_days"])
	assert.Equal(t, []any{map[string]any{"branch_id": "b1", "in_stock": true}}, retinol["stock"], "no quantities in public")
	assert.NotContains(t, retinol, "active")

	r = h.do(req{method: "GET", path: "/api/v1/products?branch_id=b2&category=serum"})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	products = r.json(t)["products"].([]any)
	require.Len(t, products, 1)
	assert.Equal(t, true, products[0].(map[string]any)["in_stock"])
	r = h.do(req{method: "GET", path: "/api/v1/products?branch_id=b2&category=moisturizer"})
	assert.Equal(t, false, r.json(t)["products"].([]any)[0].(map[string]any)["in_stock"], "never stocked there")
	r = h.do(req{method: "GET", path: "/api/v1/products?branch_id=nowhere", invalid: true})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	r = h.do(req{method: "GET", path: "/api/v1/products?category=Bad%20One"})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)

	r = h.do(req{method: "GET", path: "/api/v1/products/serum"})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, "Vitamin C 15% Serum", r.json(t)["name"])
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/products/toner"}).StatusCode, "inactive")

	r = h.do(req{method: "GET", path: "/api/v1/staff/products", token: c.mgr.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	all := r.json(t)["products"].([]any)
	assert.Len(t, all, 3, "staff see the inactive too")
	assert.EqualValues(t, 1, all[0].(map[string]any)["stock"].([]any)[0].(map[string]any)["quantity"])
	assert.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/staff/products", token: c.anna.token}).StatusCode)

	// Only admins write the catalog; managers the stock of their branches.
	body := map[string]any{"brand": "Derma Lab", "name": "Vitamin C 15% Serum", "category": "serum",
		"price": map[string]any{"amount": 390000, "currency": "RUB"}, "volume": 30, "unit": "ml", "daily_use": 0.5}
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/serum", token: c.owner.token, body: body})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.EqualValues(t, 390000, r.json(t)["price"].(map[string]any)["amount"])
	assert.Equal(t, true, r.json(t)["active"])
	for _, who := range []signedIn{c.mgr, c.doc, c.anna} {
		assert.Equal(t, http.StatusForbidden, h.do(req{method: "PUT", path: "/api/v1/staff/products/serum", token: who.token, body: body}).StatusCode)
	}
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/serum", token: c.owner.token, invalid: true,
		body: map[string]any{"brand": "X", "name": "Y", "category": "serum", "price": map[string]any{"amount": 1, "currency": "RUB"}, "skin_types": []string{"shiny"}}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, "skin_types[0]", r.json(t)["error"].(map[string]any)["field"])
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/serum", token: c.owner.token, invalid: true,
		raw: []byte(`{"brand":"X","name":"Y","category":"serum","price":{"amount":1,"currency":"RUB"},"stock":99}`)})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "unknown fields are refused")

	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/retinol/stock", token: c.mgr.token, body: map[string]any{"branch_id": "b1", "add": 4}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.EqualValues(t, 5, r.json(t)["quantity"])
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/retinol/stock", token: c.mgr.token, body: map[string]any{"branch_id": "b1", "add": -6}})
	assert.Equal(t, http.StatusConflict, r.StatusCode)
	assert.Equal(t, "out_of_stock", r.errCode(t))
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/retinol/stock", token: c.mgrOther.token, body: map[string]any{"branch_id": "b1", "quantity": 9}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/nope/stock", token: c.owner.token, body: map[string]any{"branch_id": "b1", "quantity": 9}})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/products/retinol/stock", token: c.owner.token, body: map[string]any{"branch_id": "b1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
}

func TestOrdersOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h

	r := h.do(req{method: "POST", path: "/api/v1/me/orders", token: c.anna.token, header: map[string]string{"Idempotency-Key": "k-1"},
		body: map[string]any{"branch_id": "b1", "note": "заберу в пятницу", "items": []map[string]any{{"product_id": "serum", "quantity": 2}, {"product_id": "retinol", "quantity": 1}}}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	o := r.json(t)
	id := o["id"].(string)
	assert.Equal(t, "new", o["status"])
	assert.Equal(t, "cabinet", o["source"])
	assert.Equal(t, map[string]any{"amount": 1120000.0, "currency": "RUB"}, o["total"])
	assert.NotContains(t, o, "client_id")
	assert.Len(t, o["items"], 2)
	assert.Equal(t, map[string]any{"amount": 700000.0, "currency": "RUB"}, o["items"].([]any)[0].(map[string]any)["subtotal"])

	r = h.do(req{method: "POST", path: "/api/v1/me/orders", token: c.anna.token, header: map[string]string{"Idempotency-Key": "k-1"},
		body: orderBody("b1", "serum", 1)})
	require.Equal(t, http.StatusOK, r.StatusCode, "a retry: %s", r.body)
	assert.Equal(t, id, r.json(t)["id"])

	r = c.placeOrder(c.boris, orderBody("b1", "retinol", 1))
	assert.Equal(t, http.StatusConflict, r.StatusCode)
	assert.Equal(t, "out_of_stock", r.errCode(t))
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no items", orderBody("b1"), "items"},
		{"unknown product", orderBody("b1", "nope", 1), "items[0].product_id"},
		{"inactive product", orderBody("b1", "toner", 1), "items[0].product_id"},
		{"unknown branch", orderBody("nowhere", "serum", 1), "branch_id"},
		{"twice", orderBody("b1", "serum", 1, "serum", 1), "items[1].product_id"},
	} {
		r := c.placeOrder(c.boris, tc.body)
		assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, tc.name)
		assert.Equal(t, tc.field, r.json(t)["error"].(map[string]any)["field"], tc.name)
	}
	r = h.do(req{method: "POST", path: "/api/v1/me/orders", token: c.boris.token, invalid: true, body: orderBody("b1", "serum", 11)})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	r = h.do(req{method: "POST", path: "/api/v1/me/orders", token: c.boris.token, invalid: true,
		raw: []byte(`{"branch_id":"b1","items":[{"product_id":"serum","quantity":1,"price":1}]}`)})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode, "a price cannot ride along")
	r = h.do(req{method: "POST", path: "/api/v1/me/orders", token: c.boris.token, invalid: true,
		raw: []byte(`{"branch_id":"b1","items":[{"product_id":"serum","quantity":"two"}]}`)})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)

	list := h.do(req{method: "GET", path: "/api/v1/me/orders?status=open", token: c.anna.token}).json(t)["orders"].([]any)
	assert.Len(t, list, 1)
	r = h.do(req{method: "GET", path: "/api/v1/me/orders?status=lost", token: c.anna.token, invalid: true})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)

	// The desk moves it along; Anna sees the history, without staff IDs.
	for _, st := range []string{"confirmed", "ready"} {
		r = h.do(req{method: "POST", path: "/api/v1/staff/orders/" + id + "/status", token: c.mgr.token, body: map[string]any{"status": st}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		assert.Equal(t, c.anna.userID, r.json(t)["client_id"])
	}
	r = h.do(req{method: "POST", path: "/api/v1/staff/orders/" + id + "/status", token: c.mgr.token, body: map[string]any{"status": "confirmed"}})
	assert.Equal(t, http.StatusConflict, r.StatusCode)
	assert.Equal(t, "invalid_transition", r.errCode(t))
	r = h.do(req{method: "POST", path: "/api/v1/staff/orders/" + id + "/status", token: c.mgr.token, invalid: true, body: map[string]any{"status": "shipped"}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	r = h.do(req{method: "POST", path: "/api/v1/me/orders/" + id + "/cancel", token: c.anna.token})
	assert.Equal(t, http.StatusConflict, r.StatusCode, "once confirmed, the client calls the clinic")

	r = h.do(req{method: "GET", path: "/api/v1/me/orders/" + id, token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	hist := r.json(t)["history"].([]any)
	require.Len(t, hist, 3)
	now := h.clock.Now().UTC().Format(time.RFC3339)
	assert.Equal(t, map[string]any{"from": "confirmed", "to": "ready", "at": now, "by_staff": true}, hist[2])
	r = h.do(req{method: "GET", path: "/api/v1/staff/orders/" + id, token: c.mgr.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, c.mgr.userID, r.json(t)["history"].([]any)[2].(map[string]any)["by"])

	r = h.do(req{method: "POST", path: "/api/v1/staff/orders/" + id + "/status", token: c.mgr.token, body: map[string]any{"status": "completed"}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, now, r.json(t)["completed_at"])

	// Boris orders and cancels while new: the stock comes back.
	r = c.placeOrder(c.boris, orderBody("b1", "serum", 3))
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	bid := r.json(t)["id"].(string)
	r = h.do(req{method: "POST", path: "/api/v1/me/orders/" + bid + "/cancel", token: c.boris.token, body: map[string]any{"reason": "нашёл дешевле"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "cancelled", r.json(t)["status"])
	assert.Equal(t, "нашёл дешевле", r.json(t)["cancel_reason"])
	serum := h.do(req{method: "GET", path: "/api/v1/staff/products?branch_id=b1&category=serum", token: c.mgr.token}).json(t)["products"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 3, serum["stock"].([]any)[0].(map[string]any)["quantity"], "5 − 2 sold; Boris's 3 returned")

	// A purchase at the desk, then Anna's list of purchases.
	r = h.do(req{method: "POST", path: "/api/v1/staff/clients/" + c.anna.userID + "/orders", token: c.mgr.token, body: orderBody("b1", "serum", 1)})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.Equal(t, "completed", r.json(t)["status"])
	assert.Equal(t, "front_desk", r.json(t)["source"])
	r = h.do(req{method: "POST", path: "/api/v1/staff/clients/ghost/orders", token: c.mgr.token, body: orderBody("b1", "serum", 1)})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)

	r = h.do(req{method: "GET", path: "/api/v1/me/purchases", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	purchases := r.json(t)["purchases"].([]any)
	require.Len(t, purchases, 2)
	var serumBought map[string]any
	for _, p := range purchases {
		if p.(map[string]any)["product_id"] == "serum" {
			serumBought = p.(map[string]any)
		}
	}
	require.NotNil(t, serumBought)
	assert.EqualValues(t, 3, serumBought["quantity"])
	assert.EqualValues(t, 2, serumBought["times"])
	assert.EqualValues(t, 60, serumBought["lasts_days"])
	assert.Equal(t, "2027-01-24", serumBought["runs_out_around"])
	assert.Empty(t, h.do(req{method: "GET", path: "/api/v1/me/purchases", token: c.boris.token}).json(t)["purchases"])

	r = h.do(req{method: "GET", path: "/api/v1/staff/orders?branch_id=b1&status=completed", token: c.mgr.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Len(t, r.json(t)["orders"], 2)
}

// Two clients press "order" at once, three times each, for the last unit:
// exactly one order is made.
func TestOrderRaceOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	const each = 3
	var wg sync.WaitGroup
	statuses := make(chan int, 2*each)
	start := make(chan struct{})
	for _, who := range []signedIn{c.anna, c.boris} {
		for range each {
			wg.Go(func() {
				<-start
				statuses <- c.placeOrder(who, orderBody("b1", "retinol", 1)).StatusCode
			})
		}
	}
	close(start)
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: 2*each - 1}, counts)
}

func TestVisitsAndPlanOverHTTP(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h

	r := h.do(req{method: "GET", path: "/api/v1/me/visits", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	visits := r.json(t)["visits"].([]any)
	require.Len(t, visits, 1)
	v := visits[0].(map[string]any)
	assert.Equal(t, "Пилинг", v["service_name"])
	assert.Equal(t, "2026-11-20T10:00:00+03:00", v["start"])
	assert.Empty(t, v["recommendations"])

	r = h.do(req{method: "PUT", path: "/api/v1/staff/appointments/" + c.visitID + "/visit-note", token: c.doc.token,
		body: map[string]any{"notes": "Кожа спокойная, лёгкое покраснение пройдёт за сутки.", "recommendations": []map[string]any{
			{"kind": "product", "item_id": "serum", "text": "утром, перед SPF"},
			{"kind": "procedure", "item_id": "peel", "text": "повторить через 2 недели"},
			{"kind": "home_care", "text": "неделю без сауны и солярия"},
		}}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, c.doc.userID, r.json(t)["written_by"])
	r = h.do(req{method: "PUT", path: "/api/v1/staff/appointments/" + c.visitID + "/visit-note", token: c.doc.token, invalid: true,
		body: map[string]any{"recommendations": []map[string]any{{"kind": "diet", "text": "x"}}}})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, "recommendations[0].kind", r.json(t)["error"].(map[string]any)["field"])

	v = h.do(req{method: "GET", path: "/api/v1/me/visits", token: c.anna.token}).json(t)["visits"].([]any)[0].(map[string]any)
	assert.Equal(t, "Кожа спокойная, лёгкое покраснение пройдёт за сутки.", v["notes"])
	recs := v["recommendations"].([]any)
	require.Len(t, recs, 3)
	assert.Equal(t, map[string]any{"kind": "product", "item_id": "serum", "name": "Derma Lab Vitamin C 15% Serum", "text": "утром, перед SPF"}, recs[0])
	assert.Equal(t, "Пилинг", recs[1].(map[string]any)["name"])

	// The plan: an upcoming visit (booked by Anna) and a course.
	r = h.do(req{method: "POST", path: "/api/v1/staff/plans", token: c.doc.token,
		body: map[string]any{"client_id": c.anna.userID, "specialist_id": "A", "service_id": "peel", "branch_id": "b1", "sessions": 4, "interval_days": 14}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	planID := r.json(t)["id"].(string)
	body := bookBody("A", mskTime(10, 0))
	body["plan_id"] = planID
	r = h.do(req{method: "POST", path: "/api/v1/me/appointments", token: c.anna.token, body: body})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)

	r = h.do(req{method: "GET", path: "/api/v1/me/plan", token: c.anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	plan := r.json(t)
	upcoming := plan["upcoming"].([]any)
	require.Len(t, upcoming, 1)
	assert.Equal(t, "2026-11-30T10:00:00+03:00", upcoming[0].(map[string]any)["start"])
	assert.Equal(t, "Анна", upcoming[0].(map[string]any)["specialist_name"])
	courses := plan["courses"].([]any)
	require.Len(t, courses, 1)
	course := courses[0].(map[string]any)
	assert.EqualValues(t, 4, course["sessions"])
	assert.EqualValues(t, 0, course["completed"])
	assert.Len(t, course["booked"], 1)
	assert.EqualValues(t, 3, course["remaining"])
	assert.Equal(t, "2026-12-14", course["next_from"])
	assert.Empty(t, h.do(req{method: "GET", path: "/api/v1/me/plan", token: c.boris.token}).json(t)["courses"])
}

// The authorization matrix of the order, purchase, visit and plan
// endpoints: the owner and the right staff succeed; another client, staff
// without a relation and a manager of another branch get 404 (or 403 where
// they may see the client but not do this); the unauthenticated 401.
// Requests that change state run in the order given, the allowed ones last.
func TestOrdersAuthorizationMatrix(t *testing.T) {
	c := newOrdersClinic(t)
	h := c.h
	r := c.placeOrder(c.anna, orderBody("b1", "serum", 1))
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	order := r.json(t)["id"].(string)
	r = c.placeOrder(c.anna, orderBody("b1", "serum", 1))
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	cancellable := r.json(t)["id"].(string)
	anna := c.anna.userID

	type try struct {
		who    string
		status int
	}
	for _, tc := range []struct {
		method, path string
		body         any
		tries        []try
	}{
		{"GET", "/api/v1/me/orders/" + order, nil,
			[]try{{"owner", 200}, {"client2", 404}, {"docFree", 404}, {"admin", 404}, {"anon", 401}}},
		{"POST", "/api/v1/me/orders/" + cancellable + "/cancel", map[string]any{"reason": "x"},
			[]try{{"client2", 404}, {"mgr", 404}, {"anon", 401}, {"owner", 200}}},
		{"GET", "/api/v1/me/orders", nil, []try{{"owner", 200}, {"anon", 401}}},
		{"GET", "/api/v1/me/purchases", nil, []try{{"owner", 200}, {"anon", 401}}},
		{"GET", "/api/v1/me/visits", nil, []try{{"owner", 200}, {"anon", 401}}},
		{"GET", "/api/v1/me/plan", nil, []try{{"owner", 200}, {"anon", 401}}},
		{"GET", "/api/v1/staff/orders/" + order, nil,
			[]try{{"owner", 403}, {"client2", 403}, {"docFree", 404}, {"doc", 200}, {"mgr", 200}, {"mgrOther", 404}, {"admin", 200}, {"anon", 401}}},
		{"POST", "/api/v1/staff/orders/" + order + "/status", map[string]any{"status": "confirmed"},
			[]try{{"owner", 403}, {"client2", 403}, {"docFree", 404}, {"doc", 403}, {"mgrOther", 404}, {"anon", 401}, {"mgr", 200}}},
		{"POST", "/api/v1/staff/orders/" + order + "/status", map[string]any{"status": "ready"},
			[]try{{"admin", 200}}},
		{"GET", "/api/v1/staff/orders?branch_id=b1", nil,
			[]try{{"owner", 403}, {"docFree", 403}, {"doc", 403}, {"mgrOther", 403}, {"mgr", 200}, {"admin", 200}, {"anon", 401}}},
		{"GET", "/api/v1/staff/clients/" + anna + "/orders", nil,
			[]try{{"owner", 403}, {"client2", 403}, {"docFree", 404}, {"doc", 200}, {"mgr", 200}, {"mgrOther", 404}, {"admin", 200}, {"anon", 401}}},
		{"GET", "/api/v1/staff/clients/" + anna + "/purchases", nil,
			[]try{{"owner", 403}, {"client2", 403}, {"docFree", 404}, {"doc", 200}, {"mgr", 200}, {"mgrOther", 404}, {"admin", 200}, {"anon", 401}}},
		{"GET", "/api/v1/staff/clients/" + anna + "/visits", nil,
			[]try{{"owner", 403}, {"client2", 403}, {"docFree", 404}, {"doc", 200}, {"mgr", 200}, {"mgrOther", 404}, {"admin", 200}, {"anon", 401}}},
		{"PUT", "/api/v1/staff/appointments/" + c.visitID + "/visit-note", map[string]any{"notes": "SPF 50 каждый день"},
			[]try{{"owner", 403}, {"client2", 403}, {"docFree", 404}, {"mgrOther", 404}, {"anon", 401}, {"doc", 200}, {"mgr", 200}, {"admin", 200}}},
		{"POST", "/api/v1/staff/clients/" + anna + "/orders", orderBody("b1", "serum", 1),
			[]try{{"owner", 403}, {"client2", 403}, {"doc", 403}, {"docFree", 403}, {"mgrOther", 403}, {"anon", 401}, {"mgr", 201}, {"admin", 201}}},
		{"PUT", "/api/v1/staff/products/serum/stock", map[string]any{"branch_id": "b1", "add": 1},
			[]try{{"owner", 403}, {"doc", 403}, {"mgrOther", 403}, {"anon", 401}, {"mgr", 200}, {"admin", 200}}},
		{"PUT", "/api/v1/staff/products/serum", map[string]any{"brand": "Derma Lab", "name": "Vitamin C 15% Serum", "category": "serum",
			"price": map[string]any{"amount": 350000, "currency": "RUB"}, "volume": 30, "unit": "ml", "daily_use": 0.5},
			[]try{{"owner", 403}, {"doc", 403}, {"mgr", 403}, {"anon", 401}, {"admin", 200}}},
	} {
		for _, tr := range tc.tries {
			t.Run(fmt.Sprintf("%s %s as %s", tc.method, tc.path, tr.who), func(t *testing.T) {
				r := h.do(req{method: tc.method, path: tc.path, body: tc.body, token: c.byName[tr.who].token})
				assert.Equal(t, tr.status, r.StatusCode, "%s", r.body)
			})
		}
	}

	// The refusals of staff are in the audit trail, without the data.
	denied, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: c.mgrOther.userID, Action: "card.denied"})
	require.NoError(t, err)
	assert.NotEmpty(t, denied)
	for _, d := range denied {
		assert.Equal(t, anna, d.Subject)
	}
	viewed, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: c.doc.userID, Action: "card.viewed", Subject: anna})
	require.NoError(t, err)
	assert.NotEmpty(t, viewed, "staff reads of the card are recorded")
}

// The order, product, stock, status and visit-note bodies never make a 5xx
// or an answer without the error body, whatever they hold.
func FuzzOrderBodies(f *testing.F) {
	for _, seed := range []string{
		`{"branch_id":"b1","items":[{"product_id":"serum","quantity":1}]}`,
		`{"branch_id":"b1","items":[{"product_id":"serum","quantity":-1}],"note":"\u0000"}`,
		`{"branch_id":"b1","items":null}`, `{"items":[{}]}`, `{`, `null`, `[]`, `"x"`,
		`{"brand":"A","name":"B","category":"serum","price":{"amount":1,"currency":"RUB"},"volume":30,"unit":"ml","daily_use":1e308}`,
		`{"brand":"A","name":"B","category":"serum","price":{"amount":-9223372036854775808,"currency":"RUB"}}`,
		`{"branch_id":"b1","quantity":2147483648}`, `{"branch_id":"b1","add":-1}`,
		`{"status":"completed","reason":"` + strings.Repeat("я", 400) + `"}`,
		`{"notes":"x","recommendations":[{"kind":"product","item_id":"serum"}]}`,
	} {
		f.Add(seed)
	}
	st, err := sqlite.Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.WithSynchronous(sqlite.SynchronousNormal))
	require.NoError(f, err)
	f.Cleanup(func() { _ = st.Close() })
	outbox := notify.NewDevOutbox(10, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("f"), 32), SMS: outbox, Mail: outbox})
	require.NoError(f, err)
	ctx := f.Context()
	signIn := func(identifier string) auth.SignIn {
		tk, err := cab.Auth().RequestCode(ctx, auth.CodeRequest{Identifier: identifier})
		require.NoError(f, err)
		m, ok := outbox.Last(identifier)
		require.True(f, ok)
		in, err := cab.Auth().Verify(ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: codeRE.FindString(m.Body)})
		require.NoError(f, err)
		return in
	}
	_, err = cab.Auth().Bootstrap(ctx, "owner@clinic.example")
	require.NoError(f, err)
	admin, client := signIn("owner@clinic.example"), signIn("+79123456789")
	require.NoError(f, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "Центр", TimeZone: "Europe/Moscow", Active: true}))
	_, err = st.UpsertProduct(ctx, card.Product{ID: "serum", Brand: "A", Name: "B", Category: "serum",
		Price: booking.Money{Amount: 100, Currency: "RUB"}, Active: true})
	require.NoError(f, err)
	_, err = st.SetStock(ctx, "serum", "b1", 1_000_000, time.Now())
	require.NoError(f, err)
	handler := cab.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, tc := range []struct{ method, path, token string }{
			{"POST", "/api/v1/me/orders", client.Token},
			{"POST", "/api/v1/staff/clients/" + client.User.ID + "/orders", admin.Token},
			{"PUT", "/api/v1/staff/products/fuzzed", admin.Token},
			{"PUT", "/api/v1/staff/products/serum/stock", admin.Token},
			{"POST", "/api/v1/staff/orders/nope/status", admin.Token},
			{"PUT", "/api/v1/staff/appointments/nope/visit-note", admin.Token},
		} {
			r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+tc.token)
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %q → %d %s", tc.path, body, w.Code, w.Body)
			}
			if w.Code >= 400 && !strings.Contains(w.Body.String(), `"error":{"code":`) {
				t.Fatalf("%s %q → %d without the error body: %s", tc.path, body, w.Code, w.Body)
			}
		}
	})
}
