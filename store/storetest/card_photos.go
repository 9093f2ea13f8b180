package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// The card.PhotoStore and card.JournalStore part of the suite. Where the
// interface comments leave a choice open, backends agree on this:
//
//   - A photo comes back exactly as stored (every file's key, size and
//     dimensions); AppointmentID "" is absent.
//   - Journal scores come back as a non-nil map (empty when none); PhotoIDs
//     nil when no photo is linked.

// runCardPhotos checks card.PhotoStore and card.JournalStore.
func runCardPhotos(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("PhotosCreate", func(t *testing.T) { testPhotosCreate(t, open) })
	t.Run("PhotosQueries", func(t *testing.T) { testPhotosQueries(t, open) })
	t.Run("PhotosDelete", func(t *testing.T) { testPhotosDelete(t, open) })
	t.Run("Journal", func(t *testing.T) { testJournal(t, open) })
	t.Run("PhotosConcurrency", func(t *testing.T) { testPhotosConcurrency(t, open) })
	t.Run("PhotosQuota", func(t *testing.T) { testPhotosQuota(t, open) })
}

// photoDay is a calendar day of November 2026.
func photoDay(d int) booking.Date { return booking.Date{Year: 2026, Month: time.November, Day: d} }

// photoRow is a photo of client with keys derived from id.
func photoRow(id, client string, kind card.PhotoKind, area card.PhotoArea, taken booking.Date, created time.Time) card.Photo {
	key := func(size string) string { return fmt.Sprintf("%032x", []byte(id+size))[:32] }
	return card.Photo{
		ID: id, ClientID: client, Kind: kind, Area: area, TakenOn: taken, UploadedBy: client, SourceFormat: card.FormatJPEG,
		Original:  card.PhotoFile{Key: key("o"), Bytes: 3_500_000, Width: 4000, Height: 3000},
		Medium:    card.PhotoFile{Key: key("m"), Bytes: 250_000, Width: 1280, Height: 960},
		Thumb:     card.PhotoFile{Key: key("t"), Bytes: 20_000, Width: 320, Height: 240},
		CreatedAt: created,
	}
}

// photoConsent records a consent of client at t0.
func photoConsent(t *testing.T, st cabinet.Store, id, client string, typ card.ConsentType, granted bool) {
	t.Helper()
	require.NoError(t, st.AppendConsent(t.Context(), card.Consent{ID: id, ClientID: client, Type: typ, Granted: granted,
		TextVersion: "v1", Source: card.SourceCabinet, RecordedBy: client, At: t0}))
}

func photoIDs(list []card.Photo) []string {
	out := []string{}
	for _, p := range list {
		out = append(out, p.ID)
	}
	return out
}

