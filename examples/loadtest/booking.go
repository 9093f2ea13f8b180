package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver of the raw loop (the store links it anyway)

	"github.com/kabinet-dev/kabinet/booking"
)

// The booking mode's clinic: one branch in Moscow, specialists working every
// day 08:00–22:00 for the next 60 days, one 30-minute service with a
// 10-minute buffer after it.
const (
	branchID        = "load-branch"
	serviceID       = "load-peel"
	specialists     = 20
	serviceDuration = 30 * time.Minute
	serviceBuffer   = 10 * time.Minute
	openFrom        = 8 * 60  // 08:00, minutes after midnight
	openTo          = 22 * 60 // 22:00
	planDays        = 60
	// slotStep spaces the pool's starts of one specialist and day: a block
	// is 40 minutes, so starts 45 minutes apart (on the 15-minute grid) never
	// overlap, and a 409 is always a race lost for exactly that slot.
	slotStep = 45 * time.Minute
	// poolDays are the days the pool may use: tomorrow … in 59 days, inside
	// the default 60-day horizon and past the 2-hour notice.
	poolDays = planDays - 1
	// historyDays is how far back the history goes.
	historyDays = 730

	// rawCreatedBy marks the raw loop's rows, so the checks can tell them
	// from the bookings made over HTTP.
	rawCreatedBy = "loadtest-raw"
)

// bookingTarget is the share of the raw insert rate that successful bookings
// over HTTP should reach.
const bookingTarget = 0.50

// slotsPerDay is how many pool starts one specialist has a day.
func slotsPerDay() int {
	return int((time.Duration(openTo-openFrom)*time.Minute-serviceDuration-serviceBuffer)/slotStep) + 1
}

// maxBookings is the most -bookings the pool (2 slots a booking) allows.
func maxBookings() int { return poolDays * specialists * slotsPerDay() / 2 }

func specialistID(i int) string { return fmt.Sprintf("load-sp-%02d", i) }

// seedClinic stores the branch, the service, the specialists and their
// working plans from today (in Moscow) for planDays days.
func seedClinic(ctx context.Context, st booking.Store, today booking.Date) error {
	every := booking.Week{}
	for d := range every {
		every[d] = []booking.Interval{{Start: openFrom, End: openTo}}
	}
	if err := st.UpsertBranch(ctx, booking.Branch{ID: branchID, Name: "Load test branch", Address: "Москва",
		TimeZone: "Europe/Moscow", Opening: every, Active: true}); err != nil {
		return err
	}
	if err := st.UpsertService(ctx, booking.Service{ID: serviceID, Name: "Peel", Category: "peel",
		Duration: serviceDuration, BufferAfter: serviceBuffer, Price: booking.Money{Amount: 350000, Currency: "RUB"},
		BranchIDs: []string{branchID}, Active: true, OnlineBooking: true}); err != nil {
		return err
	}
	for i := range specialists {
		id := specialistID(i)
		if err := st.UpsertSpecialist(ctx, booking.Specialist{ID: id, Name: fmt.Sprint("Specialist ", i), Title: "Cosmetologist",
			BranchIDs: []string{branchID}, Services: []booking.SpecialistService{{ServiceID: serviceID}}, Active: true}); err != nil {
			return err
		}
		if err := st.SetWorkingPlan(ctx, booking.WorkingPlan{ID: "plan-" + id, SpecialistID: id, BranchID: branchID,
			Week: every, From: today, To: today.AddDays(planDays)}); err != nil {
			return err
		}
	}
	return nil
}

