package card_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// ordersNow is "now" of the orders, visits and plan tests: Wednesday
// 2026-11-25, 10:00 UTC.
var ordersNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// ordersEnv is a card Service over a real SQLite file: branches b1 and b2;
// specialists A (user "u-doc-a") and B ("u-doc-b") in b1; client Olga with
// a completed visit with A (a-done), an upcoming one (a-next), a cancelled
// one (a-cancel) and a course of five peels; a catalog with stock. The
// audit trail is recorded.
type ordersEnv struct {
	t     *testing.T
	store *sqlite.Store
	svc   *card.Service

	mu    sync.Mutex
	audit []auth.AuditEntry
}

var (
	ordOlga  = card.Actor{UserID: "c-olga", Role: booking.RoleClient}
	ordPetr  = card.Actor{UserID: "c-petr", Role: booking.RoleClient}
	ordDocA  = card.Actor{UserID: "u-doc-a", Role: booking.RoleSpecialist, Branches: []string{"b1"}, IP: "192.0.2.9"}
	ordDocB  = card.Actor{UserID: "u-doc-b", Role: booking.RoleSpecialist, Branches: []string{"b1"}}
	ordMgr1  = card.Actor{UserID: "u-mgr-1", Role: booking.RoleManager, Branches: []string{"b1"}}
	ordMgr2  = card.Actor{UserID: "u-mgr-2", Role: booking.RoleManager, Branches: []string{"b2"}}
	ordAdmin = card.Actor{UserID: "u-admin", Role: booking.RoleAdmin}

	ordSerum = card.Product{ID: "serum", Brand: "Derma Lab", Line: "Bright", Name: "Vitamin C 15% Serum",
		Category: card.CategorySerum, Volume: 30, Unit: card.UnitML, DailyUse: 0.5,
		Price: booking.Money{Amount: 350000, Currency: "RUB"}, SkinTypes: []card.SkinType{card.SkinNormal},
		Concerns: []card.ConcernCode{card.ConcernDullness}, Tags: []string{"vitamin_c"}, Active: true}
	ordRetinol = card.Product{ID: "retinol", Brand: "Derma Lab", Name: "Retinol Night Cream", Category: card.CategoryMoisturizer,
		Volume: 50, Unit: card.UnitML, DailyUse: 0.8, Price: booking.Money{Amount: 420000, Currency: "RUB"},
		Contraindications: []card.Contraindication{card.ContraPregnancy, card.ContraIsotretinoin}, Active: true}
	ordToner = card.Product{ID: "toner", Brand: "Aqua", Name: "Toner", Category: card.CategoryToner,
		Price: booking.Money{Amount: 90000, Currency: "RUB"}}
	ordImported = card.Product{ID: "imported", Brand: "Sun", Name: "Fluid SPF 50", Category: card.CategorySPF,
		Price: booking.Money{Amount: 2500, Currency: "EUR"}, Active: true}
)

