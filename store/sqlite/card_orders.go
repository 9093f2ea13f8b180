package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/internal/format"
)

var _ card.OrderStore = (*Store)(nil)

// streamOrders is the event log's stream of order changes.
const streamOrders = "orders"

// orderIDsPerQuery bounds the IN lists of the order and product reads.
const orderIDsPerQuery = 500

// ---- catalog ---------------------------------------------------------------

const productColumns = `id, brand, line, name, category, description, volume, unit, daily_use,
	price_amount, price_currency, skin_types, concerns, contraindications, tags, active, created_at, updated_at`

func productDest(p *card.Product) []any {
	return []any{&p.ID, &p.Brand, &p.Line, &p.Name, &p.Category, &p.Description, &p.Volume, &p.Unit, &p.DailyUse,
		&p.Price.Amount, &p.Price.Currency, listDest[card.SkinType]{&p.SkinTypes}, listDest[card.ConcernCode]{&p.Concerns},
		listDest[card.Contraindication]{&p.Contraindications}, listDest[string]{&p.Tags}, &p.Active,
		timeDest{&p.CreatedAt}, timeDest{&p.UpdatedAt}}
}

// UpsertProduct inserts p or replaces the product with its ID (keeping the
// stored created_at) and reports whether it was new.
func (s *Store) UpsertProduct(ctx context.Context, p card.Product) (bool, error) {
	if p.ID == "" {
		return false, fmt.Errorf("sqlite: upsert product: no ID: %w", card.ErrInvalidInput)
	}
	lists := make([]string, 4)
	for i, l := range []func() (string, error){
		func() (string, error) { return encodeList(p.SkinTypes) },
		func() (string, error) { return encodeList(p.Concerns) },
		func() (string, error) { return encodeList(p.Contraindications) },
		func() (string, error) { return encodeList(p.Tags) },
	} {
		v, err := l()
		if err != nil {
			return false, err
		}
		lists[i] = v
	}
	var created bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM products WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: upsert product: %w", err)
		}
		created = n == 0
		_, err := tx.ExecContext(ctx, `
			INSERT INTO products (`+productColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET brand = excluded.brand, line = excluded.line, name = excluded.name,
				category = excluded.category, description = excluded.description, volume = excluded.volume,
				unit = excluded.unit, daily_use = excluded.daily_use, price_amount = excluded.price_amount,
				price_currency = excluded.price_currency, skin_types = excluded.skin_types,
				concerns = excluded.concerns, contraindications = excluded.contraindications,
				tags = excluded.tags, active = excluded.active, updated_at = excluded.updated_at`,
			p.ID, p.Brand, p.Line, p.Name, string(p.Category), p.Description, p.Volume, string(p.Unit), p.DailyUse,
			p.Price.Amount, p.Price.Currency, lists[0], lists[1], lists[2], lists[3], p.Active,
			encodeTime(p.CreatedAt), encodeTime(p.UpdatedAt))
		return cardWriteError("upsert product", err)
	})
	return created, err
}

// ProductByID returns card.ErrNotFound for an unknown ID.
func (s *Store) ProductByID(ctx context.Context, id string) (card.Product, error) {
	list, err := queryRead(ctx, s, "find product", productDest, `SELECT `+productColumns+` FROM products WHERE id = ?`, id)
	if err != nil {
		return card.Product{}, err
	}
	if len(list) == 0 {
		return card.Product{}, card.ErrNotFound
	}
	return list[0], nil
}

// Products returns the matching products ordered by category, brand, name,
// ID.
func (s *Store) Products(ctx context.Context, f card.ProductFilter) ([]card.Product, error) {
	var (
		where []string
		args  []any
	)
	if f.Category != "" {
		where, args = append(where, `category = ?`), append(args, string(f.Category))
	}
	if f.ActiveOnly {
		where = append(where, `active = 1`)
	}
	query := func(ids []string) ([]card.Product, error) {
		w, a := where, args
		if ids != nil {
			in, ia := inList("id", ids)
			w, a = append(w[:len(w):len(w)], in), append(a[:len(a):len(a)], ia...)
		}
		q := `SELECT ` + productColumns + ` FROM products`
		if len(w) > 0 {
			q += ` WHERE ` + strings.Join(w, " AND ")
		}
		return queryRead(ctx, s, "products", productDest, q+` ORDER BY category, brand, name, id`, a...)
	}
	if f.IDs == nil {
		return query(nil)
	}
	var out []card.Product
	for ids := range orderChunks(f.IDs, orderIDsPerQuery) {
		list, err := query(ids)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// orderChunks yields list in pieces of at most n (nothing for an empty list).
func orderChunks[T any](list []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(list) > 0 {
			k := min(n, len(list))
			if !yield(list[:k]) {
				return
			}
			list = list[k:]
		}
	}
}

const stockColumns = `product_id, branch_id, quantity, updated_at`

func stockDest(st *card.Stock) []any {
	return []any{&st.ProductID, &st.BranchID, &st.Quantity, timeDest{&st.UpdatedAt}}
}

// SetStock sets the available quantity of a product at a branch.
func (s *Store) SetStock(ctx context.Context, productID, branchID string, quantity int, at time.Time) (card.Stock, error) {
	if quantity < 0 {
		return card.Stock{}, fmt.Errorf("sqlite: set stock: negative quantity: %w", card.ErrInvalidInput)
	}
	var st card.Stock
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO product_stock (product_id, branch_id, quantity, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (product_id, branch_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at
			RETURNING `+stockColumns, productID, branchID, quantity, encodeTime(at)).Scan(stockDest(&st)...)
		return cardWriteError("set stock", err)
	})
	return st, err
}

