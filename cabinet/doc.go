// Package cabinet is the facade an embedder imports: Config, New and *Cabinet,
// which wires every Kabinet service over one Store, serves them through
// Handler (the JSON API under /api/v1) and runs their background work in Run:
// planning messages from the event log (Plan), dispatching the outbox, the
// offer and new-service campaigns (Campaign), and clean-up.
//
// It holds no business rules: those live in auth, booking, notify, recommend
// and cabinet/card. It never imports a storage implementation; the embedder
// opens one (store/sqlite, store/postgres) and passes it in Config.Store.
//
// A bad Config fails New with the field named. Handler is safe for
// concurrent use; Run is safe to call in several processes sharing one
// database.
package cabinet
