package httpapi_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

func init() {
	// Photos are checked by the tests themselves; the validator only needs
	// to read them.
	openapi3filter.RegisterBodyDecoder("image/jpeg", openapi3filter.FileBodyDecoder)
}

// ---- real images, made here ---------------------------------------------------

// photoQuads is a w×h JPEG: red top-left, green top-right, blue
// bottom-left, white bottom-right.
func photoQuads(w, h int) []byte {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{220, 30, 30, 255}
			switch {
			case x >= w/2 && y < h/2:
				c = color.RGBA{30, 200, 30, 255}
			case x < w/2 && y >= h/2:
				c = color.RGBA{30, 30, 220, 255}
			case x >= w/2 && y >= h/2:
				c = color.RGBA{240, 240, 240, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// photoGPSMarker sits in the GPS IFD photoWithExif adds.
const photoGPSMarker = "KABINET-GPS-MARKER"

// photoWithExif splices an APP1 Exif segment after the JPEG's SOI: IFD0
// with Orientation and a pointer to a GPS IFD (latitude 55°45′N, and a
// GPSMapDatum holding photoGPSMarker), and a DateTimeOriginal of
// 2026-11-20 in an Exif IFD.
func photoWithExif(jpg []byte, orientation int) []byte {
	le := binary.LittleEndian
	var t []byte
	u16 := func(v uint16) { t = le.AppendUint16(t, v) }
	u32 := func(v uint32) { t = le.AppendUint32(t, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }
	const ifd0, exifIFD, gpsIFD, data = 8, 50, 68, 110
	date := "2026:11:20 09:15:00\x00"
	marker := photoGPSMarker + "\x00"
	t = append(t, "II*\x00"...)
	u32(ifd0)
	u16(3)
	entry(0x0112, 3, 1, uint32(orientation)) // Orientation
	entry(0x8769, 4, 1, exifIFD)             // Exif IFD
	entry(0x8825, 4, 1, gpsIFD)              // GPS IFD
	u32(0)
	u16(1)
	entry(0x9003, 2, uint32(len(date)), data) // DateTimeOriginal
	u32(0)
	u16(3)
	entry(0x0001, 2, 2, uint32('N'))                                 // GPSLatitudeRef
	entry(0x0002, 5, 3, data+uint32(len(date)))                      // GPSLatitude
	entry(0x0012, 2, uint32(len(marker)), data+uint32(len(date))+24) // GPSMapDatum
	u32(0)
	t = append(t, date...)
	for _, v := range []uint32{55, 1, 45, 1, 0, 1} {
		u32(v)
	}
	t = append(t, marker...)
	payload := append([]byte("Exif\x00\x00"), t...)
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(payload)+2))
	out := append(append([]byte(nil), jpg[:2]...), seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// photoBombPNG is a valid 1×1 PNG whose header says w×h.
func photoBombPNG(w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		panic(err)
	}
	p := b.Bytes()
	binary.BigEndian.PutUint32(p[16:], uint32(w))
	binary.BigEndian.PutUint32(p[20:], uint32(h))
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// ---- requests -----------------------------------------------------------------

// formPart is one part of a multipart form.
type formPart struct {
	name, value string
	file        []byte // a file part when not nil
	fileName    string
	contentType string
}

// photoForm encodes the parts, in order, as multipart/form-data.
func photoForm(parts ...formPart) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.file == nil {
			_ = mw.WriteField(p.name, p.value)
			continue
		}
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.fileName)}
		h["Content-Type"] = []string{p.contentType}
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(p.file)
	}
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// filePart is the file part of an upload, named and typed as a browser
// would for a JPEG whatever it holds.
func filePart(data []byte) formPart {
	return formPart{name: "file", file: data, fileName: "IMG_0042.jpg", contentType: "image/jpeg"}
}

// upload posts a photo form to path.
func (h *harness) upload(token, path string, invalid bool, parts ...formPart) res {
	h.t.Helper()
	body, ct := photoForm(parts...)
	return h.do(req{method: "POST", path: path, raw: body, token: token, invalid: invalid,
		header: map[string]string{"Content-Type": ct, "Accept-Language": "en"}})
}

// photoBlobs lists the files of the harness's blob directory.
func (h *harness) photoBlobs() []string {
	h.t.Helper()
	dir := h.cab.Card().Config().Blobs.(*card.DiskBlobs).Dir()
	var files []string
	require.NoError(h.t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	}))
	return files
}

