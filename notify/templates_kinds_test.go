package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// The kinds with appointment and follow-up data, and their channels.
var (
	kindsAppointmentKinds = []string{notify.KindAppointmentBooked, notify.KindAppointmentPending, notify.KindAppointmentConfirmed,
		notify.KindAppointmentRescheduled, notify.KindAppointmentCancelled, notify.KindReminder}
	kindsFollowUpKinds = []string{notify.KindAftercareCheck, notify.KindAftercarePhoto}
	kindsChannels      = []notify.Channel{notify.ChannelSMS, notify.ChannelEmail, notify.ChannelPush}
)

// Realistic data at its longest: the service name is what stretches an
// e-mail; the address, the clinic's name and the link are what fill an SMS.
const (
	kindsLongService    = "Комплексная программа омоложения: химический пилинг + биоревитализация"
	kindsHostileService = `<img src=x onerror=alert(1)>`
	kindsAppointmentURL = "https://zdorovie.ru/a/7Kq2xP" // a short link: see TestTemplatesKinds
	kindsJournalURL     = "https://zdorovie.ru/cabinet/journal"
)

func kindsTemplates(t *testing.T) *notify.Templates {
	t.Helper()
	tpl, err := notify.NewTemplates(nil, "")
	require.NoError(t, err)
	return tpl
}

func kindsZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	require.NoError(t, err)
	return loc
}

// kindsAppointment is the realistic appointment: Tuesday 1 December 2026,
// 12:00–13:30 in Moscow (given in UTC and moved into the branch's zone, as
// the planner does), moved from Friday 27 November 18:30.
func kindsAppointment(t *testing.T) notify.AppointmentData {
	t.Helper()
	loc := kindsZone(t)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).In(loc)
	return notify.AppointmentData{
		ClinicName: "Клиника Здоровье",
		Service:    kindsLongService,
		Specialist: "Анна Смирнова",
		Branch:     "На Тверской",
		Address:    "Москва, Тверская ул., 12, стр. 1",
		Start:      start,
		End:        start.Add(90 * time.Minute),
		OldStart:   time.Date(2026, 11, 27, 18, 30, 0, 0, loc),
		Before:     24 * time.Hour,
		URL:        kindsAppointmentURL,
	}
}

// kindsFollowUp is the realistic care follow-up of that visit.
func kindsFollowUp(t *testing.T, after time.Duration) notify.FollowUpData {
	t.Helper()
	a := kindsAppointment(t)
	return notify.FollowUpData{ClinicName: a.ClinicName, Service: a.Service, Specialist: a.Specialist, Branch: a.Branch,
		Visit: a.Start, After: after, URL: kindsJournalURL}
}

// kindsCase is one kind with one set of data. want and notWant are keyed by
// locale ("ru": every channel) or locale and channel ("ru.sms").
type kindsCase struct {
	name          string
	kind          string
	data          any
	want, notWant map[string][]string
}

