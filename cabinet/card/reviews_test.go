package card_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
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

// revNow is where the clock of the favourites and reviews tests starts:
// Wednesday 2026-11-25, 10:00 UTC.
var revNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// revEnv is a card Service over a real SQLite file with a settable clock:
// branches b1 and b2; services peel (b1) and massage (no longer offered);
// specialists A (user u-doc-a) and B (u-doc-b) in b1 and C (u-doc-c) in b2;
// client Olga with completed visits a-done (with A) and a-old (with B) and
// an upcoming one (a-next); client Petr with a completed visit with C in b2
// (a-petr); products serum (offered) and toner (not). The audit trail is
// recorded.
type revEnv struct {
	t     *testing.T
	store *sqlite.Store
	svc   *card.Service

	mu    sync.Mutex
	now   time.Time
	audit []auth.AuditEntry
}

var (
	revOlga  = card.Actor{UserID: "c-olga", Role: booking.RoleClient}
	revPetr  = card.Actor{UserID: "c-petr", Role: booking.RoleClient}
	revDocA  = card.Actor{UserID: "u-doc-a", Role: booking.RoleSpecialist, Branches: []string{"b1"}}
	revDocC  = card.Actor{UserID: "u-doc-c", Role: booking.RoleSpecialist, Branches: []string{"b2"}}
	revMgr1  = card.Actor{UserID: "u-mgr-1", Role: booking.RoleManager, Branches: []string{"b1"}, IP: "192.0.2.5"}
	revMgr2  = card.Actor{UserID: "u-mgr-2", Role: booking.RoleManager, Branches: []string{"b2"}}
	revAdmin = card.Actor{UserID: "u-admin", Role: booking.RoleAdmin}
)

