package card_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// photoNow is "now" of the photo tests: Wednesday 2026-11-25, 10:00 UTC.
var photoNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// The people of the photo tests. ph-anna has a visit (and a course) with
// specialist PA (user ph-doc-a) in branch pb1; ph-doc-b and the manager of
// pb2 have no relation to her.
var (
	phAnna  = card.Actor{UserID: "ph-anna", Role: booking.RoleClient}
	phBoris = card.Actor{UserID: "ph-boris", Role: booking.RoleClient}
	phDocA  = card.Actor{UserID: "ph-doc-a", Role: booking.RoleSpecialist, IP: "192.0.2.9"}
	phDocB  = card.Actor{UserID: "ph-doc-b", Role: booking.RoleSpecialist}
	phMgr1  = card.Actor{UserID: "ph-mgr-1", Role: booking.RoleManager, Branches: []string{"pb1"}}
	phMgr2  = card.Actor{UserID: "ph-mgr-2", Role: booking.RoleManager, Branches: []string{"pb2"}}
	phAdmin = card.Actor{UserID: "ph-admin", Role: booking.RoleAdmin}
)

// photoEnv is a card Service over a real SQLite file and a real blob
// directory, with the audit trail recorded.
type photoEnv struct {
	t       testing.TB
	store   *sqlite.Store
	sched   *booking.Scheduler
	blobDir string
	svc     *card.Service

	mu    sync.Mutex
	audit []auth.AuditEntry
}

// photoEnvOptions change the env's card.Config before New.
type photoEnvOption func(*card.Config)

func newPhotoEnv(t testing.TB, opts ...photoEnvOption) *photoEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "photos.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &photoEnv{t: t, store: st, blobDir: filepath.Join(t.TempDir(), "blobs")}
	for _, u := range []string{"ph-anna", "ph-boris"} {
		require.NoError(t, st.CreateUser(ctx, auth.User{ID: u, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: photoNow}))
	}
	open := booking.Week{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		open[d] = []booking.Interval{{Start: 9 * 60, End: 21 * 60}}
	}
	for _, b := range []booking.Branch{
		{ID: "pb1", Name: "Центр", TimeZone: "Europe/Moscow", Opening: open, Active: true},
		{ID: "pb2", Name: "Север", TimeZone: "Europe/Moscow", Opening: open, Active: true},
	} {
		require.NoError(t, st.UpsertBranch(ctx, b))
	}
	require.NoError(t, st.UpsertService(ctx, booking.Service{ID: "ph-peel", Name: "Пилинг", Duration: time.Hour,
		BranchIDs: []string{"pb1", "pb2"}, Active: true, Price: booking.Money{Amount: 350000, Currency: "RUB"}}))
	for _, sp := range []booking.Specialist{
		{ID: "PA", UserID: "ph-doc-a", Name: "Анна Петрова", BranchIDs: []string{"pb1"}, Services: []booking.SpecialistService{{ServiceID: "ph-peel"}}, Active: true},
		{ID: "PB", UserID: "ph-doc-b", Name: "Борис Смирнов", BranchIDs: []string{"pb1"}, Services: []booking.SpecialistService{{ServiceID: "ph-peel"}}, Active: true},
	} {
		require.NoError(t, st.UpsertSpecialist(ctx, sp))
	}
	now := func() time.Time { return photoNow }
	e.sched, err = booking.New(booking.Config{Store: st, Now: now})
	require.NoError(t, err)
	blobs, err := card.NewDiskBlobs(e.blobDir)
	require.NoError(t, err)
	n := 0
	cfg := card.Config{
		Store: st, Booking: e.sched, Blobs: blobs, Now: now,
		NewID: func() string { e.mu.Lock(); defer e.mu.Unlock(); n++; return fmt.Sprint("ph-", n) },
		Audit: func(_ context.Context, a auth.AuditEntry) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audit = append(e.audit, a)
			return nil
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.svc, err = card.New(cfg)
	require.NoError(t, err)
	// Anna's visit V1 (a week ago, completed, with the specialist's notes)
	// and her course C1 of two sessions.
	require.NoError(t, st.CreatePlan(ctx, booking.Plan{ID: "C1", ClientID: "ph-anna", SpecialistID: "PA", ServiceID: "ph-peel",
		BranchID: "pb1", Sessions: 2, Status: booking.PlanActive, CreatedAt: photoNow.AddDate(0, -2, 0)}))
	e.visit("V1", "ph-anna", "", time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC), "Кожа спокойная, SPF 50.")
	e.visit("S1", "ph-anna", "C1", time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), "Первая сессия.")
	e.visit("S2", "ph-anna", "C1", time.Date(2026, 10, 29, 9, 0, 0, 0, time.UTC), "")
	e.visit("BV", "ph-boris", "", time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC), "")
	return e
}

