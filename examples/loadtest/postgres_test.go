package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
)

// The PostgreSQL tests run against the server named by KABINET_TEST_POSTGRES
// (scripts/pg-test.sh starts a throw-away one and sets it), each run of the
// command on a database of its own that it drops. Without the variable they
// skip — except in CI, where they fail.

// postgresServer returns the server's URL, skipping t when there is none.
func postgresServer(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(envPostgres)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: in CI the PostgreSQL tests must run (scripts/pg-test.sh starts a server)", envPostgres)
		}
		t.Skipf("%s is not set: run scripts/pg-test.sh go test ./examples/loadtest/ to test on a throw-away PostgreSQL", envPostgres)
	}
	require.True(t, isPostgres(dsn), "%s must be a postgres:// URL", envPostgres)
	return dsn
}

// databaseExists reports whether the server holds a database called name.
func databaseExists(t *testing.T, dsn, name string) bool {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n))
	return n > 0
}

func TestBookingModePostgres(t *testing.T) {
	t.Parallel()
	dsn := postgresServer(t)
	args := []string{"-mode", "booking", "-db", dsn, "-history", "200", "-bookings", "50", "-concurrency", "8", "-pg-conns", "4", "-json"}

	var out bytes.Buffer
	require.NoError(t, run(t.Context(), args, &out, io.Discard))
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	assert.Equal(t, "postgres", rep.Backend)
	assert.Empty(t, rep.Synchronous, "SQLite's level says nothing about PostgreSQL")
	assert.NotEmpty(t, rep.Server)
	assert.Contains(t, []string{"on", "off"}, rep.Fsync)
	assert.NotEmpty(t, rep.SynchronousCommit)
	assert.Equal(t, 4, rep.MaxConns)
	require.NotEmpty(t, rep.Database)
	assert.False(t, databaseExists(t, dsn, rep.Database), "the run's database is dropped")

	b := rep.Booking
	require.NotNil(t, b, out.String())
	assert.Equal(t, 200, b.History)
	assert.Zero(t, b.ClientSignIns.Errors, b.ClientSignIns.FirstError)
	for _, r := range []result{b.RawSingle, b.RawConcurrent} {
		assert.Equal(t, 50, r.Requests, r.Name)
		assert.Zero(t, r.Errors, "%s: %s", r.Name, r.FirstError)
		assert.Positive(t, r.PerSecond, r.Name)
	}
	assert.Equal(t, "raw insert, 8 goroutines, 4 conns", b.RawConcurrent.Name)
	assert.Equal(t, 50, b.Requests.Requests)
	assert.Zero(t, b.Requests.Errors, b.Requests.FirstError)
	assert.Positive(t, b.Created.Requests)
	assert.Equal(t, 50, b.Created.Requests+b.Conflicts.Requests, "every request is a 201 or a 409")
	assert.Equal(t, b.DistinctSlots, b.Created.Requests, "each slot asked for is booked exactly once")
	assert.Equal(t, b.Created.Requests, b.BookedRows)
	assert.Zero(t, b.Overlaps)
	assert.Empty(t, b.problems())
}

// TestBothBackends runs the booking mode on SQLite and PostgreSQL in one
// invocation: a report each, then the figures side by side.
func TestBothBackends(t *testing.T) {
	t.Parallel()
	dsn := postgresServer(t)
	args := []string{"-mode", "booking", "-db", "sqlite", "-db", dsn, "-history", "40", "-bookings", "20", "-concurrency", "4"}

	var out bytes.Buffer
	require.NoError(t, run(t.Context(), args, &out, io.Discard))
	text := out.String()
	for _, want := range []string{"SQLite synchronous=full\n", "raw insert, 4 goroutines, 1 conn", "(fsync=", "store pool of 16 connections",
		"raw insert, 4 goroutines, 16 conns", "side by side:", "bookings/s (201)", "bookings ÷ the better raw rate", "load average"} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 2, bytes.Count(out.Bytes(), []byte("\noverlaps: 0 (")), text)
	assert.NotContains(t, text, "FAILED")

	out.Reset()
	require.NoError(t, run(t.Context(), append(args, "-json"), &out, io.Discard))
	var multi multiReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &multi), out.String())
	require.Len(t, multi.Runs, 2)
	assert.Equal(t, "sqlite", multi.Runs[0].Backend)
	assert.Equal(t, "full", multi.Runs[0].Synchronous)
	assert.Equal(t, "postgres", multi.Runs[1].Backend)
	for _, r := range multi.Runs {
		require.NotNil(t, r.Booking, r.Backend)
		assert.Zero(t, r.Booking.Overlaps, r.Backend)
		assert.Empty(t, r.Booking.problems(), r.Backend)
	}
}

