package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// runCardOrders checks card.OrderStore: the catalog and stock, orders with
// their reservations, history and events, and visit notes.
func runCardOrders(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("OrdersCatalog", func(t *testing.T) { testOrdersCatalog(t, open) })
	t.Run("OrdersStock", func(t *testing.T) { testOrdersStock(t, open) })
	t.Run("OrdersCreate", func(t *testing.T) { testOrdersCreate(t, open) })
	t.Run("OrdersStatus", func(t *testing.T) { testOrdersStatus(t, open) })
	t.Run("OrdersQueries", func(t *testing.T) { testOrdersQueries(t, open) })
	t.Run("OrdersEvents", func(t *testing.T) { testOrdersEvents(t, open) })
	t.Run("OrdersVisitNotes", func(t *testing.T) { testOrdersVisitNotes(t, open) })
	t.Run("OrdersDepersonalize", func(t *testing.T) { testOrdersDepersonalize(t, open) })
	t.Run("OrdersConcurrency", func(t *testing.T) { testOrdersConcurrency(t, open) })
}

// The catalog the order tests use.
var (
	productSerum = card.Product{
		ID: "p-serum", Brand: "Derma Lab", Line: "Bright", Name: "Vitamin C 15% Serum", Category: card.CategorySerum,
		Description: "Сыворотка с витамином C.\nУтром, перед SPF.", Volume: 30, Unit: card.UnitML, DailyUse: 0.5,
		Price:     booking.Money{Amount: 350000, Currency: "RUB"},
		SkinTypes: []card.SkinType{card.SkinNormal, card.SkinCombination}, Concerns: []card.ConcernCode{card.ConcernDullness, card.ConcernPigmentation},
		Tags: []string{"vitamin_c", "antioxidant"}, Active: true, CreatedAt: t0, UpdatedAt: t0,
	}
	productRetinol = card.Product{
		ID: "p-retinol", Brand: "Derma Lab", Name: "Retinol 0.3% Night Cream", Category: card.CategoryMoisturizer,
		Volume: 50, Unit: card.UnitML, DailyUse: 0.8, Price: booking.Money{Amount: 420000, Currency: "RUB"},
		Concerns:          []card.ConcernCode{card.ConcernWrinkles},
		Contraindications: []card.Contraindication{card.ContraPregnancy, card.ContraBreastfeeding, card.ContraIsotretinoin},
		Tags:              []string{"retinoid"}, Active: true, CreatedAt: t0, UpdatedAt: t0,
	}
	productOld = card.Product{
		ID: "p-old", Brand: "Aqua", Name: "Toner", Category: card.CategoryToner,
		Price: booking.Money{Amount: 90000, Currency: "RUB"}, CreatedAt: t0, UpdatedAt: t0,
	}
)

// seedProducts stores the clinic and the catalog, with stock in the centre:
// serum 5, retinol 3; and serum 2 in the north.
func seedProducts(t *testing.T, st cabinet.Store) {
	t.Helper()
	ctx := t.Context()
	seedClinic(t, st)
	for _, p := range []card.Product{productSerum, productRetinol, productOld} {
		created, err := st.UpsertProduct(ctx, p)
		require.NoError(t, err)
		require.True(t, created)
	}
	for _, s := range []card.Stock{
		{ProductID: productSerum.ID, BranchID: branchCentre.ID, Quantity: 5},
		{ProductID: productRetinol.ID, BranchID: branchCentre.ID, Quantity: 3},
		{ProductID: productSerum.ID, BranchID: branchNorth.ID, Quantity: 2},
	} {
		_, err := st.SetStock(ctx, s.ProductID, s.BranchID, s.Quantity, t0)
		require.NoError(t, err)
	}
}

// newOrder is a new order of client at the centre created at t0 with one
// line per product (quantity 1 unless given as "id*n").
func newOrder(id, client string, lines ...card.OrderItem) card.Order {
	o := card.Order{ID: id, ClientID: client, BranchID: branchCentre.ID, Status: card.OrderNew, Source: card.OrderSourceCabinet,
		Items: lines, Total: booking.Money{Currency: "RUB"}, Note: "к пятнице", CreatedBy: client, CreatedAt: t0, UpdatedAt: t0}
	for _, it := range lines {
		o.Total.Amount += it.Subtotal().Amount
	}
	return o
}