// visit stores a completed visit of client with specialist PA in pb1,
// with notes written for the client (a VisitNote, when not empty) beside
// the staff's own notes on the appointment, which the client never sees.
func (e *photoEnv) visit(id, client, plan string, start time.Time, notes string) {
	e.t.Helper()
	a := booking.Appointment{ID: id, ClientID: client, BranchID: "pb1", ServiceID: "ph-peel", SpecialistID: "PA",
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
		Status: booking.StatusCompleted, Notes: "Staff only: paid in cash.", PlanID: plan, CreatedBy: client, CreatedAt: start, UpdatedAt: start}
	_, _, err := e.store.CreateAppointment(e.t.Context(), a, "", booking.Event{Type: booking.EventBooked, AppointmentID: id,
		ClientID: client, At: start, Appointment: a})
	require.NoError(e.t, err)
	if notes != "" {
		_, err = e.store.PutVisitNote(e.t.Context(), card.VisitNote{AppointmentID: id, ClientID: client, Notes: notes,
			WrittenBy: "u-pa", CreatedAt: start, UpdatedAt: start})
		require.NoError(e.t, err)
	}
}

// consent gives (or withdraws) a consent of the client.
func (e *photoEnv) consent(client card.Actor, t card.ConsentType, granted bool) {
	e.t.Helper()
	_, err := e.svc.RecordConsent(e.t.Context(), client, client.UserID, card.ConsentInput{Type: t, Granted: granted, TextVersion: "2026-01"})
	require.NoError(e.t, err)
}

func (e *photoEnv) upload(actor card.Actor, clientID string, in card.PhotoUpload, data []byte) (card.Photo, error) {
	e.t.Helper()
	in.File = bytes.NewReader(data)
	return e.svc.UploadPhoto(e.t.Context(), actor, clientID, in)
}

// files lists the blob directory.
func (e *photoEnv) files() []string { e.t.Helper(); return blobFiles(e.t, e.blobDir) }

// photos lists the client's photo rows straight from the store.
func (e *photoEnv) photos(clientID string) []card.Photo {
	e.t.Helper()
	list, err := e.store.Photos(e.t.Context(), card.PhotoFilter{ClientID: clientID})
	require.NoError(e.t, err)
	return list
}

func (e *photoEnv) auditOf(action string) []auth.AuditEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []auth.AuditEntry
	for _, a := range e.audit {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

// readPhoto returns the bytes of one size of a photo.
func (e *photoEnv) readPhoto(actor card.Actor, clientID, id string, size card.PhotoSize) []byte {
	e.t.Helper()
	_, f, rc, err := e.svc.OpenPhoto(e.t.Context(), actor, clientID, id, size)
	require.NoError(e.t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(e.t, err)
	require.Len(e.t, b, int(f.Bytes))
	return b
}

// jpegSegments lists the markers of a JPEG's segments before its first scan.
func jpegSegments(t testing.TB, b []byte) []byte {
	t.Helper()
	require.True(t, bytes.HasPrefix(b, []byte{0xFF, 0xD8}))
	var markers []byte
	for i := 2; i+4 <= len(b); {
		require.Equal(t, byte(0xFF), b[i])
		m := b[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return markers
}

// near reports whether two colours are within tol per channel (JPEG is
// lossy).
func near(a color.Color, b color.RGBA, tol int) bool {
	r, g, bl, _ := a.RGBA()
	d := func(x uint32, y uint8) bool { v := int(x>>8) - int(y); return v <= tol && v >= -tol }
	return d(r, b.R) && d(g, b.G) && d(bl, b.B)
}

func TestUploadPhotoStripsMetadata(t *testing.T) {
	e := newPhotoEnv(t)
	e.consent(phAnna, card.ConsentPhotos, true)
	src := card.PhotoFixtureWithMetadata(card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(1300, 975), 92), 1)
	for _, m := range card.PhotoFixtureMarkers {
		require.Contains(t, string(src), m, "the fixture carries %s", m)
	}
	p, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace}, src)
	require.NoError(t, err)
	assert.Equal(t, booking.Date{Year: 2026, Month: 11, Day: 20}, p.TakenOn, "the day the camera recorded")
	assert.Equal(t, [2]int{1300, 975}, [2]int{p.Original.Width, p.Original.Height})
	assert.Equal(t, [2]int{1280, 960}, [2]int{p.Medium.Width, p.Medium.Height})
	assert.Equal(t, [2]int{320, 240}, [2]int{p.Thumb.Width, p.Thumb.Height})
	assert.Equal(t, card.FormatJPEG, p.SourceFormat)
	assert.False(t, p.ByStaff)
	assert.Equal(t, "ph-anna", p.UploadedBy)

	for _, size := range []card.PhotoSize{card.SizeOriginal, card.SizeMedium, card.SizeThumb} {
		out := e.readPhoto(phAnna, "ph-anna", p.ID, size)
		for _, m := range card.PhotoFixtureMarkers {
			assert.NotContains(t, string(out), m, "%s: %s came through", size, m)
		}
		for _, m := range jpegSegments(t, out) {
			assert.False(t, m >= 0xE0 && m <= 0xEF || m == 0xFE, "%s: an APP%d or comment segment (%#x) is left", size, m&0x0F, m)
		}
		assert.True(t, bytes.HasSuffix(out, []byte{0xFF, 0xD9}), "%s: nothing after the image", size)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(out))
		require.NoError(t, err)
		f, _ := p.File(size)
		assert.Equal(t, [2]int{f.Width, f.Height}, [2]int{cfg.Width, cfg.Height})
	}
	// On disk: three files named by random keys, none by the photo's ID.
	files := e.files()
	require.Len(t, files, 3)
	for _, f := range files {
		assert.NotContains(t, f, p.ID)
		assert.Len(t, filepath.Base(f), 32)
	}
}

