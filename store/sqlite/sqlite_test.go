package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/store/storetest"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// openTest opens a store on path and closes it at the end of the test.
func openTest(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	st, err := Open(t.Context(), path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.Close()) })
	return st
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) cabinet.Store {
		return openTest(t, filepath.Join(t.TempDir(), "kabinet.db"))
	})
}

func TestPragmasOnEveryConnection(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		wantSync int   // PRAGMA synchronous: 2 FULL, 1 NORMAL
		wantBusy int64 // PRAGMA busy_timeout, ms
	}{
		{name: "default", wantSync: 2, wantBusy: 10000},
		{name: "normal", opts: []Option{WithSynchronous(SynchronousNormal)}, wantSync: 1, wantBusy: 10000},
		{name: "full", opts: []Option{WithSynchronous(SynchronousFull), WithBusyTimeout(3 * time.Second)},
			wantSync: 2, wantBusy: 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const readers = 4
			st := openTest(t, filepath.Join(t.TempDir(), "kabinet.db"), append(tt.opts, WithReadConns(readers))...)
			ctx := t.Context()

			// Hold every reader at once, so that each is a distinct pooled
			// connection, and the writer.
			type pooled struct {
				name      string
				conn      *sql.Conn
				queryOnly int
			}
			var conns []pooled
			for i := range readers {
				c, err := st.reader.Conn(ctx)
				require.NoError(t, err)
				defer c.Close()
				conns = append(conns, pooled{fmt.Sprint("reader ", i), c, 1})
			}
			w, err := st.writer.Conn(ctx)
			require.NoError(t, err)
			defer w.Close()
			conns = append(conns, pooled{"writer", w, 0})

			for _, c := range conns {
				var (
					fk, sync, queryOnly int
					busy                int64
					journal             string
				)
				require.NoError(t, c.conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk))
				require.NoError(t, c.conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journal))
				require.NoError(t, c.conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync))
				require.NoError(t, c.conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy))
				require.NoError(t, c.conn.QueryRowContext(ctx, `PRAGMA query_only`).Scan(&queryOnly))
				assert.Equal(t, 1, fk, "%s foreign_keys", c.name)
				assert.Equal(t, "wal", journal, "%s journal_mode", c.name)
				assert.Equal(t, tt.wantSync, sync, "%s synchronous", c.name)
				assert.Equal(t, tt.wantBusy, busy, "%s busy_timeout", c.name)
				assert.Equal(t, c.queryOnly, queryOnly, "%s query_only", c.name)
			}
		})
	}
}

func TestReaderCannotWrite(t *testing.T) {
	st := openTest(t, filepath.Join(t.TempDir(), "kabinet.db"))
	_, err := st.reader.ExecContext(t.Context(), `INSERT INTO rate_events (key, at) VALUES ('k', 'x')`)
	require.Error(t, err)
}