// seedHistory books n past visits through the store, one CreateAppointment
// (one transaction) each, from seedWorkers goroutines, spread over the
// specialists and the historyDays before today: about two a day each at
// 30 000, at 08:00, 11:00, 14:00 or 17:00, so no two of a specialist's
// overlap. One in ten is cancelled, the rest completed; the clients are
// 5 000 made-up IDs. The rows are the same whatever the backend; only the
// time they take depends on it.
func seedHistory(ctx context.Context, st booking.Store, n int, today booking.Date, loc *time.Location) error {
	perSpecialist := (n + specialists - 1) / specialists
	res := load(ctx, "seed history", seedWorkers, time.Hour, n, func(ctx context.Context, i, _ int) error {
		k := i / specialists
		day := today.AddDays(-historyDays + k*historyDays/perSpecialist)
		start := booking.Clock(openFrom+(k%4)*180).On(day, loc).UTC()
		status, ev := booking.StatusCompleted, booking.EventCompleted
		if i%10 == 0 {
			status, ev = booking.StatusCancelled, booking.EventCancelled
		}
		client := fmt.Sprint("history-client-", i%5000)
		a := booking.Appointment{
			ID: fmt.Sprint("history-", i), ClientID: client, BranchID: branchID, ServiceID: serviceID,
			SpecialistID: specialistID(i % specialists),
			Start:        start, End: start.Add(serviceDuration), BlockStart: start, BlockEnd: start.Add(serviceDuration + serviceBuffer),
			Status: status, Price: booking.Money{Amount: 350000, Currency: "RUB"},
			CreatedBy: client, CreatedAt: start.Add(-24 * time.Hour), UpdatedAt: start.Add(serviceDuration),
		}
		if _, _, err := st.CreateAppointment(ctx, a, "", booking.Event{Type: ev, At: a.UpdatedAt}); err != nil {
			return fmt.Errorf("history %d: %w", i, err)
		}
		return nil
	})
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case res.Errors > 0:
		return errors.New(res.FirstError)
	case res.Requests != n:
		return fmt.Errorf("history: %d of %d appointments stored", res.Requests, n)
	}
	return nil
}

// seedWorkers is how many goroutines store the history: a few, so that
// seeding takes seconds on either backend (SQLite's group commit and
// PostgreSQL's concurrent commits share the syncs).
const seedWorkers = 8

// slot is one start of one specialist.
type slot struct {
	specialist string
	start      time.Time
}

// slotPool returns the first n free starts after today, ordered by day, then
// time of day, then specialist: the neighbours of a slot are other
// specialists at the same time and the same specialist 45 minutes away.
func slotPool(n int, today booking.Date, loc *time.Location) []slot {
	pool := make([]slot, 0, n)
	for d := 1; d <= poolDays; d++ {
		day := today.AddDays(d)
		for k := range slotsPerDay() {
			start := booking.Clock(openFrom+k*int(slotStep/time.Minute)).On(day, loc)
			for sp := range specialists {
				if len(pool) == n {
					return pool
				}
				pool = append(pool, slot{specialist: specialistID(sp), start: start})
			}
		}
	}
	return pool
}

// bookingRun is what the HTTP booking load found.
type bookingRun struct {
	all       result // every request: 201 and 409 are answers, anything else an error
	created   result // the 201s (Requests, per second, latency)
	conflicts result // the 409s
	distinct  int    // distinct slots asked for
	window    int    // slots each request chooses among
}

// loadBookings sends count POST /api/v1/me/appointments from concurrency
// workers. Request i is made by client tokens[i mod len(tokens)] for a
// random slot among the window (4·concurrency) slots of the pool centred on
// slot i·len(pool)/count: the requests in flight together want slots close
// to each other and often the same one. Two requests of one client are
// always more than a row of specialists apart in the pool (the window is
// kept under 2·len(tokens) − specialists), so a client never asks for two
// overlapping times and every 409 is a race lost for the slot itself. The
// picks depend on i only, so a run is repeatable.
func loadBookings(ctx context.Context, c *http.Client, apiURL string, tokens []string, pool []slot, concurrency, count int) bookingRun {
	window := bookingWindow(concurrency, len(tokens))
	picked := make([]int32, count)
	for i := range picked {
		picked[i] = -1
	}
	var (
		mu                      sync.Mutex
		latCreated, latConflict []time.Duration
	)
	endpoint := apiURL + "/api/v1/me/appointments"
	all := load(ctx, "POST /api/v1/me/appointments", concurrency, time.Hour, count, func(ctx context.Context, i, _ int) error {
		j := pick(i, count, len(pool), window)
		picked[i] = int32(j)
		s := pool[j]
		body := `{"service_id":"` + serviceID + `","branch_id":"` + branchID + `","specialist_id":"` + s.specialist +
			`","start":"` + s.start.Format(time.RFC3339) + `"}`
		t0 := time.Now()
		status, raw, err := post(ctx, c, endpoint, tokens[i%len(tokens)], body)
		took := time.Since(t0)
		if err != nil {
			return err
		}
		switch {
		case status == http.StatusCreated:
			mu.Lock()
			latCreated = append(latCreated, took)
			mu.Unlock()
		case status == http.StatusConflict && bytes.Contains(raw, []byte(`"slot_taken"`)):
			mu.Lock()
			latConflict = append(latConflict, took)
			mu.Unlock()
		default:
			return fmt.Errorf("POST /api/v1/me/appointments: status %d: %.200s", status, raw)
		}
		return nil
	})
	run := bookingRun{all: all, window: window}
	seen := make(map[int32]bool)
	for _, j := range picked {
		if j >= 0 {
			seen[j] = true
		}
	}
	run.distinct = len(seen)
	run.created = summarize("201 Created", latCreated, all.Seconds)
	run.conflicts = summarize("409 slot_taken", latConflict, all.Seconds)
	return run
}

