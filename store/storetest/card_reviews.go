package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// runCardReviews checks card.FavoriteStore and card.ReviewStore.
func runCardReviews(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("Favorites", func(t *testing.T) { testFavorites(t, open) })
	t.Run("FavoritesConcurrency", func(t *testing.T) { testFavoritesConcurrency(t, open) })
	t.Run("ReviewsCreate", func(t *testing.T) { testReviewsCreate(t, open) })
	t.Run("ReviewsEdit", func(t *testing.T) { testReviewsEdit(t, open) })
	t.Run("ReviewsModerate", func(t *testing.T) { testReviewsModerate(t, open) })
	t.Run("ReviewsQueries", func(t *testing.T) { testReviewsQueries(t, open) })
	t.Run("ReviewsDepersonalize", func(t *testing.T) { testReviewsDepersonalize(t, open) })
	t.Run("ReviewsConcurrency", func(t *testing.T) { testReviewsConcurrency(t, open) })
}

// seedFavorites stores the clinic, the catalog and clients c-1 and c-2.
func seedFavorites(t *testing.T, st cabinet.Store) {
	t.Helper()
	seedProducts(t, st)
	for _, id := range []string{"c-1", "c-2"} {
		require.NoError(t, st.CreateUser(t.Context(), newUser(id)))
	}
}

func fav(client string, kind card.FavoriteKind, item string, at time.Time) card.Favorite {
	return card.Favorite{ClientID: client, Kind: kind, ItemID: item, CreatedAt: at}
}