func TestUploadPhotoTurnsItUpright(t *testing.T) {
	e := newPhotoEnv(t)
	e.consent(phAnna, card.ConsentPhotos, true)
	R, G, B, W := card.QuadTL, card.QuadTR, card.QuadBL, card.QuadBR
	// The corners (top-left, top-right, bottom-left, bottom-right) of the
	// 80×40 quadrant picture once shown as its EXIF orientation says.
	for _, tc := range []struct {
		o       int
		w, h    int
		corners [4]color.RGBA
	}{
		{1, 80, 40, [4]color.RGBA{R, G, B, W}},
		{2, 80, 40, [4]color.RGBA{G, R, W, B}},
		{3, 80, 40, [4]color.RGBA{W, B, G, R}},
		{4, 80, 40, [4]color.RGBA{B, W, R, G}},
		{5, 40, 80, [4]color.RGBA{R, B, G, W}},
		{6, 40, 80, [4]color.RGBA{B, R, W, G}},
		{7, 40, 80, [4]color.RGBA{W, G, B, R}},
		{8, 40, 80, [4]color.RGBA{G, W, R, B}},
	} {
		t.Run(fmt.Sprint("orientation ", tc.o), func(t *testing.T) {
			src := card.PhotoFixtureWithMetadata(card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(80, 40), 95), tc.o)
			p, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoProgress, Area: card.AreaCheeks}, src)
			require.NoError(t, err)
			assert.Equal(t, [2]int{tc.w, tc.h}, [2]int{p.Original.Width, p.Original.Height})
			img, err := jpeg.Decode(bytes.NewReader(e.readPhoto(phAnna, "ph-anna", p.ID, card.SizeOriginal)))
			require.NoError(t, err)
			require.Equal(t, image.Rect(0, 0, tc.w, tc.h), img.Bounds())
			at := [4]image.Point{{tc.w / 4, tc.h / 4}, {3 * tc.w / 4, tc.h / 4}, {tc.w / 4, 3 * tc.h / 4}, {3 * tc.w / 4, 3 * tc.h / 4}}
			for i, pt := range at {
				assert.True(t, near(img.At(pt.X, pt.Y), tc.corners[i], 24), "corner %d is %v, want %v", i, img.At(pt.X, pt.Y), tc.corners[i])
			}
		})
	}
	// The brief's case: 40×20 with orientation 6 comes out 20×40.
	p, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoAfter, Area: card.AreaChin},
		card.PhotoFixtureWithMetadata(card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(40, 20), 90), 6))
	require.NoError(t, err)
	assert.Equal(t, [2]int{20, 40}, [2]int{p.Original.Width, p.Original.Height})
}

func TestUploadPhotoRefusals(t *testing.T) {
	e := newPhotoEnv(t, func(c *card.Config) { c.MaxPhotoBytes = 1 << 20 })
	small := card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(64, 48), 90)
	ok := card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace}
	with := func(f func(*card.PhotoUpload)) card.PhotoUpload { u := ok; f(&u); return u }

	// No photos consent: refused before anything is read.
	_, err := e.upload(phAnna, "ph-anna", ok, small)
	var ce *card.ConsentError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, card.ConsentPhotos, ce.Type)
	e.consent(phAnna, card.ConsentPhotos, true)

	heic := append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 200)...)
	for _, tc := range []struct {
		name  string
		in    card.PhotoUpload
		data  []byte
		err   error
		field string
	}{
		{"unknown kind", with(func(u *card.PhotoUpload) { u.Kind = "selfie" }), small, card.ErrInvalidInput, "kind"},
		{"unknown area", with(func(u *card.PhotoUpload) { u.Area = "knee" }), small, card.ErrInvalidInput, "area"},
		{"taken in the future", with(func(u *card.PhotoUpload) { u.TakenOn = booking.Date{Year: 2027, Month: 1, Day: 1} }), small, card.ErrInvalidInput, "taken_at"},
		{"another client's visit", with(func(u *card.PhotoUpload) { u.AppointmentID = "BV" }), small, card.ErrInvalidInput, "appointment_id"},
		{"no such visit", with(func(u *card.PhotoUpload) { u.AppointmentID = "nope" }), small, card.ErrInvalidInput, "appointment_id"},
		{"empty file", ok, []byte{}, card.ErrInvalidInput, "file"},
		{"truncated JPEG", ok, small[:len(small)/2], card.ErrInvalidImage, ""},
		{"only a JPEG header", ok, small[:20], card.ErrInvalidImage, ""},
		{"GIF", ok, []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), card.ErrUnsupportedMedia, ""},
		{"PDF", ok, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), card.ErrUnsupportedMedia, ""},
		{"HEIC", ok, heic, card.ErrUnsupportedMedia, ""},
		{"HTML named photo.jpg", ok, []byte("<html><script>alert(document.cookie)</script></html>"), card.ErrUnsupportedMedia, ""},
		{"over the size cap", ok, append(slices.Clone(small), make([]byte, 1<<20)...), card.ErrTooLarge, ""},
		{"PNG bomb 50000×50000", ok, card.PhotoFixtureBombPNG(50000, 50000), card.ErrImageTooLarge, ""},
		{"JPEG bomb 50000×50000", ok, card.PhotoFixtureBombJPEG(50000, 50000), card.ErrImageTooLarge, ""},
		{"PNG declaring 65535×65535", ok, card.PhotoFixtureBombPNG(65535, 65535), card.ErrImageTooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := e.upload(phAnna, "ph-anna", tc.in, tc.data)
			runtime.ReadMemStats(&after)
			require.ErrorIs(t, err, tc.err)
			if tc.field != "" {
				var ve *card.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
			}
			if errors.Is(tc.err, card.ErrImageTooLarge) {
				assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4<<20),
					"a bomb is refused from its header, before a pixel buffer is allocated")
			}
			assert.Empty(t, e.files(), "nothing half-written stays in the blob directory")
			assert.Empty(t, e.photos("ph-anna"), "nor in the store")
		})
	}
	var ume *card.UnsupportedMediaError
	_, err = e.upload(phAnna, "ph-anna", ok, heic)
	require.ErrorAs(t, err, &ume)
	assert.Equal(t, "HEIC", ume.Detected)

	// The pixel cap is inclusive.
	capped := newPhotoEnv(t, func(c *card.Config) { c.MaxPhotoPixels = 100 * 100 })
	capped.consent(phAnna, card.ConsentPhotos, true)
	_, err = capped.upload(phAnna, "ph-anna", ok, card.PhotoFixturePNG(image.NewGray(image.Rect(0, 0, 100, 100))))
	assert.NoError(t, err)
	_, err = capped.upload(phAnna, "ph-anna", ok, card.PhotoFixturePNG(image.NewGray(image.Rect(0, 0, 101, 100))))
	assert.ErrorIs(t, err, card.ErrImageTooLarge)
}

