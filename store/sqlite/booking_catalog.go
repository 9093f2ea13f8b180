package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kabinet-dev/kabinet/booking"
)

// UpsertBranch inserts b or replaces the branch with its ID.
func (s *Store) UpsertBranch(ctx context.Context, b booking.Branch) error {
	if b.ID == "" {
		return invalid("ID", "is required")
	}
	opening, err := encodeWeek(b.Opening)
	if err != nil {
		return err
	}
	holidays, err := encodeDates(b.Holidays)
	if err != nil {
		return err
	}
	_, err = s.execWrite(ctx, "upsert branch", `
		INSERT INTO branches (id, name, address, phone, time_zone, opening, holidays, active)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, address = excluded.address,
			phone = excluded.phone, time_zone = excluded.time_zone, opening = excluded.opening,
			holidays = excluded.holidays, active = excluded.active`,
		b.ID, b.Name, b.Address, b.Phone, b.TimeZone, opening, holidays, b.Active)
	return bookingError(err)
}

const branchColumns = `id, name, address, phone, time_zone, opening, holidays, active`

func branchDest(b *booking.Branch) []any {
	return []any{&b.ID, &b.Name, &b.Address, &b.Phone, &b.TimeZone, weekDest{&b.Opening},
		datesDest{&b.Holidays}, &b.Active}
}

// Branches returns every branch ordered by name (then ID).
func (s *Store) Branches(ctx context.Context) ([]booking.Branch, error) {
	return queryRead(ctx, s, "list branches", branchDest,
		`SELECT `+branchColumns+` FROM branches ORDER BY name, id`)
}

// BranchByID returns the branch, or ErrNotFound.
func (s *Store) BranchByID(ctx context.Context, id string) (booking.Branch, error) {
	return queryOneRead(ctx, s, "find branch", branchDest,
		`SELECT `+branchColumns+` FROM branches WHERE id = ?`, id)
}

// UpsertResource inserts r or replaces the resource with its ID. ErrNotFound
// if its branch does not exist.
func (s *Store) UpsertResource(ctx context.Context, r booking.Resource) error {
	if r.ID == "" {
		return invalid("ID", "is required")
	}
	_, err := s.execWrite(ctx, "upsert resource", `
		INSERT INTO resources (id, branch_id, kind, name, active) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET branch_id = excluded.branch_id, kind = excluded.kind,
			name = excluded.name, active = excluded.active`,
		r.ID, r.BranchID, r.Kind, r.Name, r.Active)
	return bookingError(err)
}

const resourceColumns = `id, branch_id, kind, name, active`

func resourceDest(r *booking.Resource) []any {
	return []any{&r.ID, &r.BranchID, &r.Kind, &r.Name, &r.Active}
}

// Resources returns the branch's resources (every branch's if branchID is
// empty), ordered by name (then ID).
func (s *Store) Resources(ctx context.Context, branchID string) ([]booking.Resource, error) {
	return queryRead(ctx, s, "list resources", resourceDest,
		`SELECT `+resourceColumns+` FROM resources WHERE ? = '' OR branch_id = ? ORDER BY name, id`,
		branchID, branchID)
}

// UpsertService inserts sv or replaces the service with its ID.
func (s *Store) UpsertService(ctx context.Context, sv booking.Service) error {
	if sv.ID == "" {
		return invalid("ID", "is required")
	}
	var lists [3]string
	for i, l := range [][]string{sv.ResourceKinds, sv.BranchIDs, sv.Tags} {
		var err error
		if lists[i], err = encodeList(l); err != nil {
			return err
		}
	}
	_, err := s.execWrite(ctx, "upsert service", `
		INSERT INTO services (id, name, category, description, duration, price_amount, price_currency,
			buffer_before, buffer_after, resource_kinds, branch_ids, tags, active, online_booking,
			needs_confirmation, course_interval)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category,
			description = excluded.description, duration = excluded.duration,
			price_amount = excluded.price_amount, price_currency = excluded.price_currency,
			buffer_before = excluded.buffer_before, buffer_after = excluded.buffer_after,
			resource_kinds = excluded.resource_kinds, branch_ids = excluded.branch_ids,
			tags = excluded.tags, active = excluded.active, online_booking = excluded.online_booking,
			needs_confirmation = excluded.needs_confirmation, course_interval = excluded.course_interval`,
		sv.ID, sv.Name, sv.Category, sv.Description, int64(sv.Duration), sv.Price.Amount, sv.Price.Currency,
		int64(sv.BufferBefore), int64(sv.BufferAfter), lists[0], lists[1], lists[2], sv.Active,
		sv.OnlineBooking, sv.NeedsConfirmation, int64(sv.CourseInterval))
	return bookingError(err)
}

