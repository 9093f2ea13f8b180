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

	"github.com/kabinet-dev/kabinet/cabinet"
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