func newRevEnv(t *testing.T) *revEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reviews.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &revEnv{t: t, store: st, now: revNow}

	for _, u := range []string{"c-olga", "c-petr"} {
		require.NoError(t, st.CreateUser(ctx, auth.User{ID: u, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: revNow}))
	}
	for _, b := range []booking.Branch{
		{ID: "b1", Name: "Центр", TimeZone: "Europe/Moscow", Active: true},
		{ID: "b2", Name: "Север", TimeZone: "Europe/Moscow", Active: true},
	} {
		require.NoError(t, st.UpsertBranch(ctx, b))
	}
	for _, s := range []booking.Service{
		{ID: "peel", Name: "Миндальный пилинг", Duration: time.Hour, BranchIDs: []string{"b1", "b2"}, Active: true,
			Price: booking.Money{Amount: 350000, Currency: "RUB"}},
		{ID: "massage", Name: "Массаж лица", Duration: time.Hour, BranchIDs: []string{"b1"},
			Price: booking.Money{Amount: 250000, Currency: "RUB"}},
	} {
		require.NoError(t, st.UpsertService(ctx, s))
	}
	for _, sp := range []booking.Specialist{
		{ID: "A", UserID: "u-doc-a", Name: "Анна Петрова", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
		{ID: "B", UserID: "u-doc-b", Name: "Борис", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
		{ID: "C", UserID: "u-doc-c", Name: "Вера", BranchIDs: []string{"b2"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
	} {
		require.NoError(t, st.UpsertSpecialist(ctx, sp))
	}
	for _, a := range []struct {
		id, client, specialist, branch string
		start                          time.Time
		status                         booking.Status
	}{
		{"a-done", "c-olga", "A", "b1", revNow.AddDate(0, 0, -7), booking.StatusCompleted},
		{"a-old", "c-olga", "B", "b1", revNow.AddDate(0, 0, -40), booking.StatusCompleted},
		{"a-next", "c-olga", "A", "b1", revNow.AddDate(0, 0, 7), booking.StatusConfirmed},
		{"a-petr", "c-petr", "C", "b2", revNow.AddDate(0, 0, -3), booking.StatusCompleted},
	} {
		appt := booking.Appointment{ID: a.id, ClientID: a.client, BranchID: a.branch, ServiceID: "peel", SpecialistID: a.specialist,
			Start: a.start, End: a.start.Add(time.Hour), BlockStart: a.start, BlockEnd: a.start.Add(time.Hour),
			Status: a.status, Price: booking.Money{Amount: 350000, Currency: "RUB"},
			CreatedBy: a.client, CreatedAt: a.start.AddDate(0, 0, -1), UpdatedAt: a.start}
		_, _, err := st.CreateAppointment(ctx, appt, "", booking.Event{Type: booking.EventBooked, At: appt.CreatedAt})
		require.NoError(t, err)
	}

	sched, err := booking.New(booking.Config{Store: st, Now: e.clock})
	require.NoError(t, err)
	e.svc, err = card.New(card.Config{Store: st, Booking: sched, Now: e.clock,
		Audit: func(_ context.Context, a auth.AuditEntry) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audit = append(e.audit, a)
			return nil
		}})
	require.NoError(t, err)
	for _, p := range []card.Product{
		{ID: "serum", Brand: "Derma Lab", Name: "Vitamin C Serum", Category: card.CategorySerum,
			Price: booking.Money{Amount: 350000, Currency: "RUB"}, Active: true},
		{ID: "toner", Brand: "Aqua", Name: "Toner", Category: card.CategoryToner, Price: booking.Money{Amount: 90000, Currency: "RUB"}},
	} {
		_, _, err := e.svc.PutProduct(ctx, revAdmin, p)
		require.NoError(t, err)
	}
	e.audit = nil
	return e
}

func (e *revEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *revEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func (e *revEnv) auditOf(action string) []auth.AuditEntry {
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

// field is the field of a *card.ValidationError, or "" for another error.
func field(err error) string {
	if ve, ok := errors.AsType[*card.ValidationError](err); ok {
		return ve.Field
	}
	return ""
}

func (e *revEnv) setName(who card.Actor, name string) {
	e.t.Helper()
	_, err := e.svc.UpdateProfile(e.t.Context(), who, who.UserID, card.ProfileChange{Name: &name})
	require.NoError(e.t, err)
}

func (e *revEnv) write(who card.Actor, appointment string, rating int, text string) (card.Review, error) {
	return e.svc.WriteReview(e.t.Context(), who, card.ReviewInput{AppointmentID: appointment, Rating: rating, Text: text})
}

func revPtr[T any](v T) *T { return &v }

func TestWriteReview(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	e.setName(revOlga, "Смирнова Ольга Ивановна")

	for _, tc := range []struct {
		name        string
		who         card.Actor
		appointment string
		rating      int
		text        string
		want        error
		field       string
	}{
		{"no stars", revOlga, "a-done", 0, "ок", card.ErrInvalidInput, "rating"},
		{"six stars", revOlga, "a-done", 6, "ок", card.ErrInvalidInput, "rating"},
		{"too long", revOlga, "a-done", 5, strings.Repeat("я", card.MaxReviewText+1), card.ErrInvalidInput, "text"},
		{"a control character", revOlga, "a-done", 5, "хорошо\x07", card.ErrInvalidInput, "text"},
		{"a bidi override", revOlga, "a-done", 5, "хорошо \u202eплохо", card.ErrInvalidInput, "text"},
		{"invalid UTF-8", revOlga, "a-done", 5, "\xff", card.ErrInvalidInput, "text"},
		{"not yet visited", revOlga, "a-next", 5, "", card.ErrInvalidInput, "appointment_id"},
		{"another client's visit", revPetr, "a-done", 5, "", card.ErrNotFound, ""},
		{"no such visit", revOlga, "nope", 5, "", card.ErrNotFound, ""},
		{"no visit", revOlga, "", 5, "", card.ErrNotFound, ""},
		{"staff", revDocA, "a-done", 5, "", card.ErrForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.write(tc.who, tc.appointment, tc.rating, tc.text)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.field, field(err))
		})
	}
	_, err := e.store.ReviewByAppointment(ctx, "a-done")
	require.ErrorIs(t, err, card.ErrNotFound, "nothing stored for the failures")

	r, err := e.write(revOlga, "a-done", 5, "  Кожа сияет!\nСпасибо Анне.  ")
	require.NoError(t, err)
	assert.Equal(t, card.ReviewPending, r.Status)
	assert.Equal(t, "Кожа сияет!\nСпасибо Анне.", r.Text, "trimmed, the line break kept")
	assert.Equal(t, "Ольга", r.AuthorName, "the first name only: the patronymic says the surname comes first")
	assert.Equal(t, "a-done", r.AppointmentID)
	assert.Equal(t, "A", r.SpecialistID)
	assert.Equal(t, "Анна Петрова", r.SpecialistName)
	assert.Equal(t, "peel", r.ServiceID)
	assert.Equal(t, "Миндальный пилинг", r.ServiceName)
	assert.Equal(t, "b1", r.BranchID)
	assert.Equal(t, revNow.AddDate(0, 0, -7), r.VisitAt)
	assert.Equal(t, revNow, r.CreatedAt)
	assert.Equal(t, revNow.Add(card.ReviewEditWindow), r.EditableUntil())
	assert.Equal(t, 1, r.Version)

	_, err = e.write(revOlga, "a-done", 1, "второй раз")
	assert.ErrorIs(t, err, card.ErrReviewExists)

	p, err := e.write(revPetr, "a-petr", 4, "")
	require.NoError(t, err, "stars without a text")
	assert.Empty(t, p.AuthorName, "no name in the questionnaire: shown as Client")
	assert.Empty(t, e.audit, "clients' own actions are not audited")
}

func TestWriteReviewConcurrently(t *testing.T) {
	e := newRevEnv(t)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = e.write(revOlga, "a-done", 1+i%5, fmt.Sprint("отзыв ", i))
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			assert.ErrorIs(t, err, card.ErrReviewExists)
		}
	}
	assert.Equal(t, 1, ok)
	list, err := e.svc.ClientReviews(t.Context(), revOlga, "c-olga")
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestEditReview(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	r, err := e.write(revOlga, "a-done", 5, "Отлично")
	require.NoError(t, err)
	r, err = e.svc.ModerateReview(ctx, revMgr1, r.ID, card.ReviewDecision{Status: card.ReviewPublished})
	require.NoError(t, err)
	require.Equal(t, card.ReviewPublished, r.Status)

	for _, tc := range []struct {
		name  string
		who   card.Actor
		id    string
		edit  card.ReviewEdit
		want  error
		field string
	}{
		{"another client", revPetr, r.ID, card.ReviewEdit{Rating: revPtr(1)}, card.ErrNotFound, ""},
		{"staff", revMgr1, r.ID, card.ReviewEdit{Rating: revPtr(1)}, card.ErrNotFound, ""},
		{"no such review", revOlga, "nope", card.ReviewEdit{Rating: revPtr(1)}, card.ErrNotFound, ""},
		{"no stars", revOlga, r.ID, card.ReviewEdit{Rating: revPtr(0)}, card.ErrInvalidInput, "rating"},
		{"a tab is fine, a NUL is not", revOlga, r.ID, card.ReviewEdit{Text: revPtr("a\tb\x00")}, card.ErrInvalidInput, "text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.EditReview(ctx, tc.who, tc.id, tc.edit)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.field, field(err))
		})
	}

	same, err := e.svc.EditReview(ctx, revOlga, r.ID, card.ReviewEdit{Rating: revPtr(5), Text: revPtr(" Отлично ")})
	require.NoError(t, err)
	assert.Equal(t, r.Version, same.Version, "nothing changed: nothing stored, still published")
	assert.Equal(t, card.ReviewPublished, same.Status)

	e.setName(revOlga, "Ольга")
	e.advance(13 * 24 * time.Hour)
	edited, err := e.svc.EditReview(ctx, revOlga, r.ID, card.ReviewEdit{Rating: revPtr(4)})
	require.NoError(t, err)
	assert.Equal(t, 4, edited.Rating)
	assert.Equal(t, "Отлично", edited.Text, "the text stays")
	assert.Equal(t, card.ReviewPending, edited.Status, "an edit is moderated again")
	assert.Equal(t, "Ольга", edited.AuthorName, "the name as it is now")
	assert.Equal(t, e.clock(), edited.EditedAt)
	assert.Equal(t, r.Version+1, edited.Version)

	e.advance(24 * time.Hour) // 14 days after writing
	_, err = e.svc.EditReview(ctx, revOlga, r.ID, card.ReviewEdit{Text: revPtr("ещё правка")})
	assert.ErrorIs(t, err, card.ErrReviewLocked)
	got, err := e.store.ReviewByID(ctx, r.ID)
	require.NoError(t, err)
	assert.Equal(t, "Отлично", got.Text)
}