const serviceColumns = `id, name, category, description, duration, price_amount, price_currency,
	buffer_before, buffer_after, resource_kinds, branch_ids, tags, active, online_booking,
	needs_confirmation, course_interval`

func serviceDest(sv *booking.Service) []any {
	return []any{&sv.ID, &sv.Name, &sv.Category, &sv.Description, (*durationDest)(&sv.Duration),
		&sv.Price.Amount, &sv.Price.Currency, (*durationDest)(&sv.BufferBefore),
		(*durationDest)(&sv.BufferAfter), listDest[string]{&sv.ResourceKinds},
		listDest[string]{&sv.BranchIDs}, listDest[string]{&sv.Tags}, &sv.Active, &sv.OnlineBooking,
		&sv.NeedsConfirmation, (*durationDest)(&sv.CourseInterval)}
}

// Services returns the services matching every non-empty field of f,
// ordered by category, name (then ID). BranchID matches a service whose
// BranchIDs list it; SpecialistID one that the specialist's Services list.
func (s *Store) Services(ctx context.Context, f booking.ServiceFilter) ([]booking.Service, error) {
	var (
		where []string
		args  []any
	)
	if f.BranchID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(services.branch_ids) WHERE value = ?)`)
		args = append(args, f.BranchID)
	}
	if f.ActiveOnly {
		where = append(where, `active = 1`)
	}
	if f.OnlineOnly {
		where = append(where, `online_booking = 1`)
	}
	if f.SpecialistID != "" {
		where = append(where, `id IN (SELECT json_extract(j.value, '$.service_id')
			FROM specialists, json_each(specialists.services) AS j WHERE specialists.id = ?)`)
		args = append(args, f.SpecialistID)
	}
	return queryRead(ctx, s, "list services", serviceDest,
		`SELECT `+serviceColumns+` FROM services`+whereClause(where)+` ORDER BY category, name, id`, args...)
}

// ServiceByID returns the service, or ErrNotFound.
func (s *Store) ServiceByID(ctx context.Context, id string) (booking.Service, error) {
	return queryOneRead(ctx, s, "find service", serviceDest,
		`SELECT `+serviceColumns+` FROM services WHERE id = ?`, id)
}

// UpsertSpecialist inserts sp or replaces the specialist with its ID.
func (s *Store) UpsertSpecialist(ctx context.Context, sp booking.Specialist) error {
	if sp.ID == "" {
		return invalid("ID", "is required")
	}
	branches, err := encodeList(sp.BranchIDs)
	if err != nil {
		return err
	}
	services, err := encodeSpecialistServices(sp.Services)
	if err != nil {
		return err
	}
	_, err = s.execWrite(ctx, "upsert specialist", `
		INSERT INTO specialists (id, user_id, name, title, branch_ids, services, active)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, name = excluded.name,
			title = excluded.title, branch_ids = excluded.branch_ids, services = excluded.services,
			active = excluded.active`,
		sp.ID, sp.UserID, sp.Name, sp.Title, branches, services, sp.Active)
	return bookingError(err)
}

const specialistColumns = `id, user_id, name, title, branch_ids, services, active`

func specialistDest(sp *booking.Specialist) []any {
	return []any{&sp.ID, &sp.UserID, &sp.Name, &sp.Title, listDest[string]{&sp.BranchIDs},
		specSvcsDest{&sp.Services}, &sp.Active}
}

// Specialists returns the specialists matching every non-empty field of f,
// ordered by name (then ID).
func (s *Store) Specialists(ctx context.Context, f booking.SpecialistFilter) ([]booking.Specialist, error) {
	var (
		where []string
		args  []any
	)
	if f.BranchID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(specialists.branch_ids) WHERE value = ?)`)
		args = append(args, f.BranchID)
	}
	if f.ServiceID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(specialists.services)
			WHERE json_extract(value, '$.service_id') = ?)`)
		args = append(args, f.ServiceID)
	}
	if f.ActiveOnly {
		where = append(where, `active = 1`)
	}
	return queryRead(ctx, s, "list specialists", specialistDest,
		`SELECT `+specialistColumns+` FROM specialists`+whereClause(where)+` ORDER BY name, id`, args...)
}

// SpecialistByID returns the specialist, or ErrNotFound.
func (s *Store) SpecialistByID(ctx context.Context, id string) (booking.Specialist, error) {
	return queryOneRead(ctx, s, "find specialist", specialistDest,
		`SELECT `+specialistColumns+` FROM specialists WHERE id = ?`, id)
}

// whereClause joins conditions with AND, or returns "" for none.
func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(conds, ` AND `)
}

// queryRead runs query in a read transaction and scans every row into a T
// through dest.
func queryRead[T any](ctx context.Context, s *Store, what string, dest func(*T) []any, query string, args ...any) ([]T, error) {
	// One statement reads one consistent snapshot: no transaction needed.
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if st == nil {
		return queryAll(ctx, s.reader, what, dest, query, args...)
	}
	return queryAll(ctx, stmtQuerier{st}, what, dest, query, args...)
}

// stmtQuerier runs a prepared statement where queryAll expects a dbtx.
type stmtQuerier struct{ st *sql.Stmt }

func (q stmtQuerier) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return q.st.ExecContext(ctx, args...)
}
func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.st.QueryContext(ctx, args...)
}
func (q stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return q.st.QueryRowContext(ctx, args...)
}

// queryAll scans every row of query into a T through dest.
func queryAll[T any](ctx context.Context, q dbtx, what string, dest func(*T) []any, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		var v T
		if err := rows.Scan(dest(&v)...); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return list, nil
}

// queryOneRead reads one row in a read transaction: booking.ErrNotFound when
// there is none.
func queryOneRead[T any](ctx context.Context, s *Store, what string, dest func(*T) []any, query string, args ...any) (T, error) {
	var v T
	var row *sql.Row
	if st, err := s.readStmt(ctx, query); err != nil {
		return v, fmt.Errorf("sqlite: %s: %w", what, err)
	} else if st != nil {
		row = st.QueryRowContext(ctx, args...)
	} else {
		row = s.reader.QueryRowContext(ctx, query, args...)
	}
	err := row.Scan(dest(&v)...)
	if errors.Is(err, sql.ErrNoRows) {
		return v, booking.ErrNotFound
	} else if err != nil {
		var zero T
		return zero, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return v, nil
}

// bookingError maps a failed booking write: a reference to a row that does
// not exist (branch, service, specialist, resource, plan) is ErrNotFound; a
// duplicate ID or a value a CHECK refuses is ErrInvalidInput. Anything else,
// already wrapped by the caller, is returned as it is.
func bookingError(err error) error {
	switch {
	case err == nil:
		return nil
	case foreignKeyViolation(err):
		return fmt.Errorf("sqlite: a referenced branch, service, specialist, resource or plan does not exist: %w",
			booking.ErrNotFound)
	case constraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY), constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE):
		return fmt.Errorf("sqlite: the ID is already taken: %w", booking.ErrInvalidInput)
	case constraint(err, sqlite3.SQLITE_CONSTRAINT_CHECK):
		return fmt.Errorf("sqlite: a value is out of range (%v): %w", err, booking.ErrInvalidInput)
	}
	return err
}
