package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/smsru"
	"github.com/kabinet-dev/kabinet/notify/twilio"
	"github.com/kabinet-dev/kabinet/notify/webpush"
)

// Twilio SIDs of the right shape; the tokens and keys below are made up.
const (
	testAccountSID = "AC0123456789abcdef0123456789abcdef"
	testServiceSID = "MG0123456789abcdef0123456789abcdef"
)

func TestSMSProviderFromEnv(t *testing.T) {
	t.Parallel()
	t.Run("chosen", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			env    env
			want   string
			sender any
			check  func(t *testing.T, p *smsProvider)
		}{
			{"SMS.ru", env{"KABINET_SMSRU_API_KEY": "smsru-key-1"}, smsSMSRU, &smsru.Sender{}, func(t *testing.T, p *smsProvider) {
				assert.Equal(t, smsru.Config{APIKey: "smsru-key-1"}, *p.smsru)
			}},
			{"SMS.ru with a sender name", env{"KABINET_SMSRU_API_KEY": "smsru-key-1", "KABINET_SMSRU_FROM": "Clinic"}, smsSMSRU, &smsru.Sender{},
				func(t *testing.T, p *smsProvider) {
					assert.Equal(t, smsru.Config{APIKey: "smsru-key-1", From: "Clinic"}, *p.smsru)
				}},
			{"Twilio from a number", env{"KABINET_TWILIO_ACCOUNT_SID": testAccountSID, "KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1",
				"KABINET_TWILIO_FROM": "+15005550006"}, smsTwilio, &twilio.Sender{}, func(t *testing.T, p *smsProvider) {
				assert.Equal(t, twilio.Config{AccountSID: testAccountSID, AuthToken: "twilio-token-1", From: "+15005550006"}, *p.twilio)
			}},
			{"Twilio through a Messaging Service", env{"KABINET_TWILIO_ACCOUNT_SID": testAccountSID, "KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1",
				"KABINET_TWILIO_MESSAGING_SERVICE_SID": testServiceSID}, smsTwilio, &twilio.Sender{}, func(t *testing.T, p *smsProvider) {
				assert.Equal(t, testServiceSID, p.twilio.MessagingServiceSID)
				assert.Empty(t, p.twilio.From)
			}},
			{"webhook", env{"KABINET_SMS_WEBHOOK_URL": "https://bridge.example/sms", "KABINET_SMS_WEBHOOK_TOKEN": "bridge-token-1"},
				smsWebhook, &notify.WebhookSMS{}, func(t *testing.T, p *smsProvider) {
					assert.Equal(t, "https://bridge.example/sms", p.webhook.URL)
					assert.Equal(t, map[string]string{"Authorization": "Bearer bridge-token-1"}, p.webhook.Headers)
				}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c, err := parseConfig(nil, tc.env.get, io.Discard)
				require.NoError(t, err)
				require.NotNil(t, c.sms)
				assert.Equal(t, tc.want, c.sms.name)
				tc.check(t, c.sms)
				s, err := c.sms.sender()
				require.NoError(t, err)
				assert.IsType(t, tc.sender, s)
			})
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			env  env
			want []string // every one is in the error
		}{
			{"SMS.ru and Twilio", env{"KABINET_SMSRU_API_KEY": "smsru-key-1", "KABINET_TWILIO_ACCOUNT_SID": testAccountSID,
				"KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1", "KABINET_TWILIO_FROM": "+15005550006"},
				[]string{"SMS.ru", "KABINET_SMSRU_API_KEY", "Twilio", "KABINET_TWILIO_ACCOUNT_SID", "KABINET_TWILIO_AUTH_TOKEN"}},
			{"SMS.ru and webhook", env{"KABINET_SMSRU_API_KEY": "smsru-key-1", "KABINET_SMS_WEBHOOK_URL": "https://bridge.example/sms?key=url-secret-1"},
				[]string{"SMS.ru", "KABINET_SMSRU_API_KEY", "webhook", "KABINET_SMS_WEBHOOK_URL"}},
			{"all three", env{"KABINET_SMSRU_FROM": "Clinic", "KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1", "KABINET_SMS_WEBHOOK_TOKEN": "bridge-token-1"},
				[]string{"KABINET_SMSRU_FROM", "KABINET_TWILIO_AUTH_TOKEN", "KABINET_SMS_WEBHOOK_TOKEN"}},
			{"Twilio SID without token", env{"KABINET_TWILIO_ACCOUNT_SID": testAccountSID, "KABINET_TWILIO_FROM": "+15005550006"},
				[]string{"KABINET_TWILIO_AUTH_TOKEN"}},
			{"Twilio token without SID", env{"KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1", "KABINET_TWILIO_FROM": "+15005550006"},
				[]string{"KABINET_TWILIO_ACCOUNT_SID"}},
			{"Twilio without a sender", env{"KABINET_TWILIO_ACCOUNT_SID": testAccountSID, "KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1"},
				[]string{"KABINET_TWILIO_FROM", "KABINET_TWILIO_MESSAGING_SERVICE_SID"}},
			{"Twilio malformed SID", env{"KABINET_TWILIO_ACCOUNT_SID": "SK0123456789abcdef0123456789abcdef",
				"KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1", "KABINET_TWILIO_FROM": "+15005550006"}, []string{"KABINET_TWILIO_ACCOUNT_SID"}},
			{"Twilio malformed service SID", env{"KABINET_TWILIO_ACCOUNT_SID": testAccountSID, "KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1",
				"KABINET_TWILIO_MESSAGING_SERVICE_SID": "service-1"}, []string{"KABINET_TWILIO_MESSAGING_SERVICE_SID"}},
			{"SMS.ru sender without key", env{"KABINET_SMSRU_FROM": "Clinic"}, []string{"KABINET_SMSRU_API_KEY"}},
			{"webhook token without URL", env{"KABINET_SMS_WEBHOOK_TOKEN": "bridge-token-1"}, []string{"KABINET_SMS_WEBHOOK_URL"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := parseConfig(nil, tc.env.get, io.Discard)
				require.Error(t, err)
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w)
				}
				for _, secret := range []string{"smsru-key-1", "twilio-token-1", "bridge-token-1", "url-secret-1"} {
					assert.NotContains(t, err.Error(), secret, "a secret is never repeated")
				}
			})
		}
	})

	t.Run("at run time", func(t *testing.T) {
		t.Parallel()
		// A provider for SMS and none for e-mail: dev mode for e-mail only,
		// and the hint names only what is missing.
		d := newDirs(t)
		err := run(t.Context(), []string{"-addr", "0.0.0.0:0", "-db", d.db, "-data", d.data},
			env{"KABINET_TWILIO_ACCOUNT_SID": testAccountSID, "KABINET_TWILIO_AUTH_TOKEN": "twilio-token-1", "KABINET_TWILIO_FROM": "+15005550006"}.get,
			io.Discard, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no provider for email")
		assert.Contains(t, err.Error(), "KABINET_SMTP_HOST")
		assert.NotContains(t, err.Error(), "KABINET_SMS_WEBHOOK_URL")

		srv := start(t, newDirs(t), env{"KABINET_SMSRU_API_KEY": "smsru-key-1"})
		assert.Contains(t, srv.log.String(), "sms=smsru")
		assert.Contains(t, srv.log.String(), "configure SMTP (KABINET_SMTP_HOST…)")
		assert.NotContains(t, srv.log.String(), "smsru-key-1")
	})
}

