package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/store/storetest"
)

// The tests run against the server named by KABINET_TEST_POSTGRES, a DSN
// of a role that may create databases (scripts/pg-test.sh starts a
// throw-away cluster and sets it). Without it they skip — except in CI,
// where they fail. Every test gets a database of its own: a copy of a
// template migrated once per process (CREATE DATABASE … TEMPLATE), or an
// empty one for the migration tests; each is dropped when its test ends.

// envDSN is the variable naming the test server.
const envDSN = "KABINET_TEST_POSTGRES"

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// server is the test server's administration connection and the migrated
// template, made once per process.
var server struct {
	once     sync.Once
	err      error
	dsn      string
	admin    *sql.DB
	prefix   string // of this process's databases
	template string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if server.admin != nil {
		if server.template != "" {
			_, _ = server.admin.Exec(`DROP DATABASE IF EXISTS ` + quoteIdent(server.template) + ` WITH (FORCE)`)
		}
		server.admin.Close()
	}
	os.Exit(code)
}

// testServer returns the administration connection, skipping the test when
// no server is configured.
func testServer(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: in CI the PostgreSQL tests must run (scripts/pg-test.sh starts a server)", envDSN)
		}
		t.Skipf("%s is not set: run scripts/pg-test.sh go test ./store/postgres/ to test on a throw-away PostgreSQL", envDSN)
	}
	server.once.Do(func() {
		server.dsn = dsn
		var b [4]byte
		_, _ = rand.Read(b[:])
		server.prefix = fmt.Sprintf("kabinet_test_%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			server.err = err
			return
		}
		if err := db.Ping(); err != nil {
			db.Close()
			server.err = err
			return
		}
		server.admin = db
		name := server.prefix + "_template"
		if _, err := db.Exec(`CREATE DATABASE ` + quoteIdent(name)); err != nil {
			server.err = err
			return
		}
		server.template = name
		st, err := Open(context.Background(), databaseDSN(dsn, name))
		if err != nil {
			server.err = err
			return
		}
		server.err = st.Close()
	})
	require.NoError(t, server.err, "the test server")
	return server.admin
}

// newDatabase creates a database for t — a copy of the migrated template,
// or empty — and returns its DSN; it is dropped when t ends.
func newDatabase(t *testing.T, migrated bool) string {
	t.Helper()
	admin := testServer(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := server.prefix + "_" + hex.EncodeToString(b[:])
	stmt := `CREATE DATABASE ` + quoteIdent(name)
	if migrated {
		stmt += ` TEMPLATE ` + quoteIdent(server.template)
	}
	_, err := admin.Exec(stmt)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec(`DROP DATABASE IF EXISTS ` + quoteIdent(name) + ` WITH (FORCE)`)
		assert.NoError(t, err)
	})
	return databaseDSN(server.dsn, name)
}

// openTest opens a store on a new migrated database, closed when t ends
// (before the database is dropped).
func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	dsn := newDatabase(t, true)
	st, err := Open(t.Context(), dsn, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.Close()) })
	return st
}

// databaseDSN is dsn with its database replaced by name, in either form a
// DSN takes: a URL, or libpq's key=value words (a later key wins).
func databaseDSN(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + name
			return u.String()
		}
	}
	return dsn + " dbname=" + name
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func TestConformance(t *testing.T) {
	testServer(t)
	storetest.Run(t, func(t *testing.T) cabinet.Store { return openTest(t) })
}

func TestDatabaseDSN(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://u@127.0.0.1:5432/postgres?sslmode=disable", "postgres://u@127.0.0.1:5432/x?sslmode=disable"},
		{"postgresql://u:p@h/db", "postgresql://u:p@h/x"},
		{"host=h user=u dbname=postgres", "host=h user=u dbname=postgres dbname=x"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, databaseDSN(tt.dsn, "x"))
	}
}

func TestOpenRefusesBadDSN(t *testing.T) {
	_, err := Open(t.Context(), "postgres://u:secret@host:notaport/db")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret", "the password is not repeated in the error")
}

func TestWhereNumbersParameters(t *testing.T) {
	var w where
	w.add("a = ?", 1)
	w.add("b")
	w.add("(c, d) < (?, ?)", "x", "y")
	limit := w.arg(10)
	assert.Equal(t, " WHERE a = $1 AND b AND (c, d) < ($2, $3)", w.clause())
	assert.Equal(t, "$4", limit)
	assert.Equal(t, []any{1, "x", "y", 10}, w.args)

	var empty where
	assert.Empty(t, empty.clause())
}

func TestLockKeys(t *testing.T) {
	assert.Equal(t, lockKey("client", "c-1"), lockKey("client", "c-1"), "a key is stable")
	assert.NotEqual(t, lockKey("client", "c-1"), lockKey("specialist", "c-1"), "namespaces differ")
	assert.NotEqual(t, lockKey("ab", "c"), lockKey("a", "bc"), "parts are separated")
}

func TestRetryable(t *testing.T) {
	assert.False(t, retryable(errors.New("x")))
	assert.False(t, retryable(nil))
}
