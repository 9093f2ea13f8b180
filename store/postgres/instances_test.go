package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/notify"
)

// The tests of what PostgreSQL adds to the conformance suite: migrations
// under the advisory lock, and several instances (Stores with pools of
// their own) sharing one database.

// openOn opens a store on dsn, closed when t ends.
func openOn(t *testing.T, dsn string, opts ...Option) *Store {
	t.Helper()
	st, err := Open(t.Context(), dsn, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.Close()) })
	return st
}

// instances opens n stores on one new migrated database.
func instances(t *testing.T, n int) []*Store {
	t.Helper()
	dsn := newDatabase(t, true)
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = openOn(t, dsn)
	}
	return stores
}

// run runs f(i) for i in [0, n) on n goroutines released together and
// returns the errors, indexed by i.
func run(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// syncBuffer is a bytes.Buffer safe for the loggers of several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// schemaFingerprint lists the tables of the database with their columns and
// the versions recorded, to compare a database before and after.
func schemaFingerprint(t *testing.T, st *Store) string {
	t.Helper()
	cols, err := queryStrings(t.Context(), st.db, `SELECT table_name || '.' || column_name || ':' || data_type
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1`)
	require.NoError(t, err)
	versions, err := queryStrings(t.Context(), st.db, `SELECT version::text FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	return strings.Join(cols, "\n") + "\nversions " + strings.Join(versions, ",")
}

func TestMigrationsApplyOnceFromManyInstances(t *testing.T) {
	dsn := newDatabase(t, false)
	ms, err := loadMigrations(migrationsFS)
	require.NoError(t, err)

	const n = 8
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	stores := make([]*Store, n)
	errs := run(n, func(i int) error {
		var err error
		stores[i], err = Open(t.Context(), dsn, WithLogger(logger), WithMaxConns(2))
		return err
	})
	for i, err := range errs {
		require.NoError(t, err, "instance %d", i)
		t.Cleanup(func() { assert.NoError(t, stores[i].Close()) })
	}

	assert.Equal(t, len(ms), strings.Count(logs.String(), "migration applied"),
		"each migration applied by one instance, once")
	var rows, distinct, newest int
	require.NoError(t, stores[0].db.QueryRowContext(t.Context(),
		`SELECT count(*), count(DISTINCT version), max(version) FROM schema_migrations`).Scan(&rows, &distinct, &newest))
	assert.Equal(t, len(ms), rows)
	assert.Equal(t, len(ms), distinct)
	assert.Equal(t, ms[len(ms)-1].version, newest)

	// Every instance works on the schema.
	for i, st := range stores {
		require.NoError(t, st.CreateUser(t.Context(), auth.User{ID: fmt.Sprint("u", i), CreatedAt: t0}))
	}

	// A later start finds nothing to do and takes no lock.
	logs = syncBuffer{}
	again := openOn(t, dsn, WithLogger(logger))
	assert.NotContains(t, logs.String(), "migration applied")
	_, err = again.UserByID(t.Context(), "u0")
	require.NoError(t, err)
}

func TestSchemaTooNew(t *testing.T) {
	dsn := newDatabase(t, false)
	ctx := t.Context()
	st, err := Open(ctx, dsn)
	require.NoError(t, err)
	require.NoError(t, st.CreateUser(ctx, auth.User{ID: "u1", CreatedAt: t0}))
	_, err = st.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, now())`)
	require.NoError(t, err)
	before := schemaFingerprint(t, st)
	require.NoError(t, st.Close())

	_, err = Open(ctx, dsn)
	require.ErrorIs(t, err, ErrSchemaTooNew)
	assert.Contains(t, err.Error(), "version 9999")
	ms, err2 := loadMigrations(migrationsFS)
	require.NoError(t, err2)
	assert.Contains(t, err.Error(), fmt.Sprintf("up to %d", ms[len(ms)-1].version))

	// A newer migration of this build's shape would not be applied either:
	// the database is left as it was.
	fsys := withMigration(t, "9000_later.sql", `CREATE TABLE later (x integer);`)
	_, err = open(ctx, dsn, fsys)
	require.ErrorIs(t, err, ErrSchemaTooNew)

	check := openRaw(t, dsn)
	assert.Equal(t, before, schemaFingerprint(t, check), "the database is unchanged")
}

// openRaw is a Store on dsn that does not migrate, for looking at a
// database Open refuses.
func openRaw(t *testing.T, dsn string) *Store {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return &Store{db: db, maxAttempts: 1}
}

// withMigration is the embedded migrations plus one more file.
func withMigration(t *testing.T, name, sql string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(migrationsFS, migrationsDir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := fs.ReadFile(migrationsFS, migrationsDir+"/"+e.Name())
		require.NoError(t, err)
		m[migrationsDir+"/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	m[migrationsDir+"/"+name] = &fstest.MapFile{Data: []byte(sql)}
	return m
}

func TestFailedMigrationKeepsOldSchema(t *testing.T) {
	dsn := newDatabase(t, true)
	ctx := t.Context()
	st := openOn(t, dsn)
	require.NoError(t, st.CreateUser(ctx, auth.User{ID: "u1", CreatedAt: t0}))
	before := schemaFingerprint(t, st)

	// The table is created, then the next statement fails: the migration's
	// transaction takes the table away again.
	fsys := withMigration(t, "0999_broken.sql", `CREATE TABLE half_done (x integer);
		ALTER TABLE users ADD COLUMN nickname text;
		SELECT no_such_function();`)
	_, err := open(ctx, dsn, fsys)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "0999_broken.sql")

	assert.Equal(t, before, schemaFingerprint(t, st), "the old schema, whole")
	_, err = st.UserByID(ctx, "u1")
	require.NoError(t, err, "and its data")

	// The lock was released: the next start migrates as usual.
	openOn(t, dsn)
}

// seedBooking stores a branch, a service, a room and n specialists.
func seedBooking(t *testing.T, st *Store, specialists int) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "Центр", TimeZone: "Europe/Moscow", Active: true}))
	require.NoError(t, st.UpsertResource(ctx, booking.Resource{ID: "room", BranchID: "b1", Kind: "laser_room", Name: "Лазерный", Active: true}))
	require.NoError(t, st.UpsertService(ctx, booking.Service{ID: "svc", Name: "Консультация", Duration: time.Hour,
		BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true}))
	for i := range specialists {
		require.NoError(t, st.UpsertSpecialist(ctx, booking.Specialist{ID: fmt.Sprint("sp-", i), Name: fmt.Sprint("Специалист ", i),
			BranchIDs: []string{"b1"}, Services: []booking.SpecialistService{{ServiceID: "svc"}}, Active: true}))
	}
}

