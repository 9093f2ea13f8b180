package notify_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

var moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// clock is a settable clock shared by a test's notifiers.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}
func (c *clock) now() time.Time          { return *c.t.Load() }
func (c *clock) set(t time.Time)         { c.t.Store(&t) }
func (c *clock) advance(d time.Duration) { c.set(c.now().Add(d)) }

// env is one test's outbox: the real SQLite store on a temp file, two
// clients, and senders that keep what they are given.
type env struct {
	t     *testing.T
	ctx   context.Context
	store *sqlite.Store
	clock *clock
	out   *notify.DevOutbox
	n     *notify.Notifier
}

var contacts = notify.ContactsFunc(func(_ context.Context, id string) (notify.Contact, error) {
	switch id {
	case "anna":
		return notify.Contact{Phone: "+79123456789", Email: "anna@example.org", Locale: "ru"}, nil
	case "ben":
		return notify.Contact{Email: "ben@example.org", Locale: "en"}, nil
	case "carl":
		return notify.Contact{Phone: "+79990000000", Locale: "ru"}, nil
	}
	return notify.Contact{}, notify.ErrNotFound
})

// noon is a Tuesday, 12:00 in Moscow: outside quiet hours.
var noon = time.Date(2026, 12, 1, 12, 0, 0, 0, moscow)

func newEnv(t *testing.T, tweak ...func(*notify.Config)) *env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "notify.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &env{t: t, ctx: t.Context(), store: st, clock: newClock(noon)}
	// The accounts behind contacts: the store queues offers only to
	// existing users with a marketing consent.
	for _, id := range []string{"anna", "ben", "carl"} {
		require.NoError(t, st.CreateUser(t.Context(), auth.User{ID: id, Roles: []auth.Role{auth.RoleClient}, CreatedAt: noon}))
	}
	e.out = notify.NewDevOutbox(0, e.clock.now)
	cfg := notify.Config{
		Store: st, Contacts: contacts, SMS: e.out, Mail: e.out, Push: e.out,
		Now: e.clock.now, Jitter: func() float64 { return 0.5 }, Owner: "d1",
	}
	for _, f := range tweak {
		f(&cfg)
	}
	e.n, err = notify.New(cfg)
	require.NoError(t, err)
	return e
}

func (e *env) notify(req notify.Request) []notify.Message {
	e.t.Helper()
	msgs, err := e.n.Notify(e.ctx, req)
	require.NoError(e.t, err)
	return msgs
}

func appointmentData() notify.AppointmentData {
	start := noon.Add(48 * time.Hour)
	return notify.AppointmentData{ClinicName: "Клиника", Service: "Пилинг", Specialist: "Анна", Branch: "На Тверской",
		Address: "Тверская, 1", Start: start, End: start.Add(time.Hour), Before: 24 * time.Hour}
}

func booked(user, key string) notify.Request {
	return notify.Request{UserID: user, Category: notify.CategoryAppointments, Kind: notify.KindAppointmentBooked,
		Key: key, Ref: "appointment:" + key, Data: appointmentData()}
}

func channelsOf(msgs []notify.Message) []notify.Channel {
	var out []notify.Channel
	for _, m := range msgs {
		out = append(out, m.Channel)
	}
	return out
}