// faultyBlobs fails the failOn-th Put (1-based) after writing half of it,
// as a full disk would.
type faultyBlobs struct {
	card.BlobStore
	mu     sync.Mutex
	puts   int
	failOn int
}

func (f *faultyBlobs) Put(ctx context.Context, key string, r io.Reader) error {
	f.mu.Lock()
	f.puts++
	fail := f.puts == f.failOn
	f.mu.Unlock()
	if fail {
		return f.BlobStore.Put(ctx, key, &failingReader{n: 100})
	}
	return f.BlobStore.Put(ctx, key, r)
}

// faultyStore fails CreatePhoto, or withdraws the consent just before it
// (as a client could in another tab while the photo is processed).
type faultyStore struct {
	*sqlite.Store
	withdraw func()
}

func (f *faultyStore) CreatePhoto(ctx context.Context, p card.Photo, quota int, requires ...card.ConsentType) error {
	if f.withdraw == nil {
		return errors.New("the database is gone")
	}
	f.withdraw()
	return f.Store.CreatePhoto(ctx, p, quota, requires...)
}

func TestUploadPhotoFailuresLeaveNothing(t *testing.T) {
	src := card.PhotoFixtureWithMetadata(card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(400, 300), 90), 6)
	in := card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace}
	for failOn := 1; failOn <= 3; failOn++ {
		t.Run(fmt.Sprint("file ", failOn, " fails"), func(t *testing.T) {
			e := newPhotoEnv(t, func(c *card.Config) { c.Blobs = &faultyBlobs{BlobStore: c.Blobs, failOn: failOn} })
			e.consent(phAnna, card.ConsentPhotos, true)
			_, err := e.upload(phAnna, "ph-anna", in, src)
			require.Error(t, err)
			assert.Empty(t, e.files())
			assert.Empty(t, e.photos("ph-anna"))
		})
	}
	t.Run("the store fails", func(t *testing.T) {
		var fs *faultyStore
		e := newPhotoEnv(t, func(c *card.Config) { fs = &faultyStore{Store: c.Store.(*sqlite.Store)}; c.Store = fs })
		e.consent(phAnna, card.ConsentPhotos, true)
		_, err := e.upload(phAnna, "ph-anna", in, src)
		require.Error(t, err)
		assert.Empty(t, e.files())
		assert.Empty(t, e.photos("ph-anna"))
	})
	t.Run("the consent is withdrawn meanwhile", func(t *testing.T) {
		var fs *faultyStore
		e := newPhotoEnv(t, func(c *card.Config) { fs = &faultyStore{Store: c.Store.(*sqlite.Store)}; c.Store = fs })
		e.consent(phAnna, card.ConsentPhotos, true)
		fs.withdraw = func() { e.consent(phAnna, card.ConsentPhotos, false) }
		_, err := e.upload(phAnna, "ph-anna", in, src)
		var ce *card.ConsentError
		require.ErrorAs(t, err, &ce, "the store checks the consent again with the write")
		assert.Empty(t, e.files())
		assert.Empty(t, e.photos("ph-anna"))
	})
	t.Run("the request is cancelled", func(t *testing.T) {
		e := newPhotoEnv(t)
		e.consent(phAnna, card.ConsentPhotos, true)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := e.svc.UploadPhoto(ctx, phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace, File: bytes.NewReader(src)})
		require.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, e.files())
		assert.Empty(t, e.photos("ph-anna"))
	})
	t.Run("no blob store", func(t *testing.T) {
		e := newPhotoEnv(t, func(c *card.Config) { c.Blobs = nil })
		e.consent(phAnna, card.ConsentPhotos, true)
		_, err := e.upload(phAnna, "ph-anna", in, src)
		assert.ErrorIs(t, err, card.ErrPhotosUnavailable)
	})
}