// appointment is a confirmed hour of client with specialist from start.
func appointment(id, client, specialist string, start time.Time, resources ...string) booking.Appointment {
	return booking.Appointment{ID: id, ClientID: client, BranchID: "b1", ServiceID: "svc", SpecialistID: specialist,
		ResourceIDs: resources, Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
		Status: booking.StatusConfirmed, CreatedBy: client, CreatedAt: t0, UpdatedAt: t0}
}

func booked(a booking.Appointment) booking.Event {
	return booking.Event{Type: booking.EventBooked, At: a.CreatedAt}
}

func TestOneSlotBookedOnceAcrossInstances(t *testing.T) {
	tests := []struct {
		name string
		appt func(i int) booking.Appointment
		// resource: the collisions are a room's only.
		resource bool
	}{
		{name: "specialist", appt: func(i int) booking.Appointment {
			return appointment(fmt.Sprint("a-", i), fmt.Sprint("c-", i), "sp-0", t0.Add(24*time.Hour))
		}},
		{name: "client", appt: func(i int) booking.Appointment {
			return appointment(fmt.Sprint("a-", i), "c-1", fmt.Sprint("sp-", i%8), t0.Add(24*time.Hour))
		}},
		{name: "room", resource: true, appt: func(i int) booking.Appointment {
			// Each with a specialist of their own, staggered by 30 s:
			// every pair overlaps in the room only.
			return appointment(fmt.Sprint("a-", i), fmt.Sprint("c-", i), fmt.Sprint("sp-", i),
				t0.Add(24*time.Hour).Add(time.Duration(i)*30*time.Second), "room")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const n = 64
			stores := instances(t, 2)
			seedBooking(t, stores[0], n)
			errs := run(n, func(i int) error {
				a := tt.appt(i)
				_, _, err := stores[i%2].CreateAppointment(t.Context(), a, "", booked(a))
				return err
			})
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, booking.ErrSlotTaken):
					t.Errorf("call %d: %v", i, err)
				case tt.resource:
					assert.ErrorIs(t, err, booking.ErrResourceTaken, "call %d", i)
				default:
					assert.NotErrorIs(t, err, booking.ErrResourceTaken, "call %d", i)
				}
			}
			assert.Equal(t, 1, ok, "exactly one booking")
			events, err := stores[1].EventsAfter(t.Context(), 0, 0)
			require.NoError(t, err)
			assert.Len(t, events, 1, "exactly one event")
		})
	}
}

