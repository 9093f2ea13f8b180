package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kabinet-dev/kabinet/auth"
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
// it did. "Empty" is cheap to tell: the last demo record written (the
// manager) does not exist, so a restart changes nothing. Every step is
// idempotent, so a start that died half-way is completed by the next one.
func loadDemo(ctx context.Context, svc *auth.Service, users userFinder) (bool, error) {
	marker, err := svc.ParseIdentifier(demoManager)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if _, err := users.UserByIdentifier(ctx, marker); err == nil {
		return false, nil
	} else if !errors.Is(err, auth.ErrNotFound) {
		return false, fmt.Errorf("demo: %w", err)
	}

	owner, err := svc.Bootstrap(ctx, demoOwner)
	if err != nil {
		return false, fmt.Errorf("demo: owner: %w", err)
	}
	actor := auth.Principal{UserID: owner.ID, Roles: owner.Roles, Branches: owner.Branches}
	for _, in := range []auth.StaffInput{
		{Identifier: demoSpecialist, Roles: []auth.Role{auth.RoleSpecialist}},
		{Identifier: demoManager, Roles: []auth.Role{auth.RoleManager}}, // last: the marker
	} {
		if _, err := svc.RegisterStaff(ctx, actor, in); err != nil {
			return false, fmt.Errorf("demo: %s: %w", in.Identifier, err)
		}
	}
	return true, nil
}