func TestPublicURL(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"https://clinic.example", "http://127.0.0.1:8080/cabinet/", "https://clinic.example/cabinet"} {
		c, err := parseConfig(nil, env{"KABINET_PUBLIC_URL": v}.get, io.Discard)
		require.NoError(t, err, v)
		assert.Equal(t, v, c.publicURL)
	}
	c, err := parseConfig([]string{"-public-url", "https://flag.example"}, env{"KABINET_PUBLIC_URL": "https://env.example"}.get, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "https://flag.example", c.publicURL, "the flag wins")

	for _, v := range []string{
		"clinic.example", "/cabinet", "ftp://clinic.example", "https://", "https://clinic.example/?from=sms",
		"https://clinic.example/?", "https://clinic.example/#top", "https://clinic.example/#", "https://user:pass@clinic.example",
		"mailto:admin@clinic.example", "https://clinic .example",
	} {
		_, err := parseConfig(nil, env{"KABINET_PUBLIC_URL": v}.get, io.Discard)
		require.Error(t, err, v)
		assert.Contains(t, err.Error(), "KABINET_PUBLIC_URL", v)
		_, err = parseConfig([]string{"-public-url", v}, env{}.get, io.Discard)
		require.Error(t, err, v)
		assert.Contains(t, err.Error(), "-public-url", v)
	}
}

