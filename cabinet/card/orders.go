package card

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// Orders of products. A client orders for pick-up at a branch
// (PlaceOrder): the order starts as new and the branch's stock is reserved
// at once, in the same store transaction that stores the order, so two
// clients racing for the last unit cannot both get it. Staff move it
// forward — confirmed, ready for pick-up, completed when handed over — or
// cancel it, which returns the stock. A purchase made at the desk is
// recorded as completed at once (RecordPurchase). Prices are captured when
// the order is made; every status change is kept (who, when) and written to
// the event log in the change's transaction, where notification planning
// reads it (order updates, replenishment reminders).

// OrderStatus is where an order is.
type OrderStatus string

// Order statuses. An order moves forward only — new → confirmed → ready →
// completed, steps may be skipped (a client who comes for a confirmed order
// before it was marked ready gets it) — or is cancelled while open.
const (
	OrderNew       OrderStatus = "new"       // placed by the client, stock reserved
	OrderConfirmed OrderStatus = "confirmed" // the clinic accepted it
	OrderReady     OrderStatus = "ready"     // packed, waiting at the branch
	OrderCompleted OrderStatus = "completed" // handed over and paid
	OrderCancelled OrderStatus = "cancelled" // by the client (while new) or the clinic; stock returned
)

// OrderStatuses are every status, in lifecycle order.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderNew, OrderConfirmed, OrderReady, OrderCompleted, OrderCancelled}
}

// Open reports whether the order still holds its stock and may change.
func (s OrderStatus) Open() bool { return s == OrderNew || s == OrderConfirmed || s == OrderReady }

// orderFrom lists, for each status an order may move to, the statuses it
// may move from.
var orderFrom = map[OrderStatus][]OrderStatus{
	OrderConfirmed: {OrderNew},
	OrderReady:     {OrderNew, OrderConfirmed},
	OrderCompleted: {OrderNew, OrderConfirmed, OrderReady},
	OrderCancelled: {OrderNew, OrderConfirmed, OrderReady},
}

// OrderSource says how an order was made.
type OrderSource string

// Order sources.
const (
	OrderSourceCabinet OrderSource = "cabinet"    // the client, online, for pick-up
	OrderSourceDesk    OrderSource = "front_desk" // staff, a purchase at the desk
)

// OrderItem is one line of an order. The product's description and price
// are copied when the order is made, so the order reads the same after the
// catalog changes.
type OrderItem struct {
	ProductID string
	Brand     string
	Line      string
	Name      string
	Category  ProductCategory
	Volume    int
	Unit      Unit
	DailyUse  float64
	Quantity  int
	UnitPrice booking.Money
}

// Subtotal is the line's price.
func (i OrderItem) Subtotal() booking.Money {
	return booking.Money{Amount: i.UnitPrice.Amount * int64(i.Quantity), Currency: i.UnitPrice.Currency}
}

// LastsDays is how many days the line's units last at the product's daily
// use; 0 when unknown.
func (i OrderItem) LastsDays() int { return lastsDays(i.Quantity, i.Volume, i.DailyUse) }

// Order is one order of products.
type Order struct {
	ID string
	// Number is assigned by the store, increasing, and shown to people
	// ("order 1042") where the ID is too long.
	Number       int64
	ClientID     string
	BranchID     string
	Status       OrderStatus
	Source       OrderSource
	Items        []OrderItem
	Total        booking.Money
	Note         string // the client's comment, or staff's at the desk
	CancelReason string
	CancelledBy  string // user ID
	CreatedBy    string // user ID: the client, or staff at the desk
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CompletedAt  time.Time // zero until completed
}

// OrderChange is one line of an order's history.
type OrderChange struct {
	OrderID string
	From    OrderStatus // empty for the order itself
	To      OrderStatus
	At      time.Time
	By      string // user ID
	ByStaff bool
	Reason  string
}

// OrderEventType names a change of an order in the event log.
type OrderEventType string

// Order event types, written in the same transaction as the change.
const (
	EventOrderPlaced    OrderEventType = "order.placed"    // a client ordered (new)
	EventOrderConfirmed OrderEventType = "order.confirmed" // → confirmed
	EventOrderReady     OrderEventType = "order.ready"     // → ready for pick-up
	EventOrderCompleted OrderEventType = "order.completed" // → completed, or a desk purchase
	EventOrderCancelled OrderEventType = "order.cancelled" // → cancelled
)

