package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kabinet-dev/kabinet/cabinet"
)

var _ cabinet.Store = (*Store)(nil)

// Synchronous is the SQLite synchronous level of every connection.
type Synchronous int

// Synchronous levels. The zero value means the default, SynchronousFull.
const (
	// SynchronousFull syncs the write-ahead log at every commit: a commit that
	// has returned survives a power loss. The default.
	SynchronousFull Synchronous = iota + 1
	// SynchronousNormal syncs only at checkpoints: about three times the write
	// throughput, but the last commits before a power loss (not a process
	// crash) may be lost — a booking the client was told about, or a code
	// already consumed becoming usable again.
	SynchronousNormal
)

func (s Synchronous) pragma() (string, error) {
	switch s {
	case SynchronousFull:
		return "FULL", nil
	case SynchronousNormal:
		return "NORMAL", nil
	}
	return "", fmt.Errorf("sqlite: unknown synchronous level %d", int(s))
}

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	synchronous Synchronous
	logger      *slog.Logger
	readConns   int
	busyTimeout time.Duration
	now         func() time.Time
}

// WithSynchronous sets the synchronous level (default SynchronousFull).
func WithSynchronous(s Synchronous) Option { return func(o *options) { o.synchronous = s } }

// WithLogger sets the logger, which records the migrations applied (default:
// discard). The store never logs codes, tokens, identifiers or row contents.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithReadConns sets the size of the read pool (default: the number of CPUs,
// at least 4).
func WithReadConns(n int) Option { return func(o *options) { o.readConns = n } }

// WithBusyTimeout sets how long a connection waits for a lock held by another
// process before failing with SQLITE_BUSY (default 10s).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithNow sets the clock used for the one instant the store takes itself:
// when a migration was applied (default time.Now). Every other instant is a
// parameter of the method that stores it.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Defaults of the options.
const (
	defaultBusyTimeout = 10 * time.Second
	minReadConns       = 4
)

// ErrSchemaTooNew is returned by Open when the database was migrated by a newer
// version of Kabinet than this one. Nothing in the file is changed.
var ErrSchemaTooNew = errors.New("sqlite: database schema is newer than this build supports")

// Store is the SQLite storage of every Kabinet service. It is safe for
// concurrent use. Open it with Open and Close it when done.
type Store struct {
	writer *sql.DB    // one connection; every transaction is BEGIN IMMEDIATE
	wc     *committer // group commit on the writer (groupcommit.go)
	reader *sql.DB    // a pool of query_only connections
	dsn    string     // the DSN without _txlock or query_only, for Backup

	// Statements on the hot path of every authenticated request, prepared once
	// (per pooled connection, by database/sql): parsing SQL cost more than
	// running it.
	sessionByToken *sql.Stmt
	// The booking write path's statements (on the writer) and its hot read.
	bk bookingStmts
	// reads caches prepared read statements by their SQL text.
	reads stmtCache
}

// stmtCache keeps prepared statements of the read pool by SQL text, so the
// reads of every request are parsed once, not per call. Queries with a
// variable number of placeholders make a few texts each; past maxStmts the
// rest run unprepared.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 512

// readStmt returns the prepared statement for query on the read pool, or nil
// when the cache is full (the caller then runs the query directly).
func (s *Store) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c := &s.reads
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	if len(c.m) >= maxStmts {
		return nil, nil
	}
	st, err := s.reader.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st, nil
}

// Open opens (creating if needed) the database file at path, applies the
// embedded migrations that it lacks, and returns the store. It fails with
// ErrSchemaTooNew if the file comes from a newer version.
//
// path is a file name; URIs (file:…) and in-memory databases are not
// accepted, since the writer and the readers must share one file.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	return open(ctx, path, migrationsFS, opts...)
}

