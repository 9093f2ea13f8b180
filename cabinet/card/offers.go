package card

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/recommend"
)

// OfferRef names one giving of an offer to a client: the Seq-th time the
// client got the offer with that ID (the first is 1). It is what makes a
// giving happen once, however many readers and campaign runs find the
// offer due at the same moment.
type OfferRef struct {
	ClientID string
	OfferID  string
	Seq      int
}

// GivenOffer is an offer given to a client: shown in their cabinet or
// announced by a campaign, whichever came first. Offer is the offer as it
// was given (title, discount, validity window, items), so a later change
// of the rules does not change an offer already made.
type GivenOffer struct {
	OfferRef
	Offer   recommend.Offer
	GivenAt time.Time
	// AnnouncedAt is when a campaign queued its message; zero: not yet
	// (no marketing consent then, or it was given in the cabinet first).
	AnnouncedAt time.Time
}

// Valid reports whether the offer is valid at t.
func (g GivenOffer) Valid(t time.Time) bool {
	return !t.Before(g.Offer.ValidFrom) && t.Before(g.Offer.ValidUntil)
}

// OfferStore keeps the offers given to clients (offers.go).
type OfferStore interface {
	// GiveOffers stores offers given, of one client or many. An offer
	// whose OfferRef is stored already is skipped (the first giving
	// stands), as is one of a client who no longer exists; it returns how
	// many were stored. Each needs ClientID, OfferID, Seq ≥ 1 and GivenAt
	// (else an error wrapping ErrInvalidInput, and nothing is stored).
	GiveOffers(ctx context.Context, offers []GivenOffer) (int, error)
	// OffersGiven returns every offer given to the client, oldest first
	// (then by offer ID and Seq). An unknown client has none.
	OffersGiven(ctx context.Context, clientID string) ([]GivenOffer, error)
	// MarkOffersAnnounced sets AnnouncedAt to at for the offers named that
	// have none; unknown ones are ignored.
	MarkOffersAnnounced(ctx context.Context, refs []OfferRef, at time.Time) error
}

// Offers returns the client's current personal offers, the latest given
// first: those given before and still valid, and those the offer rules
// make now, which are given (stored) by this call, so that an offer's
// validity window counts from the first time the client saw it and its
// per-client limit holds. Items the client may no longer have (a
// contraindication added since) are left out of an offer, and an offer
// with none left is not shown. Staff see the same without giving anything
// (an offer's window starts when the client sees it); their reads are
// audited.
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) Offers(ctx context.Context, actor Actor, clientID string) ([]GivenOffer, error) {
	if err := s.authorize(ctx, actor, clientID, "offers", false); err != nil {
		return nil, err
	}
	cat, err := s.EngineCatalog(ctx)
	if err != nil {
		return nil, err
	}
	facts, err := s.ClientFacts(ctx, clientID, cat)
	if err != nil {
		return nil, err
	}
	cur, fresh, err := s.CurrentOffers(ctx, clientID, facts, cat)
	if err != nil {
		return nil, err
	}
	if len(fresh) > 0 && !actor.Staff() { // staff look; only the client's view gives
		if _, err := s.cfg.Store.GiveOffers(ctx, fresh); err != nil {
			return nil, err
		}
		// Another reader may have given the same offer at the same
		// moment with another window: show the one stored.
		given, err := s.cfg.Store.OffersGiven(ctx, clientID)
		if err != nil {
			return nil, err
		}
		return s.validOffers(given, facts, cat), nil
	}
	return cur, nil
}

// CurrentOffers computes the offers of a client from their facts
// (ClientFacts): valid are those given before and still valid (as Offers
// shows them), with those the rules make now (fresh, not stored yet) among
// them; the caller stores fresh with OfferStore.GiveOffers. It reads the
// offers given without an authorization check, for code working for the
// client (a campaign).
func (s *Service) CurrentOffers(ctx context.Context, clientID string, facts recommend.Facts, cat *EngineCatalog) (valid, fresh []GivenOffer, err error) {
	given, err := s.cfg.Store.OffersGiven(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	facts.OffersGiven = make([]recommend.OfferGiven, 0, len(given))
	seq := map[string]int{}
	running := map[string]bool{} // offers with a giving still valid
	now := s.now()
	for _, g := range given {
		facts.OffersGiven = append(facts.OffersGiven, recommend.OfferGiven{OfferID: g.OfferID, At: g.GivenAt})
		seq[g.OfferID] = max(seq[g.OfferID], g.Seq)
		if g.Valid(now) {
			running[g.OfferID] = true
		}
	}
	for _, o := range s.cfg.Recommend.Offers(facts, cat.items) {
		if running[o.ID] {
			continue // an offer allowed more than once is given again only after this one ends
		}
		g := GivenOffer{OfferRef: OfferRef{ClientID: clientID, OfferID: o.ID, Seq: seq[o.ID] + 1}, Offer: o, GivenAt: now}
		fresh = append(fresh, g)
		given = append(given, g)
	}
	return s.validOffers(given, facts, cat), fresh, nil
}

// validOffers keeps the offers valid now, with their items narrowed to
// those still offered that the client may still have — what the engine
// would leave in the offer if it made it now (no safety, rule or season
// exclusion) — the latest given first.
func (s *Service) validOffers(given []GivenOffer, facts recommend.Facts, cat *EngineCatalog) []GivenOffer {
	now := s.now()
	out := []GivenOffer{}
	var excluded map[string]bool // read once, when an offer has items
	for _, g := range given {
		if !g.Valid(now) {
			continue
		}
		if g.Offer.ItemIDs != nil {
			if excluded == nil {
				excluded = s.cfg.Recommend.Excluded(facts, cat.items)
			}
			var ids []string
			for _, id := range g.Offer.ItemIDs {
				if cat.has(id) && !excluded[id] {
					ids = append(ids, id)
				}
			}
			if len(ids) == 0 {
				continue
			}
			g.Offer.ItemIDs = ids
		}
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(a, b GivenOffer) int {
		return cmp.Or(b.GivenAt.Compare(a.GivenAt), cmp.Compare(a.OfferID, b.OfferID))
	})
	return out
}

// ExplainFor says why an item of cat is or is not recommended to a client
// with facts (ClientFacts), without reading anything: for a campaign that
// asks about many clients.
func (s *Service) ExplainFor(facts recommend.Facts, cat *EngineCatalog, itemID string) recommend.Explanation {
	return s.cfg.Recommend.Explain(facts, cat.items, itemID)
}

// has reports whether an item is in the catalog (offered now).
func (c *EngineCatalog) has(id string) bool { return c.ids[id] }

// Service returns a service of the catalog by ID, active or not.
func (c *EngineCatalog) Service(id string) (booking.Service, bool) {
	svc, ok := c.services[id]
	return svc, ok
}
