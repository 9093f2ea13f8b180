package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver of the raw loop and the checks (the store links it anyway)

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/store/postgres"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// envPostgres names the PostgreSQL server that -db both uses (the variable
// scripts/pg-test.sh sets).
const envPostgres = "KABINET_TEST_POSTGRES"

// isPostgres reports whether a -db value is a PostgreSQL URL.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// redactDSN hides the password of a PostgreSQL URL.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// database is one backend under test: the store the cabinet runs on, and
// what the raw loop and the checks need to reach the same database
// directly.
type database struct {
	info  backendInfo
	store cabinet.Store
	// openRaw opens the raw loop's handle on the same database.
	openRaw func(ctx context.Context) (*rawDB, error)
	// close closes the store and removes the database.
	close func()
}

// backendInfo describes a backend in the report.
type backendInfo struct {
	Backend string `json:"backend"` // "sqlite" or "postgres"
	// Synchronous is SQLite's synchronous level.
	Synchronous string `json:"sqlite_synchronous,omitempty"`
	// PostgreSQL: the server and the session's durability settings, as the
	// store's connections see them, the store's pool and the fresh
	// database's name (dropped after the run).
	Server            string `json:"server_version,omitempty"`
	Fsync             string `json:"fsync,omitempty"`
	SynchronousCommit string `json:"synchronous_commit,omitempty"`
	FullPageWrites    string `json:"full_page_writes,omitempty"`
	MaxConns          int    `json:"max_conns,omitempty"`
	Database          string `json:"database,omitempty"`
}

// label is the backend's name with what sets its commit cost.
func (b backendInfo) label() string {
	if b.Backend == "postgres" {
		return fmt.Sprintf("PostgreSQL %s fsync=%s synchronous_commit=%s", b.Server, b.Fsync, b.SynchronousCommit)
	}
	return "SQLite synchronous=" + b.Synchronous
}

// describe is the report's line about the backend.
func (b backendInfo) describe() string {
	if b.Backend == "postgres" {
		return fmt.Sprintf("PostgreSQL %s (fsync=%s, synchronous_commit=%s, full_page_writes=%s), store pool of %d connections, database %s (dropped after the run)",
			b.Server, b.Fsync, b.SynchronousCommit, b.FullPageWrites, b.MaxConns, b.Database)
	}
	return "SQLite synchronous=" + b.Synchronous
}

// openDatabase opens the backend a -db value names: "sqlite" is a file in
// dir at the -synchronous level, a postgres:// URL a server on which a
// fresh database is created.
func openDatabase(ctx context.Context, o options, db, dir string) (*database, error) {
	if isPostgres(db) {
		return openPostgres(ctx, db, o.pgConns)
	}
	return openSQLite(ctx, filepath.Join(dir, "load.db"), o.synchronous)
}

// openSQLite opens (creating) the SQLite file at path.
func openSQLite(ctx context.Context, path, synchronous string) (*database, error) {
	level := sqlite.SynchronousFull
	if synchronous == "normal" {
		level = sqlite.SynchronousNormal
	}
	st, err := sqlite.Open(ctx, path, sqlite.WithSynchronous(level))
	if err != nil {
		return nil, err
	}
	return &database{
		info:  backendInfo{Backend: "sqlite", Synchronous: synchronous},
		store: st,
		openRaw: func(ctx context.Context) (*rawDB, error) {
			return openSQLiteRaw(ctx, path, synchronous)
		},
		close: func() { _ = st.Close() },
	}, nil
}

// openPostgres creates a database of its own on the server adminDSN names
// (its role must be allowed to create databases), opens the store on it
// with a pool of conns connections (0: the store's default), and drops it
// on close. Parameters of the URL's query that pgx does not know are the
// sessions' settings (e.g. synchronous_commit=off), for the store and the
// raw loop alike.
func openPostgres(ctx context.Context, adminDSN string, conns int) (*database, error) {
	u, err := url.Parse(adminDSN)
	if err != nil {
		return nil, errors.New("postgres: the URL cannot be parsed")
	}
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", redactDSN(adminDSN), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("kabinet_loadtest_%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("postgres %s: create database: %w", redactDSN(adminDSN), err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	}
	u.Path = "/" + name
	dsn := u.String()
	var opts []postgres.Option
	if conns > 0 {
		opts = append(opts, postgres.WithMaxConns(conns))
	}
	st, err := postgres.Open(ctx, dsn, opts...)
	if err != nil {
		drop()
		return nil, err
	}
	info := backendInfo{Backend: "postgres", MaxConns: cmp.Or(conns, defaultPGConns), Database: name}
	if err := admin.QueryRowContext(ctx, pgSettingsSQL).Scan(&info.Server, &info.Fsync, &info.FullPageWrites); err != nil {
		st.Close()
		drop()
		return nil, fmt.Errorf("postgres: settings: %w", err)
	}
	info.Server, _, _ = strings.Cut(info.Server, " ") // "15.18 (Debian 15.18-0+deb12u1)"

	d := &database{info: info, store: st, close: func() { _ = st.Close(); drop() }}
	d.openRaw = func(ctx context.Context) (*rawDB, error) { return openPostgresRaw(ctx, dsn, d.info.MaxConns) }
	// synchronous_commit may be the session's (the URL's): read it as the
	// raw loop's connections, which use the same URL, see it.
	raw, err := d.openRaw(ctx)
	if err == nil {
		err = raw.db.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&d.info.SynchronousCommit)
		raw.close()
	}
	if err != nil {
		d.close()
		return nil, fmt.Errorf("postgres: settings: %w", err)
	}
	return d, nil
}