func kindsCases(t *testing.T) []kindsCase {
	t.Helper()
	appt := func(change func(*notify.AppointmentData)) notify.AppointmentData {
		d := kindsAppointment(t)
		if change != nil {
			change(&d)
		}
		return d
	}
	minimal := func(d *notify.AppointmentData) {
		d.Specialist, d.Address, d.Reason, d.URL, d.End = "", "", "", "", time.Time{}
	}
	return []kindsCase{
		{name: "booked", kind: notify.KindAppointmentBooked, data: appt(nil),
			want: map[string][]string{
				"ru": {"Вы записаны"}, "en": {"You're booked"},
				"ru.sms":   {"Москва, Тверская ул., 12, стр. 1", "Клиника Здоровье"},
				"en.sms":   {"Москва, Тверская ул., 12, стр. 1", "Клиника Здоровье"},
				"ru.email": {kindsLongService, "12:00–13:30", "Специалист: Анна Смирнова", "Филиал: На Тверской", kindsAppointmentURL},
				"en.email": {kindsLongService, "12:00–13:30", "Specialist: Анна Смирнова", "Location: На Тверской", kindsAppointmentURL},
			},
			notWant: map[string][]string{"ru.sms": {kindsLongService}, "en.sms": {kindsLongService}, "ru.push": {kindsLongService}, "en.push": {kindsLongService}},
		},
		{name: "booked without optional fields", kind: notify.KindAppointmentBooked, data: appt(minimal),
			want: map[string][]string{"ru.sms": {"На Тверской."}, "en.sms": {"На Тверской."}, "ru.email": {"по телефону"}, "en.email": {"by phone"}},
			notWant: map[string][]string{
				"ru": {"http", "Специалист", "Адрес", "–"}, "en": {"http", "Specialist", "Address", "–"},
			},
		},
		{name: "pending", kind: notify.KindAppointmentPending, data: appt(nil),
			want: map[string][]string{"ru": {"подтвердим"}, "en": {"confirm"}}},
		{name: "confirmed", kind: notify.KindAppointmentConfirmed, data: appt(nil),
			want: map[string][]string{
				"ru.sms": {"Запись подтверждена", "Москва, Тверская ул., 12, стр. 1"}, "ru.push": {"Запись подтверждена", "Ждём вас"},
				"ru.email": {"Мы подтвердили", "Ждём вас"}, "en": {"onfirmed"}, "en.sms": {"Москва, Тверская ул., 12, стр. 1"},
			},
		},
		{name: "rescheduled", kind: notify.KindAppointmentRescheduled, data: appt(nil),
			want: map[string][]string{
				"ru": {"перенесена"}, "en": {"moved"},
				"ru.sms":   {"с 27.11 18:30 на 1 декабря, вторник, в 12:00", "На Тверской"},
				"en.sms":   {"from 27 Nov 18:30 to Tuesday, 1 December, at 12:00", "На Тверской"},
				"ru.email": {"Новое время: 1 декабря, вторник, 12:00–13:30", "Прежнее время: 27 ноября, пятница, 18:30"},
				"en.email": {"New time: Tuesday, 1 December, 12:00–13:30", "Previous time: Friday, 27 November, 18:30"},
				"ru.push":  {"Новое время: 1 декабря, вторник, в 12:00. Было: 27 ноября, пятница, в 18:30."},
				"en.push":  {"New time: Tuesday, 1 December, at 12:00. Was: Friday, 27 November, at 18:30."},
			},
		},
		{name: "rescheduled without the old time", kind: notify.KindAppointmentRescheduled,
			data:    appt(func(d *notify.AppointmentData) { d.OldStart = time.Time{} }),
			want:    map[string][]string{"ru.sms": {"Запись перенесена на 1 декабря"}, "en.sms": {"moved to Tuesday"}},
			notWant: map[string][]string{"ru": {"Прежнее", "Было", "ноября"}, "en": {"Previous", "Was", "November", "Nov"}},
		},
		{name: "cancelled by the clinic, with a reason", kind: notify.KindAppointmentCancelled,
			data: appt(func(d *notify.AppointmentData) { d.ByClinic, d.Reason = true, "Специалист заболел" }),
			want: map[string][]string{
				"ru.sms":  {"Извините, запись на 1 декабря, вторник, в 12:00 отменена."},
				"en.sms":  {"Sorry, your visit on Tuesday, 1 December, at 12:00 is cancelled."},
				"ru.push": {"Извините"}, "en.push": {"Sorry"},
				"ru.email": {"К сожалению", "Простите", "Причина: Специалист заболел"},
				"en.email": {"Unfortunately", "sorry", "Reason: Специалист заболел"},
			},
			// A reason is free text typed by staff: it may say more than a
			// lock screen or a third party's SMS gateway should see.
			notWant: map[string][]string{"ru": {"видеть вас снова"}, "en": {"see you again"},
				"ru.sms": {"заболел"}, "en.sms": {"заболел"}, "ru.push": {"заболел"}, "en.push": {"заболел"}},
		},
		{name: "cancelled by the clinic, no reason", kind: notify.KindAppointmentCancelled,
			data:    appt(func(d *notify.AppointmentData) { d.ByClinic = true }),
			want:    map[string][]string{"ru.sms": {"Извините"}, "en.sms": {"Sorry"}},
			notWant: map[string][]string{"ru": {"Причина"}, "en": {"Reason"}},
		},
		{name: "cancelled by the client", kind: notify.KindAppointmentCancelled, data: appt(nil),
			want:    map[string][]string{"ru": {"отменена", "видеть вас снова"}, "en": {"cancelled", "see you again"}},
			notWant: map[string][]string{"ru": {"Причина", "Извините", "К сожалению"}, "en": {"Reason", "Sorry", "Unfortunately"}},
		},
		{name: "cancelled by the client, with a reason", kind: notify.KindAppointmentCancelled,
			data: appt(func(d *notify.AppointmentData) {
				d.Reason = "Не смогу прийти, уезжаю в командировку"
			}),
			want: map[string][]string{
				"ru.email": {"Причина: Не смогу прийти, уезжаю в командировку"},
				"en.email": {"Reason: Не смогу прийти, уезжаю в командировку"},
			},
			// The client's own words are not echoed in an SMS: they know them, and
			// they are as long as they like.
			notWant: map[string][]string{
				"ru": {"Извините", "К сожалению"}, "en": {"Sorry", "Unfortunately"},
				"ru.sms": {"Причина", "командировку"}, "en.sms": {"Reason", "командировку"},
				"ru.push": {"командировку"}, "en.push": {"командировку"},
			},
		},
		{name: "reminder a day before", kind: notify.KindReminder, data: appt(nil),
			want: map[string][]string{
				"ru": {"через 24 часа"}, "en": {"in 24 hours"},
				"ru.sms": {"Москва, Тверская ул., 12, стр. 1"}, "en.sms": {"Москва, Тверская ул., 12, стр. 1"},
				"ru.push": {"Москва, Тверская ул., 12, стр. 1"}, "en.push": {"Москва, Тверская ул., 12, стр. 1"},
			},
		},
		{name: "reminder two hours before, no link", kind: notify.KindReminder,
			data:    appt(func(d *notify.AppointmentData) { d.Before, d.URL = 2*time.Hour, "" }),
			want:    map[string][]string{"ru": {"через 2 часа"}, "en": {"in 2 hours"}},
			notWant: map[string][]string{"ru": {"http"}, "en": {"http"}},
		},
		{name: "reminder 21 hours before", kind: notify.KindReminder,
			data: appt(func(d *notify.AppointmentData) { d.Before = 21 * time.Hour }),
			want: map[string][]string{"ru": {"через 21 час"}, "en": {"in 21 hours"}},
		},
		{name: "reminder 5 hours before, no address", kind: notify.KindReminder,
			data:    appt(func(d *notify.AppointmentData) { d.Before, d.Address = 5*time.Hour, "" }),
			want:    map[string][]string{"ru": {"через 5 часов"}, "en": {"in 5 hours"}, "ru.sms": {"На Тверской."}},
			notWant: map[string][]string{"ru": {"Москва"}, "en": {"Москва"}},
		},
		{name: "aftercare check", kind: notify.KindAftercareCheck, data: kindsFollowUp(t, 24*time.Hour),
			want: map[string][]string{
				"ru":       {"Как чувствует себя кожа", "влажняйте", "покраснение", "напишите нам"},
				"en":       {"How is your skin feeling", "moisturised", "SPF", "redness", "write to us"},
				"ru.email": {kindsLongService, kindsJournalURL, "Специалист: Анна Смирнова", "Процедура:", "1 декабря, вторник"},
				"en.email": {kindsLongService, kindsJournalURL, "Specialist: Анна Смирнова", "Procedure:", "Tuesday, 1 December"},
			},
			// The journal is no place to write to the clinic, and the SMS has
			// no room for it next to the care hint.
			notWant: map[string][]string{
				"ru.sms": {kindsLongService, "http"}, "en.sms": {kindsLongService, "http"},
				"ru.push": {kindsLongService}, "en.push": {kindsLongService},
			},
		},
		{name: "aftercare check without link or specialist", kind: notify.KindAftercareCheck,
			data: func() notify.FollowUpData {
				d := kindsFollowUp(t, 24*time.Hour)
				d.URL, d.Specialist = "", ""
				return d
			}(),
			want:    map[string][]string{"ru.email": {"позвоните"}, "en.email": {"give us a call"}},
			notWant: map[string][]string{"ru": {"http", "Специалист"}, "en": {"http", "Specialist"}},
		},
		{name: "aftercare photo", kind: notify.KindAftercarePhoto, data: kindsFollowUp(t, 14*24*time.Hour),
			want: map[string][]string{
				"ru": {"контрольное фото", "дневник кожи"}, "en": {"photo", "skin journal"},
				"ru.sms": {"«после»"}, "ru.push": {"«до» и «после»"}, "en.sms": {`"after" photo`},
				"ru.email": {kindsLongService, "«до»"}, "en.email": {kindsLongService, "follow-up photo", `"before"`},
				"en.push": {"follow-up photo", "before and after"},
			},
		},
	}
}

