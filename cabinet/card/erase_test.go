package card_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/recommend"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// eraseNow is the erasure tests' clock: Wednesday 2026-11-25 10:00 UTC.
var eraseNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// flakyBlobs is a BlobStore whose deletes fail while failing is set.
type flakyBlobs struct {
	card.BlobStore
	failing atomic.Bool
}

var errDiskGone = errors.New("disk gone")

func (f *flakyBlobs) Delete(ctx context.Context, key string) error {
	if f.failing.Load() {
		return errDiskGone
	}
	return f.BlobStore.Delete(ctx, key)
}

// eraseEnv is a card Service over a real SQLite file and blob directory.
type eraseEnv struct {
	t       *testing.T
	store   *sqlite.Store
	sched   *booking.Scheduler
	blobs   *flakyBlobs
	blobDir string
	svc     *card.Service

	mu    sync.Mutex
	audit []auth.AuditEntry
}

func newEraseEnv(t *testing.T) *eraseEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "erase.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &eraseEnv{t: t, store: st, blobDir: filepath.Join(t.TempDir(), "blobs")}
	for _, u := range []string{"er-anna", "er-boris"} {
		require.NoError(t, st.CreateUser(ctx, auth.User{ID: u, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: eraseNow}))
	}
	require.NoError(t, st.UpsertBranch(ctx, booking.Branch{ID: "eb1", Name: "Центр", TimeZone: "Europe/Moscow", Active: true}))
	require.NoError(t, st.UpsertService(ctx, booking.Service{ID: "er-peel", Name: "Пилинг", Duration: time.Hour,
		BranchIDs: []string{"eb1"}, Active: true, Price: booking.Money{Amount: 350000, Currency: "RUB"}}))
	require.NoError(t, st.UpsertSpecialist(ctx, booking.Specialist{ID: "EA", Name: "Анна Петрова", BranchIDs: []string{"eb1"},
		Services: []booking.SpecialistService{{ServiceID: "er-peel"}}, Active: true}))
	now := func() time.Time { return eraseNow }
	e.sched, err = booking.New(booking.Config{Store: st, Now: now})
	require.NoError(t, err)
	disk, err := card.NewDiskBlobs(e.blobDir)
	require.NoError(t, err)
	e.blobs = &flakyBlobs{BlobStore: disk}
	e.svc, err = card.New(card.Config{Store: st, Booking: e.sched, Blobs: e.blobs, Now: now,
		Audit: func(_ context.Context, a auth.AuditEntry) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audit = append(e.audit, a)
			return nil
		}})
	require.NoError(t, err)
	return e
}

func client(id string) card.Actor {
	return card.Actor{UserID: id, Role: booking.RoleClient, IP: "192.0.2.9"}
}

// photo uploads a small JPEG of the client, with the photos consent.
func (e *eraseEnv) photo(clientID string, seed uint8) card.Photo {
	e.t.Helper()
	_, err := e.svc.RecordConsent(e.t.Context(), client(clientID), clientID,
		card.ConsentInput{Type: card.ConsentPhotos, Granted: true, TextVersion: "2026-01"})
	require.NoError(e.t, err)
	m := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			m.Set(x, y, color.RGBA{R: uint8(x * 6), G: seed, B: uint8(y * 8), A: 255})
		}
	}
	var b bytes.Buffer
	require.NoError(e.t, jpeg.Encode(&b, m, nil))
	p, err := e.svc.UploadPhoto(e.t.Context(), client(clientID), clientID,
		card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace, File: &b})
	require.NoError(e.t, err)
	return p
}

func (e *eraseEnv) files() []string { e.t.Helper(); return blobFiles(e.t, e.blobDir) }