// orderEventOf is the event type of a move to status to.
func orderEventOf(to OrderStatus) OrderEventType {
	switch to {
	case OrderConfirmed:
		return EventOrderConfirmed
	case OrderReady:
		return EventOrderReady
	case OrderCompleted:
		return EventOrderCompleted
	case OrderCancelled:
		return EventOrderCancelled
	}
	return EventOrderPlaced
}

// OrderEvent is one entry of the orders stream of the event log. Seq is
// assigned by the store, increasing (shared with the other streams, so it
// may skip); consumers keep their own cursor.
type OrderEvent struct {
	Seq      int64
	Type     OrderEventType
	OrderID  string
	ClientID string
	At       time.Time
	By       string      // user ID of whoever made the change
	From     OrderStatus // the status before; empty for a new order
	Order    Order       // the order after the change
}

// OrderFilter selects orders; empty fields match everything.
type OrderFilter struct {
	ClientID  string
	BranchIDs []string
	Statuses  []OrderStatus
	ProductID string // orders with a line of this product
	Limit     int    // 0: no limit
}

// OrderStore keeps the products catalog, orders and visit notes. Each
// method is atomic; store/storetest checks every promise.
type OrderStore interface {
	CatalogStore
	VisitStore

	// CreateOrder stores a new order, in one transaction: if
	// idempotencyKey is not empty and o.ClientID made an order with it
	// before, returns that order and created=false, writing nothing.
	// Otherwise reserves each line's Quantity of the branch's stock
	// (a product never stocked there has none) — ErrOutOfStock, and
	// nothing written, when any line has too few — then inserts the order
	// with its Number assigned, its first history line (to o.Status, by
	// o.CreatedBy) and ev with Seq assigned (the store sets its OrderID,
	// ClientID and Order from the stored order, and At when zero).
	// ErrNotFound: no such branch or product. A taken ID is an error.
	// When maxOpen > 0 and the client has maxOpen orders or more that are
	// new, confirmed or ready, nothing is written and the error is
	// ErrTooManyOpenOrders — counted in the same transaction, so
	// concurrent orders cannot pass the limit.
	CreateOrder(ctx context.Context, o Order, idempotencyKey string, maxOpen int, ev OrderEvent) (Order, bool, error)
	// SetOrderStatus changes an order's status, in one transaction: the
	// order must exist (ErrNotFound) and be in one of from
	// (ErrInvalidTransition, nothing written); sets change.To, UpdatedAt
	// = change.At, CompletedAt for completed, CancelReason and
	// CancelledBy (change.Reason, change.By) for cancelled — and then
	// returns every line's quantity to the branch's stock; appends the
	// history line and ev (From, OrderID, ClientID and Order set by the
	// store). Returns the order after the change.
	SetOrderStatus(ctx context.Context, id string, from []OrderStatus, change OrderChange, ev OrderEvent) (Order, error)
	// OrderByID returns ErrNotFound for an unknown ID.
	OrderByID(ctx context.Context, id string) (Order, error)
	// OrderByIdempotencyKey returns the order the client made with that
	// key, or ErrNotFound.
	OrderByIdempotencyKey(ctx context.Context, clientID, key string) (Order, error)
	// Orders returns the matching orders newest first (by Number).
	Orders(ctx context.Context, f OrderFilter) ([]Order, error)
	// OrderHistory returns an order's status changes, oldest first.
	OrderHistory(ctx context.Context, orderID string) ([]OrderChange, error)
	// OrderEventsAfter returns up to limit (100 if limit ≤ 0) events of
	// the orders stream with Seq > after, in Seq order.
	OrderEventsAfter(ctx context.Context, after int64, limit int) ([]OrderEvent, error)

	// DepersonalizeOrders is the orders' part of erasing a client, in one
	// transaction: their orders are kept (the clinic must keep its sales)
	// under pseudonym instead of clientID, without their comment or
	// idempotency keys, and their history lines made by the client name
	// the pseudonym; the notes written after their visits (health data) are
	// deleted. It returns how many orders it changed. The event log is not
	// touched: erasing a client's events is the log's own concern.
	DepersonalizeOrders(ctx context.Context, clientID, pseudonym string) (int, error)
}

// Limits of an order.
const (
	MaxOrderLines    = 20  // distinct products in one order
	MaxLineQuantity  = 10  // units of one product
	MaxOpenOrders    = 5   // a client's orders not yet completed or cancelled (online)
	maxOrderNote     = 500 // characters
	maxCancelReason  = 300
	maxIdempotencyID = 128
)

