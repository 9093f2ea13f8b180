package card

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// Favourites: the services and products a client keeps to come back to.
// Adding is idempotent (an item already kept is not an error and keeps the
// time it was first added), a client keeps at most MaxFavorites, and the
// recommendation engine reads them as facts (FavoriteItems). Favourites are
// the client's own: staff who may see the card read them (audited) but do
// not change them.

// FavoriteKind is what a favourite is.
type FavoriteKind string

// Favourite kinds.
const (
	FavoriteService FavoriteKind = "service" // ItemID: a booking service
	FavoriteProduct FavoriteKind = "product" // ItemID: a product of the catalog
)

// FavoriteKinds are every kind.
func FavoriteKinds() []FavoriteKind { return []FavoriteKind{FavoriteService, FavoriteProduct} }

// MaxFavorites is how many favourites a client may keep.
const MaxFavorites = 200

// Favorite is one item a client keeps.
type Favorite struct {
	ClientID  string
	Kind      FavoriteKind
	ItemID    string
	CreatedAt time.Time // when it was first added
	// Filled when read by Favorites (not stored): the item's current name
	// ("" when it is gone) and whether it is still offered.
	Name      string
	Available bool
}

// ErrFavoritesFull: the client already keeps MaxFavorites (HTTP 409).
var ErrFavoritesFull = errors.New("card: too many favourites")

// FavoriteStore keeps the clients' favourites. Each method is atomic;
// store/storetest checks every promise.
type FavoriteStore interface {
	// AddFavorite stores f unless the client already keeps the item, in one
	// transaction: it reports added=false, changing nothing, when the item
	// is already kept (whatever the count); otherwise, when the client
	// keeps limit or more favourites, it returns ErrFavoritesFull and stores
	// nothing. ErrNotFound: no such user (f.ClientID), or no such service
	// (kind service) or product (kind product) — the store checks that the
	// item exists, not that it is offered. f needs ClientID, a known Kind,
	// ItemID and CreatedAt (else an error wrapping ErrInvalidInput). Name
	// and Available are not stored.
	AddFavorite(ctx context.Context, f Favorite, limit int) (added bool, err error)
	// RemoveFavorite deletes one favourite; ErrNotFound when the client
	// does not keep it.
	RemoveFavorite(ctx context.Context, clientID string, kind FavoriteKind, itemID string) error
	// Favorites returns the client's favourites, the latest added first
	// (then by kind and item ID), without Name and Available. An unknown
	// client has none (an empty list, no error).
	Favorites(ctx context.Context, clientID string) ([]Favorite, error)
}

// maxFavoriteItemID bounds an item ID (service and product IDs are shorter).
const maxFavoriteItemID = 64

// AddFavorite adds a service or product to the client's own favourites and
// reports whether it was added (false: it was there already, and the
// favourite is returned as it was first added). The item must exist and be
// offered (an active service or product).
//
// Errors: ErrNotFound (actor is not a client acting for themself);
// *ValidationError (field "kind": not service or product; field "item_id":
// no such item, or no longer offered); ErrFavoritesFull.
func (s *Service) AddFavorite(ctx context.Context, actor Actor, kind FavoriteKind, itemID string) (Favorite, bool, error) {
	if actor.UserID == "" || actor.Staff() {
		return Favorite{}, false, ErrNotFound // favourites are the client's own
	}
	itemID = strings.TrimSpace(itemID)
	if err := checkFavoriteKind(kind); err != nil {
		return Favorite{}, false, err
	}
	name, err := s.favoriteItem(ctx, kind, itemID)
	if err != nil {
		return Favorite{}, false, err
	}
	f := Favorite{ClientID: actor.UserID, Kind: kind, ItemID: itemID, CreatedAt: s.now()}
	added, err := s.cfg.Store.AddFavorite(ctx, f, MaxFavorites)
	if err != nil {
		return Favorite{}, false, err
	}
	if !added {
		// The stored one, with the time it was first added.
		all, err := s.cfg.Store.Favorites(ctx, actor.UserID)
		if err != nil {
			return Favorite{}, false, err
		}
		for _, x := range all {
			if x.Kind == kind && x.ItemID == itemID {
				f = x
			}
		}
	}
	f.Name, f.Available = name, true
	return f, added, nil
}