func TestPhotoAccess(t *testing.T) {
	e := newPhotoEnv(t)
	ctx := t.Context()
	e.consent(phAnna, card.ConsentPhotos, true)
	src := card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(64, 48), 90)
	p, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace, AppointmentID: "V1"}, src)
	require.NoError(t, err)
	assert.Equal(t, "V1", p.AppointmentID)
	assert.Equal(t, booking.Date{Year: 2026, Month: 11, Day: 18}, p.TakenOn, "no EXIF date: the visit's day")

	for _, tc := range []struct {
		name  string
		actor card.Actor
		ok    bool
	}{
		{"the owner", phAnna, true},
		{"another client", phBoris, false},
		{"a specialist without a relation", phDocB, false},
		{"her specialist", phDocA, true},
		{"the manager of her branch", phMgr1, true},
		{"the manager of another branch", phMgr2, false},
		{"an admin", phAdmin, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := e.svc.Photos(ctx, tc.actor, "ph-anna", card.PhotoFilter{})
			_, _, rc, openErr := e.svc.OpenPhoto(ctx, tc.actor, "ph-anna", p.ID, card.SizeThumb)
			_, pairsErr := e.svc.PhotoPairs(ctx, tc.actor, "ph-anna", card.PairScope{AppointmentID: "V1"})
			if tc.ok {
				require.NoError(t, err)
				assert.Len(t, list, 1)
				require.NoError(t, openErr)
				rc.Close()
				assert.NoError(t, pairsErr)
				return
			}
			for _, err := range []error{err, openErr, pairsErr} {
				assert.ErrorIs(t, err, card.ErrNotFound)
			}
			// Nor by naming her photo as one of their own.
			_, _, _, err = e.svc.OpenPhoto(ctx, tc.actor, tc.actor.UserID, p.ID, card.SizeThumb)
			assert.ErrorIs(t, err, card.ErrNotFound)
			assert.ErrorIs(t, e.svc.DeletePhoto(ctx, tc.actor, tc.actor.UserID, p.ID), card.ErrNotFound)
		})
	}
	// Every staff look at the photo is on record, without its contents.
	var seen []string
	for _, a := range e.auditOf(card.ActionCardViewed) {
		if a.Detail == "photo "+p.ID {
			seen = append(seen, a.ActorID)
		}
	}
	assert.ElementsMatch(t, []string{"ph-doc-a", "ph-mgr-1", "ph-admin"}, seen)
	denied := e.auditOf(card.ActionCardDenied)
	assert.NotEmpty(t, denied)
	assert.Len(t, e.files(), 3, "nobody but the owner could delete it")
}

func TestStaffUploadNeedsTheClientsConsent(t *testing.T) {
	e := newPhotoEnv(t)
	src := card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(64, 48), 90)
	in := card.PhotoUpload{Kind: card.PhotoAfter, Area: card.AreaNeck, AppointmentID: "V1"}
	_, err := e.upload(phDocA, "ph-anna", in, src)
	assert.ErrorIs(t, err, card.ErrConsentRequired)
	_, err = e.upload(phDocB, "ph-anna", in, src)
	assert.ErrorIs(t, err, card.ErrNotFound, "no relation, no upload")
	e.consent(phAnna, card.ConsentPhotos, true)
	p, err := e.upload(phDocA, "ph-anna", in, src)
	require.NoError(t, err)
	assert.True(t, p.ByStaff)
	assert.Equal(t, "ph-doc-a", p.UploadedBy)
	changed := e.auditOf(card.ActionCardChanged)
	require.NotEmpty(t, changed)
	assert.Equal(t, "photo upload", changed[len(changed)-1].Detail)
}

