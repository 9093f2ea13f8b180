package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/recommend"
)

// runCampaigns checks card.OfferStore, cabinet.Campaigns and
// notify.Store.MarketingAudience.
func runCampaigns(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("OffersGiven", func(t *testing.T) { testOffersGiven(t, open) })
	t.Run("OffersGivenConcurrency", func(t *testing.T) { testOffersGivenConcurrency(t, open) })
	t.Run("ServicesSeen", func(t *testing.T) { testServicesSeen(t, open) })
	t.Run("MarketingAudience", func(t *testing.T) { testMarketingAudience(t, open) })
	t.Run("MarketingQueuedOnlyWithConsent", func(t *testing.T) { testMarketingQueuedOnlyWithConsent(t, open) })
}

// testMarketingQueuedOnlyWithConsent: offers and news are queued only to
// an existing, enabled user with a marketing consent at the moment of the
// insert; other categories are queued as ever.
func testMarketingQueuedOnlyWithConsent(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	for _, id := range []string{"c-yes", "c-no", "c-off"} {
		require.NoError(t, st.CreateUser(ctx, newUser(id)))
	}
	consent := &notify.Consent{At: t0, Source: "cabinet", Version: "v1"}
	require.NoError(t, st.SaveNotificationSettings(ctx, "c-yes", notify.Settings{MarketingConsent: consent, QuietStart: 0, QuietEnd: 0, UpdatedAt: t0}))
	require.NoError(t, st.SaveNotificationSettings(ctx, "c-no", notify.Settings{QuietStart: 0, QuietEnd: 0, UpdatedAt: t0}))
	require.NoError(t, st.SaveNotificationSettings(ctx, "c-off", notify.Settings{MarketingConsent: consent, QuietStart: 0, QuietEnd: 0, UpdatedAt: t0}))
	require.NoError(t, st.UpdateUserAccess(ctx, "c-off", []auth.Role{auth.RoleClient}, nil, true))

	offer := func(id, user string, cat notify.Category) notify.Message {
		m := message(id, t0, withUser(user))
		m.Category = cat
		return m
	}
	n, err := st.EnqueueMessages(ctx, []notify.Message{
		offer("m-yes", "c-yes", notify.CategoryOffers),
		offer("m-news", "c-yes", notify.CategoryNewServices),
		offer("m-no", "c-no", notify.CategoryOffers),
		offer("m-off", "c-off", notify.CategoryOffers),
		offer("m-gone", "c-erased", notify.CategoryNewServices),
		offer("m-reminder", "c-no", notify.CategoryReminders),
	})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the two to c-yes and the reminder")
	for key, want := range map[string]bool{"m-yes": true, "m-news": true, "m-no": false, "m-off": false, "m-gone": false, "m-reminder": true} {
		_, err := st.MessageByKey(ctx, "key-"+key)
		assert.Equal(t, want, err == nil, key)
	}
}

func givenOffer(client, offer string, seq int, at time.Time, items []string) card.GivenOffer {
	return card.GivenOffer{
		OfferRef: card.OfferRef{ClientID: client, OfferID: offer, Seq: seq},
		Offer: recommend.Offer{ID: offer, RuleID: "rule-" + offer,
			Title:           recommend.Text{RU: "Скучаем по вам: −15%", EN: "We miss you: 15% off"},
			DiscountPercent: 15, Gift: recommend.Text{RU: "Маска в подарок", EN: "A free mask"}, ItemIDs: items,
			ValidFrom: at, ValidUntil: at.Add(30 * 24 * time.Hour), PerClientLimit: 2, LimitPeriodDays: 180},
		GivenAt: at,
	}
}