// grant records a consent of the client, as the client.
func (h *harness) grant(client signedIn, t card.ConsentType) {
	h.t.Helper()
	_, err := h.cab.Card().RecordConsent(h.t.Context(), card.Actor{UserID: client.userID, Role: booking.RoleClient},
		client.userID, card.ConsentInput{Type: t, Granted: true, TextVersion: "2026-01"})
	require.NoError(h.t, err)
}

// photoCast is a clinic with a client who has a visit, and everyone who
// may or may not see her card.
type photoCast struct {
	owner, client, other, doc, stranger, manager2, admin signedIn
	apptID                                               string
}

func newPhotoCast(t *testing.T, h *harness) photoCast {
	t.Helper()
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	var c photoCast
	c.admin = h.signIn("owner@clinic.example", "owner@clinic.example")
	require.NoError(t, h.store.UpsertBranch(t.Context(), booking.Branch{ID: "b2", Name: "Север", TimeZone: "Europe/Moscow", Active: true}))
	for _, s := range []struct {
		ident    string
		roles    []string
		branches []string
	}{
		{"doc@clinic.example", []string{"specialist"}, []string{"b1"}},
		{"stranger@clinic.example", []string{"specialist"}, []string{"b1"}},
		{"manager2@clinic.example", []string{"manager"}, []string{"b2"}},
	} {
		r := h.do(req{method: "POST", path: "/api/v1/staff/users", token: c.admin.token,
			body: map[string]any{"identifier": s.ident, "roles": s.roles, "branch_ids": s.branches}})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	}
	c.doc = h.signIn("doc@clinic.example", "doc@clinic.example")
	c.stranger = h.signIn("stranger@clinic.example", "stranger@clinic.example")
	c.manager2 = h.signIn("manager2@clinic.example", "manager2@clinic.example")
	h.seedClinic(c.doc.userID)
	c.client = h.signIn("+79123456789", "+79123456789")
	c.other = h.signIn("+79123456780", "+79123456780")
	c.owner = c.client
	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: c.client.token, body: bookBody("A", mskTime(10, 0))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	c.apptID = r.json(t)["id"].(string)
	return c
}

// ---- tests ------------------------------------------------------------------------

