package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kabinet-dev/kabinet/cabinet"
)

var _ cabinet.Store = (*Store)(nil)

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	logger      *slog.Logger
	maxConns    int
	now         func() time.Time
	maxAttempts int
}

// WithLogger sets the logger, which records the migrations applied (default:
// discard). The store never logs codes, tokens, identifiers or row contents.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithMaxConns sets how many connections the store opens at most (default
// 16). Callers beyond it wait for a free connection.
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = n } }

// WithNow sets the clock used for the one instant the store takes itself:
// when a migration was applied (default time.Now). Every other instant is a
// parameter of the method that stores it.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMaxAttempts sets how many times a write transaction is run when
// PostgreSQL aborts it with a deadlock or a serialization failure (default
// 5), before the error is returned.
func WithMaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = n } }

// Defaults of the options.
const (
	defaultMaxConns    = 16
	defaultMaxAttempts = 5
)

// ErrSchemaTooNew is returned by Open when the database was migrated by a newer
// version of Kabinet than this one. Nothing in the database is changed.
var ErrSchemaTooNew = errors.New("postgres: database schema is newer than this build supports")

// Store is the PostgreSQL storage of every Kabinet service. It is safe for
// concurrent use, and any number of Stores — in one process or in several —
// may share one database. Open it with Open and Close it when done.
type Store struct {
	db          *sql.DB
	maxAttempts int
}

// Open connects to the database named by dsn (a URL such as
// postgres://user:pass@host:5432/kabinet?sslmode=verify-full, or libpq's
// key=value form), applies the embedded migrations that it lacks under an
// advisory lock, and returns the store. It fails with ErrSchemaTooNew if the
// database comes from a newer version.
//
// The database user needs to create tables in the schema first on its
// search_path, and the btree_gist extension (a trusted extension: a database
// owner may create it) unless it is there already.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	return open(ctx, dsn, migrationsFS, opts...)
}

// open is Open with the migrations taken from fsys (tests pass others).
func open(ctx context.Context, dsn string, fsys fs.FS, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.maxConns = cmp.Or(o.maxConns, defaultMaxConns)
	o.maxAttempts = cmp.Or(o.maxAttempts, defaultMaxAttempts)
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.maxConns < 1 || o.maxAttempts < 1 {
		return nil, errors.New("postgres: connections and attempts must be positive")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// The error of ParseConfig may quote the DSN, password included.
		return nil, errors.New("postgres: the DSN cannot be parsed")
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "kabinet"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(o.maxConns)
	db.SetMaxIdleConns(o.maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, db, fsys, migrateOptions{now: o.now, logger: o.logger}); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, maxAttempts: o.maxAttempts}, nil
}

// Close closes every connection. Call it after the services using the store
// have stopped.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// dbtx is what the unexported helpers need: a *sql.Tx, *sql.DB or *sql.Conn.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// write runs fn in a READ COMMITTED transaction and commits it. When
// PostgreSQL aborts the transaction with a deadlock or a serialization
// failure, the whole of fn runs again in a new transaction (at most
// maxAttempts times in all), so fn must set its results from scratch each
// time; they are valid only when write returns nil.
//
// Every check that a write depends on is made atomic with it in one of
// three ways: the write's own statement (UPDATE … WHERE the condition, whose
// row lock re-checks it against the newest version), a row lock taken first
// (SELECT … FOR UPDATE), or an advisory transaction lock on what the check
// is about (lockKeys) — and the constraints of the schema are the last word.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = s.writeOnce(ctx, fn)
		if err == nil || attempt >= s.maxAttempts || !retryable(err) {
			return err
		}
		// A short, random pause, so that the transactions that collided do
		// not collide again.
		pause := time.Duration(rand.Int64N(int64(attempt) * int64(5*time.Millisecond)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// execWrite runs one statement in its own transaction and returns the rows
// it affected; what names the operation in errors.
func (s *Store) execWrite(ctx context.Context, what, query string, args ...any) (int, error) {
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		n, err = execCount(ctx, tx, query, args...)
		if err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		return nil
	})
	return n, err
}

