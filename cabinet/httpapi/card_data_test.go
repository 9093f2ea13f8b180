package httpapi_test

import (
	"archive/zip"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

func init() {
	// The validator only needs to read the archive; the tests open it.
	openapi3filter.RegisterBodyDecoder("application/zip", openapi3filter.FileBodyDecoder)
}

const (
	annaPhone  = "+79123456789"
	annaEmail  = "anna@example.com"
	borisPhone = "+79123456780"
)

// dataJPEG is a small JPEG whose pixels depend on seed.
func dataJPEG(t *testing.T, seed uint8) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			m.Set(x, y, color.RGBA{R: uint8(x*4) + seed, G: uint8(y * 5), B: seed, A: 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}))
	return b.Bytes()
}

// dataUpload uploads a photo of kind as the client and returns its ID.
func (h *harness) dataUpload(who signedIn, kind string, seed uint8) string {
	h.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	require.NoError(h.t, mw.WriteField("kind", kind))
	require.NoError(h.t, mw.WriteField("area", "face"))
	fw, err := mw.CreateFormFile("file", "IMG_0001.jpg")
	require.NoError(h.t, err)
	_, err = fw.Write(dataJPEG(h.t, seed))
	require.NoError(h.t, err)
	require.NoError(h.t, mw.Close())
	r := h.do(req{method: "POST", path: "/api/v1/me/photos", raw: b.Bytes(), token: who.token,
		header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	require.Equal(h.t, http.StatusCreated, r.StatusCode, "%s", r.body)
	return r.json(h.t)["id"].(string)
}

// consent records a consent through the API.
func (h *harness) consent(who signedIn, typ string) {
	h.t.Helper()
	r := h.do(req{method: "POST", path: "/api/v1/me/consents", token: who.token,
		body: map[string]any{"type": typ, "granted": true, "text_version": "2026-01"}})
	require.Equal(h.t, http.StatusCreated, r.StatusCode, "%s", r.body)
}

// export downloads the client's archive and returns data.json, parsed and
// raw, and the files under photos/.
func (h *harness) export(who signedIn) (map[string]any, string, map[string][]byte) {
	h.t.Helper()
	r := h.do(req{method: "GET", path: "/api/v1/me/export", token: who.token})
	require.Equal(h.t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(h.t, "application/zip", r.Header.Get("Content-Type"))
	assert.Equal(h.t, "no-store", r.Header.Get("Cache-Control"))
	assert.Regexp(h.t, `^attachment; filename="kabinet-export-\d{4}-\d{2}-\d{2}\.zip"$`, r.Header.Get("Content-Disposition"))
	zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
	require.NoError(h.t, err)
	var raw string
	photos := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(h.t, err)
		b, err := io.ReadAll(rc)
		require.NoError(h.t, err)
		rc.Close()
		switch {
		case f.Name == "data.json":
			raw = string(b)
		case strings.HasPrefix(f.Name, "photos/"):
			photos[f.Name] = b
		default:
			h.t.Errorf("unexpected file %s in the archive", f.Name)
		}
	}
	var data map[string]any
	require.NoError(h.t, json.Unmarshal([]byte(raw), &data), "data.json")
	return data, raw, photos
}

// blobFiles lists the files of the blob directory.
func (h *harness) blobFiles() []string {
	h.t.Helper()
	dir := h.cab.Card().Config().Blobs.(*card.DiskBlobs).Dir()
	var files []string
	require.NoError(h.t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	}))
	slices.Sort(files)
	return files
}

