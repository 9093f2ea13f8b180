package cabinet_test

import (
	"database/sql"
	"mime"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// The clinic's desk acts as an admin in these tests.
var ordersDesk = card.Actor{UserID: "admin", Role: booking.RoleAdmin}

// seedShop puts two products on the shelf of b1: a serum that lasts 60
// days (30 ml at 0.5 ml a day) and a sheet mask without a daily use.
func (e *clinicEnv) seedShop() {
	e.t.Helper()
	ctx := e.t.Context()
	for _, p := range []card.Product{
		{ID: "serum", Brand: "Derma Lab", Name: "Vitamin C 15% Serum", Category: card.CategorySerum, Volume: 30, Unit: card.UnitML,
			DailyUse: 0.5, Price: booking.Money{Amount: 350000, Currency: "RUB"}, Active: true},
		{ID: "mask", Brand: "Aqua", Name: "Sheet Mask", Category: card.CategoryMask, Volume: 5, Unit: card.UnitPieces,
			Price: booking.Money{Amount: 120000, Currency: "RUB"}, Active: true},
	} {
		_, _, err := e.cab.Card().PutProduct(ctx, ordersDesk, p)
		require.NoError(e.t, err)
		_, err = e.cab.Card().ChangeStock(ctx, ordersDesk, card.StockChange{ProductID: p.ID, BranchID: "b1", Set: ptrTo(10)})
		require.NoError(e.t, err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// replanOrdersFromScratch moves the cabinet onto a copy of its database
// whose order planner never advanced, and runs a pass there.
func (e *clinicEnv) replanOrdersFromScratch() {
	e.t.Helper()
	ctx := e.t.Context()
	path := filepath.Join(e.t.TempDir(), "copy.db")
	require.NoError(e.t, e.st.Backup(ctx, path))
	db, err := sql.Open("sqlite", path)
	require.NoError(e.t, err)
	_, err = db.ExecContext(ctx, `DELETE FROM event_cursors WHERE consumer = 'notify.orders'`)
	require.NoError(e.t, err)
	require.NoError(e.t, db.Close())
	st, err := sqlite.Open(ctx, path)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { _ = st.Close() })
	e.st = st
	e.cab = e.newCabinet()
	e.cab.RunOnce(ctx)
}

func (e *clinicEnv) orderAs(clientID string, lines ...card.OrderLine) card.Order {
	e.t.Helper()
	o, _, err := e.cab.Card().PlaceOrder(e.t.Context(), card.Actor{UserID: clientID, Role: booking.RoleClient},
		card.OrderInput{BranchID: "b1", Lines: lines})
	require.NoError(e.t, err)
	return o
}

func (e *clinicEnv) moveOrder(id string, to card.OrderStatus, reason string) {
	e.t.Helper()
	_, err := e.cab.Card().SetOrderStatus(e.t.Context(), ordersDesk, id, to, reason)
	require.NoError(e.t, err)
}

// messagesOf returns Anna's messages of kind.
func (e *clinicEnv) messagesOf(kind string) []notify.Message {
	e.t.Helper()
	var out []notify.Message
	for _, m := range e.inbox() {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func subjectOf(t *testing.T, m interface{ Get(string) string }) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(m.Get("Subject"))
	require.NoError(t, err)
	return s
}

// An order's way from the cabinet to the client's shelf, told by e-mail;
// then the reminder to buy more before the serum runs out, replaced when
// the client buys it again.
func TestOrderMessagesAndReplenishment(t *testing.T) {
	e := newClinicEnv(t)
	e.seedShop()
	ctx := t.Context()
	anna := e.anna.User.ID

	o := e.orderAs(anna, card.OrderLine{ProductID: "serum", Quantity: 1}, card.OrderLine{ProductID: "mask", Quantity: 1})
	e.cab.RunOnce(ctx)
	received := e.messagesOf(notify.KindOrderReceived)
	require.Len(t, received, 1)
	assert.Equal(t, notify.StatusSent, received[0].Status)
	assert.Equal(t, notify.CategoryOrders, received[0].Category)
	assert.Equal(t, notify.ChannelEmail, received[0].Channel)
	m := e.sink.last(t)
	subject := subjectOf(t, m.Header)
	assert.Contains(t, subject, "принят")
	assert.Contains(t, subject, "Клиника Анны")
	p := parts(t, m)
	assert.Contains(t, p["text/plain"], "Derma Lab Vitamin C 15% Serum, 30\u00a0мл × 1: 3\u00a0500\u00a0₽", "the e-mail lists the items")
	assert.Contains(t, p["text/plain"], "Итого: 4\u00a0700\u00a0₽")
	assert.Contains(t, p["text/plain"], "Москва, Тверская, 1")
	assert.Contains(t, p["text/plain"], "https://clinic.example/cabinet/orders/"+o.ID)
	assert.Contains(t, p["text/html"], "Sheet Mask")

	for _, step := range []struct {
		to   card.OrderStatus
		kind string
		word string
	}{{card.OrderConfirmed, notify.KindOrderConfirmed, "подтверждён"}, {card.OrderReady, notify.KindOrderReady, "готов к выдаче"}} {
		e.moveOrder(o.ID, step.to, "")
		e.cab.RunOnce(ctx)
		require.Len(t, e.messagesOf(step.kind), 1, step.kind)
		assert.Equal(t, notify.StatusSent, e.messagesOf(step.kind)[0].Status)
		assert.Contains(t, subjectOf(t, e.sink.last(t).Header), step.word)
	}

	// Collected on Wednesday at 15:00: a reminder for the serum (the mask
	// has no daily use), due five days before it runs out 60 days later.
	collected := time.Date(2026, 12, 2, 15, 0, 0, 0, msk)
	e.set(collected)
	e.moveOrder(o.ID, card.OrderCompleted, "")
	mails := e.mails()
	e.cab.RunOnce(ctx)
	assert.Equal(t, mails, e.mails(), "collecting sends nothing now")
	replenish := e.messagesOf(notify.KindReplenish)
	require.Len(t, replenish, 1)
	first := replenish[0]
	assert.Equal(t, notify.StatusPending, first.Status)
	assert.Equal(t, notify.CategoryReminders, first.Category)
	assert.Equal(t, collected.Add(55*24*time.Hour).UTC(), first.DueAt.UTC())
	assert.Equal(t, collected.Add((60+14)*24*time.Hour).UTC(), first.ExpiresAt.UTC())
	assert.True(t, strings.HasPrefix(first.Key, "replenish:"+o.ID+":serum"), first.Key)

	// Planning again changes nothing.
	total := len(e.inbox())
	second := e.newCabinet()
	second.RunOnce(ctx)
	assert.Len(t, e.inbox(), total)

	// Three weeks later Anna buys the serum again at the desk: the first
	// reminder is withdrawn, a new one planned from this purchase.
	again := collected.Add(21 * 24 * time.Hour)
	e.set(again)
	_, err := e.cab.Card().RecordPurchase(ctx, ordersDesk, anna, card.OrderInput{BranchID: "b1",
		Lines: []card.OrderLine{{ProductID: "serum", Quantity: 2}}})
	require.NoError(t, err)
	e.cab.RunOnce(ctx)
	var pending []notify.Message
	for _, m := range e.messagesOf(notify.KindReplenish) {
		switch m.Status {
		case notify.StatusWithdrawn:
			assert.Equal(t, first.ID, m.ID)
		case notify.StatusPending:
			pending = append(pending, m)
		default:
			t.Errorf("unexpected %s", m.Status)
		}
	}
	require.Len(t, pending, 1)
	assert.Equal(t, again.Add((120-5)*24*time.Hour).UTC(), pending[0].DueAt.UTC(), "two bottles last 120 days")
	assert.Empty(t, e.messagesOf(notify.KindOrderReceived)[1:], "a desk purchase is not announced")

	// Planning every order event again from the start (a process that died
	// before advancing its cursor) neither brings the first reminder back
	// nor withdraws the new one.
	e.replanOrdersFromScratch()
	replayed := e.messagesOf(notify.KindReplenish)
	require.Len(t, replayed, 2)
	for _, m := range replayed {
		if m.ID == pending[0].ID {
			assert.Equal(t, notify.StatusPending, m.Status)
		} else {
			assert.Equal(t, notify.StatusWithdrawn, m.Status)
		}
	}

	// When it is due, the reminder goes out, naming the product.
	e.set(pending[0].DueAt.Add(time.Minute))
	e.cab.RunOnce(ctx)
	sent := e.messagesOf(notify.KindReplenish)
	statuses := map[notify.Status]int{}
	for _, m := range sent {
		statuses[m.Status]++
	}
	assert.Equal(t, map[notify.Status]int{notify.StatusWithdrawn: 1, notify.StatusSent: 1}, statuses)
	p = parts(t, e.sink.last(t))
	assert.Contains(t, p["text/plain"], "Derma Lab Vitamin C 15% Serum")
	assert.Contains(t, p["text/plain"], "https://clinic.example/cabinet/products/serum")
}

// An order placed late in the evening waits for the morning; cancelled in
// the night by the clinic, the client is told once, in the morning, why.
func TestOrderCancelledOvernight(t *testing.T) {
	e := newClinicEnv(t)
	e.seedShop()
	ctx := t.Context()
	e.set(time.Date(2026, 11, 30, 22, 30, 0, 0, msk))
	o := e.orderAs(e.anna.User.ID, card.OrderLine{ProductID: "serum", Quantity: 3})
	e.cab.RunOnce(ctx)
	received := e.messagesOf(notify.KindOrderReceived)
	require.Len(t, received, 1)
	assert.Equal(t, notify.StatusPending, received[0].Status, "quiet hours")

	e.set(time.Date(2026, 11, 30, 23, 10, 0, 0, msk))
	e.moveOrder(o.ID, card.OrderCancelled, "Товар закончился у поставщика")
	e.cab.RunOnce(ctx)
	assert.Equal(t, notify.StatusWithdrawn, e.messagesOf(notify.KindOrderReceived)[0].Status, "old news is withdrawn")
	cancelled := e.messagesOf(notify.KindOrderCancelled)
	require.Len(t, cancelled, 1)
	assert.Equal(t, notify.StatusPending, cancelled[0].Status)

	mails := e.mails()
	e.set(time.Date(2026, 12, 1, 9, 1, 0, 0, msk))
	e.cab.RunOnce(ctx)
	assert.Equal(t, mails+1, e.mails())
	p := parts(t, e.sink.last(t))
	assert.Contains(t, p["text/plain"], "К сожалению")
	assert.Contains(t, p["text/plain"], "Причина: Товар закончился у поставщика")
	item, err := e.cab.Card().CatalogProduct(ctx, "serum", true)
	require.NoError(t, err)
	assert.Equal(t, 10, item.Available("b1"), "the stock is back")
}

// A client who chose SMS for order news gets them short, naming no
// product; an order refused for want of stock sends nothing.
func TestOrderNewsBySMS(t *testing.T) {
	e := newClinicEnv(t)
	e.seedShop()
	ctx := t.Context()
	boris := e.signInByPhone("+79001234567")
	_, err := e.cab.Notify().UpdateSettings(ctx, boris.User.ID, notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryOrders: {notify.ChannelSMS}}})
	require.NoError(t, err)
	before := len(e.sms.Messages())
	o := e.orderAs(boris.User.ID, card.OrderLine{ProductID: "serum", Quantity: 1})
	_, _, err = e.cab.Card().PlaceOrder(ctx, card.Actor{UserID: boris.User.ID, Role: booking.RoleClient},
		card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{{ProductID: "mask", Quantity: 10}, {ProductID: "serum", Quantity: 10}}})
	require.ErrorIs(t, err, card.ErrOutOfStock)
	e.cab.RunOnce(ctx)
	e.moveOrder(o.ID, card.OrderReady, "")
	e.cab.RunOnce(ctx)

	msgs := e.sms.Messages()[before:]
	require.Len(t, msgs, 2, "received, then ready; nothing for the refused order")
	for _, m := range msgs {
		assert.Equal(t, "+79001234567", m.To)
		assert.LessOrEqual(t, notify.SMSSegments(m.Body), 2, m.Body)
		assert.NotContains(t, m.Body, "Serum")
		assert.Contains(t, m.Body, "Клиника Анны")
	}
	assert.Contains(t, msgs[1].Body, "готов, ждём вас: Москва, Тверская, 1.")
}
