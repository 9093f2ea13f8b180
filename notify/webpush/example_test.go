package webpush_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/webpush"
)

// An operator generates the VAPID key pair once and configures it; the
// cabinet's page gets PublicKey as applicationServerKey.
func Example() {
	public, private, err := webpush.GenerateKeys()
	if err != nil {
		fmt.Println(err)
		return
	}
	sender, err := webpush.New(webpush.Config{
		VAPIDPublicKey:  public,
		VAPIDPrivateKey: private,
		Subscriber:      "mailto:ops@clinic.example",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	applicationServerKey, _ := base64.RawURLEncoding.DecodeString(sender.PublicKey())
	privateKey, _ := base64.RawURLEncoding.DecodeString(private)
	fmt.Println("applicationServerKey:", len(applicationServerKey), "bytes")
	fmt.Println("private key:", len(privateKey), "bytes")
	// Output:
	// applicationServerKey: 65 bytes
	// private key: 32 bytes
}

func ExampleSender_SendPush() {
	// A stand-in push service that accepts everything.
	pushService := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "https://push.example.net/message/1")
		w.WriteHeader(http.StatusCreated)
	}))
	defer pushService.Close()
	// A stand-in browser: the keys its PushSubscription carries.
	browserKey, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)

	public, private, _ := webpush.GenerateKeys()
	sender, err := webpush.New(webpush.Config{
		VAPIDPublicKey:  public,
		VAPIDPrivateKey: private,
		Subscriber:      "mailto:ops@clinic.example",
		// Only because httptest serves http on 127.0.0.1: never in
		// production.
		AllowInsecureEndpoints: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	id, err := sender.SendPush(context.Background(), notify.Push{
		Subscription: notify.Subscription{
			Endpoint: pushService.URL + "/push/abc",
			P256dh:   base64.RawURLEncoding.EncodeToString(browserKey.PublicKey().Bytes()),
			Auth:     base64.RawURLEncoding.EncodeToString(auth),
		},
		Title: "Appointment confirmed",
		Body:  "Tomorrow at 10:00",
		URL:   "/appointments/42",
	})
	switch {
	case errors.Is(err, notify.ErrGone):
		fmt.Println("delete the subscription")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println("accepted as", id)
	}
	// Output:
	// accepted as https://push.example.net/message/1
}
