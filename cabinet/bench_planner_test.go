package cabinet_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// BenchmarkPlanReminders100k plans the messages of 100,000 freshly booked
// appointments (10,000 clients with a phone, 20 specialists) from the event
// log: per appointment the confirmation and the 24-hour and 2-hour
// reminders, each rendered for SMS and queued — 300,000 messages. One op is
// the whole backlog, on a fresh copy of the same database each time; the
// store is SQLite at synchronous=FULL. Seeding takes about half a minute.
//
//	go test -run '^$' -bench PlanReminders100k -benchtime 3x ./cabinet/
func BenchmarkPlanReminders100k(b *testing.B) {
	const appointments, clients, specialists = 100_000, 10_000, 20
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, msk)
	template := filepath.Join(b.TempDir(), "template.db")
	seedPlanning(b, template, now, appointments, clients, specialists)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprint("run-", i, ".db"))
		copyFile(b, template, path)
		st, err := sqlite.Open(b.Context(), path)
		require.NoError(b, err)
		out := notify.NewDevOutbox(1, nil)
		cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("s"), 32), SMS: out, Mail: out,
			Now: func() time.Time { return now }})
		require.NoError(b, err)
		b.StartTimer()

		planned, err := cab.Plan(b.Context())

		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, appointments, planned)
		require.NoError(b, st.Close())
		b.StartTimer()
	}
	b.StopTimer()
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(appointments)/perOp, "appointments/s")
	b.ReportMetric(float64(3*appointments)/perOp, "messages/s")
}

func seedPlanning(b *testing.B, path string, now time.Time, appointments, clients, specialists int) {
	b.Helper()
	ctx := b.Context()
	st, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	defer st.Close()
	require.NoError(b, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "На Тверской", Address: "Москва, Тверская, 1",
		TimeZone: "Europe/Moscow", Active: true}))
	require.NoError(b, st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Миндальный пилинг", Category: "peel",
		Duration: time.Hour, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true}))
	for s := range specialists {
		require.NoError(b, st.UpsertSpecialist(ctx, booking.Specialist{ID: fmt.Sprint("sp-", s), Name: fmt.Sprint("Специалист ", s),
			BranchIDs: []string{"b1"}, Active: true, Services: []booking.SpecialistService{{ServiceID: "peel"}}}))
	}
	parallel(b, clients, func(c int) error {
		return st.CreateUser(ctx, auth.User{ID: fmt.Sprint("client-", c), Phone: fmt.Sprintf("+7912%07d", c),
			Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: now})
	})
	// Appointment i: specialist i mod 20, hourly from tomorrow 09:00, client
	// i mod 10,000 — nothing overlaps.
	first := now.Add(23 * time.Hour)
	parallel(b, appointments, func(i int) error {
		start := first.Add(time.Duration(i/specialists) * time.Hour)
		a := booking.Appointment{ID: fmt.Sprint("a-", i), ClientID: fmt.Sprint("client-", i%clients), BranchID: "b1",
			ServiceID: "peel", SpecialistID: fmt.Sprint("sp-", i%specialists), Start: start, End: start.Add(time.Hour),
			BlockStart: start, BlockEnd: start.Add(time.Hour), Status: booking.StatusConfirmed,
			Price: booking.Money{Amount: 350000, Currency: "RUB"}, CreatedBy: "seed", CreatedAt: now}
		_, _, err := st.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked, At: now})
		return err
	})
}

// parallel runs f(0…n−1) on 32 goroutines (the store commits them in groups).
func parallel(b *testing.B, n int, f func(i int) error) {
	b.Helper()
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, 1)
	for range 32 {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	require.NoError(b, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	require.NoError(b, err)
	_, err = io.Copy(dst, src)
	require.NoError(b, err)
	require.NoError(b, dst.Close())
}