func TestModerateReview(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	r, err := e.write(revOlga, "a-done", 2, "Было больно")
	require.NoError(t, err)
	publish := card.ReviewDecision{Status: card.ReviewPublished, Reply: revPtr("  Спасибо, что написали: позвоним вам.  ")}

	for _, tc := range []struct {
		name  string
		who   card.Actor
		d     card.ReviewDecision
		want  error
		field string
	}{
		{"a client", revOlga, publish, card.ErrForbidden, ""},
		{"back to pending", revMgr1, card.ReviewDecision{Status: card.ReviewPending}, card.ErrInvalidInput, "status"},
		{"an unknown status", revMgr1, card.ReviewDecision{Status: "hidden"}, card.ErrInvalidInput, "status"},
		{"a reply too long", revMgr1, card.ReviewDecision{Status: card.ReviewPublished,
			Reply: revPtr(strings.Repeat("x", card.MaxReviewReply+1))}, card.ErrInvalidInput, "reply"},
		{"a manager of another branch", revMgr2, publish, card.ErrNotFound, ""},
		{"the specialist of the visit", revDocA, publish, card.ErrForbidden, ""},
		{"a specialist who never saw her", revDocC, publish, card.ErrNotFound, ""},
		{"an old version", revMgr1, card.ReviewDecision{Status: card.ReviewPublished, Version: 7}, card.ErrReviewChanged, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.ModerateReview(ctx, tc.who, r.ID, tc.d)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.field, field(err))
		})
	}
	denied := e.auditOf(card.ActionCardDenied)
	require.Len(t, denied, 3, "the staff refused are recorded")
	for _, a := range denied {
		assert.Equal(t, "c-olga", a.Subject)
	}
	_, err = e.svc.ModerateReview(ctx, revMgr1, "nope", publish)
	assert.ErrorIs(t, err, card.ErrNotFound)

	publish.Version = 1
	got, err := e.svc.ModerateReview(ctx, revMgr1, r.ID, publish)
	require.NoError(t, err)
	assert.Equal(t, card.ReviewPublished, got.Status)
	assert.Equal(t, "Спасибо, что написали: позвоним вам.", got.Reply)
	assert.Equal(t, "u-mgr-1", got.RepliedBy)
	assert.Equal(t, "u-mgr-1", got.ModeratedBy)
	assert.Equal(t, revNow, got.ModeratedAt)
	changed := e.auditOf(card.ActionCardChanged)
	require.Len(t, changed, 1)
	assert.Equal(t, auth.AuditEntry{At: revNow, ActorID: "u-mgr-1", Action: card.ActionCardChanged, Subject: "c-olga",
		IP: "192.0.2.5", Detail: "review " + r.ID + ": pending → published"}, changed[0])

	e.advance(time.Hour)
	rejected, err := e.svc.ModerateReview(ctx, revAdmin, r.ID, card.ReviewDecision{Status: card.ReviewRejected})
	require.NoError(t, err)
	assert.Equal(t, card.ReviewRejected, rejected.Status)
	assert.Equal(t, got.Reply, rejected.Reply, "no reply given: the reply stays")
	assert.Equal(t, "u-admin", rejected.ModeratedBy)

	_, hist, err := e.svc.StaffReview(ctx, revMgr1, r.ID)
	require.NoError(t, err)
	require.Len(t, hist, 3)
	assert.Equal(t, card.ReviewWritten, hist[0].Action)
	assert.Equal(t, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewModerated, From: card.ReviewPending, To: card.ReviewPublished,
		Reply: got.Reply, By: "u-mgr-1", ByStaff: true, At: revNow}, hist[1])
	assert.Equal(t, "u-admin", hist[2].By)
	assert.Equal(t, revNow.Add(time.Hour), hist[2].At)

	// The client edited it meanwhile: a decision on the version read is refused.
	_, err = e.svc.EditReview(ctx, revOlga, r.ID, card.ReviewEdit{Text: revPtr("Было больно, но результат хороший")})
	require.NoError(t, err)
	_, err = e.svc.ModerateReview(ctx, revMgr1, r.ID, card.ReviewDecision{Status: card.ReviewPublished, Version: rejected.Version})
	assert.ErrorIs(t, err, card.ErrReviewChanged)
}

