package format_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/internal/format"
)

var at = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// A booking event comes back whole, and its payload is the documented JSON:
// the format consumers of the log (webhooks) read, the same on every
// backend.
func TestBookingEvent(t *testing.T) {
	ev := booking.Event{Type: booking.EventRescheduled, AppointmentID: "a1", ClientID: "c1", At: at, OldStart: at.Add(-time.Hour),
		Appointment: booking.Appointment{ID: "a1", ClientID: "c1", BranchID: "b1", ServiceID: "peel", SpecialistID: "A",
			ResourceIDs: []string{"laser-1"}, Start: at.Add(24 * time.Hour), End: at.Add(25 * time.Hour),
			BlockStart: at.Add(24 * time.Hour), BlockEnd: at.Add(25*time.Hour + 15*time.Minute),
			Status: booking.StatusConfirmed, Price: booking.Money{Amount: 350000, Currency: "RUB"},
			ClientNote: "first visit", CreatedBy: "c1", CreatedAt: at, UpdatedAt: at}}
	b, err := json.Marshal(format.EncodeBooking(ev))
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"appointment.rescheduled","appointment_id":"a1","client_id":"c1","at":"2026-11-30T09:00:00.000000000Z",
		"old_start":"2026-11-30T08:00:00.000000000Z","appointment":{"id":"a1","client_id":"c1","branch_id":"b1",
		"service_id":"peel","specialist_id":"A","resource_ids":["laser-1"],"start":"2026-12-01T09:00:00.000000000Z",
		"end":"2026-12-01T10:00:00.000000000Z","block_start":"2026-12-01T09:00:00.000000000Z",
		"block_end":"2026-12-01T10:15:00.000000000Z","status":"confirmed","price":{"amount":350000,"currency":"RUB"},
		"client_note":"first visit","created_by":"c1","created_at":"2026-11-30T09:00:00.000000000Z",
		"updated_at":"2026-11-30T09:00:00.000000000Z"}}`, string(b))
	var back format.BookingEvent
	require.NoError(t, json.Unmarshal(b, &back))
	got, err := back.Decode()
	require.NoError(t, err)
	assert.Equal(t, ev, got)

	_, err = format.BookingEvent{At: "yesterday"}.Decode()
	assert.ErrorContains(t, err, "stored time")
}

func TestOrderEvent(t *testing.T) {
	ev := card.OrderEvent{Type: card.EventOrderCompleted, OrderID: "o1", ClientID: "c1", At: at, By: "m1", From: card.OrderReady,
		Order: card.Order{ID: "o1", Number: 7, ClientID: "c1", BranchID: "b1", Status: card.OrderCompleted,
			Source: card.OrderSourceCabinet, Total: booking.Money{Amount: 390000, Currency: "RUB"}, CreatedBy: "c1",
			Items: []card.OrderItem{{ProductID: "p1", Brand: "Derma Lab", Name: "Serum", Category: card.CategorySerum, Volume: 30,
				Unit: card.UnitML, DailyUse: 0.5, Quantity: 1, UnitPrice: booking.Money{Amount: 390000, Currency: "RUB"}}},
			CreatedAt: at.Add(-48 * time.Hour), UpdatedAt: at, CompletedAt: at}}
	b, err := json.Marshal(format.EncodeOrder(ev))
	require.NoError(t, err)
	var back format.OrderEvent
	require.NoError(t, json.Unmarshal(b, &back))
	got, err := back.Decode()
	require.NoError(t, err)
	assert.Equal(t, ev, got)
	assert.Contains(t, string(b), `"completed_at":"2026-11-30T09:00:00.000000000Z"`)
}

// A questionnaire comes back whole — unanswered lists apart from empty
// ones — and its stored JSON keeps its names.
func TestProfile(t *testing.T) {
	p := card.Profile{Name: "Анна", BirthDate: booking.Date{Year: 1990, Month: time.May, Day: 17}, Gender: card.GenderFemale,
		Locale: "ru", SkinType: card.SkinDry, Phototype: 2, Concerns: []card.Concern{{Code: card.ConcernAcne, Severity: 2}},
		Contraindications: []card.Contraindication{}}
	b, err := format.EncodeProfile(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"Анна","birth_date":"1990-05-17","gender":"female","locale":"ru","preferred_branch_id":"",
		"skin_type":"dry","phototype":2,"concerns":[{"code":"acne","severity":2}],"allergies":null,"contraindications":[],
		"home_care":null}`, string(b))
	got, err := format.DecodeProfile(b)
	require.NoError(t, err)
	assert.Equal(t, p, got)
	assert.Nil(t, got.Allergies, "unanswered stays unanswered")
	assert.NotNil(t, got.Contraindications, "none stays none")
	_, err = format.DecodeProfile([]byte(`{"birth_date":"17.05.1990"}`))
	assert.ErrorContains(t, err, "stored questionnaire")
}
