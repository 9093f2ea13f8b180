package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// The marketing kinds and realistic data for them: the offer's title and
// gift (written by the clinic in both languages), the clinic's name and
// the dates are what fill an SMS.
var marketingKinds = []string{notify.KindOffer, notify.KindNewService}

const (
	marketingOfferURL   = "https://zdorovie.ru/cabinet/offers"
	marketingServiceURL = "https://zdorovie.ru/cabinet/services/fraxel"
	marketingService    = "Фракционный лазер Fraxel"
	marketingOptOutRU   = "Отписаться: настройки уведомлений в личном кабинете."
	marketingOptOutEN   = "To unsubscribe: notification settings in your account."
)

func marketingOffer(t *testing.T) notify.OfferData {
	t.Helper()
	return notify.OfferData{
		ClinicName:      "Клиника Здоровье",
		Title:           notify.Localized{RU: "Скучаем по вам: −15%", EN: "We miss you: 15% off"},
		DiscountPercent: 15,
		Gift:            notify.Localized{RU: "увлажняющая маска", EN: "a moisturising mask"},
		LastDay:         time.Date(2026, 12, 24, 0, 0, 0, 0, kindsZone(t)), // a Thursday
		URL:             marketingOfferURL,
	}
}

func marketingNewService() notify.NewServiceData {
	return notify.NewServiceData{
		ClinicName: "Клиника Здоровье",
		Service:    marketingService,
		Price:      notify.Price{Amount: 1200000, Currency: "RUB"},
		URL:        marketingServiceURL,
	}
}

type marketingCase struct {
	name          string
	kind          string
	data          any
	want, notWant map[string][]string // by locale or locale.channel; want is case-insensitive
}

