package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// The events table is one log for every package (a stream each), appended in
// the transaction of the change it records (a transactional outbox) and read
// by consumers with their own cursor on seq.
//
// A cursor is safe only if seqs become visible in order: if a transaction
// that drew seq 10 committed after one that drew seq 11, a consumer could
// read 11, move its cursor past it, and never see 10. So the log has an
// advisory lock that appenders take shared and readers exclusive:
// appendEvent takes it shared before it draws a seq and holds it to the
// commit, so appends run side by side (their commits share WAL flushes);
// eventsAfter takes it exclusive, which waits until every append in
// progress has committed or rolled back and holds new ones off, and only
// then reads, in a statement whose snapshot is taken after the lock. Every
// seq drawn before the read belongs to a finished transaction, so a reader
// that sees seq n sees every committed seq below it.

// streamBooking is the stream of booking's events.
const streamBooking = "booking"

// defaultEventsLimit is how many events EventsAfter returns for a limit of 0
// or less.
const defaultEventsLimit = 100

// appendEvent adds one event to the log in tx and returns its seq. It must be
// the last lock tx takes (see above).
func appendEvent(ctx context.Context, tx *sql.Tx, stream, typ, subjectID, clientID string, at time.Time, payload []byte) (int64, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, eventLogLock); err != nil {
		return 0, fmt.Errorf("postgres: append event: lock: %w", err)
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO events (stream, type, subject_id, client_id, at, payload)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq`,
		stream, typ, subjectID, clientID, utc(at), string(payload)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: append event: %w", err)
	}
	return seq, nil
}

// appendBookingEvent appends ev for appointment a (as it is after the
// change): the store sets its AppointmentID, ClientID and Appointment from a,
// and At to at when it is zero.
func appendBookingEvent(ctx context.Context, tx *sql.Tx, ev booking.Event, a booking.Appointment, at time.Time) error {
	ev.AppointmentID, ev.ClientID, ev.Appointment = a.ID, a.ClientID, a
	if ev.At.IsZero() {
		ev.At = at
	}
	payload, err := json.Marshal(encodeBookingEvent(ev))
	if err != nil {
		return fmt.Errorf("postgres: encode event: %w", err)
	}
	_, err = appendEvent(ctx, tx, streamBooking, string(ev.Type), ev.AppointmentID, ev.ClientID, ev.At, payload)
	return err
}

// storedEvent is a row of the log as read.
type storedEvent struct {
	seq     int64
	payload []byte
}

// eventsAfter reads up to limit (100 if limit ≤ 0) events of stream with seq
// > after, in seq order: in a READ COMMITTED transaction that first takes
// the log's lock exclusive, so that no append is in progress when the read's
// snapshot is taken (see above).
func (s *Store) eventsAfter(ctx context.Context, stream string, after int64, limit int) ([]storedEvent, error) {
	if limit <= 0 {
		limit = defaultEventsLimit
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, eventLogLock); err != nil {
		return nil, fmt.Errorf("postgres: events: lock: %w", err)
	}
	rows, err := queryAll(ctx, tx, "events", func(r *storedEvent) []any { return []any{&r.seq, jsonDest{&r.payload}} },
		`SELECT seq, payload FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3`, stream, after, limit)
	if err != nil {
		return nil, err
	}
	// Committing ends the lock at once; a rollback would too, but says less.
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("postgres: events: %w", err)
	}
	return rows, nil
}

// EventsAfter returns up to limit (100 if limit ≤ 0) of booking's events with
// Seq > after, in Seq order. Events of other streams in the same log are not
// returned, so Seqs may skip.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]booking.Event, error) {
	rows, err := s.eventsAfter(ctx, streamBooking, after, limit)
	if err != nil {
		return nil, err
	}
	var list []booking.Event
	for _, r := range rows {
		var stored storedBookingEvent
		if err := json.Unmarshal(r.payload, &stored); err != nil {
			return nil, fmt.Errorf("postgres: event %d: %w", r.seq, err)
		}
		ev, err := stored.decode()
		if err != nil {
			return nil, fmt.Errorf("postgres: event %d: %w", r.seq, err)
		}
		ev.Seq = r.seq
		list = append(list, ev)
	}
	return list, nil
}

// eventTimeLayout is how instants are written in payloads: UTC, fixed width,
// nanoseconds, as store/sqlite writes them, so a consumer forwarding a
// payload sees one format whatever the backend.
const eventTimeLayout = "2006-01-02T15:04:05.000000000Z"

// eventTime is t as written in a payload, "" for the zero time.
func eventTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(eventTimeLayout)
}

// decodeEventTime parses a payload's instant.
func decodeEventTime(s string) (time.Time, error) {
	t, err := time.Parse(eventTimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("postgres: stored time %q: %w", s, err)
	}
	return t, nil
}

// storedBookingEvent is the payload of a booking event: the whole Event but
// its Seq, under explicit names (a consumer may forward it as it is).
type storedBookingEvent struct {
	Type          string                 `json:"type"`
	AppointmentID string                 `json:"appointment_id"`
	ClientID      string                 `json:"client_id"`
	At            string                 `json:"at"`
	Appointment   storedAppointmentEvent `json:"appointment"`
	OldStart      string                 `json:"old_start,omitempty"`
}

type storedAppointmentEvent struct {
	ID           string        `json:"id"`
	ClientID     string        `json:"client_id"`
	BranchID     string        `json:"branch_id"`
	ServiceID    string        `json:"service_id"`
	SpecialistID string        `json:"specialist_id"`
	ResourceIDs  []string      `json:"resource_ids,omitempty"`
	Start        string        `json:"start"`
	End          string        `json:"end"`
	BlockStart   string        `json:"block_start"`
	BlockEnd     string        `json:"block_end"`
	Status       string        `json:"status"`
	Price        booking.Money `json:"price"`
	Notes        string        `json:"notes,omitempty"`
	ClientNote   string        `json:"client_note,omitempty"`
	CancelledBy  string        `json:"cancelled_by,omitempty"`
	CancelReason string        `json:"cancel_reason,omitempty"`
	PlanID       string        `json:"plan_id,omitempty"`
	CreatedBy    string        `json:"created_by,omitempty"`
	CreatedAt    string        `json:"created_at"`
	UpdatedAt    string        `json:"updated_at"`
}

func encodeBookingEvent(ev booking.Event) storedBookingEvent {
	a := ev.Appointment
	return storedBookingEvent{
		Type: string(ev.Type), AppointmentID: ev.AppointmentID, ClientID: ev.ClientID, At: eventTime(ev.At),
		OldStart: eventTime(ev.OldStart),
		Appointment: storedAppointmentEvent{
			ID: a.ID, ClientID: a.ClientID, BranchID: a.BranchID, ServiceID: a.ServiceID,
			SpecialistID: a.SpecialistID, ResourceIDs: a.ResourceIDs,
			Start: eventTime(a.Start), End: eventTime(a.End),
			BlockStart: eventTime(a.BlockStart), BlockEnd: eventTime(a.BlockEnd),
			Status: string(a.Status), Price: a.Price, Notes: a.Notes, ClientNote: a.ClientNote,
			CancelledBy: a.CancelledBy, CancelReason: a.CancelReason, PlanID: a.PlanID, CreatedBy: a.CreatedBy,
			CreatedAt: eventTime(a.CreatedAt), UpdatedAt: eventTime(a.UpdatedAt),
		},
	}
}

func (e storedBookingEvent) decode() (booking.Event, error) {
	a := e.Appointment
	ev := booking.Event{
		Type: booking.EventType(e.Type), AppointmentID: e.AppointmentID, ClientID: e.ClientID,
		Appointment: booking.Appointment{
			ID: a.ID, ClientID: a.ClientID, BranchID: a.BranchID, ServiceID: a.ServiceID,
			SpecialistID: a.SpecialistID, Status: booking.Status(a.Status), Price: a.Price, Notes: a.Notes,
			ClientNote: a.ClientNote, CancelledBy: a.CancelledBy, CancelReason: a.CancelReason,
			PlanID: a.PlanID, CreatedBy: a.CreatedBy,
		},
	}
	if len(a.ResourceIDs) > 0 {
		ev.Appointment.ResourceIDs = a.ResourceIDs
	}
	for _, t := range []struct {
		dst *time.Time
		src string
	}{
		{&ev.At, e.At}, {&ev.OldStart, e.OldStart},
		{&ev.Appointment.Start, a.Start}, {&ev.Appointment.End, a.End},
		{&ev.Appointment.BlockStart, a.BlockStart}, {&ev.Appointment.BlockEnd, a.BlockEnd},
		{&ev.Appointment.CreatedAt, a.CreatedAt}, {&ev.Appointment.UpdatedAt, a.UpdatedAt},
	} {
		if t.src == "" {
			continue
		}
		v, err := decodeEventTime(t.src)
		if err != nil {
			return booking.Event{}, err
		}
		*t.dst = v
	}
	return ev, nil
}
