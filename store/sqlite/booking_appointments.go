package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

var _ booking.Store = (*Store)(nil)

// The statements of the booking write path, prepared once on the writer's
// connection and bound to each transaction with Tx.StmtContext: parsing them
// cost as much as running them.
//
// Every overlap query is bounded below by MaxBlock: a row can only overlap
// [start, end) if it starts after start − MaxBlock, since no block is longer
// (the store refuses longer ones, and a CHECK in the schema backs that). So
// each is a range scan of a few index entries, "SEARCH … USING INDEX … (x=?
// AND block_start>? AND block_start<?)", however long the history is, instead
// of every earlier row of the specialist (TestOverlapQueriesUseIndexRange).
const (
	// Arguments: specialist, block start − MaxBlock, block end, block start,
	// the appointment itself (ignored).
	specialistOverlapSQL = `SELECT 1 FROM appointments
		WHERE specialist_id = ? AND block_start > ? AND block_start < ? AND block_end > ?
			AND status IN ('pending', 'confirmed') AND id <> ?
		LIMIT 1`
	// Arguments: resource, block start − MaxBlock, block end, block start,
	// the appointment itself.
	resourceOverlapSQL = `SELECT 1 FROM appointment_resources
		WHERE resource_id = ? AND active = 1 AND block_start > ? AND block_start < ? AND block_end > ?
			AND appointment_id <> ?
		LIMIT 1`
	// The client's service time. Arguments: client, start − MaxBlock, end,
	// start, the appointment itself.
	clientOverlapSQL = `SELECT 1 FROM appointments
		WHERE client_id = ? AND start_at > ? AND start_at < ? AND end_at > ?
			AND status IN ('pending', 'confirmed') AND id <> ?
		LIMIT 1`

	idempotencyKeySQL    = `SELECT appointment_id FROM idempotency_keys WHERE client_id = ? AND key = ?`
	insertIdempotencySQL = `INSERT INTO idempotency_keys (client_id, key, appointment_id, created_at) VALUES (?, ?, ?, ?)`

	insertAppointmentSQL = `INSERT INTO appointments (id, client_id, branch_id, service_id, specialist_id,
			resource_ids, start_at, end_at, block_start, block_end, status, price_amount, price_currency,
			notes, client_note, cancelled_by, cancel_reason, plan_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertAppointmentResourceSQL = `INSERT INTO appointment_resources
			(appointment_id, resource_id, block_start, block_end, active)
		VALUES (?, ?, ?, ?, ?)`
	insertHistorySQL = `INSERT INTO appointment_history
			(appointment_id, from_status, to_status, at, by_user, reason, old_start, old_end)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	insertEventSQL = `INSERT INTO events (stream, type, subject_id, client_id, at, payload)
		VALUES (?, ?, ?, ?, ?, ?)`

	appointmentColumns = `id, client_id, branch_id, service_id, specialist_id, resource_ids, start_at,
		end_at, block_start, block_end, status, price_amount, price_currency, notes, client_note,
		cancelled_by, cancel_reason, plan_id, created_by, created_at, updated_at`
	appointmentByIDSQL = `SELECT ` + appointmentColumns + ` FROM appointments WHERE id = ?`
)

// bookingStmts are the prepared statements of the booking write path (on
// the writer) and of its hot read (on the read pool).
type bookingStmts struct {
	specialistOverlap, resourceOverlap, clientOverlap, idempotencyKey, insertIdempotency,
	insertAppointment, insertAppointmentResource, insertHistory, insertEvent, findAppointment *sql.Stmt

	appointmentByID *sql.Stmt // on the read pool
}

// prepare prepares every statement; on failure the ones prepared are closed.
func (b *bookingStmts) prepare(ctx context.Context, writer, reader *sql.DB) error {
	for _, p := range []struct {
		db    *sql.DB
		stmt  **sql.Stmt
		query string
	}{
		{writer, &b.specialistOverlap, specialistOverlapSQL},
		{writer, &b.resourceOverlap, resourceOverlapSQL},
		{writer, &b.clientOverlap, clientOverlapSQL},
		{writer, &b.idempotencyKey, idempotencyKeySQL},
		{writer, &b.insertIdempotency, insertIdempotencySQL},
		{writer, &b.insertAppointment, insertAppointmentSQL},
		{writer, &b.insertAppointmentResource, insertAppointmentResourceSQL},
		{writer, &b.insertHistory, insertHistorySQL},
		{writer, &b.insertEvent, insertEventSQL},
		{writer, &b.findAppointment, appointmentByIDSQL},
		{reader, &b.appointmentByID, appointmentByIDSQL},
	} {
		st, err := p.db.PrepareContext(ctx, p.query)
		if err != nil {
			return errors.Join(fmt.Errorf("sqlite: prepare: %w", err), b.close())
		}
		*p.stmt = st
	}
	return nil
}