func marketingCases(t *testing.T) []marketingCase {
	t.Helper()
	offer := func(change func(*notify.OfferData)) notify.OfferData {
		d := marketingOffer(t)
		if change != nil {
			change(&d)
		}
		return d
	}
	service := func(change func(*notify.NewServiceData)) notify.NewServiceData {
		d := marketingNewService()
		if change != nil {
			change(&d)
		}
		return d
	}
	// What no marketing message says: no link in an SMS or on a lock
	// screen, and an offer names no service (nor why it would suit).
	quiet := func(kind string, m map[string][]string) map[string][]string {
		out := map[string][]string{
			"ru.sms": {"http"}, "en.sms": {"http"}, "ru.push": {"http"}, "en.push": {"http"},
		}
		if kind == notify.KindOffer {
			out["ru"] = append(out["ru"], marketingService, "Fraxel")
			out["en"] = append(out["en"], marketingService, "Fraxel")
		}
		for k, v := range m {
			out[k] = append(out[k], v...)
		}
		return out
	}
	return []marketingCase{
		{name: "offer", kind: notify.KindOffer, data: offer(nil),
			want: map[string][]string{
				"ru": {"Скучаем по вам: −15%", "скидка 15%"}, "en": {"We miss you: 15% off", "15% off"},
				"ru.sms":  {"Персональное предложение в личном кабинете: «Скучаем по вам: −15%», скидка 15% и подарок до 24.12 включительно. Клиника Здоровье"},
				"en.sms":  {`A personal offer in your account: "We miss you: 15% off", 15% off and a gift until 24 Dec inclusive. Клиника Здоровье`},
				"ru.push": {"подарок — увлажняющая маска", "Последний день — 24 декабря, четверг."},
				"en.push": {"a gift, a moisturising mask", "The last day is Thursday, 24 December."},
				"ru.email": {"Вас ждёт скидка 15% и подарок: увлажняющая маска.", "Последний день предложения — 24 декабря, четверг.",
					"в личном кабинете:\n" + marketingOfferURL, marketingOptOutRU},
				"en.email": {"You get 15% off and a gift: a moisturising mask.", "The last day of the offer is Thursday, 24 December.",
					"in your account:\n" + marketingOfferURL, marketingOptOutEN},
			},
			notWant: quiet(notify.KindOffer, nil),
		},
		{name: "offer without a gift", kind: notify.KindOffer,
			data: offer(func(d *notify.OfferData) { d.Gift = notify.Localized{} }),
			want: map[string][]string{"ru": {"скидка 15%"}, "en": {"15% off"}},
			notWant: quiet(notify.KindOffer, map[string][]string{
				"ru": {"подарок", "маска"}, "en": {"gift", "mask"},
			}),
		},
		{name: "offer without a discount", kind: notify.KindOffer,
			data: offer(func(d *notify.OfferData) {
				d.Title, d.DiscountPercent = notify.Localized{RU: "Зимний уход", EN: "Winter care"}, 0
			}),
			want: map[string][]string{
				"ru": {"Зимний уход", "подарок"}, "en": {"Winter care", "gift"},
				"ru.email": {"Вас ждёт подарок: увлажняющая маска."}, "en.email": {"You get a gift: a moisturising mask."},
			},
			notWant: quiet(notify.KindOffer, map[string][]string{"ru": {"скидка", "%"}, "en": {"% off", "%"}}),
		},
		{name: "offer with neither, no link", kind: notify.KindOffer,
			data: offer(func(d *notify.OfferData) {
				d.Title, d.DiscountPercent, d.Gift, d.URL = notify.Localized{RU: "Ждём вас снова", EN: "See you again"}, 0, notify.Localized{}, ""
			}),
			want: map[string][]string{
				"ru.email": {"«Ждём вас снова».", "Подробности — в личном кабинете.", marketingOptOutRU},
				"en.email": {`"See you again".`, "The details are in your account.", marketingOptOutEN},
			},
			notWant: quiet(notify.KindOffer, map[string][]string{
				"ru": {"http", "скидка", "подарок", "%"}, "en": {"http", "% off", "gift", "%"},
			}),
		},
		{name: "offer written in Russian only", kind: notify.KindOffer,
			data: offer(func(d *notify.OfferData) { d.Title.EN, d.Gift.EN = "", "" }),
			want: map[string][]string{
				"en":       {"Скучаем по вам: −15%", "15% off"},
				"en.push":  {"a gift, увлажняющая маска"},
				"en.email": {"a gift: увлажняющая маска"},
			},
			notWant: quiet(notify.KindOffer, map[string][]string{"en": {"We miss you"}}),
		},
		{name: "new service", kind: notify.KindNewService, data: service(nil),
			want: map[string][]string{
				"ru": {marketingService, "от 12\u00a0000\u00a0₽", "в личном кабинете"}, "en": {marketingService, "from 12,000 RUB", "account"},
				"ru.sms": {"Возможно, вам подойдёт", "Клиника Здоровье"}, "en.sms": {"It may suit you", "Клиника Здоровье"},
				"ru.push": {"Возможно, она вам подойдёт"}, "en.push": {"It may suit you"},
				"ru.email": {"Возможно, она вам подойдёт", "Стоимость — от 12\u00a0000\u00a0₽.", "в личном кабинете:\n" + marketingServiceURL, marketingOptOutRU},
				"en.email": {"which may suit you", "Price: from 12,000 RUB.", "in your account:\n" + marketingServiceURL, marketingOptOutEN},
			},
			notWant: quiet(notify.KindNewService, nil),
		},
		{name: "new service without price or link", kind: notify.KindNewService,
			data: service(func(d *notify.NewServiceData) { d.Price, d.URL = notify.Price{}, "" }),
			want: map[string][]string{
				"ru": {marketingService}, "en": {marketingService},
				"ru.email": {"Подробности и запись — в личном кабинете."}, "en.email": {"Details and booking are in your account."},
			},
			notWant: quiet(notify.KindNewService, map[string][]string{
				"ru": {"http", "₽", "Стоимость", "стоимость", " от "}, "en": {"http", "RUB", "Price", "from"},
			}),
		},
	}
}

