package sqlite

import (
	"context"
	"database/sql"
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
// new file.
//
//go:embed migrations/*.sql
var migrationsFS embed.FS

// migrationsDir is the directory of fsys that holds the migration files.
const migrationsDir = "migrations"

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
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		prefix, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("sqlite: migration %s: name must start with a positive version number", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(migrationsDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlite: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("sqlite: migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("sqlite: no migrations")
	}
	return ms, nil
}

// migrate brings the database on db up to the newest migration in fsys. Each
// migration runs in its own transaction together with its schema_migrations
// row, so a failure leaves the previous version intact. A database whose
// version is newer than the newest migration is refused with ErrSchemaTooNew
// before anything is written.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, o migrateOptions) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	newest := ms[len(ms)-1].version

	applied, err := appliedVersions(ctx, db)
	if err != nil {
		return err
	}
	if current := maxKey(applied); current > newest {
		return fmt.Errorf("%w: the database is at version %d, this build knows versions up to %d",
			ErrSchemaTooNew, current, newest)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := applyMigration(ctx, db, m, o); err != nil {
			return err
		}
	}
	return nil
}

// migrateOptions are what migrate takes from the store's options.
type migrateOptions struct {
	now    func() time.Time // for schema_migrations.applied_at
	logger *slog.Logger
}

// appliedVersions returns the versions recorded in schema_migrations; none for
// a new database. It only reads.
func appliedVersions(ctx context.Context, q dbtx) (map[int]bool, error) {
	var n int
	err := q.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	applied := map[int]bool{}
	if n == 0 {
		return applied, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sqlite: read schema version: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	return applied, nil
}

func maxKey(m map[int]bool) int {
	n := 0
	for k := range m {
		n = max(n, k)
	}
	return n
}

// applyMigration applies m unless it is already recorded. The check is
// repeated inside the write transaction, so two processes opening one file at
// once apply each migration once.
func applyMigration(ctx context.Context, db *sql.DB, m migration, o migrateOptions) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	var applied int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&applied); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if applied > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, encodeTime(o.now())); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migration %s: commit: %w", m.name, err)
	}
	o.logger.LogAttrs(ctx, slog.LevelInfo, "sqlite: migration applied",
		slog.Int("version", m.version), slog.String("file", m.name))
	return nil
}
