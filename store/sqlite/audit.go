package sqlite

import (
	"context"
	"fmt"
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
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if err := insertAudit(ctx, tx, e); err != nil {
		return err
	}
	return commit(tx)
}

// ListAudit returns the entries matching every non-empty field of f, newest
// first (entries at the same instant: the later appended first). Since is
// inclusive; a Limit of 0 or less means 100.
func (s *Store) ListAudit(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	for _, c := range []struct{ col, val string }{
		{"actor_id", f.ActorID}, {"subject", f.Subject}, {"action", f.Action},
	} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, encodeTime(f.Since))
	}
	query := `SELECT id, at, actor_id, action, subject, ip, detail FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY at DESC, seq DESC LIMIT ?`
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	args = append(args, limit)

	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	defer rows.Close()
	var list []auth.AuditEntry
	for rows.Next() {
		var e auth.AuditEntry
		if err := rows.Scan(&e.ID, timeDest{&e.At}, &e.ActorID, &e.Action, &e.Subject, &e.IP, &e.Detail); err != nil {
			return nil, fmt.Errorf("sqlite: list audit: %w", err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	return list, nil
}

func insertAudit(ctx context.Context, tx dbtx, e auth.AuditEntry) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (id, at, actor_id, action, subject, ip, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, encodeTime(e.At), e.ActorID, e.Action, e.Subject, e.IP, e.Detail)
	if err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
	}
	return nil
}

// DeleteAuditBefore removes entries older than t (retention).
func (s *Store) DeleteAuditBefore(ctx context.Context, t time.Time) (int, error) {
	return s.execWrite(ctx, "delete audit entries", `DELETE FROM audit_log WHERE at < ?`, encodeTime(t))
}
