package cabinet_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// BenchmarkCampaign10k runs the offer and news campaign over 10,000
// clients with a marketing consent, a questionnaire (skin type, concerns,
// birthday) and, for half of them, a completed visit 120 days ago, against
// a catalog of 12 services and the default rules, on SQLite at
// synchronous=FULL. "first" is the first pass on a fresh copy: every client
// gets their offers (welcome, come-back, birthday…) and an e-mail about
// each, and a service added since the last pass is announced to those it
// suits. "steady" is the next pass, when nothing is new: the hourly cost.
//
//	go test -run '^$' -bench Campaign10k -benchtime 3x ./cabinet/
func BenchmarkCampaign10k(b *testing.B) {
	const clients = 10_000
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, msk)
	template := filepath.Join(b.TempDir(), "template.db")
	seedCampaign(b, template, now, clients)

	open := func(b *testing.B, i int) (*sqlite.Store, *cabinet.Cabinet) {
		b.Helper()
		path := filepath.Join(b.TempDir(), fmt.Sprint("run-", i, ".db"))
		copyFile(b, template, path)
		st, err := sqlite.Open(b.Context(), path)
		require.NoError(b, err)
		out := notify.NewDevOutbox(1, nil)
		cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("s"), 32), SMS: out, Mail: out,
			Now: func() time.Time { return now }, PublicURL: "https://clinic.example"})
		require.NoError(b, err)
		return st, cab
	}
	report := func(b *testing.B, msgs, news int) {
		perOp := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(clients/perOp, "clients/s")
		b.ReportMetric(float64(msgs)/float64(b.N), "messages/op")
		b.ReportMetric(float64(news)/float64(b.N), "new-service-msgs/op")
	}

	b.Run("first", func(b *testing.B) {
		msgs, news := 0, 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			st, cab := open(b, i)
			b.StartTimer()

			res, err := cab.Campaign(b.Context())

			b.StopTimer()
			require.NoError(b, err)
			require.Equal(b, clients, res.Clients)
			require.Equal(b, []string{"svc-new"}, res.NewServices)
			require.Positive(b, res.NewServiceMessages)
			require.Less(b, res.NewServiceMessages, clients, "never a broadcast")
			require.GreaterOrEqual(b, res.OfferMessages, clients, "a welcome or come-back offer each")
			msgs += res.OfferMessages + res.NewServiceMessages
			news += res.NewServiceMessages
			require.NoError(b, st.Close())
			b.StartTimer()
		}
		b.StopTimer()
		report(b, msgs, news)
	})
	b.Run("steady", func(b *testing.B) {
		b.StopTimer()
		st, cab := open(b, -1)
		defer st.Close()
		_, err := cab.Campaign(b.Context())
		require.NoError(b, err)
		b.StartTimer()
		for i := 0; i < b.N; i++ {
			res, err := cab.Campaign(b.Context())
			require.NoError(b, err)
			require.Zero(b, res.OffersGiven+res.OfferMessages+res.NewServiceMessages, "nothing twice")
		}
		b.StopTimer()
		report(b, 0, 0)
	})
}

