package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// The overlap guarantee is the schema's: the exclusion constraints
// appointments_specialist_overlap, appointments_client_overlap and
// appointment_resources_overlap refuse an active appointment that overlaps
// another of its specialist, client or room/device, and bookingError turns
// the violation into ErrSlotTaken (ErrResourceTaken for a room or device).
//
// Before writing, a booking write takes the advisory locks of the
// specialist, the client and each resource it is about to hold (lockKeys,
// in one global order). Without them, two transactions inserting
// conflicting rows at once would each find the other's uncommitted row,
// wait for it, and deadlock — PostgreSQL resolves that by aborting one after
// deadlock_timeout (1 s), which under a burst of bookings of one slot costs
// seconds. With them, writers that could conflict take turns, and the later
// one meets the earlier one's committed row and fails at once. Writes that
// read an appointment first (a move, a change of status) lock its row
// before the advisory locks, and every booking write takes the event log's
// lock last, so the order of locks is the same everywhere.

const (
	appointmentColumns = `id, client_id, branch_id, service_id, specialist_id, resource_ids, start_at,
		end_at, block_start, block_end, status, price_amount, price_currency, notes, client_note,
		cancelled_by, cancel_reason, plan_id, created_by, created_at, updated_at`
	// qualifiedAppointmentColumns are appointmentColumns of a table aliased a.
	qualifiedAppointmentColumns = `a.id, a.client_id, a.branch_id, a.service_id, a.specialist_id, a.resource_ids,
		a.start_at, a.end_at, a.block_start, a.block_end, a.status, a.price_amount, a.price_currency, a.notes,
		a.client_note, a.cancelled_by, a.cancel_reason, a.plan_id, a.created_by, a.created_at, a.updated_at`
	appointmentByIDSQL = `SELECT ` + appointmentColumns + ` FROM appointments WHERE id = $1`
)

// bookingLocks are the advisory locks of the time a holds: its specialist's,
// its client's and each of its resources'.
func bookingLocks(a booking.Appointment) []int64 {
	keys := []int64{lockKey("specialist", a.SpecialistID), lockKey("client", a.ClientID)}
	for _, r := range a.ResourceIDs {
		keys = append(keys, lockKey("resource", r))
	}
	return keys
}

// CreateAppointment books a, in one transaction, as booking.Store
// documents. A retry with an idempotency key the client already used returns
// the appointment as it is now and created=false, whatever a holds: the
// key's advisory lock makes concurrent retries wait for the first, then find
// its key. An appointment created in an inactive status (an import of a past
// visit) holds no time and is not checked for overlaps. A zero UpdatedAt is
// set to CreatedAt. The event gets the stored appointment, its ID and
// client, and a.CreatedAt when ev.At is zero. ErrInvalidInput for a
// malformed a (a block longer than booking.MaxBlock included) or a taken ID;
// ErrNotFound if it refers to an unknown branch, service, specialist,
// resource or plan; ErrSlotTaken (ErrResourceTaken) from the exclusion
// constraints.
func (s *Store) CreateAppointment(ctx context.Context, a booking.Appointment, idempotencyKey string, ev booking.Event) (booking.Appointment, bool, error) {
	a = normalizeAppointment(a)
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	if err := validateAppointment(a); err != nil {
		return booking.Appointment{}, false, err
	}
	if ev.Type == "" {
		return booking.Appointment{}, false, invalid("Event.Type", "is required")
	}
	var (
		out     booking.Appointment
		created bool
	)
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		out, created, err = s.createAppointment(ctx, tx, a, idempotencyKey, ev)
		return err
	})
	if err != nil {
		return booking.Appointment{}, false, err
	}
	return out, created, nil
}