func newOrdersEnv(t *testing.T) *ordersEnv {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "orders.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &ordersEnv{t: t, store: st}
	now := func() time.Time { return ordersNow }

	open := booking.Week{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		open[d] = []booking.Interval{{Start: 9 * 60, End: 21 * 60}}
	}
	for _, b := range []booking.Branch{
		{ID: "b1", Name: "Центр", Address: "Тверская, 1", TimeZone: "Europe/Moscow", Opening: open, Active: true},
		{ID: "b2", Name: "Север", TimeZone: "Europe/Moscow", Opening: open, Active: true},
		{ID: "closed", Name: "Закрыт", TimeZone: "Europe/Moscow", Opening: open},
	} {
		require.NoError(t, st.UpsertBranch(ctx, b))
	}
	require.NoError(t, st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Миндальный пилинг", Category: "peel",
		Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true, Price: booking.Money{Amount: 350000, Currency: "RUB"}}))
	for _, sp := range []booking.Specialist{
		{ID: "A", UserID: "u-doc-a", Name: "Анна Петрова", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
		{ID: "B", UserID: "u-doc-b", Name: "Борис", BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "peel"}}, Active: true},
	} {
		require.NoError(t, st.UpsertSpecialist(ctx, sp))
	}
	require.NoError(t, st.CreatePlan(ctx, booking.Plan{ID: "course", ClientID: "c-olga", SpecialistID: "A", ServiceID: "peel",
		BranchID: "b1", Sessions: 5, Interval: 14 * 24 * time.Hour, Status: booking.PlanActive, CreatedBy: "u-doc-a", CreatedAt: ordersNow.AddDate(0, 0, -30)}))
	for _, a := range []struct {
		id     string
		start  time.Time
		status booking.Status
		plan   string
	}{
		{"a-done", ordersNow.AddDate(0, 0, -7), booking.StatusCompleted, "course"},
		{"a-old", ordersNow.AddDate(0, 0, -40), booking.StatusCompleted, ""},
		{"a-cancel", ordersNow.AddDate(0, 0, -3), booking.StatusCancelled, ""},
		{"a-next", ordersNow.AddDate(0, 0, 7), booking.StatusConfirmed, "course"},
	} {
		appt := booking.Appointment{ID: a.id, ClientID: "c-olga", BranchID: "b1", ServiceID: "peel", SpecialistID: "A",
			Start: a.start, End: a.start.Add(time.Hour), BlockStart: a.start, BlockEnd: a.start.Add(time.Hour),
			Status: a.status, Price: booking.Money{Amount: 350000, Currency: "RUB"}, PlanID: a.plan,
			CreatedBy: "c-olga", CreatedAt: a.start.AddDate(0, 0, -1), UpdatedAt: a.start}
		_, _, err := st.CreateAppointment(ctx, appt, "", booking.Event{Type: booking.EventBooked, At: appt.CreatedAt})
		require.NoError(t, err)
	}

	sched, err := booking.New(booking.Config{Store: st, Now: now})
	require.NoError(t, err)
	e.svc, err = card.New(card.Config{Store: st, Booking: sched, Now: now,
		Audit: func(_ context.Context, a auth.AuditEntry) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.audit = append(e.audit, a)
			return nil
		}})
	require.NoError(t, err)

	for _, p := range []card.Product{ordSerum, ordRetinol, ordToner, ordImported} {
		_, _, err := e.svc.PutProduct(ctx, ordAdmin, p)
		require.NoError(t, err, p.ID)
	}
	for _, s := range []card.StockChange{
		{ProductID: "serum", BranchID: "b1", Set: ordPtr(5)},
		{ProductID: "serum", BranchID: "b2", Set: ordPtr(2)},
		{ProductID: "retinol", BranchID: "b1", Set: ordPtr(1)},
		{ProductID: "imported", BranchID: "b1", Set: ordPtr(3)},
	} {
		_, err := e.svc.ChangeStock(ctx, ordAdmin, s)
		require.NoError(t, err)
	}
	e.audit = nil
	return e
}

func ordPtr[T any](v T) *T { return &v }

