package httpapi_test

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

const settingsPath = "/api/v1/me/notification-settings"

// errorOf returns the error object of an error body.
func errorOf(t *testing.T, r res) map[string]any {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	require.True(t, ok, "no error object in %s", r.body)
	return e
}

func TestNotificationSettingsDefaults(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")

	r := h.do(req{method: "GET", path: settingsPath, token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	m := r.json(t)
	assert.Equal(t, map[string]any{
		"appointments": []any{"sms", "email", "push"},
		"reminders":    []any{"sms", "push"},
		"offers":       []any{"email", "push"},
		"new_services": []any{"email"},
		"orders":       []any{"email", "push"},
	}, m["channels"], "the defaults, and no security category")
	assert.Equal(t, map[string]any{"given": false, "granted": false}, m["marketing_consent"])
	assert.Equal(t, map[string]any{"start": "21:00", "end": "09:00"}, m["quiet_hours"])
	assert.Equal(t, "Europe/Moscow", m["time_zone"])
	assert.Equal(t, []any{"sms", "email", "push"}, m["available_channels"])
	assert.Equal(t, map[string]any{"vapid_public_key": testVAPIDKey}, m["push"])
	assert.Equal(t, "Коды для входа всегда приходят на телефон или e-mail, с которым вы входите.", m["security"])

	r = h.do(req{method: "GET", path: settingsPath, token: anna.token, header: map[string]string{"Accept-Language": "en"}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, "Sign-in codes always go to the phone or e-mail you sign in with.", r.json(t)["security"])
}

func TestNotificationSettingsWithoutPush(t *testing.T) {
	h := newHarness(t, func(c *cabinet.Config) { c.Push, c.VAPIDPublicKey = nil, "" })
	anna := h.signIn("+79123456789", "+79123456789")
	m := h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t)
	assert.Equal(t, []any{"sms", "email"}, m["available_channels"])
	assert.NotContains(t, m, "push")
}

func TestNotificationSettingsUpdate(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")

	// A round trip: what PUT answers is what GET shows afterwards.
	r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: map[string]any{
		"channels":    map[string]any{"offers": []string{"email"}, "reminders": []string{}},
		"quiet_hours": map[string]any{"start": "22:00", "end": "08:00"},
		"time_zone":   "Asia/Yekaterinburg",
	}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	put := r.json(t)
	channels := put["channels"].(map[string]any)
	assert.Equal(t, []any{"email"}, channels["offers"])
	assert.Equal(t, []any{}, channels["reminders"], "an empty list is none")
	assert.Equal(t, []any{"sms", "email", "push"}, channels["appointments"], "categories not named keep theirs")
	assert.Equal(t, map[string]any{"start": "22:00", "end": "08:00"}, put["quiet_hours"])
	assert.Equal(t, "Asia/Yekaterinburg", put["time_zone"])
	assert.Equal(t, map[string]any{"given": false, "granted": false}, put["marketing_consent"], "offers chosen, but not sent until consent")
	get := h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t)
	assert.Equal(t, put, get)

	// A change of one field leaves the others; null turns quiet hours off.
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, raw: []byte(`{"quiet_hours":null}`)})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	m := r.json(t)
	assert.Nil(t, m["quiet_hours"])
	assert.Contains(t, m, "quiet_hours", "off is null, not absent")
	assert.Equal(t, "Asia/Yekaterinburg", m["time_zone"])
	assert.Equal(t, []any{"email"}, m["channels"].(map[string]any)["offers"])

	// Another client's settings are their own.
	boris := h.signIn("+79123456780", "+79123456780")
	b := h.do(req{method: "GET", path: settingsPath, token: boris.token}).json(t)
	assert.Equal(t, "Europe/Moscow", b["time_zone"])
}

func TestMarketingConsentOverHTTP(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	given := h.clock.Now()

	r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: map[string]any{
		"marketing_consent": true, "channels": map[string]any{"offers": []string{"email"}}}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	c := r.json(t)["marketing_consent"].(map[string]any)
	assert.Equal(t, true, c["given"])
	assert.Equal(t, true, c["granted"], "the name the consents use")
	assert.Equal(t, "cabinet", c["source"])
	assert.Equal(t, given.UTC().Format(time.RFC3339), c["at"])

	// Given again later: the first record stands.
	h.clock.Advance(time.Hour)
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: map[string]any{"marketing_consent": true}})
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, given.UTC().Format(time.RFC3339), r.json(t)["marketing_consent"].(map[string]any)["at"])

	// Withdrawn: given false, and nothing of when.
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: map[string]any{"marketing_consent": false}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, map[string]any{"given": false, "granted": false}, r.json(t)["marketing_consent"])
	assert.Equal(t, []any{"email"}, r.json(t)["channels"].(map[string]any)["offers"], "the choice of channels is kept")
	get := h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t)
	assert.Equal(t, map[string]any{"given": false, "granted": false}, get["marketing_consent"])
}

