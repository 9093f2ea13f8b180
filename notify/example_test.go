package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/kabinet-dev/kabinet/notify"
)

// Render the sign-in code for each channel, then deliver it. Here the
// DevOutbox stands in for the real senders.
func ExampleTemplates_Render() {
	tpl, err := notify.NewTemplates(nil, "") // embedded templates, default locale "ru"
	if err != nil {
		panic(err)
	}
	data := notify.CodeData{Code: "482913", ClinicName: "Клиника Здоровье", TTLMinutes: 5, Locale: "ru", Purpose: notify.PurposeSignIn}

	sms, err := tpl.Render(notify.KindCode, data.Locale, notify.ChannelSMS, data)
	if err != nil {
		panic(err)
	}
	fmt.Println(sms.Text)

	mail, err := tpl.Render(notify.KindCode, "en-US", notify.ChannelEmail, data)
	if err != nil {
		panic(err)
	}
	fmt.Println(mail.Subject)
	fmt.Println(mail.HTML != "")
	// Output:
	// 482913 — код для входа. Клиника Здоровье. Никому не сообщайте.
	// Your sign-in code — Клиника Здоровье
	// true
}

func ExamplePlural() {
	for _, n := range []int{1, 2, 5, 11, 21, 22, 111} {
		fmt.Println(n, notify.Plural("ru", n, "минута", "минуты", "минут"))
	}
	fmt.Println(1, notify.Plural("en", 1, "minute", "minutes"))
	fmt.Println(2, notify.Plural("en", 2, "minute", "minutes"))
	// Output:
	// 1 минута
	// 2 минуты
	// 5 минут
	// 11 минут
	// 21 минута
	// 22 минуты
	// 111 минут
	// 1 minute
	// 2 minutes
}

// In development nothing leaves the machine: the outbox keeps messages
// and shows them over HTTP.
func ExampleDevOutbox() {
	clock := func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }
	outbox := notify.NewDevOutbox(100, clock)

	var sms notify.SMSSender = outbox
	var mail notify.MailSender = outbox
	ctx := context.Background()
	_, _ = sms.SendSMS(ctx, notify.SMS{To: "+79123456789", Text: "482913 — код для входа."})
	_, _ = mail.SendMail(ctx, notify.Mail{To: "anna@example.org", Subject: "Code", Text: "111111"})

	last, ok := outbox.Last("+79123456789")
	fmt.Println(ok, last.Channel, last.Body)

	rec := httptest.NewRecorder()
	outbox.JSONHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dev/outbox", nil))
	fmt.Print(rec.Body.String())
	// Output:
	// true sms 482913 — код для входа.
	// {"messages":[{"id":"dev-1","channel":"sms","to":"+79123456789","subject":"","body":"482913 — код для входа.","created_at":"2025-03-01T09:00:00Z"},{"id":"dev-2","channel":"email","to":"anna@example.org","subject":"Code","body":"111111","created_at":"2025-03-01T09:00:00Z"}]}
}

// Callers branch on ErrPermanent and ErrTemporary, never on error text.
func ExampleWebhookSMS() {
	bridge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer bridge.Close()

	sender, err := notify.NewWebhookSMS(notify.WebhookSMSConfig{
		URL:     bridge.URL + "/sms",
		Headers: map[string]string{"Authorization": "Bearer token"},
	})
	if err != nil {
		panic(err)
	}
	_, err = sender.SendSMS(context.Background(), notify.SMS{To: "+79123456789", Text: "482913 — код для входа."})
	switch {
	case err == nil:
		fmt.Println("sent")
	case errors.Is(err, notify.ErrTemporary):
		fmt.Println("retry later:", err)
	case errors.Is(err, notify.ErrPermanent):
		fmt.Println("give up:", err)
	}
	// Output:
	// retry later: notify: temporary delivery failure: webhook: HTTP 429 Too Many Requests
}

// A production SMTP sender: STARTTLS on port 587 by default, AUTH when a
// username is set.
func ExampleNewSMTP() {
	sender, err := notify.NewSMTP(notify.SMTPConfig{
		Host:     "smtp.clinic.example",
		Username: "no-reply@clinic.example",
		Password: "app-password",
		From:     "Клиника Здоровье <no-reply@clinic.example>",
	})
	if err != nil {
		panic(err)
	}
	var _ notify.MailSender = sender
	fmt.Println("configured")
	// Output:
	// configured
}
