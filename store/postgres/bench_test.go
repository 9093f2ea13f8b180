package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// The benchmarks of this file run against the server named by
// KABINET_TEST_POSTGRES, on a database of their own each (created empty and
// migrated, dropped at the end); without it the PostgreSQL cases skip. For
// figures comparable with SQLite's synchronous=FULL, start the server
// durable:
//
//	KABINET_PG_DURABLE=1 scripts/pg-test.sh go test -run '^$' -bench . -benchmem -count 5 ./store/postgres/
//
// (the default scripts/pg-test.sh cluster has fsync and synchronous_commit
// off: right for tests, not for timings of writes).

// benchDatabase creates an empty database for b on the test server and
// returns its DSN; it is dropped when b ends. Without a server b is skipped
// (failed in CI).
func benchDatabase(b *testing.B) string {
	b.Helper()
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			b.Fatalf("%s is not set: in CI the PostgreSQL benchmarks must run (scripts/pg-test.sh starts a server)", envDSN)
		}
		b.Skipf("%s is not set: run KABINET_PG_DURABLE=1 scripts/pg-test.sh go test -bench … ./store/postgres/", envDSN)
	}
	admin, err := sql.Open("pgx", dsn)
	require.NoError(b, err)
	var r [6]byte
	_, _ = rand.Read(r[:])
	name := fmt.Sprintf("kabinet_bench_%d_%s", os.Getpid(), hex.EncodeToString(r[:]))
	_, err = admin.ExecContext(b.Context(), `CREATE DATABASE `+quoteIdent(name))
	require.NoError(b, err)
	b.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+quoteIdent(name)+` WITH (FORCE)`)
		admin.Close()
	})
	return databaseDSN(dsn, name)
}

// openBench opens a store on a new database, closed when b ends.
func openBench(b *testing.B, opts ...Option) *Store {
	b.Helper()
	st, err := Open(b.Context(), benchDatabase(b), opts...)
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	return st
}

// ---- slot search on both backends ---------------------------------------------

// slotClinic is the slot search's clinic, the shape of booking's
// BenchmarkFindSlots (docs/performance.md, "Slot search"): a Moscow branch
// open 08:00–21:00, 20 specialists working every day 09:00–14:00 and
// 15:00–21:00, three laser rooms and an inactive fourth, four exceptions;
// over the 14 days from Monday 2026-06-01, 3,000 active appointments (about
// 30% of them in a laser room, 10 minutes of cleaning after each) and 60
// entries of outside busy time; before them, slotHistory completed or
// cancelled visits over two years.
type slotClinic struct {
	loc         *time.Location
	branch      booking.Branch
	laser, peel booking.Service
	specialists []booking.Specialist
	plans       []booking.WorkingPlan
	exceptions  []booking.Exception
	rooms       []booking.Resource
	booked      []booking.Appointment
	history     []booking.Appointment
	external    []booking.Busy
	from, to    booking.Date
	now         time.Time
}

const (
	slotBranch  = "b1"
	slotHistory = 30000
)