func TestNotificationSettingsRefused(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	before := h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t)

	for _, tc := range []struct {
		name       string
		body       string
		status     int
		code       string
		field      string
		en, ru     string
		validInDoc bool // the document allows the request; only the server refuses it
	}{
		{"security has no channels", `{"channels":{"security":["email"]}}`, 422, "invalid_input", "channels.security",
			"Sign-in codes always go to the identifier they were asked for.", "Коды для входа всегда приходят на телефон или e-mail, с которым вы входите; их канал не выбирается.", false},
		{"unknown category", `{"channels":{"gossip":["email"]}}`, 422, "invalid_input", "channels.gossip",
			"channels.gossip is not a category.", "Такой категории уведомлений нет.", false},
		{"unknown channel", `{"channels":{"offers":["fax"]}}`, 422, "invalid_input", "channels.offers",
			`"fax" is not a channel.`, `Неизвестный канал "fax": допустимы sms, email и push.`, false},
		{"a channel twice", `{"channels":{"orders":["sms","sms"]}}`, 422, "invalid_input", "channels.orders",
			`"sms" is given twice.`, `Канал "sms" указан дважды.`, true},
		{"hour out of range", `{"quiet_hours":{"start":"25:00","end":"08:00"}}`, 422, "invalid_input", "quiet_hours.start",
			"quiet_hours.start must be a time HH:MM.", "Укажите время в формате ЧЧ:ММ.", false},
		{"not a clock", `{"quiet_hours":{"start":"22:00","end":"8am"}}`, 422, "invalid_input", "quiet_hours.end",
			"quiet_hours.end must be a time HH:MM.", "Укажите время в формате ЧЧ:ММ.", false},
		{"end missing", `{"quiet_hours":{"start":"22:00"}}`, 422, "invalid_input", "quiet_hours.end",
			"quiet_hours.end is required.", "Обязательное поле.", false},
		{"unknown time zone", `{"time_zone":"Mars/Olympus"}`, 422, "invalid_input", "time_zone",
			"time_zone is not an IANA time zone.", "Неизвестный часовой пояс (ожидается имя вроде Europe/Moscow).", true},
		{"unknown field", `{"colour":"red"}`, 400, "unknown_field", "colour",
			"The request has an unknown field.", "Запрос содержит неизвестное поле.", false},
		{"unknown field in quiet hours", `{"quiet_hours":{"start":"22:00","end":"08:00","days":"all"}}`, 400, "unknown_field", "quiet_hours.days",
			"The request has an unknown field.", "Запрос содержит неизвестное поле.", false},
		{"quiet hours of the wrong type", `{"quiet_hours":"22:00-08:00"}`, 400, "wrong_type", "quiet_hours",
			"A field has the wrong type.", "Поле имеет неверный тип.", false},
		{"consent of the wrong type", `{"marketing_consent":"yes"}`, 400, "wrong_type", "marketing_consent",
			"A field has the wrong type.", "Поле имеет неверный тип.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for lang, want := range map[string]string{"en": tc.en, "ru": tc.ru} {
				r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, raw: []byte(tc.body),
					header: map[string]string{"Accept-Language": lang}, invalid: !tc.validInDoc})
				require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
				e := errorOf(t, r)
				assert.Equal(t, tc.code, e["code"])
				assert.Equal(t, tc.field, e["field"])
				assert.Equal(t, want, e["message"], lang)
			}
		})
	}
	// Nothing was changed by the refused requests, not even in part.
	r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, invalid: true,
		raw: []byte(`{"time_zone":"Asia/Yekaterinburg","channels":{"offers":["fax"]}}`)})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, before, h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t))
}