func TestNotifyFollowsTheClientsChannels(t *testing.T) {
	e := newEnv(t)
	msgs := e.notify(booked("anna", "a1"))
	assert.Equal(t, []notify.Channel{notify.ChannelSMS, notify.ChannelEmail}, channelsOf(msgs),
		"by default: SMS and e-mail; push only for a subscribed browser")
	for _, m := range msgs {
		assert.Contains(t, m.Text, "декабря", "rendered in the client's language")
		assert.Equal(t, "a1:"+string(m.Channel), m.Key)
		assert.Equal(t, notify.StatusPending, m.Status)
	}
	assert.Equal(t, []notify.Channel{notify.ChannelEmail}, channelsOf(e.notify(booked("ben", "b1"))),
		"a client without a phone gets no SMS")
	assert.Empty(t, e.notify(booked("nobody", "n1")), "an unknown client is nobody to tell, not an error")

	_, err := e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryAppointments: {notify.ChannelEmail}}})
	require.NoError(t, err)
	assert.Equal(t, []notify.Channel{notify.ChannelEmail}, channelsOf(e.notify(booked("anna", "a2"))))

	sub, err := e.n.Subscribe(e.ctx, "anna", notify.Subscription{Endpoint: "https://push.example/1", P256dh: "k", Auth: "a"})
	require.NoError(t, err)
	_, err = e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryAppointments: {notify.ChannelPush}}})
	require.NoError(t, err)
	msgs = e.notify(booked("anna", "a3"))
	require.Len(t, msgs, 1)
	assert.Equal(t, sub.ID, msgs[0].To, "a push message is addressed to the subscription")

	_, err = e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryReminders: {}}})
	require.NoError(t, err)
	assert.Empty(t, e.notify(notify.Request{UserID: "anna", Category: notify.CategoryReminders, Kind: notify.KindReminder,
		Key: "r1", Data: appointmentData()}), "no channels chosen: none sent")

	_, err = e.n.UpdateSettings(e.ctx, "ben", notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryAppointments: {notify.ChannelSMS}}})
	require.NoError(t, err)
	assert.Equal(t, []notify.Channel{notify.ChannelEmail}, channelsOf(e.notify(booked("ben", "b2"))),
		"appointments go where the client can be reached when the chosen channel cannot reach them")
}

func TestNotifyOnceByKey(t *testing.T) {
	e := newEnv(t)
	require.Len(t, e.notify(booked("anna", "a1")), 2)
	assert.Empty(t, e.notify(booked("anna", "a1")), "planned twice, queued once")
	inbox, err := e.n.Inbox(e.ctx, "anna", time.Time{}, "", 0)
	require.NoError(t, err)
	assert.Len(t, inbox, 2)
}

func TestMarketingNeedsConsent(t *testing.T) {
	e := newEnv(t)
	offer := notify.Request{UserID: "anna", Category: notify.CategoryOffers, Kind: notify.KindAppointmentBooked,
		Key: "offer-1", Ref: notify.MarketingRef("anna"), Data: appointmentData()}
	assert.Empty(t, e.notify(offer), "no consent, no offers")

	yes, no := true, false
	s, err := e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{Marketing: &yes, ConsentSource: "cabinet", ConsentVersion: "v1"})
	require.NoError(t, err)
	require.NotNil(t, s.MarketingConsent)
	assert.Equal(t, noon.UTC(), s.MarketingConsent.At.UTC())
	assert.Equal(t, "cabinet", s.MarketingConsent.Source)
	msgs := e.notify(offer)
	require.NotEmpty(t, msgs)

	s, err = e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{Marketing: &no})
	require.NoError(t, err)
	assert.Nil(t, s.MarketingConsent)
	for _, m := range msgs {
		got, err := e.store.MessageByKey(e.ctx, m.Key)
		require.NoError(t, err)
		assert.Equal(t, notify.StatusWithdrawn, got.Status, "withdrawing consent withdraws the offers not yet sent")
	}
}

func TestSettingsValidation(t *testing.T) {
	e := newEnv(t)
	badZone, late := "Mars/Olympus", [2]int{25 * 60, 0}
	for name, ch := range map[string]notify.SettingsChange{
		"channels.security": {Channels: map[notify.Category][]notify.Channel{notify.CategorySecurity: {notify.ChannelSMS}}},
		"channels.gossip":   {Channels: map[notify.Category][]notify.Channel{"gossip": {notify.ChannelSMS}}},
		"channels.offers":   {Channels: map[notify.Category][]notify.Channel{notify.CategoryOffers: {"fax"}}},
		"time_zone":         {TimeZone: &badZone},
		"quiet_hours":       {QuietHours: &late},
	} {
		_, err := e.n.UpdateSettings(e.ctx, "anna", ch)
		var ve *notify.ValidationError
		if assert.ErrorAs(t, err, &ve, name) {
			assert.Equal(t, name, ve.Field)
		}
	}
	s, err := e.n.Settings(e.ctx, "anna")
	require.NoError(t, err)
	assert.Equal(t, 21*60, s.QuietStart, "nothing was saved")
	assert.Equal(t, "Europe/Moscow", s.TimeZone)
}