// close closes the statements prepared so far.
func (b *bookingStmts) close() error {
	var errs []error
	for _, st := range []**sql.Stmt{&b.specialistOverlap, &b.resourceOverlap, &b.clientOverlap,
		&b.idempotencyKey, &b.insertIdempotency, &b.insertAppointment, &b.insertAppointmentResource,
		&b.insertHistory, &b.insertEvent, &b.findAppointment, &b.appointmentByID} {
		if *st != nil {
			errs = append(errs, (*st).Close())
			*st = nil
		}
	}
	return errors.Join(errs...)
}

// CreateAppointment books a, in one write transaction, as booking.Store
// documents. A retry with an idempotency key the client already used returns
// the appointment as it is now and created=false, whatever a holds. An
// appointment created in an inactive status (an import of a past visit)
// holds no time and is not checked for overlaps. A zero UpdatedAt is set to
// CreatedAt. The event gets the stored appointment, its ID and client, and
// a.CreatedAt when ev.At is zero. ErrInvalidInput for a malformed a (a block longer than booking.MaxBlock
// included) or a taken ID; ErrNotFound if it refers to an unknown branch,
// service, specialist, resource or plan.
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
	if idempotencyKey != "" {
		var id string
		err := tx.StmtContext(ctx, s.bk.idempotencyKey).QueryRowContext(ctx, a.ClientID, idempotencyKey).Scan(&id)
		switch {
		case err == nil:
			first, err := s.findAppointment(ctx, tx, id)
			return first, false, err
		case !errors.Is(err, sql.ErrNoRows):
			return booking.Appointment{}, false, fmt.Errorf("sqlite: find idempotency key: %w", err)
		}
	}
	if a.Status.Active() {
		if err := s.checkOverlap(ctx, tx, a); err != nil {
			return booking.Appointment{}, false, err
		}
	}
	if err := s.insertAppointment(ctx, tx, a); err != nil {
		return booking.Appointment{}, false, err
	}
	if err := s.insertHistory(ctx, tx, booking.StatusChange{
		AppointmentID: a.ID, To: a.Status, At: a.CreatedAt, By: a.CreatedBy,
	}); err != nil {
		return booking.Appointment{}, false, err
	}
	if idempotencyKey != "" {
		if _, err := tx.StmtContext(ctx, s.bk.insertIdempotency).ExecContext(ctx,
			a.ClientID, idempotencyKey, a.ID, encodeTime(a.CreatedAt)); err != nil {
			return booking.Appointment{}, false, fmt.Errorf("sqlite: insert idempotency key: %w", err)
		}
	}
	if err := s.appendBookingEvent(ctx, tx, ev, a, a.CreatedAt); err != nil {
		return booking.Appointment{}, false, err
	}
	return a, true, nil
}

// MoveAppointment reschedules an active appointment, in one write
// transaction, as booking.Store documents. The store completes the history
// line from the stored appointment — AppointmentID, From and To (its status,
// unchanged), OldStart and OldEnd — and takes At, By and Reason from change;
// UpdatedAt is change.At when moved.UpdatedAt is zero. The event gets the
// appointment after the move and, when ev.OldStart is zero, the old start.
// On ErrSlotTaken (or any error) nothing changes.
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
	cur, err := s.findAppointment(ctx, tx, moved.ID)
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
		next.UpdatedAt = change.At.UTC()
	}
	if err := validateAppointment(next); err != nil {
		return booking.Appointment{}, err
	}
	if err := s.checkOverlap(ctx, tx, next); err != nil {
		return booking.Appointment{}, err
	}
	resourceIDs, err := encodeList(next.ResourceIDs)
	if err != nil {
		return booking.Appointment{}, err
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE appointments SET specialist_id = ?, resource_ids = ?, start_at = ?, end_at = ?,
			block_start = ?, block_end = ?, updated_at = ?
		WHERE id = ?`,
		next.SpecialistID, resourceIDs, encodeTime(next.Start), encodeTime(next.End),
		encodeTime(next.BlockStart), encodeTime(next.BlockEnd), encodeTime(next.UpdatedAt), next.ID); err != nil {
		return booking.Appointment{}, bookingError(fmt.Errorf("sqlite: move appointment: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM appointment_resources WHERE appointment_id = ?`, next.ID); err != nil {
		return booking.Appointment{}, fmt.Errorf("sqlite: move appointment: %w", err)
	}
	if err := s.insertAppointmentResources(ctx, tx, next); err != nil {
		return booking.Appointment{}, err
	}
	change.AppointmentID, change.From, change.To = next.ID, cur.Status, cur.Status
	change.OldStart, change.OldEnd = cur.Start, cur.End
	if err := s.insertHistory(ctx, tx, change); err != nil {
		return booking.Appointment{}, err
	}
	if ev.OldStart.IsZero() {
		ev.OldStart = cur.Start
	}
	if err := s.appendBookingEvent(ctx, tx, ev, next, change.At); err != nil {
		return booking.Appointment{}, err
	}
	return next, nil
}