// TestNotificationSettingsRoundTrip: what GET answers may be sent back with
// PUT as it is, or with some values changed — the read-only parts are
// accepted and ignored, the rest applies.
func TestNotificationSettingsRoundTrip(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")

	for _, lang := range []string{"ru", "en"} {
		t.Run("unchanged "+lang, func(t *testing.T) {
			header := map[string]string{"Accept-Language": lang}
			get := h.do(req{method: "GET", path: settingsPath, token: anna.token, header: header})
			require.Equal(t, http.StatusOK, get.StatusCode)
			require.Contains(t, get.json(t), "security")
			require.Contains(t, get.json(t), "push")
			r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, header: header, raw: get.body})
			require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
			assert.Equal(t, get.json(t), r.json(t), "nothing changed")
		})
	}

	// Sending back the defaults keeps them defaults: nothing is pinned that
	// the client never chose, so a change of the clinic's defaults reaches
	// them.
	stored, err := h.store.NotificationSettings(t.Context(), anna.userID)
	require.NoError(t, err)
	assert.Empty(t, stored.Channels, "no category chosen")
	assert.Empty(t, stored.TimeZone, "the clinic's zone, not a copy of it")

	// The document with changes: what changed applies, the rest stays.
	doc := h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t)
	doc["channels"].(map[string]any)["reminders"] = []any{"email"}
	doc["quiet_hours"] = map[string]any{"start": "22:30", "end": "07:45"}
	doc["marketing_consent"].(map[string]any)["given"] = true
	doc["marketing_consent"].(map[string]any)["granted"] = true
	doc["security"] = "anything: it is not the client's to say"
	doc["available_channels"] = []any{"sms"}
	given := h.clock.Now()
	r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: doc})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	put := r.json(t)
	assert.Equal(t, []any{"email"}, put["channels"].(map[string]any)["reminders"])
	assert.Equal(t, []any{"sms", "email", "push"}, put["channels"].(map[string]any)["appointments"])
	assert.Equal(t, map[string]any{"start": "22:30", "end": "07:45"}, put["quiet_hours"])
	assert.Equal(t, []any{"sms", "email", "push"}, put["available_channels"], "read-only: ignored")
	assert.Equal(t, "Коды для входа всегда приходят на телефон или e-mail, с которым вы входите.", put["security"])
	consent := maps.Clone(put["marketing_consent"].(map[string]any))
	assert.Equal(t, true, consent["given"])
	assert.Equal(t, true, consent["granted"])
	assert.Equal(t, given.UTC().Format(time.RFC3339), consent["at"])
	assert.Equal(t, put, h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t))
	stored, err = h.store.NotificationSettings(t.Context(), anna.userID)
	require.NoError(t, err)
	assert.Equal(t, map[notify.Category][]notify.Channel{notify.CategoryReminders: {notify.ChannelEmail}}, stored.Channels,
		"only the category changed is the client's choice")
	card := consentStates(t, h, anna.token)
	assert.Equal(t, true, card["marketing"], "the card's consents agree")

	// Sent back later with its record: the first record stands, and a
	// record made up by the client is ignored.
	h.clock.Advance(time.Hour)
	put["marketing_consent"].(map[string]any)["at"] = "2020-01-01T00:00:00Z"
	put["marketing_consent"].(map[string]any)["source"] = "front_desk"
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: put})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, consent, r.json(t)["marketing_consent"])

	// Withdrawn through the object, by either name.
	for _, name := range []string{"given", "granted"} {
		r = h.do(req{method: "PUT", path: settingsPath, token: anna.token,
			body: map[string]any{"marketing_consent": map[string]any{name: false}}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		assert.Equal(t, map[string]any{"given": false, "granted": false}, r.json(t)["marketing_consent"], name)
		assert.Equal(t, false, consentStates(t, h, anna.token)["marketing"])
		r = h.do(req{method: "PUT", path: settingsPath, token: anna.token,
			body: map[string]any{"marketing_consent": map[string]any{name: true}}})
		require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
		assert.Equal(t, true, r.json(t)["marketing_consent"].(map[string]any)["granted"], name)
	}

	// The old boolean still works beside the object; null changes nothing.
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, raw: []byte(`{"marketing_consent":null}`)})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, true, r.json(t)["marketing_consent"].(map[string]any)["given"])
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: map[string]any{"marketing_consent": false}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, map[string]any{"given": false, "granted": false}, r.json(t)["marketing_consent"])

	// A time zone sent back as it is stays the clinic's; another one is the client's.
	doc = h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t)
	doc["time_zone"] = "Asia/Yekaterinburg"
	r = h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: doc})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, "Asia/Yekaterinburg", r.json(t)["time_zone"])
	stored, err = h.store.NotificationSettings(t.Context(), anna.userID)
	require.NoError(t, err)
	assert.Equal(t, "Asia/Yekaterinburg", stored.TimeZone)
}