func kindsIsFollowUp(kind string) bool {
	return kind == notify.KindAftercareCheck || kind == notify.KindAftercarePhoto
}

// Every kind renders in every locale and channel without artefacts, with
// the locale's date words, the clinic's wall clock, the right plural, and
// SMS within two parts.
//
// Two Cyrillic parts are 134 characters, and the longest SMS (the reminder:
// time, address, clinic name, link) leaves only a few spare with a
// 16-character clinic name and a 28-character short link. A longer link,
// such as the cabinet's own /appointments/<UUID> one, does not fit: the
// Notifier's FitSMS then cuts the message before the link.
func TestTemplatesKinds(t *testing.T) {
	tpl := kindsTemplates(t)
	dateWord := map[string]string{"ru": "декабря", "en": "December"}
	longestSMS := map[string]struct {
		name        string
		parts, size int
	}{}
	for _, tc := range kindsCases(t) {
		for _, locale := range []string{"ru", "en"} {
			for _, ch := range kindsChannels {
				t.Run(tc.name+"/"+locale+"/"+string(ch), func(t *testing.T) {
					r, err := tpl.Render(tc.kind, locale, ch, tc.data)
					require.NoError(t, err)
					require.NotEmpty(t, r.Text)

					for _, s := range []string{r.Text, r.Subject, r.HTML} {
						for _, bad := range []string{"<no value>", "%!", "{{", "}}", "<nil>"} {
							assert.NotContains(t, s, bad)
						}
					}
					for _, s := range []string{r.Text, r.Subject} {
						for _, bad := range []string{"  ", " .", " ,", "..", ",.", "\n\n\n"} {
							assert.NotContains(t, s, bad, "an empty field left a gap:\n%s", s)
						}
					}

					// Dates and times: appointments show the start in every
					// channel; follow-ups show the visit's date in e-mail.
					switch {
					case !kindsIsFollowUp(tc.kind):
						assert.Contains(t, r.Text, dateWord[locale])
						assert.Contains(t, r.Text, "12:00", "the branch's wall clock, not UTC")
						assert.NotContains(t, r.Text, "09:00")
					case ch == notify.ChannelEmail:
						assert.Contains(t, r.Text, dateWord[locale])
					}

					for _, key := range []string{locale, locale + "." + string(ch)} {
						for _, w := range tc.want[key] {
							assert.Contains(t, r.Subject+"\n"+r.Text, w)
						}
						for _, w := range tc.notWant[key] {
							assert.NotContains(t, r.Subject+"\n"+r.Text, w)
							assert.NotContains(t, r.HTML, w)
						}
					}

					switch ch {
					case notify.ChannelSMS:
						assert.Empty(t, r.Subject)
						assert.Empty(t, r.HTML)
						assert.NotContains(t, r.Text, "\n")
						parts := notify.SMSSegments(r.Text)
						assert.LessOrEqual(t, parts, 2, "%d characters: %s", len([]rune(r.Text)), r.Text)
						if size := len([]rune(r.Text)); size > longestSMS[locale].size {
							longestSMS[locale] = struct {
								name        string
								parts, size int
							}{tc.name, parts, size}
						}
					case notify.ChannelEmail:
						require.NotEmpty(t, r.Subject)
						assert.NotContains(t, r.Subject, "\n")
						assert.Contains(t, r.Subject, "Клиника Здоровье")
						require.NotEmpty(t, r.HTML)
						assert.True(t, strings.HasPrefix(r.HTML, "<!DOCTYPE html>"))
						assert.Contains(t, r.HTML, `<html lang="`+locale+`">`)
						assert.NotContains(t, r.HTML, "<script")
						assert.NotContains(t, r.HTML, "<img")
						assert.NotContains(t, r.HTML, "src=")
						assert.Contains(t, r.HTML, dateWord[locale])
						if !kindsIsFollowUp(tc.kind) {
							assert.Contains(t, r.HTML, "12:00")
						}
						if strings.Contains(r.Text, "http") {
							assert.Contains(t, r.HTML, `<a href="https://`, "a link in the text part is a link in HTML too")
						} else {
							assert.NotContains(t, r.HTML, "<a ")
						}
						assert.Contains(t, r.HTML, "Клиника Здоровье")
					case notify.ChannelPush:
						require.NotEmpty(t, r.Subject, "the title")
						assert.NotContains(t, r.Subject, "\n")
						assert.Empty(t, r.HTML)
						assert.NotContains(t, r.Text, "http", "the notification opens the page itself")
					}
				})
			}
		}
	}
	for _, locale := range []string{"ru", "en"} {
		l := longestSMS[locale]
		t.Logf("longest %s SMS: %s, %d parts, %d characters", locale, l.name, l.parts, l.size)
	}
}

