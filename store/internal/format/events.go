package format

import (
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// TimeLayout is how instants are written in payloads: UTC, fixed width,
// nanoseconds.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Time is t as written in a payload, "" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// ParseTime reads an instant of a payload.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("format: stored time %q: %w", s, err)
	}
	return t, nil
}

// fillTimes parses each non-empty source into its destination.
func fillTimes(times []timeField) error {
	for _, t := range times {
		if t.src == "" {
			continue
		}
		v, err := ParseTime(t.src)
		if err != nil {
			return err
		}
		*t.dst = v
	}
	return nil
}

type timeField struct {
	dst *time.Time
	src string
}

// BookingEvent is the payload of a booking event: the whole booking.Event
// but its Seq.
type BookingEvent struct {
	Type          string           `json:"type"`
	AppointmentID string           `json:"appointment_id"`
	ClientID      string           `json:"client_id"`
	At            string           `json:"at"`
	Appointment   AppointmentEvent `json:"appointment"`
	OldStart      string           `json:"old_start,omitempty"`
}

// AppointmentEvent is the appointment of a BookingEvent, as it is after the
// change.
type AppointmentEvent struct {
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

// EncodeBooking is ev's payload.
func EncodeBooking(ev booking.Event) BookingEvent {
	a := ev.Appointment
	return BookingEvent{
		Type: string(ev.Type), AppointmentID: ev.AppointmentID, ClientID: ev.ClientID, At: Time(ev.At),
		OldStart: Time(ev.OldStart),
		Appointment: AppointmentEvent{
			ID: a.ID, ClientID: a.ClientID, BranchID: a.BranchID, ServiceID: a.ServiceID,
			SpecialistID: a.SpecialistID, ResourceIDs: a.ResourceIDs,
			Start: Time(a.Start), End: Time(a.End), BlockStart: Time(a.BlockStart), BlockEnd: Time(a.BlockEnd),
			Status: string(a.Status), Price: a.Price, Notes: a.Notes, ClientNote: a.ClientNote,
			CancelledBy: a.CancelledBy, CancelReason: a.CancelReason, PlanID: a.PlanID, CreatedBy: a.CreatedBy,
			CreatedAt: Time(a.CreatedAt), UpdatedAt: Time(a.UpdatedAt),
		},
	}
}

// Decode is the event e was encoded from (without its Seq).
func (e BookingEvent) Decode() (booking.Event, error) {
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
	err := fillTimes([]timeField{
		{&ev.At, e.At}, {&ev.OldStart, e.OldStart},
		{&ev.Appointment.Start, a.Start}, {&ev.Appointment.End, a.End},
		{&ev.Appointment.BlockStart, a.BlockStart}, {&ev.Appointment.BlockEnd, a.BlockEnd},
		{&ev.Appointment.CreatedAt, a.CreatedAt}, {&ev.Appointment.UpdatedAt, a.UpdatedAt},
	})
	if err != nil {
		return booking.Event{}, err
	}
	return ev, nil
}

// OrderEvent is the payload of an order event: the whole card.OrderEvent
// but its Seq.
type OrderEvent struct {
	Type     string     `json:"type"`
	OrderID  string     `json:"order_id"`
	ClientID string     `json:"client_id"`
	At       string     `json:"at"`
	By       string     `json:"by"`
	From     string     `json:"from,omitempty"`
	Order    OrderState `json:"order"`
}

// OrderState is the order of an OrderEvent, as it is after the change.
type OrderState struct {
	ID           string        `json:"id"`
	Number       int64         `json:"number"`
	ClientID     string        `json:"client_id"`
	BranchID     string        `json:"branch_id"`
	Status       string        `json:"status"`
	Source       string        `json:"source"`
	Items        []OrderItem   `json:"items"`
	Total        booking.Money `json:"total"`
	Note         string        `json:"note,omitempty"`
	CancelReason string        `json:"cancel_reason,omitempty"`
	CancelledBy  string        `json:"cancelled_by,omitempty"`
	CreatedBy    string        `json:"created_by"`
	CreatedAt    string        `json:"created_at"`
	UpdatedAt    string        `json:"updated_at"`
	CompletedAt  string        `json:"completed_at,omitempty"`
}

// OrderItem is a line of an OrderState.
type OrderItem struct {
	ProductID string        `json:"product_id"`
	Brand     string        `json:"brand"`
	Line      string        `json:"line,omitempty"`
	Name      string        `json:"name"`
	Category  string        `json:"category"`
	Volume    int           `json:"volume,omitempty"`
	Unit      string        `json:"unit,omitempty"`
	DailyUse  float64       `json:"daily_use,omitempty"`
	Quantity  int           `json:"quantity"`
	UnitPrice booking.Money `json:"unit_price"`
}

// EncodeOrder is ev's payload.
func EncodeOrder(ev card.OrderEvent) OrderEvent {
	o := ev.Order
	items := make([]OrderItem, len(o.Items))
	for i, it := range o.Items {
		items[i] = OrderItem{ProductID: it.ProductID, Brand: it.Brand, Line: it.Line, Name: it.Name,
			Category: string(it.Category), Volume: it.Volume, Unit: string(it.Unit), DailyUse: it.DailyUse,
			Quantity: it.Quantity, UnitPrice: it.UnitPrice}
	}
	return OrderEvent{
		Type: string(ev.Type), OrderID: ev.OrderID, ClientID: ev.ClientID, At: Time(ev.At), By: ev.By,
		From: string(ev.From),
		Order: OrderState{ID: o.ID, Number: o.Number, ClientID: o.ClientID, BranchID: o.BranchID,
			Status: string(o.Status), Source: string(o.Source), Items: items, Total: o.Total, Note: o.Note,
			CancelReason: o.CancelReason, CancelledBy: o.CancelledBy, CreatedBy: o.CreatedBy,
			CreatedAt: Time(o.CreatedAt), UpdatedAt: Time(o.UpdatedAt), CompletedAt: Time(o.CompletedAt)},
	}
}

// Decode is the event e was encoded from (without its Seq).
func (e OrderEvent) Decode() (card.OrderEvent, error) {
	o := e.Order
	ev := card.OrderEvent{Type: card.OrderEventType(e.Type), OrderID: e.OrderID, ClientID: e.ClientID, By: e.By,
		From: card.OrderStatus(e.From),
		Order: card.Order{ID: o.ID, Number: o.Number, ClientID: o.ClientID, BranchID: o.BranchID,
			Status: card.OrderStatus(o.Status), Source: card.OrderSource(o.Source), Total: o.Total, Note: o.Note,
			CancelReason: o.CancelReason, CancelledBy: o.CancelledBy, CreatedBy: o.CreatedBy}}
	for _, it := range o.Items {
		ev.Order.Items = append(ev.Order.Items, card.OrderItem{ProductID: it.ProductID, Brand: it.Brand, Line: it.Line,
			Name: it.Name, Category: card.ProductCategory(it.Category), Volume: it.Volume, Unit: card.Unit(it.Unit),
			DailyUse: it.DailyUse, Quantity: it.Quantity, UnitPrice: it.UnitPrice})
	}
	err := fillTimes([]timeField{
		{&ev.At, e.At}, {&ev.Order.CreatedAt, o.CreatedAt}, {&ev.Order.UpdatedAt, o.UpdatedAt},
		{&ev.Order.CompletedAt, o.CompletedAt},
	})
	if err != nil {
		return card.OrderEvent{}, err
	}
	return ev, nil
}