// line is an order line of p with its catalog description and price.
func line(p card.Product, qty int) card.OrderItem {
	return card.OrderItem{ProductID: p.ID, Brand: p.Brand, Line: p.Line, Name: p.Name, Category: p.Category,
		Volume: p.Volume, Unit: p.Unit, DailyUse: p.DailyUse, Quantity: qty, UnitPrice: p.Price}
}

func placedEvent(o card.Order) card.OrderEvent {
	return card.OrderEvent{Type: card.EventOrderPlaced, At: o.CreatedAt, By: o.CreatedBy}
}

// placeOrder creates o and requires it to succeed.
func placeOrder(t *testing.T, st cabinet.Store, o card.Order) card.Order {
	t.Helper()
	got, created, err := st.CreateOrder(t.Context(), o, "", 0, placedEvent(o))
	require.NoError(t, err, "order %s", o.ID)
	require.True(t, created)
	return got
}

// moveOrder moves order id from any open status to status at.
func moveOrder(t *testing.T, st cabinet.Store, id string, to card.OrderStatus, at time.Time) (card.Order, error) {
	t.Helper()
	ev := map[card.OrderStatus]card.OrderEventType{card.OrderConfirmed: card.EventOrderConfirmed, card.OrderReady: card.EventOrderReady,
		card.OrderCompleted: card.EventOrderCompleted, card.OrderCancelled: card.EventOrderCancelled}[to]
	return st.SetOrderStatus(t.Context(), id, []card.OrderStatus{card.OrderNew, card.OrderConfirmed, card.OrderReady},
		card.OrderChange{To: to, At: at, By: "u-manager", ByStaff: true, Reason: "test"},
		card.OrderEvent{Type: ev, At: at, By: "u-manager"})
}

// available is the stock of a product at a branch (0 without a row).
func available(t *testing.T, st cabinet.Store, productID, branchID string) int {
	t.Helper()
	rows, err := st.Stock(t.Context(), card.StockFilter{ProductIDs: []string{productID}, BranchID: branchID})
	require.NoError(t, err)
	if len(rows) == 0 {
		return 0
	}
	return rows[0].Quantity
}

// orderEvents returns every event of the orders stream.
func orderEvents(t *testing.T, st cabinet.Store) []card.OrderEvent {
	t.Helper()
	var all []card.OrderEvent
	var after int64
	for {
		page, err := st.OrderEventsAfter(t.Context(), after, 2)
		require.NoError(t, err)
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
}

func orderIDs(list []card.Order) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.ID
	}
	return out
}

func testOrdersCatalog(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		got, err := st.ProductByID(ctx, productSerum.ID)
		require.NoError(t, err)
		assert.Equal(t, productSerum, got)
		got, err = st.ProductByID(ctx, productOld.ID)
		require.NoError(t, err)
		assert.Equal(t, productOld, got, "empty lists come back nil, no volume no unit")

		_, err = st.ProductByID(ctx, "nope")
		assert.ErrorIs(t, err, card.ErrNotFound)
	})

	t.Run("ReplaceKeepsCreatedAt", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		changed := productSerum
		changed.Price.Amount, changed.Active, changed.Tags = 390000, false, nil
		changed.CreatedAt, changed.UpdatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
		created, err := st.UpsertProduct(ctx, changed)
		require.NoError(t, err)
		assert.False(t, created)
		got, err := st.ProductByID(ctx, productSerum.ID)
		require.NoError(t, err)
		want := changed
		want.CreatedAt = t0
		assert.Equal(t, want, got)
		assert.Equal(t, 5, available(t, st, productSerum.ID, branchCentre.ID), "the stock is not the catalog's")

		_, err = st.UpsertProduct(ctx, card.Product{Name: "no ID"})
		assert.Error(t, err)
	})

	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		ids := func(list []card.Product, err error) []string {
			require.NoError(t, err)
			out := make([]string, len(list))
			for i, p := range list {
				out[i] = p.ID
			}
			return out
		}
		assert.Equal(t, []string{"p-retinol", "p-serum", "p-old"}, ids(st.Products(ctx, card.ProductFilter{})),
			"ordered by category (moisturizer, serum, toner), brand, name")
		assert.Equal(t, []string{"p-retinol", "p-serum"}, ids(st.Products(ctx, card.ProductFilter{ActiveOnly: true})))
		assert.Equal(t, []string{"p-serum"}, ids(st.Products(ctx, card.ProductFilter{Category: card.CategorySerum})))
		assert.Equal(t, []string{"p-serum", "p-old"}, ids(st.Products(ctx, card.ProductFilter{IDs: []string{"p-old", "p-serum", "nope"}})))
		assert.Empty(t, ids(st.Products(ctx, card.ProductFilter{IDs: []string{}})), "an empty ID list selects nothing")
	})
}

