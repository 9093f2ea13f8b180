package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// runCardSearch checks card.SearchStore: the front desk's client search.
func runCardSearch(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("SearchClients", func(t *testing.T) { testSearchClients(t, open) })
}

func testSearchClients(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	seedClinic(t, st)
	client := func(id, phone, email, name string, disabled bool, roles ...auth.Role) {
		t.Helper()
		u := newUser(id)
		u.Phone, u.Email = phone, email
		if roles != nil {
			u.Roles = roles
		}
		require.NoError(t, st.CreateUser(ctx, u))
		if name != "" {
			require.NoError(t, st.AppendProfileVersion(ctx, profileVersion(id, 1, card.Profile{Name: name})))
		}
		if disabled {
			require.NoError(t, st.UpdateUserAccess(ctx, id, u.Roles, nil, true))
		}
	}
	client("s-olga", "+79161112233", "olga@example.com", "Ольга Смирнова", false)
	client("s-yozh", "+79162223344", "", "Алёна Ёжикова", false)
	client("s-ivan", "+79163334455", "ivan.petrov@example.com", "Иван Петров", false)
	client("s-north", "+79164445566", "", "Ольга Северная", false)
	client("s-noname", "", "noname@example.com", "", false)
	client("s-off", "+79161119999", "", "Ольга Отключённая", true)
	client("s-staff", "+79161118888", "", "Ольга Сотрудник", false, auth.RoleSpecialist)
	// Appointments make the scope: the centre (Anna, Boris) and the north (Vera).
	book(t, st, appt("a-olga", "s-olga", anna.ID, at(10, 0), time.Hour))
	book(t, st, appt("a-yozh", "s-yozh", boris.ID, at(10, 0), time.Hour))
	book(t, st, appt("a-ivan", "s-ivan", anna.ID, at(12, 0), time.Hour))
	book(t, st, appt("a-north", "s-north", vera.ID, at(10, 0), time.Hour, inBranch(branchNorth.ID)))
	book(t, st, appt("a-off", "s-off", anna.ID, at(14, 0), time.Hour))
	// A booking made and cancelled relates nobody to the client.
	client("s-cancelled", "+79165556677", "", "Ольга Отменённая", false)
	book(t, st, appt("a-cancelled", "s-cancelled", boris.ID, at(16, 0), time.Hour))
	cancel(t, st, "a-cancelled")

	search := func(q card.ClientSearch) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 20
		}
		found, err := st.SearchClients(ctx, q)
		require.NoError(t, err)
		require.NotNil(t, found, "an empty list, not nil")
		out := []string{}
		for _, m := range found {
			out = append(out, m.ClientID)
		}
		return out
	}
	all := card.ClientSearch{All: true}
	with := func(q card.ClientSearch, f func(*card.ClientSearch)) card.ClientSearch { f(&q); return q }

	// Names: every word starts a word of the name, any case, ё as е; by name.
	assert.Equal(t, []string{"s-cancelled", "s-north", "s-olga"}, search(with(all, func(q *card.ClientSearch) { q.Name = []string{"ольга"} })),
		"by name; disabled users and staff never")
	assert.Equal(t, []string{"s-olga"}, search(with(all, func(q *card.ClientSearch) { q.Name = []string{"ол", "смир"} })))
	assert.Equal(t, []string{"s-yozh"}, search(with(all, func(q *card.ClientSearch) { q.Name = []string{card.FoldName("АЛЁНА")} })))
	assert.Equal(t, []string{"s-yozh"}, search(with(all, func(q *card.ClientSearch) { q.Name = []string{"ежик"} })), "ё as е")
	assert.Empty(t, search(with(all, func(q *card.ClientSearch) { q.Name = []string{"льга"} })), "a word's start, not its middle")
	// Phones and e-mails: a part of them.
	assert.Equal(t, []string{"s-ivan"}, search(with(all, func(q *card.ClientSearch) { q.Digits = "3334455" })))
	assert.Equal(t, []string{"s-ivan"}, search(with(all, func(q *card.ClientSearch) { q.Digits = "79163334455" })))
	assert.Equal(t, []string{"s-noname", "s-ivan", "s-olga"}, search(with(all, func(q *card.ClientSearch) { q.Email = "example.com" })),
		"by name: the one without a name first")
	assert.Equal(t, []string{"s-noname"}, search(with(all, func(q *card.ClientSearch) { q.Email = "noname@" })))
	found, err := st.SearchClients(ctx, card.ClientSearch{All: true, Digits: "3334455", Limit: 5})
	require.NoError(t, err)
	assert.Equal(t, []card.ClientMatch{{ClientID: "s-ivan", Name: "Иван Петров", Phone: "+79163334455", Email: "ivan.petrov@example.com"}}, found)

	// The scope: a branch's clients, a specialist's, or nobody.
	olga := []string{"ольга"}
	assert.Equal(t, []string{"s-olga"}, search(card.ClientSearch{Name: olga, BranchIDs: []string{branchCentre.ID}}))
	assert.Equal(t, []string{"s-north"}, search(card.ClientSearch{Name: olga, BranchIDs: []string{branchNorth.ID}}))
	assert.Equal(t, []string{"s-north", "s-olga"}, search(card.ClientSearch{Name: olga, SpecialistIDs: []string{anna.ID, vera.ID}}))
	assert.Empty(t, search(card.ClientSearch{Name: olga, SpecialistIDs: []string{boris.ID}}), "a cancelled booking is no relation")
	assert.Empty(t, search(card.ClientSearch{Name: olga}), "no scope: nobody")
	assert.Empty(t, search(card.ClientSearch{All: true}), "nothing to look for: nobody")

	// The limit.
	assert.Len(t, search(with(all, func(q *card.ClientSearch) { q.Digits = "7916"; q.Limit = 2 })), 2)
	_, err = st.SearchClients(ctx, card.ClientSearch{All: true, Digits: "7916", Limit: 0})
	assert.Error(t, err, "a limit is required")
	_, err = st.SearchClients(ctx, card.ClientSearch{All: true, Digits: "7916", Limit: 101})
	assert.Error(t, err)
}
