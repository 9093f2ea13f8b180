package card_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// exampleClinic opens a clinic in dir with a peel, specialist Анна and
// client Ольга, who had a peel with her yesterday.
func exampleClinic(ctx context.Context, dir string) (*sqlite.Store, *card.Service) {
	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(st.CreateUser(ctx, auth.User{ID: "olga", Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: now}))
	must(st.UpsertBranch(ctx, booking.Branch{ID: "tverskaya", Name: "На Тверской", TimeZone: "Europe/Moscow", Active: true}))
	must(st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Миндальный пилинг", Duration: time.Hour,
		BranchIDs: []string{"tverskaya"}, Price: booking.Money{Amount: 350000, Currency: "RUB"}, Active: true}))
	must(st.UpsertSpecialist(ctx, booking.Specialist{ID: "anna", Name: "Анна Петрова", BranchIDs: []string{"tverskaya"},
		Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true}))
	start := now.Add(-24 * time.Hour)
	_, _, err = st.CreateAppointment(ctx, booking.Appointment{ID: "visit-1", ClientID: "olga", BranchID: "tverskaya",
		ServiceID: "peel", SpecialistID: "anna", Start: start, End: start.Add(time.Hour), BlockStart: start,
		BlockEnd: start.Add(time.Hour), Status: booking.StatusCompleted, Price: booking.Money{Amount: 350000, Currency: "RUB"},
		CreatedBy: "olga", CreatedAt: start, UpdatedAt: start}, "", booking.Event{Type: booking.EventBooked, At: start})
	must(err)
	sched, err := booking.New(booking.Config{Store: st, Now: clock})
	must(err)
	svc, err := card.New(card.Config{Store: st, Booking: sched, Now: clock,
		Audit: func(context.Context, auth.AuditEntry) error { return nil }})
	must(err)
	return st, svc
}

// A client reviews her visit; the branch's manager publishes it with a
// reply; anyone then reads it with the specialist's average rating.
func ExampleService_WriteReview() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "card-reviews-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	st, svc := exampleClinic(ctx, dir)
	defer st.Close()

	olga := card.Actor{UserID: "olga", Role: booking.RoleClient}
	name := "Смирнова Ольга Ивановна"
	if _, err := svc.UpdateProfile(ctx, olga, "olga", card.ProfileChange{Name: &name}); err != nil {
		panic(err)
	}
	review, err := svc.WriteReview(ctx, olga, card.ReviewInput{AppointmentID: "visit-1", Rating: 5,
		Text: "Кожа сияет, спасибо!"})
	if err != nil {
		panic(err)
	}
	fmt.Println("written:", review.Status, "by", review.AuthorName)
	_, err = svc.WriteReview(ctx, olga, card.ReviewInput{AppointmentID: "visit-1", Rating: 1})
	fmt.Println("a second one:", errors.Is(err, card.ErrReviewExists))

	manager := card.Actor{UserID: "manager", Role: booking.RoleManager, Branches: []string{"tverskaya"}}
	reply := "Спасибо, Ольга! Ждём вас снова."
	if _, err := svc.ModerateReview(ctx, manager, review.ID, card.ReviewDecision{Status: card.ReviewPublished, Reply: &reply}); err != nil {
		panic(err)
	}
	page, err := svc.PublishedReviews(ctx, card.PublicReviewFilter{SpecialistID: "anna"})
	if err != nil {
		panic(err)
	}
	r := page.Reviews[0]
	fmt.Printf("%s about %s: %d★ %q — %q\n", r.AuthorName, r.SpecialistName, r.Rating, r.Text, r.Reply)
	fmt.Printf("average %.1f of %d\n", page.Summary.Rounded(), page.Summary.Count)
	// Output:
	// written: pending by Ольга
	// a second one: true
	// Ольга about Анна Петрова: 5★ "Кожа сияет, спасибо!" — "Спасибо, Ольга! Ждём вас снова."
	// average 5.0 of 1
}

// A client keeps a service among her favourites; adding it again changes
// nothing, and the recommendation engine reads them as facts.
func ExampleService_AddFavorite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "card-favorites-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	st, svc := exampleClinic(ctx, dir)
	defer st.Close()

	olga := card.Actor{UserID: "olga", Role: booking.RoleClient}
	f, added, err := svc.AddFavorite(ctx, olga, card.FavoriteService, "peel")
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Name, added)
	_, added, err = svc.AddFavorite(ctx, olga, card.FavoriteService, "peel")
	if err != nil {
		panic(err)
	}
	fmt.Println("again:", added)
	facts, err := svc.FavoriteItems(ctx, "olga")
	if err != nil {
		panic(err)
	}
	fmt.Println("facts:", facts[0].Kind, facts[0].ItemID)
	// Output:
	// Миндальный пилинг true
	// again: false
	// facts: service peel
}
