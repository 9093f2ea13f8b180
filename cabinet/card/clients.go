package card

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// Finding clients for staff: the front desk looks up a caller by phone,
// e-mail or name to book them; the schedules show whose appointment it is.
// Both follow the card's rule of who sees a client (authorize): a
// specialist finds the clients they have or had an appointment with, a
// manager the clients with an appointment in their branches, an admin
// everyone.

// ActionCardSearched is the audit action of a staff search for clients:
// one line per client the search showed (Subject), or one without a
// subject when it found nobody. The query itself is not recorded (it may
// be a phone number).
const ActionCardSearched = "card.searched"

// ClientSearch is what a SearchStore looks for: clients (users holding the
// client role) matching one of Name, Digits or Email, within a scope.
type ClientSearch struct {
	// Name: every word must start a word of the client's name (the latest
	// questionnaire's), compared case-insensitively with ё as е. The
	// words are already folded (FoldName).
	Name []string
	// Digits: the phone (E.164 without "+") contains them.
	Digits string
	// Email: the e-mail (lower case) contains it.
	Email string

	// The scope: All, or clients with an appointment (not cancelled) in one of BranchIDs
	// or with one of SpecialistIDs. Both empty and not All: nobody.
	All           bool
	BranchIDs     []string
	SpecialistIDs []string

	Limit int // 1 … 100
}

// ClientMatch is a client found: their name ("" when they never gave one)
// and contacts ("" when absent).
type ClientMatch struct {
	ClientID string
	Name     string
	Phone    string
	Email    string
}

// SearchStore finds clients for staff.
type SearchStore interface {
	// SearchClients returns up to q.Limit clients matching q in its scope,
	// by name then ID. A disabled user is never returned.
	SearchClients(ctx context.Context, q ClientSearch) ([]ClientMatch, error)
}

// Limits of a search.
const (
	maxSearchQuery   = 100
	maxSearchResults = 20
)

// FoldName folds a name or a word of it for comparison: lower case, ё → е.
func FoldName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "ё", "е")
}

// NameMatches reports whether every folded word starts a word of name.
func NameMatches(name string, words []string) bool {
	if len(words) == 0 {
		return false
	}
	have := strings.FieldsFunc(FoldName(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}

// parseClientQuery reads what staff typed: an e-mail (it has an @), a
// phone or its end (digits, with + ( ) - and spaces; at least 4 digits; a
// Russian 8 in front of 10 digits is read as +7), else words of a name.
func parseClientQuery(q string) (ClientSearch, error) {
	q = strings.TrimSpace(q)
	switch {
	case utf8.RuneCountInString(q) < 2:
		return ClientSearch{}, invalid("q", "Type at least 2 characters.", "Введите хотя бы 2 символа.")
	case utf8.RuneCountInString(q) > maxSearchQuery || strings.ContainsFunc(q, unicode.IsControl):
		return ClientSearch{}, invalid("q", "The query is too long.", "Слишком длинный запрос.")
	case strings.Contains(q, "@"):
		return ClientSearch{Email: strings.ToLower(q)}, nil
	}
	phoneLike := !strings.ContainsFunc(q, func(r rune) bool {
		return !unicode.IsDigit(r) && !strings.ContainsRune("+()- .", r)
	})
	if phoneLike {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, q)
		if len(digits) < 4 {
			return ClientSearch{}, invalid("q", "Type at least 4 digits of the phone.", "Введите хотя бы 4 цифры телефона.")
		}
		if len(digits) == 11 && digits[0] == '8' {
			digits = "7" + digits[1:]
		}
		return ClientSearch{Digits: digits}, nil
	}
	var words []string
	for _, w := range strings.FieldsFunc(FoldName(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return ClientSearch{}, invalid("q", "Type a phone, an e-mail or a name.", "Введите телефон, e-mail или имя.")
	}
	return ClientSearch{Name: words}, nil
}

// SearchClients finds the clients the actor may see matching query (a
// phone or its last digits, an e-mail or part of it, or words of a name),
// at most 20, by name. Every client shown is recorded in the audit trail
// (ActionCardSearched), and a search that found nobody once.
//
// Errors: ErrForbidden (not staff); *ValidationError (field "q": too short,
// too long, fewer than 4 digits of a phone).
func (s *Service) SearchClients(ctx context.Context, actor Actor, query string) ([]ClientMatch, error) {
	if !actor.Staff() || actor.UserID == "" {
		return nil, ErrForbidden
	}
	q, err := parseClientQuery(query)
	if err != nil {
		return nil, err
	}
	q.Limit = maxSearchResults
	switch actor.Role {
	case booking.RoleAdmin:
		q.All = true
	case booking.RoleManager:
		q.BranchIDs = slices.Clone(actor.Branches)
	default:
		if q.SpecialistIDs, err = s.specialistIDs(ctx, actor.UserID); err != nil {
			return nil, err
		}
	}
	var found []ClientMatch
	if q.All || len(q.BranchIDs) > 0 || len(q.SpecialistIDs) > 0 {
		if found, err = s.cfg.Store.SearchClients(ctx, q); err != nil {
			return nil, err
		}
	}
	if found == nil {
		found = []ClientMatch{}
	}
	entries := make([]auth.AuditEntry, 0, max(1, len(found)))
	for _, m := range found {
		entries = append(entries, auth.AuditEntry{At: s.now(), ActorID: actor.UserID, Action: ActionCardSearched,
			Subject: m.ClientID, IP: actor.IP, Detail: "clients search"})
	}
	if len(found) == 0 {
		entries = append(entries, auth.AuditEntry{At: s.now(), ActorID: actor.UserID, Action: ActionCardSearched,
			IP: actor.IP, Detail: "clients search: none found"})
	}
	for _, e := range entries {
		if err := s.cfg.Audit(ctx, e); err != nil {
			// A search that cannot be recorded shows nobody.
			return nil, fmt.Errorf("card: audit: %w", err)
		}
	}
	return found, nil
}

// ClientNames returns the display names (the latest questionnaire's name,
// "" when never given) of those clientIDs whose card the actor may see;
// the others are left out. It is for schedules and lists, which show whose
// appointment or order a line is: a name is not a read of the card, so it
// is not audited. With orders, a manager also gets the names of clients
// who placed an order at one of their branches (the front desk hands it
// over to them), though their card stays closed.
func (s *Service) ClientNames(ctx context.Context, actor Actor, clientIDs []string, orders ...bool) (map[string]string, error) {
	withOrders := len(orders) > 0 && orders[0] && actor.Role == booking.RoleManager && len(actor.Branches) > 0
	out := map[string]string{}
	if !actor.Staff() {
		return out, nil
	}
	for _, id := range clientIDs {
		if _, done := out[id]; done || id == "" {
			continue
		}
		ok, err := s.related(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		if !ok && withOrders {
			placed, err := s.cfg.Store.Orders(ctx, OrderFilter{ClientID: id, BranchIDs: actor.Branches, Limit: 1})
			if err != nil {
				return nil, err
			}
			ok = len(placed) > 0
		}
		if !ok {
			continue
		}
		v, err := s.cfg.Store.LatestProfile(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out[id] = strings.TrimSpace(v.Profile.Name)
	}
	return out, nil
}