// OrderLine is one product and quantity asked for.
type OrderLine struct {
	ProductID string
	Quantity  int
}

// OrderInput is an order as asked for.
type OrderInput struct {
	BranchID string
	Lines    []OrderLine
	Note     string
	// IdempotencyKey makes a retried request return the first order
	// instead of ordering again (online orders only).
	IdempotencyKey string
}

// PlaceOrder is a client's own order for pick-up at a branch. It reports
// whether the order is new (false: a retry with the same idempotency key,
// which returns the first order).
//
// Errors: ErrNotFound (actor is not a client acting for themself);
// *ValidationError (no lines, an unknown or inactive product, a quantity out
// of range, mixed currencies, an unknown branch, too many open orders);
// ErrOutOfStock (nothing is reserved then).
func (s *Service) PlaceOrder(ctx context.Context, actor Actor, in OrderInput) (Order, bool, error) {
	if actor.UserID == "" || actor.Staff() {
		return Order{}, false, ErrNotFound // staff record purchases with RecordPurchase
	}
	if len(in.IdempotencyKey) > maxIdempotencyID {
		return Order{}, false, invalid("Idempotency-Key", "The idempotency key is too long.", "Слишком длинный ключ идемпотентности.")
	}
	if in.IdempotencyKey != "" {
		// A retry: the first order, without counting it as another open one.
		if prior, ok, err := s.orderByKey(ctx, actor.UserID, in.IdempotencyKey); err != nil || ok {
			return prior, false, err
		}
	}
	o, err := s.newOrder(ctx, actor.UserID, in)
	if err != nil {
		return Order{}, false, err
	}
	o.Status, o.Source, o.CreatedBy = OrderNew, OrderSourceCabinet, actor.UserID
	ev := OrderEvent{Type: EventOrderPlaced, At: o.CreatedAt, By: actor.UserID}
	placed, created, err := s.cfg.Store.CreateOrder(ctx, o, in.IdempotencyKey, MaxOpenOrders, ev)
	if errors.Is(err, ErrTooManyOpenOrders) {
		return Order{}, false, invalid("items", fmt.Sprintf("You have %d orders waiting: pick them up or cancel one first.", MaxOpenOrders),
			fmt.Sprintf("У вас уже %d заказов в работе: сначала заберите или отмените один из них.", MaxOpenOrders))
	}
	return placed, created, err
}

// orderByKey finds the client's order made with an idempotency key.
func (s *Service) orderByKey(ctx context.Context, clientID, key string) (Order, bool, error) {
	o, err := s.cfg.Store.OrderByIdempotencyKey(ctx, clientID, key)
	if errors.Is(err, ErrNotFound) {
		return Order{}, false, nil
	}
	return o, err == nil, err
}

// RecordPurchase records products bought at the desk of a branch by a
// client: completed at once, taken from the branch's stock. Admins and the
// branch's managers may.
//
// Errors: ErrForbidden (other staff, a manager of another branch, a
// client); *ValidationError; ErrOutOfStock (correct the stock first: what is
// on the shelf is not in the books).
func (s *Service) RecordPurchase(ctx context.Context, actor Actor, clientID string, in OrderInput) (Order, error) {
	switch {
	case !actor.Staff():
		return Order{}, ErrForbidden
	case in.BranchID == "":
		return Order{}, invalid("branch_id", "Choose a branch.", "Выберите филиал.")
	case !manages(actor, in.BranchID):
		return Order{}, ErrForbidden
	}
	if clientID == "" {
		return Order{}, ErrNotFound
	}
	in.IdempotencyKey = ""
	o, err := s.newOrder(ctx, clientID, in)
	if err != nil {
		return Order{}, err
	}
	if err := s.auditStaff(ctx, actor, clientID, "purchase at the desk", true, true); err != nil {
		return Order{}, err
	}
	o.Status, o.Source, o.CreatedBy, o.CompletedAt = OrderCompleted, OrderSourceDesk, actor.UserID, o.CreatedAt
	ev := OrderEvent{Type: EventOrderCompleted, At: o.CreatedAt, By: actor.UserID}
	o, _, err = s.cfg.Store.CreateOrder(ctx, o, "", 0, ev)
	return o, err
}