// auditOf returns the audit entries recorded with action.
func (e *ordersEnv) auditOf(action string) []auth.AuditEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []auth.AuditEntry
	for _, a := range e.audit {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

func (e *ordersEnv) available(productID, branchID string) int {
	e.t.Helper()
	item, err := e.svc.CatalogProduct(e.t.Context(), productID, true)
	require.NoError(e.t, err)
	return item.Available(branchID)
}

func (e *ordersEnv) order(actor card.Actor, branch string, lines ...card.OrderLine) (card.Order, error) {
	o, _, err := e.svc.PlaceOrder(e.t.Context(), actor, card.OrderInput{BranchID: branch, Lines: lines})
	return o, err
}

func ordLine(product string, qty int) card.OrderLine {
	return card.OrderLine{ProductID: product, Quantity: qty}
}

func TestCatalog(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()

	items, err := e.svc.Catalog(ctx, card.CatalogFilter{})
	require.NoError(t, err)
	var ids []string
	for _, it := range items {
		ids = append(ids, it.Product.ID)
	}
	assert.Equal(t, []string{"retinol", "serum", "imported"}, ids, "active only, by category")
	assert.Equal(t, 5, items[1].Available("b1"))
	assert.Equal(t, 2, items[1].Available("b2"))
	assert.Equal(t, 60, items[1].Product.LastsDays(), "30 ml at 0.5 ml a day")
	assert.Zero(t, ordToner.LastsDays())

	b2, err := e.svc.Catalog(ctx, card.CatalogFilter{BranchID: "b2", Category: card.CategorySerum})
	require.NoError(t, err)
	require.Len(t, b2, 1)
	assert.Equal(t, []card.Stock{{ProductID: "serum", BranchID: "b2", Quantity: 2, UpdatedAt: ordersNow}}, b2[0].Stock)
	all, err := e.svc.Catalog(ctx, card.CatalogFilter{IncludeInactive: true})
	require.NoError(t, err)
	assert.Len(t, all, 4)

	_, err = e.svc.Catalog(ctx, card.CatalogFilter{BranchID: "nowhere"})
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.Catalog(ctx, card.CatalogFilter{Category: "Not A Code"})
	assert.ErrorIs(t, err, card.ErrInvalidInput)
	_, err = e.svc.CatalogProduct(ctx, "toner", false)
	assert.ErrorIs(t, err, card.ErrNotFound, "an inactive product is not offered")
	_, err = e.svc.CatalogProduct(ctx, "toner", true)
	assert.NoError(t, err)

	p, _ := e.svc.CatalogProduct(ctx, "retinol", false)
	c, ok := p.Product.ContraindicatedFor([]card.Contraindication{card.ContraSunburn, card.ContraIsotretinoin})
	assert.True(t, ok)
	assert.Equal(t, card.ContraIsotretinoin, c)
	assert.True(t, p.Product.Suits(card.SkinOily), "names no skin type: suits all")
	assert.False(t, ordSerum.Suits(card.SkinOily))
}

func TestPutProduct(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	for _, a := range []card.Actor{ordMgr1, ordDocA, ordOlga} {
		_, _, err := e.svc.PutProduct(ctx, a, ordSerum)
		assert.ErrorIs(t, err, card.ErrForbidden, a.UserID)
	}
	p := ordSerum
	p.ID, p.Price.Currency, p.Tags = "new-serum", "", nil
	got, created, err := e.svc.PutProduct(ctx, ordAdmin, p)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, "RUB", got.Price.Currency, "the default currency")
	_, created, err = e.svc.PutProduct(ctx, ordAdmin, p)
	require.NoError(t, err)
	assert.False(t, created)

	for _, tc := range []struct {
		name  string
		edit  func(*card.Product)
		field string
	}{
		{"ID with a slash", func(p *card.Product) { p.ID = "a/b" }, "id"},
		{"no brand", func(p *card.Product) { p.Brand = "  " }, "brand"},
		{"no name", func(p *card.Product) { p.Name = "" }, "name"},
		{"long name", func(p *card.Product) { p.Name = strings.Repeat("я", 121) }, "name"},
		{"control character", func(p *card.Product) { p.Line = "a\x00b" }, "line"},
		{"category", func(p *card.Product) { p.Category = "Serum" }, "category"},
		{"negative volume", func(p *card.Product) { p.Volume = -1 }, "volume"},
		{"volume without unit", func(p *card.Product) { p.Unit = "" }, "unit"},
		{"unit without volume", func(p *card.Product) { p.Volume, p.DailyUse = 0, 0 }, "unit"},
		{"daily use above volume", func(p *card.Product) { p.DailyUse = 31 }, "daily_use"},
		{"daily use for ten years", func(p *card.Product) { p.DailyUse = 0.001 }, "daily_use"},
		{"negative price", func(p *card.Product) { p.Price.Amount = -1 }, "price.amount"},
		{"currency", func(p *card.Product) { p.Price.Currency = "rub" }, "price.currency"},
		{"skin type", func(p *card.Product) { p.SkinTypes = []card.SkinType{"shiny"} }, "skin_types[0]"},
		{"concern twice", func(p *card.Product) { p.Concerns = []card.ConcernCode{card.ConcernAcne, card.ConcernAcne} }, "concerns[1]"},
		{"contraindication", func(p *card.Product) { p.Contraindications = []card.Contraindication{"flu"} }, "contraindications[0]"},
		{"tag", func(p *card.Product) { p.Tags = []string{"Vitamin C"} }, "tags[0]"},
		{"too many tags", func(p *card.Product) {
			p.Tags = nil
			for i := range 31 {
				p.Tags = append(p.Tags, fmt.Sprintf("t%d", i))
			}
		}, "tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ordSerum
			tc.edit(&p)
			_, _, err := e.svc.PutProduct(ctx, ordAdmin, p)
			ve, ok := errors.AsType[*card.ValidationError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotEmpty(t, ve.MessageRU)
		})
	}
}