func TestDeletePhoto(t *testing.T) {
	e := newPhotoEnv(t)
	ctx := t.Context()
	e.consent(phAnna, card.ConsentPhotos, true)
	e.consent(phAnna, card.ConsentHealthData, true)
	src := card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(64, 48), 90)
	keep, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace}, src)
	require.NoError(t, err)
	gone, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoAfter, Area: card.AreaFace}, src)
	require.NoError(t, err)
	entry, err := e.svc.AddJournalEntry(ctx, phAnna, "ph-anna", card.JournalEntry{Date: booking.Date{Year: 2026, Month: 11, Day: 24},
		Scores: map[card.ConcernCode]int{card.ConcernAcne: 3}, PhotoIDs: []string{gone.ID, keep.ID}})
	require.NoError(t, err)
	assert.Equal(t, []string{gone.ID, keep.ID}, entry.PhotoIDs)
	require.Len(t, e.files(), 6)

	require.NoError(t, e.svc.DeletePhoto(ctx, phAnna, "ph-anna", gone.ID))
	assert.Len(t, e.files(), 3, "its three files are gone")
	assert.ErrorIs(t, e.svc.DeletePhoto(ctx, phAnna, "ph-anna", gone.ID), card.ErrNotFound)
	_, _, _, err = e.svc.OpenPhoto(ctx, phAnna, "ph-anna", gone.ID, card.SizeOriginal)
	assert.ErrorIs(t, err, card.ErrNotFound)
	entries, err := e.svc.Journal(ctx, phAnna, "ph-anna", card.JournalFilter{})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, []string{keep.ID}, entries[0].PhotoIDs, "the journal no longer links it")

	// A file missing behind a row (a delete that failed halfway) is a 404
	// to readers, and deleting again finishes the job.
	blobs, err := card.NewDiskBlobs(e.blobDir)
	require.NoError(t, err)
	require.NoError(t, blobs.Delete(ctx, keep.Medium.Key))
	_, _, _, err = e.svc.OpenPhoto(ctx, phAnna, "ph-anna", keep.ID, card.SizeMedium)
	assert.ErrorIs(t, err, card.ErrNotFound)
	require.NoError(t, e.svc.DeletePhoto(ctx, phAnna, "ph-anna", keep.ID))
	assert.Empty(t, e.files())
	assert.Empty(t, e.photos("ph-anna"))

	// All at once (erasure, or the photos consent withdrawn), and only hers.
	for range 3 {
		_, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace}, src)
		require.NoError(t, err)
	}
	e.consent(phBoris, card.ConsentPhotos, true)
	_, err = e.upload(phBoris, "ph-boris", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace}, src)
	require.NoError(t, err)
	_, err = e.svc.DeleteAllPhotos(ctx, phBoris, "ph-anna")
	assert.ErrorIs(t, err, card.ErrNotFound)
	n, err := e.svc.DeleteAllPhotos(ctx, phAnna, "ph-anna")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Empty(t, e.photos("ph-anna"))
	assert.Len(t, e.photos("ph-boris"), 1)
	assert.Len(t, e.files(), 3, "Boris's files stay")
}

func TestConcurrentUploads(t *testing.T) {
	e := newPhotoEnv(t)
	e.consent(phAnna, card.ConsentPhotos, true)
	src := card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(320, 240), 90)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.svc.UploadPhoto(t.Context(), phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoProgress,
				Area: card.PhotoAreas()[i%8], File: bytes.NewReader(src)})
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, e.photos("ph-anna"), n)
	assert.Len(t, e.files(), 3*n)
}

// day is a calendar day of November 2026.
func day(d int) booking.Date { return booking.Date{Year: 2026, Month: time.November, Day: d} }

func TestPhotoPairs(t *testing.T) {
	e := newPhotoEnv(t)
	ctx := t.Context()
	e.consent(phAnna, card.ConsentPhotos, true)
	src := card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(32, 32), 80)
	up := func(kind card.PhotoKind, area card.PhotoArea, taken booking.Date, appt string) string {
		t.Helper()
		p, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: kind, Area: area, TakenOn: taken, AppointmentID: appt}, src)
		require.NoError(t, err)
		return p.ID
	}
	// The visit V1 on the 18th.
	faceBefore1 := up(card.PhotoBefore, card.AreaFace, day(17), "V1")
	faceBefore2 := up(card.PhotoBefore, card.AreaFace, day(18), "V1") // the latest before
	faceAfter1 := up(card.PhotoAfter, card.AreaFace, day(18), "V1")   // the earliest after it
	up(card.PhotoAfter, card.AreaFace, day(24), "V1")
	up(card.PhotoProgress, card.AreaFace, day(18), "V1")
	neckAfter := up(card.PhotoAfter, card.AreaNeck, day(19), "V1") // no before
	handsBefore := up(card.PhotoBefore, card.AreaHands, day(18), "V1")
	up(card.PhotoAfter, card.AreaHands, day(10), "V1") // earlier than the before: cannot show its result
	up(card.PhotoBefore, card.AreaChin, day(18), "")   // not linked to the visit

	pairs, err := e.svc.PhotoPairs(ctx, phAnna, "ph-anna", card.PairScope{AppointmentID: "V1"})
	require.NoError(t, err)
	type got struct{ area, before, after string }
	flat := func(pairs []card.PhotoPair) []got {
		var out []got
		for _, p := range pairs {
			g := got{area: string(p.Area)}
			if p.Before != nil {
				g.before = p.Before.ID
			}
			if p.After != nil {
				g.after = p.After.ID
			}
			out = append(out, g)
		}
		return out
	}
	assert.Equal(t, []got{{"face", faceBefore2, faceAfter1}, {"neck", "", neckAfter}, {"hands", handsBefore, ""}}, flat(pairs))
	_ = faceBefore1

	// The course C1: sessions S1 (1 Oct) and S2 (29 Oct): the earliest
	// before and the latest later after.
	oct := func(d int) booking.Date { return booking.Date{Year: 2026, Month: time.October, Day: d} }
	courseBefore := up(card.PhotoBefore, card.AreaForehead, oct(1), "S1")
	up(card.PhotoAfter, card.AreaForehead, oct(1), "S1")
	up(card.PhotoBefore, card.AreaForehead, oct(29), "S2")
	courseAfter := up(card.PhotoAfter, card.AreaForehead, oct(30), "S2")
	pairs, err = e.svc.PhotoPairs(ctx, phAnna, "ph-anna", card.PairScope{PlanID: "C1"})
	require.NoError(t, err)
	assert.Equal(t, []got{{"forehead", courseBefore, courseAfter}}, flat(pairs))

	for _, scope := range []card.PairScope{{}, {AppointmentID: "V1", PlanID: "C1"}} {
		_, err := e.svc.PhotoPairs(ctx, phAnna, "ph-anna", scope)
		assert.ErrorIs(t, err, card.ErrInvalidInput)
	}
	for _, scope := range []card.PairScope{{AppointmentID: "BV"}, {AppointmentID: "nope"}, {PlanID: "nope"}} {
		_, err := e.svc.PhotoPairs(ctx, phAnna, "ph-anna", scope)
		assert.ErrorIs(t, err, card.ErrNotFound, "another client's or no such: %+v", scope)
	}
	_, err = e.svc.PhotoPairs(ctx, phBoris, "ph-boris", card.PairScope{PlanID: "C1"})
	assert.ErrorIs(t, err, card.ErrNotFound)
}

