package cabinet_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/recommend"
)

// campaignEnv is the clinic of clinicEnv with a consultation (the welcome
// offer's item) and a way to add clients with an e-mail.
func campaignEnv(t *testing.T) *clinicEnv {
	t.Helper()
	e := newClinicEnv(t)
	require.NoError(t, e.st.UpsertService(t.Context(), booking.Service{ID: "consult", Name: "Консультация косметолога",
		Category: "consultation", Duration: 30 * time.Minute, Price: booking.Money{Amount: 200000, Currency: "RUB"},
		BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true}))
	return e
}

func (e *clinicEnv) client(id, email string) card.Actor {
	e.t.Helper()
	require.NoError(e.t, e.st.CreateUser(e.t.Context(), auth.User{ID: id, Email: email, Roles: []auth.Role{auth.RoleClient},
		Locale: "ru", CreatedAt: e.clock()}))
	return card.Actor{UserID: id, Role: booking.RoleClient}
}

func (e *clinicEnv) annaActor() card.Actor {
	return card.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient}
}

// consent records a client's marketing consent in their card, as the
// cabinet's consent page does.
func (e *clinicEnv) consent(who card.Actor, granted bool) {
	e.t.Helper()
	_, err := e.cab.Card().RecordConsent(e.t.Context(), who, who.UserID,
		card.ConsentInput{Type: card.ConsentMarketing, Granted: granted, TextVersion: "2026-01"})
	require.NoError(e.t, err)
}

func (e *clinicEnv) answer(who card.Actor, ch card.ProfileChange) {
	e.t.Helper()
	_, err := e.cab.Card().RecordConsent(e.t.Context(), who, who.UserID, card.ConsentInput{Type: card.ConsentHealthData, Granted: true, TextVersion: "v1"})
	require.NoError(e.t, err)
	_, err = e.cab.Card().UpdateProfile(e.t.Context(), who, who.UserID, ch)
	require.NoError(e.t, err)
}

// marketing returns a client's queued or sent messages of a kind, by key.
func (e *clinicEnv) marketing(userID, kind string) map[string]notify.Message {
	e.t.Helper()
	msgs, err := e.st.Messages(e.t.Context(), notify.MessageFilter{UserID: userID, Limit: 1000})
	require.NoError(e.t, err)
	out := map[string]notify.Message{}
	for _, m := range msgs {
		if m.Kind == kind {
			out[m.Key] = m
		}
	}
	return out
}

func campaign(t *testing.T, e *clinicEnv) cabinet.CampaignResult {
	t.Helper()
	res, err := e.cab.Campaign(t.Context())
	require.NoError(t, err)
	return res
}

func TestCampaignOffersOnlyWithConsentAndOnce(t *testing.T) {
	e := campaignEnv(t)
	anna := e.annaActor()

	// Without a marketing consent Anna is not in the campaign's audience.
	res := campaign(t, e)
	assert.Zero(t, res.Clients)
	assert.Empty(t, e.marketing(anna.UserID, notify.KindOffer))

	e.consent(anna, true)
	res = campaign(t, e)
	assert.Equal(t, 1, res.Clients)
	assert.Equal(t, 1, res.OffersGiven, "the welcome offer: no visit yet")
	assert.Equal(t, 1, res.OfferMessages, "by e-mail, her only channel for offers")
	msgs := e.marketing(anna.UserID, notify.KindOffer)
	require.Len(t, msgs, 1)
	for key, m := range msgs {
		assert.Equal(t, "offer:"+anna.UserID+":welcome-consultation:1:email", key)
		assert.Equal(t, notify.CategoryOffers, m.Category)
		assert.Equal(t, notify.MarketingRef(anna.UserID), m.Ref, "withdrawn with the consent")
		assert.Contains(t, m.Text, "50")
		assert.Contains(t, m.Text, "https://clinic.example/cabinet/offers")
		// Valid 30 days from Monday 30 November in Moscow: to the end of
		// 30 December there.
		assert.Equal(t, time.Date(2026, 12, 31, 0, 0, 0, 0, msk), m.ExpiresAt.In(msk), "expires with the offer")
	}

	// Twice, and after a week: nothing new; the cabinet shows the same offer.
	assert.Equal(t, cabinet.CampaignResult{Clients: 1}, campaign(t, e))
	e.set(monday10.Add(7 * 24 * time.Hour))
	assert.Equal(t, cabinet.CampaignResult{Clients: 1}, campaign(t, e))
	offers, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID)
	require.NoError(t, err)
	require.Len(t, offers, 1)
	assert.Equal(t, "welcome-consultation", offers[0].OfferID)
	assert.True(t, monday10.Equal(offers[0].Offer.ValidFrom), "the window counts from the giving")
	assert.Equal(t, []string{"consult"}, offers[0].Offer.ItemIDs)
	assert.False(t, offers[0].AnnouncedAt.IsZero())

	// Withdrawing the consent withdraws what is not sent yet.
	e.consent(anna, false)
	for _, m := range e.marketing(anna.UserID, notify.KindOffer) {
		assert.Equal(t, notify.StatusWithdrawn, m.Status)
	}
	assert.Zero(t, campaign(t, e).Clients)
}