func TestChangeStock(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	st, err := e.svc.ChangeStock(ctx, ordMgr1, card.StockChange{ProductID: "retinol", BranchID: "b1", Add: ordPtr(4)})
	require.NoError(t, err)
	assert.Equal(t, 5, st.Quantity, "a delivery")
	st, err = e.svc.ChangeStock(ctx, ordMgr1, card.StockChange{ProductID: "retinol", BranchID: "b1", Add: ordPtr(-2)})
	require.NoError(t, err)
	assert.Equal(t, 3, st.Quantity, "a write-off")
	_, err = e.svc.ChangeStock(ctx, ordMgr1, card.StockChange{ProductID: "retinol", BranchID: "b1", Add: ordPtr(-4)})
	assert.ErrorIs(t, err, card.ErrOutOfStock)

	for _, a := range []card.Actor{ordMgr2, ordDocA, ordOlga} {
		_, err := e.svc.ChangeStock(ctx, a, card.StockChange{ProductID: "retinol", BranchID: "b1", Set: ordPtr(9)})
		assert.ErrorIs(t, err, card.ErrForbidden, a.UserID)
	}
	_, err = e.svc.ChangeStock(ctx, ordAdmin, card.StockChange{ProductID: "nope", BranchID: "b1", Set: ordPtr(1)})
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.ChangeStock(ctx, ordAdmin, card.StockChange{ProductID: "serum", BranchID: "nowhere", Set: ordPtr(1)})
	assert.ErrorIs(t, err, card.ErrNotFound)
	for _, ch := range []card.StockChange{
		{ProductID: "serum", BranchID: "b1"},
		{ProductID: "serum", BranchID: "b1", Set: ordPtr(1), Add: ordPtr(1)},
		{ProductID: "serum", BranchID: "b1", Set: ordPtr(-1)},
		{ProductID: "serum", BranchID: "b1", Add: ordPtr(0)},
		{ProductID: "serum", BranchID: "b1", Set: ordPtr(card.MaxStock + 1)},
	} {
		_, err := e.svc.ChangeStock(ctx, ordAdmin, ch)
		assert.ErrorIs(t, err, card.ErrInvalidInput, "%+v", ch)
	}
	assert.Equal(t, 3, e.available("retinol", "b1"))
}

func TestPlaceOrder(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	o, created, err := e.svc.PlaceOrder(ctx, ordOlga, card.OrderInput{BranchID: "b1", Note: "  к пятнице ",
		Lines: []card.OrderLine{ordLine("serum", 2), ordLine("retinol", 1)}, IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, card.OrderNew, o.Status)
	assert.Equal(t, card.OrderSourceCabinet, o.Source)
	assert.Equal(t, "c-olga", o.ClientID)
	assert.Equal(t, "к пятнице", o.Note)
	assert.Equal(t, booking.Money{Amount: 2*350000 + 420000, Currency: "RUB"}, o.Total)
	require.Len(t, o.Items, 2)
	assert.Equal(t, card.OrderItem{ProductID: "serum", Brand: "Derma Lab", Line: "Bright", Name: "Vitamin C 15% Serum",
		Category: card.CategorySerum, Volume: 30, Unit: card.UnitML, DailyUse: 0.5, Quantity: 2,
		UnitPrice: booking.Money{Amount: 350000, Currency: "RUB"}}, o.Items[0], "the catalog as it was, copied")
	assert.Equal(t, 120, o.Items[0].LastsDays())
	assert.Equal(t, 3, e.available("serum", "b1"))
	assert.Equal(t, 0, e.available("retinol", "b1"))

	// A new price later does not change the order.
	changed := ordSerum
	changed.Price.Amount = 500000
	_, _, err = e.svc.PutProduct(ctx, ordAdmin, changed)
	require.NoError(t, err)
	got, hist, err := e.svc.Order(ctx, ordOlga, o.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(350000), got.Items[0].UnitPrice.Amount)
	require.Len(t, hist, 1)
	assert.Equal(t, card.OrderNew, hist[0].To)

	// A retried request returns the first order.
	again, created, err := e.svc.PlaceOrder(ctx, ordOlga, card.OrderInput{BranchID: "b1",
		Lines: []card.OrderLine{ordLine("serum", 1)}, IdempotencyKey: "k1"})
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, o.ID, again.ID)
	assert.Equal(t, 3, e.available("serum", "b1"))

	_, err = e.order(ordPetr, "b1", ordLine("retinol", 1))
	assert.ErrorIs(t, err, card.ErrOutOfStock)
	_, err = e.order(ordPetr, "b2", ordLine("retinol", 1))
	assert.ErrorIs(t, err, card.ErrOutOfStock, "never stocked there")
	_, err = e.order(ordAdmin, "b1", ordLine("serum", 1))
	assert.ErrorIs(t, err, card.ErrNotFound, "staff record purchases at the desk instead")

	for _, tc := range []struct {
		name  string
		in    card.OrderInput
		field string
	}{
		{"no branch", card.OrderInput{Lines: []card.OrderLine{ordLine("serum", 1)}}, "branch_id"},
		{"unknown branch", card.OrderInput{BranchID: "nowhere", Lines: []card.OrderLine{ordLine("serum", 1)}}, "branch_id"},
		{"closed branch", card.OrderInput{BranchID: "closed", Lines: []card.OrderLine{ordLine("serum", 1)}}, "branch_id"},
		{"no lines", card.OrderInput{BranchID: "b1"}, "items"},
		{"zero", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 0)}}, "items[0].quantity"},
		{"too many", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 11)}}, "items[0].quantity"},
		{"twice", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 1), ordLine("serum", 1)}}, "items[1].product_id"},
		{"unknown product", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("nope", 1)}}, "items[0].product_id"},
		{"inactive product", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("toner", 1)}}, "items[0].product_id"},
		{"mixed currencies", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 1), ordLine("imported", 1)}}, "items[1].product_id"},
		{"long note", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 1)}, Note: strings.Repeat("x", 501)}, "note"},
		{"long key", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 1)}, IdempotencyKey: strings.Repeat("k", 129)}, "Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.PlaceOrder(ctx, ordPetr, tc.in)
			ve, ok := errors.AsType[*card.ValidationError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	assert.Equal(t, 3, e.available("serum", "b1"), "no failed order took anything")

	// At most five open orders a client.
	for i := range 4 {
		_, err := e.order(ordOlga, "b1", ordLine("serum", 0+1))
		if i < 3 {
			require.NoError(t, err)
		} else {
			assert.ErrorIs(t, err, card.ErrOutOfStock)
		}
	}
	_, err = e.svc.ChangeStock(ctx, ordAdmin, card.StockChange{ProductID: "serum", BranchID: "b1", Add: ordPtr(10)})
	require.NoError(t, err)
	_, err = e.order(ordOlga, "b1", ordLine("serum", 1))
	require.NoError(t, err)
	_, err = e.order(ordOlga, "b1", ordLine("serum", 1))
	ve, ok := errors.AsType[*card.ValidationError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "items", ve.Field)
	assert.Contains(t, ve.Message, "5 orders waiting")
}

