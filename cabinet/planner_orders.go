package cabinet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// ordersConsumer is the order planner's name among the event log's
// consumers.
const ordersConsumer = "notify.orders"

// Replenishment reminders: due this long before a purchase is expected to
// run out (at most a quarter of the time it lasts), planned only for
// purchases that last at least minReplenishDays, and dropped when the
// dispatcher could not send them within replenishGrace after the expected
// day (an outage, quiet hours notwithstanding).
const (
	replenishLead    = 5 * 24 * time.Hour
	minReplenishDays = 7
	replenishGrace   = 14 * 24 * time.Hour
)

// How late order news may still go out: a planner catching up on a long
// backlog does not send last month's "your order is confirmed". Ready
// stays news until the order is collected (then it is withdrawn).
const (
	orderNewsExpireAfter  = 24 * time.Hour
	orderReadyExpireAfter = 7 * 24 * time.Hour
)

// runOrdersOnce plans the messages of the order events after its cursor, in
// order: status updates to the client (category orders) and, for a
// completed order, a replenishment reminder per product that has a volume
// and a daily use (category reminders), withdrawing the reminder of the
// client's earlier purchase of the same product. It works as runOnce does
// for booking events: messages queued in a notify.Batch, the cursor
// advanced past the last event planned, keys making a second planning of an
// event harmless — withdrawals name the kinds an event makes obsolete, never
// its own, so planning an event again does not withdraw what it queued.
func (p *planner) runOrdersOnce(ctx context.Context, owner string) (int, error) {
	cursor, err := p.store.Cursor(ctx, ordersConsumer)
	if err != nil {
		return 0, err
	}
	events, err := p.store.OrderEventsAfter(ctx, cursor, plannerBatch)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	pass := &orderPass{planner: p, batch: newPlanBatch(p, ordersConsumer, owner), branches: map[string]booking.Branch{}}
	planned := 0
	var planErr error
	for _, ev := range events {
		err := pass.plan(ctx, ev)
		if errors.Is(err, booking.ErrNotFound) {
			p.log.WarnContext(ctx, "cabinet: no messages for an order whose branch is gone",
				"seq", ev.Seq, "type", ev.Type, "err", err)
			pass.batch.EventFailed()
			err = nil
		}
		if err != nil {
			pass.batch.EventFailed()
			planErr = fmt.Errorf("cabinet: planning messages for order event %d (%s): %w", ev.Seq, ev.Type, err)
			break
		}
		pass.batch.EventDone(ev.Seq)
		planned++
	}
	if err := pass.batch.Flush(ctx); err != nil {
		return 0, err
	}
	return planned, planErr
}

// orderPass is one runOrdersOnce: its batch and the branches it read.
type orderPass struct {
	*planner
	batch    *planBatch
	branches map[string]booking.Branch
}

func (p *orderPass) branch(ctx context.Context, id string) (booking.Branch, error) {
	if b, ok := p.branches[id]; ok {
		return b, nil
	}
	b, err := p.store.BranchByID(ctx, id)
	if err == nil {
		p.branches[id] = b
	}
	return b, err
}

func orderRef(id string) string { return "order:" + id }

// replenishRef is the ref of the replenishment reminder planned from one
// purchase (an order's line of a product): withdraw it to stop that
// reminder.
func replenishRef(orderID, productID string) string { return "replenish:" + orderID + ":" + productID }

func orderPage(id string) string      { return "/orders/" + url.PathEscape(id) }
func productPage(id string) string    { return "/products/" + url.PathEscape(id) }
func orderKey(id, what string) string { return "order:" + id + ":" + what }

// plan queues the messages of one order event and withdraws the ones it
// makes obsolete.
func (p *orderPass) plan(ctx context.Context, ev card.OrderEvent) error {
	o := ev.Order
	switch ev.Type {
	case card.EventOrderPlaced:
		if o.Source != card.OrderSourceCabinet {
			return nil
		}
		return p.tell(ctx, ev, notify.KindOrderReceived, "received", orderNewsExpireAfter)
	case card.EventOrderConfirmed:
		if err := p.withdraw(ctx, o.ID, "the order was confirmed", notify.KindOrderReceived); err != nil {
			return err
		}
		return p.tell(ctx, ev, notify.KindOrderConfirmed, "confirmed", orderNewsExpireAfter)
	case card.EventOrderReady:
		if err := p.withdraw(ctx, o.ID, "the order is ready", notify.KindOrderReceived, notify.KindOrderConfirmed); err != nil {
			return err
		}
		return p.tell(ctx, ev, notify.KindOrderReady, "ready", orderReadyExpireAfter)
	case card.EventOrderCancelled:
		if err := p.withdraw(ctx, o.ID, "the order was cancelled",
			notify.KindOrderReceived, notify.KindOrderConfirmed, notify.KindOrderReady); err != nil {
			return err
		}
		return p.tell(ctx, ev, notify.KindOrderCancelled, "cancelled", orderNewsExpireAfter)
	case card.EventOrderCompleted:
		if err := p.withdraw(ctx, o.ID, "the order was collected",
			notify.KindOrderReceived, notify.KindOrderConfirmed, notify.KindOrderReady); err != nil {
			return err
		}
		return p.replenish(ctx, ev)
	}
	return nil
}