// TestCountOverlapsPostgres: the check after the run sees overlaps of a
// specialist, a client and a room, written into a database whose exclusion
// constraints were dropped (with them, the rows could not be written: the
// raw loop's INSERT meets them first).
func TestCountOverlapsPostgres(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d, err := openPostgres(ctx, postgresServer(t), 2)
	require.NoError(t, err)
	t.Cleanup(d.close)
	today := booking.Date{Year: 2026, Month: time.November, Day: 25}
	require.NoError(t, seedClinic(ctx, d.store, today))
	require.NoError(t, d.store.UpsertResource(ctx, booking.Resource{ID: "room", BranchID: branchID, Kind: "laser_room", Name: "Room", Active: true}))
	raw, err := d.openRaw(ctx)
	require.NoError(t, err)
	t.Cleanup(raw.close)

	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	require.NoError(t, raw.book(ctx, "a", specialistID(0), at))
	require.NoError(t, raw.book(ctx, "touching", specialistID(0), at.Add(time.Hour)))
	err = raw.book(ctx, "taken", specialistID(0), at.Add(30*time.Minute))
	assert.ErrorIs(t, err, errRawTaken, "the raw loop's INSERT is checked by the exclusion constraints")
	o, err := raw.overlaps(ctx)
	require.NoError(t, err)
	assert.Zero(t, o, "touching is not overlapping")

	for _, c := range []string{"appointments_specialist_overlap", "appointments_client_overlap"} {
		_, err := raw.db.ExecContext(ctx, `ALTER TABLE appointments DROP CONSTRAINT `+c)
		require.NoError(t, err)
	}
	_, err = raw.db.ExecContext(ctx, `ALTER TABLE appointment_resources DROP CONSTRAINT appointment_resources_overlap`)
	require.NoError(t, err)
	insert := func(id, specialist, client string, start time.Time) {
		t.Helper()
		_, err := raw.db.ExecContext(ctx, pgRawInsertSQL, id, client, branchID, serviceID, specialist,
			start, start.Add(time.Hour), "test", at)
		require.NoError(t, err)
	}
	insert("b", specialistID(0), "z", at.Add(30*time.Minute))
	insert("c", specialistID(1), "raw-client-a", at.Add(15*time.Minute))
	for _, r := range []struct {
		id    string
		start time.Time
	}{{"c", at.Add(15 * time.Minute)}, {"touching", at.Add(time.Hour)}, {"b", at.Add(30 * time.Minute)}} {
		_, err := raw.db.ExecContext(ctx, `INSERT INTO appointment_resources (appointment_id, resource_id, block_start, block_end, active)
			VALUES ($1, 'room', $2, $3, true)`, r.id, r.start, r.start.Add(time.Hour))
		require.NoError(t, err)
	}
	o, err = raw.overlaps(ctx)
	require.NoError(t, err)
	// Specialist 0: b overlaps a and touching; client raw-client-a: c
	// overlaps a; the room: b overlaps c and touching overlaps b.
	assert.Equal(t, overlaps{Specialists: 2, Resources: 2, Clients: 1, Total: 5}, o)

	_, err = raw.db.ExecContext(ctx, `UPDATE appointments SET status = 'cancelled' WHERE id = 'b'`)
	require.NoError(t, err)
	_, err = raw.db.ExecContext(ctx, `UPDATE appointment_resources SET active = false WHERE appointment_id = 'b'`)
	require.NoError(t, err)
	o, err = raw.overlaps(ctx)
	require.NoError(t, err)
	// Without b, specialist 0 is free of overlaps; the room still has c
	// and touching.
	assert.Equal(t, overlaps{Resources: 1, Clients: 1, Total: 2}, o, "only active rows count")

	n, err := raw.bookedRows(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "active rows not made by the raw loop: c (b is cancelled)")
}