// SetStatus changes the appointment's status, in one write transaction, as
// booking.Store documents. The store completes the history line with the
// appointment's ID and its status before (From); To, At, By and Reason come
// from change. Leaving the active statuses releases the resources' time;
// returning to them (when from allows it, e.g. undoing a no-show) checks for
// overlaps first, as CreateAppointment does, and fails with ErrSlotTaken if
// the time was booked meanwhile. The event gets the appointment after the
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
	cur, err := s.findAppointment(ctx, tx, id)
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
	next.UpdatedAt = change.At.UTC()
	if !cur.Status.Active() && next.Status.Active() {
		if err := s.checkOverlap(ctx, tx, next); err != nil {
			return booking.Appointment{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE appointments SET status = ?, cancelled_by = ?, cancel_reason = ?, notes = ?, updated_at = ?
		WHERE id = ?`,
		string(next.Status), next.CancelledBy, next.CancelReason, next.Notes, encodeTime(next.UpdatedAt), id); err != nil {
		return booking.Appointment{}, fmt.Errorf("sqlite: set status: %w", err)
	}
	if cur.Status.Active() != next.Status.Active() {
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_resources SET active = ? WHERE appointment_id = ?`,
			next.Status.Active(), id); err != nil {
			return booking.Appointment{}, fmt.Errorf("sqlite: set status: %w", err)
		}
	}
	change.AppointmentID, change.From = id, cur.Status
	change.OldStart, change.OldEnd = time.Time{}, time.Time{}
	if err := s.insertHistory(ctx, tx, change); err != nil {
		return booking.Appointment{}, err
	}
	if err := s.appendBookingEvent(ctx, tx, ev, next, change.At); err != nil {
		return booking.Appointment{}, err
	}
	return next, nil
}

// AppointmentByID returns the appointment, or ErrNotFound.
func (s *Store) AppointmentByID(ctx context.Context, id string) (booking.Appointment, error) {
	a, err := scanAppointment(s.bk.appointmentByID.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return booking.Appointment{}, booking.ErrNotFound
	} else if err != nil {
		return booking.Appointment{}, fmt.Errorf("sqlite: find appointment: %w", err)
	}
	return a, nil
}

// AppointmentByIdempotencyKey returns the appointment clientID created with
// key, or ErrNotFound.
func (s *Store) AppointmentByIdempotencyKey(ctx context.Context, clientID, key string) (booking.Appointment, error) {
	var id string
	err := s.reader.QueryRowContext(ctx, idempotencyKeySQL, clientID, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return booking.Appointment{}, booking.ErrNotFound
	} else if err != nil {
		return booking.Appointment{}, fmt.Errorf("sqlite: find idempotency key: %w", err)
	}
	return s.AppointmentByID(ctx, id)
}

// Busy returns the active appointments of any of f's specialists or
// resources whose blocked time overlaps [f.From, f.To), ordered by BlockStart
// (then ID). With neither specialists nor resources it returns none. From
// and To are required.
func (s *Store) Busy(ctx context.Context, f booking.BusyFilter) ([]booking.Appointment, error) {
	switch {
	case f.From.IsZero():
		return nil, invalid("From", "is required")
	case f.To.IsZero():
		return nil, invalid("To", "is required")
	case len(f.SpecialistIDs) == 0 && len(f.ResourceIDs) == 0, !f.From.Before(f.To):
		return nil, nil
	}
	query, args := busyQuery(f)
	return queryRead(ctx, s, "busy", appointmentDest, query, args...)
}