// A client's own words and a clinic's catalog are data: the HTML part
// escapes them, and a link is only ever an http(s) one.
func TestTemplatesKindsEscapeHTML(t *testing.T) {
	tpl := kindsTemplates(t)
	appt := kindsAppointment(t)
	appt.Service, appt.Reason, appt.ByClinic = kindsHostileService, `</p><script>alert(1)</script>`, true
	appt.URL = "javascript:alert(1)"
	fu := kindsFollowUp(t, 24*time.Hour)
	fu.Service, fu.URL = kindsHostileService, "javascript:alert(1)"
	for _, kind := range append(append([]string{}, kindsAppointmentKinds...), kindsFollowUpKinds...) {
		var data any = appt
		if kindsIsFollowUp(kind) {
			data = fu
		}
		for _, locale := range []string{"ru", "en"} {
			t.Run(kind+"/"+locale, func(t *testing.T) {
				r, err := tpl.Render(kind, locale, notify.ChannelEmail, data)
				require.NoError(t, err)
				assert.Contains(t, r.HTML, "&lt;img src=x onerror=alert(1)&gt;")
				assert.NotContains(t, r.HTML, "<img")
				assert.NotContains(t, r.HTML, "<script")
				assert.NotContains(t, r.HTML, "javascript:")
				assert.Contains(t, r.Text, kindsHostileService, "the text part is plain text: nothing to escape")
			})
		}
	}
}

