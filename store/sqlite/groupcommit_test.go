package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gcStore opens a store with a scratch table for the committer tests and
// records the size of every batch the committer runs.
func gcStore(t *testing.T) (*Store, func() []int) {
	t.Helper()
	st := openTest(t, filepath.Join(t.TempDir(), "kabinet.db"))
	_, err := st.writer.ExecContext(t.Context(), `CREATE TABLE gc (k TEXT PRIMARY KEY)`)
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		sizes []int
	)
	st.wc.onBatch = func(n int) {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
	}
	return st, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), sizes...)
	}
}

// insertJob inserts k into the scratch table, then fails with fail if set.
func insertJob(k string, fail error) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO gc (k) VALUES (?)`, k); err != nil {
			return err
		}
		return fail
	}
}

func gcKeys(t *testing.T, st *Store) []string {
	t.Helper()
	rows, err := st.reader.QueryContext(t.Context(), `SELECT k FROM gc ORDER BY k`)
	require.NoError(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	require.NoError(t, rows.Err())
	return keys
}

// queueBehindBlocker holds the writer with a job that waits for release,
// then starts one write per job and waits until all of them are queued, so
// they run as one batch once release is closed. It returns each write's
// result, available after wait.
func queueBehindBlocker(t *testing.T, st *Store, jobs []writeJob) (release func(), wait func() []error) {
	t.Helper()
	ctx := t.Context()
	started, unblock := make(chan struct{}), make(chan struct{})
	var blockerErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		blockerErr = st.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			close(started)
			<-unblock
			_, err := tx.ExecContext(ctx, `INSERT INTO gc (k) VALUES ('blocker')`)
			return err
		})
	})
	<-started
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		jctx := cmpCtx(j.ctx, ctx)
		wg.Go(func() { errs[i] = st.write(jctx, j.fn) })
	}
	require.Eventually(t, func() bool {
		st.wc.mu.Lock()
		defer st.wc.mu.Unlock()
		return len(st.wc.queue) == len(jobs)
	}, timeoutLong, pollEvery)
	return func() { close(unblock) }, func() []error {
		wg.Wait()
		require.NoError(t, blockerErr)
		return errs
	}
}

func cmpCtx(c, def context.Context) context.Context {
	if c != nil {
		return c
	}
	return def
}

func TestGroupCommitBatchesQueuedWrites(t *testing.T) {
	st, sizes := gcStore(t)
	const n = 20
	jobs := make([]writeJob, n)
	for i := range jobs {
		jobs[i].fn = insertJob(fmt.Sprintf("k%02d", i), nil)
	}
	release, wait := queueBehindBlocker(t, st, jobs)
	release()
	for i, err := range wait() {
		assert.NoError(t, err, "job %d", i)
	}
	assert.Equal(t, []int{1, n}, sizes(), "the blocker alone, then everything that queued behind it in one transaction")
	assert.Len(t, gcKeys(t, st), n+1)
}

func TestGroupCommitFailedWriteIsUndoneAlone(t *testing.T) {
	st, sizes := gcStore(t)
	errSlot := errors.New("slot taken")
	jobs := []writeJob{
		{fn: insertJob("a", nil)},
		{fn: insertJob("b", errSlot)}, // wrote, then failed: its row must go
		{fn: insertJob("a", nil)},     // UNIQUE violation: a statement error
		{fn: insertJob("c", nil)},
	}
	release, wait := queueBehindBlocker(t, st, jobs)
	release()
	errs := wait()
	assert.Equal(t, []int{1, 4}, sizes())
	// The order inside the batch is the queue's; "a" may come before or
	// after its duplicate, but exactly one of the two succeeds.
	assert.ErrorIs(t, errs[1], errSlot)
	assert.NoError(t, errs[3])
	assert.True(t, (errs[0] == nil) != (errs[2] == nil), "exactly one insert of a succeeds: %v, %v", errs[0], errs[2])
	assert.Equal(t, []string{"a", "blocker", "c"}, gcKeys(t, st))
}

func TestGroupCommitBrokenTransactionFailsTheWholeBatch(t *testing.T) {
	st, _ := gcStore(t)
	// A job that ends the transaction under the others stands for SQLite
	// rolling it back on its own (an I/O error, a full disk): the writes
	// before it in the batch are gone, so none of them may report success.
	jobs := []writeJob{
		{fn: insertJob("a", nil)},
		{fn: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `ROLLBACK`)
			require.NoError(t, err)
			return errors.New("boom")
		}},
		{fn: insertJob("c", nil)},
	}
	release, wait := queueBehindBlocker(t, st, jobs)
	release()
	errs := wait()
	okCount := 0
	for _, err := range errs {
		if err == nil {
			okCount++
		}
	}
	keys := gcKeys(t, st)
	// Jobs that ran before the rollback lost their rows and must say so;
	// a job after it could only succeed in a transaction of its own.
	for i, k := range []string{"a", "", "c"} {
		if k == "" {
			continue
		}
		if errs[i] == nil {
			assert.Contains(t, keys, k, "job %d reported success, so its row must be stored", i)
		} else {
			assert.NotContains(t, keys, k, "job %d failed, so its row must not be stored", i)
		}
	}
	assert.Error(t, errs[1])
	// The writer is usable afterwards.
	require.NoError(t, st.write(t.Context(), insertJob("after", nil)))
	assert.Contains(t, gcKeys(t, st), "after")
}

func TestGroupCommitSkipsWritesWhoseContextEnded(t *testing.T) {
	st, _ := gcStore(t)
	gone, cancel := context.WithCancel(t.Context())
	ran := false
	jobs := []writeJob{
		{ctx: gone, fn: func(ctx context.Context, tx *sql.Tx) error { ran = true; return nil }},
		{fn: insertJob("b", nil)},
	}
	release, wait := queueBehindBlocker(t, st, jobs)
	cancel()
	release()
	errs := wait()
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.False(t, ran, "a write whose caller left before its turn is not run")
	assert.NoError(t, errs[1])
	assert.Equal(t, []string{"b", "blocker"}, gcKeys(t, st))
}

func TestGroupCommitConcurrentWritersEachSeeTheOthers(t *testing.T) {
	// A counter incremented by read-modify-write from 200 goroutines ends at
	// 200 only if every write, batched or not, sees all the writes before it.
	st, sizes := gcStore(t)
	ctx := t.Context()
	_, err := st.writer.ExecContext(ctx, `CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)`)
	require.NoError(t, err)
	const writers = 200
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			assert.NoError(t, st.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `UPDATE counter SET n = ?`, n+1)
				return err
			}))
		})
	}
	wg.Wait()
	var n int
	require.NoError(t, st.reader.QueryRowContext(ctx, `SELECT n FROM counter`).Scan(&n))
	assert.Equal(t, writers, n)
	total := 0
	for _, s := range sizes() {
		assert.LessOrEqual(t, s, maxBatch)
		total += s
	}
	assert.Equal(t, writers, total, "every write ran exactly once")
}

// How long the committer tests wait for goroutines to queue up: a guard
// against a hang, not a speed limit.
const (
	timeoutLong = 30 * time.Second
	pollEvery   = time.Millisecond
)

func TestGroupCommitPanicFailsOnlyItsWrite(t *testing.T) {
	st, _ := gcStore(t)
	jobs := []writeJob{
		{fn: insertJob("a", nil)},
		{fn: func(ctx context.Context, tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gc (k) VALUES ('p')`); err != nil {
				return err
			}
			panic("a bug in one write")
		}},
		{fn: insertJob("c", nil)},
	}
	release, wait := queueBehindBlocker(t, st, jobs)
	release()
	errs := wait()
	assert.NoError(t, errs[0])
	assert.ErrorContains(t, errs[1], "panicked")
	assert.NoError(t, errs[2])
	assert.Equal(t, []string{"a", "blocker", "c"}, gcKeys(t, st), "the panicking write is undone, its neighbours committed")
	require.NoError(t, st.write(t.Context(), insertJob("after", nil)), "the writer is free afterwards")
}