func TestPhotoUploadOverHTTP(t *testing.T) {
	h := newHarness(t)
	c := newPhotoCast(t, h)
	h.grant(c.client, card.ConsentPhotos)

	src := photoWithExif(photoQuads(40, 20), 6)
	require.Contains(t, string(src), photoGPSMarker)
	require.Contains(t, string(src), "Exif")
	// The file first, the fields after: any order goes.
	r := h.upload(c.client.token, "/api/v1/me/photos", false, filePart(src),
		formPart{name: "kind", value: "before"}, formPart{name: "area", value: "face"},
		formPart{name: "appointment_id", value: c.apptID})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	p := r.json(t)
	id := p["id"].(string)
	assert.Equal(t, "before", p["kind"])
	assert.Equal(t, "face", p["area"])
	assert.Equal(t, "2026-11-20", p["taken_at"], "the camera's day")
	assert.EqualValues(t, 20, p["width"], "turned upright: 40×20 with orientation 6 is 20×40")
	assert.EqualValues(t, 40, p["height"])
	assert.Equal(t, c.apptID, p["appointment_id"])
	assert.Equal(t, "client", p["uploaded_by"])

	for _, size := range []string{"", "?size=original", "?size=medium", "?size=thumb"} {
		img := h.do(req{method: "GET", path: "/api/v1/me/photos/" + id + "/image" + size, token: c.client.token})
		require.Equal(t, http.StatusOK, img.StatusCode, "%s", img.body)
		assert.Equal(t, "image/jpeg", img.Header.Get("Content-Type"))
		assert.Equal(t, "private, no-store", img.Header.Get("Cache-Control"))
		assert.Equal(t, "nosniff", img.Header.Get("X-Content-Type-Options"))
		name := strings.TrimPrefix(size, "?size=")
		if name == "" {
			name = "original"
		}
		assert.Equal(t, fmt.Sprintf(`inline; filename="photo-%s-%s.jpg"`, id, name), img.Header.Get("Content-Disposition"))
		assert.Equal(t, fmt.Sprint(len(img.body)), img.Header.Get("Content-Length"))
		// GPS in, none out: no EXIF block, no GPS value.
		assert.NotContains(t, string(img.body), "Exif")
		assert.NotContains(t, string(img.body), photoGPSMarker)
		assert.NotContains(t, string(img.body), "2026:11:20")
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.body))
		require.NoError(t, err)
		assert.Equal(t, [2]int{20, 40}, [2]int{cfg.Width, cfg.Height})
	}
	r = h.do(req{method: "GET", path: "/api/v1/me/photos/" + id + "/image?size=huge", token: c.client.token, invalid: true})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)

	list := h.do(req{method: "GET", path: "/api/v1/me/photos", token: c.client.token})
	require.Equal(t, http.StatusOK, list.StatusCode)
	assert.Len(t, list.json(t)["photos"], 1)
	for _, q := range []string{"?area=neck", "?kind=after", "?appointment_id=other", "?from=2026-11-21"} {
		r := h.do(req{method: "GET", path: "/api/v1/me/photos" + q, token: c.client.token})
		require.Equal(t, http.StatusOK, r.StatusCode, q)
		assert.Empty(t, r.json(t)["photos"], q)
	}
	r = h.do(req{method: "GET", path: "/api/v1/me/photos?from=20.11.2026", token: c.client.token, invalid: true})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)

	// The pair of the visit.
	after := h.upload(c.client.token, "/api/v1/me/photos", false, formPart{name: "kind", value: "after"},
		formPart{name: "area", value: "face"}, formPart{name: "taken_at", value: "2026-11-24"},
		formPart{name: "appointment_id", value: c.apptID}, filePart(photoQuads(64, 64)))
	require.Equal(t, http.StatusCreated, after.StatusCode, "%s", after.body)
	pairs := h.do(req{method: "GET", path: "/api/v1/me/photos/pairs?appointment_id=" + c.apptID, token: c.client.token})
	require.Equal(t, http.StatusOK, pairs.StatusCode, "%s", pairs.body)
	list2 := pairs.json(t)["pairs"].([]any)
	require.Len(t, list2, 1)
	pair := list2[0].(map[string]any)
	assert.Equal(t, "face", pair["area"])
	assert.Equal(t, id, pair["before"].(map[string]any)["id"])
	assert.Equal(t, after.json(t)["id"], pair["after"].(map[string]any)["id"])
	r = h.do(req{method: "GET", path: "/api/v1/me/photos/pairs", token: c.client.token})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)

	// Deleted: 204, the files go, and the photo is gone.
	require.Len(t, h.photoBlobs(), 6)
	r = h.do(req{method: "DELETE", path: "/api/v1/me/photos/" + id, token: c.client.token})
	require.Equal(t, http.StatusNoContent, r.StatusCode, "%s", r.body)
	assert.Len(t, h.photoBlobs(), 3)
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/me/photos/" + id + "/image", token: c.client.token}).StatusCode)
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "DELETE", path: "/api/v1/me/photos/" + id, token: c.client.token}).StatusCode)
}