// consentStates reads the card's consents: type → granted.
func consentStates(t *testing.T, h *harness, token string) map[string]any {
	t.Helper()
	r := h.do(req{method: "GET", path: "/api/v1/me/consents", token: token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	out := map[string]any{}
	for _, c := range r.json(t)["consents"].([]any) {
		c := c.(map[string]any)
		out[c["type"].(string)] = c["granted"]
	}
	return out
}

// TestNotificationSettingsRoundTripRefused: the whole document is accepted,
// but security stays unswitchable, unknown fields stay refused and the
// read-only parts must still have their type.
func TestNotificationSettingsRoundTripRefused(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	before := h.do(req{method: "GET", path: settingsPath, token: anna.token})
	require.Equal(t, http.StatusOK, before.StatusCode)

	for _, tc := range []struct {
		name       string
		change     func(doc map[string]any)
		status     int
		code       string
		field      string
		validInDoc bool // the document allows the request; only the server refuses it
	}{
		{"a channel for sign-in codes", func(d map[string]any) { d["channels"].(map[string]any)["security"] = []any{"email"} },
			422, "invalid_input", "channels.security", false},
		{"an unknown field beside", func(d map[string]any) { d["colour"] = "red" }, 400, "unknown_field", "colour", false},
		{"an unknown field in the consent", func(d map[string]any) { d["marketing_consent"].(map[string]any)["note"] = "x" },
			400, "unknown_field", "marketing_consent.note", false},
		{"a consent of the wrong type", func(d map[string]any) { d["marketing_consent"].(map[string]any)["given"] = "yes" },
			400, "wrong_type", "marketing_consent.given", false},
		{"a consent without its choice", func(d map[string]any) { d["marketing_consent"] = map[string]any{"source": "cabinet"} },
			422, "invalid_input", "marketing_consent.given", true},
		{"given and granted disagree", func(d map[string]any) {
			d["marketing_consent"] = map[string]any{"given": true, "granted": false}
		}, 422, "invalid_input", "marketing_consent.granted", true},
		{"security of the wrong type", func(d map[string]any) { d["security"] = []any{"email"} },
			400, "wrong_type", "security", false},
		{"available channels of the wrong type", func(d map[string]any) { d["available_channels"] = "sms" },
			400, "wrong_type", "available_channels", false},
		{"an unknown field in push", func(d map[string]any) { d["push"].(map[string]any)["colour"] = "red" },
			400, "unknown_field", "push.colour", false},
		{"push of the wrong type", func(d map[string]any) { d["push"] = "on" }, 400, "wrong_type", "push", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := before.json(t)
			tc.change(doc)
			r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: doc, invalid: !tc.validInDoc})
			require.Equal(t, tc.status, r.StatusCode, "%s", r.body)
			e := errorOf(t, r)
			assert.Equal(t, tc.code, e["code"])
			assert.Equal(t, tc.field, e["field"])
		})
	}
	assert.Equal(t, before.json(t), h.do(req{method: "GET", path: settingsPath, token: anna.token}).json(t), "nothing changed")
}

// booked queues an appointment confirmation for userID, as the planner would.
func (h *harness) booked(userID, key string) []notify.Message {
	h.t.Helper()
	msgs, err := h.cab.Notify().Notify(h.t.Context(), notify.Request{
		UserID: userID, Category: notify.CategoryAppointments, Kind: "appointment_booked", Key: key, Ref: "appointment:" + key,
		Data: notify.AppointmentData{ClinicName: "Kabinet", Service: "Пилинг", Branch: "На Тверской", Address: "Москва, Тверская, 1",
			Start: mskTime(10, 0), End: mskTime(11, 0)},
	})
	require.NoError(h.t, err)
	require.NotEmpty(h.t, msgs)
	return msgs
}

func notificationsOf(t *testing.T, r res) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	var out []map[string]any
	for _, n := range r.json(t)["notifications"].([]any) {
		out = append(out, n.(map[string]any))
	}
	return out
}