// Every marketing kind renders in every locale and channel without
// artefacts, with the offer's last day as the templates word it, the
// opt-out line in every e-mail, and SMS within two parts.
func TestTemplatesMarketing(t *testing.T) {
	tpl := kindsTemplates(t)
	for _, tc := range marketingCases(t) {
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
						for _, bad := range []string{"  ", " .", " ,", "..", ",.", "\n\n\n", ": .", "«»", `""`} {
							assert.NotContains(t, s, bad, "an empty field left a gap:\n%s", s)
						}
					}
					all := r.Subject + "\n" + r.Text
					for _, key := range []string{locale, locale + "." + string(ch)} {
						for _, w := range tc.want[key] {
							assert.Contains(t, strings.ToLower(all), strings.ToLower(w))
						}
						for _, w := range tc.notWant[key] {
							assert.NotContains(t, all, w)
							assert.NotContains(t, r.HTML, w)
						}
					}
					if d, ok := tc.data.(notify.OfferData); ok && ch != notify.ChannelSMS {
						assert.Contains(t, r.Text, notify.FormatDate(locale, d.LastDay), "the last day")
					}
					switch ch {
					case notify.ChannelSMS:
						assert.Empty(t, r.Subject)
						assert.Empty(t, r.HTML)
						assert.NotContains(t, r.Text, "\n")
						assert.LessOrEqual(t, notify.SMSSegments(r.Text), 2, "%d characters: %s", len([]rune(r.Text)), r.Text)
						if d, ok := tc.data.(notify.OfferData); ok {
							assert.Contains(t, r.Text, notify.FormatShortDate(locale, d.LastDay), "the last day")
						}
					case notify.ChannelEmail:
						require.NotEmpty(t, r.Subject)
						assert.NotContains(t, r.Subject, "\n")
						assert.Contains(t, r.Subject, "Клиника Здоровье")
						require.NotEmpty(t, r.HTML)
						assert.True(t, strings.HasPrefix(r.HTML, "<!DOCTYPE html>"))
						assert.Contains(t, r.HTML, `<html lang="`+locale+`">`)
						assert.Contains(t, r.HTML, "Клиника Здоровье")
						assert.NotContains(t, r.HTML, "<script")
						assert.NotContains(t, r.HTML, "<img")
						if strings.Contains(r.Text, "http") {
							assert.Contains(t, r.HTML, `<a href="https://`, "a link in the text part is a link in HTML too")
						} else {
							assert.NotContains(t, r.HTML, "<a ")
						}
						optOut := map[string]string{"ru": marketingOptOutRU, "en": marketingOptOutEN}[locale]
						assert.True(t, strings.HasSuffix(r.Text, optOut), "the text ends with how to opt out:\n%s", r.Text)
						assert.Contains(t, r.HTML, `color:#888888">`+optOut+`</p>`, "the HTML footer says it, in grey")
					case notify.ChannelPush:
						require.NotEmpty(t, r.Subject, "the title")
						assert.NotContains(t, r.Subject, "\n")
						assert.Empty(t, r.HTML)
					}
				})
			}
		}
	}
}

// The realistic SMS of each kind and locale, logged with their size:
// Cyrillic (or a Cyrillic clinic name in English) makes them UCS-2, 134
// characters in two parts.
func TestTemplatesMarketingSMSLength(t *testing.T) {
	tpl := kindsTemplates(t)
	for _, kind := range marketingKinds {
		var data any = marketingOffer(t)
		if kind == notify.KindNewService {
			data = marketingNewService()
		}
		for _, locale := range []string{"ru", "en"} {
			r, err := tpl.Render(kind, locale, notify.ChannelSMS, data)
			require.NoError(t, err)
			parts := notify.SMSSegments(r.Text)
			t.Logf("%s %s SMS: %d characters, %d parts: %s", kind, locale, len([]rune(r.Text)), parts, r.Text)
			assert.LessOrEqual(t, parts, 2)
			assert.Equal(t, r.Text, notify.FitSMS(r.Text, 2), "the Notifier sends it whole")
		}
	}
}

