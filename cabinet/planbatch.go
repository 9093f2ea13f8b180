package cabinet

import (
	"context"
	"time"

	"github.com/kabinet-dev/kabinet/notify"
)

// planBatch is a planning pass's notify.Batch that moves the pass's cursor
// with its messages: each flush queues the messages of the events planned
// completely so far and advances the cursor past those events in the same
// transaction (Store.EnqueueAndAdvance). So an event is planned once even
// if the process dies in the middle of a pass. That matters because a
// planned event may withdraw: a move withdraws the visit's pending messages
// before planning the new ones, and planning it a second time would
// withdraw what the first time queued — and could not queue it again, its
// keys being taken.
//
// An event's messages wait in the batch until EventDone; a failed event's
// are dropped (EventFailed), so a half-planned event is never flushed. A
// withdrawal flushes the events before it first, so that it applies to
// their messages, as notify.Batch.Withdraw does.
type planBatch struct {
	store    Store
	notifier *notify.Notifier
	batch    *notify.Batch
	consumer string
	owner    string // the lease the cursor moves under; "": none
	now      func() time.Time

	ready []notify.Message // the messages of the events done
	done  int64            // the seq of the last event done
}

func newPlanBatch(p *planner, consumer, owner string) *planBatch {
	return &planBatch{store: p.store, notifier: p.notifier, batch: p.notifier.NewBatch(), consumer: consumer, owner: owner, now: p.now}
}

// Notify plans req as part of the current event.
func (b *planBatch) Notify(ctx context.Context, req notify.Request) error {
	return b.batch.Notify(ctx, req)
}

// Withdraw flushes the events done, then withdraws as Notifier.Withdraw —
// under the pass's lease when it has one, so a pass that lost its turn
// cannot withdraw what the next one queued.
func (b *planBatch) Withdraw(ctx context.Context, ref, reason string, kinds ...string) (int, error) {
	if err := b.Flush(ctx); err != nil {
		return 0, err
	}
	if b.owner == "" {
		return b.notifier.Withdraw(ctx, ref, reason, kinds...)
	}
	return b.store.WithdrawUnderLease(ctx, ref, kinds, reason, b.consumer, b.owner, b.now().UTC())
}

// EventDone marks the event seq planned: its messages go with the next flush.
func (b *planBatch) EventDone(seq int64) {
	b.ready = append(b.ready, b.batch.Take()...)
	b.done = seq
}

// EventFailed drops what the current event planned.
func (b *planBatch) EventFailed() { b.batch.Take() }

// Flush queues the messages of the events done and moves the cursor past
// them, in one transaction.
func (b *planBatch) Flush(ctx context.Context) error {
	if len(b.ready) == 0 && b.done == 0 {
		return nil
	}
	if _, err := b.store.EnqueueAndAdvance(ctx, b.ready, b.consumer, b.owner, b.done, b.now().UTC()); err != nil {
		return err
	}
	b.ready = nil
	return nil
}