// createAppointment is CreateAppointment's work inside tx.
func (s *Store) createAppointment(ctx context.Context, tx *sql.Tx, a booking.Appointment, idempotencyKey string, ev booking.Event) (booking.Appointment, bool, error) {
	var keys []int64
	if idempotencyKey != "" {
		keys = append(keys, lockKey("appointment-key", a.ClientID, idempotencyKey))
	}
	if a.Status.Active() {
		keys = append(keys, bookingLocks(a)...)
	}
	if err := lockKeys(ctx, tx, keys...); err != nil {
		return booking.Appointment{}, false, err
	}
	if idempotencyKey != "" {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT appointment_id FROM idempotency_keys WHERE client_id = $1 AND key = $2`,
			a.ClientID, idempotencyKey).Scan(&id)
		switch {
		case err == nil:
			first, err := findAppointment(ctx, tx, id, false)
			return first, false, err
		case !errors.Is(err, sql.ErrNoRows):
			return booking.Appointment{}, false, fmt.Errorf("postgres: find idempotency key: %w", err)
		}
	}
	if err := insertAppointment(ctx, tx, a); err != nil {
		return booking.Appointment{}, false, err
	}
	if err := insertHistory(ctx, tx, booking.StatusChange{
		AppointmentID: a.ID, To: a.Status, At: a.CreatedAt, By: a.CreatedBy,
	}); err != nil {
		return booking.Appointment{}, false, err
	}
	if idempotencyKey != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (client_id, key, appointment_id, created_at)
			VALUES ($1, $2, $3, $4)`, a.ClientID, idempotencyKey, a.ID, a.CreatedAt); err != nil {
			return booking.Appointment{}, false, fmt.Errorf("postgres: insert idempotency key: %w", err)
		}
	}
	if err := appendBookingEvent(ctx, tx, ev, a, a.CreatedAt); err != nil {
		return booking.Appointment{}, false, err
	}
	return a, true, nil
}

// MoveAppointment reschedules an active appointment, in one transaction, as
// booking.Store documents. The store completes the history line from the
// stored appointment — AppointmentID, From and To (its status, unchanged),
// OldStart and OldEnd — and takes At, By and Reason from change; UpdatedAt
// is change.At when moved.UpdatedAt is zero. The event gets the appointment
// after the move and, when ev.OldStart is zero, the old start. On
// ErrSlotTaken (or any error) nothing changes.
func (s *Store) MoveAppointment(ctx context.Context, moved booking.Appointment, change booking.StatusChange, ev booking.Event) (booking.Appointment, error) {
	if ev.Type == "" {
		return booking.Appointment{}, invalid("Event.Type", "is required")
	}
	moved = normalizeAppointment(moved)
	var out booking.Appointment
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		out, err = s.moveAppointment(ctx, tx, moved, change, ev)
		return err
	})
	if err != nil {
		return booking.Appointment{}, err
	}
	return out, nil
}