func testOrdersStock(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("SetAndAdd", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		s, err := st.SetStock(ctx, productSerum.ID, branchCentre.ID, 7, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, card.Stock{ProductID: productSerum.ID, BranchID: branchCentre.ID, Quantity: 7, UpdatedAt: t0.Add(time.Hour)}, s)

		s, err = st.AddStock(ctx, productRetinol.ID, branchNorth.ID, 4, t0)
		require.NoError(t, err)
		assert.Equal(t, 4, s.Quantity, "a delivery to a branch that never had it")
		s, err = st.AddStock(ctx, productRetinol.ID, branchNorth.ID, -4, t0)
		require.NoError(t, err)
		assert.Equal(t, 0, s.Quantity)
		_, err = st.AddStock(ctx, productRetinol.ID, branchNorth.ID, -1, t0)
		assert.ErrorIs(t, err, card.ErrOutOfStock)
		_, err = st.AddStock(ctx, productOld.ID, branchNorth.ID, -1, t0)
		assert.ErrorIs(t, err, card.ErrOutOfStock, "never stocked: none available")
		assert.Equal(t, 0, available(t, st, productRetinol.ID, branchNorth.ID))

		for _, f := range []func() error{
			func() error { _, err := st.SetStock(ctx, "nope", branchCentre.ID, 1, t0); return err },
			func() error { _, err := st.SetStock(ctx, productSerum.ID, "nope", 1, t0); return err },
			func() error { _, err := st.AddStock(ctx, "nope", branchCentre.ID, 1, t0); return err },
			func() error { _, err := st.AddStock(ctx, productSerum.ID, "nope", -1, t0); return err },
		} {
			assert.ErrorIs(t, f(), card.ErrNotFound)
		}
		_, err = st.SetStock(ctx, productSerum.ID, branchCentre.ID, -1, t0)
		assert.Error(t, err)
	})

	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		all, err := st.Stock(ctx, card.StockFilter{})
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, card.Stock{ProductID: productRetinol.ID, BranchID: branchCentre.ID, Quantity: 3, UpdatedAt: t0}, all[0],
			"ordered by product, branch")
		north, err := st.Stock(ctx, card.StockFilter{BranchID: branchNorth.ID})
		require.NoError(t, err)
		assert.Equal(t, []card.Stock{{ProductID: productSerum.ID, BranchID: branchNorth.ID, Quantity: 2, UpdatedAt: t0}}, north)
		serum, err := st.Stock(ctx, card.StockFilter{ProductIDs: []string{productSerum.ID}})
		require.NoError(t, err)
		assert.Len(t, serum, 2)
	})
}

