package postgres

import (
	"context"

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
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
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
	return queryOne(ctx, s.db, "find branch", booking.ErrNotFound, branchDest,
		`SELECT `+branchColumns+` FROM branches WHERE id = $1`, id)
}

// UpsertResource inserts r or replaces the resource with its ID. ErrNotFound
// if its branch does not exist.
func (s *Store) UpsertResource(ctx context.Context, r booking.Resource) error {
	if r.ID == "" {
		return invalid("ID", "is required")
	}
	_, err := s.execWrite(ctx, "upsert resource", `
		INSERT INTO resources (id, branch_id, kind, name, active) VALUES ($1, $2, $3, $4, $5)
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
		`SELECT `+resourceColumns+` FROM resources WHERE $1 = '' OR branch_id = $1 ORDER BY name, id`, branchID)
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
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
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
	var w where
	if f.BranchID != "" {
		w.add(`branch_ids @> jsonb_build_array(?::text)`, f.BranchID)
	}
	if f.ActiveOnly {
		w.add(`active`)
	}
	if f.OnlineOnly {
		w.add(`online_booking`)
	}
	if f.SpecialistID != "" {
		w.add(`id IN (SELECT j->>'service_id' FROM specialists, jsonb_array_elements(specialists.services) AS j
			WHERE specialists.id = ?)`, f.SpecialistID)
	}
	return queryRead(ctx, s, "list services", serviceDest,
		`SELECT `+serviceColumns+` FROM services`+w.clause()+` ORDER BY category, name, id`, w.args...)
}

// ServiceByID returns the service, or ErrNotFound.
func (s *Store) ServiceByID(ctx context.Context, id string) (booking.Service, error) {
	return queryOne(ctx, s.db, "find service", booking.ErrNotFound, serviceDest,
		`SELECT `+serviceColumns+` FROM services WHERE id = $1`, id)
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
		VALUES ($1, $2, $3, $4, $5, $6, $7)
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
	var w where
	if f.BranchID != "" {
		w.add(`branch_ids @> jsonb_build_array(?::text)`, f.BranchID)
	}
	if f.ServiceID != "" {
		w.add(`services @> jsonb_build_array(jsonb_build_object('service_id', ?::text))`, f.ServiceID)
	}
	if f.ActiveOnly {
		w.add(`active`)
	}
	return queryRead(ctx, s, "list specialists", specialistDest,
		`SELECT `+specialistColumns+` FROM specialists`+w.clause()+` ORDER BY name, id`, w.args...)
}

// SpecialistByID returns the specialist, or ErrNotFound.
func (s *Store) SpecialistByID(ctx context.Context, id string) (booking.Specialist, error) {
	return queryOne(ctx, s.db, "find specialist", booking.ErrNotFound, specialistDest,
		`SELECT `+specialistColumns+` FROM specialists WHERE id = $1`, id)
}