// AddStock adds delta to the available quantity, atomically; ErrOutOfStock
// when the result would be negative.
func (s *Store) AddStock(ctx context.Context, productID, branchID string, delta int, at time.Time) (card.Stock, error) {
	var st card.Stock
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		st, err = addStock(ctx, tx, productID, branchID, delta, at)
		return err
	})
	return st, err
}

// addStock adds delta to a stock row in tx (creating it for a positive
// delta); ErrOutOfStock when the result would be negative, ErrNotFound for
// an unknown product or branch.
func addStock(ctx context.Context, tx *sql.Tx, productID, branchID string, delta int, at time.Time) (card.Stock, error) {
	var st card.Stock
	if delta >= 0 {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO product_stock (product_id, branch_id, quantity, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (product_id, branch_id) DO UPDATE SET quantity = quantity + excluded.quantity,
				updated_at = excluded.updated_at
			RETURNING `+stockColumns, productID, branchID, delta, encodeTime(at)).Scan(stockDest(&st)...)
		return st, cardWriteError("add stock", err)
	}
	err := tx.QueryRowContext(ctx, `
		UPDATE product_stock SET quantity = quantity + ?, updated_at = ?
		WHERE product_id = ? AND branch_id = ? AND quantity >= ?
		RETURNING `+stockColumns, delta, encodeTime(at), productID, branchID, -delta).Scan(stockDest(&st)...)
	if errors.Is(err, sql.ErrNoRows) {
		if err := productAndBranchExist(ctx, tx, productID, branchID); err != nil {
			return card.Stock{}, err
		}
		return card.Stock{}, card.ErrOutOfStock
	}
	return st, cardWriteError("add stock", err)
}

// productAndBranchExist is ErrNotFound unless both exist.
func productAndBranchExist(ctx context.Context, tx *sql.Tx, productID, branchID string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM products WHERE id = ?) + (SELECT count(*) FROM branches WHERE id = ?)`,
		productID, branchID).Scan(&n)
	if err != nil {
		return fmt.Errorf("sqlite: find product and branch: %w", err)
	}
	if n < 2 {
		return fmt.Errorf("sqlite: no such product or branch: %w", card.ErrNotFound)
	}
	return nil
}

// Stock returns the matching stock rows ordered by product, branch.
func (s *Store) Stock(ctx context.Context, f card.StockFilter) ([]card.Stock, error) {
	query := func(ids []string) ([]card.Stock, error) {
		var (
			where []string
			args  []any
		)
		if ids != nil {
			in, a := inList("product_id", ids)
			where, args = append(where, in), append(args, a...)
		}
		if f.BranchID != "" {
			where, args = append(where, `branch_id = ?`), append(args, f.BranchID)
		}
		q := `SELECT ` + stockColumns + ` FROM product_stock`
		if len(where) > 0 {
			q += ` WHERE ` + strings.Join(where, " AND ")
		}
		return queryRead(ctx, s, "stock", stockDest, q+` ORDER BY product_id, branch_id`, args...)
	}
	if f.ProductIDs == nil {
		return query(nil)
	}
	var out []card.Stock
	for ids := range orderChunks(f.ProductIDs, orderIDsPerQuery) {
		list, err := query(ids)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// ---- orders ----------------------------------------------------------------

const orderColumns = `number, id, client_id, branch_id, status, source, total_amount, total_currency, note,
	cancel_reason, cancelled_by, created_by, created_at, updated_at, completed_at`

func orderDest(o *card.Order) []any {
	return []any{&o.Number, &o.ID, &o.ClientID, &o.BranchID, &o.Status, &o.Source, &o.Total.Amount, &o.Total.Currency,
		&o.Note, &o.CancelReason, &o.CancelledBy, &o.CreatedBy, timeDest{&o.CreatedAt}, timeDest{&o.UpdatedAt},
		timeDest{&o.CompletedAt}}
}

const orderItemColumns = `order_id, product_id, brand, line, name, category, volume, unit, daily_use, quantity,
	price_amount, price_currency`

type orderItemRow struct {
	orderID string
	item    card.OrderItem
}

func orderItemDest(r *orderItemRow) []any {
	it := &r.item
	return []any{&r.orderID, &it.ProductID, &it.Brand, &it.Line, &it.Name, &it.Category, &it.Volume, &it.Unit,
		&it.DailyUse, &it.Quantity, &it.UnitPrice.Amount, &it.UnitPrice.Currency}
}

// CreateOrder stores a new order with its stock reservation, first history
// line and event in one transaction, as card.OrderStore documents.
func (s *Store) CreateOrder(ctx context.Context, o card.Order, idempotencyKey string, maxOpen int, ev card.OrderEvent) (card.Order, bool, error) {
	if o.ID == "" || o.ClientID == "" || len(o.Items) == 0 {
		return card.Order{}, false, fmt.Errorf("sqlite: create order: ID, client and items are required: %w", card.ErrInvalidInput)
	}
	var (
		out     card.Order
		created bool
	)
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out, created = card.Order{}, false
		if idempotencyKey != "" {
			prior, err := findOrders(ctx, tx, `WHERE client_id = ? AND idempotency_key = ?`, []any{o.ClientID, idempotencyKey})
			if err != nil {
				return err
			}
			if len(prior) > 0 {
				out = prior[0]
				return nil
			}
		}
		var n int
		if maxOpen > 0 {
			// Counted in the write transaction: the single writer makes the
			// count and the insert atomic.
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE client_id = ?
				AND status IN ('new', 'confirmed', 'ready')`, o.ClientID).Scan(&n); err != nil {
				return fmt.Errorf("sqlite: create order: %w", err)
			}
			if n >= maxOpen {
				return card.ErrTooManyOpenOrders
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM branches WHERE id = ?`, o.BranchID).Scan(&n); err != nil {
			return fmt.Errorf("sqlite: create order: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("sqlite: create order: no such branch: %w", card.ErrNotFound)
		}
		for _, it := range o.Items {
			if it.Quantity <= 0 {
				return fmt.Errorf("sqlite: create order: quantity %d: %w", it.Quantity, card.ErrInvalidInput)
			}
			if _, err := addStock(ctx, tx, it.ProductID, o.BranchID, -it.Quantity, o.CreatedAt); err != nil {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, `
			INSERT INTO orders (id, client_id, branch_id, status, source, total_amount, total_currency, note,
				cancel_reason, cancelled_by, idempotency_key, created_by, created_at, updated_at, completed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING number`,
			o.ID, o.ClientID, o.BranchID, string(o.Status), string(o.Source), o.Total.Amount, o.Total.Currency, o.Note,
			o.CancelReason, o.CancelledBy, nullString(idempotencyKey), o.CreatedBy, encodeTime(o.CreatedAt),
			encodeTime(o.UpdatedAt), encodeNullTime(o.CompletedAt)).Scan(&o.Number)
		if err != nil {
			return cardWriteError("create order", err)
		}
		for i, it := range o.Items {
			_, err := tx.ExecContext(ctx, `INSERT INTO order_items (order_id, position, product_id, brand, line, name,
					category, volume, unit, daily_use, quantity, price_amount, price_currency)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				o.ID, i, it.ProductID, it.Brand, it.Line, it.Name, string(it.Category), it.Volume, string(it.Unit),
				it.DailyUse, it.Quantity, it.UnitPrice.Amount, it.UnitPrice.Currency)
			if err != nil {
				return cardWriteError("create order", err)
			}
		}
		if err := insertOrderHistory(ctx, tx, card.OrderChange{OrderID: o.ID, To: o.Status, At: o.CreatedAt, By: o.CreatedBy,
			ByStaff: o.Source == card.OrderSourceDesk}); err != nil {
			return err
		}
		stored, err := findOrders(ctx, tx, `WHERE id = ?`, []any{o.ID})
		if err != nil {
			return err
		}
		out, created = stored[0], true
		return s.appendOrderEvent(ctx, tx, ev, "", out)
	})
	if err != nil {
		return card.Order{}, false, err
	}
	return out, created, nil
}

// SetOrderStatus changes an order's status with its history line and event
// in one transaction, returning the stock of a cancelled order, as
// card.OrderStore documents.
func (s *Store) SetOrderStatus(ctx context.Context, id string, from []card.OrderStatus, change card.OrderChange, ev card.OrderEvent) (card.Order, error) {
	var out card.Order
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		found, err := findOrders(ctx, tx, `WHERE id = ?`, []any{id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return card.ErrNotFound
		}
		o := found[0]
		allowed := false
		for _, f := range from {
			allowed = allowed || f == o.Status
		}
		if !allowed {
			return card.ErrInvalidTransition
		}
		prev := o.Status
		o.Status, o.UpdatedAt = change.To, change.At
		switch change.To {
		case card.OrderCompleted:
			o.CompletedAt = change.At
		case card.OrderCancelled:
			o.CancelReason, o.CancelledBy = change.Reason, change.By
		}
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ?, completed_at = ?,
				cancel_reason = ?, cancelled_by = ?
			WHERE id = ? AND status = ?`,
			string(o.Status), encodeTime(o.UpdatedAt), encodeNullTime(o.CompletedAt), o.CancelReason, o.CancelledBy,
			o.ID, string(prev))
		if err != nil {
			return cardWriteError("set order status", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("sqlite: set order status: %d rows changed: %v", n, err)
		}
		if change.To == card.OrderCancelled && prev.Open() {
			for _, it := range o.Items {
				if _, err := addStock(ctx, tx, it.ProductID, o.BranchID, it.Quantity, change.At); err != nil {
					return err
				}
			}
		}
		change.OrderID, change.From = o.ID, prev
		if err := insertOrderHistory(ctx, tx, change); err != nil {
			return err
		}
		out = o
		return s.appendOrderEvent(ctx, tx, ev, prev, o)
	})
	if err != nil {
		return card.Order{}, err
	}
	return out, nil
}

func insertOrderHistory(ctx context.Context, tx *sql.Tx, c card.OrderChange) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_history (order_id, from_status, to_status, at, by_user, by_staff, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.OrderID, string(c.From), string(c.To), encodeTime(c.At), c.By, c.ByStaff, c.Reason)
	return cardWriteError("order history", err)
}

// OrderByID returns card.ErrNotFound for an unknown ID.
func (s *Store) OrderByID(ctx context.Context, id string) (card.Order, error) {
	return s.findOneOrder(ctx, `WHERE id = ?`, id)
}

// OrderByIdempotencyKey returns the order the client made with key, or
// card.ErrNotFound.
func (s *Store) OrderByIdempotencyKey(ctx context.Context, clientID, key string) (card.Order, error) {
	if key == "" {
		return card.Order{}, card.ErrNotFound
	}
	return s.findOneOrder(ctx, `WHERE client_id = ? AND idempotency_key = ?`, clientID, key)
}

func (s *Store) findOneOrder(ctx context.Context, where string, args ...any) (card.Order, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return card.Order{}, err
	}
	defer tx.Rollback()
	list, err := findOrders(ctx, tx, where, args)
	if err != nil {
		return card.Order{}, err
	}
	if len(list) == 0 {
		return card.Order{}, card.ErrNotFound
	}
	return list[0], nil
}

// Orders returns the matching orders newest first.
func (s *Store) Orders(ctx context.Context, f card.OrderFilter) ([]card.Order, error) {
	var (
		where []string
		args  []any
	)
	if f.ClientID != "" {
		where, args = append(where, `client_id = ?`), append(args, f.ClientID)
	}
	if len(f.BranchIDs) > 0 {
		in, a := inList("branch_id", f.BranchIDs)
		where, args = append(where, in), append(args, a...)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		in, a := inList("status", st)
		where, args = append(where, in), append(args, a...)
	}
	if f.ProductID != "" {
		where = append(where, `id IN (SELECT order_id FROM order_items WHERE product_id = ?)`)
		args = append(args, f.ProductID)
	}
	q := ""
	if len(where) > 0 {
		q = `WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY number DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findOrders(ctx, tx, q, args)
}

// findOrders reads the orders `SELECT … FROM orders <tail>` selects, with
// their items, in tx.
func findOrders(ctx context.Context, tx *sql.Tx, tail string, args []any) ([]card.Order, error) {
	list, err := queryAll(ctx, tx, "orders", orderDest, `SELECT `+orderColumns+` FROM orders `+tail, args...)
	if err != nil || len(list) == 0 {
		return list, err
	}
	index := make(map[string]int, len(list))
	ids := make([]string, len(list))
	for i, o := range list {
		index[o.ID], ids[i] = i, o.ID
	}
	for part := range orderChunks(ids, orderIDsPerQuery) {
		in, a := inList("order_id", part)
		rows, err := queryAll(ctx, tx, "order items", orderItemDest,
			`SELECT `+orderItemColumns+` FROM order_items WHERE `+in+` ORDER BY order_id, position`, a...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			o := &list[index[r.orderID]]
			o.Items = append(o.Items, r.item)
		}
	}
	return list, nil
}

// OrderHistory returns an order's status changes, oldest first.
func (s *Store) OrderHistory(ctx context.Context, orderID string) ([]card.OrderChange, error) {
	return queryRead(ctx, s, "order history", func(c *card.OrderChange) []any {
		return []any{&c.OrderID, &c.From, &c.To, timeDest{&c.At}, &c.By, &c.ByStaff, &c.Reason}
	}, `SELECT order_id, from_status, to_status, at, by_user, by_staff, reason FROM order_history
		WHERE order_id = ? ORDER BY seq`, orderID)
}

// DepersonalizeOrders keeps the client's orders under pseudonym, without
// their comments and keys, and deletes the notes of their visits, in one
// transaction.
func (s *Store) DepersonalizeOrders(ctx context.Context, clientID, pseudonym string) (int, error) {
	if clientID == "" || pseudonym == "" || clientID == pseudonym {
		return 0, fmt.Errorf("sqlite: depersonalize orders: a client and another pseudonym are required: %w", card.ErrInvalidInput)
	}
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		// Every expression reads the row as it was before the UPDATE.
		if n, err = execCount(ctx, tx, `UPDATE orders SET client_id = ?, note = '', idempotency_key = NULL,
				cancel_reason = CASE WHEN cancelled_by = ? THEN '' ELSE cancel_reason END,
				cancelled_by = CASE WHEN cancelled_by = ? THEN ? ELSE cancelled_by END,
				created_by = CASE WHEN created_by = ? THEN ? ELSE created_by END
			WHERE client_id = ?`, pseudonym, clientID, clientID, pseudonym, clientID, pseudonym, clientID); err != nil {
			return fmt.Errorf("sqlite: depersonalize orders: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE order_history SET by_user = ?, reason = '' WHERE by_user = ?`,
			pseudonym, clientID); err != nil {
			return fmt.Errorf("sqlite: depersonalize orders: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM visit_notes WHERE client_id = ?`, clientID); err != nil {
			return fmt.Errorf("sqlite: depersonalize orders: %w", err)
		}
		return nil
	})
	return n, err
}

// ---- order events ------------------------------------------------------------

// appendOrderEvent appends ev for order o (as it is after the change), from
// status from: the store sets its OrderID, ClientID, From and Order, and At
// to o.UpdatedAt when it is zero.
func (s *Store) appendOrderEvent(ctx context.Context, tx *sql.Tx, ev card.OrderEvent, from card.OrderStatus, o card.Order) error {
	if ev.Type == "" {
		return fmt.Errorf("sqlite: order event without a type: %w", card.ErrInvalidInput)
	}
	ev.OrderID, ev.ClientID, ev.From, ev.Order = o.ID, o.ClientID, from, o
	if ev.At.IsZero() {
		ev.At = o.UpdatedAt
	}
	payload, err := json.Marshal(format.EncodeOrder(ev))
	if err != nil {
		return fmt.Errorf("sqlite: encode order event: %w", err)
	}
	_, err = s.appendEvent(ctx, tx, streamOrders, string(ev.Type), ev.OrderID, ev.ClientID, ev.At, payload)
	return err
}

// OrderEventsAfter returns up to limit (100 if limit ≤ 0) events of the
// orders stream with Seq > after, in Seq order.
func (s *Store) OrderEventsAfter(ctx context.Context, after int64, limit int) ([]card.OrderEvent, error) {
	if limit <= 0 {
		limit = defaultEventsLimit
	}
	type row struct {
		seq     int64
		payload string
	}
	rows, err := queryRead(ctx, s, "order events", func(r *row) []any { return []any{&r.seq, &r.payload} },
		`SELECT seq, payload FROM events WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?`, streamOrders, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]card.OrderEvent, 0, len(rows))
	for _, r := range rows {
		var stored format.OrderEvent
		if err := json.Unmarshal([]byte(r.payload), &stored); err != nil {
			return nil, fmt.Errorf("sqlite: order event %d: %w", r.seq, err)
		}
		ev, err := stored.Decode()
		if err != nil {
			return nil, fmt.Errorf("sqlite: order event %d: %w", r.seq, err)
		}
		ev.Seq = r.seq
		out = append(out, ev)
	}
	return out, nil
}

// ---- visit notes -------------------------------------------------------------

// storedRecommendation is one recommendation of a visit note as stored.
type storedRecommendation struct {
	Kind   string `json:"kind"`
	ItemID string `json:"item_id,omitempty"`
	Text   string `json:"text,omitempty"`
}

type visitNoteRow struct {
	note card.VisitNote
	recs string
}

const visitNoteColumns = `appointment_id, client_id, notes, recommendations, written_by, created_at, updated_at`

func visitNoteDest(r *visitNoteRow) []any {
	n := &r.note
	return []any{&n.AppointmentID, &n.ClientID, &n.Notes, &r.recs, &n.WrittenBy, timeDest{&n.CreatedAt}, timeDest{&n.UpdatedAt}}
}

func (r visitNoteRow) decode() (card.VisitNote, error) {
	var recs []storedRecommendation
	if err := json.Unmarshal([]byte(r.recs), &recs); err != nil {
		return card.VisitNote{}, fmt.Errorf("sqlite: visit note %s: %w", r.note.AppointmentID, err)
	}
	n := r.note
	for _, x := range recs {
		n.Recommendations = append(n.Recommendations, card.Recommendation{Kind: card.RecommendationKind(x.Kind), ItemID: x.ItemID, Text: x.Text})
	}
	return n, nil
}

// PutVisitNote stores n, replacing its appointment's note and keeping the
// stored created_at.
func (s *Store) PutVisitNote(ctx context.Context, n card.VisitNote) (card.VisitNote, error) {
	recs := make([]storedRecommendation, len(n.Recommendations))
	for i, r := range n.Recommendations {
		recs[i] = storedRecommendation{Kind: string(r.Kind), ItemID: r.ItemID, Text: r.Text}
	}
	raw, err := json.Marshal(recs)
	if err != nil {
		return card.VisitNote{}, fmt.Errorf("sqlite: encode visit note: %w", err)
	}
	var row visitNoteRow
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO visit_notes (`+visitNoteColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (appointment_id) DO UPDATE SET client_id = excluded.client_id, notes = excluded.notes,
				recommendations = excluded.recommendations, written_by = excluded.written_by,
				updated_at = excluded.updated_at
			RETURNING `+visitNoteColumns,
			n.AppointmentID, n.ClientID, n.Notes, string(raw), n.WrittenBy, encodeTime(n.CreatedAt),
			encodeTime(n.UpdatedAt)).Scan(visitNoteDest(&row)...)
		return cardWriteError("put visit note", err)
	})
	if err != nil {
		return card.VisitNote{}, err
	}
	return row.decode()
}