// kindsGSM7 reports whether every character of s is in the GSM 7-bit alphabet:
// 71 of a GSM character fit one SMS part, 71 of any other need two.
func kindsGSM7(s string) bool {
	for _, r := range s {
		if notify.SMSSegments(strings.Repeat(string(r), 71)) != 1 {
			return false
		}
	}
	return true
}

// English SMS keep to the GSM alphabet (no «», —, … or curly quotes), so
// that a clinic with a Latin name and address sends 160 characters a part,
// not 70; with such data each is a single part.
func TestTemplatesKindsEnglishSMSIsGSM(t *testing.T) {
	tpl := kindsTemplates(t)
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	appt := notify.AppointmentData{ClinicName: "Harley Skin Clinic", Service: "Chemical peel", Specialist: "Dr Anna Smith",
		Branch: "Harley Street", Address: "12 Harley St, London W1G 9PF", Start: start, End: start.Add(time.Hour),
		OldStart: start.Add(-48 * time.Hour), Reason: "The specialist is ill", Before: 24 * time.Hour,
		URL: "https://harleyskin.example/a/7Kq2xP9"}
	fu := notify.FollowUpData{ClinicName: appt.ClinicName, Service: appt.Service, Branch: appt.Branch, Visit: start,
		After: 24 * time.Hour, URL: "https://harleyskin.example/journal"}
	for _, kind := range append(append([]string{}, kindsAppointmentKinds...), kindsFollowUpKinds...) {
		for _, byClinic := range []bool{false, true} {
			var data any = fu
			if !kindsIsFollowUp(kind) {
				d := appt
				d.ByClinic = byClinic
				data = d
			}
			r, err := tpl.Render(kind, "en", notify.ChannelSMS, data)
			require.NoError(t, err)
			assert.True(t, kindsGSM7(r.Text), "%s: not GSM 7-bit: %s", kind, r.Text)
			assert.Equal(t, 1, notify.SMSSegments(r.Text), "%s: %d characters: %s", kind, len(r.Text), r.Text)
		}
	}
}