func testPhotosCreate(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st := open(t)
	ctx := t.Context()
	profileClient(t, st, "pc-anna")

	p := photoRow("p1", "pc-anna", card.PhotoBefore, card.AreaFace, photoDay(20), t0)
	p.AppointmentID, p.UploadedBy, p.ByStaff, p.SourceFormat = "a1", "u-doc", true, card.FormatWebP
	require.NoError(t, st.CreatePhoto(ctx, p, 0))
	got, err := st.PhotoByID(ctx, "p1")
	require.NoError(t, err)
	assert.True(t, got.CreatedAt.Equal(t0))
	got.CreatedAt = p.CreatedAt
	assert.Equal(t, p, got, "every field comes back")

	_, err = st.PhotoByID(ctx, "nope")
	assert.ErrorIs(t, err, card.ErrNotFound)
	assert.Error(t, st.CreatePhoto(ctx, photoRow("p1", "pc-anna", card.PhotoAfter, card.AreaFace, photoDay(20), t0), 0), "a taken ID")
	assert.ErrorIs(t, st.CreatePhoto(ctx, photoRow("p2", "ghost", card.PhotoAfter, card.AreaFace, photoDay(20), t0), 0), card.ErrNotFound)
	for name, bad := range map[string]func(*card.Photo){
		"no ID":       func(p *card.Photo) { p.ID = "" },
		"no client":   func(p *card.Photo) { p.ClientID = "" },
		"no kind":     func(p *card.Photo) { p.Kind = "" },
		"no day":      func(p *card.Photo) { p.TakenOn = booking.Date{} },
		"no file key": func(p *card.Photo) { p.Thumb.Key = "" },
		"no time":     func(p *card.Photo) { p.CreatedAt = time.Time{} },
	} {
		q := photoRow("p3", "pc-anna", card.PhotoAfter, card.AreaFace, photoDay(20), t0)
		bad(&q)
		err := st.CreatePhoto(ctx, q, 0)
		assert.Error(t, err, name)
		assert.NotErrorIs(t, err, card.ErrNotFound, name)
	}

	// The consent guard, checked with the write.
	var ce *card.ConsentError
	q := photoRow("p4", "pc-anna", card.PhotoAfter, card.AreaFace, photoDay(20), t0)
	require.ErrorAs(t, st.CreatePhoto(ctx, q, 0, card.ConsentPhotos), &ce, "never given")
	assert.Equal(t, card.ConsentPhotos, ce.Type)
	photoConsent(t, st, "c1", "pc-anna", card.ConsentPhotos, true)
	require.NoError(t, st.CreatePhoto(ctx, q, 0, card.ConsentPhotos))
	photoConsent(t, st, "c2", "pc-anna", card.ConsentPhotos, false)
	q.ID, q.Original.Key, q.Medium.Key, q.Thumb.Key = "p5", "k5o", "k5m", "k5t"
	assert.ErrorAs(t, st.CreatePhoto(ctx, q, 0, card.ConsentPhotos), &ce, "withdrawn")
	_, err = st.PhotoByID(ctx, "p5")
	assert.ErrorIs(t, err, card.ErrNotFound, "nothing stored")
}

func testPhotosQueries(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st := open(t)
	ctx := t.Context()
	profileClient(t, st, "pq-anna", "pq-boris")
	rows := []card.Photo{
		photoRow("q1", "pq-anna", card.PhotoBefore, card.AreaFace, photoDay(18), t0.Add(2*time.Minute)),
		photoRow("q2", "pq-anna", card.PhotoAfter, card.AreaFace, photoDay(18), t0.Add(3*time.Minute)),
		photoRow("q3", "pq-anna", card.PhotoBefore, card.AreaNeck, photoDay(10), t0.Add(4*time.Minute)),
		photoRow("q0", "pq-anna", card.PhotoBefore, card.AreaFace, photoDay(18), t0.Add(2*time.Minute)), // same day and time: by ID
		photoRow("q4", "pq-anna", card.PhotoProgress, card.AreaHands, photoDay(25), t0),
		photoRow("qb", "pq-boris", card.PhotoBefore, card.AreaFace, photoDay(18), t0),
	}
	rows[0].AppointmentID, rows[1].AppointmentID, rows[2].AppointmentID = "a1", "a1", "a2"
	for _, p := range rows {
		require.NoError(t, st.CreatePhoto(ctx, p, 0))
	}
	for _, tc := range []struct {
		name string
		f    card.PhotoFilter
		want []string
	}{
		{"all of hers, by day taken, then upload, then ID", card.PhotoFilter{}, []string{"q3", "q0", "q1", "q2", "q4"}},
		{"newest first", card.PhotoFilter{Descending: true}, []string{"q4", "q2", "q1", "q0", "q3"}},
		{"kind", card.PhotoFilter{Kind: card.PhotoBefore}, []string{"q3", "q0", "q1"}},
		{"area", card.PhotoFilter{Area: card.AreaFace}, []string{"q0", "q1", "q2"}},
		{"one visit", card.PhotoFilter{AppointmentIDs: []string{"a1"}}, []string{"q1", "q2"}},
		{"visits", card.PhotoFilter{AppointmentIDs: []string{"a2", "a1", "a9"}}, []string{"q3", "q1", "q2"}},
		{"no visits: nothing", card.PhotoFilter{AppointmentIDs: []string{}}, []string{}},
		{"from", card.PhotoFilter{From: photoDay(18)}, []string{"q0", "q1", "q2", "q4"}},
		{"to", card.PhotoFilter{To: photoDay(18)}, []string{"q3", "q0", "q1", "q2"}},
		{"a day", card.PhotoFilter{From: photoDay(25), To: photoDay(25)}, []string{"q4"}},
		{"everything at once", card.PhotoFilter{Kind: card.PhotoAfter, Area: card.AreaFace, AppointmentIDs: []string{"a1"},
			From: photoDay(1), To: photoDay(30)}, []string{"q2"}},
	} {
		tc.f.ClientID = "pq-anna"
		list, err := st.Photos(ctx, tc.f)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, photoIDs(list), tc.name)
	}
	list, err := st.Photos(ctx, card.PhotoFilter{ClientID: "nobody"})
	require.NoError(t, err)
	assert.NotNil(t, list, "an empty list, not nil")
	assert.Empty(t, list)
}

