package sqlite

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
	payload, err := json.Marshal(encodeBookingEvent(ev))
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
		var stored storedBookingEvent
		if err := json.Unmarshal([]byte(payload), &stored); err != nil {
			return nil, fmt.Errorf("sqlite: event %d: %w", seq, err)
		}
		ev, err := stored.decode()
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

// storedBookingEvent is the payload of a booking event: the whole Event but
// its Seq, under explicit names (a consumer may forward it as it is), with
// instants as the store's fixed-width UTC text ("" for none).
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

// eventTime is t as stored, "" for the zero time.
func eventTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return encodeTime(t)
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
		v, err := decodeTime(t.src)
		if err != nil {
			return booking.Event{}, err
		}
		*t.dst = v
	}
	return ev, nil
}
