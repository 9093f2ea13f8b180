package cabinet

import (
	"context"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// Store is the combined contract a storage backend implements: every domain
// package's Store, plus a health check. store/sqlite is the default;
// store/storetest is the conformance suite every backend runs.
//
// The embedder opens the store, passes it in Config.Store, and closes it after
// the Cabinet has stopped.
type Store interface {
	auth.Store
	booking.Store

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}
