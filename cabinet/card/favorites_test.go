package card_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

func TestFavorites(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()

	f, added, err := e.svc.AddFavorite(ctx, revOlga, card.FavoriteService, "peel")
	require.NoError(t, err)
	assert.True(t, added)
	assert.Equal(t, card.Favorite{ClientID: "c-olga", Kind: card.FavoriteService, ItemID: "peel", CreatedAt: revNow,
		Name: "Миндальный пилинг", Available: true}, f)

	e.advance(time.Hour)
	again, added, err := e.svc.AddFavorite(ctx, revOlga, card.FavoriteService, " peel ")
	require.NoError(t, err)
	assert.False(t, added, "already there: not an error")
	assert.Equal(t, f, again, "as first added")

	p, added, err := e.svc.AddFavorite(ctx, revOlga, card.FavoriteProduct, "serum")
	require.NoError(t, err)
	assert.True(t, added)
	assert.Equal(t, "Derma Lab Vitamin C Serum", p.Name)

	for _, tc := range []struct {
		name  string
		who   card.Actor
		kind  card.FavoriteKind
		item  string
		want  error
		field string
	}{
		{"an unknown kind", revOlga, "specialist", "A", card.ErrInvalidInput, "kind"},
		{"no item", revOlga, card.FavoriteService, " ", card.ErrInvalidInput, "item_id"},
		{"an unknown service", revOlga, card.FavoriteService, "botox", card.ErrInvalidInput, "item_id"},
		{"a service no longer offered", revOlga, card.FavoriteService, "massage", card.ErrInvalidInput, "item_id"},
		{"a product as a service", revOlga, card.FavoriteService, "serum", card.ErrInvalidInput, "item_id"},
		{"an unknown product", revOlga, card.FavoriteProduct, "nope", card.ErrInvalidInput, "item_id"},
		{"a product no longer offered", revOlga, card.FavoriteProduct, "toner", card.ErrInvalidInput, "item_id"},
		{"an ID too long", revOlga, card.FavoriteProduct, string(make([]byte, 65)), card.ErrInvalidInput, "item_id"},
		{"staff", revDocA, card.FavoriteService, "peel", card.ErrNotFound, ""},
		{"nobody", card.Actor{}, card.FavoriteService, "peel", card.ErrNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.svc.AddFavorite(ctx, tc.who, tc.kind, tc.item)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.field, field(err))
		})
	}

	// The serum is no longer offered: it stays, marked.
	_, _, err = e.svc.PutProduct(ctx, revAdmin, card.Product{ID: "serum", Brand: "Derma Lab", Name: "Vitamin C Serum",
		Category: card.CategorySerum, Price: booking.Money{Amount: 350000, Currency: "RUB"}})
	require.NoError(t, err)
	list, err := e.svc.Favorites(ctx, revOlga, "c-olga")
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, card.Favorite{ClientID: "c-olga", Kind: card.FavoriteProduct, ItemID: "serum", CreatedAt: revNow.Add(time.Hour),
		Name: "Derma Lab Vitamin C Serum", Available: false}, list[0], "the latest first")
	assert.Equal(t, "peel", list[1].ItemID)
	assert.True(t, list[1].Available)
	assert.Empty(t, e.audit, "the client's own read is not audited")

	// Staff who may see the card read them, audited; others may not.
	_, err = e.svc.Favorites(ctx, revDocA, "c-olga")
	require.NoError(t, err)
	viewed := e.auditOf(card.ActionCardViewed)
	require.Len(t, viewed, 1)
	assert.Equal(t, "favourites", viewed[0].Detail)
	_, err = e.svc.Favorites(ctx, revMgr2, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)
	assert.Len(t, e.auditOf(card.ActionCardDenied), 1)
	_, err = e.svc.Favorites(ctx, revPetr, "c-olga")
	assert.ErrorIs(t, err, card.ErrNotFound)

	// The recommendation engine's read: no names, no authorization.
	facts, err := e.svc.FavoriteItems(ctx, "c-olga")
	require.NoError(t, err)
	assert.Equal(t, []card.Favorite{
		{ClientID: "c-olga", Kind: card.FavoriteProduct, ItemID: "serum", CreatedAt: revNow.Add(time.Hour)},
		{ClientID: "c-olga", Kind: card.FavoriteService, ItemID: "peel", CreatedAt: revNow},
	}, facts)
	none, err := e.svc.FavoriteItems(ctx, "c-petr")
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	require.NoError(t, e.svc.RemoveFavorite(ctx, revOlga, card.FavoriteProduct, "serum"))
	assert.ErrorIs(t, e.svc.RemoveFavorite(ctx, revOlga, card.FavoriteProduct, "serum"), card.ErrNotFound, "gone")
	assert.ErrorIs(t, e.svc.RemoveFavorite(ctx, revPetr, card.FavoriteService, "peel"), card.ErrNotFound, "not Petr's")
	assert.ErrorIs(t, e.svc.RemoveFavorite(ctx, revOlga, "specialist", "peel"), card.ErrNotFound)
	assert.ErrorIs(t, e.svc.RemoveFavorite(ctx, revDocA, card.FavoriteService, "peel"), card.ErrNotFound)
	list, err = e.svc.Favorites(ctx, revOlga, "c-olga")
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestFavoritesCap(t *testing.T) {
	e := newRevEnv(t)
	ctx := t.Context()
	for i := range card.MaxFavorites {
		_, err := e.store.UpsertProduct(ctx, card.Product{ID: fmt.Sprint("p-", i), Brand: "B", Name: fmt.Sprint("P", i),
			Category: card.CategorySerum, Price: booking.Money{Amount: 100, Currency: "RUB"}, Active: true, CreatedAt: revNow, UpdatedAt: revNow})
		require.NoError(t, err)
		_, added, err := e.svc.AddFavorite(ctx, revOlga, card.FavoriteProduct, fmt.Sprint("p-", i))
		require.NoError(t, err)
		require.True(t, added)
	}
	_, _, err := e.svc.AddFavorite(ctx, revOlga, card.FavoriteService, "peel")
	assert.ErrorIs(t, err, card.ErrFavoritesFull)
	_, added, err := e.svc.AddFavorite(ctx, revOlga, card.FavoriteProduct, "p-7")
	require.NoError(t, err, "one already kept is fine at the cap")
	assert.False(t, added)
	_, added, err = e.svc.AddFavorite(ctx, revPetr, card.FavoriteService, "peel")
	require.NoError(t, err, "the cap is per client")
	assert.True(t, added)
}