// moveAppointment is MoveAppointment's work inside tx.
func (s *Store) moveAppointment(ctx context.Context, tx *sql.Tx, moved booking.Appointment, change booking.StatusChange, ev booking.Event) (booking.Appointment, error) {
	cur, err := findAppointment(ctx, tx, moved.ID, true)
	if err != nil {
		return booking.Appointment{}, err
	}
	if !cur.Status.Active() {
		return booking.Appointment{}, fmt.Errorf("%w: a %s appointment cannot be moved", booking.ErrInvalidTransition, cur.Status)
	}
	next := cur
	next.SpecialistID, next.ResourceIDs = moved.SpecialistID, moved.ResourceIDs
	next.Start, next.End, next.BlockStart, next.BlockEnd = moved.Start, moved.End, moved.BlockStart, moved.BlockEnd
	next.UpdatedAt = moved.UpdatedAt
	if next.UpdatedAt.IsZero() {
		next.UpdatedAt = micro(change.At)
	}
	if err := validateAppointment(next); err != nil {
		return booking.Appointment{}, err
	}
	if err := lockKeys(ctx, tx, bookingLocks(next)...); err != nil {
		return booking.Appointment{}, err
	}
	resourceIDs, err := encodeList(next.ResourceIDs)
	if err != nil {
		return booking.Appointment{}, err
	}
	// The old resource rows go first, so that the new ones (the same room
	// at another time, say) are checked against others only.
	if _, err := tx.ExecContext(ctx, `DELETE FROM appointment_resources WHERE appointment_id = $1`, next.ID); err != nil {
		return booking.Appointment{}, fmt.Errorf("postgres: move appointment: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE appointments SET specialist_id = $1, resource_ids = $2, start_at = $3, end_at = $4,
			block_start = $5, block_end = $6, updated_at = $7
		WHERE id = $8`,
		next.SpecialistID, resourceIDs, next.Start, next.End, next.BlockStart, next.BlockEnd, next.UpdatedAt,
		next.ID); err != nil {
		return booking.Appointment{}, bookingError(fmt.Errorf("postgres: move appointment: %w", err))
	}
	if err := insertAppointmentResources(ctx, tx, next); err != nil {
		return booking.Appointment{}, err
	}
	change.AppointmentID, change.From, change.To = next.ID, cur.Status, cur.Status
	change.OldStart, change.OldEnd = cur.Start, cur.End
	if err := insertHistory(ctx, tx, change); err != nil {
		return booking.Appointment{}, err
	}
	if ev.OldStart.IsZero() {
		ev.OldStart = cur.Start
	}
	if err := appendBookingEvent(ctx, tx, ev, next, change.At); err != nil {
		return booking.Appointment{}, err
	}
	return next, nil
}

// SetStatus changes the appointment's status, in one transaction, as
// booking.Store documents. The store completes the history line with the
// appointment's ID and its status before (From); To, At, By and Reason come
// from change. Leaving the active statuses releases the resources' time;
// returning to them (when from allows it, e.g. undoing a no-show) is checked
// by the exclusion constraints as a booking is, and fails with ErrSlotTaken
// if the time was booked meanwhile. The event gets the appointment after the
// change, and change.At when ev.At is zero.
func (s *Store) SetStatus(ctx context.Context, id string, from []booking.Status, change booking.StatusChange, notes *string, ev booking.Event) (booking.Appointment, error) {
	switch {
	case change.To == "":
		return booking.Appointment{}, invalid("To", "is required")
	case ev.Type == "":
		return booking.Appointment{}, invalid("Event.Type", "is required")
	}
	var out booking.Appointment
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		out, err = s.setStatus(ctx, tx, id, from, change, notes, ev)
		return err
	})
	if err != nil {
		return booking.Appointment{}, err
	}
	return out, nil
}

// setStatus is SetStatus's work inside tx.
func (s *Store) setStatus(ctx context.Context, tx *sql.Tx, id string, from []booking.Status, change booking.StatusChange, notes *string, ev booking.Event) (booking.Appointment, error) {
	cur, err := findAppointment(ctx, tx, id, true)
	if err != nil {
		return booking.Appointment{}, err
	}
	if !slices.Contains(from, cur.Status) {
		return booking.Appointment{}, fmt.Errorf("%w: the appointment is %s", booking.ErrInvalidTransition, cur.Status)
	}
	next := cur
	next.Status = change.To
	if change.To == booking.StatusCancelled {
		next.CancelledBy, next.CancelReason = change.By, change.Reason
	}
	if notes != nil {
		next.Notes = *notes
	}
	next.UpdatedAt = micro(change.At)
	if !cur.Status.Active() && next.Status.Active() {
		if err := lockKeys(ctx, tx, bookingLocks(next)...); err != nil {
			return booking.Appointment{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE appointments SET status = $1, cancelled_by = $2, cancel_reason = $3, notes = $4, updated_at = $5
		WHERE id = $6`,
		string(next.Status), next.CancelledBy, next.CancelReason, next.Notes, next.UpdatedAt, id); err != nil {
		return booking.Appointment{}, bookingError(fmt.Errorf("postgres: set status: %w", err))
	}
	if cur.Status.Active() != next.Status.Active() {
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_resources SET active = $1 WHERE appointment_id = $2`,
			next.Status.Active(), id); err != nil {
			return booking.Appointment{}, bookingError(fmt.Errorf("postgres: set status: %w", err))
		}
	}
	change.AppointmentID, change.From = id, cur.Status
	change.OldStart, change.OldEnd = time.Time{}, time.Time{}
	if err := insertHistory(ctx, tx, change); err != nil {
		return booking.Appointment{}, err
	}
	if err := appendBookingEvent(ctx, tx, ev, next, change.At); err != nil {
		return booking.Appointment{}, err
	}
	return next, nil
}

// AppointmentByID returns the appointment, or ErrNotFound.
func (s *Store) AppointmentByID(ctx context.Context, id string) (booking.Appointment, error) {
	return findAppointment(ctx, s.db, id, false)
}

// AppointmentByIdempotencyKey returns the appointment clientID created with
// key, or ErrNotFound.
func (s *Store) AppointmentByIdempotencyKey(ctx context.Context, clientID, key string) (booking.Appointment, error) {
	return queryOne(ctx, s.db, "find idempotency key", booking.ErrNotFound, appointmentDest,
		`SELECT `+qualifiedAppointmentColumns+` FROM idempotency_keys k JOIN appointments a ON a.id = k.appointment_id
		WHERE k.client_id = $1 AND k.key = $2`, clientID, key)
}

// Busy returns the active appointments of any of f's specialists or
// resources whose blocked time overlaps [f.From, f.To), ordered by BlockStart
// (then ID). With neither specialists nor resources it returns none. From
// and To are required. The overlap is && on the ranges the exclusion
// constraints index, so the constraints' GiST indexes serve the query.
func (s *Store) Busy(ctx context.Context, f booking.BusyFilter) ([]booking.Appointment, error) {
	switch {
	case f.From.IsZero():
		return nil, invalid("From", "is required")
	case f.To.IsZero():
		return nil, invalid("To", "is required")
	case len(f.SpecialistIDs) == 0 && len(f.ResourceIDs) == 0, !f.From.Before(f.To):
		return nil, nil
	}
	var parts []string
	args := []any{utc(f.From), utc(f.To)}
	if len(f.SpecialistIDs) > 0 {
		args = append(args, f.SpecialistIDs)
		parts = append(parts, `SELECT `+appointmentColumns+` FROM appointments
			WHERE specialist_id = ANY($3) AND tstzrange(block_start, block_end) && tstzrange($1, $2)
				AND status IN ('pending', 'confirmed')`)
	}
	if len(f.ResourceIDs) > 0 {
		args = append(args, f.ResourceIDs)
		parts = append(parts, fmt.Sprintf(`SELECT `+appointmentColumns+` FROM appointments
			WHERE id IN (SELECT appointment_id FROM appointment_resources
				WHERE resource_id = ANY($%d) AND tstzrange(block_start, block_end) && tstzrange($1, $2) AND active)
			AND status IN ('pending', 'confirmed')`, len(args)))
	}
	query := parts[0]
	if len(parts) == 2 {
		query += ` UNION ` + parts[1]
	}
	return queryRead(ctx, s, "busy", appointmentDest, query+` ORDER BY block_start, id`, args...)
}

// Appointments returns the appointments matching every non-empty field of
// f, ordered by Start then ID (Descending: the reverse). From and To select
// those whose blocked time overlaps [From, To); either may be zero
// (unbounded on that side). The lower bound is also block_start > From −
// MaxBlock, exact since no block is longer, which keeps it an index range.
func (s *Store) Appointments(ctx context.Context, f booking.AppointmentFilter) ([]booking.Appointment, error) {
	var w where
	for _, c := range []struct{ col, val string }{
		{"client_id", f.ClientID}, {"specialist_id", f.SpecialistID}, {"branch_id", f.BranchID}, {"plan_id", f.PlanID},
	} {
		if c.val != "" {
			w.add(c.col+` = ?`, c.val)
		}
	}
	if !f.From.IsZero() {
		w.add(`block_end > ?`, utc(f.From))
		w.add(`block_start > ?`, utc(f.From.Add(-booking.MaxBlock)))
	}
	if !f.To.IsZero() {
		w.add(`block_start < ?`, utc(f.To))
	}
	if len(f.Statuses) > 0 {
		w.add(`status = ANY(?)`, stringsOf(f.Statuses))
	}
	order := ` ORDER BY start_at, id`
	if f.Descending {
		order = ` ORDER BY start_at DESC, id DESC`
	}
	query := `SELECT ` + appointmentColumns + ` FROM appointments` + w.clause() + order
	if f.Limit > 0 {
		query += ` LIMIT ` + w.arg(f.Limit)
	}
	return queryRead(ctx, s, "list appointments", appointmentDest, query, w.args...)
}

// History returns the appointment's status changes, oldest first; none for
// an unknown appointment (every stored one has at least its booking line).
func (s *Store) History(ctx context.Context, appointmentID string) ([]booking.StatusChange, error) {
	return queryRead(ctx, s, "history", historyDest, `
		SELECT appointment_id, from_status, to_status, at, by_user, reason, old_start, old_end
		FROM appointment_history WHERE appointment_id = $1 ORDER BY seq`, appointmentID)
}

func historyDest(c *booking.StatusChange) []any {
	return []any{&c.AppointmentID, (*string)(&c.From), (*string)(&c.To), timeDest{&c.At}, &c.By, &c.Reason,
		timeDest{&c.OldStart}, timeDest{&c.OldEnd}}
}

func insertAppointment(ctx context.Context, tx *sql.Tx, a booking.Appointment) error {
	resourceIDs, err := encodeList(a.ResourceIDs)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO appointments (`+appointmentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		a.ID, a.ClientID, a.BranchID, a.ServiceID, a.SpecialistID, resourceIDs,
		a.Start, a.End, a.BlockStart, a.BlockEnd,
		string(a.Status), a.Price.Amount, a.Price.Currency, a.Notes, a.ClientNote, a.CancelledBy,
		a.CancelReason, nullString(a.PlanID), a.CreatedBy, a.CreatedAt, a.UpdatedAt,
	); err != nil {
		return bookingError(fmt.Errorf("postgres: insert appointment: %w", err))
	}
	return insertAppointmentResources(ctx, tx, a)
}

// insertAppointmentResources writes a's resource rows, active when a is, in
// one statement.
func insertAppointmentResources(ctx context.Context, tx *sql.Tx, a booking.Appointment) error {
	if len(a.ResourceIDs) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO appointment_resources
			(appointment_id, resource_id, block_start, block_end, active)
		SELECT $1, r, $3, $4, $5 FROM unnest($2::text[]) AS r`,
		a.ID, a.ResourceIDs, a.BlockStart, a.BlockEnd, a.Status.Active()); err != nil {
		return bookingError(fmt.Errorf("postgres: insert appointment resource: %w", err))
	}
	return nil
}

func insertHistory(ctx context.Context, tx *sql.Tx, c booking.StatusChange) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO appointment_history
			(appointment_id, from_status, to_status, at, by_user, reason, old_start, old_end)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.AppointmentID, string(c.From), string(c.To), utc(c.At), c.By, c.Reason,
		nullTime(c.OldStart), nullTime(c.OldEnd)); err != nil {
		return fmt.Errorf("postgres: insert history: %w", err)
	}
	return nil
}

// findAppointment reads one appointment, or ErrNotFound; forUpdate locks its
// row until the transaction q ends.
func findAppointment(ctx context.Context, q dbtx, id string, forUpdate bool) (booking.Appointment, error) {
	query := appointmentByIDSQL
	if forUpdate {
		query += ` FOR UPDATE`
	}
	return queryOne(ctx, q, "find appointment", booking.ErrNotFound, appointmentDest, query, id)
}

// appointmentDest is the scan destination of appointmentColumns.
func appointmentDest(a *booking.Appointment) []any {
	return []any{&a.ID, &a.ClientID, &a.BranchID, &a.ServiceID, &a.SpecialistID, listDest[string]{&a.ResourceIDs},
		timeDest{&a.Start}, timeDest{&a.End}, timeDest{&a.BlockStart}, timeDest{&a.BlockEnd}, (*string)(&a.Status),
		&a.Price.Amount, &a.Price.Currency, &a.Notes, &a.ClientNote, &a.CancelledBy, &a.CancelReason,
		nullDest{&a.PlanID}, &a.CreatedBy, timeDest{&a.CreatedAt}, timeDest{&a.UpdatedAt}}
}

// normalizeAppointment puts a's instants in UTC and in microseconds, and an
// empty resource list as nil, the way they come back from the database: the
// appointment a write returns and its event's equal what a read returns.
func normalizeAppointment(a booking.Appointment) booking.Appointment {
	for _, t := range []*time.Time{&a.Start, &a.End, &a.BlockStart, &a.BlockEnd, &a.CreatedAt, &a.UpdatedAt} {
		*t = micro(*t)
	}
	if len(a.ResourceIDs) == 0 {
		a.ResourceIDs = nil
	}
	return a
}

// validateAppointment checks what the store relies on: the references are
// set, the times are ordered, and the block is no longer than MaxBlock (the
// bound of the list queries).
func validateAppointment(a booking.Appointment) error {
	for _, f := range []struct{ name, val string }{
		{"ID", a.ID}, {"ClientID", a.ClientID}, {"BranchID", a.BranchID}, {"ServiceID", a.ServiceID},
		{"SpecialistID", a.SpecialistID}, {"Status", string(a.Status)},
	} {
		if f.val == "" {
			return invalid(f.name, "is required")
		}
	}
	switch {
	case a.Start.IsZero() || a.End.IsZero():
		return invalid("Start", "start and end are required")
	case !a.Start.Before(a.End):
		return invalid("End", "is not after Start")
	case a.BlockStart.After(a.Start):
		return invalid("BlockStart", "is after Start")
	case a.BlockEnd.Before(a.End):
		return invalid("BlockEnd", "is before End")
	case a.BlockEnd.Sub(a.BlockStart) > booking.MaxBlock:
		return invalid("BlockEnd", fmt.Sprintf("the blocked time is longer than %v", booking.MaxBlock))
	}
	seen := make(map[string]bool, len(a.ResourceIDs))
	for _, r := range a.ResourceIDs {
		if r == "" || seen[r] {
			return invalid("ResourceIDs", "holds an empty or repeated ID")
		}
		seen[r] = true
	}
	return nil
}

// stringsOf converts a list of string-typed values.
func stringsOf[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}