func TestQuietHours(t *testing.T) {
	reminder := func(due, expires time.Time) notify.Request {
		return notify.Request{UserID: "anna", Category: notify.CategoryReminders, Kind: notify.KindReminder,
			Key: "r:" + due.String(), Data: appointmentData(), DueAt: due, ExpiresAt: expires}
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, moscow) }
	tests := []struct {
		name    string
		now     time.Time
		req     notify.Request
		zone    string
		wantDue time.Time // zero: nothing queued
	}{
		{"a reminder due in the day goes then", at(1, 12, 0), reminder(at(1, 15, 0), at(2, 15, 0)), "", at(1, 15, 0)},
		{"a reminder due at 23:00 waits for 09:00", at(1, 12, 0), reminder(at(1, 23, 0), at(2, 15, 0)), "", at(2, 9, 0)},
		{"a reminder due at 07:00 waits for 09:00 the same day", at(1, 12, 0), reminder(at(2, 7, 0), at(2, 15, 0)), "", at(2, 9, 0)},
		{"for a visit at 09:00 it goes the evening before instead", at(1, 12, 0), reminder(at(2, 7, 0), at(2, 9, 0)), "", at(1, 20, 59)},
		{"no time left before the visit: nothing queued", at(1, 22, 0), reminder(at(2, 7, 0), at(2, 9, 0)), "", time.Time{}},
		{"appointments are not held back", at(1, 23, 30), booked("anna", "night"), "", at(1, 23, 30)},
		{"the client's own zone counts", at(1, 12, 0), reminder(at(1, 19, 30), at(3, 0, 0)), "Asia/Yekaterinburg",
			time.Date(2026, 12, 2, 9, 0, 0, 0, mustZone("Asia/Yekaterinburg"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.clock.set(tt.now)
			if tt.zone != "" {
				_, err := e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{TimeZone: &tt.zone})
				require.NoError(t, err)
			}
			msgs := e.notify(tt.req)
			if tt.wantDue.IsZero() {
				assert.Empty(t, msgs)
				return
			}
			require.NotEmpty(t, msgs)
			for _, m := range msgs {
				assert.True(t, tt.wantDue.Equal(m.DueAt), "due %s, want %s", m.DueAt.In(moscow), tt.wantDue.In(moscow))
			}
		})
	}
}

func TestPushSubscriptions(t *testing.T) {
	e := newEnv(t)
	_, err := e.n.Subscribe(e.ctx, "anna", notify.Subscription{Endpoint: "http://push.example/1", P256dh: "k", Auth: "a"})
	var ve *notify.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "endpoint", ve.Field)

	sub, err := e.n.Subscribe(e.ctx, "anna", notify.Subscription{Endpoint: "https://push.example/1", P256dh: "k", Auth: "a"})
	require.NoError(t, err)
	assert.ErrorIs(t, e.n.Unsubscribe(e.ctx, "ben", sub.ID), notify.ErrNotFound, "not ben's")
	require.NoError(t, e.n.Unsubscribe(e.ctx, "anna", sub.ID))
	subs, err := e.n.Subscriptions(e.ctx, "anna")
	require.NoError(t, err)
	assert.Empty(t, subs)
}