func TestCampaignAnnouncesAnOfferSeenInTheCabinetOnceConsentIsGiven(t *testing.T) {
	e := campaignEnv(t)
	anna := e.annaActor()
	offers, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID)
	require.NoError(t, err)
	require.Len(t, offers, 1, "given on the first view")
	assert.True(t, offers[0].AnnouncedAt.IsZero())

	e.set(monday10.Add(24 * time.Hour))
	e.consent(anna, true)
	res := campaign(t, e)
	assert.Zero(t, res.OffersGiven, "given already")
	assert.Equal(t, 1, res.OfferMessages)
	assert.Zero(t, campaign(t, e).OfferMessages)

	msgs := e.marketing(anna.UserID, notify.KindOffer)
	require.Len(t, msgs, 1)
	for _, m := range msgs {
		assert.Equal(t, time.Date(2026, 12, 31, 0, 0, 0, 0, msk), m.ExpiresAt.In(msk), "the window of the first view")
	}
}

func TestCampaignValidityWindow(t *testing.T) {
	e := campaignEnv(t)
	anna := e.annaActor()
	_, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID)
	require.NoError(t, err)

	// 30 December, 23:59 in Moscow: the last minute of the offer.
	e.set(time.Date(2026, 12, 30, 23, 59, 0, 0, msk))
	offers, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID)
	require.NoError(t, err)
	assert.Len(t, offers, 1)

	// 31 December, 00:00 there: gone, and not made again (once per client).
	e.set(time.Date(2026, 12, 31, 0, 0, 0, 0, msk))
	offers, err = e.cab.Card().Offers(t.Context(), anna, anna.UserID)
	require.NoError(t, err)
	assert.Empty(t, offers)

	// An expired offer is not announced when the consent comes later.
	e.consent(anna, true)
	res := campaign(t, e)
	assert.Zero(t, res.OfferMessages)
	assert.Zero(t, res.OffersGiven)
}

func TestCampaignBirthdayMonthIsTheClinicsMonth(t *testing.T) {
	e := campaignEnv(t)
	anna := e.annaActor()
	e.answer(anna, card.ProfileChange{BirthDate: &booking.Date{Year: 1990, Month: time.December, Day: 10}})
	has := func() bool {
		offers, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID)
		require.NoError(t, err)
		for _, o := range offers {
			if o.OfferID == "birthday" {
				return true
			}
		}
		return false
	}
	// 30 November 23:30 in Moscow (20:30 UTC): still November there.
	e.set(time.Date(2026, 11, 30, 20, 30, 0, 0, time.UTC))
	assert.False(t, has())
	// 1 December 00:30 in Moscow, still 30 November in UTC.
	e.set(time.Date(2026, 11, 30, 21, 30, 0, 0, time.UTC))
	assert.True(t, has(), "December in the branch's zone")
}

func TestCampaignNewServiceGoesOnlyToClientsItSuits(t *testing.T) {
	e := campaignEnv(t)
	ctx := t.Context()
	anna := e.annaActor()
	boris := e.client("boris", "boris@example.com")
	clara := e.client("clara", "clara@example.com")
	for _, who := range []card.Actor{anna, boris, clara} {
		e.consent(who, true)
	}
	pigmentation := card.ProfileChange{Concerns: &[]card.Concern{{Code: card.ConcernPigmentation, Severity: 3}}}
	e.answer(anna, pigmentation)
	e.answer(clara, pigmentation)
	// Clara keeps offers, but not news of services.
	_, err := e.cab.Notify().UpdateSettings(ctx, clara.UserID, notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryNewServices: {}}})
	require.NoError(t, err)

	res := campaign(t, e)
	assert.Empty(t, res.NewServices, "the catalog the clinic starts with is not news")
	assert.Zero(t, res.NewServiceMessages)

	svc := booking.Service{ID: "brightening", Name: "Осветляющий уход", Category: "care", Tags: []string{"pigmentation"},
		Duration: time.Hour, Price: booking.Money{Amount: 450000, Currency: "RUB"}, BranchIDs: []string{"b1"},
		Active: true, OnlineBooking: true}
	require.NoError(t, e.st.UpsertService(ctx, svc))
	// The engine recommends it to Anna and Clara, not to Boris.
	for who, want := range map[string]bool{anna.UserID: true, clara.UserID: true, boris.UserID: false} {
		ex, err := e.cab.Card().ExplainRecommendation(ctx, card.Actor{UserID: who, Role: booking.RoleClient}, who, svc.ID)
		require.NoError(t, err)
		require.Equal(t, want, ex.Recommended, who)
	}

	res = campaign(t, e)
	assert.Equal(t, []string{"brightening"}, res.NewServices)
	assert.Equal(t, 1, res.NewServiceMessages)
	msgs := e.marketing(anna.UserID, notify.KindNewService)
	require.Len(t, msgs, 1)
	for key, m := range msgs {
		assert.Equal(t, "new_service:brightening:"+anna.UserID+":email", key)
		assert.Equal(t, notify.CategoryNewServices, m.Category)
		assert.Contains(t, m.Text, "Осветляющий уход")
		assert.NotContains(t, strings.ToLower(m.Text+m.HTML), "пигмент", "never why it suits her")
	}
	assert.Empty(t, e.marketing(boris.UserID, notify.KindNewService), "not recommended to him")
	assert.Empty(t, e.marketing(clara.UserID, notify.KindNewService), "she turned news off")

	res = campaign(t, e)
	assert.Empty(t, res.NewServices, "announced once")
	assert.Len(t, e.marketing(anna.UserID, notify.KindNewService), 1)
}

