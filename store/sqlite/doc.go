// Package sqlite is Kabinet's default storage: one SQLite database file,
// through modernc.org/sqlite (pure Go, no cgo). *Store implements
// cabinet.Store — every domain package's Store interface — and passes
// store/storetest.
//
// # What it owns
//
// The schema and its migrations: numbered SQL files embedded from
// migrations/ (0001_auth.sql, …), each applied once, in order, in its own
// transaction together with its row in schema_migrations, so a failure leaves
// the previous version whole. Open applies the ones the file lacks and refuses
// a file from a newer Kabinet with ErrSchemaTooNew, changing nothing.
//
// Mapping between driver and domain: sql.ErrNoRows becomes the domain's
// ErrNotFound (or ErrCodeExpired for a challenge), a UNIQUE violation on a
// user's phone or e-mail becomes auth.ErrIdentifierTaken; in booking, a
// reference to an unknown branch, service, specialist, resource or plan (a
// FOREIGN KEY violation) becomes booking.ErrNotFound and a taken ID or a
// refused CHECK booking.ErrInvalidInput. Errors that no caller should branch
// on (a broken disk, a bug) are wrapped and returned.
//
// # Bookings: the database is the arbiter
//
// CreateAppointment, MoveAppointment and SetStatus each run in one BEGIN
// IMMEDIATE transaction on the writer that checks, writes the appointment,
// appends its history line and appends its event to the events table (a
// transactional outbox), so a committed booking always has its event and a
// refused or rolled-back one never does. An appointment blocks its specialist
// and resources from BlockStart to BlockEnd while pending or confirmed; its
// resources are also rows of appointment_resources (active while the
// appointment is), so that each resource's check is one index range. Every
// overlap query is bounded below by booking.MaxBlock, block_start >
// new_block_start − MaxBlock, which is exact because no stored block is
// longer (refused in Go, and by a CHECK in the schema): the queries stay index
// range scans (SEARCH … (specialist_id=? AND block_start>? AND
// block_start<?)) however long the history grows.
//
// These three commit in groups: writes that queue up while a commit is in
// progress share the next transaction, each in a SAVEPOINT of its own, so a
// refused one (a taken slot) is undone alone, and one COMMIT — one fsync at
// synchronous=FULL — makes the group durable before any of its callers is
// answered. If that COMMIT fails, every write of the group fails. Each write
// sees all the writes before it, its own group's included, so the check and
// the write stay as atomic as in a transaction of their own; alone, a write
// is a transaction of its own.
//
// The events table is one log for every package, a stream each ('booking'
// for now); seq is AUTOINCREMENT, so it is never reused and a consumer's
// cursor never skips an event. The payload is the event as JSON under
// explicit names. Consumers keep their position in event_cursors, which only
// moves forward.
//
// # The notification outbox
//
// messages holds every message to send, with a UNIQUE key (queuing one twice
// inserts nothing) and a lease (lease_owner, lease_until). A claim is one
// write, UPDATE … WHERE id IN (SELECT … due, unleased or lease expired …
// ORDER BY due_at LIMIT n) RETURNING …, so two dispatchers never hold one
// message; recording an outcome checks the lease owner in its WHERE clause
// and reports notify.ErrLeaseLost when another took over. Recording outcomes
// goes through the group commit like the booking writes, so the dispatch
// workers share commits. notification_settings and push_subscriptions (one
// row per endpoint) complete it.
//
// leases (migrations/0010_leases.sql) let one process at a time do each
// piece of background work (cabinet.Leases): an upsert that takes a lease
// only when it is free, expired or the taker's own. EnqueueAndAdvance with
// an owner checks the consumer's lease in its write, so a cursor moves only
// under it.
//
// # One writer, many readers
//
// SQLite runs one write transaction at a time whatever the client does. The
// store holds two pools on the same file: a writer of exactly one connection,
// whose transactions all begin with BEGIN IMMEDIATE (_txlock=immediate), and a
// read pool (WithReadConns) whose connections are query_only. Writers queue
// in database/sql instead of spinning on busy_timeout, and because the write
// lock is taken at BEGIN, a check followed by the write that depends on it —
// "is the code still unused", "is the limit exhausted", "is the slot free" —
// is atomic and never fails with SQLITE_BUSY_SNAPSHOT, as a deferred read that
// upgrades to a write can. Reads run in WAL snapshots beside the writer.
//
// # Pragmas
//
// Pragmas are per connection, so they are in the DSN and every pooled
// connection runs them when it opens:
//
//   - foreign_keys(1): SQLite does not enforce REFERENCES otherwise.
//   - busy_timeout(10000): another process (a backup, the sqlite3 shell) holding
//     a lock makes a connection wait up to 10 s (WithBusyTimeout) rather than
//     fail at once.
//   - journal_mode(WAL): readers do not block the writer and the writer does not
//     block readers.
//   - synchronous(FULL): in WAL mode, NORMAL skips the sync at commit, so a power
//     loss (not a crash of the process) may lose the last commits — a booking
//     the client was told about, or a consumed code that becomes usable again.
//     FULL is the default; WithSynchronous(SynchronousNormal) trades that for
//     write throughput where it is measured to matter.
//   - query_only(1), on the read pool only.
//
// # Time
//
// Every instant is stored as TEXT in UTC with a fixed width and nanoseconds,
// 2006-01-02T15:04:05.000000000Z, so that comparing and ordering the text in
// SQL compares and orders the instants. The zero time.Time is stored as
// NULL where a column may be empty (used_at, voided_at). Durations are
// INTEGER nanoseconds (also inside JSON: a specialist's own duration of a
// service). Calendar days (working plans, exceptions, holidays) are TEXT
// YYYY-MM-DD, NULL where open-ended; weekly hours are JSON, minutes after
// local midnight. The store never reads the clock for domain data: "now"
// is a parameter of every method that needs it (the one instant it takes
// itself, when a migration was applied, comes from WithNow).
//
// # Backups
//
// Backup writes a consistent copy with VACUUM INTO while the store is in use;
// copying the file alone would miss the commits still in the -wal file.
package sqlite