func newSlotClinic(b *testing.B) *slotClinic {
	b.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(b, err)
	first := booking.Date{Year: 2026, Month: time.June, Day: 1}
	hm := func(h, m int) booking.Clock { return booking.Clock(h*60 + m) }
	everyDay := func(ivs ...booking.Interval) booking.Week {
		var w booking.Week
		for d := range w {
			w[d] = ivs
		}
		return w
	}
	c := &slotClinic{
		loc: loc, from: first, to: first.AddDays(13),
		now: time.Date(2026, 5, 31, 12, 0, 0, 0, loc),
		branch: booking.Branch{ID: slotBranch, Name: "Branch", TimeZone: "Europe/Moscow",
			Opening: everyDay(booking.Interval{Start: hm(8, 0), End: hm(21, 0)}), Active: true},
	}
	c.laser = booking.Service{ID: "laser", Name: "Laser", Category: "laser", Duration: time.Hour, BufferAfter: 10 * time.Minute,
		ResourceKinds: []string{"laser_room"}, BranchIDs: []string{slotBranch}, Active: true, OnlineBooking: true,
		Price: booking.Money{Amount: 900000, Currency: "RUB"}}
	c.peel = c.laser
	c.peel.ID, c.peel.Name, c.peel.Category, c.peel.ResourceKinds = "peel", "Peel", "peel", nil
	hours := []booking.Interval{{Start: hm(9, 0), End: hm(14, 0)}, {Start: hm(15, 0), End: hm(21, 0)}}
	for i := range 20 {
		id := fmt.Sprintf("s%02d", i)
		c.specialists = append(c.specialists, booking.Specialist{ID: id, Name: id, BranchIDs: []string{slotBranch}, Active: true,
			Services: []booking.SpecialistService{{ServiceID: "peel"}, {ServiceID: "laser"}}})
		c.plans = append(c.plans, booking.WorkingPlan{ID: "plan-" + id, SpecialistID: id, BranchID: slotBranch, Week: everyDay(hours...)})
	}
	exception := func(spec string, kind booking.ExceptionKind, branch string, from, to booking.Date, ivs ...booking.Interval) booking.Exception {
		return booking.Exception{ID: fmt.Sprint(kind, "-", from), SpecialistID: spec, BranchID: branch, Kind: kind, From: from, To: to, Intervals: ivs}
	}
	c.exceptions = []booking.Exception{
		exception("s03", booking.ExceptionDayOff, "", first.AddDays(2), first.AddDays(2)),
		exception("s07", booking.ExceptionVacation, slotBranch, first.AddDays(7), first.AddDays(11)),
		exception("s11", booking.ExceptionSickLeave, "", first.AddDays(1), first.AddDays(1), booking.Interval{Start: hm(9, 0), End: hm(12, 0)}),
		exception("s15", booking.ExceptionExtraShift, slotBranch, first.AddDays(6), first.AddDays(6), booking.Interval{Start: hm(10, 0), End: hm(16, 0)}),
	}
	for i := range 4 {
		id := fmt.Sprintf("laser-%d", i+1)
		c.rooms = append(c.rooms, booking.Resource{ID: id, BranchID: slotBranch, Kind: "laser_room", Name: id, Active: i < 3})
	}

	// The same generator as booking's benchBranch, so the same 3,000.
	r := mathrand.New(mathrand.NewPCG(1, 2))
	roomBusy := make([][][2]time.Time, 3)
	free := func(k int, s, e time.Time) bool {
		for _, x := range roomBusy[k] {
			if s.Before(x[1]) && x[0].Before(e) {
				return false
			}
		}
		return true
	}
	created := c.now.Add(-24 * time.Hour).UTC()
fill:
	for day := range 14 {
		d := first.AddDays(day)
		for _, p := range c.specialists {
			for _, h := range hours {
				t := h.Start.On(d, loc)
				end := h.End.On(d, loc)
				for {
					t = t.Add(time.Duration(r.IntN(2)*15) * time.Minute)
					n := len(c.booked)
					a := booking.Appointment{
						ID: fmt.Sprintf("a%d", n), ClientID: fmt.Sprintf("client-%d", n), BranchID: slotBranch, ServiceID: "peel",
						SpecialistID: p.ID, Start: t.UTC(), End: t.Add(time.Duration(30+r.IntN(2)*15) * time.Minute).UTC(),
						Status: booking.StatusConfirmed, Price: booking.Money{Amount: 350000, Currency: "RUB"},
						CreatedAt: created, UpdatedAt: created,
					}
					a.CreatedBy = a.ClientID
					a.BlockStart, a.BlockEnd = a.Start, a.End.Add(10*time.Minute)
					if a.BlockEnd.After(end) {
						break
					}
					if r.IntN(10) < 3 {
						for k := range roomBusy {
							if free(k, a.BlockStart, a.BlockEnd) {
								roomBusy[k] = append(roomBusy[k], [2]time.Time{a.BlockStart, a.BlockEnd})
								a.ServiceID, a.ResourceIDs = "laser", []string{fmt.Sprintf("laser-%d", k+1)}
								break
							}
						}
					}
					c.booked = append(c.booked, a)
					if len(c.booked) == 3000 {
						break fill
					}
					t = a.BlockEnd
				}
			}
		}
	}
	require.Len(b, c.booked, 3000)
	r.Shuffle(len(c.booked), func(i, j int) { c.booked[i], c.booked[j] = c.booked[j], c.booked[i] })
	for range 60 {
		st := first.In(loc).Add(time.Duration(r.IntN(14*24*4)) * 15 * time.Minute)
		c.external = append(c.external, booking.Busy{SpecialistID: fmt.Sprintf("s%02d", r.IntN(20)), Start: st, End: st.Add(time.Hour)})
	}

	// The history: per specialist two visits a day at most, at 08:00,
	// 11:00, 14:00 or 17:00, over the 730 days before the first; one in ten
	// cancelled, the rest completed; every fifth in a laser room.
	per := slotHistory / len(c.specialists)
	for i := range slotHistory {
		k := i / len(c.specialists)
		day := first.AddDays(-730 + k*730/per)
		start := booking.Clock(8*60+(k%4)*180).On(day, loc).UTC()
		a := booking.Appointment{
			ID: fmt.Sprint("history-", i), ClientID: fmt.Sprint("history-client-", i%5000), BranchID: slotBranch, ServiceID: "peel",
			SpecialistID: c.specialists[i%len(c.specialists)].ID, Start: start, End: start.Add(time.Hour),
			BlockStart: start, BlockEnd: start.Add(70 * time.Minute), Status: booking.StatusCompleted,
			Price: booking.Money{Amount: 350000, Currency: "RUB"}, CreatedAt: start.Add(-24 * time.Hour), UpdatedAt: start.Add(time.Hour),
		}
		a.CreatedBy = a.ClientID
		if i%10 == 0 {
			a.Status = booking.StatusCancelled
		}
		if i%5 == 0 {
			a.ServiceID, a.ResourceIDs = "laser", []string{fmt.Sprintf("laser-%d", i%3+1)}
		}
		c.history = append(c.history, a)
	}
	return c
}