func TestInboxOverHTTP(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	boris := h.signIn("+79123456780", "+79123456780")

	// Three confirmations for Anna (two of them queued at the same instant,
	// so paging must break the tie), one for Boris.
	var ids []string
	for i := range 3 {
		if i == 2 {
			h.clock.Advance(time.Minute)
		}
		msgs := h.booked(anna.userID, fmt.Sprintf("anna-%d", i))
		require.Len(t, msgs, 1, "a phone only: SMS")
		ids = append(ids, msgs[0].ID)
	}
	h.booked(boris.userID, "boris-0")

	all := notificationsOf(t, h.do(req{method: "GET", path: "/api/v1/me/notifications", token: anna.token}))
	require.Len(t, all, 3, "Boris's message is not Anna's")
	n := all[0]
	assert.Equal(t, ids[2], n["id"], "newest first")
	assert.Equal(t, "appointments", n["category"])
	assert.Equal(t, "appointment_booked", n["kind"])
	assert.Equal(t, "sms", n["channel"])
	assert.Equal(t, "+7912*****89", n["to"], "masked as auth masks identifiers")
	assert.Equal(t, "pending", n["status"])
	assert.Contains(t, n["text"], "Вы записаны на 30 ноября")
	assert.NotContains(t, n, "sent_at", "not sent yet")
	for _, hidden := range []string{"last_error", "provider_id", "attempts", "key", "ref", "user_id"} {
		assert.NotContains(t, n, hidden)
	}
	r := h.do(req{method: "GET", path: "/api/v1/me/notifications", token: anna.token})
	assert.NotContains(t, r.json(t), "next", "everything fits on one page")

	// Pages of two: the cursor of the first page leads to the rest.
	r = h.do(req{method: "GET", path: "/api/v1/me/notifications?limit=2", token: anna.token})
	page1 := notificationsOf(t, r)
	require.Len(t, page1, 2)
	next, ok := r.json(t)["next"].(map[string]any)
	require.True(t, ok, "a next page: %s", r.body)
	q := url.Values{"limit": {"2"}, "before": {next["before"].(string)}, "before_id": {next["before_id"].(string)}}
	r = h.do(req{method: "GET", path: "/api/v1/me/notifications?" + q.Encode(), token: anna.token})
	page2 := notificationsOf(t, r)
	require.Len(t, page2, 1)
	assert.NotContains(t, r.json(t), "next")
	assert.ElementsMatch(t, ids, []any{page1[0]["id"], page1[1]["id"], page2[0]["id"]})
	assert.Equal(t, ids[2], page1[0]["id"])

	// Sent: the time shows, the provider's ID does not.
	_, err := h.cab.Notify().DispatchOnce(t.Context())
	require.NoError(t, err)
	all = notificationsOf(t, h.do(req{method: "GET", path: "/api/v1/me/notifications", token: anna.token}))
	assert.Equal(t, "sent", all[0]["status"])
	assert.Equal(t, h.clock.Now().UTC().Format(time.RFC3339), all[0]["sent_at"])
	assert.NotContains(t, all[0], "provider_id")

	// A push message names no subscription.
	sub := h.do(req{method: "POST", path: "/api/v1/me/push-subscriptions", token: anna.token, body: pushBody("https://push.example/anna")})
	require.Equal(t, http.StatusCreated, sub.StatusCode, "%s", sub.body)
	h.clock.Advance(time.Minute)
	msgs := h.booked(anna.userID, "anna-push")
	require.Len(t, msgs, 2, "SMS and push")
	all = notificationsOf(t, h.do(req{method: "GET", path: "/api/v1/me/notifications?limit=2", token: anna.token}))
	channels := map[any]map[string]any{}
	for _, n := range all {
		channels[n["channel"]] = n
	}
	require.Contains(t, channels, "push")
	assert.NotContains(t, channels["push"], "to")
	assert.NotContains(t, fmt.Sprint(channels["push"]), sub.json(t)["id"])

	// A sign-in code in the outbox never shows its text.
	now := h.clock.Now()
	_, err = h.store.EnqueueMessages(t.Context(), []notify.Message{{ID: "code-1", Key: "code-1", UserID: anna.userID,
		Category: notify.CategorySecurity, Kind: "code", Channel: notify.ChannelSMS, To: "+79123456789", Text: "Код 123456",
		Status: notify.StatusPending, DueAt: now.Add(time.Second), CreatedAt: now.Add(time.Second), UpdatedAt: now.Add(time.Second)}})
	require.NoError(t, err)
	all = notificationsOf(t, h.do(req{method: "GET", path: "/api/v1/me/notifications?limit=1", token: anna.token}))
	require.Equal(t, "code-1", all[0]["id"])
	assert.Empty(t, all[0]["text"])

	for _, tc := range []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=101", "limit"},
		{"before=yesterday", "before"},
		{"before_id=x", "before"},
	} {
		r := h.do(req{method: "GET", path: "/api/v1/me/notifications?" + tc.query, token: anna.token, invalid: true})
		assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, tc.query)
		assert.Equal(t, tc.field, errorOf(t, r)["field"], tc.query)
	}
}