func TestOverlapIsAConstraint(t *testing.T) {
	st := openTest(t)
	ctx := t.Context()
	seedBooking(t, st, 2)
	start := t0.Add(24 * time.Hour)
	a := appointment("a-1", "c-1", "sp-0", start, "room")
	_, _, err := st.CreateAppointment(ctx, a, "", booked(a))
	require.NoError(t, err)

	// Written past the store, as a script at psql would: the schema refuses
	// an overlap of the specialist, of the client, and of the room.
	insert := func(id, client, specialist string, status booking.Status) error {
		_, err := st.db.ExecContext(ctx, `INSERT INTO appointments (id, client_id, branch_id, service_id,
			specialist_id, start_at, end_at, block_start, block_end, status, created_at, updated_at)
			VALUES ($1, $2, 'b1', 'svc', $3, $4, $5, $4, $5, $6, $7, $7)`,
			id, client, specialist, start.Add(30*time.Minute), start.Add(90*time.Minute), string(status), t0)
		return err
	}
	assert.True(t, violation(insert("x-1", "c-2", "sp-0", booking.StatusPending), codeExclusionViolation,
		"appointments_specialist_overlap"))
	assert.True(t, violation(insert("x-2", "c-1", "sp-1", booking.StatusConfirmed), codeExclusionViolation,
		"appointments_client_overlap"))
	require.NoError(t, insert("x-3", "c-2", "sp-1", booking.StatusConfirmed))
	_, err = st.db.ExecContext(ctx, `INSERT INTO appointment_resources VALUES ('x-3', 'room', $1, $2, true)`,
		start.Add(30*time.Minute), start.Add(90*time.Minute))
	assert.True(t, violation(err, codeExclusionViolation, "appointment_resources_overlap"))
	// Cancelled rows hold nothing; touching is not overlapping.
	require.NoError(t, insert("x-4", "c-3", "sp-0", booking.StatusCancelled))
	_, err = st.db.ExecContext(ctx, `INSERT INTO appointments (id, client_id, branch_id, service_id,
		specialist_id, start_at, end_at, block_start, block_end, status, created_at, updated_at)
		VALUES ('x-5', 'c-3', 'b1', 'svc', 'sp-0', $1, $2, $1, $2, 'confirmed', $3, $3)`,
		start.Add(time.Hour), start.Add(2*time.Hour), t0)
	require.NoError(t, err)
}