// busyQuery is Busy's query for f, which names specialists, resources or
// both: the two bounded index ranges, united.
func busyQuery(f booking.BusyFilter) (string, []any) {
	lo, from, to := encodeTime(f.From.Add(-booking.MaxBlock)), encodeTime(f.From), encodeTime(f.To)
	var (
		parts []string
		args  []any
	)
	if len(f.SpecialistIDs) > 0 {
		in, a := inList("specialist_id", f.SpecialistIDs)
		parts = append(parts, `SELECT `+appointmentColumns+` FROM appointments
			WHERE `+in+` AND block_start > ? AND block_start < ? AND block_end > ?
				AND status IN ('pending', 'confirmed')`)
		args = append(append(args, a...), lo, to, from)
	}
	if len(f.ResourceIDs) > 0 {
		in, a := inList("resource_id", f.ResourceIDs)
		parts = append(parts, `SELECT `+appointmentColumns+` FROM appointments
			WHERE id IN (SELECT appointment_id FROM appointment_resources
				WHERE `+in+` AND active = 1 AND block_start > ? AND block_start < ? AND block_end > ?)
			AND status IN ('pending', 'confirmed')`)
		args = append(append(args, a...), lo, to, from)
	}
	query := parts[0]
	if len(parts) == 2 {
		query += ` UNION ` + parts[1]
	}
	return query + ` ORDER BY block_start, id`, args
}

// Appointments returns the appointments matching every non-empty field of
// f, ordered by Start then ID (Descending: the reverse). From and To select
// those whose blocked time overlaps [From, To); either may be zero
// (unbounded on that side).
func (s *Store) Appointments(ctx context.Context, f booking.AppointmentFilter) ([]booking.Appointment, error) {
	var (
		where []string
		args  []any
	)
	for _, c := range []struct{ col, val string }{
		{"client_id", f.ClientID}, {"specialist_id", f.SpecialistID}, {"branch_id", f.BranchID}, {"plan_id", f.PlanID},
	} {
		if c.val != "" {
			where, args = append(where, c.col+` = ?`), append(args, c.val)
		}
	}
	if !f.From.IsZero() {
		where = append(where, `block_end > ?`, `block_start > ?`)
		args = append(args, encodeTime(f.From), encodeTime(f.From.Add(-booking.MaxBlock)))
	}
	if !f.To.IsZero() {
		where, args = append(where, `block_start < ?`), append(args, encodeTime(f.To))
	}
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			statuses[i] = string(st)
		}
		in, a := inList("status", statuses)
		where, args = append(where, in), append(args, a...)
	}
	order := ` ORDER BY start_at, id`
	if f.Descending {
		order = ` ORDER BY start_at DESC, id DESC`
	}
	query := `SELECT ` + appointmentColumns + ` FROM appointments` + whereClause(where) + order
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return queryRead(ctx, s, "list appointments", appointmentDest, query, args...)
}

// History returns the appointment's status changes, oldest first; none for
// an unknown appointment (every stored one has at least its booking line).
func (s *Store) History(ctx context.Context, appointmentID string) ([]booking.StatusChange, error) {
	return queryRead(ctx, s, "history", historyDest, `
		SELECT appointment_id, from_status, to_status, at, by_user, reason, old_start, old_end
		FROM appointment_history WHERE appointment_id = ? ORDER BY seq`, appointmentID)
}

func historyDest(c *booking.StatusChange) []any {
	return []any{&c.AppointmentID, (*string)(&c.From), (*string)(&c.To), timeDest{&c.At}, &c.By, &c.Reason,
		timeDest{&c.OldStart}, timeDest{&c.OldEnd}}
}

// checkOverlap returns ErrSlotTaken if an active appointment other than a
// itself overlaps a: the specialist's or a resource's blocked time, or the
// client's service time.
func (s *Store) checkOverlap(ctx context.Context, tx *sql.Tx, a booking.Appointment) error {
	taken := func(st *sql.Stmt, args ...any) (bool, error) {
		var one int
		err := tx.StmtContext(ctx, st).QueryRowContext(ctx, args...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, fmt.Errorf("sqlite: check overlap: %w", err)
		}
		return true, nil
	}
	lo, bstart, bend := encodeTime(a.BlockStart.Add(-booking.MaxBlock)), encodeTime(a.BlockStart), encodeTime(a.BlockEnd)
	if busy, err := taken(s.bk.specialistOverlap, a.SpecialistID, lo, bend, bstart, a.ID); err != nil {
		return err
	} else if busy {
		return fmt.Errorf("%w: the specialist is busy then", booking.ErrSlotTaken)
	}
	for _, r := range a.ResourceIDs {
		if busy, err := taken(s.bk.resourceOverlap, r, lo, bend, bstart, a.ID); err != nil {
			return err
		} else if busy {
			return booking.ErrResourceTaken
		}
	}
	if busy, err := taken(s.bk.clientOverlap, a.ClientID, encodeTime(a.Start.Add(-booking.MaxBlock)),
		encodeTime(a.End), encodeTime(a.Start), a.ID); err != nil {
		return err
	} else if busy {
		return fmt.Errorf("%w: the client has another appointment then", booking.ErrSlotTaken)
	}
	return nil
}