func (p *orderPass) withdraw(ctx context.Context, orderID, reason string, kinds ...string) error {
	_, err := p.batch.Withdraw(ctx, orderRef(orderID), reason, kinds...)
	return err
}

// tell queues an orders-category message about ev's order.
func (p *orderPass) tell(ctx context.Context, ev card.OrderEvent, kind, what string, expiresAfter time.Duration) error {
	o := ev.Order
	br, err := p.branch(ctx, o.BranchID)
	if err != nil {
		return err
	}
	loc := p.sched.BranchLocation(ctx, o.BranchID)
	d := notify.OrderData{
		ClinicName: p.clinic, Number: o.Number, Branch: br.Name, Address: br.Address, Phone: br.Phone,
		Total: notify.Price{Amount: o.Total.Amount, Currency: o.Total.Currency}, Placed: o.CreatedAt.In(loc),
		URL: p.link(orderPage(o.ID)),
	}
	for _, it := range o.Items {
		d.Items = append(d.Items, notify.OrderLine{Name: productName(it.Brand, it.Name),
			Volume: notify.Volume{Amount: it.Volume, Unit: string(it.Unit)}, Quantity: it.Quantity,
			Subtotal: notify.Price{Amount: it.Subtotal().Amount, Currency: it.Subtotal().Currency}})
	}
	if ev.Type == card.EventOrderCancelled {
		d.Reason = o.CancelReason
		d.ByClinic = o.CancelledBy != "" && o.CancelledBy != o.ClientID
	}
	return p.batch.Notify(ctx, notify.Request{
		UserID: o.ClientID, Category: notify.CategoryOrders, Kind: kind, Key: orderKey(o.ID, what),
		Ref: orderRef(o.ID), Data: d, ExpiresAt: ev.At.Add(expiresAfter), URL: orderPage(o.ID),
		TimeZone: br.TimeZone,
	})
}

// replenish plans, for each line of a completed order that lasts long
// enough to be worth it, the reminder before it runs out, and withdraws the
// reminders of the client's earlier purchases of the same product.
func (p *orderPass) replenish(ctx context.Context, ev card.OrderEvent) error {
	o := ev.Order
	bought := cmp.Or(o.CompletedAt, ev.At)
	var br booking.Branch
	var loc *time.Location
	for _, it := range o.Items {
		days := it.LastsDays()
		if days < minReplenishDays {
			continue
		}
		if err := p.withdrawEarlier(ctx, o, bought, it.ProductID); err != nil {
			return err
		}
		if loc == nil {
			var err error
			if br, err = p.branch(ctx, o.BranchID); err != nil {
				return err
			}
			loc = p.sched.BranchLocation(ctx, o.BranchID)
		}
		lasts := time.Duration(days) * 24 * time.Hour
		runsOut := bought.Add(lasts)
		due := runsOut.Add(-min(replenishLead, lasts/4))
		d := notify.ReplenishData{
			ClinicName: p.clinic, Product: productName(it.Brand, it.Name),
			Volume: notify.Volume{Amount: it.Volume, Unit: string(it.Unit)},
			Bought: bought.In(loc), RunsOut: runsOut.In(loc), Branch: br.Name, URL: p.link(productPage(it.ProductID)),
		}
		ref := replenishRef(o.ID, it.ProductID)
		err := p.batch.Notify(ctx, notify.Request{
			UserID: o.ClientID, Category: notify.CategoryReminders, Kind: notify.KindReplenish, Key: ref, Ref: ref,
			Data: d, DueAt: due, ExpiresAt: runsOut.Add(replenishGrace), URL: productPage(it.ProductID),
			TimeZone: br.TimeZone,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// withdrawEarlier withdraws the replenishment reminders of the client's
// purchases of productID completed before this order (at bought): the new
// purchase replaces them. Later ones are left alone, so planning an old
// event again never withdraws a newer reminder.
func (p *orderPass) withdrawEarlier(ctx context.Context, o card.Order, bought time.Time, productID string) error {
	earlier, err := p.store.Orders(ctx, card.OrderFilter{ClientID: o.ClientID, ProductID: productID,
		Statuses: []card.OrderStatus{card.OrderCompleted}})
	if err != nil {
		return err
	}
	for _, e := range earlier {
		at := cmp.Or(e.CompletedAt, e.UpdatedAt)
		if e.ID == o.ID || at.After(bought) || at.Equal(bought) && e.Number > o.Number {
			continue
		}
		if _, err := p.batch.Withdraw(ctx, replenishRef(e.ID, productID), "bought again", notify.KindReplenish); err != nil {
			return err
		}
	}
	return nil
}

// productName is how messages name a product: brand and name.
func productName(brand, name string) string {
	return strings.TrimSpace(brand + " " + name)
}