func testPhotosDelete(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st := open(t)
	ctx := t.Context()
	profileClient(t, st, "pd-anna")
	p := photoRow("d1", "pd-anna", card.PhotoBefore, card.AreaFace, photoDay(18), t0)
	require.NoError(t, st.CreatePhoto(ctx, p, 0))
	require.NoError(t, st.CreatePhoto(ctx, photoRow("d2", "pd-anna", card.PhotoAfter, card.AreaFace, photoDay(19), t0), 0))
	require.NoError(t, st.AddJournalEntry(ctx, card.JournalEntry{ID: "j1", ClientID: "pd-anna", Date: photoDay(19),
		Kind: card.JournalSelfAssessment, AuthorID: "pd-anna", PhotoIDs: []string{"d1", "d2"}, CreatedAt: t0}))

	got, err := st.DeletePhoto(ctx, "d1")
	require.NoError(t, err)
	assert.Equal(t, p.Original.Key, got.Original.Key, "the deleted photo comes back, for its files")
	assert.Equal(t, p.Thumb, got.Thumb)
	_, err = st.DeletePhoto(ctx, "d1")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = st.PhotoByID(ctx, "d1")
	assert.ErrorIs(t, err, card.ErrNotFound)
	entries, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: "pd-anna"})
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, []string{"d2"}, entries[0].PhotoIDs, "the entry no longer links the deleted photo")
}

