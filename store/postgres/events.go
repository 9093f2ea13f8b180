package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/internal/format"
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
	payload, err := json.Marshal(format.EncodeBooking(ev))
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
		var stored format.BookingEvent
		if err := json.Unmarshal(r.payload, &stored); err != nil {
			return nil, fmt.Errorf("postgres: event %d: %w", r.seq, err)
		}
		ev, err := stored.Decode()
		if err != nil {
			return nil, fmt.Errorf("postgres: event %d: %w", r.seq, err)
		}
		ev.Seq = r.seq
		list = append(list, ev)
	}
	return list, nil
}