// bookingClients is how many clients the booking mode signs in: more than
// the window of bookingWindow needs to be 4·concurrency (2·concurrency + 11),
// so that each has fewer appointments.
func bookingClients(concurrency int) int { return 4*concurrency + specialists }

// bookingWindow is how many slots a request chooses among: 4·concurrency,
// kept at most 2·clients − specialists − 1 (see loadBookings).
func bookingWindow(concurrency, clients int) int {
	return max(1, min(4*concurrency, 2*clients-specialists-1))
}

// pick is the pool index request i of count asks for.
func pick(i, count, poolLen, window int) int {
	centre := int(int64(i) * int64(poolLen) / int64(count))
	lo, hi := max(0, centre-window/2), min(poolLen, centre+(window+1)/2)
	rng := rand.New(rand.NewPCG(0x6b616269, uint64(i)))
	return lo + rng.IntN(hi-lo)
}

// conns is "1 conn" or "n conns".
func conns(n int) string {
	if n == 1 {
		return "1 conn"
	}
	return fmt.Sprint(n, " conns")
}

// summarize makes a result of latencies measured over seconds.
func summarize(name string, lat []time.Duration, seconds float64) result {
	slices.Sort(lat)
	r := result{Name: name, Requests: len(lat), Seconds: seconds}
	if seconds > 0 {
		r.PerSecond = float64(len(lat)) / seconds
	}
	r.P50ms, r.P99ms = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99))
	return r
}

// post sends a JSON body with a bearer token and returns the status and the
// whole answer (read, so the connection is reused).
func post(ctx context.Context, c *http.Client, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// ---- the raw loop on SQLite --------------------------------------------------

// The SQLite raw loop's statements: the store's bounded specialist overlap
// check and its appointment INSERT, against the same table and index.
const (
	// Arguments: specialist, block start − MaxBlock, block end, block start.
	rawOverlapSQL = `SELECT 1 FROM appointments
		WHERE specialist_id = ? AND block_start > ? AND block_start < ? AND block_end > ?
			AND status IN ('pending', 'confirmed')
		LIMIT 1`
	rawInsertSQL = `INSERT INTO appointments (id, client_id, branch_id, service_id, specialist_id,
			resource_ids, start_at, end_at, block_start, block_end, status, price_amount, price_currency,
			notes, client_note, cancelled_by, cancel_reason, plan_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, 'confirmed', 350000, 'RUB', '', '', '', '', NULL, ?, ?, ?)`
	// timeLayout is the store's instant format: UTC, fixed width, so string
	// order is time order.
	timeLayout = "2006-01-02T15:04:05.000000000Z"
)

func encodeTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// openSQLiteRaw opens a second handle on the store's file with the store's
// pragmas and one connection whose transactions are BEGIN IMMEDIATE, as the
// store's writer is.
func openSQLiteRaw(ctx context.Context, path, synchronous string) (*rawDB, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+strings.ToUpper(synchronous)+")")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	r := &rawDB{db: db, backend: "sqlite", conns: 1}
	if r.overlap, err = db.PrepareContext(ctx, rawOverlapSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("raw: prepare: %w", err)
	}
	if r.insert, err = db.PrepareContext(ctx, rawInsertSQL); err != nil {
		r.close()
		return nil, fmt.Errorf("raw: prepare: %w", err)
	}
	return r, nil
}

