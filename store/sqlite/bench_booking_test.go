package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
)

// Both booking benchmarks run on a store holding 30 000 past appointments
// over 20 specialists (1 500 each, every one earlier than the new bookings, so
// an unbounded overlap query would walk all of them), at the default
// synchronous=FULL, and book one-hour slots after that history: op i books
// specialist i mod 20 at benchDay + ⌊i/20⌋ h for a new client, so nothing
// overlaps.
const (
	benchHistory     = 30000
	benchSpecialists = 20
)

func openBenchStore(b *testing.B) *Store {
	b.Helper()
	st, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	seedBenchClinic(b, st, benchSpecialists)
	fillHistory(b, st, benchHistory, benchSpecialists)
	return st
}

// benchAppointment is the new booking of op i.
func benchAppointment(i int) booking.Appointment {
	start := benchDay.Add(time.Duration(i/benchSpecialists) * time.Hour)
	client := fmt.Sprint("bench-c-", i)
	return booking.Appointment{
		ID: fmt.Sprint("bench-", i), ClientID: client, BranchID: "b", ServiceID: "s",
		SpecialistID: fmt.Sprint("sp-", i%benchSpecialists),
		Start:        start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
		Status: booking.StatusConfirmed, Price: booking.Money{Amount: 300000, Currency: "RUB"},
		CreatedBy: client, CreatedAt: benchDay.Add(-time.Hour), UpdatedAt: benchDay.Add(-time.Hour),
	}
}

// BenchmarkCreateAppointmentWithHistory is a whole CreateAppointment with an
// idempotency key: one BEGIN IMMEDIATE transaction with the key lookup, the
// three bounded overlap checks, the appointment, its history line, the key
// and the event. Compare with BenchmarkRawOverlapInsert.
func BenchmarkCreateAppointmentWithHistory(b *testing.B) {
	st := openBenchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := benchAppointment(i)
		_, created, err := st.CreateAppointment(ctx, a, "key-"+a.ID,
			booking.Event{Type: booking.EventBooked, At: a.CreatedAt})
		if err != nil || !created {
			b.Fatalf("book %d: created=%v, %v", i, created, err)
		}
	}
}

// BenchmarkRawOverlapInsert is the floor under CreateAppointment: BEGIN
// IMMEDIATE, the same bounded specialist overlap SELECT and the same
// appointment INSERT (both prepared), COMMIT, on the same schema, history and
// synchronous level; no key, client or resource check, history line or
// event.
func BenchmarkRawOverlapInsert(b *testing.B) {
	st := openBenchStore(b)
	ctx := b.Context()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := benchAppointment(i)
		tx, err := st.beginWrite(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var one int
		err = tx.StmtContext(ctx, st.bk.specialistOverlap).QueryRowContext(ctx, a.SpecialistID,
			encodeTime(a.BlockStart.Add(-booking.MaxBlock)), encodeTime(a.BlockEnd), encodeTime(a.BlockStart), a.ID).Scan(&one)
		if !errors.Is(err, sql.ErrNoRows) {
			b.Fatalf("op %d: want a free slot, got %v", i, err)
		}
		if _, err := tx.StmtContext(ctx, st.bk.insertAppointment).ExecContext(ctx,
			a.ID, a.ClientID, a.BranchID, a.ServiceID, a.SpecialistID, "[]",
			encodeTime(a.Start), encodeTime(a.End), encodeTime(a.BlockStart), encodeTime(a.BlockEnd),
			string(a.Status), a.Price.Amount, a.Price.Currency, "", "", "", "", nil, a.CreatedBy,
			encodeTime(a.CreatedAt), encodeTime(a.UpdatedAt)); err != nil {
			b.Fatal(err)
		}
		if err := commit(tx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateAppointmentConcurrent is BenchmarkCreateAppointmentWithHistory
// from 32 goroutines per CPU at once, where the store's group commit shares
// one COMMIT among the writes that queued meanwhile. ns/op is wall time per
// booking; compare with the single-goroutine benchmarks in the same run.
func BenchmarkCreateAppointmentConcurrent(b *testing.B) {
	st := openBenchStore(b)
	ctx := b.Context()
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := benchAppointment(int(next.Add(1) - 1))
			_, created, err := st.CreateAppointment(ctx, a, "key-"+a.ID,
				booking.Event{Type: booking.EventBooked, At: a.CreatedAt})
			if err != nil || !created {
				b.Errorf("book %s: created=%v, %v", a.ID, created, err)
				return
			}
		}
	})
}