func TestClaimsAcrossInstances(t *testing.T) {
	stores := instances(t, 2)
	ctx := t.Context()
	const total = 1000
	msgs := make([]notify.Message, total)
	for i := range msgs {
		msgs[i] = notify.Message{ID: fmt.Sprintf("m-%04d", i), Key: fmt.Sprintf("k-%04d", i), UserID: "u1",
			Category: notify.CategoryAppointments, Kind: "appointment_booked", Channel: notify.ChannelSMS,
			To: "+79123456789", Text: "…", CreatedAt: t0, DueAt: t0.Add(time.Duration(i%50) * time.Second)}
	}
	n, err := stores[0].EnqueueMessages(ctx, msgs)
	require.NoError(t, err)
	require.Equal(t, total, n)

	now := t0.Add(time.Hour)
	var (
		mu   sync.Mutex
		seen = map[string]int{}
	)
	const perStore = 4
	errs := run(2*perStore, func(i int) error {
		st, owner := stores[i%2], fmt.Sprint("dispatcher-", i)
		for {
			claimed, err := st.ClaimMessages(ctx, owner, now, time.Minute, 25)
			if err != nil {
				return err
			}
			if len(claimed) == 0 {
				return nil
			}
			for _, m := range claimed {
				if m.LeaseOwner != owner {
					return fmt.Errorf("%s claimed with owner %q", m.ID, m.LeaseOwner)
				}
				mu.Lock()
				seen[m.ID]++
				mu.Unlock()
				if err := st.FinishMessage(ctx, m.ID, owner, notify.Result{Status: notify.StatusSent,
					ProviderID: "p-" + m.ID, At: now}); err != nil {
					return err
				}
			}
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, seen, total, "every message claimed")
	for id, k := range seen {
		assert.Equal(t, 1, k, "message %s claimed once", id)
	}
	var sent int
	require.NoError(t, stores[1].db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE status = 'sent'`).Scan(&sent))
	assert.Equal(t, total, sent, "and sent once")
}

func TestEventLogFollowedWhileInstancesWrite(t *testing.T) {
	// Writers on two instances book side by side while a consumer follows
	// the log with a cursor, as the planner does: it must meet every event,
	// however the writers' commits interleave (appendEvent's lock).
	stores := instances(t, 2)
	ctx := t.Context()
	seedBooking(t, stores[0], 8)
	const n = 160
	done := make(chan struct{})
	var (
		got     []int64
		readErr error
	)
	var wg sync.WaitGroup
	wg.Go(func() {
		var cursor int64
		read := func() bool {
			events, err := stores[1].EventsAfter(ctx, cursor, 7)
			if err != nil {
				readErr = err
				return false
			}
			for _, ev := range events {
				got = append(got, ev.Seq)
				cursor = ev.Seq
			}
			return len(events) > 0
		}
		for {
			select {
			case <-done:
				for read() {
				}
				return
			default:
				if !read() {
					time.Sleep(time.Millisecond)
				}
			}
		}
	})
	errs := run(n, func(i int) error {
		// Distinct specialists, clients and hours: no booking collides.
		a := appointment(fmt.Sprint("a-", i), fmt.Sprint("c-", i), fmt.Sprint("sp-", i%8),
			t0.Add(24*time.Hour).Add(time.Duration(i/8)*time.Hour))
		_, _, err := stores[i%2].CreateAppointment(ctx, a, "", booked(a))
		return err
	})
	close(done)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, readErr)
	assert.Len(t, got, n, "the consumer met every event")
	assert.True(t, slices.IsSorted(got), "in seq order")
	assert.Len(t, slices.Compact(slices.Clone(got)), n, "each once")
}

func TestRateLimitAcrossInstances(t *testing.T) {
	stores := instances(t, 2)
	limit := auth.RateLimit{Name: "identifier_hour", Key: "code:id:+79123456789", Window: time.Hour, Max: 10}
	errs := run(100, func(i int) error {
		return stores[i%2].TakeRate(context.Background(), t0.Add(time.Duration(i)*time.Millisecond), limit)
	})
	ok := 0
	for i, err := range errs {
		var rl *auth.RateLimitError
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &rl):
			t.Errorf("call %d: %v", i, err)
		}
	}
	assert.Equal(t, limit.Max, ok, "the limit holds across instances")
}

// An append that drew a seq and has not committed holds readers of the log
// back: a reader never sees a later seq first (and moves a cursor past the
// one still to come), whatever order the commits come in.
func TestEventLogReaderWaitsForAppendsInProgress(t *testing.T) {
	stores := instances(t, 1)
	st, ctx := stores[0], t.Context()
	slow, err := st.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = slow.Rollback() }()
	first, err := appendEvent(ctx, slow, streamBooking, "booked", "a-slow", "c-1", t0, []byte(`{}`))
	require.NoError(t, err)

	// A later append commits first.
	fast, err := st.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	second, err := appendEvent(ctx, fast, streamBooking, "booked", "a-fast", "c-2", t0, []byte(`{}`))
	require.NoError(t, err)
	require.NoError(t, fast.Commit())
	require.Greater(t, second, first)

	read := make(chan []int64, 1)
	go func() {
		rows, err := st.eventsAfter(ctx, streamBooking, 0, 10)
		assert.NoError(t, err)
		var seqs []int64
		for _, r := range rows {
			seqs = append(seqs, r.seq)
		}
		read <- seqs
	}()
	select {
	case seqs := <-read:
		t.Fatalf("the reader saw %v while seq %d was still to commit", seqs, first)
	case <-time.After(300 * time.Millisecond):
		// Still waiting, as it must.
	}
	require.NoError(t, slow.Commit())
	select {
	case seqs := <-read:
		assert.Equal(t, []int64{first, second}, seqs, "both, in order, once the first committed")
	case <-time.After(10 * time.Second):
		t.Fatal("the reader never got its turn")
	}
}
