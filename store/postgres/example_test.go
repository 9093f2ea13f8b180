package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/postgres"
)

// Open connects, migrates under the advisory lock (once, however many
// instances start together), and returns the store to pass to cabinet.New
// as Config.Store. This example needs a database, so it is compiled but not
// run: scripts/pg-test.sh runs the package's tests against a throw-away
// PostgreSQL instead.
func ExampleOpen() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("KABINET_DATABASE_URL"), // postgres://kabinet:…@db:5432/kabinet?sslmode=verify-full
		postgres.WithLogger(slog.Default()), postgres.WithMaxConns(32))
	if errors.Is(err, postgres.ErrSchemaTooNew) {
		fmt.Println("the database belongs to a newer Kabinet: upgrade this instance")
		return
	} else if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if err := st.CreateUser(ctx, auth.User{ID: "u1", Phone: "+79123456789", Roles: []auth.Role{auth.RoleClient},
		CreatedAt: now}); err != nil {
		fmt.Println(err)
		return
	}

	// Two instances booking one specialist's hour at once: the exclusion
	// constraint lets one in, the other gets booking.ErrSlotTaken.
	a := booking.Appointment{ID: "a1", ClientID: "u1", BranchID: "b1", ServiceID: "svc", SpecialistID: "sp1",
		Start: now.Add(24 * time.Hour), End: now.Add(25 * time.Hour), BlockStart: now.Add(24 * time.Hour),
		BlockEnd: now.Add(25 * time.Hour), Status: booking.StatusConfirmed, CreatedAt: now}
	_, _, err = st.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked})
	fmt.Println(errors.Is(err, booking.ErrSlotTaken))
}
