package smsru_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/smsru"
)

// Send a sign-in code through SMS.ru. Here an httptest server answers the
// way sms.ru/sms/send does: it accepts one number and reports another as
// wrong.
func Example() {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		if form.Get("to") == "79123456789" {
			_, _ = io.WriteString(w, `{"status":"OK","status_code":100,"sms":{"79123456789":{"status":"OK","status_code":100,"sms_id":"000000-10000001"}},"balance":41.5}`)
			return
		}
		_, _ = io.WriteString(w, `{"status":"OK","status_code":100,"sms":{"`+form.Get("to")+`":{"status":"ERROR","status_code":202,"status_text":"Неправильно указан номер"}},"balance":41.5}`)
	}))
	defer fake.Close()

	sender, err := smsru.New(smsru.Config{
		APIKey:  "your-api-id",
		From:    "Zdorovie",
		BaseURL: fake.URL, // leave empty for https://sms.ru
	})
	if err != nil {
		panic(err)
	}
	var sms notify.SMSSender = sender
	ctx := context.Background()

	id, err := sms.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "482913 — код для входа."})
	fmt.Println(id, err)

	_, err = sms.SendSMS(ctx, notify.SMS{To: "+79000000000", Text: "482913 — код для входа."})
	fmt.Println(err)
	fmt.Println("retry later:", errors.Is(err, notify.ErrTemporary))
	// Output:
	// 000000-10000001 <nil>
	// notify: permanent delivery failure: smsru: status 202 (wrong recipient number or no route)
	// retry later: false
}