// newOrder validates in and builds the order for clientID with the
// catalog's current descriptions and prices.
func (s *Service) newOrder(ctx context.Context, clientID string, in OrderInput) (Order, error) {
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case in.BranchID == "":
		return Order{}, invalid("branch_id", "Choose a branch to pick the order up at.", "Выберите филиал, где заберёте заказ.")
	case len(in.Lines) == 0:
		return Order{}, invalid("items", "Add at least one product.", "Добавьте хотя бы один товар.")
	case len(in.Lines) > MaxOrderLines:
		return Order{}, invalid("items", fmt.Sprintf("At most %d different products in one order.", MaxOrderLines),
			fmt.Sprintf("Не больше %d разных товаров в одном заказе.", MaxOrderLines))
	}
	if err := productText("note", in.Note, maxOrderNote, "The comment", "Комментарий", true); err != nil {
		return Order{}, err
	}
	br, err := s.cfg.Booking.Store().BranchByID(ctx, in.BranchID)
	if errors.Is(err, booking.ErrNotFound) || err == nil && !br.Active {
		return Order{}, invalid("branch_id", "No such branch.", "Такого филиала нет.")
	} else if err != nil {
		return Order{}, err
	}
	now := s.now()
	o := Order{ID: s.cfg.NewID(), ClientID: clientID, BranchID: in.BranchID, Note: in.Note, CreatedAt: now, UpdatedAt: now}
	seen := map[string]bool{}
	for i, l := range in.Lines {
		field := fmt.Sprintf("items[%d]", i)
		if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
			return Order{}, invalid(field+".quantity", fmt.Sprintf("The quantity must be from 1 to %d.", MaxLineQuantity),
				fmt.Sprintf("Количество — от 1 до %d.", MaxLineQuantity))
		}
		if seen[l.ProductID] {
			return Order{}, invalid(field+".product_id", "The product is listed twice: change its quantity instead.",
				"Товар указан дважды: измените количество.")
		}
		seen[l.ProductID] = true
		p, err := s.cfg.Store.ProductByID(ctx, l.ProductID)
		if errors.Is(err, ErrNotFound) || err == nil && !p.Active {
			return Order{}, invalid(field+".product_id", "No such product in the catalog.", "Такого товара нет в каталоге.")
		} else if err != nil {
			return Order{}, err
		}
		item := OrderItem{ProductID: p.ID, Brand: p.Brand, Line: p.Line, Name: p.Name, Category: p.Category,
			Volume: p.Volume, Unit: p.Unit, DailyUse: p.DailyUse, Quantity: l.Quantity, UnitPrice: p.Price}
		if i == 0 {
			o.Total.Currency = p.Price.Currency
		} else if p.Price.Currency != o.Total.Currency {
			return Order{}, invalid(field+".product_id", "Products priced in different currencies cannot share an order.",
				"Товары с ценами в разных валютах нельзя оформить одним заказом.")
		}
		o.Total.Amount += item.Subtotal().Amount
		o.Items = append(o.Items, item)
	}
	return o, nil
}

// Orders lists a client's orders, newest first, optionally only those in
// statuses. Staff reads are audited.
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Orders(ctx context.Context, actor Actor, clientID string, statuses ...OrderStatus) ([]Order, error) {
	if err := s.authorizeOrders(ctx, actor, clientID, "orders"); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.Orders(ctx, OrderFilter{ClientID: clientID, Statuses: statuses})
	if list == nil && err == nil {
		list = []Order{}
	}
	return list, err
}

// BranchOrders lists the orders of branches for the front desk, newest
// first: an admin any branch, a manager theirs (f.BranchIDs empty: all of
// theirs).
//
// Errors: ErrForbidden (other staff, or a branch the manager does not run).
func (s *Service) BranchOrders(ctx context.Context, actor Actor, f OrderFilter) ([]Order, error) {
	switch actor.Role {
	case booking.RoleAdmin:
	case booking.RoleManager:
		if len(f.BranchIDs) == 0 {
			f.BranchIDs = slices.Clone(actor.Branches)
			if len(f.BranchIDs) == 0 {
				return []Order{}, nil
			}
		}
		for _, b := range f.BranchIDs {
			if !manages(actor, b) {
				return nil, ErrForbidden
			}
		}
	default:
		return nil, ErrForbidden
	}
	f.ClientID, f.ProductID = "", ""
	f.Limit = cmp.Or(f.Limit, 500)
	list, err := s.cfg.Store.Orders(ctx, f)
	if list == nil && err == nil {
		list = []Order{}
	}
	return list, err
}