// bookSQLite is one raw booking: BEGIN IMMEDIATE, the bounded overlap
// SELECT, the INSERT, COMMIT.
func (r *rawDB) bookSQLite(ctx context.Context, id, specialist string, start time.Time) error {
	end := start.Add(time.Hour)
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var one int
	err = tx.StmtContext(ctx, r.overlap).QueryRowContext(ctx, specialist,
		encodeTime(start.Add(-booking.MaxBlock)), encodeTime(end), encodeTime(start)).Scan(&one)
	switch {
	case err == nil:
		return errRawTaken
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	now := encodeTime(time.Now())
	if _, err := tx.StmtContext(ctx, r.insert).ExecContext(ctx, id, "raw-client-"+id, branchID, serviceID, specialist,
		encodeTime(start), encodeTime(end), encodeTime(start), encodeTime(end), rawCreatedBy, now, now); err != nil {
		return err
	}
	return tx.Commit()
}

// loadRaw makes count raw bookings from concurrency goroutines through the
// raw handle's connections (SQLite: one; PostgreSQL: as many as the
// store's pool): op i books specialist i mod 20 for the hour ⌊i/20⌋ hours
// after from, so none overlaps another (and each is checked anyway).
func loadRaw(ctx context.Context, r *rawDB, name, prefix string, from time.Time, concurrency, count int) result {
	return load(ctx, name, concurrency, time.Hour, count, func(ctx context.Context, i, _ int) error {
		return r.book(ctx, fmt.Sprint(prefix, i), specialistID(i%specialists), from.Add(time.Duration(i/specialists)*time.Hour))
	})
}

// ---- the mode -------------------------------------------------------------------

// bookingReport is the booking mode's part of the report.
type bookingReport struct {
	History        int     `json:"history"`
	HistorySeconds float64 `json:"history_seconds"`
	Specialists    int     `json:"specialists"`
	Clients        int     `json:"clients"`
	ClientSignIns  result  `json:"client_sign_ins"`
	Pool           int     `json:"slot_pool"`
	Window         int     `json:"slot_window"`
	DistinctSlots  int     `json:"distinct_slots"`

	Requests  result `json:"requests"`  // every POST; per_second is requests/s
	Created   result `json:"created"`   // the 201s; per_second is bookings/s
	Conflicts result `json:"conflicts"` // the 409s

	RawSingle     result `json:"raw_single"`
	RawConcurrent result `json:"raw_concurrent"`
	// VsRaw is bookings/s over the better of the two raw rates.
	VsRaw           float64 `json:"bookings_vs_raw"`
	VsRawSingle     float64 `json:"bookings_vs_raw_single"`
	VsRawConcurrent float64 `json:"bookings_vs_raw_concurrent"`
	Target          float64 `json:"target"`
	TargetMet       bool    `json:"target_met"`

	Overlaps   overlaps `json:"overlaps"`
	BookedRows int      `json:"booked_rows"` // active rows not made by the raw loop
}

// problems lists what makes the run fail: errors, overlaps, and bookings
// that do not add up (with every slot of the pool free and no client ever
// asking for two overlapping times, each distinct slot asked for must have
// been booked exactly once).
func (b *bookingReport) problems() []string {
	var p []string
	if n := b.ClientSignIns.Errors + b.Requests.Errors + b.RawSingle.Errors + b.RawConcurrent.Errors; n > 0 {
		p = append(p, fmt.Sprintf("%d operations failed", n))
	}
	if b.Overlaps.Total != 0 {
		p = append(p, fmt.Sprintf("overlaps: %d", b.Overlaps.Total))
	}
	if b.Requests.Errors == 0 && b.Created.Requests != b.DistinctSlots {
		p = append(p, fmt.Sprintf("%d bookings created for %d distinct slots", b.Created.Requests, b.DistinctSlots))
	}
	if b.BookedRows != b.Created.Requests {
		p = append(p, fmt.Sprintf("%d active booked rows for %d bookings created", b.BookedRows, b.Created.Requests))
	}
	return p
}

// runBooking seeds the clinic and its history, signs clients in, measures
// the raw loop and then the bookings over HTTP, and checks the result.
func runBooking(ctx context.Context, o options, tb *testbed, client *http.Client, progress func(string)) (*bookingReport, error) {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return nil, err
	}
	today := booking.DateOf(time.Now(), loc)
	rep := &bookingReport{History: o.history, Specialists: specialists, Target: bookingTarget}

	progress(fmt.Sprintf("loadtest: booking: seeding the clinic and %d past appointments…", o.history))
	t0 := time.Now()
	if err := seedClinic(ctx, tb.db.store, today); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := seedHistory(ctx, tb.db.store, o.history, today, loc); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	rep.HistorySeconds = time.Since(t0).Seconds()

	// 2·clients must exceed the window plus a row of specialists (see
	// loadBookings), so every one of them is needed, however long it takes.
	clients := bookingClients(o.concurrency)
	progress(fmt.Sprintf("loadtest: booking: signing in %d clients…", clients))
	var tokens []string
	rep.ClientSignIns, tokens = signIns(ctx, client, tb, "client sign-ins", "book", 5_000_000, o.concurrency, time.Hour, clients)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(tokens) < clients {
		return nil, fmt.Errorf("only %d of %d clients signed in: %s", len(tokens), clients, rep.ClientSignIns.FirstError)
	}
	rep.Clients = len(tokens)

	raw, err := tb.db.openRaw(ctx)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	// The raw rows go after the bookings' horizon, one range per run.
	rawFrom := today.AddDays(planDays + 10).In(loc)
	progress(fmt.Sprintf("loadtest: booking: raw loop, %d inserts, 1 goroutine…", o.bookings))
	rep.RawSingle = loadRaw(ctx, raw, "raw insert, 1 goroutine", "raw-1-", rawFrom, 1, o.bookings)
	rawFrom = rawFrom.Add(time.Duration(o.bookings/specialists+2) * time.Hour)
	progress(fmt.Sprintf("loadtest: booking: raw loop, %d inserts, %d goroutines…", o.bookings, o.concurrency))
	rep.RawConcurrent = loadRaw(ctx, raw, fmt.Sprintf("raw insert, %d goroutines, %s", o.concurrency, conns(raw.conns)),
		"raw-n-", rawFrom, o.concurrency, o.bookings)

	pool := slotPool(2*o.bookings, today, loc)
	rep.Pool = len(pool)
	progress(fmt.Sprintf("loadtest: booking: %d bookings over HTTP, %d clients, pool of %d slots…", o.bookings, o.concurrency, len(pool)))
	if o.bookProfile != "" {
		f, err := os.Create(o.bookProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	run := loadBookings(ctx, client, tb.apiURL, tokens, pool, o.concurrency, o.bookings)
	if o.bookProfile != "" {
		pprof.StopCPUProfile()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Requests, rep.Created, rep.Conflicts = run.all, run.created, run.conflicts
	rep.Window, rep.DistinctSlots = run.window, run.distinct

	if rep.Overlaps, err = raw.overlaps(ctx); err != nil {
		return nil, err
	}
	if rep.BookedRows, err = raw.bookedRows(ctx); err != nil {
		return nil, err
	}
	if rep.RawSingle.PerSecond > 0 {
		rep.VsRawSingle = rep.Created.PerSecond / rep.RawSingle.PerSecond
	}
	if rep.RawConcurrent.PerSecond > 0 {
		rep.VsRawConcurrent = rep.Created.PerSecond / rep.RawConcurrent.PerSecond
	}
	if best := max(rep.RawSingle.PerSecond, rep.RawConcurrent.PerSecond); best > 0 {
		rep.VsRaw = rep.Created.PerSecond / best
	}
	rep.TargetMet = rep.VsRaw >= bookingTarget
	return rep, nil
}