// seed stores the clinic through booking.Store: the catalog, the plans and
// exceptions, then the appointments, one CreateAppointment each, from 8
// goroutines (the order of commits does not change what is stored).
func (c *slotClinic) seed(b *testing.B, st booking.Store) {
	b.Helper()
	ctx := b.Context()
	require.NoError(b, st.UpsertBranch(ctx, c.branch))
	for _, r := range c.rooms {
		require.NoError(b, st.UpsertResource(ctx, r))
	}
	require.NoError(b, st.UpsertService(ctx, c.laser))
	require.NoError(b, st.UpsertService(ctx, c.peel))
	for _, s := range c.specialists {
		require.NoError(b, st.UpsertSpecialist(ctx, s))
	}
	for _, p := range c.plans {
		require.NoError(b, st.SetWorkingPlan(ctx, p))
	}
	for _, e := range c.exceptions {
		require.NoError(b, st.AddException(ctx, e))
	}
	all := append(append([]booking.Appointment(nil), c.history...), c.booked...)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		firstErr atomic.Pointer[error]
	)
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(all) || firstErr.Load() != nil {
					return
				}
				a := all[i]
				ev := booking.Event{Type: booking.EventBooked, At: a.CreatedAt}
				switch a.Status {
				case booking.StatusCompleted:
					ev = booking.Event{Type: booking.EventCompleted, At: a.UpdatedAt}
				case booking.StatusCancelled:
					ev = booking.Event{Type: booking.EventCancelled, At: a.UpdatedAt}
				}
				if _, _, err := st.CreateAppointment(ctx, a, "", ev); err != nil {
					err = fmt.Errorf("appointment %s: %w", a.ID, err)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		b.Fatal(*p)
	}
}