func TestConfigChecks(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "n.db"))
	require.NoError(t, err)
	defer st.Close()
	for name, cfg := range map[string]notify.Config{
		"no store":          {Contacts: contacts},
		"no contacts":       {Store: st},
		"bad zone":          {Store: st, Contacts: contacts, TimeZone: "Nowhere/City"},
		"lease below send":  {Store: st, Contacts: contacts, Lease: time.Second, SendTimeout: 2 * time.Second},
		"quiet out of day":  {Store: st, Contacts: contacts, QuietStart: 24 * 60},
		"negative attempts": {Store: st, Contacts: contacts, MaxAttempts: -1},
	} {
		_, err := notify.New(cfg)
		assert.Error(t, err, name)
	}
}

func TestOffersCarryTheMarketingRefWhateverTheCallerSays(t *testing.T) {
	e := newEnv(t)
	yes, no := true, false
	_, err := e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{Marketing: &yes})
	require.NoError(t, err)
	msgs := e.notify(notify.Request{UserID: "anna", Category: notify.CategoryOffers, Kind: notify.KindAppointmentBooked,
		Key: "spring", Ref: "promo:spring", Data: appointmentData()})
	require.NotEmpty(t, msgs)
	_, err = e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{Marketing: &no})
	require.NoError(t, err)
	for _, m := range msgs {
		assert.Equal(t, notify.StatusWithdrawn, e.message(m.Key).Status)
	}
}

func TestReminderWordsTheTimeLeftWhenItIsSent(t *testing.T) {
	e := newEnv(t)
	e.clock.set(time.Date(2026, 12, 1, 12, 0, 0, 0, moscow))
	visit := time.Date(2026, 12, 2, 9, 0, 0, 0, moscow)
	d := appointmentData()
	d.Start, d.End, d.Before = visit, visit.Add(time.Hour), 2*time.Hour
	msgs := e.notify(notify.Request{UserID: "anna", Category: notify.CategoryReminders, Kind: notify.KindReminder,
		Key: "r", Data: d, DueAt: visit.Add(-2 * time.Hour), ExpiresAt: visit})
	require.NotEmpty(t, msgs)
	for _, m := range msgs {
		assert.True(t, time.Date(2026, 12, 1, 20, 59, 0, 0, moscow).Equal(m.DueAt), "07:00 is quiet: the evening before")
		assert.Contains(t, m.Text, "12 часов", "the text says how long it really is: %s", m.Text)
		assert.NotContains(t, m.Text, "2 часа")
	}
}

func TestQuietHoursFallBackToTheBranchZone(t *testing.T) {
	e := newEnv(t)
	// 19:30 in Moscow is 23:30 in Novosibirsk, where the client's branch is.
	e.clock.set(time.Date(2026, 12, 1, 12, 0, 0, 0, moscow))
	due := time.Date(2026, 12, 1, 19, 30, 0, 0, moscow)
	msgs := e.notify(notify.Request{UserID: "anna", Category: notify.CategoryReminders, Kind: notify.KindReminder,
		Key: "r", Data: appointmentData(), DueAt: due, TimeZone: "Asia/Novosibirsk"})
	require.NotEmpty(t, msgs)
	nsk := mustZone("Asia/Novosibirsk")
	assert.True(t, time.Date(2026, 12, 2, 9, 0, 0, 0, nsk).Equal(msgs[0].DueAt), "due %s", msgs[0].DueAt.In(nsk))
}

func TestAKindMissingAChannelSkipsOnlyThatChannel(t *testing.T) {
	tpl, err := notify.NewTemplates(fstest.MapFS{
		"serum.ru.email.tmpl": {Data: []byte(`{{define "subject"}}Сыворотка{{end}}{{define "text"}}Пора обновить сыворотку.{{end}}`)},
	}, "")
	require.NoError(t, err)
	e := newEnv(t, func(c *notify.Config) { c.Templates = tpl })
	msgs := e.notify(notify.Request{UserID: "anna", Category: notify.CategoryAppointments, Kind: "serum", Key: "s", Data: nil})
	assert.Equal(t, []notify.Channel{notify.ChannelEmail}, channelsOf(msgs), "no SMS template: the e-mail still goes, and no error stalls the caller")
}
