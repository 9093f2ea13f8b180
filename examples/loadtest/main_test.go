package main

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// The numbers are only checked to be there: timing belongs to the command's
// real runs, not to tests.

// openTestSQLite opens a SQLite backend on a temporary file, closed when t
// ends.
func openTestSQLite(t *testing.T) *database {
	t.Helper()
	d, err := openSQLite(t.Context(), filepath.Join(t.TempDir(), "load.db"), "full")
	require.NoError(t, err)
	t.Cleanup(d.close)
	return d
}

func TestLoadFunctions(t *testing.T) {
	t.Parallel()
	tb, err := startTestbed(t.Context(), openTestSQLite(t))
	require.NoError(t, err)
	t.Cleanup(tb.close)
	client := newClient(4)
	t.Cleanup(client.CloseIdleConnections)
	const limit = time.Minute // a safety net; the counts end each run

	bare := loadBare(t.Context(), client, tb.bareURL, 4, limit, 200)
	assert.Equal(t, 200, bare.Requests)
	assert.Zero(t, bare.Errors, bare.FirstError)
	assert.Positive(t, bare.PerSecond)
	assert.Positive(t, bare.P99ms)

	signIns, tokens := loadSignIns(t.Context(), client, tb, 4, limit, 20)
	require.Zero(t, signIns.Errors, signIns.FirstError)
	assert.Equal(t, 20, signIns.Requests)
	assert.Len(t, tokens, 20)
	assert.Positive(t, signIns.PerSecond)
	assert.GreaterOrEqual(t, signIns.P99ms, signIns.P50ms)

	me := loadMe(t.Context(), client, tb.apiURL, tokens, 4, limit, 200)
	assert.Equal(t, 200, me.Requests)
	assert.Zero(t, me.Errors, me.FirstError)
	assert.Positive(t, me.PerSecond)

	t.Run("a bad token counts as an error", func(t *testing.T) {
		bad := loadMe(t.Context(), client, tb.apiURL, []string{"not-a-token"}, 2, limit, 10)
		assert.Zero(t, bad.Requests)
		assert.Equal(t, 10, bad.Errors)
		assert.Contains(t, bad.FirstError, "401")
	})
}