func (s *Store) insertAppointment(ctx context.Context, tx *sql.Tx, a booking.Appointment) error {
	resourceIDs, err := encodeList(a.ResourceIDs)
	if err != nil {
		return err
	}
	if _, err := tx.StmtContext(ctx, s.bk.insertAppointment).ExecContext(ctx,
		a.ID, a.ClientID, a.BranchID, a.ServiceID, a.SpecialistID, resourceIDs,
		encodeTime(a.Start), encodeTime(a.End), encodeTime(a.BlockStart), encodeTime(a.BlockEnd),
		string(a.Status), a.Price.Amount, a.Price.Currency, a.Notes, a.ClientNote, a.CancelledBy,
		a.CancelReason, nullString(a.PlanID), a.CreatedBy, encodeTime(a.CreatedAt), encodeTime(a.UpdatedAt),
	); err != nil {
		return bookingError(fmt.Errorf("sqlite: insert appointment: %w", err))
	}
	return s.insertAppointmentResources(ctx, tx, a)
}

// insertAppointmentResources writes a's resource rows, active when a is.
func (s *Store) insertAppointmentResources(ctx context.Context, tx *sql.Tx, a booking.Appointment) error {
	if len(a.ResourceIDs) == 0 {
		return nil
	}
	st := tx.StmtContext(ctx, s.bk.insertAppointmentResource)
	bstart, bend := encodeTime(a.BlockStart), encodeTime(a.BlockEnd)
	for _, r := range a.ResourceIDs {
		if _, err := st.ExecContext(ctx, a.ID, r, bstart, bend, a.Status.Active()); err != nil {
			return bookingError(fmt.Errorf("sqlite: insert appointment resource: %w", err))
		}
	}
	return nil
}

func (s *Store) insertHistory(ctx context.Context, tx *sql.Tx, c booking.StatusChange) error {
	if _, err := tx.StmtContext(ctx, s.bk.insertHistory).ExecContext(ctx,
		c.AppointmentID, string(c.From), string(c.To), encodeTime(c.At), c.By, c.Reason,
		encodeNullTime(c.OldStart), encodeNullTime(c.OldEnd)); err != nil {
		return fmt.Errorf("sqlite: insert history: %w", err)
	}
	return nil
}

// findAppointment reads one appointment in the write transaction tx, or
// ErrNotFound.
func (s *Store) findAppointment(ctx context.Context, tx *sql.Tx, id string) (booking.Appointment, error) {
	a, err := scanAppointment(tx.StmtContext(ctx, s.bk.findAppointment).QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return booking.Appointment{}, booking.ErrNotFound
	} else if err != nil {
		return booking.Appointment{}, fmt.Errorf("sqlite: find appointment: %w", err)
	}
	return a, nil
}

// scanAppointment reads appointmentColumns. It returns sql.ErrNoRows
// unwrapped.
func scanAppointment(row scanner) (booking.Appointment, error) {
	var a booking.Appointment
	if err := row.Scan(appointmentDest(&a)...); err != nil {
		return booking.Appointment{}, err
	}
	return a, nil
}

// appointmentDest is the scan destination of appointmentColumns.
func appointmentDest(a *booking.Appointment) []any {
	return []any{&a.ID, &a.ClientID, &a.BranchID, &a.ServiceID, &a.SpecialistID, listDest[string]{&a.ResourceIDs},
		timeDest{&a.Start}, timeDest{&a.End}, timeDest{&a.BlockStart}, timeDest{&a.BlockEnd}, (*string)(&a.Status),
		&a.Price.Amount, &a.Price.Currency, &a.Notes, &a.ClientNote, &a.CancelledBy, &a.CancelReason,
		nullDest{&a.PlanID}, &a.CreatedBy, timeDest{&a.CreatedAt}, timeDest{&a.UpdatedAt}}
}

// normalizeAppointment puts a's instants in UTC and an empty resource list
// as nil, the way they come back from the database.
func normalizeAppointment(a booking.Appointment) booking.Appointment {
	for _, t := range []*time.Time{&a.Start, &a.End, &a.BlockStart, &a.BlockEnd, &a.CreatedAt, &a.UpdatedAt} {
		*t = t.UTC()
	}
	if len(a.ResourceIDs) == 0 {
		a.ResourceIDs = nil
	}
	return a
}

// validateAppointment checks what the store relies on: the references are
// set, the times are ordered, and the block is no longer than MaxBlock (the
// bound of every overlap query).
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