func testJournal(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st := open(t)
	ctx := t.Context()
	profileClient(t, st, "pj-anna", "pj-boris")
	for _, p := range []card.Photo{
		photoRow("jp1", "pj-anna", card.PhotoProgress, card.AreaFace, photoDay(20), t0),
		photoRow("jp2", "pj-anna", card.PhotoProgress, card.AreaNeck, photoDay(20), t0),
		photoRow("jpb", "pj-boris", card.PhotoProgress, card.AreaFace, photoDay(20), t0),
	} {
		require.NoError(t, st.CreatePhoto(ctx, p, 0))
	}
	entry := func(id string, d int, kind card.JournalKind, created time.Time) card.JournalEntry {
		return card.JournalEntry{ID: id, ClientID: "pj-anna", Date: photoDay(d), Kind: kind, AuthorID: "pj-anna",
			Scores: map[card.ConcernCode]int{card.ConcernAcne: d % 11}, CreatedAt: created}
	}
	full := entry("e1", 20, card.JournalAssessment, t0)
	full.AuthorID, full.Notes = "u-doc", "Меньше воспалений.\nSPF каждый день."
	full.Scores = map[card.ConcernCode]int{card.ConcernAcne: 4, card.ConcernDehydration: 0, card.ConcernWrinkles: 10}
	full.PhotoIDs = []string{"jp2", "jp1"}
	require.NoError(t, st.AddJournalEntry(ctx, full))
	for _, e := range []card.JournalEntry{
		entry("e3", 22, card.JournalSelfAssessment, t0.Add(time.Minute)),
		entry("e2", 22, card.JournalSelfAssessment, t0), // same day, made earlier
		entry("e0", 10, card.JournalSelfAssessment, t0.Add(time.Hour)),
	} {
		require.NoError(t, st.AddJournalEntry(ctx, e))
	}
	bare := entry("e4", 25, card.JournalSelfAssessment, t0)
	bare.Scores, bare.Notes = nil, "только заметка"
	require.NoError(t, st.AddJournalEntry(ctx, bare))

	all, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: "pj-anna"})
	require.NoError(t, err)
	ids := func(list []card.JournalEntry) []string {
		out := []string{}
		for _, e := range list {
			out = append(out, e.ID)
		}
		return out
	}
	assert.Equal(t, []string{"e0", "e1", "e2", "e3", "e4"}, ids(all))
	got := all[1]
	assert.True(t, got.CreatedAt.Equal(t0))
	got.CreatedAt = full.CreatedAt
	assert.Equal(t, full, got, "every field comes back, photos in the order given")
	assert.Equal(t, map[card.ConcernCode]int{}, all[4].Scores, "no scores: an empty map")
	assert.Nil(t, all[4].PhotoIDs)

	for _, tc := range []struct {
		name string
		f    card.JournalFilter
		want []string
	}{
		{"newest first", card.JournalFilter{Descending: true}, []string{"e4", "e3", "e2", "e1", "e0"}},
		{"kind", card.JournalFilter{Kind: card.JournalAssessment}, []string{"e1"}},
		{"from", card.JournalFilter{From: photoDay(20)}, []string{"e1", "e2", "e3", "e4"}},
		{"to", card.JournalFilter{To: photoDay(22)}, []string{"e0", "e1", "e2", "e3"}},
		{"limit", card.JournalFilter{Limit: 2}, []string{"e0", "e1"}},
		{"limit, newest first", card.JournalFilter{Limit: 2, Descending: true}, []string{"e4", "e3"}},
	} {
		tc.f.ClientID = "pj-anna"
		list, err := st.JournalEntries(ctx, tc.f)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, ids(list), tc.name)
	}
	none, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: "pj-boris"})
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	// Another client's photo, or none: nothing is stored.
	bad := entry("e5", 23, card.JournalSelfAssessment, t0)
	bad.PhotoIDs = []string{"jp1", "jpb"}
	assert.ErrorIs(t, st.AddJournalEntry(ctx, bad), card.ErrNotFound)
	bad.PhotoIDs = []string{"missing"}
	assert.ErrorIs(t, st.AddJournalEntry(ctx, bad), card.ErrNotFound)
	bad.PhotoIDs = nil
	bad.ClientID = "ghost"
	assert.ErrorIs(t, st.AddJournalEntry(ctx, bad), card.ErrNotFound, "no such user")
	assert.Error(t, st.AddJournalEntry(ctx, entry("e1", 23, card.JournalSelfAssessment, t0)), "a taken ID")
	list, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: "pj-anna", From: photoDay(23), To: photoDay(23)})
	require.NoError(t, err)
	assert.Empty(t, list)

	// The consent guard, checked with the write.
	var ce *card.ConsentError
	require.ErrorAs(t, st.AddJournalEntry(ctx, entry("e6", 23, card.JournalSelfAssessment, t0), card.ConsentHealthData), &ce)
	assert.Equal(t, card.ConsentHealthData, ce.Type)
	photoConsent(t, st, "jc1", "pj-anna", card.ConsentHealthData, true)
	require.NoError(t, st.AddJournalEntry(ctx, entry("e6", 23, card.JournalSelfAssessment, t0), card.ConsentHealthData))
}

func testPhotosConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st := open(t)
	ctx := t.Context()
	profileClient(t, st, "pz-anna")

	// 20 uploads at once: every one's metadata is stored.
	const n = 20
	errs := parallel(n, func(i int) error {
		return st.CreatePhoto(ctx, photoRow(fmt.Sprint("z", i), "pz-anna", card.PhotoProgress, card.AreaFace, photoDay(20),
			t0.Add(time.Duration(i)*time.Second)), 0)
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	list, err := st.Photos(ctx, card.PhotoFilter{ClientID: "pz-anna"})
	require.NoError(t, err)
	assert.Len(t, list, n)

	// Journal entries linking photos while they are deleted: each entry is
	// stored with the photos still there or refused whole, and no link to
	// a deleted photo survives.
	var mu sync.Mutex
	stored := map[string]bool{}
	errs = parallel(2*n, func(i int) error {
		if i%2 == 0 {
			_, err := st.DeletePhoto(ctx, fmt.Sprint("z", i/2))
			return err
		}
		id := fmt.Sprint("zj", i)
		err := st.AddJournalEntry(ctx, card.JournalEntry{ID: id, ClientID: "pz-anna", Date: photoDay(21),
			Kind: card.JournalSelfAssessment, AuthorID: "pz-anna", PhotoIDs: []string{fmt.Sprint("z", i/2)}, CreatedAt: t0})
		if errors.Is(err, card.ErrNotFound) {
			return nil
		}
		if err == nil {
			mu.Lock()
			stored[id] = true
			mu.Unlock()
		}
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	entries, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: "pz-anna"})
	require.NoError(t, err)
	assert.Len(t, entries, len(stored))
	for _, e := range entries {
		assert.Empty(t, e.PhotoIDs, "%s still links a deleted photo", e.ID)
	}
	list, err = st.Photos(ctx, card.PhotoFilter{ClientID: "pz-anna"})
	require.NoError(t, err)
	assert.Empty(t, list)
}

// testPhotosQuota: the quota is checked with the insert, so concurrent
// uploads of one client never take it past the limit; other clients are
// not counted.
func testPhotosQuota(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st := open(t)
	ctx := t.Context()
	profileClient(t, st, "pq-anna")
	profileClient(t, st, "pq-boris")
	require.NoError(t, st.CreatePhoto(ctx, photoRow("q-boris", "pq-boris", card.PhotoBefore, card.AreaFace, photoDay(20), t0), 1))
	require.NoError(t, st.CreatePhoto(ctx, photoRow("q0", "pq-anna", card.PhotoBefore, card.AreaFace, photoDay(20), t0), 5))

	const n, quota = 16, 5
	errs := parallel(n, func(i int) error {
		return st.CreatePhoto(ctx, photoRow(fmt.Sprint("q", i+1), "pq-anna", card.PhotoProgress, card.AreaFace, photoDay(20),
			t0.Add(time.Duration(i)*time.Second)), quota)
	})
	stored := 0
	for _, err := range errs {
		if err == nil {
			stored++
		} else {
			require.ErrorIs(t, err, card.ErrPhotoQuota)
		}
	}
	assert.Equal(t, quota-1, stored, "one was there before")
	list, err := st.Photos(ctx, card.PhotoFilter{ClientID: "pq-anna"})
	require.NoError(t, err)
	assert.Len(t, list, quota)
	assert.ErrorIs(t, st.CreatePhoto(ctx, photoRow("q-more", "pq-anna", card.PhotoAfter, card.AreaFace, photoDay(21), t0), quota), card.ErrPhotoQuota)
	require.NoError(t, st.CreatePhoto(ctx, photoRow("q-free", "pq-anna", card.PhotoAfter, card.AreaFace, photoDay(21), t0), 0), "0: no quota")
}