// Many clients race for the last unit: exactly one gets it, the others are
// told it is out of stock, and nothing else is taken from them.
func TestPlaceOrderRaceForTheLastUnit(t *testing.T) {
	e := newOrdersEnv(t)
	const n = 32
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = e.order(card.Actor{UserID: fmt.Sprint("c-", i), Role: booking.RoleClient}, "b1",
				ordLine("serum", 1), ordLine("retinol", 1))
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			assert.ErrorIs(t, err, card.ErrOutOfStock)
		}
	}
	assert.Equal(t, 1, won)
	assert.Equal(t, 0, e.available("retinol", "b1"))
	assert.Equal(t, 4, e.available("serum", "b1"))
	events, err := e.store.OrderEventsAfter(t.Context(), 0, 100)
	require.NoError(t, err)
	assert.Len(t, events, 1, "one order, one event")
}

func TestOrderStatusAndAccess(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	o, err := e.order(ordOlga, "b1", ordLine("serum", 2))
	require.NoError(t, err)

	// Who may see it.
	for _, tc := range []struct {
		actor card.Actor
		want  error
	}{
		{ordOlga, nil}, {ordPetr, card.ErrNotFound}, {ordDocA, nil}, {ordDocB, card.ErrNotFound},
		{ordMgr1, nil}, {ordMgr2, card.ErrNotFound}, {ordAdmin, nil},
	} {
		_, _, err := e.svc.Order(ctx, tc.actor, o.ID)
		if tc.want == nil {
			assert.NoError(t, err, tc.actor.UserID)
		} else {
			assert.ErrorIs(t, err, tc.want, tc.actor.UserID)
		}
	}
	assert.NotEmpty(t, e.auditOf(card.ActionCardViewed), "staff reads are audited")
	assert.NotEmpty(t, e.auditOf(card.ActionCardDenied))

	// Who may move it: the branch's manager and admins; a specialist who
	// sees the client is told no, anyone else that there is no such order.
	for _, tc := range []struct {
		actor card.Actor
		want  error
	}{
		{ordOlga, card.ErrForbidden}, {ordPetr, card.ErrForbidden}, {ordDocA, card.ErrForbidden},
		{ordDocB, card.ErrNotFound}, {ordMgr2, card.ErrNotFound},
	} {
		_, err := e.svc.SetOrderStatus(ctx, tc.actor, o.ID, card.OrderConfirmed, "")
		assert.ErrorIs(t, err, tc.want, tc.actor.UserID)
	}
	_, err = e.svc.SetOrderStatus(ctx, ordMgr1, o.ID, "shipped", "")
	assert.ErrorIs(t, err, card.ErrInvalidInput)
	_, err = e.svc.SetOrderStatus(ctx, ordMgr1, o.ID, card.OrderNew, "")
	assert.ErrorIs(t, err, card.ErrInvalidInput, "nothing moves back to new")

	got, err := e.svc.SetOrderStatus(ctx, ordMgr1, o.ID, card.OrderConfirmed, "")
	require.NoError(t, err)
	assert.Equal(t, card.OrderConfirmed, got.Status)
	changed := e.auditOf(card.ActionCardChanged)
	require.NotEmpty(t, changed)
	assert.Equal(t, "c-olga", changed[len(changed)-1].Subject)
	assert.Contains(t, changed[len(changed)-1].Detail, "new → confirmed")

	// Once confirmed, the client calls the clinic to cancel.
	_, err = e.svc.CancelOrder(ctx, ordOlga, o.ID, "передумала")
	assert.ErrorIs(t, err, card.ErrInvalidTransition)
	_, err = e.svc.CancelOrder(ctx, ordPetr, o.ID, "")
	assert.ErrorIs(t, err, card.ErrNotFound)

	got, err = e.svc.SetOrderStatus(ctx, ordAdmin, o.ID, card.OrderReady, "")
	require.NoError(t, err)
	_, err = e.svc.SetOrderStatus(ctx, ordAdmin, o.ID, card.OrderConfirmed, "")
	assert.ErrorIs(t, err, card.ErrInvalidTransition, "no step back")
	got, err = e.svc.CancelOrder(ctx, ordMgr1, o.ID, "  не забрали  ")
	require.NoError(t, err)
	assert.Equal(t, card.OrderCancelled, got.Status)
	assert.Equal(t, "не забрали", got.CancelReason)
	assert.Equal(t, "u-mgr-1", got.CancelledBy)
	assert.Equal(t, 5, e.available("serum", "b1"), "the stock is back")

	_, hist, err := e.svc.Order(ctx, ordOlga, o.ID)
	require.NoError(t, err)
	var steps []string
	for _, h := range hist {
		steps = append(steps, fmt.Sprintf("%s→%s by %s staff=%t", h.From, h.To, h.By, h.ByStaff))
	}
	assert.Equal(t, []string{"→new by c-olga staff=false", "new→confirmed by u-mgr-1 staff=true",
		"confirmed→ready by u-admin staff=true", "ready→cancelled by u-mgr-1 staff=true"}, steps)

	// The client cancels a new order.
	o2, err := e.order(ordOlga, "b1", ordLine("serum", 1))
	require.NoError(t, err)
	got, err = e.svc.CancelOrder(ctx, ordOlga, o2.ID, "")
	require.NoError(t, err)
	assert.Equal(t, "c-olga", got.CancelledBy)
	assert.Equal(t, 5, e.available("serum", "b1"))
}