// fixedBusy is the outside busy time, the same for every backend.
type fixedBusy []booking.Busy

func (f fixedBusy) Busy(_ context.Context, _ string, ids []string, from, to time.Time) ([]booking.Busy, error) {
	var out []booking.Busy
	for _, x := range f {
		for _, id := range ids {
			if x.SpecialistID == id && x.Start.Before(to) && from.Before(x.End) {
				out = append(out, x)
			}
		}
	}
	return out, nil
}

// slotCase is one search.
type slotCase struct {
	name       string
	service    booking.Service
	specialist string // empty: any
}

func (c *slotClinic) cases() []slotCase {
	return []slotCase{{"any_laser", c.laser, ""}, {"any_no_room", c.peel, ""}, {"one_laser", c.laser, "s15"}}
}

// inMemory is the search without a store: booking.FindSlots over the same
// clinic held in memory, the floor under the others.
func (c *slotClinic) inMemory(sc slotCase) func(context.Context) (int, error) {
	q := booking.SlotQuery{
		Service: sc.service, Branch: c.branch, Location: c.loc, Specialists: c.specialists,
		From: c.from, To: c.to, Now: c.now, Notice: 2 * time.Hour, Horizon: 60 * 24 * time.Hour, Grid: 15 * time.Minute,
	}
	if sc.specialist != "" {
		for _, s := range c.specialists {
			if s.ID == sc.specialist {
				q.Specialists = []booking.Specialist{s}
			}
		}
	}
	sch := booking.Schedule{Plans: c.plans, Exceptions: c.exceptions, Booked: c.booked, External: c.external}
	for _, r := range c.rooms {
		if r.Active && len(sc.service.ResourceKinds) > 0 {
			sch.Resources = append(sch.Resources, r)
		}
	}
	return func(context.Context) (int, error) { return len(booking.FindSlots(q, sch)), nil }
}

// BenchmarkSlotSearch is one slot search over 14 days of slotClinic as a
// client's GET /api/v1/slots makes it — booking.Scheduler.Slots: the
// service, the branch and the candidates, their plans and exceptions, the
// rooms, the busy appointments (Store.Busy) and the outside busy time
// loaded, then booking.FindSlots — on SQLite (a file at synchronous=FULL)
// and on PostgreSQL (the store's defaults), both seeded with the same
// clinic and history through booking.Store; "memory" is FindSlots alone
// over the same data, the floor. Each reports the number of slots found,
// which must be the same on every backend.
//
//	KABINET_PG_DURABLE=1 scripts/pg-test.sh go test -run '^$' -bench SlotSearch -benchmem -count 5 ./store/postgres/
func BenchmarkSlotSearch(b *testing.B) {
	c := newSlotClinic(b)
	want := map[string]int{}
	for _, sc := range c.cases() {
		n, _ := c.inMemory(sc)(b.Context())
		want[sc.name] = n
	}
	for _, backend := range []struct {
		name string
		open func(b *testing.B) booking.Store
	}{
		{"memory", nil},
		{"sqlite", func(b *testing.B) booking.Store {
			st, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "slots.db"))
			require.NoError(b, err)
			b.Cleanup(func() { _ = st.Close() })
			return st
		}},
		{"postgres", func(b *testing.B) booking.Store { return openBench(b) }},
	} {
		b.Run(backend.name, func(b *testing.B) {
			var sched *booking.Scheduler
			if backend.open != nil {
				st := backend.open(b)
				c.seed(b, st)
				var err error
				sched, err = booking.New(booking.Config{Store: st, Busy: fixedBusy(c.external), Now: func() time.Time { return c.now }})
				require.NoError(b, err)
			}
			for _, sc := range c.cases() {
				search := c.inMemory(sc)
				if sched != nil {
					req := booking.SlotRequest{ServiceID: sc.service.ID, BranchID: slotBranch, SpecialistID: sc.specialist, From: c.from, To: c.to}
					search = func(ctx context.Context) (int, error) {
						slots, err := sched.Slots(ctx, req)
						return len(slots), err
					}
				}
				b.Run(sc.name, func(b *testing.B) {
					ctx := b.Context()
					n, err := search(ctx)
					require.NoError(b, err)
					require.Equal(b, want[sc.name], n, "the same slots as FindSlots over the data in memory")
					b.ReportAllocs()
					for b.Loop() {
						if _, err := search(ctx); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(n), "slots")
				})
			}
		})
	}
}

