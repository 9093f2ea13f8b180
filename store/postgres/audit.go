package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
)

// defaultAuditLimit is how many entries ListAudit returns when the filter
// sets no Limit.
const defaultAuditLimit = 100

// AppendAudit adds e to the audit trail. No method changes an entry; only
// retention (DeleteAuditBefore) removes old ones.
func (s *Store) AppendAudit(ctx context.Context, e auth.AuditEntry) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return insertAudit(ctx, tx, e)
	})
}

// ListAudit returns the entries matching every non-empty field of f, newest
// first (entries at the same instant: the later appended first). Since is
// inclusive; a Limit of 0 or less means 100.
func (s *Store) ListAudit(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	var w where
	for _, c := range []struct{ col, val string }{
		{"actor_id", f.ActorID}, {"subject", f.Subject}, {"action", f.Action},
	} {
		if c.val != "" {
			w.add(c.col+" = ?", c.val)
		}
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", utc(f.Since))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	query := `SELECT id, at, actor_id, action, subject, ip, detail FROM audit_log` + w.clause() +
		` ORDER BY at DESC, seq DESC LIMIT ` + w.arg(limit)
	return queryRead(ctx, s, "list audit", func(e *auth.AuditEntry) []any {
		return []any{&e.ID, timeDest{&e.At}, &e.ActorID, &e.Action, &e.Subject, &e.IP, &e.Detail}
	}, query, w.args...)
}

func insertAudit(ctx context.Context, tx dbtx, e auth.AuditEntry) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (id, at, actor_id, action, subject, ip, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID, utc(e.At), e.ActorID, e.Action, e.Subject, e.IP, e.Detail)
	if err != nil {
		return fmt.Errorf("postgres: append audit: %w", err)
	}
	return nil
}

// DeleteAuditBefore removes entries older than t (retention).
func (s *Store) DeleteAuditBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execWrite(ctx, "delete audit entries", `DELETE FROM audit_log WHERE at < $1`, utc(t))
}

// where builds a WHERE clause with numbered parameters: add takes a
// condition with ? for its values, which become $n in order.
type where struct {
	conds []string
	args  []any
}

// add appends cond (AND), its ? replaced by the next parameters, one per val.
func (w *where) add(cond string, vals ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(vals) {
			b.WriteString(w.arg(vals[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// clause is " WHERE c1 AND c2…", or "" for no condition.
func (w *where) clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w.conds, ` AND `)
}