func TestRecordPurchaseAndPurchases(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	for _, a := range []card.Actor{ordDocA, ordMgr2, ordOlga} {
		_, err := e.svc.RecordPurchase(ctx, a, "c-petr", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("serum", 1)}})
		assert.ErrorIs(t, err, card.ErrForbidden, a.UserID)
	}
	_, err := e.svc.RecordPurchase(ctx, ordMgr1, "c-petr", card.OrderInput{Lines: []card.OrderLine{ordLine("serum", 1)}})
	assert.ErrorIs(t, err, card.ErrInvalidInput)

	desk, err := e.svc.RecordPurchase(ctx, ordMgr1, "c-petr", card.OrderInput{BranchID: "b1",
		Lines: []card.OrderLine{ordLine("serum", 1), ordLine("retinol", 1)}, IdempotencyKey: "ignored"})
	require.NoError(t, err)
	assert.Equal(t, card.OrderCompleted, desk.Status)
	assert.Equal(t, card.OrderSourceDesk, desk.Source)
	assert.Equal(t, "u-mgr-1", desk.CreatedBy)
	assert.Equal(t, ordersNow, desk.CompletedAt)
	assert.Equal(t, 4, e.available("serum", "b1"))
	events, err := e.store.OrderEventsAfter(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, card.EventOrderCompleted, events[0].Type)

	_, err = e.svc.RecordPurchase(ctx, ordMgr1, "c-petr", card.OrderInput{BranchID: "b1", Lines: []card.OrderLine{ordLine("retinol", 1)}})
	assert.ErrorIs(t, err, card.ErrOutOfStock, "the books say none: correct the stock first")

	// Petr has no visit at b1, but the desk that sold to him sees his
	// orders; the other branch's manager does not.
	list, err := e.svc.Orders(ctx, ordMgr1, "c-petr")
	require.NoError(t, err)
	assert.Len(t, list, 1)
	_, err = e.svc.Orders(ctx, ordMgr2, "c-petr")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.Orders(ctx, ordOlga, "c-petr")
	assert.ErrorIs(t, err, card.ErrNotFound)

	// Purchases: one line per product, the newest purchase first.
	o, err := e.order(ordPetr, "b1", ordLine("serum", 2))
	require.NoError(t, err)
	_, err = e.svc.SetOrderStatus(ctx, ordMgr1, o.ID, card.OrderCompleted, "")
	require.NoError(t, err)
	_, err = e.order(ordPetr, "b1", ordLine("serum", 1)) // still open: not a purchase
	require.NoError(t, err)
	ps, err := e.svc.Purchases(ctx, ordPetr, "c-petr")
	require.NoError(t, err)
	require.Len(t, ps, 2)
	serum := ps[0]
	if serum.ProductID != "serum" {
		serum = ps[1]
	}
	assert.Equal(t, 3, serum.Quantity)
	assert.Equal(t, 2, serum.Times)
	assert.Equal(t, 120, serum.LastsDays, "the last purchase: two bottles")
	assert.Equal(t, ordersNow.AddDate(0, 0, 120), serum.RunsOutAround)
	assert.Equal(t, o.ID, serum.LastOrderID)

	none, err := e.svc.Purchases(ctx, ordOlga, "c-olga")
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = e.svc.Purchases(ctx, ordDocB, "c-petr")
	assert.ErrorIs(t, err, card.ErrNotFound)
	queue, err := e.svc.BranchOrders(ctx, ordMgr1, card.OrderFilter{Statuses: []card.OrderStatus{card.OrderNew}})
	require.NoError(t, err)
	assert.Len(t, queue, 1)
	_, err = e.svc.BranchOrders(ctx, ordMgr1, card.OrderFilter{BranchIDs: []string{"b2"}})
	assert.ErrorIs(t, err, card.ErrForbidden)
	_, err = e.svc.BranchOrders(ctx, ordDocA, card.OrderFilter{})
	assert.ErrorIs(t, err, card.ErrForbidden)
	all, err := e.svc.BranchOrders(ctx, ordAdmin, card.OrderFilter{})
	require.NoError(t, err)
	assert.Len(t, all, 3)
}