// open is Open with the migrations taken from fsys (tests pass broken ones).
func open(ctx context.Context, path string, fsys fs.FS, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.synchronous = cmp.Or(o.synchronous, SynchronousFull)
	o.busyTimeout = cmp.Or(o.busyTimeout, defaultBusyTimeout)
	o.readConns = cmp.Or(o.readConns, max(minReadConns, runtime.NumCPU()))
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.now == nil {
		o.now = time.Now
	}
	syncMode, err := o.synchronous.pragma()
	if err != nil {
		return nil, err
	}
	switch {
	case path == "" || path == ":memory:" || strings.HasPrefix(path, "file:"):
		return nil, fmt.Errorf("sqlite: %q is not a database file name", path)
	case strings.ContainsAny(path, "?#"):
		return nil, fmt.Errorf("sqlite: database file name %q contains ? or #", path)
	case o.busyTimeout < 0 || o.readConns < 1:
		return nil, errors.New("sqlite: busy timeout and read connections must be positive")
	}

	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+syncMode+")")
	base := path + "?" + q.Encode()

	// The file holds personal and health data: readable by its owner only.
	// SQLite gives the -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	} else {
		f.Close()
	}

	s := &Store{dsn: base}
	// The writer first: its first connection creates the file and turns on WAL.
	s.writer, err = sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	s.writer.SetConnMaxIdleTime(0)
	if err := s.writer.PingContext(ctx); err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, s.writer, fsys, migrateOptions{now: o.now, logger: o.logger}); err != nil {
		s.writer.Close()
		return nil, err
	}
	s.wc = newCommitter(s.writer)

	// Readers cannot write even by mistake: query_only is applied last, after
	// the other pragmas.
	s.reader, err = sql.Open("sqlite", base+"&_query_only=1")
	if err != nil {
		s.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.reader.SetMaxOpenConns(o.readConns)
	s.reader.SetMaxIdleConns(o.readConns)
	s.reader.SetConnMaxIdleTime(0)
	if err := s.reader.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if s.sessionByToken, err = s.reader.PrepareContext(ctx, sessionByTokenSQL); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: prepare: %w", err)
	}
	if err := s.bk.prepare(ctx, s.writer, s.reader); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every connection. Call it after the services using the store
// have stopped.
func (s *Store) Close() error {
	var errs []error
	s.reads.mu.Lock()
	for _, st := range s.reads.m {
		errs = append(errs, st.Close())
	}
	s.reads.m = nil
	s.reads.mu.Unlock()
	if s.sessionByToken != nil {
		errs = append(errs, s.sessionByToken.Close())
	}
	errs = append(errs, s.bk.close())
	if s.reader != nil {
		errs = append(errs, s.reader.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	return errors.Join(errs...)
}

// Ping reports whether both the writer and the read pool answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping reader: %w", err)
	}
	return nil
}

// Backup writes a consistent, compacted copy of the database to path with
// VACUUM INTO, while reads and writes go on. path must not exist yet. The copy
// is an ordinary database file (not in WAL mode) and is synced to disk before
// Backup returns; open it with Open to restore.
func (s *Store) Backup(ctx context.Context, path string) error {
	if path == "" {
		return errors.New("sqlite: backup: empty file name")
	}
	// Create it empty and private first (VACUUM INTO accepts an empty file):
	// a backup holds the same personal data as the database.
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sqlite: backup: %s already exists", path)
	} else if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	} else {
		f.Close()
	}
	// The read pool is query_only, which refuses VACUUM INTO, and the writer
	// must stay free: use a connection of its own, with the same pragmas.
	db, err := sql.Open("sqlite", s.dsn)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("sqlite: backup to %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sqlite: backup: sync %s: %w", path, err)
	}
	return f.Close()
}

// dbtx is what the unexported helpers need: a *sql.Tx (or a *sql.DB).
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// beginWrite starts a write transaction on the single writer connection. With
// _txlock=immediate it is BEGIN IMMEDIATE: the write lock is taken up front,
// so a check and the write that depends on it cannot be interleaved with
// another writer, and the transaction never fails with SQLITE_BUSY_SNAPSHOT.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin: %w", err)
	}
	return tx, nil
}

// write runs fn in a write transaction shared, under load, with other
// writes (see groupcommit.go). Use it for writes that many requests make at
// once; fn's results are valid only when write returns nil.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.wc.write(ctx, fn)
}

// beginRead starts a read transaction (one consistent snapshot) on the read
// pool.
func (s *Store) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: begin read: %w", err)
	}
	return tx, nil
}

// commit commits tx, wrapping its error.
func commit(tx *sql.Tx) error {
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// constraint reports whether err is the SQLite constraint violation code
// (an extended result code such as SQLITE_CONSTRAINT_UNIQUE).
func constraint(err error, code int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == code
}

// uniqueViolation reports whether err is a UNIQUE violation on table.column.
func uniqueViolation(err error, column string) bool {
	return constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) &&
		strings.Contains(err.Error(), "UNIQUE constraint failed: "+column)
}

// foreignKeyViolation reports whether err is a FOREIGN KEY violation.
func foreignKeyViolation(err error) bool {
	return constraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY)
}