func testOrdersCreate(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("ReservesAndRecords", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		o := newOrder("o-1", "c-1", line(productSerum, 2), line(productRetinol, 1))
		got := placeOrder(t, st, o)
		assert.Positive(t, got.Number)
		want := o
		want.Number = got.Number
		assert.Equal(t, want, got)
		assert.Equal(t, int64(2*350000+420000), got.Total.Amount)
		assert.Equal(t, 3, available(t, st, productSerum.ID, branchCentre.ID))
		assert.Equal(t, 2, available(t, st, productRetinol.ID, branchCentre.ID))
		assert.Equal(t, 2, available(t, st, productSerum.ID, branchNorth.ID), "another branch's stock is untouched")

		byID, err := st.OrderByID(ctx, "o-1")
		require.NoError(t, err)
		assert.Equal(t, got, byID)
		hist, err := st.OrderHistory(ctx, "o-1")
		require.NoError(t, err)
		assert.Equal(t, []card.OrderChange{{OrderID: "o-1", To: card.OrderNew, At: t0, By: "c-1"}}, hist)
		evs := orderEvents(t, st)
		require.Len(t, evs, 1)
		assert.Equal(t, card.EventOrderPlaced, evs[0].Type)
		assert.Equal(t, "o-1", evs[0].OrderID)
		assert.Equal(t, "c-1", evs[0].ClientID)
		assert.Equal(t, "c-1", evs[0].By)
		assert.Equal(t, t0, evs[0].At)
		assert.Empty(t, evs[0].From)
		assert.Equal(t, got, evs[0].Order, "the event carries the whole order as stored")

		second := placeOrder(t, st, newOrder("o-2", "c-2", line(productSerum, 1)))
		assert.Greater(t, second.Number, got.Number, "numbers increase")

		_, _, err = st.CreateOrder(ctx, newOrder("o-1", "c-3", line(productSerum, 1)), "", 0, placedEvent(o))
		assert.Error(t, err, "a taken ID")
		assert.Equal(t, 2, available(t, st, productSerum.ID, branchCentre.ID), "and its reservation undone")

		desk := newOrder("o-desk", "c-1", line(productRetinol, 1))
		desk.Status, desk.Source, desk.CreatedBy, desk.CompletedAt = card.OrderCompleted, card.OrderSourceDesk, "u-manager", t0
		got, _, err = st.CreateOrder(ctx, desk, "", 0, card.OrderEvent{Type: card.EventOrderCompleted, By: "u-manager"})
		require.NoError(t, err)
		assert.Equal(t, t0, got.CompletedAt)
		hist, err = st.OrderHistory(ctx, "o-desk")
		require.NoError(t, err)
		assert.Equal(t, []card.OrderChange{{OrderID: "o-desk", To: card.OrderCompleted, At: t0, By: "u-manager", ByStaff: true}}, hist)
		evs = orderEvents(t, st)
		assert.Equal(t, t0, evs[len(evs)-1].At, "an event without At takes the order's time")
	})

	t.Run("OutOfStockWritesNothing", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		// The first line fits, the second does not: the whole order fails.
		o := newOrder("o-1", "c-1", line(productSerum, 2), line(productRetinol, 4))
		_, _, err := st.CreateOrder(ctx, o, "key-1", 0, placedEvent(o))
		assert.ErrorIs(t, err, card.ErrOutOfStock)
		assert.Equal(t, 5, available(t, st, productSerum.ID, branchCentre.ID))
		assert.Equal(t, 3, available(t, st, productRetinol.ID, branchCentre.ID))
		_, err = st.OrderByID(ctx, "o-1")
		assert.ErrorIs(t, err, card.ErrNotFound)
		assert.Empty(t, orderEvents(t, st), "a failed order writes no event")
		_, err = st.OrderByIdempotencyKey(ctx, "c-1", "key-1")
		assert.ErrorIs(t, err, card.ErrNotFound, "nor keeps its key")

		north := newOrder("o-2", "c-1", line(productRetinol, 1))
		north.BranchID = branchNorth.ID
		_, _, err = st.CreateOrder(ctx, north, "", 0, placedEvent(north))
		assert.ErrorIs(t, err, card.ErrOutOfStock, "never stocked there")

		for name, o := range map[string]card.Order{
			"unknown product": newOrder("o-3", "c-1", line(card.Product{ID: "nope", Price: productSerum.Price}, 1)),
			"unknown branch": func() card.Order {
				o := newOrder("o-4", "c-1", line(productSerum, 1))
				o.BranchID = "nope"
				return o
			}(),
		} {
			_, _, err := st.CreateOrder(ctx, o, "", 0, placedEvent(o))
			assert.ErrorIs(t, err, card.ErrNotFound, name)
		}
		assert.Empty(t, orderEvents(t, st))
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		o := newOrder("o-1", "c-1", line(productSerum, 1))
		first, created, err := st.CreateOrder(ctx, o, "key-1", 0, placedEvent(o))
		require.NoError(t, err)
		require.True(t, created)
		retry := newOrder("o-2", "c-1", line(productSerum, 3))
		got, created, err := st.CreateOrder(ctx, retry, "key-1", 0, placedEvent(retry))
		require.NoError(t, err)
		assert.False(t, created)
		assert.Equal(t, first, got, "the first order, as it was")
		assert.Equal(t, 4, available(t, st, productSerum.ID, branchCentre.ID), "reserved once")
		assert.Len(t, orderEvents(t, st), 1)
		byKey, err := st.OrderByIdempotencyKey(ctx, "c-1", "key-1")
		require.NoError(t, err)
		assert.Equal(t, first, byKey)

		other := newOrder("o-3", "c-2", line(productSerum, 1))
		_, created, err = st.CreateOrder(ctx, other, "key-1", 0, placedEvent(other))
		require.NoError(t, err)
		assert.True(t, created, "keys are per client")
		_, err = st.OrderByIdempotencyKey(ctx, "c-1", "")
		assert.ErrorIs(t, err, card.ErrNotFound)
	})
}

