package cabinet

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/recommend"
)

// Campaigns keep what the offer and news campaigns need beyond the card and
// the outbox: the services seen, so that a new one is announced once.
type Campaigns interface {
	// NoteServices records the IDs of services not seen before, as seen at
	// at, and returns every service seen and not announced yet, oldest
	// first. When no service was ever seen (the first campaign), those
	// noted are recorded as announced: the catalog a clinic starts with is
	// not news.
	NoteServices(ctx context.Context, ids []string, at time.Time) ([]string, error)
	// MarkServiceAnnounced records that the service was announced; an
	// unknown or announced one is left as it is.
	MarkServiceAnnounced(ctx context.Context, id string, at time.Time) error
}

// CampaignResult says what one campaign pass did.
type CampaignResult struct {
	Clients       int // clients with a marketing consent looked at
	OffersGiven   int // offers given to them in this pass
	OfferMessages int // messages about offers queued
	// NewServices are the services announced in this pass, and
	// NewServiceMessages the messages about them queued.
	NewServices        []string
	NewServiceMessages int
}

// campaignPage is how many clients a campaign pass reads, gives offers to
// and queues messages for per round of writes.
const campaignPage = 200

// The cabinet pages campaign messages link to.
const offersPage = "/offers"

func servicePage(id string) string { return "/services/" + url.PathEscape(id) }