func TestVisitsAndNotes(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	recs := []card.Recommendation{
		{Kind: card.RecommendProduct, ItemID: "serum", Text: "утром, перед SPF"},
		{Kind: card.RecommendProcedure, ItemID: "peel", Text: "через две недели"},
		{Kind: card.RecommendHomeCare, Text: "неделю без сауны"},
	}
	n, err := e.svc.WriteVisitNote(ctx, ordDocA, "a-done", " Кожа спокойная. ", recs)
	require.NoError(t, err)
	assert.Equal(t, "Кожа спокойная.", n.Notes)
	assert.Equal(t, "Derma Lab Vitamin C 15% Serum", n.Recommendations[0].Name)
	assert.Equal(t, "Миндальный пилинг", n.Recommendations[1].Name)
	changed := e.auditOf(card.ActionCardChanged)
	require.Len(t, changed, 1)
	assert.Equal(t, "visit note a-done", changed[0].Detail)
	assert.Equal(t, "192.0.2.9", changed[0].IP)

	for _, tc := range []struct {
		name  string
		actor card.Actor
		id    string
		recs  []card.Recommendation
		want  error
		field string
	}{
		{"another specialist, no relation", ordDocB, "a-done", nil, card.ErrNotFound, ""},
		{"a client", ordOlga, "a-done", nil, card.ErrForbidden, ""},
		{"another branch's manager", ordMgr2, "a-done", nil, card.ErrNotFound, ""},
		{"unknown visit", ordDocA, "nope", nil, card.ErrNotFound, ""},
		{"not yet", ordDocA, "a-next", nil, card.ErrInvalidInput, "appointment"},
		{"cancelled", ordDocA, "a-cancel", nil, card.ErrInvalidInput, "appointment"},
		{"unknown kind", ordDocA, "a-done", []card.Recommendation{{Kind: "diet", Text: "x"}}, card.ErrInvalidInput, "recommendations[0].kind"},
		{"unknown product", ordDocA, "a-done", []card.Recommendation{{Kind: card.RecommendProduct, ItemID: "nope"}}, card.ErrInvalidInput, "recommendations[0].item_id"},
		{"unknown service", ordDocA, "a-done", []card.Recommendation{{Kind: card.RecommendProcedure, ItemID: "nope"}}, card.ErrInvalidInput, "recommendations[0].item_id"},
		{"home care with an item", ordDocA, "a-done", []card.Recommendation{{Kind: card.RecommendHomeCare, ItemID: "serum", Text: "x"}}, card.ErrInvalidInput, "recommendations[0].item_id"},
		{"empty", ordDocA, "a-done", []card.Recommendation{{Kind: card.RecommendHomeCare, Text: " "}}, card.ErrInvalidInput, "recommendations[0].text"},
		{"long text", ordDocA, "a-done", []card.Recommendation{{Kind: card.RecommendHomeCare, Text: strings.Repeat("x", 501)}}, card.ErrInvalidInput, "recommendations[0].text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.WriteVisitNote(ctx, tc.actor, tc.id, "заметка", tc.recs)
			assert.ErrorIs(t, err, tc.want)
			if tc.field != "" {
				ve, ok := errors.AsType[*card.ValidationError](err)
				require.True(t, ok)
				assert.Equal(t, tc.field, ve.Field)
			}
		})
	}
	_, err = e.svc.WriteVisitNote(ctx, ordMgr1, "a-old", "Старый визит: запись администратора.", nil)
	require.NoError(t, err, "the branch's manager may write too")

	visits, err := e.svc.Visits(ctx, ordOlga, "c-olga")
	require.NoError(t, err)
	require.Len(t, visits, 2, "completed ones only, latest first")
	assert.Equal(t, "a-done", visits[0].Appointment.ID)
	assert.Equal(t, "Миндальный пилинг", visits[0].ServiceName)
	assert.Equal(t, "Анна Петрова", visits[0].SpecialistName)
	assert.Equal(t, "Центр", visits[0].BranchName)
	assert.Equal(t, "Кожа спокойная.", visits[0].Note.Notes)
	assert.Equal(t, "Derma Lab Vitamin C 15% Serum", visits[0].Note.Recommendations[0].Name)
	assert.Equal(t, "a-old", visits[1].Appointment.ID)

	_, err = e.svc.Visits(ctx, ordPetr, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.Visits(ctx, ordDocB, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
	_, err = e.svc.Visits(ctx, ordDocA, "c-olga")
	require.NoError(t, err)
	viewed := e.auditOf(card.ActionCardViewed)
	require.NotEmpty(t, viewed)
	assert.Equal(t, "visits", viewed[len(viewed)-1].Detail)

	// Once B has a visit with Olga too, B sees her card but still may not
	// write A's note.
	start := ordersNow.AddDate(0, 0, 3)
	_, _, err = e.store.CreateAppointment(ctx, booking.Appointment{ID: "a-b", ClientID: "c-olga", BranchID: "b1", ServiceID: "peel",
		SpecialistID: "B", Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
		Status: booking.StatusConfirmed, CreatedBy: "c-olga", CreatedAt: ordersNow, UpdatedAt: ordersNow}, "",
		booking.Event{Type: booking.EventBooked})
	require.NoError(t, err)
	_, err = e.svc.WriteVisitNote(ctx, ordDocB, "a-done", "чужая заметка", nil)
	assert.ErrorIs(t, err, card.ErrNotFound, "A's visit is not B's to open, let alone to write")
}

func TestCarePlan(t *testing.T) {
	e := newOrdersEnv(t)
	ctx := t.Context()
	plan, err := e.svc.Plan(ctx, ordOlga, "c-olga")
	require.NoError(t, err)
	require.Len(t, plan.Upcoming, 1)
	assert.Equal(t, "a-next", plan.Upcoming[0].Appointment.ID)
	assert.Equal(t, "Миндальный пилинг", plan.Upcoming[0].ServiceName)
	assert.Equal(t, "Анна Петрова", plan.Upcoming[0].SpecialistName)
	require.Len(t, plan.Courses, 1)
	c := plan.Courses[0]
	assert.Equal(t, "course", c.Plan.ID)
	assert.Equal(t, 1, c.Completed)
	assert.Len(t, c.Booked, 1)
	assert.Equal(t, 3, c.Remaining)
	assert.Equal(t, ordersNow.AddDate(0, 0, 21), c.NextFrom, "two weeks after the booked session")

	_, err = e.svc.Plan(ctx, ordPetr, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
	staff, err := e.svc.Plan(ctx, ordMgr1, "c-olga")
	require.NoError(t, err)
	assert.Len(t, staff.Courses, 1)
	empty, err := e.svc.Plan(ctx, ordPetr, "c-petr")
	require.NoError(t, err)
	assert.Empty(t, empty.Upcoming)
	assert.Empty(t, empty.Courses)
}