func testOrdersStatus(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("Lifecycle", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		placeOrder(t, st, newOrder("o-1", "c-1", line(productSerum, 2)))
		got, err := moveOrder(t, st, "o-1", card.OrderConfirmed, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, card.OrderConfirmed, got.Status)
		assert.Equal(t, t0.Add(time.Hour), got.UpdatedAt)
		got, err = moveOrder(t, st, "o-1", card.OrderReady, t0.Add(2*time.Hour))
		require.NoError(t, err)
		got, err = moveOrder(t, st, "o-1", card.OrderCompleted, t0.Add(3*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, card.OrderCompleted, got.Status)
		assert.Equal(t, t0.Add(3*time.Hour), got.CompletedAt)
		assert.Empty(t, got.CancelReason)
		assert.Equal(t, 3, available(t, st, productSerum.ID, branchCentre.ID), "a completed order keeps its units")
		stored, err := st.OrderByID(ctx, "o-1")
		require.NoError(t, err)
		assert.Equal(t, got, stored)

		_, err = moveOrder(t, st, "o-1", card.OrderCancelled, t0.Add(4*time.Hour))
		assert.ErrorIs(t, err, card.ErrInvalidTransition, "closed")
		_, err = moveOrder(t, st, "nope", card.OrderCancelled, t0)
		assert.ErrorIs(t, err, card.ErrNotFound)

		hist, err := st.OrderHistory(ctx, "o-1")
		require.NoError(t, err)
		var steps []string
		for _, c := range hist {
			steps = append(steps, string(c.From)+"→"+string(c.To))
		}
		assert.Equal(t, []string{"→new", "new→confirmed", "confirmed→ready", "ready→completed"}, steps)
		assert.Equal(t, card.OrderChange{OrderID: "o-1", From: card.OrderNew, To: card.OrderConfirmed, At: t0.Add(time.Hour),
			By: "u-manager", ByStaff: true, Reason: "test"}, hist[1])

		evs := orderEvents(t, st)
		require.Len(t, evs, 4, "the refused change wrote no event")
		var types []card.OrderEventType
		for _, ev := range evs {
			types = append(types, ev.Type)
		}
		assert.Equal(t, []card.OrderEventType{card.EventOrderPlaced, card.EventOrderConfirmed, card.EventOrderReady, card.EventOrderCompleted}, types)
		assert.Equal(t, card.OrderReady, evs[3].From)
		assert.Equal(t, got, evs[3].Order)
		assert.Equal(t, "u-manager", evs[3].By)
	})

	t.Run("CancelReturnsStock", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		placeOrder(t, st, newOrder("o-1", "c-1", line(productSerum, 2), line(productRetinol, 3)))
		assert.Equal(t, 0, available(t, st, productRetinol.ID, branchCentre.ID))
		_, err := moveOrder(t, st, "o-1", card.OrderReady, t0.Add(time.Hour))
		require.NoError(t, err)
		got, err := moveOrder(t, st, "o-1", card.OrderCancelled, t0.Add(2*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, card.OrderCancelled, got.Status)
		assert.Equal(t, "test", got.CancelReason)
		assert.Equal(t, "u-manager", got.CancelledBy)
		assert.True(t, got.CompletedAt.IsZero())
		assert.Equal(t, 5, available(t, st, productSerum.ID, branchCentre.ID))
		assert.Equal(t, 3, available(t, st, productRetinol.ID, branchCentre.ID))

		// Only from the statuses given.
		placeOrder(t, st, newOrder("o-2", "c-1", line(productSerum, 1)))
		_, err = moveOrder(t, st, "o-2", card.OrderConfirmed, t0.Add(time.Hour))
		require.NoError(t, err)
		_, err = st.SetOrderStatus(ctx, "o-2", []card.OrderStatus{card.OrderNew},
			card.OrderChange{To: card.OrderCancelled, At: t0.Add(2 * time.Hour), By: "c-1"},
			card.OrderEvent{Type: card.EventOrderCancelled})
		assert.ErrorIs(t, err, card.ErrInvalidTransition)
		assert.Equal(t, 4, available(t, st, productSerum.ID, branchCentre.ID), "nothing returned")
	})
}