func (e *eraseEnv) auditOf(action string) []auth.AuditEntry {
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

// TestEraseClientRetriesFiles: a file that cannot be deleted stays pending
// after the erasure committed, and PurgeErasedBlobs deletes it later.
func TestEraseClientRetriesFiles(t *testing.T) {
	e := newEraseEnv(t)
	ctx := t.Context()
	e.photo("er-anna", 1)
	kept := e.photo("er-boris", 2)
	require.Len(t, e.files(), 6)

	e.blobs.failing.Store(true)
	out, err := e.svc.EraseClient(ctx, client("er-anna"))
	require.NoError(t, err, "the database part is done: the erasure stands")
	assert.Equal(t, 0, out.Photos)
	assert.Equal(t, 3, out.PhotosFailed)
	assert.True(t, card.IsPseudonym(out.Pseudonym))
	assert.Len(t, e.files(), 6, "the files could not go yet")
	pending, err := e.store.PendingBlobDeletions(ctx, 100)
	require.NoError(t, err)
	assert.Len(t, pending, 3)
	_, err = e.store.UserByID(ctx, "er-anna")
	assert.ErrorIs(t, err, auth.ErrNotFound)

	_, err = e.svc.EraseClient(ctx, client("er-anna"))
	assert.ErrorIs(t, err, card.ErrNotFound, "erased already")

	n, err := e.svc.PurgeErasedBlobs(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "still failing: nothing deleted, nothing forgotten")
	e.blobs.failing.Store(false)
	n, err = e.svc.PurgeErasedBlobs(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Len(t, e.files(), 3, "Boris's files stay")
	pending, err = e.store.PendingBlobDeletions(ctx, 100)
	require.NoError(t, err)
	assert.Empty(t, pending)
	n, err = e.svc.PurgeErasedBlobs(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "again: nothing to do")
	_, err = e.store.PhotoByID(ctx, kept.ID)
	assert.NoError(t, err)

	erased := e.auditOf(card.ActionDataErased)
	require.Empty(t, erased, "the erasure's own entry is written by the store, in its transaction")
	entries, err := e.store.ListAudit(ctx, auth.AuditFilter{Subject: out.Pseudonym})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, card.ActionDataErased, entries[0].Action)
	assert.Equal(t, "192.0.2.9", entries[0].IP)
}

// TestEraseClientCancelsFutureVisits: visits ahead are cancelled through
// booking, even within the client's change deadline; a visit under way
// and past ones are kept under the pseudonym.
func TestEraseClientCancelsFutureVisits(t *testing.T) {
	e := newEraseEnv(t)
	ctx := t.Context()
	book := func(id string, start time.Time, status booking.Status) {
		a := booking.Appointment{ID: id, ClientID: "er-anna", BranchID: "eb1", ServiceID: "er-peel", SpecialistID: "EA",
			Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour), Status: status,
			ClientNote: "после работы", CreatedBy: "er-anna", CreatedAt: eraseNow.Add(-48 * time.Hour), UpdatedAt: eraseNow}
		_, _, err := e.store.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked, At: a.CreatedAt})
		require.NoError(t, err)
	}
	book("soon", eraseNow.Add(2*time.Hour), booking.StatusConfirmed) // within the 12 h deadline
	book("later", eraseNow.Add(72*time.Hour), booking.StatusPending)
	book("now", eraseNow.Add(-30*time.Minute), booking.StatusConfirmed) // under way
	book("past", eraseNow.Add(-72*time.Hour), booking.StatusCompleted)

	out, err := e.svc.EraseClient(ctx, client("er-anna"))
	require.NoError(t, err)
	assert.Equal(t, 2, out.Cancelled)
	appts, err := e.store.Appointments(ctx, booking.AppointmentFilter{ClientID: out.Pseudonym})
	require.NoError(t, err)
	status := map[string]booking.Status{}
	for _, a := range appts {
		status[a.ID] = a.Status
		assert.Empty(t, a.ClientNote)
	}
	assert.Equal(t, map[string]booking.Status{"soon": booking.StatusCancelled, "later": booking.StatusCancelled,
		"now": booking.StatusConfirmed, "past": booking.StatusCompleted}, status)
	var cancelled int
	for after := int64(0); ; {
		evs, err := e.store.EventsAfter(ctx, after, 100)
		require.NoError(t, err)
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			assert.Equal(t, out.Pseudonym, ev.ClientID)
			if ev.Type == booking.EventCancelled {
				cancelled++
				assert.Equal(t, card.EraseCancelReason, ev.Appointment.CancelReason, "the log says why")
			}
		}
		after = evs[len(evs)-1].Seq
	}
	assert.Equal(t, 2, cancelled)
}

