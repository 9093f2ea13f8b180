package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
)

func testUsers(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("CreateAndFind", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		users := []auth.User{
			{ID: "both", Phone: phoneA.Value, Email: emailA.Value, Roles: []auth.Role{auth.RoleClient, auth.RoleManager},
				Branches: []string{"b1", "b2"}, Locale: "en", Disabled: true, CreatedAt: t0},
			{ID: "phone", Phone: phoneB.Value, Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: t0},
			{ID: "email", Email: emailB.Value, Roles: []auth.Role{auth.RoleAdmin}, Locale: "ru", CreatedAt: t0},
			{ID: "none", Locale: "ru", CreatedAt: t0}, // two users without phone or e-mail do not collide
			{ID: "none2", Locale: "ru", CreatedAt: t0},
		}
		for _, u := range users {
			require.NoError(t, st.CreateUser(ctx, u), u.ID)
		}
		for _, u := range users {
			got, err := st.UserByID(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, u.ID, got.ID)
			assert.Equal(t, u.Phone, got.Phone)
			assert.Equal(t, u.Email, got.Email)
			assert.ElementsMatch(t, u.Roles, got.Roles)
			assert.ElementsMatch(t, u.Branches, got.Branches)
			assert.Equal(t, u.Locale, got.Locale)
			assert.Equal(t, u.Disabled, got.Disabled)
			assert.True(t, u.CreatedAt.Equal(got.CreatedAt), "CreatedAt %v", got.CreatedAt)
		}
		for ident, id := range map[auth.Identifier]string{phoneA: "both", emailA: "both", phoneB: "phone", emailB: "email"} {
			got, err := st.UserByIdentifier(ctx, ident)
			require.NoError(t, err, ident.Value)
			assert.Equal(t, id, got.ID, ident.Value)
		}
	})

	t.Run("IdentifierTaken", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		first := newUser("u1")
		first.Phone, first.Email = phoneA.Value, emailA.Value
		require.NoError(t, st.CreateUser(ctx, first))

		for _, u := range []auth.User{
			{ID: "u2", Phone: phoneA.Value, CreatedAt: t0},
			{ID: "u3", Email: emailA.Value, CreatedAt: t0},
			{ID: "u4", Phone: phoneB.Value, Email: emailA.Value, CreatedAt: t0},
		} {
			require.ErrorIs(t, st.CreateUser(ctx, u), auth.ErrIdentifierTaken, u.ID)
			_, err := st.UserByID(ctx, u.ID)
			require.ErrorIs(t, err, auth.ErrNotFound, "%s is not stored", u.ID)
		}
		_, err := st.UserByIdentifier(ctx, phoneB)
		require.ErrorIs(t, err, auth.ErrNotFound, "nothing of u4 is stored")
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		u := newUser("u1")
		u.Phone = phoneA.Value
		require.NoError(t, st.CreateUser(ctx, u))

		_, err := st.UserByID(ctx, "nope")
		assert.ErrorIs(t, err, auth.ErrNotFound)
		for _, ident := range []auth.Identifier{phoneB, emailA, {}} {
			_, err = st.UserByIdentifier(ctx, ident)
			assert.ErrorIs(t, err, auth.ErrNotFound, ident.Value)
		}
		assert.ErrorIs(t, st.UpdateUserAccess(ctx, "nope", nil, nil, true), auth.ErrNotFound)
		assert.ErrorIs(t, st.SetUserLocale(ctx, "nope", "en"), auth.ErrNotFound)
	})

	t.Run("UpdateUserAccess", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		u := newUser("u1")
		u.Phone = phoneA.Value
		require.NoError(t, st.CreateUser(ctx, u))
		other := newUser("u2")
		require.NoError(t, st.CreateUser(ctx, other))

		require.NoError(t, st.UpdateUserAccess(ctx, "u1",
			[]auth.Role{auth.RoleClient, auth.RoleSpecialist}, []string{"b1", "b2"}, true))
		got, err := st.UserByID(ctx, "u1")
		require.NoError(t, err)
		assert.ElementsMatch(t, []auth.Role{auth.RoleClient, auth.RoleSpecialist}, got.Roles)
		assert.ElementsMatch(t, []string{"b1", "b2"}, got.Branches)
		assert.True(t, got.Disabled)
		assert.Equal(t, phoneA.Value, got.Phone, "identifiers are untouched")
		assert.Equal(t, "ru", got.Locale, "locale is untouched")

		// Replaced, not merged; an unchanged value still succeeds.
		for range 2 {
			require.NoError(t, st.UpdateUserAccess(ctx, "u1", []auth.Role{auth.RoleAdmin}, nil, false))
		}
		got, err = st.UserByID(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, []auth.Role{auth.RoleAdmin}, got.Roles)
		assert.Empty(t, got.Branches)
		assert.False(t, got.Disabled)

		got, err = st.UserByID(ctx, "u2")
		require.NoError(t, err)
		assert.Equal(t, []auth.Role{auth.RoleClient}, got.Roles, "other users are untouched")
	})

	t.Run("SetUserLocale", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		require.NoError(t, st.CreateUser(ctx, newUser("u1")))
		require.NoError(t, st.CreateUser(ctx, newUser("u2")))
		for range 2 { // setting the same value again succeeds
			require.NoError(t, st.SetUserLocale(ctx, "u1", "en"))
		}
		got, err := st.UserByID(ctx, "u1")
		require.NoError(t, err)
		assert.Equal(t, "en", got.Locale)
		got, err = st.UserByID(ctx, "u2")
		require.NoError(t, err)
		assert.Equal(t, "ru", got.Locale)
	})
}