func testOrdersQueries(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedProducts(t, st)
	placeOrder(t, st, newOrder("o-1", "c-1", line(productSerum, 1)))
	placeOrder(t, st, newOrder("o-2", "c-1", line(productRetinol, 1)))
	north := newOrder("o-3", "c-2", line(productSerum, 1))
	north.BranchID = branchNorth.ID
	placeOrder(t, st, north)
	placeOrder(t, st, newOrder("o-4", "c-1", line(productSerum, 1), line(productRetinol, 1)))
	_, err := moveOrder(t, st, "o-1", card.OrderCompleted, t0.Add(time.Hour))
	require.NoError(t, err)
	_, err = moveOrder(t, st, "o-2", card.OrderCancelled, t0.Add(time.Hour))
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		f    card.OrderFilter
		want []string
	}{
		{"all, newest first", card.OrderFilter{}, []string{"o-4", "o-3", "o-2", "o-1"}},
		{"client", card.OrderFilter{ClientID: "c-1"}, []string{"o-4", "o-2", "o-1"}},
		{"branches", card.OrderFilter{BranchIDs: []string{branchNorth.ID}}, []string{"o-3"}},
		{"statuses", card.OrderFilter{Statuses: []card.OrderStatus{card.OrderCompleted, card.OrderCancelled}}, []string{"o-2", "o-1"}},
		{"product", card.OrderFilter{ProductID: productRetinol.ID}, []string{"o-4", "o-2"}},
		{"product and status", card.OrderFilter{ClientID: "c-1", ProductID: productSerum.ID, Statuses: []card.OrderStatus{card.OrderCompleted}}, []string{"o-1"}},
		{"limit", card.OrderFilter{ClientID: "c-1", Limit: 2}, []string{"o-4", "o-2"}},
		{"nobody", card.OrderFilter{ClientID: "c-9"}, nil},
	} {
		got, err := st.Orders(ctx, tc.f)
		require.NoError(t, err, tc.name)
		if tc.want == nil {
			assert.Empty(t, got, tc.name)
			continue
		}
		assert.Equal(t, tc.want, orderIDs(got), tc.name)
	}
	list, err := st.Orders(ctx, card.OrderFilter{ClientID: "c-1", Limit: 1})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Len(t, list[0].Items, 2, "lists carry their items")
	assert.Equal(t, productSerum.ID, list[0].Items[0].ProductID, "in the order given")
}

func testOrdersEvents(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedProducts(t, st)
	// Booking events share the log and are not returned, nor do order
	// events show among booking's.
	book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour))
	placeOrder(t, st, newOrder("o-1", "c-1", line(productSerum, 1)))
	book(t, st, appt("a-2", "c-2", anna.ID, at(12, 0), time.Hour))
	_, err := moveOrder(t, st, "o-1", card.OrderCancelled, t0.Add(time.Hour))
	require.NoError(t, err)

	evs := orderEvents(t, st)
	require.Len(t, evs, 2)
	assert.Less(t, evs[0].Seq, evs[1].Seq)
	assert.Equal(t, card.EventOrderCancelled, evs[1].Type)
	assert.Equal(t, card.OrderCancelled, evs[1].Order.Status)
	assert.Equal(t, card.OrderNew, evs[1].From)
	assert.Len(t, allEvents(t, st), 2, "booking's stream has only its own")

	after, err := st.OrderEventsAfter(ctx, evs[0].Seq, 10)
	require.NoError(t, err)
	require.Len(t, after, 1)
	assert.Equal(t, evs[1], after[0])
	none, err := st.OrderEventsAfter(ctx, evs[1].Seq, 0)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testOrdersVisitNotes(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedProducts(t, st)
	book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour))
	book(t, st, appt("a-2", "c-1", anna.ID, at(12, 0), time.Hour))
	note := card.VisitNote{AppointmentID: "a-1", ClientID: "c-1", Notes: "Кожа спокойная.\nSPF каждый день.",
		Recommendations: []card.Recommendation{
			{Kind: card.RecommendProduct, ItemID: productSerum.ID, Text: "утром"},
			{Kind: card.RecommendProcedure, ItemID: consult.ID},
			{Kind: card.RecommendHomeCare, Text: "не посещать сауну неделю"},
		}, WrittenBy: "u-anna", CreatedAt: t0, UpdatedAt: t0}
	got, err := st.PutVisitNote(ctx, note)
	require.NoError(t, err)
	assert.Equal(t, note, got)

	again := note
	again.Notes, again.Recommendations, again.CreatedAt, again.UpdatedAt = "Исправлено", nil, t0.Add(time.Hour), t0.Add(time.Hour)
	got, err = st.PutVisitNote(ctx, again)
	require.NoError(t, err)
	want := again
	want.CreatedAt = t0
	assert.Equal(t, want, got, "replaced, the first writing time kept")
	stored, err := st.VisitNote(ctx, "a-1")
	require.NoError(t, err)
	assert.Equal(t, want, stored)

	_, err = st.PutVisitNote(ctx, card.VisitNote{AppointmentID: "a-2", ClientID: "c-1", Notes: "второй", WrittenBy: "u-anna",
		CreatedAt: t0.Add(30 * time.Minute), UpdatedAt: t0.Add(30 * time.Minute)})
	require.NoError(t, err)
	list, err := st.VisitNotes(ctx, "c-1")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "a-1", list[0].AppointmentID, "the latest written first")
	none, err := st.VisitNotes(ctx, "c-2")
	require.NoError(t, err)
	assert.Empty(t, none)

	_, err = st.VisitNote(ctx, "nope")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = st.PutVisitNote(ctx, card.VisitNote{AppointmentID: "nope", ClientID: "c-1", WrittenBy: "u", CreatedAt: t0, UpdatedAt: t0})
	assert.ErrorIs(t, err, card.ErrNotFound)
}