func TestVAPIDConfig(t *testing.T) {
	t.Parallel()
	pub, priv, err := webpush.GenerateKeys()
	require.NoError(t, err)
	_, otherPriv, err := webpush.GenerateKeys()
	require.NoError(t, err)

	c, err := parseConfig(nil, env{"KABINET_VAPID_PUBLIC_KEY": pub, "KABINET_VAPID_PRIVATE_KEY": priv,
		"KABINET_VAPID_SUBJECT": "mailto:admin@clinic.example"}.get, io.Discard)
	require.NoError(t, err)
	require.NotNil(t, c.vapid)
	assert.Equal(t, vapidKeys{Public: pub, Private: priv}, *c.vapid)
	assert.Equal(t, "mailto:admin@clinic.example", c.vapidSubject)

	c, err = parseConfig([]string{"-vapid-subject", "https://clinic.example/contact"}, env{"KABINET_VAPID_SUBJECT": "mailto:env@clinic.example"}.get, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "https://clinic.example/contact", c.vapidSubject, "the flag wins")

	for _, tc := range []struct {
		name string
		env  env
		want string
	}{
		{"public only", env{"KABINET_VAPID_PUBLIC_KEY": pub}, "KABINET_VAPID_PRIVATE_KEY"},
		{"private only", env{"KABINET_VAPID_PRIVATE_KEY": priv}, "KABINET_VAPID_PUBLIC_KEY"},
		{"not a key", env{"KABINET_VAPID_PUBLIC_KEY": pub, "KABINET_VAPID_PRIVATE_KEY": "c2hvcnQ"}, "KABINET_VAPID_PRIVATE_KEY"},
		{"not a pair", env{"KABINET_VAPID_PUBLIC_KEY": pub, "KABINET_VAPID_PRIVATE_KEY": otherPriv}, "does not belong"},
		{"subject without mailto", env{"KABINET_VAPID_SUBJECT": "admin@clinic.example"}, "KABINET_VAPID_SUBJECT"},
		{"subject over http", env{"KABINET_VAPID_SUBJECT": "http://clinic.example"}, "KABINET_VAPID_SUBJECT"},
		{"subject mailto without address", env{"KABINET_VAPID_SUBJECT": "mailto:admin"}, "KABINET_VAPID_SUBJECT"},
	} {
		_, err := parseConfig(nil, tc.env.get, io.Discard)
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.NotContains(t, err.Error(), priv, tc.name)
		assert.NotContains(t, err.Error(), otherPriv, tc.name)
	}
}