// ---- booking writes on PostgreSQL ---------------------------------------------

// The write benchmarks mirror store/sqlite's (bench_booking_test.go): a
// store holding 30,000 past appointments over 20 specialists (completed or
// cancelled, every fifth in room r, written straight into the tables: the
// setup, not a measurement), and new one-hour bookings after them: op i
// books specialist sp-(i mod 20) at writeDay + ⌊i/20⌋ h for a client of its
// own, so nothing overlaps.
var writeDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

const writeSpecialists = 20

func openWriteBench(b *testing.B) *Store {
	b.Helper()
	st := openBench(b)
	ctx := b.Context()
	require.NoError(b, st.UpsertBranch(ctx, booking.Branch{ID: "b", Name: "B", TimeZone: "Europe/Moscow", Active: true}))
	require.NoError(b, st.UpsertResource(ctx, booking.Resource{ID: "r", BranchID: "b", Kind: "room", Name: "R", Active: true}))
	require.NoError(b, st.UpsertService(ctx, booking.Service{ID: "s", Name: "S", Duration: time.Hour, BranchIDs: []string{"b"}, Active: true}))
	for i := range writeSpecialists {
		require.NoError(b, st.UpsertSpecialist(ctx, booking.Specialist{ID: fmt.Sprint("sp-", i), Name: fmt.Sprint("Sp ", i),
			BranchIDs: []string{"b"}, Services: []booking.SpecialistService{{ServiceID: "s"}}, Active: true}))
	}
	// Hourly, ending at writeDay, as store/sqlite's fillHistory.
	_, err := st.db.ExecContext(ctx, `
		INSERT INTO appointments (id, client_id, branch_id, service_id, specialist_id, resource_ids, start_at, end_at,
			block_start, block_end, status, price_amount, price_currency, created_by, created_at, updated_at)
		SELECT 'h-' || i, 'hc-' || (i % 5000), 'b', 's', 'sp-' || (i % $2),
			CASE WHEN i % 5 = 0 THEN '["r"]'::jsonb ELSE '[]'::jsonb END,
			t, t + interval '1 hour', t, t + interval '1 hour',
			CASE WHEN i % 10 = 0 THEN 'cancelled' ELSE 'completed' END, 300000, 'RUB', 'hc-' || (i % 5000), t, t
		FROM generate_series(0, $1 - 1) AS i,
			LATERAL (SELECT $3::timestamptz - ((($1 - 1 - i) / $2) + 1) * interval '1 hour' AS t) AS x`,
		slotHistory, writeSpecialists, writeDay)
	require.NoError(b, err)
	_, err = st.db.ExecContext(ctx, `
		INSERT INTO appointment_resources (appointment_id, resource_id, block_start, block_end, active)
		SELECT id, 'r', block_start, block_end, false FROM appointments WHERE resource_ids = '["r"]'::jsonb`)
	require.NoError(b, err)
	_, err = st.db.ExecContext(ctx, `ANALYZE`)
	require.NoError(b, err)
	return st
}