func TestStaffNotificationsOverHTTP(t *testing.T) {
	h := newHarness(t)
	_, err := h.cab.Auth().Bootstrap(t.Context(), "owner@clinic.example")
	require.NoError(t, err)
	owner := h.signIn("owner@clinic.example", "owner@clinic.example")
	for _, s := range []struct{ email, role string }{{"desk@clinic.example", "manager"}, {"doc@clinic.example", "specialist"}} {
		r := h.do(req{method: "POST", path: "/api/v1/staff/users", token: owner.token,
			body: map[string]any{"identifier": s.email, "roles": []string{s.role}, "branch_ids": []string{"b1"}}})
		require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	}
	desk := h.signIn("desk@clinic.example", "desk@clinic.example")
	doc := h.signIn("doc@clinic.example", "doc@clinic.example")
	anna := h.signIn("+79123456789", "+79123456789")
	boris := h.signIn("+79123456780", "+79123456780")

	// One message the provider refused once, one sent.
	failing := h.booked(anna.userID, "anna-0")[0]
	h.clock.Advance(time.Minute)
	sent := h.booked(anna.userID, "anna-1")[0]
	now := h.clock.Now()
	claimed, err := h.store.ClaimMessages(t.Context(), "test", now, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 2)
	require.NoError(t, h.store.FinishMessage(t.Context(), failing.ID, "test",
		notify.Result{Status: notify.StatusPending, Error: "smsru: 500 Internal Server Error", RetryAt: now.Add(time.Minute), At: now}))
	require.NoError(t, h.store.FinishMessage(t.Context(), sent.ID, "test",
		notify.Result{Status: notify.StatusSent, ProviderID: "202611-1", At: now}))
	h.booked(boris.userID, "boris-0")

	path := "/api/v1/staff/notifications?client_id=" + anna.userID
	// Staff see a client's messages only with a relation to the client: a
	// manager of a branch she visits, a specialist she sees.
	for _, who := range []signedIn{desk, doc} {
		r := h.do(req{method: "GET", path: path, token: who.token})
		assert.Equal(t, http.StatusNotFound, r.StatusCode, "no appointment with Anna yet")
	}
	h.seedClinic(doc.userID)
	r := h.do(req{method: "POST", path: "/api/v1/me/appointments", token: anna.token,
		body: bookBody("A", time.Date(2026, 11, 30, 10, 0, 0, 0, moscowZone(t)))})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	for _, who := range []signedIn{owner, desk, doc} {
		list := notificationsOf(t, h.do(req{method: "GET", path: path, token: who.token}))
		require.Len(t, list, 2, "Anna's only")
		byID := map[any]map[string]any{}
		for _, n := range list {
			byID[n["id"]] = n
		}
		f := byID[failing.ID]
		assert.EqualValues(t, 1, f["attempts"])
		assert.Equal(t, "smsru: 500 Internal Server Error", f["last_error"])
		assert.Equal(t, "pending", f["status"])
		assert.Equal(t, "+7912*****89", f["to"], "staff see the address masked too")
		assert.Equal(t, "appointment:anna-0", f["ref"])
		s := byID[sent.ID]
		assert.Equal(t, "sent", s["status"])
		assert.Equal(t, "202611-1", s["provider_id"])
		assert.EqualValues(t, 1, s["attempts"])
		assert.Equal(t, now.UTC().Format(time.RFC3339), s["sent_at"])
	}

	// The read is on record as a view of Anna's account.
	viewed, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: desk.userID, Subject: anna.userID, Action: auth.ActionUserViewed})
	require.NoError(t, err)
	assert.NotEmpty(t, viewed)

	// Paging works as for the client.
	r = h.do(req{method: "GET", path: path + "&limit=1", token: desk.token})
	require.Len(t, notificationsOf(t, r), 1)
	next := r.json(t)["next"].(map[string]any)
	q := url.Values{"client_id": {anna.userID}, "limit": {"1"}, "before": {next["before"].(string)}, "before_id": {next["before_id"].(string)}}
	r = h.do(req{method: "GET", path: "/api/v1/staff/notifications?" + q.Encode(), token: desk.token})
	older := notificationsOf(t, r)
	require.Len(t, older, 1)
	assert.Equal(t, failing.ID, older[0]["id"])

	// A client may not look, even at their own: 403, on record.
	for _, who := range []signedIn{anna, boris} {
		r := h.do(req{method: "GET", path: path, token: who.token})
		assert.Equal(t, http.StatusForbidden, r.StatusCode)
		assert.Equal(t, "forbidden", r.errCode(t))
	}
	denied, err := h.store.ListAudit(t.Context(), auth.AuditFilter{ActorID: boris.userID, Action: auth.ActionAccessDenied})
	require.NoError(t, err)
	assert.Len(t, denied, 1)

	r = h.do(req{method: "GET", path: "/api/v1/staff/notifications?client_id=ghost", token: desk.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, "not_found", r.errCode(t))
	assert.Equal(t, "client_id", errorOf(t, r)["field"])
	r = h.do(req{method: "GET", path: "/api/v1/staff/notifications", token: desk.token, invalid: true})
	assert.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	assert.Equal(t, "client_id", errorOf(t, r)["field"])
	// A manager does not read the owner's messages (staff accounts are the admin's).
	r = h.do(req{method: "GET", path: "/api/v1/staff/notifications?client_id=" + owner.userID, token: desk.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
}

func pushBody(endpoint string) map[string]any {
	return map[string]any{
		"endpoint":       endpoint,
		"expirationTime": nil,
		"keys": map[string]any{
			"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
			"auth":   "tBHItJI5svbpez7KI4CCXg",
		},
	}
}

func TestPushSubscriptionsOverHTTP(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	boris := h.signIn("+79123456780", "+79123456780")
	const pushes = "/api/v1/me/push-subscriptions"

	r := h.do(req{method: "POST", path: pushes, token: anna.token, body: pushBody("https://fcm.googleapis.com/fcm/send/abc"),
		header: map[string]string{"User-Agent": "Mozilla/5.0 (Android 15) Firefox/140.0"}})
	require.Equal(t, http.StatusCreated, r.StatusCode, "%s", r.body)
	created := r.json(t)
	id := created["id"].(string)
	assert.Equal(t, h.clock.Now().UTC().Format(time.RFC3339), created["created_at"])
	assert.Len(t, created, 2, "only id and created_at: %s", r.body)

	r = h.do(req{method: "GET", path: pushes, token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	subs := r.json(t)["subscriptions"].([]any)
	require.Len(t, subs, 1)
	assert.Equal(t, map[string]any{"id": id, "user_agent": "Mozilla/5.0 (Android 15) Firefox/140.0", "created_at": created["created_at"]}, subs[0])
	assert.NotContains(t, string(r.body), "fcm.googleapis.com", "never the endpoint")
	assert.NotContains(t, string(r.body), "tBHItJI5svbpez7KI4CCXg", "never the keys")
	assert.Empty(t, h.do(req{method: "GET", path: pushes, token: boris.token}).json(t)["subscriptions"])

	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"plain http", "endpoint", pushBody("http://push.example/abc")},
		{"no keys", "keys.p256dh", map[string]any{"endpoint": "https://push.example/abc", "keys": map[string]any{"p256dh": "", "auth": "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for lang, want := range map[string]string{
				"en": map[string]string{"endpoint": "endpoint must be an https URL of at most 2048 characters.", "keys.p256dh": "keys.p256dh is required."}[tc.field],
				"ru": map[string]string{"endpoint": "Нужен адрес https длиной не более 2048 символов.", "keys.p256dh": "Обязательное поле."}[tc.field],
			} {
				r := h.do(req{method: "POST", path: pushes, token: anna.token, body: tc.body, header: map[string]string{"Accept-Language": lang}})
				require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode, "%s", r.body)
				e := errorOf(t, r)
				assert.Equal(t, "invalid_input", e["code"])
				assert.Equal(t, tc.field, e["field"])
				assert.Equal(t, want, e["message"])
			}
		})
	}
	r = h.do(req{method: "POST", path: pushes, token: anna.token, invalid: true,
		raw: []byte(`{"endpoint":"https://push.example/x","keys":{"p256dh":"a","auth":"b","extra":"c"}}`)})
	assert.Equal(t, http.StatusBadRequest, r.StatusCode)
	assert.Equal(t, "unknown_field", r.errCode(t))

	// Boris cannot remove Anna's browser; Anna can, once.
	r = h.do(req{method: "DELETE", path: pushes + "/" + id, token: boris.token})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, "not_found", r.errCode(t))
	assert.Len(t, h.do(req{method: "GET", path: pushes, token: anna.token}).json(t)["subscriptions"], 1)
	assert.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: pushes + "/" + id, token: anna.token}).StatusCode)
	r = h.do(req{method: "DELETE", path: pushes + "/" + id, token: anna.token, header: map[string]string{"Accept-Language": "en"}})
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Equal(t, "Not found.", errorOf(t, r)["message"])
	assert.Empty(t, h.do(req{method: "GET", path: pushes, token: anna.token}).json(t)["subscriptions"])
}

