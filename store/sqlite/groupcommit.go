package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Group commit.
//
// SQLite has one writer, and with synchronous=FULL every COMMIT waits for an
// fsync of the WAL — on most disks the larger part of a short write
// transaction. When many requests write at once, the committer runs the
// writes that queued up while the previous transaction was committing in
// one transaction: each in a SAVEPOINT of its own, so a write that fails
// (a taken slot, a bad reference) is undone alone and the others go on, and
// one COMMIT (one fsync) makes them all durable. Nobody is told "done" before
// that COMMIT returns, and if it fails every write of the batch gets the
// error: an answer never claims a write that is not on disk.
//
// There is no timer and no goroutine: the first waiter that finds the writer
// free becomes the leader, takes the whole queue and runs it; the others wait
// for their result or for the writer to come free. Alone, a write runs at
// once in a transaction of its own, as before; only under load do batches
// form, as large as the load makes them. Each write still sees every write
// before it — the earlier ones in its batch included — so a check followed by
// the write that depends on it stays atomic, exactly as with one transaction
// per write.

// maxBatch bounds how many writes share one transaction, so one commit's
// latency stays bounded however long the queue is.
const maxBatch = 64

// writeJob is one write waiting for the committer.
type writeJob struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	err  error
	done chan struct{}
}

// committer queues writes and runs them in batches on the writer.
type committer struct {
	db    *sql.DB       // the single writer connection
	token chan struct{} // held by the leader while it runs batches

	mu    sync.Mutex
	queue []*writeJob

	onBatch func(n int) // tests observe batch sizes here; nil otherwise
}

func newCommitter(db *sql.DB) *committer {
	return &committer{db: db, token: make(chan struct{}, 1)}
}

// write runs fn in a write transaction (BEGIN IMMEDIATE), possibly shared
// with other writes, and returns once that transaction committed (nil) or
// fn's changes were undone (fn's error, or the commit's). fn must do all its
// work through tx and must not keep it; what it computes is valid only when
// write returns nil. A write whose ctx ends before its turn is not run; once
// started it runs to the end (fn gets ctx without its cancellation), since
// interrupting a write statement makes SQLite roll back the whole
// transaction — the other jobs' writes with it.
func (c *committer) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	job := &writeJob{ctx: ctx, fn: fn, done: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, job)
	c.mu.Unlock()
	select {
	case <-job.done:
	case c.token <- struct{}{}:
		c.lead(job)
	}
	return job.err
}

// lead runs batches until job's is done — it is in the queue, since a
// leader finishes every job it takes before it gives the writer back — and
// then gives the writer back, whatever happens.
func (c *committer) lead(job *writeJob) {
	defer func() { <-c.token }()
	for {
		select {
		case <-job.done:
			return
		default:
		}
		c.mu.Lock()
		n := min(len(c.queue), maxBatch)
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		if len(c.queue) == 0 {
			c.queue = nil
		}
		c.mu.Unlock()
		c.run(batch)
	}
}

// call runs a job's fn; a panic in it fails that job (and only it) instead
// of killing the leader, which serves other callers' writes.
func call(j *writeJob, tx *sql.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlite: write panicked: %v", r)
		}
	}()
	return j.fn(context.WithoutCancel(j.ctx), tx)
}

// run runs one batch in one transaction and tells each job its result.
func (c *committer) run(batch []*writeJob) {
	if c.onBatch != nil {
		c.onBatch(len(batch))
	}
	defer func() {
		for _, j := range batch {
			close(j.done)
		}
	}()
	// The transaction outlives any one job's context: a caller that gives up
	// must not roll back the writes of the others.
	tx, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		err = fmt.Errorf("sqlite: begin: %w", err)
		for _, j := range batch {
			j.err = err
		}
		return
	}
	if len(batch) == 1 {
		// Alone: no savepoint needed, a failure rolls the transaction back.
		j := batch[0]
		if j.err = j.ctx.Err(); j.err == nil {
			j.err = call(j, tx)
		}
		if j.err != nil {
			tx.Rollback()
			return
		}
		j.err = commit(tx)
		return
	}

	var broken error // set when the transaction itself can no longer be trusted
	for _, j := range batch {
		if broken != nil {
			j.err = broken
			continue
		}
		if j.err = j.ctx.Err(); j.err != nil {
			continue
		}
		if _, err := tx.Exec(`SAVEPOINT job`); err != nil {
			broken = fmt.Errorf("sqlite: savepoint: %w", err)
			j.err = broken
			continue
		}
		j.err = call(j, tx)
		if j.err != nil {
			// Undo this job only. If SQLite already rolled back the whole
			// transaction (a disk full, an I/O error), the savepoint is gone
			// and so are the earlier jobs' writes: they fail too.
			if _, err := tx.Exec(`ROLLBACK TO job`); err != nil {
				broken = errors.Join(j.err, fmt.Errorf("sqlite: rollback to savepoint: %w", err))
				continue
			}
		}
		if _, err := tx.Exec(`RELEASE job`); err != nil {
			broken = fmt.Errorf("sqlite: release savepoint: %w", err)
			if j.err == nil {
				j.err = broken
			}
		}
	}
	if broken != nil {
		tx.Rollback()
		for _, j := range batch {
			if j.err == nil {
				j.err = broken
			}
		}
		return
	}
	if err := commit(tx); err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.err = err
			}
		}
	}
}
