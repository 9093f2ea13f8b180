package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/store/postgres"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// isPostgres reports whether -db names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the backend -db names: PostgreSQL for a postgres:// URL,
// else the SQLite file (created 0600 when missing).
func openStore(ctx context.Context, db string, log *slog.Logger) (cabinet.Store, func() error, error) {
	if isPostgres(db) {
		st, err := postgres.Open(ctx, db, postgres.WithLogger(log))
		if err != nil {
			return nil, nil, fmt.Errorf("-db %s: %w", redactDSN(db), err)
		}
		return st, st.Close, nil
	}
	st, err := sqlite.Open(ctx, db, sqlite.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	return st, st.Close, nil
}

// redactDSN hides a password in a PostgreSQL URL, for messages and logs.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
