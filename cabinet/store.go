package cabinet

import (
	"context"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// Store is the combined contract a storage backend implements: every domain
// package's Store, the event log's Cursors, and a health check. store/sqlite
// is the default; store/storetest is the conformance suite every backend
// runs.
//
// The embedder opens the store, passes it in Config.Store, and closes it after
// the Cabinet has stopped.
type Store interface {
	auth.Store
	booking.Store
	notify.Store
	card.Store
	Cursors
	Leases
	Campaigns

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// Cursors keep the position of each consumer of the event log (notification
// planning, webhooks to the host): the Seq of the last event it finished.
type Cursors interface {
	// Cursor returns the consumer's position, 0 when it never advanced.
	Cursor(ctx context.Context, consumer string) (int64, error)
	// AdvanceCursor moves the consumer's position to seq at at; a seq not
	// above the stored one changes nothing (cursors never go back).
	AdvanceCursor(ctx context.Context, consumer string, seq int64, at time.Time) error
	// EnqueueAndAdvance queues msgs as notify.Store.EnqueueMessages does and
	// advances the consumer's cursor to seq as AdvanceCursor does, in one
	// transaction: either both happen or neither. It returns how many
	// messages were new. With an owner, the write is fenced: it happens only
	// while owner holds the lease named consumer (Leases) at at, else
	// nothing is written and the error is notify.ErrLeaseLost — so a
	// process that lost its turn (it paused past the lease) cannot move a
	// cursor another process has moved on from.
	EnqueueAndAdvance(ctx context.Context, msgs []notify.Message, consumer, owner string, seq int64, at time.Time) (int, error)
	// WithdrawUnderLease withdraws messages as
	// notify.Store.WithdrawMessages does, fenced as EnqueueAndAdvance:
	// only while owner holds the lease named consumer at at (else nothing
	// changes and the error is notify.ErrLeaseLost). A planner that lost
	// its turn cannot withdraw what the process after it has queued.
	WithdrawUnderLease(ctx context.Context, ref string, kinds []string, reason, consumer, owner string, at time.Time) (int, error)
}

// Leases let one process at a time do a piece of background work — read
// the event log as one consumer, run a campaign, clean up — among any
// number of processes running Run on one database. A lease is a name, an
// owner (a process's random ID) and an expiry: a process that dies loses
// its leases when they expire, and another takes over.
type Leases interface {
	// TakeLease gives the lease name to owner until now+ttl if it is free,
	// has expired (its expiry is not after now), or is owner's already (a
	// renewal), and reports whether owner holds it now. Atomic: of owners
	// taking one lease at the same moment, one gets it. owner and name must
	// not be empty, ttl must be positive.
	TakeLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease frees the lease if owner holds it; otherwise it does
	// nothing.
	ReleaseLease(ctx context.Context, name, owner string) error
}