func TestCommand(t *testing.T) {
	t.Parallel()
	args := []string{"-duration", "200ms", "-concurrency", "4", "-signins", "20"}

	var out bytes.Buffer
	require.NoError(t, run(t.Context(), append(args, "-json"), &out, io.Discard))
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	assert.Equal(t, "go run ./examples/loadtest -duration 200ms -concurrency 4 -signins 20 -json", rep.Command)
	for _, r := range []result{rep.Bare, rep.SignIn, rep.Me} {
		assert.Positive(t, r.Requests, r.Name)
		assert.Zero(t, r.Errors, "%s: %s", r.Name, r.FirstError)
		assert.Positive(t, r.PerSecond, r.Name)
	}
	assert.LessOrEqual(t, rep.SignIn.Requests, 20)
	assert.Positive(t, rep.MeVsBare)
	assert.Positive(t, rep.SignInVsBare)

	out.Reset()
	require.NoError(t, run(t.Context(), args, &out, io.Discard))
	for _, want := range []string{"$ go run ./examples/loadtest -duration 200ms", "bare net/http handler", "sign-in (code + verify)", "GET /api/v1/me", "target:"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	o, err := parseOptions(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{dbs: []string{"sqlite"}, mode: "signin", duration: 10 * time.Second, concurrency: 32, signins: 2000,
		history: 30000, bookings: 3000, synchronous: "full"}, o)

	pg := "postgres://u:secret@127.0.0.1:5432/postgres?sslmode=disable"
	o, err = parseOptions([]string{"-db", pg, "-db", "sqlite", "-db=postgresql://h/db", "-pg-conns", "8"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{pg, "sqlite", "postgresql://h/db"}, o.dbs, "in the order given")
	assert.Equal(t, 8, o.pgConns)

	for _, args := range [][]string{
		{"-duration", "0s"}, {"-concurrency", "0"}, {"-signins", "-1"}, {"-synchronous", "off"}, {"extra"},
		{"-mode", "both"}, {"-history", "-1"}, {"-bookings", "0"}, {"-bookings", "100000"},
		{"-cpuprofile-booking", "x.prof"}, {"-mode", "booking", "-cpuprofile-booking", "x.prof", "-cpuprofile", "y.prof"},
		{"-mode", "booking", "-cpuprofile-booking", "x.prof", "-db", "sqlite", "-db", pg},
		{"-db", "mysql://h/db"}, {"-db", "load.db"}, {"-pg-conns", "-1"},
	} {
		_, err := parseOptions(args, io.Discard)
		assert.Error(t, err, args)
	}
}

// TestReportHidesPasswords: the command line in the report never repeats a
// PostgreSQL password.
func TestReportHidesPasswords(t *testing.T) {
	t.Parallel()
	args := []string{"-db", "postgres://u:secret@h/postgres", "-db=postgres://v:hidden@h/postgres", "-mode", "booking"}
	o, err := parseOptions(args, io.Discard)
	require.NoError(t, err)
	rep := newReport(o, args, backendInfo{Backend: "postgres"})
	assert.NotContains(t, rep.Command, "secret")
	assert.NotContains(t, rep.Command, "hidden")
	assert.Contains(t, rep.Command, "-db postgres://u:xxxxx@h/postgres -db=postgres://v:xxxxx@h/postgres -mode booking")
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, percentile(d, 0.50))
	assert.Equal(t, 99*time.Millisecond, percentile(d, 0.99))
	assert.Equal(t, time.Millisecond, percentile(d[:1], 0.99))
	assert.Zero(t, percentile(nil, 0.5))
}

func TestBookingMode(t *testing.T) {
	t.Parallel()
	args := []string{"-mode", "booking", "-history", "200", "-bookings", "50", "-concurrency", "8"}

	var out bytes.Buffer
	require.NoError(t, run(t.Context(), append(args, "-json"), &out, io.Discard))
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	assert.Equal(t, "go run ./examples/loadtest -mode booking -history 200 -bookings 50 -concurrency 8 -json", rep.Command)
	assert.Equal(t, "booking", rep.Mode)
	assert.Nil(t, rep.SignInReport, "no sign-in measurements in -mode booking")
	b := rep.Booking
	require.NotNil(t, b, out.String())
	assert.Equal(t, 200, b.History)
	assert.Equal(t, 20, b.Specialists)
	assert.Positive(t, b.Clients)
	assert.Zero(t, b.ClientSignIns.Errors, b.ClientSignIns.FirstError)
	for _, r := range []result{b.RawSingle, b.RawConcurrent} {
		assert.Equal(t, 50, r.Requests, r.Name)
		assert.Zero(t, r.Errors, "%s: %s", r.Name, r.FirstError)
		assert.Positive(t, r.PerSecond, r.Name)
	}
	assert.Equal(t, 50, b.Requests.Requests)
	assert.Zero(t, b.Requests.Errors, b.Requests.FirstError)
	assert.Positive(t, b.Requests.PerSecond)
	assert.Positive(t, b.Requests.P99ms)
	assert.Positive(t, b.Created.Requests)
	assert.Positive(t, b.Created.PerSecond)
	assert.Equal(t, 50, b.Created.Requests+b.Conflicts.Requests, "every request is a 201 or a 409")
	assert.Equal(t, 100, b.Pool)
	assert.Equal(t, b.DistinctSlots, b.Created.Requests, "each slot asked for is booked exactly once")
	assert.Equal(t, b.Created.Requests, b.BookedRows)
	assert.Zero(t, b.Overlaps)
	assert.Positive(t, b.VsRaw)
	assert.Empty(t, b.problems())
}

func TestAllModesText(t *testing.T) {
	t.Parallel()
	args := []string{"-mode", "all", "-duration", "200ms", "-concurrency", "4", "-signins", "10", "-history", "40", "-bookings", "20"}
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), args, &out, io.Discard))
	for _, want := range []string{"$ go run ./examples/loadtest -mode all -duration 200ms", "GET /api/v1/me", "target: GET /api/v1/me",
		"raw insert, 1 goroutine", "raw insert, 4 goroutines, 1 conn", "POST /api/v1/me/appointments", "201 Created",
		"bookings/s: ", "target: bookings/s", "\noverlaps: 0 (", "40 past appointments"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "FAILED")
}

