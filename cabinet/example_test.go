package cabinet_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// Example shows the embedding: open a store, wire the cabinet, mount its
// handler under a prefix of the host's mux, and run its background work.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, _ := os.MkdirTemp("", "kabinet-example")
	defer os.RemoveAll(dir)

	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	outbox := notify.NewDevOutbox(0, nil) // development: nothing leaves the process
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // in production: the same secret on every instance
	cab, err := cabinet.New(cabinet.Config{
		Store:      st,
		Secret:     secret,
		SMS:        outbox, // any notify.SMSSender
		Mail:       outbox, // any notify.MailSender, e.g. notify.NewSMTP(…)
		ClinicName: "Клиника",
	})
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = cab.Run(ctx) }()

	mux := http.NewServeMux()
	mux.Handle("/cabinet/", http.StripPrefix("/cabinet", cab.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/cabinet/api/v1/auth/code", "application/json",
		strings.NewReader(`{"identifier":"8 (912) 345-67-89"}`))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	msg, _ := outbox.Last("+79123456789")
	fmt.Println(resp.StatusCode, msg.Channel, msg.To)
	// Output: 202 sms +79123456789
}

// ExampleCabinet_Campaign gives personal offers and announces them to the
// clients with a marketing consent; a second pass sends nothing again. A
// host that schedules its own jobs sets CampaignEvery to -1 and calls
// Campaign itself.
func ExampleCabinet_Campaign() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "kabinet-example")
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	outbox := notify.NewDevOutbox(0, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: make([]byte, 32), Mail: outbox, CampaignEvery: -1})
	if err != nil {
		log.Fatal(err)
	}
	// The clinic: a branch and a consultation (the welcome offer's item).
	must := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	must(st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "Центр", TimeZone: "Europe/Moscow", Active: true}))
	must(st.UpsertService(ctx, booking.Service{ID: "consult", Name: "Консультация", Category: "consultation",
		Duration: 30 * time.Minute, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true}))
	// A client who agreed to offers in her card.
	must(st.CreateUser(ctx, auth.User{ID: "anna", Email: "anna@example.com", Roles: []auth.Role{auth.RoleClient}, CreatedAt: time.Now()}))
	anna := card.Actor{UserID: "anna", Role: booking.RoleClient}
	_, err = cab.Card().RecordConsent(ctx, anna, "anna", card.ConsentInput{Type: card.ConsentMarketing, Granted: true, TextVersion: "v1"})
	must(err)

	for range 2 {
		res, err := cab.Campaign(ctx)
		must(err)
		fmt.Println(res.Clients, res.OffersGiven, res.OfferMessages)
	}
	// Output:
	// 1 1 1
	// 1 0 0
}