func TestWriterBeginsImmediate(t *testing.T) {
	// While the store's writer holds an open write transaction, a second
	// connection cannot begin one: the lock was taken at BEGIN, not at the
	// first write.
	path := filepath.Join(t.TempDir(), "kabinet.db")
	st := openTest(t, path)
	tx, err := st.beginWrite(t.Context())
	require.NoError(t, err)
	defer tx.Rollback()

	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)&_txlock=immediate")
	require.NoError(t, err)
	defer other.Close()
	_, err = other.BeginTx(t.Context(), nil)
	require.Error(t, err, "the write lock is held")
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kabinet.db")
	ctx := t.Context()
	limit := auth.RateLimit{Name: "resend", Key: "resend:+79123456789", Window: time.Hour, Max: 2}

	st, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, st.CreateUser(ctx, auth.User{ID: "u1", Phone: "+79123456789", CreatedAt: t0}))
	require.NoError(t, st.TakeRate(ctx, t0, limit))
	require.NoError(t, st.TakeRate(ctx, t0, limit))
	require.NoError(t, st.Close())

	for range 2 {
		st := openTest(t, path)
		_, err := st.UserByID(ctx, "u1")
		require.NoError(t, err)
		require.ErrorIs(t, st.CheckRate(ctx, t0.Add(time.Minute), limit), auth.ErrRateLimited,
			"rate-limit counts survive a restart")

		var rows, max int
		require.NoError(t, st.reader.QueryRowContext(ctx,
			`SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &max))
		ms, err := loadMigrations(migrationsFS)
		require.NoError(t, err)
		assert.Equal(t, len(ms), rows, "each migration recorded once")
		assert.Equal(t, ms[len(ms)-1].version, max)
		require.NoError(t, st.Close())
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kabinet.db")
	ctx := t.Context()
	st, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, st.CreateUser(ctx, auth.User{ID: "u1", CreatedAt: t0}))
	_, err = st.writer.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'later')`)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	before := fileSum(t, path)

	_, err = Open(ctx, path)
	require.ErrorIs(t, err, ErrSchemaTooNew)
	assert.Contains(t, err.Error(), "version 9999")
	ms, err2 := loadMigrations(migrationsFS)
	require.NoError(t, err2)
	assert.Contains(t, err.Error(), fmt.Sprintf("up to %d", ms[len(ms)-1].version))

	assert.Equal(t, before, fileSum(t, path), "the file is unchanged")
	_, err = os.Stat(path + "-wal")
	assert.ErrorIs(t, err, os.ErrNotExist, "no WAL left behind")
}

func TestFailedMigrationKeepsOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kabinet.db")
	ctx := t.Context()
	st, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, st.CreateUser(ctx, auth.User{ID: "u1", CreatedAt: t0}))
	require.NoError(t, st.Close())

	// Every released migration, then one that succeeds in part and fails.
	ms, err := loadMigrations(migrationsFS)
	require.NoError(t, err)
	broken := fstest.MapFS{}
	for _, m := range ms {
		broken["migrations/"+m.name] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	newest := ms[len(ms)-1].version
	brokenName := fmt.Sprintf("%04d_broken.sql", newest+1)
	broken["migrations/"+brokenName] = &fstest.MapFile{Data: []byte(`
			CREATE TABLE extra (id INTEGER PRIMARY KEY);
			ALTER TABLE users ADD COLUMN nickname TEXT;
			INSERT INTO extra (id) VALUES (1);
			INSERT INTO no_such_table VALUES (1);`)}
	_, err = open(ctx, path, broken)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrSchemaTooNew)
	assert.Contains(t, err.Error(), brokenName)

	// The database is exactly at the newest released version: nothing of the
	// broken one remains.
	st = openTest(t, path)
	var version, extra, nickname int
	require.NoError(t, st.reader.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version))
	require.NoError(t, st.reader.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_schema WHERE name = 'extra'`).Scan(&extra))
	require.NoError(t, st.reader.QueryRowContext(ctx,
		`SELECT count(*) FROM pragma_table_info('users') WHERE name = 'nickname'`).Scan(&nickname))
	assert.Equal(t, newest, version)
	assert.Zero(t, extra, "table of the failed migration")
	assert.Zero(t, nickname, "column of the failed migration")
	_, err = st.UserByID(ctx, "u1")
	require.NoError(t, err, "data kept")
}

func TestLoadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte(`SELECT 1;`)}
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []int
		wantErr bool
	}{
		{name: "sorted by number", want: []int{1, 2, 10}, fsys: fstest.MapFS{
			"migrations/0010_c.sql": sql, "migrations/0002_b.sql": sql, "migrations/0001_a.sql": sql,
			"migrations/README": sql,
		}},
		{name: "duplicate", wantErr: true, fsys: fstest.MapFS{
			"migrations/0001_a.sql": sql, "migrations/01_b.sql": sql,
		}},
		{name: "no number", wantErr: true, fsys: fstest.MapFS{"migrations/auth.sql": sql}},
		{name: "zero", wantErr: true, fsys: fstest.MapFS{"migrations/0000_a.sql": sql}},
		{name: "empty", wantErr: true, fsys: fstest.MapFS{"migrations/README": sql}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.fsys)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	st := openTest(t, filepath.Join(dir, "kabinet.db"))
	require.NoError(t, st.CreateUser(ctx, auth.User{ID: "u1", Email: "anna@example.com", CreatedAt: t0}))
	// A commit still in the WAL must be in the copy.
	require.NoError(t, st.AppendAudit(ctx, auth.AuditEntry{ID: "e1", At: t0, Action: auth.ActionSignIn}))

	backup := filepath.Join(dir, "backup.db")
	require.NoError(t, st.Backup(ctx, backup))
	require.Error(t, st.Backup(ctx, backup), "an existing file is not overwritten")
	fi, err := os.Stat(backup)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "a backup is as private as the database")

	// The store still works, and the copy opens as a store with the data.
	require.NoError(t, st.AppendAudit(ctx, auth.AuditEntry{ID: "e2", At: t0, Action: auth.ActionLogout}))
	restored := openTest(t, backup)
	u, err := restored.UserByIdentifier(ctx, auth.Identifier{Channel: auth.ChannelEmail, Value: "anna@example.com"})
	require.NoError(t, err)
	assert.Equal(t, "u1", u.ID)
	entries, err := restored.ListAudit(ctx, auth.AuditFilter{})
	require.NoError(t, err)
	require.Len(t, entries, 1, "the copy is a snapshot")
	assert.Equal(t, "e1", entries[0].ID)
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts []Option
	}{
		{name: "empty", path: ""},
		{name: "memory", path: ":memory:"},
		{name: "uri", path: "file:" + filepath.Join(dir, "a.db")},
		{name: "query", path: filepath.Join(dir, "a.db?mode=ro")},
		{name: "synchronous", path: filepath.Join(dir, "a.db"), opts: []Option{WithSynchronous(7)}},
		{name: "read conns", path: filepath.Join(dir, "a.db"), opts: []Option{WithReadConns(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(t.Context(), tt.path, tt.opts...)
			require.Error(t, err)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no file created")
}

func TestChallengeForUnknownUser(t *testing.T) {
	st := openTest(t, filepath.Join(t.TempDir(), "kabinet.db"))
	err := st.CreateChallenge(t.Context(), auth.Challenge{
		ID: "c1", Purpose: auth.PurposeAddIdentifier, UserID: "nobody", CodeHash: []byte("h"),
		Identifier: auth.Identifier{Channel: auth.ChannelEmail, Value: "anna@example.com"},
		CreatedAt:  t0, ExpiresAt: t0.Add(5 * time.Minute), MaxAttempts: 5,
	})
	require.ErrorIs(t, err, auth.ErrNotFound)
}

func TestTimeEncodingSorts(t *testing.T) {
	times := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 10, 0, 0, 1, time.UTC),
		time.Date(2026, 11, 25, 13, 0, 0, 100, time.FixedZone("MSK", 3*3600)), // 10:00:00.0000001 UTC
		time.Date(2026, 11, 25, 10, 0, 1, 0, time.UTC),
	}
	for i, tm := range times {
		enc := encodeTime(tm)
		assert.Len(t, enc, len(timeLayout), enc)
		dec, err := decodeTime(enc)
		require.NoError(t, err)
		assert.True(t, tm.Equal(dec), "round trip of %v", tm)
		assert.Equal(t, time.UTC, dec.Location())
		if i > 0 {
			assert.Less(t, encodeTime(times[i-1]), enc)
		}
	}
}

func TestCanceledContext(t *testing.T) {
	st := openTest(t, filepath.Join(t.TempDir(), "kabinet.db"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := st.CreateUser(ctx, auth.User{ID: "u1", CreatedAt: t0})
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	// The writer is usable afterwards.
	require.NoError(t, st.CreateUser(t.Context(), auth.User{ID: "u1", CreatedAt: t0}))
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return sha256.Sum256(b)
}

// TestFileIsPrivate: the database holds personal data, so a new file and its
// WAL are readable by the owner only, whatever the umask.
func TestFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "private.db")
	st, err := Open(t.Context(), path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.CreateUser(t.Context(), auth.User{ID: "u1", Roles: []auth.Role{auth.RoleClient}, CreatedAt: t0}))
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
	}
}
