package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/cabinet/httpapi"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// discardSender accepts codes and drops them (a real host passes SMS and
// e-mail senders, usually through the cabinet facade).
type discardSender struct{}

func (discardSender) SendCode(context.Context, auth.CodeMessage) error { return nil }

// ExampleNew serves the API for services wired by hand; most hosts get
// the same handler from cabinet.New(…).Handler().
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "httpapi-example")
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "k.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	svc, err := auth.New(auth.Config{Store: st, Sender: discardSender{}, Secret: bytes.Repeat([]byte("x"), 32)})
	if err != nil {
		log.Fatal(err)
	}
	sched, err := booking.New(booking.Config{Store: st})
	if err != nil {
		log.Fatal(err)
	}
	notifier, err := notify.New(notify.Config{Store: st, Contacts: notify.ContactsFunc(func(ctx context.Context, userID string) (notify.Contact, error) {
		u, err := st.UserByID(ctx, userID)
		if errors.Is(err, auth.ErrNotFound) {
			return notify.Contact{}, notify.ErrNotFound
		} else if err != nil {
			return notify.Contact{}, err
		}
		return notify.Contact{Phone: u.Phone, Email: u.Email, Locale: u.Locale}, nil
	})})
	if err != nil {
		log.Fatal(err)
	}
	cards, err := card.New(card.Config{Store: st, Booking: sched, Audit: svc.Audit})
	if err != nil {
		log.Fatal(err)
	}
	h, err := httpapi.New(httpapi.Config{Services: httpapi.Services{Auth: svc, Booking: sched, Notify: notifier, Card: cards}})
	if err != nil {
		log.Fatal(err)
	}

	r := httptest.NewRequest("POST", "/api/v1/auth/code", strings.NewReader(`{"identifier":"+44 7400 123456"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept-Language", "en")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Body)
	fmt.Println(w.Code, strings.TrimSpace(string(body)))
	// Output: 422 {"error":{"code":"invalid_identifier","message":"Codes are not sent by SMS to numbers of this country; use an e-mail address.","field":"identifier"}}
}