func TestSkinJournal(t *testing.T) {
	e := newPhotoEnv(t)
	ctx := t.Context()
	entry := card.JournalEntry{Date: day(20), Scores: map[card.ConcernCode]int{card.ConcernAcne: 6, card.ConcernDehydration: 4}, Notes: "Сухость после пилинга."}

	// Health data: no entry without the health_data consent, from the
	// client or from staff.
	_, err := e.svc.AddJournalEntry(ctx, phAnna, "ph-anna", entry)
	var ce *card.ConsentError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, card.ConsentHealthData, ce.Type)
	_, err = e.svc.AddJournalEntry(ctx, phDocA, "ph-anna", entry)
	assert.ErrorIs(t, err, card.ErrConsentRequired)
	e.consent(phAnna, card.ConsentHealthData, true)
	e.consent(phAnna, card.ConsentPhotos, true)

	self, err := e.svc.AddJournalEntry(ctx, phAnna, "ph-anna", entry)
	require.NoError(t, err)
	assert.Equal(t, card.JournalSelfAssessment, self.Kind)
	assert.Equal(t, "ph-anna", self.AuthorID)
	_, err = e.svc.AddJournalEntry(ctx, phAnna, "ph-anna", card.JournalEntry{Date: day(20), Kind: card.JournalAssessment, Notes: "x"})
	assert.ErrorIs(t, err, card.ErrForbidden, "a client cannot write a specialist's assessment")
	_, err = e.svc.AddJournalEntry(ctx, phDocB, "ph-anna", entry)
	assert.ErrorIs(t, err, card.ErrNotFound, "a specialist without a relation")

	photo, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoProgress, Area: card.AreaFace, TakenOn: day(21)},
		card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(32, 32), 80))
	require.NoError(t, err)
	spec, err := e.svc.AddJournalEntry(ctx, phDocA, "ph-anna", card.JournalEntry{Date: day(21),
		Scores: map[card.ConcernCode]int{card.ConcernAcne: 5}, Notes: "Воспаления меньше.\nПродолжать азелаиновую кислоту.", PhotoIDs: []string{photo.ID}})
	require.NoError(t, err)
	assert.Equal(t, card.JournalAssessment, spec.Kind)
	_, err = e.svc.AddJournalEntry(ctx, phAnna, "ph-anna", card.JournalEntry{Date: day(24), Scores: map[card.ConcernCode]int{card.ConcernAcne: 3}})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		e     card.JournalEntry
		field string
	}{
		{"no date", card.JournalEntry{Notes: "x"}, "date"},
		{"in the future", card.JournalEntry{Date: day(27), Notes: "x"}, "date"},
		{"before 1990", card.JournalEntry{Date: booking.Date{Year: 1989, Month: 12, Day: 31}, Notes: "x"}, "date"},
		{"an unknown concern", card.JournalEntry{Date: day(20), Scores: map[card.ConcernCode]int{"freckles": 2}}, "scores.freckles"},
		{"a score over 10", card.JournalEntry{Date: day(20), Scores: map[card.ConcernCode]int{card.ConcernAcne: 11}}, "scores.acne"},
		{"a negative score", card.JournalEntry{Date: day(20), Scores: map[card.ConcernCode]int{card.ConcernAcne: -1}}, "scores.acne"},
		{"nothing in it", card.JournalEntry{Date: day(20), Notes: "   "}, "scores"},
		{"control characters", card.JournalEntry{Date: day(20), Notes: "a\x1b[31mb"}, "notes"},
		{"notes too long", card.JournalEntry{Date: day(20), Notes: string(bytes.Repeat([]byte("я"), card.MaxJournalNotes+1))}, "notes"},
		{"a photo twice", card.JournalEntry{Date: day(20), PhotoIDs: []string{photo.ID, photo.ID}}, "photo_ids[1]"},
		{"no such photo", card.JournalEntry{Date: day(20), PhotoIDs: []string{"nope"}}, "photo_ids[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.AddJournalEntry(ctx, phAnna, "ph-anna", tc.e)
			var ve *card.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	// Another client's photo cannot be linked.
	e.consent(phBoris, card.ConsentHealthData, true)
	_, err = e.svc.AddJournalEntry(ctx, phBoris, "ph-boris", card.JournalEntry{Date: day(20), PhotoIDs: []string{photo.ID}})
	assert.ErrorIs(t, err, card.ErrInvalidInput)

	list, err := e.svc.Journal(ctx, phAnna, "ph-anna", card.JournalFilter{Descending: true})
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, day(24), list[0].Date, "newest first")
	assert.Equal(t, []string{photo.ID}, list[1].PhotoIDs)
	onlySpec, err := e.svc.Journal(ctx, phDocA, "ph-anna", card.JournalFilter{Kind: card.JournalAssessment})
	require.NoError(t, err)
	require.Len(t, onlySpec, 1)
	assert.Equal(t, spec.ID, onlySpec[0].ID)

	trend, err := e.svc.SkinTrend(ctx, phAnna, "ph-anna", booking.Date{}, booking.Date{})
	require.NoError(t, err)
	require.Len(t, trend, 2)
	assert.Equal(t, card.ConcernAcne, trend[0].Concern, "in the questionnaire's order")
	assert.Equal(t, []card.ScorePoint{{Date: day(20), Score: 6, EntryID: self.ID}, {Date: day(24), Score: 3, EntryID: list[0].ID}}, trend[0].Self)
	assert.Equal(t, []card.ScorePoint{{Date: day(21), Score: 5, EntryID: spec.ID}}, trend[0].Assessment, "kept apart")
	assert.Equal(t, card.ConcernDehydration, trend[1].Concern)
	assert.Empty(t, trend[1].Assessment)
	trend, err = e.svc.SkinTrend(ctx, phAnna, "ph-anna", day(21), day(23))
	require.NoError(t, err)
	require.Len(t, trend, 1)
	_, err = e.svc.SkinTrend(ctx, phAnna, "ph-anna", day(23), day(21))
	assert.ErrorIs(t, err, card.ErrInvalidInput)

	// The report of November: pairs of the period, the series, and the
	// specialists' notes — the assessment and the visit's.
	before, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace, TakenOn: day(2)},
		card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(32, 32), 80))
	require.NoError(t, err)
	after, err := e.upload(phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoAfter, Area: card.AreaFace, TakenOn: day(22)},
		card.PhotoFixtureJPEG(card.PhotoFixtureQuadrants(32, 32), 80))
	require.NoError(t, err)
	rep, err := e.svc.SkinReport(ctx, phDocA, "ph-anna", card.ReportQuery{From: day(1), To: day(30)})
	require.NoError(t, err)
	require.Len(t, rep.Pairs, 1)
	assert.Equal(t, before.ID, rep.Pairs[0].Before.ID)
	assert.Equal(t, after.ID, rep.Pairs[0].After.ID)
	assert.Len(t, rep.Trend, 2)
	require.Len(t, rep.Notes, 2)
	assert.Equal(t, card.ReportNote{Date: day(18), Source: card.NoteVisit, SpecialistID: "PA", SpecialistName: "Анна Петрова",
		Text: "Кожа спокойная, SPF 50.", AppointmentID: "V1"}, rep.Notes[0])
	assert.Equal(t, card.ReportNote{Date: day(21), Source: card.NoteAssessment, SpecialistID: "PA", SpecialistName: "Анна Петрова",
		Text: spec.Notes, EntryID: spec.ID}, rep.Notes[1])
	assert.NotContains(t, fmt.Sprint(rep.Notes), "Сухость", "the client's own notes are not the specialists'")
	assert.NotContains(t, fmt.Sprint(rep.Notes), "Staff only", "the appointment's notes are the staff's")

	// The course's report covers its sessions.
	rep, err = e.svc.SkinReport(ctx, phAnna, "ph-anna", card.ReportQuery{PlanID: "C1"})
	require.NoError(t, err)
	assert.Equal(t, booking.Date{Year: 2026, Month: 10, Day: 1}, rep.From)
	assert.Equal(t, booking.Date{Year: 2026, Month: 10, Day: 29}, rep.To)
	require.Len(t, rep.Notes, 1)
	assert.Equal(t, "S1", rep.Notes[0].AppointmentID)

	for _, q := range []card.ReportQuery{{}, {From: day(1)}, {From: day(2), To: day(1)}, {From: day(1), To: day(2), PlanID: "C1"},
		{From: booking.Date{Year: 2000, Month: 1, Day: 1}, To: day(1)}} {
		_, err := e.svc.SkinReport(ctx, phAnna, "ph-anna", q)
		assert.ErrorIs(t, err, card.ErrInvalidInput, "%+v", q)
	}
	_, err = e.svc.SkinReport(ctx, phBoris, "ph-boris", card.ReportQuery{PlanID: "C1"})
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.SkinReport(ctx, phMgr2, "ph-anna", card.ReportQuery{From: day(1), To: day(30)})
	assert.ErrorIs(t, err, card.ErrNotFound)
}