func TestStaffReviews(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	done, err := e.write(revOlga, "a-done", 5, "A")
	require.NoError(t, err)
	e.advance(time.Minute)
	old, err := e.write(revOlga, "a-old", 3, "B")
	require.NoError(t, err)
	e.advance(time.Minute)
	petr, err := e.write(revPetr, "a-petr", 4, "C")
	require.NoError(t, err)
	_, err = e.svc.ModerateReview(ctx, revMgr1, old.ID, card.ReviewDecision{Status: card.ReviewPublished})
	require.NoError(t, err)

	ids := func(list []card.Review) []string {
		out := []string{}
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		who   card.Actor
		f     card.StaffReviewFilter
		want  []string
		err   error
		field string
	}{
		{"admin: all, the latest first", revAdmin, card.StaffReviewFilter{}, []string{petr.ID, old.ID, done.ID}, nil, ""},
		{"admin: pending of b1", revAdmin, card.StaffReviewFilter{Status: card.ReviewPending, BranchID: "b1"}, []string{done.ID}, nil, ""},
		{"manager: their branches", revMgr1, card.StaffReviewFilter{}, []string{old.ID, done.ID}, nil, ""},
		{"manager: published", revMgr1, card.StaffReviewFilter{Status: card.ReviewPublished}, []string{old.ID}, nil, ""},
		{"manager of b2", revMgr2, card.StaffReviewFilter{}, []string{petr.ID}, nil, ""},
		{"manager: another branch", revMgr1, card.StaffReviewFilter{BranchID: "b2"}, nil, card.ErrForbidden, ""},
		{"specialist: their own visits", revDocA, card.StaffReviewFilter{}, []string{done.ID}, nil, ""},
		{"specialist of b2", revDocC, card.StaffReviewFilter{}, []string{petr.ID}, nil, ""},
		{"a limit", revAdmin, card.StaffReviewFilter{Limit: 1, Offset: 1}, []string{old.ID}, nil, ""},
		{"a client", revOlga, card.StaffReviewFilter{}, nil, card.ErrForbidden, ""},
		{"an unknown status", revAdmin, card.StaffReviewFilter{Status: "hidden"}, nil, card.ErrInvalidInput, "status"},
		{"a limit too large", revAdmin, card.StaffReviewFilter{Limit: 501}, nil, card.ErrInvalidInput, "limit"},
		{"a negative offset", revAdmin, card.StaffReviewFilter{Offset: -1}, nil, card.ErrInvalidInput, "offset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := e.svc.StaffReviews(ctx, tc.who, tc.f)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.field, field(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, ids(list))
		})
	}

	// One review: those who list it, and staff who may see the client
	// (audited); nobody else.
	for _, tc := range []struct {
		who  card.Actor
		want error
	}{
		{revAdmin, nil}, {revMgr1, nil}, {revDocA, nil}, {revMgr2, card.ErrNotFound}, {revDocC, card.ErrNotFound},
		{revOlga, card.ErrForbidden},
	} {
		_, _, err := e.svc.StaffReview(ctx, tc.who, done.ID)
		assert.ErrorIs(t, err, tc.want, tc.who.UserID)
	}
	// The client's reviews with the card: the client, and staff who may see it.
	mine, err := e.svc.ClientReviews(ctx, revOlga, "c-olga")
	require.NoError(t, err)
	assert.Equal(t, []string{old.ID, done.ID}, ids(mine))
	_, err = e.svc.ClientReviews(ctx, revDocA, "c-olga")
	require.NoError(t, err)
	assert.NotEmpty(t, e.auditOf(card.ActionCardViewed), "a staff read of the card")
	_, err = e.svc.ClientReviews(ctx, revPetr, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.ClientReviews(ctx, revMgr2, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
}

func TestPublishedReviews(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	e.setName(revOlga, "Ольга Смирнова")
	done, err := e.write(revOlga, "a-done", 5, "Супер")
	require.NoError(t, err)
	e.advance(time.Minute)
	old, err := e.write(revOlga, "a-old", 2, "Так себе")
	require.NoError(t, err)
	e.advance(time.Minute)
	petr, err := e.write(revPetr, "a-petr", 4, "Хорошо")
	require.NoError(t, err)

	page, err := e.svc.PublishedReviews(ctx, card.PublicReviewFilter{})
	require.NoError(t, err)
	assert.Empty(t, page.Reviews, "nothing published yet")
	assert.Zero(t, page.Summary.Count)

	for _, r := range []card.Review{done, petr} {
		_, err := e.svc.ModerateReview(ctx, revAdmin, r.ID, card.ReviewDecision{Status: card.ReviewPublished, Reply: revPtr("Спасибо!")})
		require.NoError(t, err)
	}
	_, err = e.svc.ModerateReview(ctx, revAdmin, old.ID, card.ReviewDecision{Status: card.ReviewRejected})
	require.NoError(t, err)

	page, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{ServiceID: "peel"})
	require.NoError(t, err)
	require.Len(t, page.Reviews, 2)
	assert.Equal(t, 2, page.Summary.Count)
	assert.InDelta(t, 4.5, page.Summary.Average, 1e-9)
	assert.Equal(t, [5]int{0, 0, 0, 1, 1}, page.Summary.ByRating)
	for _, r := range page.Reviews {
		assert.Empty(t, r.ClientID, "no client ID in public")
		assert.Empty(t, r.AppointmentID)
		assert.Empty(t, r.ModeratedBy)
		assert.Empty(t, r.RepliedBy)
		assert.Equal(t, "Спасибо!", r.Reply)
	}
	assert.Equal(t, "Ольга", page.Reviews[1].AuthorName)
	assert.Equal(t, "Анна Петрова", page.Reviews[1].SpecialistName)

	page, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{SpecialistID: "A"})
	require.NoError(t, err)
	require.Len(t, page.Reviews, 1)
	assert.Equal(t, done.ID, page.Reviews[0].ID)
	assert.InDelta(t, 5.0, page.Summary.Average, 1e-9)
	page, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{SpecialistID: "B"})
	require.NoError(t, err)
	assert.Empty(t, page.Reviews, "rejected is never public")
	page, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{Limit: 1})
	require.NoError(t, err)
	assert.Len(t, page.Reviews, 1)
	assert.Equal(t, 2, page.Summary.Count, "the summary is of all of them")

	_, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{SpecialistID: "nope"})
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{ServiceID: "nope"})
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.PublishedReviews(ctx, card.PublicReviewFilter{Limit: 101})
	assert.Equal(t, "limit", field(err))
}