// RemoveFavorite removes an item from the client's own favourites.
//
// Errors: ErrNotFound (not kept, or actor is not a client acting for
// themself).
func (s *Service) RemoveFavorite(ctx context.Context, actor Actor, kind FavoriteKind, itemID string) error {
	if actor.UserID == "" || actor.Staff() || checkFavoriteKind(kind) != nil || itemID == "" || len(itemID) > maxFavoriteItemID {
		return ErrNotFound
	}
	return s.cfg.Store.RemoveFavorite(ctx, actor.UserID, kind, itemID)
}

// Favorites lists a client's favourites, the latest added first, with each
// item's current name and whether it is still offered: the client's own,
// or for staff who may see the card (audited).
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Favorites(ctx context.Context, actor Actor, clientID string) ([]Favorite, error) {
	if err := s.authorize(ctx, actor, clientID, "favourites", false); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.Favorites(ctx, clientID)
	if err != nil {
		return nil, err
	}
	// The catalogs are read once each, not per favourite.
	var productIDs []string
	anyService := false
	for _, f := range list {
		if f.Kind == FavoriteProduct {
			productIDs = append(productIDs, f.ItemID)
		} else {
			anyService = true
		}
	}
	services := map[string]booking.Service{}
	if anyService {
		all, err := s.cfg.Booking.Store().Services(ctx, booking.ServiceFilter{})
		if err != nil {
			return nil, err
		}
		for _, svc := range all {
			services[svc.ID] = svc
		}
	}
	products := map[string]Product{}
	if len(productIDs) > 0 {
		all, err := s.cfg.Store.Products(ctx, ProductFilter{IDs: productIDs})
		if err != nil {
			return nil, err
		}
		for _, p := range all {
			products[p.ID] = p
		}
	}
	out := make([]Favorite, 0, len(list))
	for _, f := range list {
		switch f.Kind {
		case FavoriteService:
			if svc, ok := services[f.ItemID]; ok {
				f.Name, f.Available = svc.Name, svc.Active
			}
		case FavoriteProduct:
			if p, ok := products[f.ItemID]; ok {
				f.Name, f.Available = strings.TrimSpace(p.Brand+" "+p.Name), p.Active
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// FavoriteItems returns the client's favourites, the latest added first,
// without names and without an authorization check or an audit entry. It
// is the read for code inside the cabinet that works for the client — the
// recommendation engine and personal offers ("a favourite service") take
// their facts from it — never for answering a request.
func (s *Service) FavoriteItems(ctx context.Context, clientID string) ([]Favorite, error) {
	if clientID == "" {
		return []Favorite{}, nil
	}
	list, err := s.cfg.Store.Favorites(ctx, clientID)
	if list == nil && err == nil {
		list = []Favorite{}
	}
	return list, err
}

func checkFavoriteKind(kind FavoriteKind) error {
	if kind != FavoriteService && kind != FavoriteProduct {
		return invalid("kind", `The kind is "service" or "product".`, `Вид — "service" или "product".`)
	}
	return nil
}

// favoriteItem checks that the item exists and is offered, and returns its
// name.
func (s *Service) favoriteItem(ctx context.Context, kind FavoriteKind, id string) (string, error) {
	if id == "" {
		return "", invalid("item_id", "Choose a service or product.", "Выберите услугу или товар.")
	}
	if len(id) > maxFavoriteItemID {
		id = "" // never looked up: no such item
	}
	switch kind {
	case FavoriteService:
		svc, err := s.serviceByID(ctx, id)
		if errors.Is(err, ErrNotFound) || err == nil && !svc.Active {
			return "", invalid("item_id", "No such service.", "Такой услуги нет.")
		}
		return svc.Name, err
	default:
		p, err := s.productByID(ctx, id)
		if errors.Is(err, ErrNotFound) || err == nil && !p.Active {
			return "", invalid("item_id", "No such product in the catalog.", "Такого товара нет в каталоге.")
		}
		return strings.TrimSpace(p.Brand + " " + p.Name), err
	}
}

// serviceByID reads a booking service; ErrNotFound (this package's) when
// there is none.
func (s *Service) serviceByID(ctx context.Context, id string) (booking.Service, error) {
	if id == "" {
		return booking.Service{}, ErrNotFound
	}
	svc, err := s.cfg.Booking.Store().ServiceByID(ctx, id)
	if errors.Is(err, booking.ErrNotFound) {
		return booking.Service{}, fmt.Errorf("card: service %q: %w", id, ErrNotFound)
	}
	return svc, err
}

// productByID reads a product; ErrNotFound when there is none.
func (s *Service) productByID(ctx context.Context, id string) (Product, error) {
	if id == "" {
		return Product{}, ErrNotFound
	}
	return s.cfg.Store.ProductByID(ctx, id)
}