// Every kind has its default-locale (ru) templates, so NewTemplates accepts
// the embedded set; every kind has English too, so English can be the
// default.
func TestTemplatesKindsComplete(t *testing.T) {
	for _, def := range []string{"", "ru", "en"} {
		tpl, err := notify.NewTemplates(nil, def)
		require.NoError(t, err, "default locale %q", def)
		for _, kind := range append(append([]string{}, kindsAppointmentKinds...), kindsFollowUpKinds...) {
			var data any = kindsAppointment(t)
			if kindsIsFollowUp(kind) {
				data = kindsFollowUp(t, 24*time.Hour)
			}
			for _, ch := range kindsChannels {
				_, err := tpl.Render(kind, def, ch, data)
				assert.NoError(t, err, "%s %s", kind, ch)
			}
		}
	}
}

// A locale without its own files (German) gets the default-locale text,
// with Russian dates to match.
func TestTemplatesKindsFallback(t *testing.T) {
	tpl := kindsTemplates(t)
	r, err := tpl.Render(notify.KindReminder, "de-DE", notify.ChannelSMS, kindsAppointment(t))
	require.NoError(t, err)
	assert.Contains(t, r.Text, "через 24 часа: 1 декабря, вторник, в 12:00")
}

// With the cabinet's own appointment link (about 80 characters) the
// reminder needs three parts; FitSMS, which the Notifier applies, drops
// the link whole rather than sending a broken one.
func TestTemplatesKindsSMSCarryNoLink(t *testing.T) {
	// A link to the appointment (a UUID under the cabinet's address) would
	// take half of a Cyrillic SMS; the e-mail and the push carry it.
	tpl := kindsTemplates(t)
	d := kindsAppointment(t)
	d.URL = "https://zdorovie.ru/cabinet/appointments/01938f4e-7b2a-7c3d-9e1f-2a3b4c5d6e7f"
	for _, locale := range []string{"ru", "en"} {
		r, err := tpl.Render(notify.KindReminder, locale, notify.ChannelSMS, d)
		require.NoError(t, err)
		assert.NotContains(t, r.Text, "https://", locale)
		assert.LessOrEqual(t, notify.SMSSegments(r.Text), 2, r.Text)
		r, err = tpl.Render(notify.KindReminder, locale, notify.ChannelEmail, d)
		require.NoError(t, err)
		assert.Contains(t, r.Text, d.URL, locale)
	}
}