func TestReviewableVisits(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	list, err := e.svc.ReviewableVisits(ctx, revOlga, "c-olga")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "a-done", list[0].Appointment.ID, "the latest first; the upcoming one is not")
	assert.Equal(t, "Анна Петрова", list[0].SpecialistName)
	assert.Equal(t, "Миндальный пилинг", list[0].ServiceName)
	assert.Equal(t, "Центр", list[0].BranchName)
	_, err = e.write(revOlga, "a-done", 5, "")
	require.NoError(t, err)
	list, err = e.svc.ReviewableVisits(ctx, revOlga, "c-olga")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "a-old", list[0].Appointment.ID)
	_, err = e.svc.ReviewableVisits(ctx, revPetr, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.ReviewableVisits(ctx, revAdmin, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
}

func TestFirstName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"Анна", "Анна"},
		{"Анна Петрова", "Анна"},
		{"Анна Сергеевна Петрова", "Анна"},
		{"Петрова Анна Сергеевна", "Анна"},
		{"Шостакович Дмитрий Дмитриевич", "Дмитрий"},
		{"Иван Иванович Мицкевич", "Иван"},
		{"Anna Petrova", "Anna"},
		{"Petrova Anna", "Petrova"},
		{"Petrova Anna Ivanovna", "Anna"},
		{"«Оля»", "Оля"},
		{strings.Repeat("я", 60), strings.Repeat("я", 40)},
	} {
		assert.Equal(t, tc.want, card.FirstName(tc.in), tc.in)
	}
}

func ExampleFirstName() {
	fmt.Println(card.FirstName("Петрова Анна Сергеевна"))
	fmt.Println(card.FirstName("Анна Петрова"))
	// Output:
	// Анна
	// Анна
}
