package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/twilio"
)

// Send a sign-in code through Twilio. Here an httptest server answers the
// way Create a Message does: 201 with the new message's SID for one number,
// and 400 with error 21610 for a recipient who replied STOP.
func Example() {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("To") != "+79123456789" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid":"SM1f0e8ae6ade43cb3c0ce4525424e404f","status":"queued"}`)
	}))
	defer fake.Close()

	sender, err := twilio.New(twilio.Config{
		AccountSID: "AC0123456789abcdef0123456789abcdef",
		AuthToken:  "your-auth-token",
		From:       "+15005550006",
		BaseURL:    fake.URL, // leave empty for https://api.twilio.com
	})
	if err != nil {
		panic(err)
	}
	var sms notify.SMSSender = sender
	ctx := context.Background()

	id, err := sms.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "482913 is your sign-in code."})
	fmt.Println(id, err)

	_, err = sms.SendSMS(ctx, notify.SMS{To: "+447700900123", Text: "482913 is your sign-in code."})
	fmt.Println(err)
	fmt.Println("retry later:", errors.Is(err, notify.ErrTemporary))
	// Output:
	// SM1f0e8ae6ade43cb3c0ce4525424e404f <nil>
	// notify: permanent delivery failure: twilio: HTTP 400 Bad Request, error 21610 (recipient unsubscribed with STOP)
	// retry later: false
}
