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
	// messages were new.
	EnqueueAndAdvance(ctx context.Context, msgs []notify.Message, consumer string, seq int64, at time.Time) (int, error)
}
