package sqlite

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

// streamBooking is the stream of booking's events.
const streamBooking = "booking"

// defaultEventsLimit is how many events EventsAfter returns for a limit of 0
// or less.
const defaultEventsLimit = 100

// appendEvent adds one event to the log in tx and returns its seq.
func (s *Store) appendEvent(ctx context.Context, tx *sql.Tx, stream, typ, subjectID, clientID string, at time.Time, payload []byte) (int64, error) {
	res, err := tx.StmtContext(ctx, s.bk.insertEvent).ExecContext(ctx,
		stream, typ, subjectID, clientID, encodeTime(at), string(payload))
	if err != nil {
		return 0, fmt.Errorf("sqlite: append event: %w", err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("sqlite: append event: %w", err)
	}
	return seq, nil
}

// appendBookingEvent appends ev for appointment a (as it is after the
// change): the store sets its AppointmentID, ClientID and Appointment from a,
// and At to at when it is zero.
func (s *Store) appendBookingEvent(ctx context.Context, tx *sql.Tx, ev booking.Event, a booking.Appointment, at time.Time) error {
	ev.AppointmentID, ev.ClientID, ev.Appointment = a.ID, a.ClientID, a
	if ev.At.IsZero() {
		ev.At = at
	}
	payload, err := json.Marshal(format.EncodeBooking(ev))
	if err != nil {
		return fmt.Errorf("sqlite: encode event: %w", err)
	}
	_, err = s.appendEvent(ctx, tx, streamBooking, string(ev.Type), ev.AppointmentID, ev.ClientID, ev.At, payload)
	return err
}

// EventsAfter returns up to limit (100 if limit ≤ 0) of booking's events with
// Seq > after, in Seq order. Events of other streams in the same log are not
// returned, so Seqs may skip.
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]booking.Event, error) {
	if limit <= 0 {
		limit = defaultEventsLimit
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT seq, payload FROM events
		WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?`, streamBooking, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	defer rows.Close()
	var list []booking.Event
	for rows.Next() {
		var (
			seq     int64
			payload string
		)
		if err := rows.Scan(&seq, &payload); err != nil {
			return nil, fmt.Errorf("sqlite: events: %w", err)
		}
		var stored format.BookingEvent
		if err := json.Unmarshal([]byte(payload), &stored); err != nil {
			return nil, fmt.Errorf("sqlite: event %d: %w", seq, err)
		}
		ev, err := stored.Decode()
		if err != nil {
			return nil, fmt.Errorf("sqlite: event %d: %w", seq, err)
		}
		ev.Seq = seq
		list = append(list, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events: %w", err)
	}
	return list, nil
}
