package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
)

// benchDay is where the history of fillHistory ends and new bookings begin.
var benchDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// seedBenchClinic stores one branch, one room, one service and specialists
// sp-0 … sp-(n−1).
func seedBenchClinic(tb testing.TB, st *Store, specialists int) {
	tb.Helper()
	ctx := tb.Context()
	require.NoError(tb, st.UpsertBranch(ctx, booking.Branch{ID: "b", Name: "B", TimeZone: "Europe/Moscow", Active: true}))
	require.NoError(tb, st.UpsertResource(ctx, booking.Resource{ID: "r", BranchID: "b", Kind: "room", Name: "R", Active: true}))
	require.NoError(tb, st.UpsertService(ctx, booking.Service{ID: "s", Name: "S", Duration: time.Hour, BranchIDs: []string{"b"}, Active: true}))
	for i := range specialists {
		require.NoError(tb, st.UpsertSpecialist(ctx, booking.Specialist{
			ID: fmt.Sprint("sp-", i), Name: fmt.Sprint("Sp ", i), BranchIDs: []string{"b"},
			Services: []booking.SpecialistService{{ServiceID: "s"}}, Active: true,
		}))
	}
}

// fillHistory inserts n past one-hour appointments spread over the
// specialists (hourly, ending at benchDay; one in ten cancelled, the rest
// completed, every fifth holding room r), in one transaction straight into
// the tables: the setup of a store with a long history, not a measurement.
func fillHistory(tb testing.TB, st *Store, n, specialists int) {
	tb.Helper()
	ctx := tb.Context()
	tx, err := st.beginWrite(ctx)
	require.NoError(tb, err)
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, insertAppointmentSQL)
	require.NoError(tb, err)
	insRes, err := tx.PrepareContext(ctx, insertAppointmentResourceSQL)
	require.NoError(tb, err)
	perSpecialist := (n + specialists - 1) / specialists
	for i := range n {
		slot := i / specialists
		start := benchDay.Add(-time.Duration(perSpecialist-slot) * time.Hour)
		status := booking.StatusCompleted
		if i%10 == 0 {
			status = booking.StatusCancelled
		}
		resources := "[]"
		if i%5 == 0 {
			resources = `["r"]`
		}
		id := fmt.Sprint("h-", i)
		_, err := ins.ExecContext(ctx, id, fmt.Sprint("hc-", i%5000), "b", "s", fmt.Sprint("sp-", i%specialists),
			resources, encodeTime(start), encodeTime(start.Add(time.Hour)), encodeTime(start),
			encodeTime(start.Add(time.Hour)), string(status), 300000, "RUB", "", "", "", "", nil, "",
			encodeTime(start.Add(-24*time.Hour)), encodeTime(start))
		require.NoError(tb, err)
		if i%5 == 0 {
			_, err := insRes.ExecContext(ctx, id, "r", encodeTime(start), encodeTime(start.Add(time.Hour)), false)
			require.NoError(tb, err)
		}
	}
	require.NoError(tb, commit(tx))
}

// queryPlan returns the details of EXPLAIN QUERY PLAN query, one per line.
func queryPlan(t *testing.T, st *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := st.reader.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var (
			id, parent, notUsed int
			detail              string
		)
		require.NoError(t, rows.Scan(&id, &parent, &notUsed, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	return plan
}

// TestOverlapQueriesUseIndexRange: every overlap query is a SEARCH of an
// index range bounded on both sides (x=? AND block_start>? AND
// block_start<?), never a SCAN — on a fresh file and after ANALYZE of a long
// history, when the planner has statistics to change its mind with.
func TestOverlapQueriesUseIndexRange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kabinet.db")
	st := openTest(t, path)
	seedBenchClinic(t, st, 20)
	nine := make([]any, 9)
	busyBoth, busyArgs := busyQuery(booking.BusyFilter{SpecialistIDs: []string{"sp-1", "sp-2"}, ResourceIDs: []string{"r"},
		From: benchDay, To: benchDay.Add(24 * time.Hour)})

	check := func(t *testing.T, st *Store) {
		tests := []struct {
			name  string
			query string
			args  []any
			want  []string
		}{
			{name: "specialist", query: specialistOverlapSQL, args: nine[:5], want: []string{
				"SEARCH appointments USING INDEX appointments_specialist (specialist_id=? AND block_start>? AND block_start<?)"}},
			{name: "resource", query: resourceOverlapSQL, args: nine[:5], want: []string{
				"SEARCH appointment_resources USING INDEX appointment_resources_busy (resource_id=? AND block_start>? AND block_start<?)"}},
			{name: "client", query: clientOverlapSQL, args: nine[:5], want: []string{
				"SEARCH appointments USING INDEX appointments_client (client_id=? AND start_at>? AND start_at<?)"}},
			{name: "busy", query: busyBoth, args: busyArgs, want: []string{
				"SEARCH appointments USING INDEX appointments_specialist (specialist_id=? AND block_start>? AND block_start<?)",
				"SEARCH appointment_resources USING INDEX appointment_resources_busy (resource_id=? AND block_start>? AND block_start<?)"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				plan := queryPlan(t, st, tt.query, tt.args...)
				t.Logf("EXPLAIN QUERY PLAN:\n%s", strings.Join(plan, "\n"))
				for _, want := range tt.want {
					assert.Contains(t, plan, want)
				}
				for _, line := range plan {
					assert.False(t, strings.HasPrefix(line, "SCAN"), "no table or index scan: %s", line)
				}
			})
		}
	}
	t.Run("fresh", func(t *testing.T) { check(t, st) })

	fillHistory(t, st, 4000, 20)
	_, err := st.writer.ExecContext(t.Context(), `ANALYZE`)
	require.NoError(t, err)
	// A store opened now has connections that loaded the statistics.
	analyzed := openTest(t, path)
	t.Run("analyzed history", func(t *testing.T) { check(t, analyzed) })
}

// TestLongerBlockRefusedByTheSchema: the MaxBlock bound of the overlap
// queries is only sound if no stored block is longer; the CHECK in the
// schema holds that even for a write that bypasses the Go validation.
func TestLongerBlockRefusedByTheSchema(t *testing.T) {
	st := openTest(t, filepath.Join(t.TempDir(), "kabinet.db"))
	seedBenchClinic(t, st, 1)
	insert := func(d time.Duration) error {
		_, err := st.writer.ExecContext(t.Context(), insertAppointmentSQL, "a", "c", "b", "s", "sp-0", "[]",
			encodeTime(benchDay), encodeTime(benchDay.Add(d)), encodeTime(benchDay), encodeTime(benchDay.Add(d)),
			"confirmed", 0, "", "", "", "", "", nil, "", encodeTime(benchDay), encodeTime(benchDay))
		return bookingError(err)
	}
	require.ErrorIs(t, insert(booking.MaxBlock+time.Second), booking.ErrInvalidInput)
	require.NoError(t, insert(booking.MaxBlock))
}
