package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

var _ card.OfferStore = (*Store)(nil)

// Offers given to clients (card.OfferStore) and the services campaigns have
// seen (cabinet.Campaigns); migrations/0009_offers.sql.

// GiveOffers stores the offers not given yet, as card.OfferStore documents.
// The primary key (client, offer, seq) makes each giving happen once,
// whichever instance or request gets there first (ON CONFLICT DO NOTHING);
// a client erased meanwhile is skipped: the check locks the user's row (FOR
// KEY SHARE), so an erasure either committed before it and is seen, or waits
// for this transaction and then deletes the offers with the user.
func (s *Store) GiveOffers(ctx context.Context, offers []card.GivenOffer) (int, error) {
	for _, g := range offers {
		if g.ClientID == "" || g.OfferID == "" || g.Seq < 1 || g.GivenAt.IsZero() {
			return 0, fmt.Errorf("postgres: give offers: client, offer, seq and time are required: %w", card.ErrInvalidInput)
		}
		if !g.Offer.ValidFrom.Before(g.Offer.ValidUntil) {
			return 0, fmt.Errorf("postgres: give offers: %s: an empty validity window: %w", g.OfferID, card.ErrInvalidInput)
		}
	}
	if len(offers) == 0 {
		return 0, nil
	}
	stored := 0
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stored = 0
		for _, g := range offers {
			o := g.Offer
			var items any
			if o.ItemIDs != nil {
				b, err := json.Marshal(o.ItemIDs)
				if err != nil {
					return fmt.Errorf("postgres: give offers: %w", err)
				}
				items = string(b)
			}
			n, err := execCount(ctx, tx, `INSERT INTO offers_given (client_id, offer_id, seq, rule_id, title_ru,
					title_en, discount_percent, gift_ru, gift_en, item_ids, valid_from, valid_until, per_client_limit,
					limit_period_days, given_at, announced_at)
				SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16
				WHERE EXISTS (SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE)
				ON CONFLICT (client_id, offer_id, seq) DO NOTHING`,
				g.ClientID, g.OfferID, g.Seq, o.RuleID, o.Title.RU, o.Title.EN, o.DiscountPercent, o.Gift.RU, o.Gift.EN,
				items, utc(o.ValidFrom), utc(o.ValidUntil), max(o.PerClientLimit, 1),
				max(o.LimitPeriodDays, 0), utc(g.GivenAt), nullTime(g.AnnouncedAt))
			if err != nil {
				return cardWriteError("give offers", err)
			}
			stored += n
		}
		return nil
	})
	return stored, err
}

// OffersGiven returns the client's offers given, oldest first.
func (s *Store) OffersGiven(ctx context.Context, clientID string) ([]card.GivenOffer, error) {
	type row struct {
		g     card.GivenOffer
		items []byte
	}
	rows, err := queryRead(ctx, s, "offers given", func(r *row) []any {
		o := &r.g.Offer
		return []any{&r.g.ClientID, &r.g.OfferID, &r.g.Seq, &o.RuleID, &o.Title.RU, &o.Title.EN, &o.DiscountPercent,
			&o.Gift.RU, &o.Gift.EN, jsonDest{&r.items}, timeDest{&o.ValidFrom}, timeDest{&o.ValidUntil}, &o.PerClientLimit,
			&o.LimitPeriodDays, timeDest{&r.g.GivenAt}, timeDest{&r.g.AnnouncedAt}}
	}, `SELECT client_id, offer_id, seq, rule_id, title_ru, title_en, discount_percent, gift_ru, gift_en, item_ids,
			valid_from, valid_until, per_client_limit, limit_period_days, given_at, announced_at
		FROM offers_given WHERE client_id = $1 ORDER BY given_at, offer_id, seq`, clientID)
	if err != nil {
		return nil, err
	}
	out := make([]card.GivenOffer, 0, len(rows))
	for _, r := range rows {
		r.g.Offer.ID = r.g.OfferID
		if r.items != nil {
			ids := []string{}
			if err := json.Unmarshal(r.items, &ids); err != nil {
				return nil, fmt.Errorf("postgres: offers given: items: %w", err)
			}
			r.g.Offer.ItemIDs = ids
		}
		out = append(out, r.g)
	}
	return out, nil
}

// MarkOffersAnnounced sets announced_at of the offers named that have none.
func (s *Store) MarkOffersAnnounced(ctx context.Context, refs []card.OfferRef, at time.Time) error {
	if len(refs) == 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, r := range refs {
			if _, err := tx.ExecContext(ctx, `UPDATE offers_given SET announced_at = $1
				WHERE client_id = $2 AND offer_id = $3 AND seq = $4 AND announced_at IS NULL`,
				utc(at), r.ClientID, r.OfferID, r.Seq); err != nil {
				return fmt.Errorf("postgres: mark offers announced: %w", err)
			}
		}
		return nil
	})
}

// NoteServices records the services not seen before and returns those seen
// and not announced yet, as cabinet.Campaigns documents. Campaigns on
// several instances take turns on its lock, so "no service was ever seen"
// is decided once.
func (s *Store) NoteServices(ctx context.Context, ids []string, at time.Time) ([]string, error) {
	var fresh []string
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, lockKey("services-seen")); err != nil {
			return err
		}
		var seen bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM services_seen)`).Scan(&seen); err != nil {
			return fmt.Errorf("postgres: note services: %w", err)
		}
		// The first time, the catalog as it is counts as announced.
		var announced any
		if !seen {
			announced = utc(at)
		}
		if len(ids) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO services_seen (service_id, seen_at, announced_at)
				SELECT id, $2, $3::timestamptz FROM unnest($1::text[]) AS id
				ON CONFLICT (service_id) DO NOTHING`, ids, utc(at), announced); err != nil {
				return fmt.Errorf("postgres: note services: %w", err)
			}
		}
		var err error
		fresh, err = queryStrings(ctx, tx, `SELECT service_id FROM services_seen WHERE announced_at IS NULL
			ORDER BY seen_at, service_id`)
		if err != nil {
			return fmt.Errorf("postgres: note services: %w", err)
		}
		return nil
	})
	return fresh, err
}

// MarkServiceAnnounced sets the service's announced_at, once.
func (s *Store) MarkServiceAnnounced(ctx context.Context, id string, at time.Time) error {
	_, err := s.execWrite(ctx, "mark service announced",
		`UPDATE services_seen SET announced_at = $1 WHERE service_id = $2 AND announced_at IS NULL`, utc(at), id)
	return err
}
