package postgres

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
// e-mails are matched in SQL; names in Go, with card.NameMatches, so that
// every backend folds names (ё as е, Unicode case) the same way whatever
// the database's locale. The scope is an EXISTS over the appointments, by
// branch or specialist (both indexed).
func (s *Store) SearchClients(ctx context.Context, q card.ClientSearch) ([]card.ClientMatch, error) {
	if q.Limit < 1 || q.Limit > 100 {
		return nil, fmt.Errorf("postgres: search clients: limit %d is not within 1…100", q.Limit)
	}
	var w where
	w.add(`NOT u.disabled`)
	w.add(`u.roles @> '["client"]'`)
	if !q.All {
		var scope []string
		if len(q.BranchIDs) > 0 {
			scope = append(scope, `EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = u.id AND a.status <> 'cancelled' AND a.branch_id = ANY(`+
				w.arg(q.BranchIDs)+`))`)
		}
		if len(q.SpecialistIDs) > 0 {
			scope = append(scope, `EXISTS (SELECT 1 FROM appointments a WHERE a.client_id = u.id AND a.status <> 'cancelled' AND a.specialist_id = ANY(`+
				w.arg(q.SpecialistIDs)+`))`)
		}
		if len(scope) == 0 {
			return []card.ClientMatch{}, nil
		}
		w.add("(" + strings.Join(scope, " OR ") + ")")
	}
	switch {
	case q.Digits != "":
		w.add(`strpos(coalesce(u.phone, ''), ?) > 0`, q.Digits)
	case q.Email != "":
		w.add(`strpos(coalesce(u.email, ''), ?) > 0`, strings.ToLower(q.Email))
	case len(q.Name) > 0:
		w.add(`v.profile IS NOT NULL`)
	default:
		return []card.ClientMatch{}, nil
	}
	query := `SELECT u.id, coalesce(u.phone, ''), coalesce(u.email, ''), coalesce(v.profile->>'name', '')
		FROM users u
		LEFT JOIN LATERAL (SELECT profile FROM profile_versions
			WHERE client_id = u.id ORDER BY version DESC LIMIT 1) v ON true` + w.clause()
	list, err := queryRead(ctx, s, "search clients", func(m *card.ClientMatch) []any {
		return []any{&m.ClientID, &m.Phone, &m.Email, &m.Name}
	}, query, w.args...)
	if err != nil {
		return nil, err
	}
	out := []card.ClientMatch{}
	for _, m := range list {
		if q.Digits == "" && q.Email == "" && !card.NameMatches(m.Name, q.Name) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b card.ClientMatch) int {
		return cmp.Or(cmp.Compare(card.FoldName(a.Name), card.FoldName(b.Name)), cmp.Compare(a.ClientID, b.ClientID))
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}