// VisitNote returns the note of an appointment, card.ErrNotFound if none.
func (s *Store) VisitNote(ctx context.Context, appointmentID string) (card.VisitNote, error) {
	rows, err := queryRead(ctx, s, "visit note", visitNoteDest,
		`SELECT `+visitNoteColumns+` FROM visit_notes WHERE appointment_id = ?`, appointmentID)
	if err != nil {
		return card.VisitNote{}, err
	}
	if len(rows) == 0 {
		return card.VisitNote{}, card.ErrNotFound
	}
	return rows[0].decode()
}

// VisitNotes returns the client's notes, the latest written first.
func (s *Store) VisitNotes(ctx context.Context, clientID string) ([]card.VisitNote, error) {
	rows, err := queryRead(ctx, s, "visit notes", visitNoteDest,
		`SELECT `+visitNoteColumns+` FROM visit_notes WHERE client_id = ? ORDER BY updated_at DESC, appointment_id`, clientID)
	if err != nil {
		return nil, err
	}
	out := make([]card.VisitNote, 0, len(rows))
	for _, r := range rows {
		n, err := r.decode()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// cardWriteError maps a failed write of the orders part: a reference to a
// product, branch or appointment that does not exist is card.ErrNotFound; a
// taken ID or a value a CHECK refuses is card.ErrInvalidInput.
func cardWriteError(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %s: %w", what, card.ErrNotFound)
	case foreignKeyViolation(err):
		return fmt.Errorf("sqlite: %s: a referenced product, branch or appointment does not exist: %w", what, card.ErrNotFound)
	case constraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY), constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE):
		return fmt.Errorf("sqlite: %s: the ID is already taken: %w", what, card.ErrInvalidInput)
	case constraint(err, sqlite3.SQLITE_CONSTRAINT_CHECK):
		return fmt.Errorf("sqlite: %s: a value is out of range (%v): %w", what, err, card.ErrInvalidInput)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}