// Order returns one order and its history: the client's own, or for staff
// an order of a branch they run or of a client whose card they may see.
// Staff reads are audited.
//
// Errors: ErrNotFound.
func (s *Service) Order(ctx context.Context, actor Actor, id string) (Order, []OrderChange, error) {
	o, err := s.visibleOrder(ctx, actor, id)
	if err != nil {
		return Order{}, nil, err
	}
	hist, err := s.cfg.Store.OrderHistory(ctx, o.ID)
	return o, hist, err
}

// visibleOrder loads an order the actor may see (ErrNotFound otherwise),
// auditing a staff read.
func (s *Service) visibleOrder(ctx context.Context, actor Actor, id string) (Order, error) {
	if id == "" || actor.UserID == "" {
		return Order{}, ErrNotFound
	}
	o, err := s.cfg.Store.OrderByID(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !actor.Staff() {
		if o.ClientID != actor.UserID {
			return Order{}, ErrNotFound
		}
		return o, nil
	}
	if manages(actor, o.BranchID) {
		return o, s.auditStaff(ctx, actor, o.ClientID, "order "+o.ID, false, true)
	}
	if err := s.authorize(ctx, actor, o.ClientID, "order "+o.ID, false); err != nil {
		return Order{}, err
	}
	return o, nil
}

// CancelOrder is a client cancelling their own order while it is new
// (once the clinic confirmed it, they call the clinic), or staff cancelling
// as SetOrderStatus does. The stock is returned.
//
// Errors: ErrNotFound; ErrInvalidTransition (no longer new, for a client;
// not open, for staff); ErrForbidden (staff who do not run the branch);
// *ValidationError (reason too long).
func (s *Service) CancelOrder(ctx context.Context, actor Actor, id, reason string) (Order, error) {
	if actor.Staff() {
		return s.SetOrderStatus(ctx, actor, id, OrderCancelled, reason)
	}
	reason = strings.TrimSpace(reason)
	if err := productText("reason", reason, maxCancelReason, "The reason", "Причина", true); err != nil {
		return Order{}, err
	}
	o, err := s.visibleOrder(ctx, actor, id)
	if err != nil {
		return Order{}, err
	}
	return s.moveOrder(ctx, actor, o, []OrderStatus{OrderNew}, OrderCancelled, reason)
}

// SetOrderStatus moves an order forward (confirmed, ready, completed) or
// cancels it: admins, and managers of the order's branch.
//
// Errors: ErrNotFound (an order the actor may not see); ErrForbidden (staff
// who see it but do not run its branch); ErrInvalidTransition (a step back,
// or the order is closed); *ValidationError (an unknown status).
func (s *Service) SetOrderStatus(ctx context.Context, actor Actor, id string, to OrderStatus, reason string) (Order, error) {
	from, ok := orderFrom[to]
	if !ok {
		return Order{}, invalid("status", `The status is "confirmed", "ready", "completed" or "cancelled".`,
			`Статус — "confirmed", "ready", "completed" или "cancelled".`)
	}
	reason = strings.TrimSpace(reason)
	if err := productText("reason", reason, maxCancelReason, "The reason", "Причина", true); err != nil {
		return Order{}, err
	}
	if !actor.Staff() {
		return Order{}, ErrForbidden
	}
	o, err := s.cfg.Store.OrderByID(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !manages(actor, o.BranchID) {
		// Someone who may see the client's card learns that they may not
		// do this; anyone else, that there is no such order.
		related, err := s.related(ctx, actor, o.ClientID)
		if err != nil {
			return Order{}, err
		}
		if err := s.auditStaff(ctx, actor, o.ClientID, fmt.Sprintf("order %s: → %s", o.ID, to), true, false); err != nil {
			return Order{}, err
		}
		if !related {
			return Order{}, ErrNotFound
		}
		return Order{}, ErrForbidden
	}
	if err := s.auditStaff(ctx, actor, o.ClientID, fmt.Sprintf("order %s: %s → %s", o.ID, o.Status, to), true, true); err != nil {
		return Order{}, err
	}
	return s.moveOrder(ctx, actor, o, from, to, reason)
}

func (s *Service) moveOrder(ctx context.Context, actor Actor, o Order, from []OrderStatus, to OrderStatus, reason string) (Order, error) {
	if !slices.Contains(from, o.Status) {
		return Order{}, ErrInvalidTransition
	}
	now := s.now()
	change := OrderChange{OrderID: o.ID, From: o.Status, To: to, At: now, By: actor.UserID, ByStaff: actor.Staff(), Reason: reason}
	ev := OrderEvent{Type: orderEventOf(to), At: now, By: actor.UserID}
	return s.cfg.Store.SetOrderStatus(ctx, o.ID, from, change, ev)
}

// Purchase is one product a client bought, over all their completed
// orders: the newest purchase's description and price, and when it is
// expected to run out.
type Purchase struct {
	ProductID     string
	Brand         string
	Line          string
	Name          string
	Category      ProductCategory
	Volume        int
	Unit          Unit
	Quantity      int // units bought in all
	Times         int // in how many orders
	LastPrice     booking.Money
	FirstBought   time.Time
	LastBought    time.Time
	LastOrderID   string
	LastBranchID  string
	LastsDays     int       // the last purchase's units at the daily use; 0: unknown
	RunsOutAround time.Time // LastBought + LastsDays; zero when unknown
}

// Purchases lists the products a client bought (completed orders), the
// most recently bought first. Staff reads are audited.
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Purchases(ctx context.Context, actor Actor, clientID string) ([]Purchase, error) {
	if err := s.authorizeOrders(ctx, actor, clientID, "purchases"); err != nil {
		return nil, err
	}
	orders, err := s.cfg.Store.Orders(ctx, OrderFilter{ClientID: clientID, Statuses: []OrderStatus{OrderCompleted}})
	if err != nil {
		return nil, err
	}
	return purchasesOf(orders), nil
}

// purchasesOf folds completed orders into purchases per product.
func purchasesOf(orders []Order) []Purchase {
	byProduct := map[string]*Purchase{}
	for _, o := range orders {
		at := cmp.Or(o.CompletedAt, o.UpdatedAt)
		for _, it := range o.Items {
			p, ok := byProduct[it.ProductID]
			if !ok {
				p = &Purchase{ProductID: it.ProductID}
				byProduct[it.ProductID] = p
			}
			p.Quantity += it.Quantity
			p.Times++
			if p.FirstBought.IsZero() || at.Before(p.FirstBought) {
				p.FirstBought = at
			}
			if at.After(p.LastBought) || at.Equal(p.LastBought) && p.LastOrderID == "" {
				p.Brand, p.Line, p.Name, p.Category, p.Volume, p.Unit = it.Brand, it.Line, it.Name, it.Category, it.Volume, it.Unit
				p.LastPrice, p.LastBought, p.LastOrderID, p.LastBranchID = it.UnitPrice, at, o.ID, o.BranchID
				p.LastsDays = it.LastsDays()
			}
		}
	}
	out := make([]Purchase, 0, len(byProduct))
	for _, p := range byProduct {
		if p.LastsDays > 0 {
			p.RunsOutAround = p.LastBought.AddDate(0, 0, p.LastsDays)
		}
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Purchase) int {
		return cmp.Or(b.LastBought.Compare(a.LastBought), cmp.Compare(a.Brand, b.Brand), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.ProductID, b.ProductID))
	})
	return out
}