// bookingDuringErasure books a visit for the client just before the
// erasure's transaction, as another session of theirs could.
type bookingDuringErasure struct {
	*sqlite.Store
	t *testing.T
}

func (b bookingDuringErasure) EraseClient(ctx context.Context, e card.Erasure) ([]string, error) {
	start := eraseNow.Add(48 * time.Hour)
	a := booking.Appointment{ID: "meanwhile", ClientID: e.ClientID, BranchID: "eb1", ServiceID: "er-peel", SpecialistID: "EA",
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
		Status: booking.StatusConfirmed, CreatedBy: e.ClientID, CreatedAt: eraseNow, UpdatedAt: eraseNow}
	_, _, err := b.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked})
	require.NoError(b.t, err)
	return b.Store.EraseClient(ctx, e)
}

func TestEraseClientCancelsAVisitBookedMeanwhile(t *testing.T) {
	e := newEraseEnv(t)
	svc, err := card.New(card.Config{Store: bookingDuringErasure{Store: e.store, t: t}, Booking: e.sched, Blobs: e.blobs,
		Now:   func() time.Time { return eraseNow },
		Audit: func(context.Context, auth.AuditEntry) error { return nil }})
	require.NoError(t, err)
	out, err := svc.EraseClient(t.Context(), client("er-anna"))
	require.NoError(t, err)
	assert.Equal(t, 1, out.Cancelled)
	a, err := e.store.AppointmentByID(t.Context(), "meanwhile")
	require.NoError(t, err)
	assert.Equal(t, booking.StatusCancelled, a.Status)
	assert.Equal(t, out.Pseudonym, a.ClientID)
	assert.Equal(t, out.Pseudonym, a.CancelledBy)
	assert.Equal(t, card.EraseCancelReason, a.CancelReason)
}

func TestEraseClientRefusals(t *testing.T) {
	e := newEraseEnv(t)
	ctx := t.Context()
	for name, actor := range map[string]card.Actor{
		"nobody": {},
		"staff":  {UserID: "er-anna", Role: booking.RoleAdmin},
	} {
		_, err := e.svc.EraseClient(ctx, actor)
		assert.ErrorIs(t, err, card.ErrNotFound, name)
	}
	_, err := e.store.UserByID(ctx, "er-anna")
	assert.NoError(t, err, "nothing was erased")
}