func TestNotificationRoutesNeedSignIn(t *testing.T) {
	h := newHarness(t)
	for _, q := range []req{
		{method: "GET", path: settingsPath},
		{method: "PUT", path: settingsPath, body: map[string]any{"time_zone": "Europe/Moscow"}},
		{method: "GET", path: "/api/v1/me/notifications"},
		{method: "GET", path: "/api/v1/staff/notifications?client_id=x"},
		{method: "GET", path: "/api/v1/me/push-subscriptions"},
		{method: "POST", path: "/api/v1/me/push-subscriptions", body: pushBody("https://push.example/abc")},
		{method: "DELETE", path: "/api/v1/me/push-subscriptions/x"},
	} {
		r := h.do(q)
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode, "%s %s", q.method, q.path)
		assert.Equal(t, "unauthenticated", r.errCode(t), "%s %s", q.method, q.path)
	}
}

// FuzzNotificationBodies throws arbitrary bodies at the notification
// settings and the push subscriptions: the answer is always a 2xx or a 4xx
// with the error body, never a 5xx or a panic.
func FuzzNotificationBodies(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"channels":{"offers":["email"]},"marketing_consent":true}`, `{"channels":{"security":["sms"]}}`,
		`{"channels":{"orders":null}}`, `{"quiet_hours":null}`, `{"quiet_hours":{"start":"22:00","end":"08:00"}}`,
		`{"quiet_hours":{"start":"24:00","end":"-1:00"}}`, `{"quiet_hours":[1,2]}`, `{"time_zone":"../../etc/passwd"}`,
		`{"time_zone":"Local"}`, `{"endpoint":"https://push.example/a","keys":{"p256dh":"a","auth":"b"},"expirationTime":null}`,
		`{"endpoint":"https://push.example/a","keys":null}`, `null`, `[]`, `{`,
		`{"marketing_consent":{"given":true,"granted":true,"at":"2026-01-01T00:00:00Z","source":"cabinet"},"security":"x","available_channels":["sms"],"push":{"vapid_public_key":"k"}}`,
		`{"marketing_consent":{"granted":1}}`, `{"marketing_consent":{"given":true,"granted":false}}`, `{"marketing_consent":{}}`,
		`{"marketing_consent":[true]}`, `{"push":{"x":1}}`, `{"security":null,"push":null,"available_channels":null}`,
	} {
		f.Add(seed)
	}
	st, err := sqlite.Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.WithSynchronous(sqlite.SynchronousNormal))
	require.NoError(f, err)
	f.Cleanup(func() { _ = st.Close() })
	outbox := notify.NewDevOutbox(10, nil)
	cab, err := cabinet.New(cabinet.Config{Store: st, Secret: bytes.Repeat([]byte("f"), 32), SMS: outbox, Mail: outbox, Push: outbox})
	require.NoError(f, err)
	ticket, err := cab.Auth().RequestCode(f.Context(), auth.CodeRequest{Identifier: "+79123456789", IP: "127.0.0.1"})
	require.NoError(f, err)
	sent, ok := outbox.Last("+79123456789")
	require.True(f, ok)
	signIn, err := cab.Auth().Verify(f.Context(), auth.VerifyRequest{ChallengeID: ticket.ChallengeID,
		Code: codeRE.FindString(sent.Body), IP: "127.0.0.1"})
	require.NoError(f, err)
	handler := cab.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []struct{ method, path string }{{"PUT", settingsPath}, {"POST", "/api/v1/me/push-subscriptions"}} {
			r := httptest.NewRequest(target.method, target.path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+signIn.Token)
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %q → %d %s", target.path, body, w.Code, w.Body)
			}
			if w.Code >= 400 && !strings.Contains(w.Body.String(), `"error":{"code":`) {
				t.Fatalf("%s %q → %d without the error body: %s", target.path, body, w.Code, w.Body)
			}
		}
	})
}

func moscowZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	return loc
}

// A marketing consent given on the settings page is recorded with the
// version of the text in force, as one given on the card's consents page.
func TestMarketingConsentFromSettingsKeepsTheTextVersion(t *testing.T) {
	h := newHarness(t)
	anna := h.signIn("+79123456789", "+79123456789")
	r := h.do(req{method: "PUT", path: settingsPath, token: anna.token, body: map[string]any{"marketing_consent": true}})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	assert.Equal(t, card.DefaultConsentTextVersion, r.json(t)["marketing_consent"].(map[string]any)["version"])
	r = h.do(req{method: "GET", path: "/api/v1/me/consents", token: anna.token})
	require.Equal(t, http.StatusOK, r.StatusCode, "%s", r.body)
	for _, c := range r.json(t)["consents"].([]any) {
		if c := c.(map[string]any); c["type"] == "marketing" {
			assert.Equal(t, true, c["granted"])
			assert.Equal(t, card.DefaultConsentTextVersion, c["text_version"])
			return
		}
	}
	t.Fatal("no marketing consent on the card")
}