func TestPhotoUploadRefusalsOverHTTP(t *testing.T) {
	h := newHarness(t)
	c := newPhotoCast(t, h)
	fields := []formPart{{name: "kind", value: "progress"}, {name: "area", value: "cheeks"}}
	with := func(file []byte, extra ...formPart) []formPart {
		return append(append(append([]formPart(nil), fields...), extra...), filePart(file))
	}
	good := photoQuads(64, 48)

	r := h.upload(c.client.token, "/api/v1/me/photos", false, with(good)...)
	require.Equal(t, http.StatusForbidden, r.StatusCode, "%s", r.body)
	assert.Equal(t, "consent_required", r.errCode(t))
	assert.Equal(t, "consent:photos", r.json(t)["error"].(map[string]any)["field"])
	h.grant(c.client, card.ConsentPhotos)

	heic := append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 500)...)
	for _, tc := range []struct {
		name    string
		parts   []formPart
		invalid bool
		status  int
		code    string
		message string // a part of the (English) message
	}{
		{"HTML named photo.jpg, sent as image/jpeg", with([]byte("<!DOCTYPE html><html><script>alert(1)</script></html>")), false, 415, "unsupported_media_type", "JPEG, PNG or WebP"},
		{"GIF", with([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")), false, 415, "unsupported_media_type", "GIF files are not accepted"},
		{"PDF", with([]byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF")), false, 415, "unsupported_media_type", "PDF"},
		{"HEIC", with(heic), false, 415, "unsupported_media_type", "HEIC photos (the iPhone's default) are not accepted: send a JPEG, PNG or WebP"},
		{"truncated", with(good[:len(good)/2]), false, 422, "invalid_image", ""},
		{"a decompression bomb: 50000×50000 in a tiny PNG", with(photoBombPNG(50000, 50000)), false, 422, "image_too_large", "over 40 megapixels"},
		{"over 15 MB", with(append(append([]byte(nil), good...), make([]byte, 15<<20)...)), false, 413, "too_large", "over 15 MB"},
		{"no file", fields, true, 422, "invalid_input", ""},
		{"an unknown kind", with(good, formPart{name: "kind", value: "selfie"})[1:], true, 422, "invalid_input", ""},
		{"an unknown part", with(good, formPart{name: "client_id", value: c.other.userID}), true, 400, "unknown_field", ""},
		{"a part twice", with(good, formPart{name: "area", value: "neck"}), true, 400, "malformed_request", ""},
		{"a malformed date", with(good, formPart{name: "taken_at", value: "20.11.2026"}), true, 400, "malformed_parameter", ""},
		{"another client's visit", with(good, formPart{name: "appointment_id", value: "nope"}), false, 422, "invalid_input", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.upload(c.client.token, "/api/v1/me/photos", tc.invalid, tc.parts...)
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			assert.Equal(t, tc.code, r.errCode(t))
			assert.Contains(t, r.json(t)["error"].(map[string]any)["message"], tc.message)
			assert.Empty(t, h.photoBlobs(), "nothing half-written stays in the blob directory")
			list := h.do(req{method: "GET", path: "/api/v1/me/photos", token: c.client.token}).json(t)["photos"]
			assert.Empty(t, list, "nor in the store")
		})
	}
	// Not a form at all.
	r = h.do(req{method: "POST", path: "/api/v1/me/photos", token: c.client.token, raw: good, invalid: true,
		header: map[string]string{"Content-Type": "image/jpeg"}})
	assert.Equal(t, http.StatusUnsupportedMediaType, r.StatusCode)
	assert.Equal(t, "unsupported_media_type", r.errCode(t))
}

func TestPhotoAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	c := newPhotoCast(t, h)
	h.grant(c.client, card.ConsentPhotos)
	h.grant(c.client, card.ConsentHealthData)
	up := h.upload(c.client.token, "/api/v1/me/photos", false, formPart{name: "kind", value: "before"},
		formPart{name: "area", value: "face"}, formPart{name: "appointment_id", value: c.apptID}, filePart(photoQuads(64, 48)))
	require.Equal(t, http.StatusCreated, up.StatusCode, "%s", up.body)
	photoID := up.json(t)["id"].(string)
	client := c.client.userID
	staffBase := "/api/v1/staff/clients/" + client
	journal := map[string]any{"date": "2026-11-24", "scores": map[string]int{"acne": 4}, "notes": "ok"}

	type who struct {
		name string
		s    signedIn
	}
	actors := []who{{"owner", c.client}, {"second client", c.other}, {"specialist without a relation", c.stranger},
		{"her specialist", c.doc}, {"manager of another branch", c.manager2}, {"admin", c.admin}, {"unauthenticated", signedIn{}}}
	const (
		ok        = 0 // 200, or 201 for a POST
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
	)
	// Expected status by actor, in the order of actors.
	me := []int{ok, notFound, notFound, notFound, notFound, notFound, http.StatusUnauthorized}
	staff := []int{forbidden, forbidden, notFound, ok, notFound, ok, http.StatusUnauthorized}
	for _, ep := range []struct {
		method, path string
		body         any
		form         bool
		want         []int
	}{
		{"GET", "/api/v1/me/photos/" + photoID + "/image", nil, false, me},
		{"GET", "/api/v1/me/photos/" + photoID + "/image?size=thumb", nil, false, me},
		{"GET", "/api/v1/me/photos/pairs?appointment_id=" + c.apptID, nil, false, me},
		{"GET", staffBase + "/photos", nil, false, staff},
		{"GET", staffBase + "/photos/" + photoID + "/image", nil, false, staff},
		{"GET", staffBase + "/photos/" + photoID + "/image?size=medium", nil, false, staff},
		{"GET", staffBase + "/photos/pairs?appointment_id=" + c.apptID, nil, false, staff},
		{"POST", staffBase + "/photos", nil, true, staff},
		{"GET", staffBase + "/skin/journal", nil, false, staff},
		{"POST", staffBase + "/skin/journal", journal, false, staff},
		{"GET", staffBase + "/skin/trend", nil, false, staff},
		{"GET", staffBase + "/skin/report?from=2026-11-01&to=2026-11-30", nil, false, staff},
		{"DELETE", "/api/v1/me/photos/" + photoID, nil, false, []int{-1, notFound, notFound, notFound, notFound, notFound, http.StatusUnauthorized}},
	} {
		for i, a := range actors {
			want := ep.want[i]
			if want < 0 {
				continue // the owner's delete is tested elsewhere: the photo must stay for the other rows
			}
			t.Run(ep.method+" "+ep.path+" as "+a.name, func(t *testing.T) {
				var r res
				if ep.form {
					r = h.upload(a.s.token, ep.path, false, formPart{name: "kind", value: "after"},
						formPart{name: "area", value: "face"}, filePart(photoQuads(32, 32)))
				} else {
					r = h.do(req{method: ep.method, path: ep.path, token: a.s.token, body: ep.body})
				}
				switch want {
				case ok:
					assert.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.StatusCode, "%s", r.body)
				default:
					assert.Equal(t, want, r.StatusCode, "%s", r.body)
				}
			})
		}
	}
	// The photo is still there, and the owner alone may delete it.
	assert.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/me/photos/" + photoID + "/image", token: c.client.token}).StatusCode)

	// Every staff read of the photo is on record, with the IP and without
	// the photo; refusals too.
	viewed, err := h.store.ListAudit(t.Context(), auth.AuditFilter{Subject: client, Action: card.ActionCardViewed, Limit: 1000})
	require.NoError(t, err)
	readers := map[string]int{}
	for _, e := range viewed {
		if e.Detail == "photo "+photoID {
			readers[e.ActorID]++
			assert.NotEmpty(t, e.IP)
		}
	}
	assert.Equal(t, map[string]int{c.doc.userID: 2, c.admin.userID: 2}, readers)
	denied, err := h.store.ListAudit(t.Context(), auth.AuditFilter{Subject: client, Action: card.ActionCardDenied, Limit: 1000})
	require.NoError(t, err)
	deniedBy := map[string]bool{}
	for _, e := range denied {
		deniedBy[e.ActorID] = true
	}
	assert.Equal(t, map[string]bool{c.stranger.userID: true, c.manager2.userID: true}, deniedBy)

	// Staff uploads are marked as such, and the client sees them.
	list := h.do(req{method: "GET", path: "/api/v1/me/photos?kind=after", token: c.client.token}).json(t)["photos"].([]any)
	require.NotEmpty(t, list)
	assert.Equal(t, "staff", list[0].(map[string]any)["uploaded_by"])
}

func TestSkinJournalOverHTTP(t *testing.T) {
	h := newHarness(t)
	c := newPhotoCast(t, h)
	entry := map[string]any{"date": "2026-11-24", "scores": map[string]int{"acne": 6, "dehydration": 3}, "notes": "После пилинга сухо."}

	r := h.do(req{method: "POST", path: "/api/v1/me/skin/journal", token: c.client.token, body: entry})
	require.Equal(t, http.StatusForbidden, r.StatusCode, "%s", r.body)
	assert.Equal(t, "consent_required", r.errCode(t))
	assert.Equal(t, "consent:health_data", r.json(t)["error"].(map[string]any)["field"])
	h.grant(c.client, card.ConsentHealthData)

	r = h.do(req{method: "POST", path: "/api/v1/me/skin/journal", token: c.client.token, body: entry})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	self := r.json(t)
	assert.Equal(t, "self_assessment", self["kind"])
	assert.Equal(t, "client", self["by"])
	assert.Equal(t, map[string]any{"acne": 6.0, "dehydration": 3.0}, self["scores"])
	assert.NotContains(t, self, "author_id", "clients are not shown user IDs")

	r = h.do(req{method: "POST", path: "/api/v1/me/skin/journal", token: c.client.token,
		body: map[string]any{"date": "2026-11-24", "kind": "assessment", "notes": "я врач"}})
	assert.Equal(t, http.StatusForbidden, r.StatusCode, "a client cannot write a specialist's assessment")
	assert.Equal(t, "forbidden", r.errCode(t))

	r = h.do(req{method: "POST", path: "/api/v1/staff/clients/" + c.client.userID + "/skin/journal", token: c.doc.token,
		body: map[string]any{"date": "2026-11-25", "scores": map[string]int{"acne": 4}, "notes": "Воспалений меньше."}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	assert.Equal(t, "assessment", r.json(t)["kind"])
	assert.Equal(t, "staff", r.json(t)["by"])
	assert.Equal(t, c.doc.userID, r.json(t)["author_id"])

	for _, tc := range []struct {
		body   map[string]any
		status int
		field  string
	}{
		{map[string]any{"date": "2026-11-24", "scores": map[string]int{"freckles": 2}}, 422, "scores.freckles"},
		{map[string]any{"date": "2026-11-24", "scores": map[string]int{"acne": 11}}, 422, "scores.acne"},
		{map[string]any{"date": "2026-11-30", "notes": "x"}, 422, "date"},
		{map[string]any{"notes": "x"}, 422, "date"},
		{map[string]any{"date": "24.11.2026", "notes": "x"}, 400, "date"},
		{map[string]any{"date": "2026-11-24", "photo_ids": []string{"nope"}}, 422, "photo_ids[0]"},
		{map[string]any{"date": "2026-11-24", "notes": "x", "author_id": "someone"}, 400, "author_id"},
	} {
		r := h.do(req{method: "POST", path: "/api/v1/me/skin/journal", token: c.client.token, body: tc.body, invalid: true})
		require.Equal(t, tc.status, r.StatusCode, "%v: %s", tc.body, r.body)
		assert.Equal(t, tc.field, r.json(t)["error"].(map[string]any)["field"], "%v", tc.body)
	}

	r = h.do(req{method: "GET", path: "/api/v1/me/skin/journal", token: c.client.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	entries := r.json(t)["entries"].([]any)
	require.Len(t, entries, 2)
	assert.Equal(t, "2026-11-25", entries[0].(map[string]any)["date"], "newest first")

	r = h.do(req{method: "GET", path: "/api/v1/me/skin/trend", token: c.client.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	concerns := r.json(t)["concerns"].([]any)
	require.Len(t, concerns, 2)
	acne := concerns[0].(map[string]any)
	assert.Equal(t, "acne", acne["code"])
	assert.Equal(t, []any{map[string]any{"date": "2026-11-24", "score": 6.0, "entry_id": self["id"]}}, acne["self_assessment"])
	assert.Len(t, acne["assessment"], 1, "the specialist's score is a series of its own")

	// The appointment is in the past by the report's end: complete it with
	// notes, then gather the report.
	h.clock.Advance(mskTime(11, 0).Sub(h.clock.Now()))
	doc := h.signIn("doc@clinic.example", "doc@clinic.example")
	client := h.signIn("+79123456789", "+79123456789")
	r = h.do(req{method: "POST", path: "/api/v1/staff/appointments/" + c.apptID + "/complete", token: doc.token,
		body: map[string]any{"notes": "Для своих: оплата наличными"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "PUT", path: "/api/v1/staff/appointments/" + c.apptID + "/visit-note", token: doc.token,
		body: map[string]any{"notes": "SPF 50 каждый день"}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	r = h.do(req{method: "GET", path: "/api/v1/me/skin/report?from=2026-11-01&to=2026-11-30", token: client.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	rep := r.json(t)
	assert.Equal(t, "2026-11-01", rep["from"])
	assert.Len(t, rep["concerns"], 2)
	notes := rep["notes"].([]any)
	require.Len(t, notes, 2)
	assert.Equal(t, map[string]any{"date": "2026-11-25", "source": "assessment", "specialist_id": "A", "specialist_name": "Анна",
		"text": "Воспалений меньше.", "entry_id": notes[0].(map[string]any)["entry_id"]}, notes[0])
	assert.Equal(t, "visit", notes[1].(map[string]any)["source"])
	assert.Equal(t, "SPF 50 каждый день", notes[1].(map[string]any)["text"], "the note written for the client")
	assert.NotContains(t, string(r.body), "наличными", "never the staff's own notes")
	for _, q := range []string{"", "?from=2026-11-01", "?from=2026-11-30&to=2026-11-01", "?from=2026-11-01&to=2026-11-30&plan_id=x"} {
		r := h.do(req{method: "GET", path: "/api/v1/me/skin/report" + q, token: client.token})
		assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, q)
	}
	assert.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/me/skin/report?plan_id=nope", token: client.token}).StatusCode)
}

func TestPhotosWithoutBlobStore(t *testing.T) {
	h := newHarness(t, func(cfg *cabinet.Config) { cfg.Blobs = nil })
	c := newPhotoCast(t, h)
	h.grant(c.client, card.ConsentPhotos)
	r := h.upload(c.client.token, "/api/v1/me/photos", false, formPart{name: "kind", value: "before"},
		formPart{name: "area", value: "face"}, filePart(photoQuads(16, 16)))
	assert.Equal(t, http.StatusServiceUnavailable, r.StatusCode, "%s", r.body)
	assert.Equal(t, "photos_unavailable", r.errCode(t))
	r = h.do(req{method: "GET", path: "/api/v1/me/photos", token: c.client.token})
	assert.Equal(t, http.StatusOK, r.StatusCode, "listing needs no files")
}

// A client's card holds at most Card.MaxPhotosPerClient photos: the next
// upload is a 413 that says so, and deleting one makes room.
func TestPhotoQuotaOverHTTP(t *testing.T) {
	h := newHarness(t, func(c *cabinet.Config) { c.Card.MaxPhotosPerClient = 2 })
	c := newPhotoCast(t, h)
	h.grant(c.client, card.ConsentPhotos)
	up := func() res {
		return h.upload(c.client.token, "/api/v1/me/photos", false, formPart{name: "kind", value: "progress"},
			formPart{name: "area", value: "face"}, filePart(photoQuads(64, 48)))
	}
	first := up()
	require.Equal(t, http.StatusCreated, first.StatusCode, "%s", first.body)
	require.Equal(t, http.StatusCreated, up().StatusCode)
	r := up()
	require.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode, "%s", r.body)
	assert.Equal(t, "photo_quota", r.errCode(t))
	assert.Contains(t, r.json(t)["error"].(map[string]any)["message"], "2 photos")
	assert.Len(t, h.photoBlobs(), 6, "two photos in three sizes: nothing of the refused one")

	// Another client is not counted against her.
	h.grant(c.other, card.ConsentPhotos)
	r = h.upload(c.other.token, "/api/v1/me/photos", false, formPart{name: "kind", value: "progress"},
		formPart{name: "area", value: "face"}, filePart(photoQuads(64, 48)))
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)

	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/me/photos/" + first.json(t)["id"].(string), token: c.client.token}).StatusCode)
	require.Equal(t, http.StatusCreated, up().StatusCode, "room again")
}
