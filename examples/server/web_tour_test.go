package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Every page of the cabinet, as a client and as staff, with data in it: each
// is drawn without console errors or failed requests, passes the
// accessibility check (labels, names, contrast), does not scroll sideways
// at 390 px, and is written at 390×844 and 1280×800 with -screenshots.
func TestWebTour(t *testing.T) {
	t.Parallel()
	srv := start(t, newDirs(t), env{})
	p := openTab(t, srv, phone)
	p.signIn("+7 912 345-67-89", "+79123456789")

	// Her card: consents, a questionnaire, a journal entry, a booking, an order.
	for _, c := range []string{"personal_data", "health_data", "photos", "marketing"} {
		status, _ := p.apiCall("POST", "me/consents", map[string]any{"type": c, "granted": true, "text_version": "2026-01"})
		require.Equal(t, 201, status, c)
	}
	status, _ := p.apiCall("PUT", "me/profile", map[string]any{"name": "Анна Петрова", "skin_type": "combination", "phototype": 3,
		"concerns":          []map[string]any{{"code": "pigmentation", "severity": 2}, {"code": "dehydration", "severity": 1}},
		"contraindications": []string{}, "allergies": []string{}, "preferred_branch_id": "branch-tverskaya"})
	require.Equal(t, 200, status)
	status, _ = p.apiCall("POST", "me/skin/journal", map[string]any{"date": time.Now().Format(time.DateOnly),
		"scores": map[string]int{"pigmentation": 6, "dehydration": 4}, "notes": "После отпуска"})
	require.Equal(t, 201, status)
	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 9).Format(time.DateOnly)
	_, slots := p.apiCall("GET", "slots?service_id=svc-peel-almond&branch_id=branch-tverskaya&from="+from+"&to="+to, nil)
	require.NotEmpty(t, slots["slots"])
	slot := slots["slots"].([]any)[0].(map[string]any)
	status, appt := p.apiCall("POST", "me/appointments", map[string]any{"service_id": "svc-peel-almond",
		"branch_id": "branch-tverskaya", "start": slot["start"]})
	require.Equal(t, 201, status, "%v", appt)
	status, order := p.apiCall("POST", "me/orders", map[string]any{"branch_id": "branch-tverskaya",
		"items": []map[string]any{{"product_id": "prd-vitamin-c", "quantity": 1}}})
	require.Equal(t, 201, status, "%v", order)
	// Two photos, drawn in the page and uploaded as a phone would.
	for i, kind := range []string{"before", "after"} {
		status := eval[int](p, fmt.Sprintf(`(async () => {
			const c = document.createElement('canvas'); c.width = 640; c.height = 800;
			const g = c.getContext('2d');
			const grad = g.createLinearGradient(0, 0, 640, 800);
			grad.addColorStop(0, '#e8c9b5'); grad.addColorStop(1, '#c99a82');
			g.fillStyle = grad; g.fillRect(0, 0, 640, 800);
			g.fillStyle = 'rgba(150, 70, 60, %.2f)';
			for (let k = 0; k < 40; k++) { g.beginPath(); g.arc(200 + (k * 37) %% 260, 300 + (k * 53) %% 220, 6, 0, 7); g.fill(); }
			const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
			const f = new FormData();
			f.append('kind', %q); f.append('area', 'face'); f.append('file', blob, 'face.jpg');
			const s = await (await fetch('api/v1/auth/session')).json();
			return (await fetch('api/v1/me/photos', {method: 'POST', headers: {'X-CSRF-Token': s.csrf_token}, body: f})).status;
		})()`, 0.6-0.4*float64(i), kind))
		require.Equal(t, 201, status, kind)
	}
	_, me := p.apiCall("GET", "me", nil)
	clientID := me["user"].(map[string]any)["id"].(string)

	p.expect("GET /no/such/page", 404)
	visit := func(p *tab, path, module, shot string) {
		t.Helper()
		p.open(path)
		p.waitReady(module)
		p.noSidewaysScroll()
		p.accessible()
		p.shots(shot)
	}
	for _, pg := range []struct{ path, module, shot string }{
		{"", "home", "home"},
		{"book", "book", "book"},
		{"book?service_id=svc-peel-almond", "book", "book-service"},
		{"appointments", "appointments", "appointments"},
		{"appointments/" + appt["id"].(string), "appointment", "appointment"},
		{"services/svc-peel-almond", "service", "service"},
		{"card", "card", "card"},
		{"card/questionnaire", "questionnaire", "questionnaire"},
		{"photos", "photos", "photos"},
		{"photos/compare", "compare", "compare"},
		{"journal", "journal", "journal"},
		{"report", "report", "report"},
		{"visits", "visits", "visits"},
		{"purchases", "purchases", "purchases"},
		{"orders", "orders", "orders"},
		{"orders/" + order["id"].(string), "order", "order"},
		{"products", "products", "products"},
		{"recommendations", "recommendations", "recommendations"},
		{"offers", "offers", "offers"},
		{"favorites", "favorites", "favorites"},
		{"reviews", "reviews", "reviews"},
		{"settings", "settings", "settings"},
		{"devices", "devices", "devices"},
		{"no/such/page", "not-found", "not-found"},
	} {
		visit(p, pg.path, pg.module, pg.shot)
	}

	// The owner's side, on a desktop.
	s := openTab(t, srv, desktop)
	s.signIn("owner@clinic.example", "owner@clinic.example")
	for _, pg := range []struct{ path, module, shot string }{
		{"staff/day", "staff_day", "staff-day"},
		{"staff/week", "staff_week", "staff-week"},
		{"staff/branch", "staff_branch", "staff-branch"},
		{"staff/clients", "staff_clients", "staff-clients"},
		{"staff/clients/" + clientID, "staff_client", "staff-client"},
		{"staff/appointments/" + appt["id"].(string), "staff_appointment", "staff-appointment"},
		{"staff/book", "staff_book", "staff-book"},
		{"staff/orders", "staff_orders", "staff-orders"},
	} {
		visit(s, pg.path, pg.module, pg.shot)
	}
}