// scanTables copies the database (VACUUM INTO: a consistent snapshot) and
// returns, for each needle, the rows of any table whose text holds it.
func (h *harness) scanTables(needles ...string) map[string][]string {
	h.t.Helper()
	path := filepath.Join(h.t.TempDir(), "copy.db")
	require.NoError(h.t, h.store.Backup(h.t.Context(), path))
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	require.NoError(h.t, err)
	defer db.Close()
	var tables []string
	rows, err := db.QueryContext(h.t.Context(), `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	require.NoError(h.t, err)
	for rows.Next() {
		var n string
		require.NoError(h.t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(h.t, rows.Close())
	require.Contains(h.t, tables, "appointments")
	found := map[string][]string{}
	for _, table := range tables {
		rows, err := db.QueryContext(h.t.Context(), `SELECT * FROM "`+table+`"`)
		require.NoError(h.t, err)
		cols, err := rows.Columns()
		require.NoError(h.t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(h.t, rows.Scan(ptrs...))
			for i, v := range vals {
				var text string
				switch x := v.(type) {
				case string:
					text = x
				case []byte:
					text = string(x)
				default:
					continue
				}
				for _, n := range needles {
					if strings.Contains(text, n) {
						found[n] = append(found[n], fmt.Sprintf("%s.%s = %q", table, cols[i], text))
					}
				}
			}
		}
		require.NoError(h.t, rows.Err())
		require.NoError(h.t, rows.Close())
	}
	return found
}

// list returns data[key] as a list of objects.
func list(t *testing.T, data map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := data[key].([]any)
	require.True(t, ok, "%s is a list in %v", key, data[key])
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

// dataCast is a clinic with two clients, Anna (who will go) and Boris (who
// stays), each with something of every kind.
type dataCast struct {
	h                  *harness
	admin, anna, boris signedIn
	past, future       string // Anna's appointments
	bookedBoris        string
}

func newDataCast(t *testing.T) *dataCast {
	t.Helper()
	h := newHarness(t)
	ctx := t.Context()
	h.seedClinic("")
	_, err := h.cab.Auth().Bootstrap(ctx, "owner@clinic.example")
	require.NoError(t, err)
	_, err = h.store.UpsertProduct(ctx, card.Product{ID: "serum", Brand: "Derma Lab", Name: "Vitamin C Serum", Category: "serum",
		Price: booking.Money{Amount: 350000, Currency: "RUB"}, Active: true})
	require.NoError(t, err)
	_, err = h.store.SetStock(ctx, "serum", "b1", 100, h.clock.Now())
	require.NoError(t, err)

	c := &dataCast{h: h}
	c.anna = h.signIn(annaPhone, annaPhone)
	c.boris = h.signIn(borisPhone, borisPhone)
	// Anna adds her e-mail.
	r := h.do(req{method: "POST", path: "/api/v1/me/identifiers", token: c.anna.token, body: map[string]any{"identifier": annaEmail}})
	require.Equal(t, http.StatusAccepted, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "POST", path: "/api/v1/me/identifiers/verify", token: c.anna.token,
		body: map[string]any{"challenge_id": r.json(t)["challenge_id"], "code": h.lastCode(annaEmail)}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)

	for i, who := range []signedIn{c.anna, c.boris} {
		words := dataWords[i]
		for _, typ := range []string{"personal_data", "health_data", "photos"} {
			h.consent(who, typ)
		}
		for _, body := range []map[string]any{
			{"name": "Анна Петрова", "birth_date": "1990-05-17", "locale": "ru", "preferred_branch_id": "b1"},
			{"skin_type": "dry", "phototype": 2, "concerns": []any{map[string]any{"code": "acne", "severity": 2}},
				"allergies": []string{words.allergy}, "contraindications": []string{}, "home_care": []string{"SPF 50"}},
		} {
			r := h.do(req{method: "PUT", path: "/api/v1/me/profile", token: who.token, body: body})
			require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		}
		before := h.dataUpload(who, "before", 10)
		h.dataUpload(who, "after", 90)
		r := h.do(req{method: "POST", path: "/api/v1/me/skin/journal", token: who.token, body: map[string]any{
			"date": "2026-11-24", "scores": map[string]int{"acne": 6}, "notes": words.journal, "photo_ids": []string{before}}})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		r = h.do(req{method: "POST", path: "/api/v1/me/orders", token: who.token, body: map[string]any{
			"branch_id": "b1", "items": []any{map[string]any{"product_id": "serum", "quantity": 1}}, "note": words.order}})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		r = h.do(req{method: "POST", path: "/api/v1/me/push-subscriptions", token: who.token, body: pushBody("https://push.example/" + who.userID)})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		r = h.do(req{method: "PUT", path: settingsPath, token: who.token, raw: []byte(`{"quiet_hours":null}`)})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	}

	// Anna books Monday (to be a past visit) and Friday (still ahead when
	// she leaves); Boris books Monday with the other specialist.
	book := func(who signedIn, spec string, start time.Time, note string) string {
		body := bookBody(spec, start)
		body["note"] = note
		r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: who.token, body: body})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
		return r.json(t)["id"].(string)
	}
	c.past = book(c.anna, "A", mskTime(10, 0), dataWords[0].booking)
	c.future = book(c.anna, "A", mskTime(10, 0).AddDate(0, 0, 4), dataWords[0].booking+" после работы")
	c.bookedBoris = book(c.boris, "B", mskTime(10, 0), dataWords[1].booking)
	c.admin = h.signIn("owner@clinic.example", "owner@clinic.example")
	admin := booking.Actor{UserID: c.admin.userID, Role: booking.RoleAdmin}
	_, err = h.cab.Booking().CreatePlan(ctx, admin, booking.Plan{ClientID: c.anna.userID, ServiceID: "peel", BranchID: "b1",
		Sessions: 3, Interval: 14 * 24 * time.Hour, Notes: "курс от акне"})
	require.NoError(t, err)
	// Confirmations and reminders are planned: Anna has messages.
	_, err = h.cab.Plan(ctx)
	require.NoError(t, err)
	h.cab.RunOnce(ctx)

	// Monday noon: the visit took place; the specialist writes a note.
	h.clock.Advance(4*24*time.Hour + 23*time.Hour)
	_, err = h.cab.Booking().Complete(ctx, admin, c.past, "кожа спокойная")
	require.NoError(t, err)
	_, err = h.cab.Card().WriteVisitNote(ctx, card.Actor{UserID: c.admin.userID, Role: booking.RoleAdmin}, c.past,
		dataWords[0].visit, []card.Recommendation{{Kind: card.RecommendHomeCare, Text: "SPF 50 каждый день"}})
	require.NoError(t, err)
	c.admin = h.signIn("owner@clinic.example", "owner@clinic.example") // a staff session lasts 12 h
	return c
}

// dataWords are each client's own free texts, to be searched for.
var dataWords = []struct{ allergy, journal, order, booking, visit string }{
	{"пыльца берёзы", "сыпь на подбородке", "к пятнице, Анна", "впервые у вас", "лёгкое раздражение"},
	{"лидокаин", "сыпь на лбу", "к субботе", "по рекомендации", "всё спокойно"},
}

// TestExportThenErase: the archive holds every kind of row of the client
// and their photos' bytes; after the erasure no table holds their ID,
// phone or e-mail, their files are gone, their token is dead, the future
// visit is cancelled in the staff's view, Boris is untouched, and the phone
// signs up again as a new, empty client.
func TestExportThenErase(t *testing.T) {
	c := newDataCast(t)
	h, anna := c.h, c.anna
	ctx := t.Context()

	// ---- the export ----
	data, raw, zipped := h.export(anna)
	assert.Equal(t, "kabinet-export/1", data["format"])
	account := data["account"].(map[string]any)
	assert.Equal(t, anna.userID, account["id"])
	assert.Equal(t, annaPhone, account["phone"])
	assert.Equal(t, annaEmail, account["email"])
	assert.Equal(t, []any{"client"}, account["roles"])
	assert.NotEmpty(t, account["created_at"])

	versions := list(t, data, "profile_versions")
	require.Len(t, versions, 2)
	assert.Equal(t, "dry", versions[0]["profile"].(map[string]any)["skin_type"], "newest first")
	assert.Equal(t, "Анна Петрова", versions[1]["profile"].(map[string]any)["name"])
	assert.Len(t, list(t, data, "consents"), 3)

	appts := list(t, data, "appointments")
	require.Len(t, appts, 2)
	assert.Equal(t, c.past, appts[0]["id"])
	assert.Equal(t, "completed", appts[0]["status"])
	assert.Equal(t, dataWords[0].booking, appts[0]["client_note"])
	assert.Equal(t, "Пилинг", appts[0]["service"])
	assert.Len(t, appts[0]["history"], 2, "booked, completed")
	assert.Equal(t, c.future, appts[1]["id"])
	plans := list(t, data, "treatment_plans")
	require.Len(t, plans, 1)
	assert.Equal(t, "курс от акне", plans[0]["notes"])
	notes := list(t, data, "visit_notes")
	require.Len(t, notes, 1)
	assert.Equal(t, dataWords[0].visit, notes[0]["notes"])

	journal := list(t, data, "skin_journal")
	require.Len(t, journal, 1)
	assert.Equal(t, dataWords[0].journal, journal[0]["notes"])
	assert.Equal(t, map[string]any{"acne": 6.0}, journal[0]["scores"])
	photos := list(t, data, "photos")
	require.Len(t, photos, 2)
	require.Len(t, zipped, 2)
	for _, p := range photos {
		id := p["id"].(string)
		require.Equal(t, "photos/"+id+".jpg", p["file"])
		r := h.do(req{method: "GET", path: "/api/v1/me/photos/" + id + "/image?size=original", token: anna.token})
		require.Equal(t, http.StatusOK, r.StatusCode)
		assert.Equal(t, r.body, zipped[p["file"].(string)], "the archive holds the original's bytes")
	}
	assert.Contains(t, journal[0]["photo_ids"], photos[0]["id"])

	orders := list(t, data, "orders")
	require.Len(t, orders, 1)
	assert.Equal(t, dataWords[0].order, orders[0]["note"])
	assert.Len(t, orders[0]["items"], 1)
	assert.NotEmpty(t, orders[0]["history"])

	assert.NotNil(t, data["notification_settings"])
	push := list(t, data, "push_subscriptions")
	require.Len(t, push, 1)
	assert.Equal(t, "push.example", push[0]["push_service"])
	assert.NotContains(t, raw, "tBHItJI5svbpez7KI4CCXg", "no push keys")
	msgs := list(t, data, "messages")
	require.NotEmpty(t, msgs)
	for _, m := range msgs {
		assert.NotEmpty(t, m["text"], "texts included")
	}
	var actions []string
	for _, e := range list(t, data, "audit") {
		actions = append(actions, e["action"].(string))
	}
	assert.Contains(t, actions, "auth.sign_in")
	assert.Contains(t, actions, "auth.identifier_added")
	for _, other := range []string{c.boris.userID, borisPhone, c.bookedBoris} {
		assert.NotContains(t, raw, other, "nothing of anyone else's")
	}
	exported, err := h.store.ListAudit(ctx, auth.AuditFilter{Subject: anna.userID, Action: card.ActionDataExported})
	require.NoError(t, err)
	assert.Len(t, exported, 1, "the export is recorded")

	// ---- the erasure ----
	borisBefore, _, borisPhotos := h.export(c.boris)
	annaFiles := len(h.blobFiles()) - 3*len(borisPhotos)
	require.Equal(t, 6, annaFiles, "two photos, three sizes each")

	// The scan finds her everywhere before: it would see what is left.
	tablesOf := func(rows []string) []string {
		var out []string
		for _, r := range rows {
			table, _, _ := strings.Cut(r, ".")
			if !slices.Contains(out, table) {
				out = append(out, table)
			}
		}
		slices.Sort(out)
		return out
	}
	seen := h.scanTables(anna.userID, annaPhone, annaEmail)
	assert.Subset(t, tablesOf(seen[anna.userID]), []string{"appointments", "appointment_history", "audit_log", "consents",
		"events", "messages", "notification_settings", "orders", "order_history", "photos", "plans", "profile_versions",
		"push_subscriptions", "sessions", "skin_journal", "users", "visit_notes"}, "%v", tablesOf(seen[anna.userID]))
	assert.Subset(t, tablesOf(seen[annaPhone]), []string{"users", "challenges", "rate_events", "messages"})
	assert.Subset(t, tablesOf(seen[annaEmail]), []string{"users", "challenges"})

	// The code goes to her own phone and says what it confirms.
	h.clock.Advance(61 * time.Second)
	r := h.do(req{method: "POST", path: "/api/v1/me/erasure/code", token: anna.token})
	require.Equal(t, http.StatusAccepted, r.StatusCode, "%s", r.body)
	challenge := r.json(t)["challenge_id"].(string)
	assert.Equal(t, "sms", r.json(t)["channel"])
	sms, ok := h.outbox.Last(annaPhone)
	require.True(t, ok)
	assert.Contains(t, sms.Body, "удаления аккаунта")
	code := h.lastCode(annaPhone)

	// A wrong code erases nothing.
	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
	r = h.do(req{method: "DELETE", path: "/api/v1/me", token: anna.token, body: map[string]any{"challenge_id": challenge, "code": wrong}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s: the session is fine, the code is not", r.body)
	assert.Equal(t, "invalid_code", r.errCode(t))
	assert.Equal(t, "code", r.json(t)["error"].(map[string]any)["field"])
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: anna.token}).StatusCode)
	assert.Len(t, h.blobFiles(), annaFiles+3*len(borisPhotos))
	// Boris cannot use Anna's code: erasure is of oneself only.
	r = h.do(req{method: "DELETE", path: "/api/v1/me", token: c.boris.token, body: map[string]any{"challenge_id": challenge, "code": code}})
	require.Equal(t, http.StatusGone, r.StatusCode, "%s", r.body)
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: anna.token}).StatusCode)
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me", token: c.boris.token}).StatusCode)

	r = h.do(req{method: "DELETE", path: "/api/v1/me", token: anna.token, body: map[string]any{"challenge_id": challenge, "code": code}})
	require.Equal(t, http.StatusNoContent, r.StatusCode, "%s", r.body)

	// Her token is dead.
	r = h.do(req{method: "GET", path: "/api/v1/me", token: anna.token})
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	// Her files are gone, Boris's are there.
	assert.Len(t, h.blobFiles(), 3*len(borisPhotos))
	// No table holds her ID, phone or e-mail.
	w := dataWords[0]
	assert.Empty(t, h.scanTables(anna.userID, annaPhone, annaEmail, w.allergy, w.journal, w.order, w.booking, w.visit),
		"nothing of hers is left")

	// Staff see the future visit cancelled, and why; the past one is kept.
	r = h.do(req{method: "GET", path: "/api/v1/staff/appointments/" + c.future, token: c.admin.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	future := r.json(t)["appointment"].(map[string]any)
	history := r.json(t)["history"].([]any)
	assert.Equal(t, card.EraseCancelReason, history[len(history)-1].(map[string]any)["reason"], "the history says why")
	assert.Equal(t, "cancelled", future["status"])
	assert.Equal(t, card.EraseCancelReason, future["cancel_reason"])
	pseudonym := future["client_id"].(string)
	assert.True(t, card.IsPseudonym(pseudonym), pseudonym)
	assert.Empty(t, future["note"], "her words are gone")
	r = h.do(req{method: "GET", path: "/api/v1/staff/appointments/" + c.past, token: c.admin.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	past := r.json(t)["appointment"].(map[string]any)
	assert.Equal(t, "completed", past["status"])
	assert.Equal(t, pseudonym, past["client_id"], "one pseudonym everywhere")
	assert.Equal(t, map[string]any{"amount": 350000.0, "currency": "RUB"}, past["price"], "prices stay")
	erased, err := h.store.ListAudit(ctx, auth.AuditFilter{Subject: pseudonym, Action: card.ActionDataErased})
	require.NoError(t, err)
	assert.Len(t, erased, 1, "the erasure is in the trail, under the pseudonym")
	kept, err := h.store.ListAudit(ctx, auth.AuditFilter{ActorID: pseudonym, Action: auth.ActionSignIn})
	require.NoError(t, err)
	assert.NotEmpty(t, kept, "her sign-ins stay in the trail, under the pseudonym")

	// Boris is untouched.
	borisAfter, _, borisPhotosAfter := h.export(c.boris)
	for _, key := range []string{"account", "profile_versions", "consents", "appointments", "treatment_plans", "visit_notes",
		"skin_journal", "photos", "orders", "notification_settings", "push_subscriptions", "messages"} {
		assert.Equal(t, borisBefore[key], borisAfter[key], key)
	}
	assert.Equal(t, borisPhotos, borisPhotosAfter)

	// The same phone signs up again as a new, empty client.
	again := h.signIn(annaPhone, annaPhone)
	assert.NotEqual(t, anna.userID, again.userID)
	fresh, _, freshPhotos := h.export(again)
	assert.Empty(t, freshPhotos)
	for _, key := range []string{"profile_versions", "consents", "appointments", "treatment_plans", "visit_notes",
		"skin_journal", "photos", "orders", "push_subscriptions"} {
		assert.Empty(t, fresh[key], key)
	}
	assert.Empty(t, fresh["account"].(map[string]any)["email"], "the e-mail went with the old account")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestExportLimit(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn(annaPhone, annaPhone)
	for range 3 {
		h.export(anna)
	}
	r := h.do(req{method: "GET", path: "/api/v1/me/export", token: anna.token})
	require.Equal(t, http.StatusTooManyRequests, r.StatusCode, "%s", r.body)
	assert.Equal(t, "rate_limited", r.errCode(t))
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
	h.clock.Advance(time.Hour)
	h.export(anna)

	r = h.do(req{method: "GET", path: "/api/v1/me/export"})
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
}

func TestErasureCodeOverHTTP(t *testing.T) {
	h := newHarness(t)
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	admin := h.signIn("owner@clinic.example", "owner@clinic.example")
	anna := h.signIn(annaEmail, annaEmail)

	// The e-mail when there is no phone; the message says what it is for.
	r := h.do(req{method: "POST", path: "/api/v1/me/erasure/code", token: anna.token, body: map[string]any{}})
	require.Equal(t, http.StatusAccepted, r.StatusCode, "%s", r.body)
	assert.Equal(t, "email", r.json(t)["channel"])
	mail, ok := h.outbox.Last(annaEmail)
	require.True(t, ok)
	assert.Contains(t, mail.Subject, "Удаление аккаунта")

	h.clock.Advance(61 * time.Second)
	r = h.do(req{method: "POST", path: "/api/v1/me/erasure/code", token: anna.token, body: map[string]any{"channel": "sms"},
		header: map[string]string{"Accept-Language": "en"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	assert.Equal(t, "channel", errorOf(t, r)["field"])

	// Staff accounts are closed by an administrator, not this way.
	r = h.do(req{method: "POST", path: "/api/v1/me/erasure/code", token: admin.token})
	assert.Equal(t, http.StatusForbidden, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "DELETE", path: "/api/v1/me", token: admin.token, body: map[string]any{"challenge_id": "x", "code": "123456"}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode, "%s", r.body)

	r = h.do(req{method: "DELETE", path: "/api/v1/me", token: anna.token, body: map[string]any{"code": "123456"}, invalid: true})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "DELETE", path: "/api/v1/me", body: map[string]any{"challenge_id": "x", "code": "123456"}})
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	r = h.do(req{method: "POST", path: "/api/v1/me/erasure/code"})
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
}

// TestPartialErasureOverHTTP: withdrawing the health or photos consent is
// followed by deleting that part alone.
func TestPartialErasureOverHTTP(t *testing.T) {
	c := newDataCast(t)
	h, anna := c.h, c.anna
	borisBefore, _, _ := h.export(c.boris)

	r := h.do(req{method: "POST", path: "/api/v1/me/consents", token: anna.token,
		body: map[string]any{"type": "health_data", "granted": false}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "DELETE", path: "/api/v1/me/profile/health", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, map[string]any{"versions": 1.0, "journal_entries": 1.0}, r.json(t))
	r = h.do(req{method: "GET", path: "/api/v1/me/profile", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode)
	p := r.json(t)
	assert.Empty(t, p["skin_type"])
	assert.Nil(t, p["allergies"])
	assert.Equal(t, "Анна Петрова", p["name"], "personal answers stay")

	r = h.do(req{method: "DELETE", path: "/api/v1/me/photos", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, 2.0, r.json(t)["deleted"])
	data, _, zipped := h.export(anna)
	assert.Empty(t, zipped)
	assert.Empty(t, data["photos"])
	assert.Empty(t, data["skin_journal"])
	for _, v := range list(t, data, "profile_versions") {
		assert.Empty(t, v["profile"].(map[string]any)["skin_type"], "gone from the history too")
	}
	assert.Len(t, h.blobFiles(), 6, "Boris's photos stay")
	assert.Empty(t, h.scanTables(dataWords[0].allergy, dataWords[0].journal), "her health texts are gone")
	assert.NotEmpty(t, h.scanTables(dataWords[1].allergy, dataWords[1].journal), "Boris's are not")
	erased, err := h.store.ListAudit(t.Context(), auth.AuditFilter{Subject: anna.userID, Action: card.ActionDataErased})
	require.NoError(t, err)
	assert.Len(t, erased, 2, "both deletions are recorded")

	borisAfter, _, _ := h.export(c.boris)
	for _, key := range []string{"profile_versions", "skin_journal", "photos"} {
		assert.Equal(t, borisBefore[key], borisAfter[key], key)
	}
	r = h.do(req{method: "DELETE", path: "/api/v1/me/photos"})
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
}
