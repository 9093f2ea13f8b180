package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

var _ card.SearchStore = (*Store)(nil)

// SearchClients finds clients for staff (card.SearchStore). Phones and
// e-mails are matched in SQL; names in Go, because SQLite's lower() folds
// ASCII only and names are mostly Cyrillic. The scope is an EXISTS over
// the appointments, by branch or specialist (both indexed).
func (s *Store) SearchClients(ctx context.Context, q card.ClientSearch) ([]card.ClientMatch, error) {
	if q.Limit < 1 || q.Limit > 100 {
		return nil, fmt.Errorf("sqlite: search clients: limit %d is not within 1…100", q.Limit)
	}
	var (
		where []string
		args  []any
	)
	where = append(where, `u.disabled = 0`, `EXISTS (SELECT 1 FROM json_each(u.roles) r WHERE r.value = 'client')`)
	if !q.All {
		var scope []string
		if len(q.BranchIDs) > 0 {
			scope = append(scope, `EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = u.id AND a.status <> 'cancelled' AND a.branch_id IN (`+placeholders(len(q.BranchIDs))+`))`)
			for _, b := range q.BranchIDs {
				args = append(args, b)
			}
		}
		if len(q.SpecialistIDs) > 0 {
			scope = append(scope, `EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = u.id AND a.status <> 'cancelled' AND a.specialist_id IN (`+placeholders(len(q.SpecialistIDs))+`))`)
			for _, id := range q.SpecialistIDs {
				args = append(args, id)
			}
		}
		if len(scope) == 0 {
			return []card.ClientMatch{}, nil
		}
		where = append(where, "("+strings.Join(scope, " OR ")+")")
	}
	switch {
	case q.Digits != "":
		where = append(where, `instr(COALESCE(u.phone, ''), ?) > 0`)
		args = append(args, q.Digits)
	case q.Email != "":
		where = append(where, `instr(COALESCE(u.email, ''), ?) > 0`)
		args = append(args, strings.ToLower(q.Email))
	case len(q.Name) > 0:
		where = append(where, `v.profile IS NOT NULL`)
	default:
		return []card.ClientMatch{}, nil
	}
	query := `SELECT u.id, COALESCE(u.phone, ''), COALESCE(u.email, ''),
			COALESCE(json_extract(v.profile, '$.name'), '')
		FROM users u
		LEFT JOIN profile_versions v ON v.client_id = u.id
			AND v.version = (SELECT MAX(version) FROM profile_versions WHERE client_id = u.id)
		WHERE ` + strings.Join(where, " AND ")
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search clients: %w", err)
	}
	defer rows.Close()
	out := []card.ClientMatch{}
	for rows.Next() {
		var m card.ClientMatch
		if err := rows.Scan(&m.ClientID, &m.Phone, &m.Email, &m.Name); err != nil {
			return nil, fmt.Errorf("sqlite: search clients: %w", err)
		}
		if q.Digits == "" && q.Email == "" && !card.NameMatches(m.Name, q.Name) {
			continue
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: search clients: %w", err)
	}
	slices.SortFunc(out, func(a, b card.ClientMatch) int {
		return cmp.Or(cmp.Compare(card.FoldName(a.Name), card.FoldName(b.Name)), cmp.Compare(a.ClientID, b.ClientID))
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}
