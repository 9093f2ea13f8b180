package auth

import "slices"

// Role is what a user is to the clinic. A user may hold several.
type Role string

// Roles. Staff roles (specialist, manager, admin) are given by an admin; a
// person who signs in for the first time becomes a client.
const (
	RoleClient     Role = "client"     // sees only their own data
	RoleSpecialist Role = "specialist" // cosmetologist, dermatologist: their branches' clients
	RoleManager    Role = "manager"    // branch manager / administrator: their branches
	RoleAdmin      Role = "admin"      // the owner: every branch, staff and roles
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleClient, RoleSpecialist, RoleManager, RoleAdmin:
		return true
	}
	return false
}

// IsStaff reports whether r is a staff role.
func (r Role) IsStaff() bool { return r == RoleSpecialist || r == RoleManager || r == RoleAdmin }

// Permission names one thing a principal may do. Handlers and the host
// application ask Principal.Can before acting.
type Permission string

// Permissions. The role → permission table is rolePermissions.
const (
	PermOwnData         Permission = "own_data"         // a person's own cabinet
	PermViewClients     Permission = "clients.view"     // client cards in the principal's branches
	PermViewHealthData  Permission = "clients.health"   // questionnaire answers and photos
	PermWriteNotes      Permission = "clients.notes"    // notes and recommendations after a visit
	PermManageSchedules Permission = "schedules.manage" // working plans, exceptions
	PermManageBookings  Permission = "bookings.manage"  // book, move, cancel for clients
	PermManageCatalog   Permission = "catalog.manage"   // services, products, prices
	PermViewAnalytics   Permission = "analytics.view"   // reports
	PermManageStaff     Permission = "staff.manage"     // register staff, change roles
	PermViewAudit       Permission = "audit.view"       // the audit trail
	PermAllBranches     Permission = "branches.all"     // not limited to assigned branches
	PermManageSettings  Permission = "settings.manage"  // clinic-wide settings
)

var rolePermissions = map[Role][]Permission{
	RoleClient:     {PermOwnData},
	RoleSpecialist: {PermOwnData, PermViewClients, PermViewHealthData, PermWriteNotes},
	RoleManager: {PermOwnData, PermViewClients, PermViewHealthData, PermWriteNotes,
		PermManageSchedules, PermManageBookings, PermViewAnalytics},
	RoleAdmin: {PermOwnData, PermViewClients, PermViewHealthData, PermWriteNotes,
		PermManageSchedules, PermManageBookings, PermManageCatalog, PermViewAnalytics,
		PermManageStaff, PermViewAudit, PermAllBranches, PermManageSettings},
}

// Principal is the signed-in actor of a request: who, in which roles, for which
// branches, through which session. The zero Principal may do nothing.
type Principal struct {
	UserID    string
	SessionID string
	Roles     []Role
	Branches  []string // branch IDs a specialist or manager works in
}

// HasRole reports whether the principal holds r.
func (p Principal) HasRole(r Role) bool { return slices.Contains(p.Roles, r) }

// IsStaff reports whether the principal holds any staff role.
func (p Principal) IsStaff() bool { return slices.ContainsFunc(p.Roles, Role.IsStaff) }

// Can reports whether any of the principal's roles grants perm. Deny by default:
// an unknown role or an empty principal grants nothing.
func (p Principal) Can(perm Permission) bool {
	if p.UserID == "" {
		return false
	}
	for _, r := range p.Roles {
		if slices.Contains(rolePermissions[r], perm) {
			return true
		}
	}
	return false
}

// CanInBranch reports whether the principal may do perm in branchID: an admin
// everywhere, other staff only in the branches they are assigned to.
func (p Principal) CanInBranch(perm Permission, branchID string) bool {
	if !p.Can(perm) {
		return false
	}
	return p.Can(PermAllBranches) || slices.Contains(p.Branches, branchID)
}

// Require returns ErrForbidden unless the principal can do perm.
func (p Principal) Require(perm Permission) error {
	if !p.Can(perm) {
		return ErrForbidden
	}
	return nil
}
