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

// The clinic puts a serum on the shelf; a client orders the last bottle for
// pick-up, a second client is told it is out of stock, and the desk hands
// the order over.
func ExampleService_PlaceOrder() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "card-orders-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		panic(err)
	}
	defer st.Close()
	now := func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	if err := st.UpsertBranch(ctx, booking.Branch{ID: "tverskaya", Name: "На Тверской", TimeZone: "Europe/Moscow", Active: true}); err != nil {
		panic(err)
	}
	sched, err := booking.New(booking.Config{Store: st, Now: now})
	if err != nil {
		panic(err)
	}
	svc, err := card.New(card.Config{Store: st, Booking: sched, Now: now,
		Audit: func(context.Context, auth.AuditEntry) error { return nil }})
	if err != nil {
		panic(err)
	}

	admin := card.Actor{UserID: "owner", Role: booking.RoleAdmin}
	serum := card.Product{ID: "vitamin-c", Brand: "Derma Lab", Name: "Vitamin C 15% Serum", Category: card.CategorySerum,
		Volume: 30, Unit: card.UnitML, DailyUse: 0.5, Price: booking.Money{Amount: 390000, Currency: "RUB"},
		Concerns: []card.ConcernCode{card.ConcernPigmentation}, Tags: []string{"vitamin_c"}, Active: true}
	if _, _, err := svc.PutProduct(ctx, admin, serum); err != nil {
		panic(err)
	}
	if _, err := svc.ChangeStock(ctx, admin, card.StockChange{ProductID: "vitamin-c", BranchID: "tverskaya", Set: new(1)}); err != nil {
		panic(err)
	}

	anna := card.Actor{UserID: "anna", Role: booking.RoleClient}
	order, _, err := svc.PlaceOrder(ctx, anna, card.OrderInput{BranchID: "tverskaya",
		Lines: []card.OrderLine{{ProductID: "vitamin-c", Quantity: 1}}})
	if err != nil {
		panic(err)
	}
	fmt.Println("Anna:", order.Status, order.Total.Amount/100, order.Total.Currency)

	boris := card.Actor{UserID: "boris", Role: booking.RoleClient}
	_, _, err = svc.PlaceOrder(ctx, boris, card.OrderInput{BranchID: "tverskaya",
		Lines: []card.OrderLine{{ProductID: "vitamin-c", Quantity: 1}}})
	fmt.Println("Boris, out of stock:", errors.Is(err, card.ErrOutOfStock))

	order, err = svc.SetOrderStatus(ctx, admin, order.ID, card.OrderCompleted, "")
	if err != nil {
		panic(err)
	}
	bought, err := svc.Purchases(ctx, anna, "anna")
	if err != nil {
		panic(err)
	}
	fmt.Println("Anna bought:", bought[0].Name, "- lasts", bought[0].LastsDays, "days")
	// Output:
	// Anna: new 3900 RUB
	// Boris, out of stock: true
	// Anna bought: Vitamin C 15% Serum - lasts 60 days
}