// Campaigns on several instances at once (here, goroutines over one
// store, with a client reading her offers meanwhile) give each offer and
// queue each message once.
func TestCampaignsRunConcurrently(t *testing.T) {
	e := campaignEnv(t)
	anna := e.annaActor()
	e.consent(anna, true)
	clients := []string{anna.UserID}
	for i := range 30 {
		who := e.client(fmt.Sprintf("client-%02d", i), fmt.Sprintf("c%02d@example.com", i))
		e.consent(who, true)
		clients = append(clients, who.UserID)
	}
	cabs := []*cabinet.Cabinet{e.cab, e.newCabinet(), e.newCabinet()}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for _, c := range cabs {
		wg.Go(func() {
			if _, err := c.Campaign(t.Context()); err != nil {
				errs <- err
			}
		})
	}
	wg.Go(func() {
		if _, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID); err != nil {
			errs <- err
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, id := range clients {
		assert.Len(t, e.marketing(id, notify.KindOffer), 1, "one welcome offer per client, once")
	}
	given, err := e.st.OffersGiven(t.Context(), anna.UserID)
	require.NoError(t, err)
	assert.Len(t, given, 1)
}

// Staff looking at a client's offers see what she would, and give nothing:
// the window starts when she sees it.
func TestStaffViewOfOffersGivesNothing(t *testing.T) {
	e := campaignEnv(t)
	anna := e.annaActor()
	admin := card.Actor{UserID: "admin", Role: booking.RoleAdmin}
	offers, err := e.cab.Card().Offers(t.Context(), admin, anna.UserID)
	require.NoError(t, err)
	require.Len(t, offers, 1)
	assert.Equal(t, "welcome-consultation", offers[0].OfferID)
	given, err := e.st.OffersGiven(t.Context(), anna.UserID)
	require.NoError(t, err)
	assert.Empty(t, given)

	e.set(monday10.Add(24 * time.Hour))
	offers, err = e.cab.Card().Offers(t.Context(), anna, anna.UserID)
	require.NoError(t, err)
	require.Len(t, offers, 1)
	assert.True(t, monday10.Add(24*time.Hour).Equal(offers[0].Offer.ValidFrom), "from her first view")
}

// An offer a client may have more than once is not given again while the
// last giving is still valid: the cabinet shows one, and the next comes
// only after it ends.
func TestRepeatableOfferIsGivenAgainOnlyAfterTheLastEnds(t *testing.T) {
	rules, err := recommend.Parse([]byte(`{"version": 1, "rules": [{"id": "monthly", "description": "Every client: a monthly gift.",
		"when": {"not": {"procedure": {"ever": true}}},
		"then": [{"offer": {"id": "monthly-gift", "title": {"ru": "Подарок месяца", "en": "Gift of the month"},
			"gift": {"ru": "Маска", "en": "A mask"}, "valid_days": 10, "per_client_limit": 3, "limit_period_days": 365}}]}]}`))
	require.NoError(t, err)
	e := newClinicEnvWith(t, func(e *clinicEnv) {
		e.engine, err = recommend.New(recommend.Config{Rules: rules, Now: e.clock})
		require.NoError(t, err)
	})
	anna := e.annaActor()
	seqs := func() []int {
		t.Helper()
		offers, err := e.cab.Card().Offers(t.Context(), anna, anna.UserID)
		require.NoError(t, err)
		var out []int
		for _, o := range offers {
			out = append(out, o.Seq)
		}
		return out
	}
	// Valid through the tenth day after the day it was given, in Moscow:
	// from 30 November to the end of 10 December.
	assert.Equal(t, []int{1}, seqs(), "given on the first view")
	e.set(time.Date(2026, 12, 10, 23, 59, 0, 0, msk))
	assert.Equal(t, []int{1}, seqs(), "still valid: not given a second time beside it")
	e.set(time.Date(2026, 12, 11, 0, 0, 0, 0, msk))
	assert.Equal(t, []int{2}, seqs(), "the first ended: the second giving")
	e.set(time.Date(2026, 12, 22, 9, 0, 0, 0, msk))
	assert.Equal(t, []int{3}, seqs())
	e.set(time.Date(2027, 1, 2, 9, 0, 0, 0, msk))
	assert.Empty(t, seqs(), "three within the year: the limit")
}
