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

// A client fills in the questionnaire: health answers wait for the
// health_data consent, and every change is a version.
func ExampleService_UpdateProfile() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "card-example")
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
	if err := st.CreateUser(ctx, auth.User{ID: "anna", Roles: []auth.Role{auth.RoleClient}, CreatedAt: now()}); err != nil {
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

	anna := card.Actor{UserID: "anna", Role: booking.RoleClient}
	name, skin := "Анна", card.SkinDry
	_, err = svc.UpdateProfile(ctx, anna, "anna", card.ProfileChange{Name: &name, SkinType: &skin})
	fmt.Println("without consent:", errors.Is(err, card.ErrConsentRequired))

	if _, err := svc.RecordConsent(ctx, anna, "anna", card.ConsentInput{Type: card.ConsentHealthData, Granted: true, TextVersion: "2026-01"}); err != nil {
		panic(err)
	}
	v, err := svc.UpdateProfile(ctx, anna, "anna", card.ProfileChange{Name: &name, SkinType: &skin})
	if err != nil {
		panic(err)
	}
	fmt.Println("version", v.Version, v.Profile.Name, v.Profile.SkinType, v.Profile.Completeness(), "%")
	// Output:
	// without consent: true
	// version 1 Анна dry 20 %
}