func testOrdersDepersonalize(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedProducts(t, st)
	book(t, st, appt("a-1", "c-1", anna.ID, at(10, 0), time.Hour))
	book(t, st, appt("a-2", "c-2", anna.ID, at(12, 0), time.Hour))
	for _, n := range []card.VisitNote{
		{AppointmentID: "a-1", ClientID: "c-1", Notes: "раздражение", WrittenBy: "u-anna", CreatedAt: t0, UpdatedAt: t0},
		{AppointmentID: "a-2", ClientID: "c-2", Notes: "спокойно", WrittenBy: "u-anna", CreatedAt: t0, UpdatedAt: t0},
	} {
		_, err := st.PutVisitNote(ctx, n)
		require.NoError(t, err)
	}
	o := newOrder("o-1", "c-1", line(productSerum, 1))
	_, _, err := st.CreateOrder(ctx, o, "key-1", 0, placedEvent(o))
	require.NoError(t, err)
	_, err = st.SetOrderStatus(ctx, "o-1", []card.OrderStatus{card.OrderNew},
		card.OrderChange{To: card.OrderCancelled, At: t0.Add(time.Hour), By: "c-1", Reason: "уезжаю к маме"},
		card.OrderEvent{Type: card.EventOrderCancelled})
	require.NoError(t, err)
	placeOrder(t, st, newOrder("o-2", "c-1", line(productSerum, 1)))
	_, err = moveOrder(t, st, "o-2", card.OrderCompleted, t0.Add(time.Hour))
	require.NoError(t, err)
	placeOrder(t, st, newOrder("o-3", "c-2", line(productSerum, 1)))

	n, err := st.DepersonalizeOrders(ctx, "c-1", "erased-7f3a")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	mine, err := st.Orders(ctx, card.OrderFilter{ClientID: "c-1"})
	require.NoError(t, err)
	assert.Empty(t, mine)
	kept, err := st.Orders(ctx, card.OrderFilter{ClientID: "erased-7f3a"})
	require.NoError(t, err)
	require.Len(t, kept, 2, "the sales stay")
	for _, o := range kept {
		assert.Empty(t, o.Note)
		assert.NotEqual(t, "c-1", o.CreatedBy)
		assert.NotEqual(t, "c-1", o.CancelledBy)
		assert.Empty(t, o.CancelReason, "the client's own words go")
		assert.Len(t, o.Items, 1)
	}
	hist, err := st.OrderHistory(ctx, "o-1")
	require.NoError(t, err)
	require.Len(t, hist, 2)
	for _, h := range hist {
		assert.Equal(t, "erased-7f3a", h.By)
		assert.Empty(t, h.Reason)
	}
	assert.Equal(t, card.OrderCancelled, hist[1].To, "the history itself is unchanged")
	_, err = st.OrderByIdempotencyKey(ctx, "c-1", "key-1")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = st.VisitNote(ctx, "a-1")
	assert.ErrorIs(t, err, card.ErrNotFound, "health notes are deleted")

	other, err := st.Orders(ctx, card.OrderFilter{ClientID: "c-2"})
	require.NoError(t, err)
	assert.Len(t, other, 1, "other clients are untouched")
	assert.Equal(t, "к пятнице", other[0].Note)
	_, err = st.VisitNote(ctx, "a-2")
	assert.NoError(t, err)

	_, err = st.DepersonalizeOrders(ctx, "c-2", "")
	assert.Error(t, err)
	n, err = st.DepersonalizeOrders(ctx, "nobody", "erased-0")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func testOrdersConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	const n = 64

	// outcomes counts the successes and requires every failure to be want.
	outcomes := func(t *testing.T, errs []error, want error) int {
		t.Helper()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, want):
				t.Errorf("call %d: unexpected error %v", i, err)
			}
		}
		return ok
	}

	t.Run("LastUnit", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		_, err := st.SetStock(ctx, productRetinol.ID, branchCentre.ID, 1, t0)
		require.NoError(t, err)
		errs := parallel(n, func(i int) error {
			o := newOrder(fmt.Sprint("o-", i), fmt.Sprint("c-", i), line(productSerum, 1), line(productRetinol, 1))
			_, _, err := st.CreateOrder(ctx, o, "key", 0, placedEvent(o))
			return err
		})
		assert.Equal(t, 1, outcomes(t, errs, card.ErrOutOfStock), "exactly one client gets the last unit")
		assert.Equal(t, 0, available(t, st, productRetinol.ID, branchCentre.ID))
		assert.Equal(t, 4, available(t, st, productSerum.ID, branchCentre.ID), "the losers' other lines were not taken")
		list, err := st.Orders(ctx, card.OrderFilter{})
		require.NoError(t, err)
		assert.Len(t, list, 1)
		assert.Len(t, orderEvents(t, st), 1, "exactly one event")
	})

	t.Run("StockRunsOut", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		_, err := st.SetStock(ctx, productSerum.ID, branchCentre.ID, 10, t0)
		require.NoError(t, err)
		errs := parallel(n, func(i int) error {
			o := newOrder(fmt.Sprint("o-", i), fmt.Sprint("c-", i), line(productSerum, 1))
			_, _, err := st.CreateOrder(ctx, o, "", 0, placedEvent(o))
			return err
		})
		assert.Equal(t, 10, outcomes(t, errs, card.ErrOutOfStock))
		assert.Equal(t, 0, available(t, st, productSerum.ID, branchCentre.ID))
		assert.Len(t, orderEvents(t, st), 10)
	})

	t.Run("OneCancellation", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		seedProducts(t, st)
		placeOrder(t, st, newOrder("o-1", "c-1", line(productSerum, 2)))
		errs := parallel(n, func(i int) error {
			_, err := moveOrder(t, st, "o-1", card.OrderCancelled, t0.Add(time.Hour))
			return err
		})
		assert.Equal(t, 1, outcomes(t, errs, card.ErrInvalidTransition), "cancelled once")
		assert.Equal(t, 5, available(t, st, productSerum.ID, branchCentre.ID), "the stock returned once")
		assert.Len(t, orderEvents(t, st), 2)
	})

	t.Run("OpenOrdersLimit", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		_, err := st.SetStock(ctx, productSerum.ID, branchCentre.ID, 100, t0)
		require.NoError(t, err)
		// One order done and one cancelled do not count; one waiting does.
		placeOrder(t, st, newOrder("o-done", "c-1", line(productSerum, 1)))
		_, err = moveOrder(t, st, "o-done", card.OrderCancelled, t0.Add(time.Minute))
		require.NoError(t, err)
		placeOrder(t, st, newOrder("o-waiting", "c-1", line(productSerum, 1)))
		const limit = 3
		errs := parallel(n, func(i int) error {
			o := newOrder(fmt.Sprint("o-", i), "c-1", line(productSerum, 1))
			_, _, err := st.CreateOrder(ctx, o, "", limit, placedEvent(o))
			return err
		})
		assert.Equal(t, limit-1, outcomes(t, errs, card.ErrTooManyOpenOrders), "never past the limit, however many at once")
		assert.Equal(t, 100-limit, available(t, st, productSerum.ID, branchCentre.ID), "the refused reserved nothing")
		o := newOrder("o-other", "c-2", line(productSerum, 1))
		_, _, err = st.CreateOrder(ctx, o, "", limit, placedEvent(o))
		assert.NoError(t, err, "another client's orders are their own")
	})

	t.Run("SameIdempotencyKey", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		seedProducts(t, st)
		created := make([]bool, n)
		errs := parallel(n, func(i int) error {
			o := newOrder(fmt.Sprint("o-", i), "c-1", line(productSerum, 1))
			_, c, err := st.CreateOrder(ctx, o, "double-click", 0, placedEvent(o))
			created[i] = c
			return err
		})
		assert.Equal(t, n, outcomes(t, errs, nil))
		count := 0
		for _, c := range created {
			if c {
				count++
			}
		}
		assert.Equal(t, 1, count, "one order, the others its replay")
		assert.Equal(t, 4, available(t, st, productSerum.ID, branchCentre.ID))
	})
}