// authorizeOrders lets the client see their own orders, and staff those of
// a client whose card they may see — or, for a manager, a client who has an
// order in one of their branches (the front desk serves clients who never
// had a procedure there). Staff reads are audited.
func (s *Service) authorizeOrders(ctx context.Context, actor Actor, clientID, what string) error {
	if actor.Role == booking.RoleManager && clientID != "" && len(actor.Branches) > 0 {
		mine, err := s.cfg.Store.Orders(ctx, OrderFilter{ClientID: clientID, BranchIDs: actor.Branches, Limit: 1})
		if err != nil {
			return err
		}
		if len(mine) > 0 {
			return s.auditStaff(ctx, actor, clientID, what, false, true)
		}
	}
	return s.authorize(ctx, actor, clientID, what, false)
}

// auditStaff records a staff access the caller has already allowed (ok) or
// refused. Clients' own accesses are not recorded.
func (s *Service) auditStaff(ctx context.Context, actor Actor, clientID, what string, write, ok bool) error {
	if !actor.Staff() {
		return nil
	}
	action := ActionCardViewed
	if write {
		action = ActionCardChanged
	}
	if !ok {
		action = ActionCardDenied
	}
	if err := s.cfg.Audit(ctx, auth.AuditEntry{At: s.now(), ActorID: actor.UserID, Action: action,
		Subject: clientID, IP: actor.IP, Detail: what}); err != nil {
		return fmt.Errorf("card: audit: %w", err)
	}
	return nil
}