func testOffersGiven(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	for _, id := range []string{"c-1", "c-2"} {
		require.NoError(t, st.CreateUser(ctx, newUser(id)))
	}

	first := givenOffer("c-1", "come-back", 1, t0, nil)
	tied := givenOffer("c-1", "favorite-10", 1, t0.Add(time.Minute), []string{"svc-a", "svc-b"})
	n, err := st.GiveOffers(ctx, []card.GivenOffer{first, tied, givenOffer("c-2", "come-back", 1, t0, nil),
		givenOffer("c-9", "come-back", 1, t0, nil)})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "an offer of an unknown client is skipped")

	again := givenOffer("c-1", "come-back", 1, t0.Add(time.Hour), nil)
	again.Offer.DiscountPercent = 50
	n, err = st.GiveOffers(ctx, []card.GivenOffer{again})
	require.NoError(t, err)
	assert.Zero(t, n, "the same giving twice: the first stands")
	second := givenOffer("c-1", "come-back", 2, t0.Add(200*24*time.Hour), nil)
	n, err = st.GiveOffers(ctx, []card.GivenOffer{second})
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	list, err := st.OffersGiven(ctx, "c-1")
	require.NoError(t, err)
	assert.Equal(t, []card.GivenOffer{first, tied, second}, list, "oldest first, every field as given; nil items stay nil")

	require.NoError(t, st.MarkOffersAnnounced(ctx, []card.OfferRef{first.OfferRef, {ClientID: "c-1", OfferID: "nope", Seq: 1}}, t0.Add(time.Hour)))
	require.NoError(t, st.MarkOffersAnnounced(ctx, []card.OfferRef{first.OfferRef}, t0.Add(2*time.Hour)))
	list, err = st.OffersGiven(ctx, "c-1")
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, t0.Add(time.Hour), list[0].AnnouncedAt.UTC(), "announced once: the first time stands")
	assert.True(t, list[1].AnnouncedAt.IsZero())

	none, err := st.OffersGiven(ctx, "c-9")
	require.NoError(t, err)
	assert.Empty(t, none)

	for name, g := range map[string]card.GivenOffer{
		"no client": givenOffer("", "x", 1, t0, nil),
		"no offer":  givenOffer("c-1", "", 1, t0, nil),
		"seq 0":     givenOffer("c-1", "x", 0, t0, nil),
		"no time":   {OfferRef: card.OfferRef{ClientID: "c-1", OfferID: "x", Seq: 1}},
	} {
		_, err := st.GiveOffers(ctx, []card.GivenOffer{givenOffer("c-2", "ok", 1, t0, nil), g})
		assert.ErrorIs(t, err, card.ErrInvalidInput, name)
	}
	list, err = st.OffersGiven(ctx, "c-2")
	require.NoError(t, err)
	assert.Len(t, list, 1, "a refused batch stores nothing")

	// The offers go with the client.
	p := "p-" + fmt.Sprint(t0.Unix())
	_, err = st.EraseClient(ctx, card.Erasure{ClientID: "c-1", Pseudonym: p, At: t0,
		Audit: auth.AuditEntry{ID: "a-erase", At: t0, ActorID: "c-1", Action: "client.erased", Subject: "c-1"}})
	require.NoError(t, err)
	list, err = st.OffersGiven(ctx, "c-1")
	require.NoError(t, err)
	assert.Empty(t, list, "erased with the client")
}

// testOffersGivenConcurrency: many readers give the same offer at once;
// it is given once.
func testOffersGivenConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	require.NoError(t, st.CreateUser(ctx, newUser("c-1")))
	const n = 16
	stored := make([]int, n)
	errs := parallel(n, func(i int) error {
		g := givenOffer("c-1", "come-back", 1, t0.Add(time.Duration(i)*time.Millisecond), nil)
		var err error
		stored[i], err = st.GiveOffers(ctx, []card.GivenOffer{g})
		return err
	})
	total := 0
	for i, err := range errs {
		require.NoError(t, err)
		total += stored[i]
	}
	assert.Equal(t, 1, total)
	list, err := st.OffersGiven(ctx, "c-1")
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func testServicesSeen(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	fresh, err := st.NoteServices(ctx, []string{"svc-a", "svc-b"}, t0)
	require.NoError(t, err)
	assert.Empty(t, fresh, "the first catalog is not news")

	fresh, err = st.NoteServices(ctx, []string{"svc-a", "svc-b", "svc-c"}, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"svc-c"}, fresh)
	fresh, err = st.NoteServices(ctx, []string{"svc-d", "svc-b"}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"svc-c", "svc-d"}, fresh, "every one not announced, oldest first")

	require.NoError(t, st.MarkServiceAnnounced(ctx, "svc-c", t0.Add(3*time.Hour)))
	require.NoError(t, st.MarkServiceAnnounced(ctx, "svc-unknown", t0.Add(3*time.Hour)))
	fresh, err = st.NoteServices(ctx, nil, t0.Add(4*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{"svc-d"}, fresh)
}

func testMarketingAudience(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	consent := &notify.Consent{At: t0, Source: "cabinet", Version: "2026-01"}
	for i := range 7 {
		id := fmt.Sprintf("c-%d", i)
		require.NoError(t, st.CreateUser(ctx, newUser(id)))
		s := notify.Settings{QuietStart: 22 * 60, QuietEnd: 9 * 60, UpdatedAt: t0}
		if i != 3 { // c-3 saved settings without a consent
			s.MarketingConsent = consent
		}
		if i != 5 { // c-5 never saved any
			require.NoError(t, st.SaveNotificationSettings(ctx, id, s))
		}
	}
	require.NoError(t, st.UpdateUserAccess(ctx, "c-6", []auth.Role{auth.RoleClient}, nil, true))

	var all []string
	after := ""
	for range 10 {
		page, err := st.MarketingAudience(ctx, after, 2)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page), 2)
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1]
	}
	assert.Equal(t, []string{"c-0", "c-1", "c-2", "c-4"}, all, "with a consent, not disabled, in ID order")
}
