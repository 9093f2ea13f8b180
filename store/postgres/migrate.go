package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationsFS holds the schema, one file per version: migrations/0001_auth.sql,
// migrations/0002_….sql. A file is never edited once released; a change is a
// new file. The versions follow store/sqlite's, one file per version in each
// dialect.
//
//go:embed migrations/*.sql
var migrationsFS embed.FS

// migrationsDir is the directory of fsys that holds the migration files.
const migrationsDir = "migrations"

// migrationLock is the key of the session advisory lock under which
// migrations are applied: of several instances starting at once, one
// migrates and the others wait, then find the work done.
var migrationLock = lockKey("migrations")

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string // file name, for messages
	sql     string
}

// loadMigrations reads migrationsDir of fsys: every NNNN_name.sql file, sorted
// by version. Versions start at 1 and are unique; gaps are allowed.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, migrationsDir)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		prefix, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("postgres: migration %s: name must start with a positive version number", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(migrationsDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("postgres: migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("postgres: no migrations")
	}
	return ms, nil
}

// migrateOptions are what migrate takes from the store's options.
type migrateOptions struct {
	now    func() time.Time // for schema_migrations.applied_at
	logger *slog.Logger
}

// migrate brings the database up to the newest migration in fsys. Each
// migration runs in its own transaction together with its schema_migrations
// row, so a failure leaves the previous version whole (PostgreSQL's DDL is
// transactional). A database whose version is newer than the newest
// migration is refused with ErrSchemaTooNew before anything is written.
//
// The work is done holding a session advisory lock (pg_advisory_lock) on one
// connection: instances starting together apply each migration once, the
// others waiting for the lock and then finding nothing left to do. A
// database already up to date is only read, without the lock.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, o migrateOptions) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	pending, err := pendingMigrations(ctx, db, ms)
	if err != nil || len(pending) == 0 {
		return err
	}

	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer unlockSession(ctx, conn, migrationLock)

	// Another instance may have migrated while this one waited.
	if pending, err = pendingMigrations(ctx, conn, ms); err != nil {
		return err
	}
	for _, m := range pending {
		if err := applyMigration(ctx, conn, m, o); err != nil {
			return err
		}
	}
	return nil
}

// unlockSession releases the session advisory lock key on conn, even when
// ctx is done; if that fails, the connection is discarded rather than
// returned to the pool holding the lock.
func unlockSession(ctx context.Context, conn *sql.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var released bool
	err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&released)
	if err != nil || !released {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// pendingMigrations returns the migrations of ms not applied yet, or
// ErrSchemaTooNew when the database has a version newer than any of ms. It
// only reads.
func pendingMigrations(ctx context.Context, q dbtx, ms []migration) ([]migration, error) {
	applied, err := appliedVersions(ctx, q)
	if err != nil {
		return nil, err
	}
	newest := ms[len(ms)-1].version
	current := 0
	for v := range applied {
		current = max(current, v)
	}
	if current > newest {
		return nil, fmt.Errorf("%w: the database is at version %d, this build knows versions up to %d",
			ErrSchemaTooNew, current, newest)
	}
	var pending []migration
	for _, m := range ms {
		if !applied[m.version] {
			pending = append(pending, m)
		}
	}
	return pending, nil
}

// appliedVersions returns the versions recorded in schema_migrations; none for
// a new database. It only reads.
func appliedVersions(ctx context.Context, q dbtx) (map[int]bool, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("postgres: read schema version: %w", err)
	}
	applied := map[int]bool{}
	if !exists {
		return applied, nil
	}
	versions, err := queryAll(ctx, q, "read schema version", func(v *int) []any { return []any{v} },
		`SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		applied[v] = true
	}
	return applied, nil
}

// applyMigration applies m and records it, in one transaction on conn (which
// holds the migration lock).
func applyMigration(ctx context.Context, conn *sql.Conn, m migration, o migrateOptions) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL
	)`); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.version, o.now().UTC()); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("postgres: migration %s: commit: %w", m.name, err)
	}
	o.logger.LogAttrs(ctx, slog.LevelInfo, "postgres: migration applied",
		slog.Int("version", m.version), slog.String("file", m.name))
	return nil
}