// writeAppointment is the new booking of op i.
func writeAppointment(i int) booking.Appointment {
	start := writeDay.Add(time.Duration(i/writeSpecialists) * time.Hour)
	client := fmt.Sprint("bench-c-", i)
	return booking.Appointment{
		ID: fmt.Sprint("bench-", i), ClientID: client, BranchID: "b", ServiceID: "s",
		SpecialistID: fmt.Sprint("sp-", i%writeSpecialists),
		Start:        start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
		Status: booking.StatusConfirmed, Price: booking.Money{Amount: 300000, Currency: "RUB"},
		CreatedBy: client, CreatedAt: writeDay.Add(-time.Hour), UpdatedAt: writeDay.Add(-time.Hour),
	}
}

// BenchmarkRawCommit is the floor every write stands on: one tiny INSERT in
// its own transaction (BEGIN, INSERT, COMMIT: three round trips and one WAL
// flush), as store/sqlite's BenchmarkRawCommit.
func BenchmarkRawCommit(b *testing.B) {
	st := openBench(b)
	ctx := b.Context()
	_, err := st.db.ExecContext(ctx, `CREATE TABLE bench (n bigint)`)
	require.NoError(b, err)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tx, err := st.db.BeginTx(ctx, nil)
		require.NoError(b, err)
		_, err = tx.ExecContext(ctx, `INSERT INTO bench (n) VALUES ($1)`, i)
		require.NoError(b, err)
		require.NoError(b, tx.Commit())
	}
}

// BenchmarkRawOverlapInsert is the floor under CreateAppointment on
// PostgreSQL: BEGIN, the appointment INSERT checked by the exclusion
// constraints of the specialist and the client (the store's overlap check:
// there is no SELECT before it), COMMIT; no advisory locks, history line,
// key or event. examples/loadtest's raw loop is the same transaction.
func BenchmarkRawOverlapInsert(b *testing.B) {
	st := openWriteBench(b)
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := writeAppointment(i)
		tx, err := st.db.BeginTx(ctx, nil)
		require.NoError(b, err)
		if err := insertAppointment(ctx, tx, a); err != nil {
			b.Fatalf("op %d: %v", i, err)
		}
		require.NoError(b, tx.Commit())
	}
}

// BenchmarkCreateAppointmentWithHistory is a whole CreateAppointment with an
// idempotency key: one READ COMMITTED transaction taking the advisory locks
// of the key, the specialist and the client, looking the key up, inserting
// the appointment (the exclusion constraints check it), its history line,
// the key, and the event under the event log's lock. Compare with
// BenchmarkRawOverlapInsert.
func BenchmarkCreateAppointmentWithHistory(b *testing.B) {
	st := openWriteBench(b)
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := writeAppointment(i)
		_, created, err := st.CreateAppointment(ctx, a, "key-"+a.ID, booking.Event{Type: booking.EventBooked, At: a.CreatedAt})
		if err != nil || !created {
			b.Fatalf("book %d: created=%v, %v", i, created, err)
		}
	}
}

// BenchmarkCreateAppointmentConcurrent is BenchmarkCreateAppointmentWithHistory
// from 32 goroutines per CPU through the store's pool (16 connections by
// default): concurrent commits share WAL flushes (PostgreSQL's group
// commit), and every booking's event append waits for the event log's lock.
// ns/op is wall time per booking.
func BenchmarkCreateAppointmentConcurrent(b *testing.B) {
	st := openWriteBench(b)
	ctx := b.Context()
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := writeAppointment(int(next.Add(1) - 1))
			_, created, err := st.CreateAppointment(ctx, a, "key-"+a.ID, booking.Event{Type: booking.EventBooked, At: a.CreatedAt})
			if err != nil || !created {
				if !errors.Is(err, context.Canceled) {
					b.Errorf("book %s: created=%v, %v", a.ID, created, err)
				}
				return
			}
		}
	})
}