func testFavorites(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedFavorites(t, st)

	added, err := st.AddFavorite(ctx, fav("c-1", card.FavoriteService, consult.ID, t0), 3)
	require.NoError(t, err)
	assert.True(t, added)
	added, err = st.AddFavorite(ctx, fav("c-1", card.FavoriteService, consult.ID, t0.Add(time.Hour)), 3)
	require.NoError(t, err)
	assert.False(t, added, "already kept")
	added, err = st.AddFavorite(ctx, fav("c-1", card.FavoriteProduct, productSerum.ID, t0.Add(time.Minute)), 3)
	require.NoError(t, err)
	assert.True(t, added)
	added, err = st.AddFavorite(ctx, fav("c-1", card.FavoriteProduct, productOld.ID, t0.Add(time.Minute)), 3)
	require.NoError(t, err)
	assert.True(t, added, "an inactive product exists: the store does not judge whether it is offered")

	list, err := st.Favorites(ctx, "c-1")
	require.NoError(t, err)
	assert.Equal(t, []card.Favorite{
		fav("c-1", card.FavoriteProduct, productOld.ID, t0.Add(time.Minute)),
		fav("c-1", card.FavoriteProduct, productSerum.ID, t0.Add(time.Minute)),
		fav("c-1", card.FavoriteService, consult.ID, t0),
	}, list, "the latest first, then by kind and item; the first time kept")

	_, err = st.AddFavorite(ctx, fav("c-1", card.FavoriteService, laser.ID, t0), 3)
	assert.ErrorIs(t, err, card.ErrFavoritesFull)
	added, err = st.AddFavorite(ctx, fav("c-1", card.FavoriteService, consult.ID, t0), 3)
	require.NoError(t, err, "one already kept is no error at the cap")
	assert.False(t, added)

	for _, tc := range []struct {
		name string
		f    card.Favorite
		want error
	}{
		{"unknown service", fav("c-2", card.FavoriteService, "nope", t0), card.ErrNotFound},
		{"a product ID as a service", fav("c-2", card.FavoriteService, productSerum.ID, t0), card.ErrNotFound},
		{"unknown product", fav("c-2", card.FavoriteProduct, "nope", t0), card.ErrNotFound},
		{"unknown user", fav("c-9", card.FavoriteService, consult.ID, t0), card.ErrNotFound},
		{"unknown kind", fav("c-2", "specialist", anna.ID, t0), card.ErrInvalidInput},
		{"no item", fav("c-2", card.FavoriteService, "", t0), card.ErrInvalidInput},
		{"no time", fav("c-2", card.FavoriteService, consult.ID, time.Time{}), card.ErrInvalidInput},
	} {
		_, err := st.AddFavorite(ctx, tc.f, 3)
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
	none, err := st.Favorites(ctx, "c-2")
	require.NoError(t, err)
	assert.Empty(t, none, "nothing stored for the failures")

	require.NoError(t, st.RemoveFavorite(ctx, "c-1", card.FavoriteProduct, productSerum.ID))
	assert.ErrorIs(t, st.RemoveFavorite(ctx, "c-1", card.FavoriteProduct, productSerum.ID), card.ErrNotFound)
	assert.ErrorIs(t, st.RemoveFavorite(ctx, "c-2", card.FavoriteService, consult.ID), card.ErrNotFound, "another client's")
	assert.ErrorIs(t, st.RemoveFavorite(ctx, "c-1", card.FavoriteProduct, consult.ID), card.ErrNotFound, "the kind counts")
	list, err = st.Favorites(ctx, "c-1")
	require.NoError(t, err)
	assert.Len(t, list, 2)
	added, err = st.AddFavorite(ctx, fav("c-1", card.FavoriteService, laser.ID, t0), 3)
	require.NoError(t, err)
	assert.True(t, added, "room again after a removal")

	unknown, err := st.Favorites(ctx, "nobody")
	require.NoError(t, err)
	assert.Empty(t, unknown)
}

func testFavoritesConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	const n = 20
	t.Run("Cap", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedFavorites(t, st)
		for i := range n {
			_, err := st.UpsertProduct(ctx, card.Product{ID: fmt.Sprint("p-", i), Brand: "B", Name: fmt.Sprint("P", i),
				Category: card.CategorySerum, Price: booking.Money{Amount: 100, Currency: "RUB"}, Active: true, CreatedAt: t0, UpdatedAt: t0})
			require.NoError(t, err)
		}
		errs := parallel(n, func(i int) error {
			_, err := st.AddFavorite(ctx, fav("c-1", card.FavoriteProduct, fmt.Sprint("p-", i), t0), 5)
			return err
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				assert.ErrorIs(t, err, card.ErrFavoritesFull)
			}
		}
		assert.Equal(t, 5, ok, "never past the cap")
		list, err := st.Favorites(ctx, "c-1")
		require.NoError(t, err)
		assert.Len(t, list, 5)
	})
	t.Run("SameItem", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedFavorites(t, st)
		added := make([]bool, n)
		errs := parallel(n, func(i int) error {
			var err error
			added[i], err = st.AddFavorite(ctx, fav("c-1", card.FavoriteService, consult.ID, t0.Add(time.Duration(i)*time.Second)), 5)
			return err
		})
		count := 0
		for i, err := range errs {
			require.NoError(t, err)
			if added[i] {
				count++
			}
		}
		assert.Equal(t, 1, count, "added once, the others found it")
		list, err := st.Favorites(ctx, "c-1")
		require.NoError(t, err)
		assert.Len(t, list, 1)
	})
}

// seedReviews stores the clinic and completed consultations: a-1 of c-1
// with Anna, a-2 of c-1 with Boris, a-3 of c-2 with Anna (a laser session
// in the north), and a-4 of c-1, confirmed.
func seedReviews(t *testing.T, st cabinet.Store) {
	t.Helper()
	seedClinic(t, st)
	done := withStatus(booking.StatusCompleted)
	book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour, done))
	book(t, st, appt("a-2", "c-1", boris.ID, at(12, 0), time.Hour, done))
	book(t, st, appt("a-3", "c-2", anna.ID, at(16, 0), time.Hour, done, inBranch(branchNorth.ID),
		func(a *booking.Appointment) { a.ServiceID = laser.ID }))
	book(t, st, appt("a-4", "c-1", anna.ID, at(18, 0), time.Hour))
}

// newReview is a pending review of an appointment of seedReviews, written
// at t0 plus minutes.
func newReview(id, appointment string, rating, minutes int) card.Review {
	r := card.Review{ID: id, AppointmentID: appointment, ClientID: "c-1", AuthorName: "Ольга", BranchID: branchCentre.ID,
		ServiceID: consult.ID, SpecialistID: anna.ID, VisitAt: at(10, 0), Rating: rating, Text: "Всё понравилось.\nСпасибо!",
		Status: card.ReviewPending, Version: 1, CreatedAt: t0.Add(time.Duration(minutes) * time.Minute)}
	r.UpdatedAt = r.CreatedAt
	switch appointment {
	case "a-2":
		r.SpecialistID, r.VisitAt = boris.ID, at(12, 0)
	case "a-3":
		r.ClientID, r.AuthorName, r.BranchID, r.ServiceID, r.VisitAt = "c-2", "", branchNorth.ID, laser.ID, at(16, 0)
	}
	return r
}