// vapidInfo returns the push part of the caller's notification settings
// and the channels offered.
func vapidInfo(t *testing.T, base, token string) (push *struct {
	VAPIDPublicKey string `json:"vapid_public_key"`
}, channels []string) {
	t.Helper()
	var doc struct {
		Push *struct {
			VAPIDPublicKey string `json:"vapid_public_key"`
		} `json:"push"`
		AvailableChannels []string `json:"available_channels"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, base+"/api/v1/me/notification-settings", token, nil, &doc))
	return doc.Push, doc.AvailableChannels
}

func readVAPIDFile(t *testing.T, data string) vapidKeys {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, vapidFile))
	require.NoError(t, err)
	var k vapidKeys
	require.NoError(t, json.Unmarshal(b, &k))
	return k
}

func TestVAPIDKeyFile(t *testing.T) {
	t.Parallel()
	d := newDirs(t)
	srv := start(t, d, env{}) // dev mode: push goes to the dev outbox
	token, _ := signIn(t, srv.base, "+7 912 345-67-89", "sms", "+79123456789")
	push, channels := vapidInfo(t, srv.base, token)
	require.NoError(t, srv.stop())

	path := filepath.Join(d.data, vapidFile)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	first := readVAPIDFile(t, d.data)
	_, err = checkVAPIDKeys(first.Public, first.Private, "public", "private")
	require.NoError(t, err, "the file holds a key pair")
	require.NotNil(t, push, "dev mode offers push")
	assert.Equal(t, first.Public, push.VAPIDPublicKey)
	assert.Contains(t, channels, "push")
	assert.Equal(t, 1, strings.Count(srv.log.String(), "created a new VAPID key pair"))
	assert.NotContains(t, srv.log.String(), first.Private)

	again := start(t, d, env{})
	push, _ = vapidInfo(t, again.base, token)
	require.NotNil(t, push)
	assert.Equal(t, first.Public, push.VAPIDPublicKey, "the same key after a restart")
	assert.Equal(t, first, readVAPIDFile(t, d.data), "the file is read, not replaced")
	assert.NotContains(t, again.log.String(), "created a new VAPID key pair")

	t.Run("env keys win", func(t *testing.T) {
		t.Parallel()
		pub, priv, err := webpush.GenerateKeys()
		require.NoError(t, err)
		d := newDirs(t)
		srv := start(t, d, env{"KABINET_VAPID_PUBLIC_KEY": pub, "KABINET_VAPID_PRIVATE_KEY": priv})
		token, _ := signIn(t, srv.base, "env@example.com", "email", "env@example.com")
		push, _ := vapidInfo(t, srv.base, token)
		require.NotNil(t, push)
		assert.Equal(t, pub, push.VAPIDPublicKey)
		assert.NoFileExists(t, filepath.Join(d.data, vapidFile))
	})
	t.Run("damaged file", func(t *testing.T) {
		t.Parallel()
		d := newDirs(t)
		require.NoError(t, os.MkdirAll(d.data, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(d.data, vapidFile), []byte(`{"public_key":"x","private_key":"y"}`), 0o600))
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-db", d.db, "-data", d.data}, env{}.get, io.Discard, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), vapidFile)
	})
}

// bridge is a fake SMS webhook bridge that keeps what it receives.
type bridge struct {
	mu   sync.Mutex
	msgs []notify.SMS
	auth []string
}

func newBridge(t *testing.T) (*bridge, string) {
	t.Helper()
	b := &bridge{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Text string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		b.msgs = append(b.msgs, notify.SMS{To: m.To, Text: m.Text})
		b.auth = append(b.auth, r.Header.Get("Authorization"))
		b.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return b, srv.URL + "/sms"
}

func (b *bridge) messages() []notify.SMS {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.msgs)
}

// signInByBridge signs in with a phone whose code the bridge received.
func signInByBridge(t *testing.T, base string, b *bridge, phone string) string {
	t.Helper()
	var ticket struct {
		ChallengeID string `json:"challenge_id"`
	}
	require.Equal(t, http.StatusAccepted, call(t, http.MethodPost, base+"/api/v1/auth/code", "",
		map[string]string{"identifier": phone}, &ticket))
	msgs := b.messages()
	require.NotEmpty(t, msgs)
	last := msgs[len(msgs)-1]
	require.Equal(t, phone, last.To)
	code := sixDigits.FindString(last.Text)
	require.NotEmpty(t, code)
	var res struct {
		Token string `json:"token"`
	}
	require.Equal(t, http.StatusOK, call(t, http.MethodPost, base+"/api/v1/auth/verify", "",
		map[string]string{"challenge_id": ticket.ChallengeID, "code": code}, &res))
	return res.Token
}

// TestPushOutsideDevMode: with every provider configured, push is off
// without -vapid-subject (and no key file is made), and real with it.
func TestPushOutsideDevMode(t *testing.T) {
	t.Parallel()
	providers := func(bridgeURL string) env {
		return env{
			"KABINET_SMS_WEBHOOK_URL":   bridgeURL,
			"KABINET_SMS_WEBHOOK_TOKEN": "bridge-token-1",
			"KABINET_SMTP_HOST":         "127.0.0.1",
			"KABINET_SMTP_PORT":         "1", // never called here
			"KABINET_SMTP_FROM":         "Clinic <no-reply@clinic.example>",
			"KABINET_SMTP_SECURITY":     "plain",
		}
	}
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		b, u := newBridge(t)
		d := newDirs(t)
		srv := start(t, d, providers(u))
		token := signInByBridge(t, srv.base, b, "+79123456789")
		assert.Equal(t, []string{"Bearer bridge-token-1"}, b.auth, "the webhook provider is used, with its token")
		push, channels := vapidInfo(t, srv.base, token)
		assert.Nil(t, push)
		assert.NotContains(t, channels, "push")
		assert.NoFileExists(t, filepath.Join(d.data, vapidFile))
		assert.Contains(t, srv.log.String(), "Web Push is off; to turn it on, set -vapid-subject (KABINET_VAPID_SUBJECT)")
		assert.Contains(t, srv.log.String(), "dev_mode=false sms=webhook push=off")
	})
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		b, u := newBridge(t)
		d := newDirs(t)
		srv := start(t, d, providers(u), "-vapid-subject", "mailto:admin@clinic.example")
		token := signInByBridge(t, srv.base, b, "+79123456789")
		push, channels := vapidInfo(t, srv.base, token)
		require.NotNil(t, push)
		assert.Equal(t, readVAPIDFile(t, d.data).Public, push.VAPIDPublicKey)
		assert.Contains(t, channels, "push")
		assert.Contains(t, srv.log.String(), "push=webpush")
		assert.NotContains(t, srv.log.String(), "Web Push is off")
		assert.NotContains(t, srv.log.String(), "admin@clinic.example", "the contact is not logged")
	})
}

// TestBookingConfirmationEndToEnd: in the real binary path cab.Run plans the
// confirmation of a booking and dispatches it to the dev outbox.
func TestBookingConfirmationEndToEnd(t *testing.T) {
	t.Parallel()
	d := newDirs(t)
	srv := start(t, d, env{})
	const phone = "+79161112233"
	token, _ := signIn(t, srv.base, "8 (916) 111-22-33", "sms", phone)

	push, _ := vapidInfo(t, srv.base, token)
	require.NotNil(t, push, "dev mode offers push")
	assert.Equal(t, readVAPIDFile(t, d.data).Public, push.VAPIDPublicKey)

	msk, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	from := time.Now().In(msk)
	var slots struct {
		Slots []struct {
			Start time.Time `json:"start"`
		} `json:"slots"`
	}
	url := fmt.Sprintf("%s/api/v1/slots?service_id=svc-peel-almond&branch_id=%s&from=%s&to=%s", srv.base, demoBranchCenter,
		from.Format(time.DateOnly), from.AddDate(0, 0, 13).Format(time.DateOnly))
	require.Equal(t, http.StatusOK, call(t, http.MethodGet, url, "", nil, &slots))
	require.NotEmpty(t, slots.Slots)
	var appt struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	body := map[string]any{"service_id": "svc-peel-almond", "branch_id": demoBranchCenter, "start": slots.Slots[0].Start.Format(time.RFC3339)}
	require.Equal(t, http.StatusCreated, call(t, http.MethodPost, srv.base+"/api/v1/me/appointments", token, body, &appt))
	require.Equal(t, "confirmed", appt.Status)

	// A hang guard, not a speed check: planning runs every second.
	var confirmation notify.OutboxMessage
	require.Eventually(t, func() bool {
		var doc outboxDoc
		if call(t, http.MethodGet, srv.base+"/dev/outbox", "", nil, &doc) != http.StatusOK {
			return false
		}
		for _, m := range doc.Messages {
			if m.To == phone && m.Channel == notify.ChannelSMS && !sixDigits.MatchString(m.Body) {
				confirmation = m
				return true
			}
		}
		return false
	}, 2*time.Minute, 100*time.Millisecond, "no booking confirmation SMS; log:\n%s", srv.log.String())
	assert.Contains(t, confirmation.Body, "Вы записаны на")
	assert.Contains(t, confirmation.Body, "Kabinet demo clinic")
	assert.NotContains(t, confirmation.Body, "пилинг", "an SMS never names the procedure")
}

// TestDemoAftercare: every follow-up of the demo clinic belongs to one of
// its services or categories.
func TestDemoAftercare(t *testing.T) {
	t.Parallel()
	ids, categories := map[string]bool{}, map[string]bool{}
	for _, s := range demoServices() {
		ids[s.ID], categories[s.Category] = true, true
	}
	ac := demoAftercare()
	for _, key := range []string{"category:peel", "category:laser", "category:cleansing", "category:injection", "svc-biorevitalization"} {
		assert.Contains(t, ac, key)
	}
	for key, steps := range ac {
		if c, ok := strings.CutPrefix(key, "category:"); ok {
			assert.True(t, categories[c], "%s: no such demo category", key)
		} else {
			assert.True(t, ids[key], "%s: no such demo service", key)
		}
		require.NotEmpty(t, steps, key)
		assert.Equal(t, notify.KindAftercareCheck, steps[0].Kind, key)
		assert.Equal(t, 24*time.Hour, steps[0].After, key)
		for _, st := range steps[1:] {
			assert.Equal(t, notify.KindAftercarePhoto, st.Kind, key)
			assert.Equal(t, 7*24*time.Hour, st.After, key)
		}
	}
}