// Campaign runs the offer and news campaigns once; Run calls it every
// CampaignEvery. For every client with a marketing consent:
//
//   - the offers their visit history, profile and favourites earn now are
//     given to them (as their cabinet would show them) and each offer not
//     announced yet is announced in the offers category: once per giving,
//     however many passes, processes or page views meet it;
//   - each service added to the catalog since the last pass (active and
//     bookable online) is announced in the new_services category to the
//     clients the recommendation engine would recommend it to — never to
//     everyone.
//
// Consent, the client's channels and quiet hours apply as for any
// notification (notify.Notifier.Notify): a client who turned a category off
// gets nothing in it. Messages name neither the client's concerns nor why
// something suits them; the cabinet says why. A failure stops the pass and
// is returned; the next pass resumes without repeating a message.
func (c *Cabinet) Campaign(ctx context.Context) (CampaignResult, error) {
	var res CampaignResult
	now := c.cfg.Now().UTC()
	cat, err := c.card.EngineCatalog(ctx)
	if err != nil {
		return res, err
	}
	var online []string
	for _, it := range cat.Items() {
		if it.Kind == recommend.KindProcedure {
			online = append(online, it.ID)
		}
	}
	unannounced, err := c.cfg.Store.NoteServices(ctx, online, now)
	if err != nil {
		return res, err
	}
	var announce []string // those still offered online
	for _, id := range unannounced {
		if svc, ok := cat.Service(id); ok && svc.Active && svc.OnlineBooking {
			announce = append(announce, id)
		}
	}

	after := ""
	for {
		ids, err := c.cfg.Store.MarketingAudience(ctx, after, campaignPage)
		if err != nil {
			return res, err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		if err := c.campaignPage(ctx, ids, cat, announce, &res); err != nil {
			return res, err
		}
		if len(ids) < campaignPage {
			break
		}
	}
	for _, id := range announce {
		if err := c.cfg.Store.MarkServiceAnnounced(ctx, id, now); err != nil {
			return res, err
		}
	}
	res.NewServices = announce
	return res, nil
}

// campaignPage gives the offers of a page of clients, then queues the
// messages about them and about the new services, then marks the offers
// announced. Each step is safe to repeat: a giving is stored once (its
// OfferRef) and a message once (its key), so a pass that fails between
// them is completed by the next.
func (c *Cabinet) campaignPage(ctx context.Context, ids []string, cat *card.EngineCatalog, announce []string, res *CampaignResult) error {
	batch := c.notifier.NewBatch()
	var (
		given     []card.GivenOffer
		msgs      []notify.Message
		announced []card.OfferRef
	)
	for _, id := range ids {
		facts, err := c.card.ClientFacts(ctx, id, cat)
		if err != nil {
			return fmt.Errorf("cabinet: campaign: facts of a client: %w", err)
		}
		res.Clients++
		valid, fresh, err := c.card.CurrentOffers(ctx, id, facts, cat)
		if err != nil {
			return fmt.Errorf("cabinet: campaign: offers of a client: %w", err)
		}
		given = append(given, fresh...)
		zone := facts.Now.Location()
		for _, g := range valid {
			if !g.AnnouncedAt.IsZero() {
				continue
			}
			o := g.Offer
			err := batch.Notify(ctx, notify.Request{
				UserID: id, Category: notify.CategoryOffers, Kind: notify.KindOffer,
				Key: "offer:" + id + ":" + g.OfferID + ":" + strconv.Itoa(g.Seq),
				Data: notify.OfferData{ClinicName: c.cfg.ClinicName, Title: notify.Localized(o.Title),
					DiscountPercent: o.DiscountPercent, Gift: notify.Localized(o.Gift),
					LastDay: o.ValidUntil.Add(-time.Nanosecond).In(zone), URL: c.planner.link(offersPage)},
				ExpiresAt: o.ValidUntil, URL: offersPage, TimeZone: zone.String(),
			})
			if err != nil {
				return fmt.Errorf("cabinet: campaign: offer message: %w", err)
			}
			if m := batch.Take(); len(m) > 0 {
				msgs = append(msgs, m...)
				res.OfferMessages += len(m)
				announced = append(announced, g.OfferRef)
			}
		}
		for _, svcID := range announce {
			if !c.card.ExplainFor(facts, cat, svcID).Recommended {
				continue
			}
			svc, _ := cat.Service(svcID)
			err := batch.Notify(ctx, notify.Request{
				UserID: id, Category: notify.CategoryNewServices, Kind: notify.KindNewService,
				Key: "new_service:" + svcID + ":" + id,
				Data: notify.NewServiceData{ClinicName: c.cfg.ClinicName, Service: svc.Name,
					Price: notify.Price{Amount: svc.Price.Amount, Currency: svc.Price.Currency},
					URL:   c.planner.link(servicePage(svcID))},
				URL: servicePage(svcID), TimeZone: zone.String(),
			})
			if err != nil {
				return fmt.Errorf("cabinet: campaign: new-service message: %w", err)
			}
			m := batch.Take()
			msgs = append(msgs, m...)
			res.NewServiceMessages += len(m)
		}
	}
	n, err := c.cfg.Store.GiveOffers(ctx, given)
	if err != nil {
		return fmt.Errorf("cabinet: campaign: giving offers: %w", err)
	}
	res.OffersGiven += n
	if len(msgs) > 0 {
		if _, err := c.cfg.Store.EnqueueMessages(ctx, msgs); err != nil {
			return fmt.Errorf("cabinet: campaign: queuing messages: %w", err)
		}
		c.notifier.Wake()
	}
	if err := c.cfg.Store.MarkOffersAnnounced(ctx, announced, c.cfg.Now().UTC()); err != nil {
		return fmt.Errorf("cabinet: campaign: %w", err)
	}
	return nil
}

// campaign runs Campaign for Run, logging a failure.
// campaign is Run's pass: one process at a time runs it (the lease
// "campaign"); the others skip their turn.
func (c *Cabinet) campaign(ctx context.Context) {
	c.leased(ctx, "campaign", campaignLease, c.campaignNow)
}

func (c *Cabinet) campaignNow(ctx context.Context) {
	res, err := c.Campaign(ctx)
	if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
		c.log.ErrorContext(ctx, "cabinet: campaign failed", "err", err)
		return
	}
	if res.OfferMessages+res.NewServiceMessages > 0 {
		c.log.InfoContext(ctx, "cabinet: campaign", "clients", res.Clients, "offers_given", res.OffersGiven,
			"offer_messages", res.OfferMessages, "new_services", len(res.NewServices),
			"new_service_messages", res.NewServiceMessages)
	}
}