func seedCampaign(b *testing.B, path string, now time.Time, clients int) {
	b.Helper()
	ctx := b.Context()
	st, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	defer st.Close()
	require.NoError(b, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "На Тверской", Address: "Москва, Тверская, 1",
		TimeZone: "Europe/Moscow", Active: true}))
	services := []booking.Service{
		{ID: "consult", Name: "Консультация", Category: "consultation"},
		{ID: "peel-almond", Name: "Миндальный пилинг", Category: "peel", Tags: []string{"chemical_peel", "acne", "pigmentation", "pregnancy"}},
		{ID: "peel-tca", Name: "ТСА-пилинг", Category: "peel", Tags: []string{"chemical_peel", "deep_peel", "pigmentation", "wrinkles", "pregnancy", "sunburn"}},
		{ID: "cleansing", Name: "Ультразвуковая чистка", Category: "cleansing", Tags: []string{"oily", "combination", "enlarged_pores", "acne"}},
		{ID: "biorevit", Name: "Биоревитализация", Category: "injection", Tags: []string{"injectable", "dehydration", "wrinkles", "pregnancy", "anticoagulants"}},
		{ID: "botox", Name: "Ботулинотерапия", Category: "injection", Tags: []string{"injectable", "wrinkles", "pregnancy", "breastfeeding"}},
		{ID: "laser-ipl", Name: "IPL-фотоомоложение", Category: "laser", Tags: []string{"laser", "energy_based", "rosacea", "pigmentation", "pregnancy"}},
		{ID: "massage", Name: "Массаж лица", Category: "massage", Tags: []string{"loss_of_firmness", "dullness"}},
		{ID: "moist", Name: "Увлажняющий уход", Category: "care", Tags: []string{"dry", "sensitive", "dehydration"}},
		{ID: "calm", Name: "Успокаивающий уход", Category: "care", Tags: []string{"sensitive", "rosacea", "sensitivity"}},
		{ID: "rf-lift", Name: "RF-лифтинг", Category: "hardware", Tags: []string{"energy_based", "loss_of_firmness", "pregnancy", "pacemaker"}},
	}
	upsert := func(svc booking.Service) {
		svc.Duration, svc.BranchIDs, svc.Active, svc.OnlineBooking = time.Hour, []string{"b1"}, true, true
		svc.Price = booking.Money{Amount: 350000, Currency: "RUB"}
		require.NoError(b, st.UpsertService(ctx, svc))
	}
	for _, svc := range services {
		upsert(svc)
	}
	var all []booking.SpecialistService
	for _, svc := range services {
		all = append(all, booking.SpecialistService{ServiceID: svc.ID})
	}
	const specialists = 20
	for s := range specialists {
		require.NoError(b, st.UpsertSpecialist(ctx, booking.Specialist{ID: fmt.Sprint("sp-", s), Name: fmt.Sprint("Специалист ", s),
			BranchIDs: []string{"b1"}, Active: true, Services: all}))
	}
	out := notify.NewDevOutbox(1, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("s"), 32), Mail: out,
		Now: func() time.Time { return now.Add(-time.Hour) }, CampaignEvery: -1})
	require.NoError(b, err)
	// The clinic's first campaign saw these services: the next one added is news.
	var seen []string
	for _, svc := range services {
		seen = append(seen, svc.ID)
	}
	_, err = st.NoteServices(ctx, seen, now.Add(-time.Hour))
	require.NoError(b, err)
	upsert(booking.Service{ID: "svc-new", Name: "Карбокситерапия", Category: "care", Tags: []string{"dullness", "dehydration"}})

	skins := []card.SkinType{card.SkinNormal, card.SkinDry, card.SkinOily, card.SkinCombination, card.SkinSensitive}
	concerns := card.ConcernCodes()
	visit := now.Add(-120 * 24 * time.Hour)
	parallel(b, clients, func(c int) error {
		id := fmt.Sprint("client-", c)
		if err := st.CreateUser(ctx, auth.User{ID: id, Email: fmt.Sprintf("client%d@example.com", c),
			Roles: []auth.Role{auth.RoleClient}, Locale: "ru", CreatedAt: now}); err != nil {
			return err
		}
		who := card.Actor{UserID: id, Role: booking.RoleClient}
		for _, ty := range []card.ConsentType{card.ConsentHealthData, card.ConsentMarketing} {
			if _, err := cab.Card().RecordConsent(ctx, who, id, card.ConsentInput{Type: ty, Granted: true, TextVersion: "v1"}); err != nil {
				return err
			}
		}
		skin := skins[c%len(skins)]
		list := []card.Concern{{Code: concerns[c%len(concerns)], Severity: 1 + c%3}}
		if second := concerns[(c/7)%len(concerns)]; second != list[0].Code {
			list = append(list, card.Concern{Code: second, Severity: 2})
		}
		birth := booking.Date{Year: 1970 + c%35, Month: time.Month(1 + c%12), Day: 1 + c%28}
		if _, err := cab.Card().UpdateProfile(ctx, who, id, card.ProfileChange{SkinType: &skin, Concerns: &list, BirthDate: &birth}); err != nil {
			return err
		}
		if c%2 == 1 {
			return nil
		}
		svc := services[1+c%(len(services)-1)]
		// Visit c/2: specialist c/2 mod 20, hourly: nothing overlaps.
		start := visit.Add(time.Duration(c/2/specialists) * time.Hour)
		a := booking.Appointment{ID: fmt.Sprint("a-", c), ClientID: id, BranchID: "b1", ServiceID: svc.ID,
			SpecialistID: fmt.Sprint("sp-", c/2%specialists),
			Start:        start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(time.Hour),
			Status: booking.StatusCompleted, Price: booking.Money{Amount: 350000, Currency: "RUB"}, CreatedBy: "seed", CreatedAt: visit}
		_, _, err := st.CreateAppointment(ctx, a, "", booking.Event{Type: booking.EventBooked, At: visit})
		return err
	})
}