// defaultPGConns is store/postgres's default pool (WithMaxConns).
const defaultPGConns = 16

const pgSettingsSQL = `SELECT current_setting('server_version'), current_setting('fsync'),
	current_setting('full_page_writes')`

// ---- the raw loop ---------------------------------------------------------------

// rawDB is the raw loop's own handle on the database under test, and the
// checks' after the run.
type rawDB struct {
	db      *sql.DB
	backend string // "sqlite" or "postgres"
	conns   int    // connections of the pool
	// SQLite's prepared statements: the bounded overlap SELECT and the
	// INSERT.
	overlap, insert *sql.Stmt
}

var errRawTaken = errors.New("raw: the slot is taken")

func (r *rawDB) close() {
	for _, st := range []*sql.Stmt{r.overlap, r.insert} {
		if st != nil {
			st.Close()
		}
	}
	r.db.Close()
}

// book is one raw booking of specialist for the hour from start, by a
// client of its own, as the backend's store checks it.
func (r *rawDB) book(ctx context.Context, id, specialist string, start time.Time) error {
	if r.backend == "postgres" {
		return r.bookPostgres(ctx, id, specialist, start)
	}
	return r.bookSQLite(ctx, id, specialist, start)
}

// The PostgreSQL raw loop's INSERT: the store's appointment row, checked by
// the exclusion constraints of the specialist and the client, as the
// store's own INSERT is. Arguments: id, client, branch, service,
// specialist, start, end, created_by, now.
const pgRawInsertSQL = `INSERT INTO appointments (id, client_id, branch_id, service_id, specialist_id,
		resource_ids, start_at, end_at, block_start, block_end, status, price_amount, price_currency,
		notes, client_note, cancelled_by, cancel_reason, plan_id, created_by, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, '[]', $6, $7, $6, $7, 'confirmed', 350000, 'RUB', '', '', '', '', NULL, $8, $9, $9)`

// openPostgresRaw opens a pool of conns connections on dsn: the raw loop
// from several goroutines uses as many connections as the store may.
func openPostgresRaw(ctx context.Context, dsn string, conns int) (*rawDB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("raw: %w", err)
	}
	return &rawDB{db: db, backend: "postgres", conns: conns}, nil
}

// bookPostgres is BEGIN, the INSERT (the exclusion constraints are the
// overlap check: a violation is a taken slot), COMMIT. pgx prepares the
// statement once per connection and reuses it.
func (r *rawDB) bookPostgres(ctx context.Context, id, specialist string, start time.Time) error {
	end := start.Add(time.Hour)
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	if _, err := tx.ExecContext(ctx, pgRawInsertSQL, id, "raw-client-"+id, branchID, serviceID, specialist,
		start.UTC(), end.UTC(), rawCreatedBy, now); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23P01" {
			return errRawTaken
		}
		return err
	}
	return tx.Commit()
}

// ---- the checks -----------------------------------------------------------------

// overlaps counts the active rows whose blocked time (specialists,
// resources) or service time (clients) overlaps an earlier active row of the
// same specialist, resource or client: a window function runs the maximum
// end so far along each one's rows in start order. The same queries on both
// backends (PostgreSQL's resource rows have a boolean active), independent of
// the checks the stores make.
type overlaps struct {
	Specialists int `json:"specialists"`
	Resources   int `json:"resources"`
	Clients     int `json:"clients"`
	Total       int `json:"total"`
}

const (
	specialistOverlapsSQL = `SELECT count(*) FROM (
		SELECT block_start, max(block_end) OVER (PARTITION BY specialist_id ORDER BY block_start, id
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
		FROM appointments WHERE status IN ('pending', 'confirmed')) AS w
		WHERE prev_end > block_start`
	resourceOverlapsSQL = `SELECT count(*) FROM (
		SELECT block_start, max(block_end) OVER (PARTITION BY resource_id ORDER BY block_start, appointment_id
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
		FROM appointment_resources WHERE %s) AS w
		WHERE prev_end > block_start`
	clientOverlapsSQL = `SELECT count(*) FROM (
		SELECT start_at, max(end_at) OVER (PARTITION BY client_id ORDER BY start_at, id
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
		FROM appointments WHERE status IN ('pending', 'confirmed')) AS w
		WHERE prev_end > start_at`
	bookedRowsSQL = `SELECT count(*) FROM appointments WHERE status IN ('pending', 'confirmed') AND created_by <> %s`
)

// overlaps counts the overlapping active rows in the database.
func (r *rawDB) overlaps(ctx context.Context) (overlaps, error) {
	active := "active = 1"
	if r.backend == "postgres" {
		active = "active"
	}
	var o overlaps
	for _, q := range []struct {
		n   *int
		sql string
	}{
		{&o.Specialists, specialistOverlapsSQL},
		{&o.Resources, fmt.Sprintf(resourceOverlapsSQL, active)},
		{&o.Clients, clientOverlapsSQL},
	} {
		if err := r.db.QueryRowContext(ctx, q.sql).Scan(q.n); err != nil {
			return overlaps{}, fmt.Errorf("overlap check: %w", err)
		}
	}
	o.Total = o.Specialists + o.Resources + o.Clients
	return o, nil
}

// bookedRows counts the active appointments the raw loop did not make.
func (r *rawDB) bookedRows(ctx context.Context) (int, error) {
	param := "?"
	if r.backend == "postgres" {
		param = "$1"
	}
	var n int
	if err := r.db.QueryRowContext(ctx, fmt.Sprintf(bookedRowsSQL, param), rawCreatedBy).Scan(&n); err != nil {
		return 0, fmt.Errorf("count bookings: %w", err)
	}
	return n, nil
}
