// Package postgres is Kabinet's storage on PostgreSQL, for deployments that
// run several cabinet instances on one database. *Store implements
// cabinet.Store — every domain package's Store interface — and passes
// store/storetest, as store/sqlite does; the instances share everything
// through the database: the outbox, the event log and its cursors, rate
// limits, sign-in codes and sessions.
//
// It speaks to the server through github.com/jackc/pgx/v5 behind
// database/sql (pgx/v5/stdlib): the store has the same shape as
// store/sqlite — transactions, scanners, the error mapping — and pgx still
// prepares and caches each statement per connection and reads results in
// its binary format. The pool is database/sql's (WithMaxConns).
//
// # What it owns
//
// The schema and its migrations: numbered SQL files embedded from
// migrations/ (0001_auth.sql, …, the same versions as store/sqlite's), each
// applied once, in order, in its own transaction together with its row in
// schema_migrations, so a failure leaves the previous version whole
// (PostgreSQL's DDL is transactional). Open applies the ones the database
// lacks while holding a session advisory lock (pg_advisory_lock), so that
// instances starting together migrate once: the others wait for the lock,
// then find nothing to do. A database that is up to date is only read. A
// database from a newer Kabinet is refused with ErrSchemaTooNew, changing
// nothing. The database needs the btree_gist extension (a trusted
// extension since PostgreSQL 13: a database owner may create it, and
// migration 0002 does).
//
// Mapping between driver and domain, at the store's boundary: sql.ErrNoRows
// becomes the domain's ErrNotFound (or ErrCodeExpired for a challenge);
// SQLSTATE 23505 (unique_violation) on users_phone_key or users_email_key
// becomes auth.ErrIdentifierTaken, on profile_versions_pkey
// card.ErrVersionConflict, on reviews_appointment_key card.ErrReviewExists,
// elsewhere a taken ID (ErrInvalidInput); 23503 (foreign_key_violation) an
// unknown branch, service, specialist, resource, plan, product or user
// (ErrNotFound); 23514, 23502 and class 22 a refused value
// (ErrInvalidInput); 23P01 (exclusion_violation) a taken slot, below.
// Errors no caller should branch on (a lost connection, a bug) are wrapped
// and returned; a DSN that does not parse is reported without repeating it,
// since it may hold a password.
//
// # Bookings: the database is the arbiter
//
// No two active (pending or confirmed) appointments overlap for one
// specialist, one room or device, or one client: three exclusion
// constraints say so, whoever writes.
//
//	appointments_specialist_overlap  EXCLUDE USING gist (specialist_id WITH =,
//	    tstzrange(block_start, block_end) WITH &&) WHERE (status IN ('pending', 'confirmed'))
//	appointments_client_overlap      EXCLUDE USING gist (client_id WITH =,
//	    tstzrange(start_at, end_at) WITH &&) WHERE (status IN ('pending', 'confirmed'))
//	appointment_resources_overlap    EXCLUDE USING gist (resource_id WITH =,
//	    tstzrange(block_start, block_end) WITH &&) WHERE (active)
//
// Ranges are half-open ('[)'): touching is not overlapping. A resource is a
// row of appointment_resources (active while its appointment is), so that
// each room's overlap is one constraint. A violation is mapped by the
// constraint's name: the specialist's or the client's is
// booking.ErrSlotTaken, a room's or device's booking.ErrResourceTaken (the
// appointment's own row is inserted first, so ErrResourceTaken means the
// specialist and the client are free). Never a 500.
//
// CreateAppointment, MoveAppointment and SetStatus each run in one
// transaction that writes the appointment, its history line and its event.
// Before writing, they take advisory transaction locks on the specialist,
// the client and each resource the appointment is to hold, in one global
// order. They are not the guarantee — the constraints are — but they keep
// conflicting writers from inserting at the same moment: two such inserts
// would each wait for the other's row and deadlock, which PostgreSQL breaks
// after deadlock_timeout (a second) by aborting one; under a burst of
// bookings of one slot that costs seconds. With the locks the later writer
// meets the earlier one's committed row and fails at once. An idempotency
// key is locked the same way, so concurrent retries find the first
// booking. A write that reads an appointment first (a move, a change of
// status) locks its row (FOR UPDATE) before the advisory locks.
//
// # The event log
//
// events is one log for every package, a stream each ('booking', 'orders'),
// written in the transaction of the change (a transactional outbox), so a
// committed booking always has its event and a rolled-back one never does.
// seq is an identity, never reused. Consumers keep their position in
// event_cursors, which only moves forward (one upsert with WHERE
// excluded.seq > seq). A cursor is safe only if seqs become visible in
// order, which PostgreSQL does not promise by itself: a transaction that
// drew seq 10 may commit after one that drew 11, and a consumer that read 11
// would never see 10. So the log has an advisory lock that appends take
// shared — before they draw a seq, held to the commit, so that appends run
// side by side and their commits share WAL flushes — and readers take
// exclusive, which waits for every append in progress to end before the
// read's snapshot: a reader that sees seq n sees every committed seq below
// it. A seq drawn by a transaction that rolled back is skipped, which
// consumers expect.
//
// # The outbox and the background work
//
// messages holds every message to send, with a UNIQUE key (queuing one
// twice inserts nothing, on any instance) and a lease (lease_owner,
// lease_until). A claim is one statement, UPDATE … WHERE id IN (SELECT …
// due, unleased or lease expired … ORDER BY due_at, id LIMIT n FOR UPDATE
// SKIP LOCKED) RETURNING …: dispatchers on any number of instances pass over
// the rows another is claiming instead of waiting, and a row leased
// meanwhile is re-checked under its lock and dropped, so each message is
// leased to one dispatcher and sent once. Recording an outcome checks the
// lease owner in its WHERE clause and reports notify.ErrLeaseLost when
// another took over. An offer or a piece of news is queued only while its
// user has a marketing consent, checked by the INSERT with the settings and
// user rows locked FOR SHARE, so a consent withdrawn or an account erased at
// the same moment is never missed.
//
// The other work of (*Cabinet).Run is safe side by side too. Each consumer
// of the event log, the campaign and the clean-up run under a lease
// (leases: one row per name, taken by INSERT … ON CONFLICT DO UPDATE …
// WHERE the lease is free, expired or the taker's — the row lock orders
// takers, and each re-checks against the row as the one before left it),
// so one process at a time does each; a process that dies loses its leases
// when they expire. Planning queues messages under unique keys and moves
// its cursor in the same transaction (EnqueueAndAdvance), fenced by the
// consumer's lease: the lease row is locked FOR UPDATE and checked in that
// transaction, so a process that lost its turn cannot move the cursor.
// Offers are given once by the primary key of offers_given; new services
// are noted under a lock; the clean-ups are single DELETEs, harmless to run
// twice.
//
// # Checks that a write depends on
//
// Writes run in READ COMMITTED transactions. Every check that a write
// depends on is made atomic with it in one of three ways: by the write's
// own statement (UPDATE … WHERE the condition, whose row lock makes a
// concurrent writer re-check against the newest row: a code consumed once,
// at most MaxAttempts attempts, stock never below zero), by a row lock taken
// first (SELECT … FOR UPDATE: an order's or a review's status and version),
// or by an advisory transaction lock on what is checked: a rate-limit key
// (TakeRate: concurrent callers on any instance never exceed Max), an
// identifier (a resend voids the previous code; one sign-in creates the
// user), a client's card (questionnaire versions, consents, the photo quota,
// the favourites' limit), a client's orders (the open-orders limit,
// idempotent retries). Advisory lock keys are 64-bit hashes of a name;
// locks are taken in ascending order, the event log's last. A transaction
// PostgreSQL aborts anyway with a deadlock or a serialization failure is
// run again (WithMaxAttempts).
//
// # Time
//
// Instants are timestamptz: they keep microseconds and come back in UTC
// (the store truncates what it returns to match). The zero time.Time is
// NULL where a column may be empty. Durations are bigint nanoseconds,
// calendar days date, lists and documents jsonb, and text that is compared
// or ordered is COLLATE "C", so orders and pages are by bytes, as in
// SQLite, whatever the database's locale. The store never reads the clock
// for domain data: "now" is a parameter of every method that needs it (the
// one instant it takes itself, when a migration was applied, comes from
// WithNow).
//
// # Tests
//
// The tests run against the server named by KABINET_TEST_POSTGRES, in a
// database of their own each; without it they skip (in CI, where CI is
// set, they fail). scripts/pg-test.sh starts a throw-away cluster and runs
// a command with the variable set:
//
//	scripts/pg-test.sh go test -race -count=1 ./store/postgres/
package postgres