// TestExportArchive: the archive has data.json and each photo's original;
// a photo whose file is missing is listed without a file.
func TestExportArchive(t *testing.T) {
	e := newEraseEnv(t)
	ctx := t.Context()
	p1, p2 := e.photo("er-anna", 1), e.photo("er-anna", 2)
	e.photo("er-boris", 3)
	require.NoError(t, e.blobs.Delete(ctx, p2.Original.Key)) // lost
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	_, err := e.store.GiveOffers(ctx, []card.GivenOffer{{OfferRef: card.OfferRef{ClientID: "er-anna", OfferID: "birthday", Seq: 1},
		Offer:   recommend.Offer{ID: "birthday", Title: recommend.Text{RU: "С днём рождения", EN: "Happy birthday"}, DiscountPercent: 20, ValidFrom: at, ValidUntil: at.Add(30 * 24 * time.Hour)},
		GivenAt: at}})
	require.NoError(t, err)

	u, err := e.store.UserByID(ctx, "er-anna")
	require.NoError(t, err)
	_, err = e.svc.PrepareExport(ctx, client("er-anna"), "er-anna", card.ExportExtra{Account: auth.User{ID: "er-boris"}})
	assert.ErrorIs(t, err, card.ErrNotFound, "someone else's account")
	_, err = e.svc.PrepareExport(ctx, client("er-boris"), "er-anna", card.ExportExtra{Account: u})
	assert.ErrorIs(t, err, card.ErrNotFound, "someone else's card")
	assert.Empty(t, e.auditOf(card.ActionDataExported))

	exp, err := e.svc.PrepareExport(ctx, client("er-anna"), "er-anna", card.ExportExtra{Account: u})
	require.NoError(t, err)
	assert.Equal(t, "kabinet-export-2026-11-25.zip", exp.FileName())
	assert.Equal(t, 2, exp.Photos())
	require.Len(t, e.auditOf(card.ActionDataExported), 1, "recorded before a byte is written")
	var b bytes.Buffer
	require.NoError(t, exp.WriteZip(ctx, &b))

	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		files[f.Name], err = io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
	}
	require.Contains(t, files, "data.json")
	orig, err := e.blobs.Open(ctx, p1.Original.Key)
	require.NoError(t, err)
	want, err := io.ReadAll(orig)
	require.NoError(t, err)
	orig.Close()
	assert.Equal(t, want, files["photos/"+p1.ID+".jpg"])
	assert.NotContains(t, files, "photos/"+p2.ID+".jpg")
	assert.Len(t, files, 2)

	var doc struct {
		Account struct{ ID string }
		Photos  []struct{ ID, File string }
		Offers  []struct {
			OfferID string `json:"offer_id"`
			Title   struct{ RU string }
		}
	}
	require.NoError(t, json.Unmarshal(files["data.json"], &doc))
	assert.Equal(t, "er-anna", doc.Account.ID)
	require.Len(t, doc.Photos, 2)
	byID := map[string]string{}
	for _, p := range doc.Photos {
		byID[p.ID] = p.File
	}
	assert.Equal(t, map[string]string{p1.ID: "photos/" + p1.ID + ".jpg", p2.ID: ""}, byID)
	require.Len(t, doc.Offers, 1, "the offers given")
	assert.Equal(t, "birthday", doc.Offers[0].OfferID)
	assert.Equal(t, "С днём рождения", doc.Offers[0].Title.RU)
}

// TestEraseHealthDataKeepsTheRest: the health part alone goes.
func TestEraseHealthDataKeepsTheRest(t *testing.T) {
	e := newEraseEnv(t)
	ctx := t.Context()
	anna := client("er-anna")
	_, err := e.svc.RecordConsent(ctx, anna, anna.UserID, card.ConsentInput{Type: card.ConsentHealthData, Granted: true, TextVersion: "v1"})
	require.NoError(t, err)
	name, dry := "Анна", card.SkinDry
	allergies := []string{"пыльца"}
	_, err = e.svc.UpdateProfile(ctx, anna, anna.UserID, card.ProfileChange{Name: &name, SkinType: &dry, Allergies: &allergies})
	require.NoError(t, err)
	_, err = e.svc.AddJournalEntry(ctx, anna, anna.UserID, card.JournalEntry{Date: booking.Date{Year: 2026, Month: 11, Day: 20},
		Scores: map[card.ConcernCode]int{card.ConcernAcne: 5}})
	require.NoError(t, err)
	e.photo("er-anna", 1)

	out, err := e.svc.EraseHealthData(ctx, anna, anna.UserID)
	require.NoError(t, err)
	assert.Equal(t, card.HealthErasure{Versions: 1, JournalEntries: 1}, out)
	v, err := e.svc.Profile(ctx, anna, anna.UserID)
	require.NoError(t, err)
	assert.False(t, v.Profile.HasHealthAnswers())
	assert.Equal(t, "Анна", v.Profile.Name)
	photos, err := e.svc.Photos(ctx, anna, anna.UserID, card.PhotoFilter{})
	require.NoError(t, err)
	assert.Len(t, photos, 1)
	require.Len(t, e.auditOf(card.ActionDataErased), 1)

	_, err = e.svc.EraseHealthData(ctx, client("er-boris"), anna.UserID)
	assert.ErrorIs(t, err, card.ErrNotFound, "only one's own")

	n, err := e.svc.ErasePhotos(ctx, anna, anna.UserID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Empty(t, e.files())
	assert.Len(t, e.auditOf(card.ActionDataErased), 2)
}