// Titles, gifts and service names come from the clinic: data, escaped in
// HTML; a link is only ever an http(s) one.
func TestTemplatesMarketingEscapeHTML(t *testing.T) {
	tpl := kindsTemplates(t)
	od := marketingOffer(t)
	od.Title = notify.Localized{RU: kindsHostileService, EN: kindsHostileService}
	od.Gift = notify.Localized{RU: `</p><script>alert(1)</script>`, EN: `</p><script>alert(1)</script>`}
	od.URL = "javascript:alert(1)"
	sd := marketingNewService()
	sd.Service, sd.URL = kindsHostileService, "javascript:alert(1)"
	for _, kind := range marketingKinds {
		var data any = od
		if kind == notify.KindNewService {
			data = sd
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

// English SMS keep to the GSM alphabet, so that with Latin data each is a
// single 160-character part.
func TestTemplatesMarketingEnglishSMSIsGSM(t *testing.T) {
	tpl := kindsTemplates(t)
	od := marketingOffer(t)
	od.ClinicName = "Harley Skin Clinic"
	sd := notify.NewServiceData{ClinicName: "Harley Skin Clinic", Service: "Fraxel laser resurfacing",
		Price: notify.Price{Amount: 45000, Currency: "GBP"}, URL: "https://harleyskin.example/s/fraxel"}
	for _, kind := range marketingKinds {
		var data any = od
		if kind == notify.KindNewService {
			data = sd
		}
		r, err := tpl.Render(kind, "en", notify.ChannelSMS, data)
		require.NoError(t, err)
		assert.True(t, kindsGSM7(r.Text), "%s: not GSM 7-bit: %s", kind, r.Text)
		assert.Equal(t, 1, notify.SMSSegments(r.Text), "%s: %d characters: %s", kind, len(r.Text), r.Text)
	}
}

// Both kinds exist in both locales, so either may be the default.
func TestTemplatesMarketingComplete(t *testing.T) {
	for _, def := range []string{"ru", "en"} {
		tpl, err := notify.NewTemplates(nil, def)
		require.NoError(t, err)
		for _, kind := range marketingKinds {
			assert.True(t, tpl.HasKind(kind), kind)
			var data any = marketingOffer(t)
			if kind == notify.KindNewService {
				data = marketingNewService()
			}
			for _, ch := range kindsChannels {
				_, err := tpl.Render(kind, def, ch, data)
				assert.NoError(t, err, "%s %s", kind, ch)
			}
		}
	}
}

// A text missing in one language falls back to the other.
func TestLocalizedIn(t *testing.T) {
	both := notify.Localized{RU: "Скучаем по вам: −15%", EN: "We miss you: 15% off"}
	for _, tc := range []struct {
		l      notify.Localized
		locale string
		want   string
	}{
		{both, "ru", both.RU},
		{both, "ru-RU", both.RU},
		{both, "en", both.EN},
		{both, "en-GB", both.EN},
		{both, "EN_us", both.EN},
		{both, "de", both.RU},
		{notify.Localized{RU: "Только по-русски"}, "en", "Только по-русски"},
		{notify.Localized{EN: "English only"}, "ru", "English only"},
		{notify.Localized{}, "en", ""},
	} {
		assert.Equal(t, tc.want, tc.l.In(tc.locale), "%+v in %q", tc.l, tc.locale)
	}
	assert.True(t, notify.Localized{}.IsZero())
	assert.False(t, notify.Localized{EN: "x"}.IsZero())
	assert.False(t, notify.Localized{RU: "x"}.IsZero())
}