// TestSlotPicks: the pool's slots of one specialist never overlap and lie
// in working hours, and with the default flags no client is ever given two
// requests for the same time (so every 409 is a race for the slot itself).
func TestSlotPicks(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	today := booking.Date{Year: 2026, Month: time.March, Day: 27} // DST would change on the 29th, but Moscow has none
	const count, concurrency = 3000, 32
	pool := slotPool(2*count, today, loc)
	require.Len(t, pool, 2*count)
	last := map[string]time.Time{}
	for _, s := range pool {
		local := s.start.In(loc)
		assert.True(t, booking.DateOf(local, loc).Before(today.AddDays(poolDays+1)) && today.Before(booking.DateOf(local, loc)), local)
		minutes := local.Hour()*60 + local.Minute()
		assert.GreaterOrEqual(t, minutes, openFrom)
		assert.LessOrEqual(t, time.Duration(minutes)*time.Minute+serviceDuration+serviceBuffer, time.Duration(openTo)*time.Minute)
		if prev, ok := last[s.specialist]; ok {
			assert.GreaterOrEqual(t, s.start.Sub(prev), serviceDuration+serviceBuffer, "%s at %s", s.specialist, local)
		}
		last[s.specialist] = s.start
	}

	clients := bookingClients(concurrency)
	window := bookingWindow(concurrency, clients)
	assert.Equal(t, 4*concurrency, window)
	asked := map[int]map[time.Time]bool{}
	for i := range count {
		s := pool[pick(i, count, len(pool), window)]
		c := i % clients
		if asked[c] == nil {
			asked[c] = map[time.Time]bool{}
		}
		assert.False(t, asked[c][s.start], "client %d asks twice for %s", c, s.start)
		asked[c][s.start] = true
	}
	assert.Equal(t, 1, bookingWindow(1, 10), "too few clients: no races rather than a client's own conflicts")
}

// TestCountOverlaps: the check after the run does see an overlap, of a
// specialist's blocked time and of a client's service time, written past the
// store's own check.
func TestCountOverlaps(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "overlap.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	today := booking.Date{Year: 2026, Month: time.November, Day: 25}
	require.NoError(t, seedClinic(ctx, st, today))
	raw, err := openSQLiteRaw(ctx, path, "full")
	require.NoError(t, err)
	t.Cleanup(raw.close)

	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	insert := func(id, specialist, client string, start time.Time) {
		t.Helper()
		end, now := start.Add(time.Hour), encodeTime(at)
		_, err := raw.insert.ExecContext(ctx, id, client, branchID, serviceID, specialist,
			encodeTime(start), encodeTime(end), encodeTime(start), encodeTime(end), "test", now, now)
		require.NoError(t, err)
	}
	insert("a", specialistID(0), "x", at)
	insert("touching", specialistID(0), "y", at.Add(time.Hour))
	o, err := raw.overlaps(ctx)
	require.NoError(t, err)
	assert.Zero(t, o, "touching is not overlapping")

	insert("b", specialistID(0), "z", at.Add(30*time.Minute))
	insert("c", specialistID(1), "x", at.Add(15*time.Minute))
	o, err = raw.overlaps(ctx)
	require.NoError(t, err)
	assert.Equal(t, overlaps{Specialists: 2, Clients: 1, Total: 3}, o)

	err = raw.book(ctx, "d", specialistID(1), at.Add(-30*time.Minute))
	assert.ErrorIs(t, err, errRawTaken, "the raw loop checks as the store does")
}
