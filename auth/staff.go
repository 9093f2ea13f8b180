package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// StaffInput pre-registers a staff member, who then signs in with a code like
// anyone else.
type StaffInput struct {
	Identifier string   // phone or e-mail, as typed
	Roles      []Role   // at least one staff role
	Branches   []string // branch IDs; an admin needs none
	Locale     string
	IP         string // the actor's IP, for the audit trail
}

// RegisterStaff creates a staff user, or gives the roles to the existing user
// holding the identifier (a client who joins the staff keeps their history).
// The actor needs PermManageStaff. The user's sessions are ended, so the new
// roles apply at the next sign-in with staff session lifetimes.
func (s *Service) RegisterStaff(ctx context.Context, actor Principal, in StaffInput) (User, error) {
	if err := actor.Require(PermManageStaff); err != nil {
		return User{}, err
	}
	return s.registerStaff(ctx, actor.UserID, in)
}

// Bootstrap makes the holder of identifier an admin without an acting
// principal: for the host application's start-up (the first owner account).
// It is idempotent.
func (s *Service) Bootstrap(ctx context.Context, identifier string) (User, error) {
	return s.registerStaff(ctx, "", StaffInput{Identifier: identifier, Roles: []Role{RoleAdmin}})
}

func (s *Service) registerStaff(ctx context.Context, actorID string, in StaffInput) (User, error) {
	id, err := s.ParseIdentifier(in.Identifier)
	if err != nil {
		return User{}, err
	}
	roles, err := validRoles(in.Roles)
	if err != nil {
		return User{}, err
	}
	branches, err := validBranches(in.Branches)
	if err != nil {
		return User{}, err
	}
	if !slices.ContainsFunc(roles, Role.IsStaff) {
		return User{}, &ValidationError{Field: "roles", Message: "at least one staff role is required", Err: ErrInvalidInput}
	}
	now := s.cfg.Now().UTC()
	u, err := s.cfg.Store.UserByIdentifier(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		u = User{ID: s.cfg.NewID(), Roles: roles, Branches: branches,
			Locale: normalizeLocale(in.Locale, s.cfg.DefaultLocale), CreatedAt: now}
		if id.Channel == ChannelSMS {
			u.Phone = id.Value
		} else {
			u.Email = id.Value
		}
		if err := s.cfg.Store.CreateUser(ctx, u); err != nil {
			return User{}, err
		}
	case err != nil:
		return User{}, err
	default:
		merged := slices.Clone(u.Roles)
		for _, r := range roles {
			if !slices.Contains(merged, r) {
				merged = append(merged, r)
			}
		}
		branches := cleanBranches(append(slices.Clone(u.Branches), branches...))
		if slices.Equal(merged, u.Roles) && slices.Equal(branches, u.Branches) {
			return u, nil // nothing changes: Bootstrap on every start-up is a no-op
		}
		// A disabled account stays disabled: only SetAccess enables it.
		if u, err = s.applyAccess(ctx, u, merged, branches, u.Disabled); err != nil {
			return User{}, err
		}
	}
	s.audit(ctx, AuditEntry{At: now, ActorID: actorID, Action: ActionStaffRegistered, Subject: u.ID, IP: in.IP,
		Detail: "roles=" + joinRoles(u.Roles) + " " + id.Masked()})
	return u, nil
}

// AccessChange is a new set of roles and branches for a user, and whether the
// account is disabled.
type AccessChange struct {
	Roles    []Role
	Branches []string
	Disabled bool
	IP       string // the actor's IP, for the audit trail
}

// SetAccess replaces a user's roles and branches, or disables the account. The
// actor needs PermManageStaff and cannot take away their own admin role or
// disable themselves (so the clinic is never left without an owner by
// mistake). The user's sessions end at once.
func (s *Service) SetAccess(ctx context.Context, actor Principal, userID string, ch AccessChange) (User, error) {
	if err := actor.Require(PermManageStaff); err != nil {
		return User{}, err
	}
	roles, err := validRoles(ch.Roles)
	if err != nil {
		return User{}, err
	}
	if len(roles) == 0 {
		return User{}, &ValidationError{Field: "roles", Message: "at least one role is required", Err: ErrInvalidInput}
	}
	branches, err := validBranches(ch.Branches)
	if err != nil {
		return User{}, err
	}
	if userID == actor.UserID && (ch.Disabled || !slices.Contains(roles, RoleAdmin) && actor.HasRole(RoleAdmin)) {
		return User{}, &ValidationError{Field: "roles", Message: "you cannot remove your own admin role or disable yourself", Err: ErrInvalidInput}
	}
	u, err := s.cfg.Store.UserByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	old := joinRoles(u.Roles)
	if u, err = s.applyAccess(ctx, u, roles, branches, ch.Disabled); err != nil {
		return User{}, err
	}
	s.audit(ctx, AuditEntry{At: s.cfg.Now().UTC(), ActorID: actor.UserID, Action: ActionRolesChanged, Subject: u.ID, IP: ch.IP,
		Detail: fmt.Sprintf("roles=%s→%s branches=%d disabled=%t", old, joinRoles(u.Roles), len(u.Branches), u.Disabled)})
	return u, nil
}

// User returns a user by ID for a principal allowed to see it: the user
// themselves, staff with PermViewClients for a client, an admin (PermManageStaff)
// for anyone. Others get ErrNotFound, so IDs cannot be probed. A staff read of
// someone else's account goes to the audit trail.
func (s *Service) User(ctx context.Context, actor Principal, userID string) (User, error) {
	if actor.UserID == userID {
		return s.cfg.Store.UserByID(ctx, userID)
	}
	if !actor.Can(PermViewClients) {
		return User{}, ErrNotFound
	}
	u, err := s.cfg.Store.UserByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if isStaff(u) && !actor.Can(PermManageStaff) {
		return User{}, ErrNotFound
	}
	if err := s.Audit(ctx, AuditEntry{ActorID: actor.UserID, Action: ActionUserViewed, Subject: u.ID}); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) applyAccess(ctx context.Context, u User, roles []Role, branches []string, disabled bool) (User, error) {
	if err := s.cfg.Store.UpdateUserAccess(ctx, u.ID, roles, branches, disabled); err != nil {
		return User{}, err
	}
	if _, err := s.cfg.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return User{}, err
	}
	u.Roles, u.Branches, u.Disabled = roles, branches, disabled
	return u, nil
}

func validRoles(in []Role) ([]Role, error) {
	out := make([]Role, 0, len(in))
	for _, r := range in {
		if !r.Valid() {
			return nil, &ValidationError{Field: "roles", Message: "unknown role: use client, specialist, manager or admin", Err: ErrInvalidInput}
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Branch ID limits: IDs are opaque, but bounded and printable.
const (
	maxBranches     = 100
	maxBranchIDSize = 64
)

func validBranches(in []string) ([]string, error) {
	if len(in) > maxBranches {
		return nil, &ValidationError{Field: "branch_ids", Message: "too many branches", Err: ErrInvalidInput}
	}
	for _, b := range in {
		if len(b) > maxBranchIDSize || strings.ContainsFunc(b, unicode.IsControl) || !utf8.ValidString(b) {
			return nil, &ValidationError{Field: "branch_ids", Message: "a branch ID is too long or has characters that are not allowed", Err: ErrInvalidInput}
		}
	}
	return cleanBranches(in), nil
}

func cleanBranches(in []string) []string {
	out := make([]string, 0, len(in))
	for _, b := range in {
		if b = strings.TrimSpace(b); b != "" && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

func joinRoles(rs []Role) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}