func createReview(t *testing.T, st cabinet.Store, r card.Review) card.Review {
	t.Helper()
	got, err := st.CreateReview(t.Context(), r)
	require.NoError(t, err, "review %s", r.ID)
	return got
}

// moderate moderates r at its version as u-manager.
func moderate(t *testing.T, st cabinet.Store, r card.Review, status card.ReviewStatus, reply string, at time.Time) (card.Review, error) {
	return st.ModerateReview(t.Context(), card.Moderation{ReviewID: r.ID, Version: r.Version, Status: status, Reply: reply,
		By: "u-manager", At: at})
}

func testReviewsCreate(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedReviews(t, st)

	r := newReview("r-1", "a-1", 5, 0)
	got := createReview(t, st, r)
	assert.Equal(t, r, got)
	byID, err := st.ReviewByID(ctx, "r-1")
	require.NoError(t, err)
	assert.Equal(t, r, byID)
	byAppt, err := st.ReviewByAppointment(ctx, "a-1")
	require.NoError(t, err)
	assert.Equal(t, r, byAppt)
	hist, err := st.ReviewHistory(ctx, "r-1")
	require.NoError(t, err)
	assert.Equal(t, []card.ReviewChange{{ReviewID: "r-1", Action: card.ReviewWritten, To: card.ReviewPending, By: "c-1", At: t0}}, hist)

	second := newReview("r-2", "a-1", 1, 5)
	_, err = st.CreateReview(ctx, second)
	assert.ErrorIs(t, err, card.ErrReviewExists, "one review per appointment")

	for _, tc := range []struct {
		name   string
		change func(*card.Review)
		want   error
	}{
		{"another client's appointment", func(r *card.Review) { r.AppointmentID = "a-3" }, card.ErrNotFound},
		{"unknown appointment", func(r *card.Review) { r.AppointmentID = "nope" }, card.ErrNotFound},
		{"a taken ID", func(r *card.Review) { r.ID = "r-1" }, card.ErrInvalidInput},
		{"no rating", func(r *card.Review) { r.Rating = 0 }, card.ErrInvalidInput},
		{"six stars", func(r *card.Review) { r.Rating = 6 }, card.ErrInvalidInput},
		{"no ID", func(r *card.Review) { r.ID = "" }, card.ErrInvalidInput},
		{"no time", func(r *card.Review) { r.CreatedAt = time.Time{} }, card.ErrInvalidInput},
	} {
		r := newReview("r-x", "a-2", 4, 1)
		tc.change(&r)
		_, err := st.CreateReview(ctx, r)
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
	_, err = st.ReviewByAppointment(ctx, "a-2")
	assert.ErrorIs(t, err, card.ErrNotFound, "nothing stored for the failures")
	_, err = st.ReviewByID(ctx, "nope")
	assert.ErrorIs(t, err, card.ErrNotFound)
	none, err := st.ReviewHistory(ctx, "nope")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testReviewsEdit(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedReviews(t, st)
	r := createReview(t, st, newReview("r-1", "a-1", 5, 0))
	r, err := moderate(t, st, r, card.ReviewPublished, "Спасибо!", t0.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 2, r.Version)

	edit := card.ReviewUpdate{ID: "r-1", ClientID: "c-1", Version: 2, Rating: 3, Text: "Уже не так уверена.", AuthorName: "Оля",
		At: t0.Add(2 * time.Hour)}
	stale := edit
	stale.Version = 1
	_, err = st.EditReview(ctx, stale)
	assert.ErrorIs(t, err, card.ErrReviewChanged)
	other := edit
	other.ClientID = "c-2"
	_, err = st.EditReview(ctx, other)
	assert.ErrorIs(t, err, card.ErrNotFound, "only the author edits")
	missing := edit
	missing.ID = "nope"
	_, err = st.EditReview(ctx, missing)
	assert.ErrorIs(t, err, card.ErrNotFound)

	got, err := st.EditReview(ctx, edit)
	require.NoError(t, err)
	want := r
	want.Rating, want.Text, want.AuthorName, want.Status = 3, "Уже не так уверена.", "Оля", card.ReviewPending
	want.EditedAt, want.UpdatedAt, want.Version = edit.At, edit.At, 3
	assert.Equal(t, want, got, "back to pending; the reply and the moderation are kept")
	hist, err := st.ReviewHistory(ctx, "r-1")
	require.NoError(t, err)
	require.Len(t, hist, 3)
	assert.Equal(t, card.ReviewChange{ReviewID: "r-1", Action: card.ReviewEdited, From: card.ReviewPublished, To: card.ReviewPending,
		By: "c-1", At: edit.At}, hist[2])
	_, err = st.EditReview(ctx, edit)
	assert.ErrorIs(t, err, card.ErrReviewChanged, "the same edit again is based on an old version")
}

func testReviewsModerate(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedReviews(t, st)
	r := createReview(t, st, newReview("r-1", "a-1", 2, 0))

	t1 := t0.Add(time.Hour)
	got, err := moderate(t, st, r, card.ReviewPublished, "Жаль, что так вышло: позвоним вам.", t1)
	require.NoError(t, err)
	want := r
	want.Status, want.Reply, want.RepliedBy, want.RepliedAt = card.ReviewPublished, "Жаль, что так вышло: позвоним вам.", "u-manager", t1
	want.ModeratedBy, want.ModeratedAt, want.UpdatedAt, want.Version = "u-manager", t1, t1, 2
	assert.Equal(t, want, got)

	_, err = moderate(t, st, r, card.ReviewRejected, "", t1)
	assert.ErrorIs(t, err, card.ErrReviewChanged, "based on version 1")

	// The same reply again keeps who wrote it and when.
	t2 := t1.Add(time.Hour)
	got2, err := st.ModerateReview(ctx, card.Moderation{ReviewID: "r-1", Version: 2, Status: card.ReviewRejected,
		Reply: want.Reply, By: "u-admin", At: t2})
	require.NoError(t, err)
	assert.Equal(t, card.ReviewRejected, got2.Status)
	assert.Equal(t, "u-manager", got2.RepliedBy)
	assert.Equal(t, t1, got2.RepliedAt)
	assert.Equal(t, "u-admin", got2.ModeratedBy)
	assert.Equal(t, t2, got2.ModeratedAt)

	// An empty reply removes it.
	t3 := t2.Add(time.Hour)
	got3, err := moderate(t, st, got2, card.ReviewPublished, "", t3)
	require.NoError(t, err)
	assert.Empty(t, got3.Reply)
	assert.Empty(t, got3.RepliedBy)
	assert.True(t, got3.RepliedAt.IsZero())
	assert.Equal(t, 4, got3.Version)

	hist, err := st.ReviewHistory(ctx, "r-1")
	require.NoError(t, err)
	require.Len(t, hist, 4)
	assert.Equal(t, []card.ReviewChange{
		{ReviewID: "r-1", Action: card.ReviewWritten, To: card.ReviewPending, By: "c-1", At: t0},
		{ReviewID: "r-1", Action: card.ReviewModerated, From: card.ReviewPending, To: card.ReviewPublished, Reply: want.Reply,
			By: "u-manager", ByStaff: true, At: t1},
		{ReviewID: "r-1", Action: card.ReviewModerated, From: card.ReviewPublished, To: card.ReviewRejected, Reply: want.Reply,
			By: "u-admin", ByStaff: true, At: t2},
		{ReviewID: "r-1", Action: card.ReviewModerated, From: card.ReviewRejected, To: card.ReviewPublished,
			By: "u-manager", ByStaff: true, At: t3},
	}, hist, "every moderation: who, when, the decision and the reply")

	_, err = st.ModerateReview(ctx, card.Moderation{ReviewID: "nope", Version: 1, Status: card.ReviewPublished, By: "u", At: t1})
	assert.ErrorIs(t, err, card.ErrNotFound)
	for _, s := range []card.ReviewStatus{card.ReviewPending, "", "deleted"} {
		_, err = st.ModerateReview(ctx, card.Moderation{ReviewID: "r-1", Version: 4, Status: s, By: "u", At: t1})
		assert.ErrorIs(t, err, card.ErrInvalidInput, "status %q", s)
	}
}

func testReviewsQueries(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedReviews(t, st)
	r1 := createReview(t, st, newReview("r-1", "a-1", 5, 0))
	r2 := createReview(t, st, newReview("r-2", "a-2", 2, 10))
	r3 := createReview(t, st, newReview("r-3", "a-3", 4, 20))
	_, err := moderate(t, st, r1, card.ReviewPublished, "", t0.Add(time.Hour))
	require.NoError(t, err)
	_, err = moderate(t, st, r3, card.ReviewPublished, "", t0.Add(time.Hour))
	require.NoError(t, err)
	_, err = moderate(t, st, r2, card.ReviewRejected, "", t0.Add(time.Hour))
	require.NoError(t, err)

	reviewIDs := func(list []card.Review) []string {
		out := []string{}
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	published := []card.ReviewStatus{card.ReviewPublished}
	for _, tc := range []struct {
		name string
		f    card.ReviewFilter
		want []string
	}{
		{"all, the latest first", card.ReviewFilter{}, []string{"r-3", "r-2", "r-1"}},
		{"client", card.ReviewFilter{ClientID: "c-1"}, []string{"r-2", "r-1"}},
		{"specialist", card.ReviewFilter{SpecialistIDs: []string{anna.ID}}, []string{"r-3", "r-1"}},
		{"specialists", card.ReviewFilter{SpecialistIDs: []string{anna.ID, boris.ID}}, []string{"r-3", "r-2", "r-1"}},
		{"service", card.ReviewFilter{ServiceID: laser.ID}, []string{"r-3"}},
		{"branch", card.ReviewFilter{BranchIDs: []string{branchCentre.ID}}, []string{"r-2", "r-1"}},
		{"published", card.ReviewFilter{Statuses: published}, []string{"r-3", "r-1"}},
		{"published of a specialist", card.ReviewFilter{SpecialistIDs: []string{boris.ID}, Statuses: published}, []string{}},
		{"pending", card.ReviewFilter{Statuses: []card.ReviewStatus{card.ReviewPending}}, []string{}},
		{"limit", card.ReviewFilter{Limit: 2}, []string{"r-3", "r-2"}},
		{"limit and offset", card.ReviewFilter{Limit: 2, Offset: 2}, []string{"r-1"}},
		{"offset only", card.ReviewFilter{Offset: 1}, []string{"r-2", "r-1"}},
		{"nobody's", card.ReviewFilter{ClientID: "nobody"}, []string{}},
	} {
		list, err := st.Reviews(ctx, tc.f)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, reviewIDs(list), tc.name)
	}

	for _, tc := range []struct {
		name string
		f    card.ReviewFilter
		want card.RatingSummary
	}{
		{"all", card.ReviewFilter{}, card.RatingSummary{Count: 3, Average: 11.0 / 3, ByRating: [5]int{0, 1, 0, 1, 1}}},
		{"published", card.ReviewFilter{Statuses: published}, card.RatingSummary{Count: 2, Average: 4.5, ByRating: [5]int{0, 0, 0, 1, 1}}},
		{"published of Anna, limit ignored", card.ReviewFilter{SpecialistIDs: []string{anna.ID}, Statuses: published, Limit: 1},
			card.RatingSummary{Count: 2, Average: 4.5, ByRating: [5]int{0, 0, 0, 1, 1}}},
		{"none", card.ReviewFilter{SpecialistIDs: []string{vera.ID}}, card.RatingSummary{}},
	} {
		got, err := st.RatingSummary(ctx, tc.f)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want.Count, got.Count, tc.name)
		assert.InDelta(t, tc.want.Average, got.Average, 1e-9, tc.name)
		assert.Equal(t, tc.want.ByRating, got.ByRating, tc.name)
	}
}

func testReviewsDepersonalize(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedReviews(t, st)
	r1 := createReview(t, st, newReview("r-1", "a-1", 5, 0))
	createReview(t, st, newReview("r-2", "a-2", 3, 10))
	r3 := createReview(t, st, newReview("r-3", "a-3", 4, 20))
	_, err := moderate(t, st, r1, card.ReviewPublished, "Спасибо, Ольга!", t0.Add(time.Hour))
	require.NoError(t, err)
	_, err = moderate(t, st, r3, card.ReviewPublished, "Спасибо!", t0.Add(time.Hour))
	require.NoError(t, err)

	n, err := st.DepersonalizeReviews(ctx, "c-1", "erased-7f3a")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	mine, err := st.Reviews(ctx, card.ReviewFilter{ClientID: "c-1"})
	require.NoError(t, err)
	assert.Empty(t, mine)
	kept, err := st.Reviews(ctx, card.ReviewFilter{ClientID: "erased-7f3a"})
	require.NoError(t, err)
	require.Len(t, kept, 2, "the ratings stay")
	for _, r := range kept {
		assert.Empty(t, r.Text, "the client's words go")
		assert.Empty(t, r.AuthorName)
		assert.Empty(t, r.Reply, "the reply spoke to the client")
		assert.Empty(t, r.RepliedBy)
		assert.NotZero(t, r.Rating)
	}
	published, err := st.Reviews(ctx, card.ReviewFilter{Statuses: []card.ReviewStatus{card.ReviewPublished}})
	require.NoError(t, err)
	assert.Len(t, published, 2, "statuses are unchanged")
	sum, err := st.RatingSummary(ctx, card.ReviewFilter{})
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Count, "still counted")
	hist, err := st.ReviewHistory(ctx, "r-1")
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, "erased-7f3a", hist[0].By)
	assert.Equal(t, "u-manager", hist[1].By, "staff stay named")
	assert.Empty(t, hist[1].Reply)

	other, err := st.ReviewByID(ctx, "r-3")
	require.NoError(t, err)
	assert.Equal(t, "c-2", other.ClientID, "other clients are untouched")
	assert.Equal(t, "Спасибо!", other.Reply)
	assert.NotEmpty(t, other.Text)
	otherHist, err := st.ReviewHistory(ctx, "r-3")
	require.NoError(t, err)
	assert.Equal(t, "Спасибо!", otherHist[1].Reply)

	_, err = st.DepersonalizeReviews(ctx, "c-2", "")
	assert.ErrorIs(t, err, card.ErrInvalidInput)
	_, err = st.DepersonalizeReviews(ctx, "c-2", "c-2")
	assert.ErrorIs(t, err, card.ErrInvalidInput)
	n, err = st.DepersonalizeReviews(ctx, "nobody", "erased-0")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testReviewsConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	const n = 20
	t.Run("OneReviewPerAppointment", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedReviews(t, st)
		errs := parallel(n, func(i int) error {
			_, err := st.CreateReview(ctx, newReview(fmt.Sprint("r-", i), "a-1", 1+i%5, i))
			return err
		})
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, card.ErrReviewExists):
				t.Errorf("call %d: %v", i, err)
			}
		}
		assert.Equal(t, 1, ok, "exactly one review stored")
		list, err := st.Reviews(ctx, card.ReviewFilter{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		hist, err := st.ReviewHistory(ctx, list[0].ID)
		require.NoError(t, err)
		assert.Len(t, hist, 1)
	})
	t.Run("OneDecisionPerVersion", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedReviews(t, st)
		r := createReview(t, st, newReview("r-1", "a-1", 4, 0))
		errs := parallel(n, func(i int) error {
			status := card.ReviewPublished
			if i%2 == 1 {
				status = card.ReviewRejected
			}
			_, err := moderate(t, st, r, status, fmt.Sprint("ответ ", i), t0.Add(time.Hour))
			return err
		})
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, card.ErrReviewChanged):
				t.Errorf("call %d: %v", i, err)
			}
		}
		assert.Equal(t, 1, ok, "one moderator's decision; the others saw an old version")
		got, err := st.ReviewByID(ctx, "r-1")
		require.NoError(t, err)
		assert.Equal(t, 2, got.Version)
		hist, err := st.ReviewHistory(ctx, "r-1")
		require.NoError(t, err)
		assert.Len(t, hist, 2)
	})
}