// read runs fn in a read-only REPEATABLE READ transaction: every statement
// of fn sees one snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("postgres: begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// retryable reports whether err is PostgreSQL aborting a transaction that
// would succeed when run again: a deadlock or a serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == codeDeadlock || pe.Code == codeSerialization)
}

// SQLSTATE codes the store maps to domain errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	codeNotNullViolation    = "23502"
	codeExclusionViolation  = "23P01"
	codeDeadlock            = "40P01"
	codeSerialization       = "40001"
)

// pgError returns the PostgreSQL error in err's chain, or nil.
func pgError(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// violation reports whether err is a violation with SQLSTATE code, of the
// constraint named constraint when that is not empty.
func violation(err error, code, constraint string) bool {
	pe := pgError(err)
	return pe != nil && pe.Code == code && (constraint == "" || pe.ConstraintName == constraint)
}

// uniqueViolation reports whether err is a violation of the unique
// constraint (or unique index) named constraint.
func uniqueViolation(err error, constraint string) bool {
	return violation(err, codeUniqueViolation, constraint)
}

// foreignKeyViolation reports whether err is a FOREIGN KEY violation.
func foreignKeyViolation(err error) bool { return violation(err, codeForeignKeyViolation, "") }

// invalidValue reports whether err is PostgreSQL refusing a value: a CHECK,
// a NOT NULL, or a value out of its type's range (class 22, data exception:
// a year 0 timestamp, an integer out of range, an invalid date).
func invalidValue(err error) bool {
	pe := pgError(err)
	return pe != nil && (pe.Code == codeCheckViolation || pe.Code == codeNotNullViolation ||
		len(pe.Code) == 5 && pe.Code[:2] == "22")
}

// execCount runs a statement and returns the number of rows it changed.
func execCount(ctx context.Context, q dbtx, query string, args ...any) (int, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// lockKey is the advisory lock key of what parts name, e.g.
// lockKey("specialist", id). Keys are 64-bit hashes: two names sharing one
// only make their writers wait for each other.
func lockKey(parts ...string) int64 {
	h := fnv.New64a()
	h.Write([]byte("kabinet"))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return int64(h.Sum64())
}

// eventLogLock is the key every writer of the event log holds from its
// append to its commit (appendEvent).
var eventLogLock = lockKey("events")

// lockKeys takes the advisory transaction locks keys, in ascending order so
// that two transactions taking overlapping sets cannot deadlock; they are
// released when tx ends. A transaction takes all its keyed locks in one
// call, before the rows it reads and writes under them, and the event log's
// lock last of all.
func lockKeys(ctx context.Context, tx *sql.Tx, keys ...int64) error {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, k); err != nil {
			return fmt.Errorf("postgres: lock: %w", err)
		}
	}
	return nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryAll scans every row of query into a T through dest.
func queryAll[T any](ctx context.Context, q dbtx, what string, dest func(*T) []any, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		var v T
		if err := rows.Scan(dest(&v)...); err != nil {
			return nil, fmt.Errorf("postgres: %s: %w", what, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return list, nil
}

// queryRead runs query (one statement: one snapshot) and scans every row.
func queryRead[T any](ctx context.Context, s *Store, what string, dest func(*T) []any, query string, args ...any) ([]T, error) {
	return queryAll(ctx, s.db, what, dest, query, args...)
}

// queryOne scans the one row of query; notFound when there is none.
func queryOne[T any](ctx context.Context, q dbtx, what string, notFound error, dest func(*T) []any, query string, args ...any) (T, error) {
	var v T
	err := q.QueryRowContext(ctx, query, args...).Scan(dest(&v)...)
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, notFound
	} else if err != nil {
		var zero T
		return zero, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return v, nil
}

// queryStrings returns the first column of every row.
func queryStrings(ctx context.Context, q dbtx, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
