package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// The demo clinic's staff. They sign in like anyone else, with a code that
// lands in the dev outbox.
const (
	demoOwner      = "owner@clinic.example"
	demoSpecialist = "doctor@clinic.example"
	demoManager    = "manager@clinic.example"
)

// userFinder is the one store method the demo loader needs.
type userFinder interface {
	UserByIdentifier(ctx context.Context, id auth.Identifier) (auth.User, error)
}

// loadDemo fills an empty database with the demo clinic and reports whether
// it did anything. Staff first (idempotent: Bootstrap and RegisterStaff change
// nothing the second time), then the clinic's catalog and schedules when the
// catalog is empty, so a restart changes nothing and a start that died
// half-way is completed by the next one.
func loadDemo(ctx context.Context, svc *auth.Service, users userFinder, st booking.Store, today booking.Date) (bool, error) {
	marker, err := svc.ParseIdentifier(demoManager)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	staffLoaded := true
	if _, err := users.UserByIdentifier(ctx, marker); errors.Is(err, auth.ErrNotFound) {
		staffLoaded = false
	} else if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	owner, err := svc.Bootstrap(ctx, demoOwner)
	if err != nil {
		return false, fmt.Errorf("demo: owner: %w", err)
	}
	actor := auth.Principal{UserID: owner.ID, Roles: owner.Roles, Branches: owner.Branches}
	var doctorID string
	for _, in := range []auth.StaffInput{
		{Identifier: demoSpecialist, Roles: []auth.Role{auth.RoleSpecialist}, Branches: []string{demoBranchCenter}},
		{Identifier: demoManager, Roles: []auth.Role{auth.RoleManager}, Branches: []string{demoBranchCenter}}, // last: the marker
	} {
		u, err := svc.RegisterStaff(ctx, actor, in)
		if err != nil {
			return false, fmt.Errorf("demo: %s: %w", in.Identifier, err)
		}
		if in.Identifier == demoSpecialist {
			doctorID = u.ID
		}
	}
	clinicLoaded, err := loadDemoClinic(ctx, st, today, doctorID)
	if err != nil {
		return false, err
	}
	return !staffLoaded || clinicLoaded, nil
}
