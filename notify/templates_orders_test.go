package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// Realistic order data at its longest: product names are what stretch an
// e-mail; the address, the clinic's name and the order number fill an SMS.
const (
	ordersLongProduct    = "Derma Lab Professional Retinol 0.3% Night Renewal Cream with Ceramides"
	ordersHostileProduct = `<img src=x onerror=alert(1)>`
	ordersURL            = "https://zdorovie.ru/o/7Kq2xP"
)

func ordersData(t *testing.T) notify.OrderData {
	t.Helper()
	loc := kindsZone(t)
	return notify.OrderData{
		ClinicName: "Клиника Здоровье",
		Number:     104217,
		Branch:     "На Тверской",
		Address:    "Москва, Тверская ул., 12, стр. 1",
		Phone:      "+7 495 123-45-67",
		Items: []notify.OrderLine{
			{Name: ordersLongProduct, Volume: notify.Volume{Amount: 50, Unit: "ml"}, Quantity: 1,
				Subtotal: notify.Price{Amount: 690000, Currency: "RUB"}},
			{Name: "SunGuard Invisible Fluid SPF 50", Volume: notify.Volume{Amount: 40, Unit: "ml"}, Quantity: 2,
				Subtotal: notify.Price{Amount: 520050, Currency: "RUB"}},
			{Name: "Hydra Patches", Volume: notify.Volume{Amount: 60, Unit: "pcs"}, Quantity: 1,
				Subtotal: notify.Price{Amount: 150000, Currency: "RUB"}},
		},
		Total:  notify.Price{Amount: 1360050, Currency: "RUB"},
		Placed: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).In(loc),
		URL:    ordersURL,
	}
}

func ordersReplenish(t *testing.T) notify.ReplenishData {
	t.Helper()
	loc := kindsZone(t)
	return notify.ReplenishData{
		ClinicName: "Клиника Здоровье",
		Product:    "Derma Lab Retinol 0.3% Night Renewal Cream",
		Volume:     notify.Volume{Amount: 50, Unit: "ml"},
		Bought:     time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).In(loc),
		RunsOut:    time.Date(2027, 1, 30, 9, 0, 0, 0, time.UTC).In(loc),
		Branch:     "На Тверской",
		URL:        "https://zdorovie.ru/p/retinol-50",
	}
}

type ordersCase struct {
	name          string
	kind          string
	data          any
	want, notWant map[string][]string // by locale or locale.channel
}

func ordersCases(t *testing.T) []ordersCase {
	t.Helper()
	order := func(change func(*notify.OrderData)) notify.OrderData {
		d := ordersData(t)
		if change != nil {
			change(&d)
		}
		return d
	}
	minimal := func(d *notify.OrderData) {
		d.Address, d.Phone, d.URL = "", "", ""
		for i := range d.Items {
			d.Items[i].Volume = notify.Volume{}
		}
	}
	// What the status messages never say on a lock screen or in an SMS.
	products := []string{ordersLongProduct, "SunGuard", "Hydra Patches"}
	quiet := map[string][]string{"ru.sms": products, "en.sms": products, "ru.push": products, "en.push": products}
	with := func(m map[string][]string) map[string][]string {
		out := map[string][]string{}
		for k, v := range quiet {
			out[k] = append(out[k], v...)
		}
		for k, v := range m {
			out[k] = append(out[k], v...)
		}
		return out
	}
	return []ordersCase{
		{name: "received", kind: notify.KindOrderReceived, data: order(nil),
			want: map[string][]string{
				"ru": {"104217", "принят"}, "en": {"104217", "received"},
				"ru.sms": {"На Тверской", "Клиника Здоровье"}, "en.sms": {"На Тверской", "Клиника Здоровье"},
				"ru.email": {ordersLongProduct, "50\u00a0мл × 1: 6\u00a0900\u00a0₽", "40\u00a0мл × 2: 5\u00a0200,50\u00a0₽",
					"60\u00a0шт. × 1", "Итого: 13\u00a0600,50\u00a0₽", "Адрес: Москва, Тверская ул., 12, стр. 1",
					"Телефон: +7 495 123-45-67", "1 декабря, вторник", "Оплата при получении", ordersURL},
				"en.email": {ordersLongProduct, "50 ml × 1: 6,900 RUB", "40 ml × 2: 5,200.50 RUB", "60 pcs × 1",
					"Total: 13,600.50 RUB", "placed on Tuesday, 1 December", ordersURL},
			},
			notWant: quiet,
		},
		{name: "received without optional fields", kind: notify.KindOrderReceived, data: order(minimal),
			want:    map[string][]string{"ru.email": {"отменить в личном кабинете."}, "en.email": {"cancel it in your account."}},
			notWant: with(map[string][]string{"ru": {"http", "Адрес", "Телефон", "мл"}, "en": {"http", "Address", "Phone", " ml"}}),
		},
		{name: "confirmed", kind: notify.KindOrderConfirmed, data: order(nil),
			want:    map[string][]string{"ru": {"подтверждён", "104217"}, "en": {"confirmed", "104217"}},
			notWant: quiet,
		},
		{name: "ready", kind: notify.KindOrderReady, data: order(nil),
			want: map[string][]string{
				"ru": {"готов", "104217"}, "en": {"ready to collect", "104217"},
				"ru.sms": {"Москва, Тверская ул., 12, стр. 1"}, "en.sms": {"Москва, Тверская ул., 12, стр. 1"},
				"ru.push": {"Москва, Тверская ул., 12, стр. 1"}, "en.push": {"Москва, Тверская ул., 12, стр. 1"},
				"ru.email": {"ждёт вас", "Оплата при получении"}, "en.email": {"waiting for you", "You pay when you collect it"},
			},
			notWant: quiet,
		},
		{name: "ready, no address", kind: notify.KindOrderReady, data: order(minimal),
			want:    map[string][]string{"ru.sms": {"ждём вас: На Тверской."}, "en.sms": {"collect at На Тверской."}},
			notWant: with(map[string][]string{"ru": {"Москва", "http"}, "en": {"Москва", "http"}}),
		},
		{name: "cancelled by the clinic, with a reason", kind: notify.KindOrderCancelled,
			data: order(func(d *notify.OrderData) {
				d.ByClinic, d.Reason = true, "Товар закончился у поставщика"
			}),
			want: map[string][]string{
				"ru.sms":  {"Извините, заказ №104217 отменён. Подробности в личном кабинете."},
				"en.sms":  {"Sorry, order 104217 is cancelled. Details are in your account."},
				"ru.push": {"Извините", "Подробности в личном кабинете."}, "en.push": {"Sorry", "Details are in your account."},
				"ru.email": {"К сожалению", "Простите", "Причина: Товар закончился у поставщика"},
				"en.email": {"Unfortunately", "sorry", "Reason: Товар закончился у поставщика"},
			},
			// Staff's own words go to the e-mail and the cabinet only: an SMS
			// or a lock screen is no place for free text nobody reviewed.
			notWant: with(map[string][]string{
				"ru.sms": {"Товар закончился", "Причина"}, "en.sms": {"Товар закончился", "Reason"},
				"ru.push": {"Товар закончился", "Причина"}, "en.push": {"Товар закончился", "Reason"},
			}),
		},
		{name: "cancelled by the client", kind: notify.KindOrderCancelled, data: order(nil),
			want:    map[string][]string{"ru": {"отменён"}, "en": {"cancelled"}},
			notWant: with(map[string][]string{"ru": {"Причина", "Извините", "К сожалению"}, "en": {"Reason", "Sorry", "Unfortunately"}}),
		},
		{name: "replenish", kind: notify.KindReplenish, data: ordersReplenish(t),
			want: map[string][]string{
				"ru":     {"Пора пополнить запас", "Derma Lab Retinol 0.3% Night Renewal Cream"},
				"en":     {"Time to restock", "Derma Lab Retinol 0.3% Night Renewal Cream"},
				"ru.sms": {"около 30.01"}, "en.sms": {"around 30 Jan"},
				"ru.push": {"около 30 января, суббота"}, "en.push": {"around Saturday, 30 January"},
				"ru.email": {"Вы купили Derma Lab Retinol 0.3% Night Renewal Cream, 50\u00a0мл (1 декабря, вторник)", "50\u00a0мл", "30 января", "«На Тверской»", "https://zdorovie.ru/p/retinol-50"},
				"en.email": {"On Tuesday, 1 December you bought", "50 ml", "30 January", "https://zdorovie.ru/p/retinol-50"},
			},
			notWant: map[string][]string{"ru.sms": {"http"}, "en.sms": {"http"}},
		},
		{name: "replenish without volume, branch or link", kind: notify.KindReplenish,
			data: func() notify.ReplenishData {
				d := ordersReplenish(t)
				d.Volume, d.Branch, d.URL = notify.Volume{}, "", ""
				return d
			}(),
			want:    map[string][]string{"ru.email": {"по телефону"}, "en.email": {"the clinic", "by phone"}},
			notWant: map[string][]string{"ru": {"http", "мл", "«"}, "en": {"http", " ml"}},
		},
	}
}

// Every order kind and the replenishment reminder render in every locale
// and channel without artefacts; SMS stay within two parts and, like push,
// name no product of an order.
func TestTemplatesOrders(t *testing.T) {
	tpl := kindsTemplates(t)
	for _, tc := range ordersCases(t) {
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
						for _, bad := range []string{"  ", " .", " ,", "..", ",.", "\n\n\n", ": ."} {
							assert.NotContains(t, s, bad, "an empty field left a gap:\n%s", s)
						}
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
						assert.LessOrEqual(t, notify.SMSSegments(r.Text), 2, "%d characters: %s", len([]rune(r.Text)), r.Text)
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
						if tc.kind != notify.KindReplenish {
							d := tc.data.(notify.OrderData)
							for _, it := range d.Items {
								assert.Contains(t, r.Text, it.Name, "the e-mail lists the items")
								assert.Contains(t, r.HTML, it.Name)
							}
						}
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
}

// Product names come from the clinic's catalog: data, escaped in HTML; a
// link is only ever an http(s) one.
func TestTemplatesOrdersEscapeHTML(t *testing.T) {
	tpl := kindsTemplates(t)
	d := ordersData(t)
	d.Items[0].Name, d.Reason, d.ByClinic, d.URL = ordersHostileProduct, `</p><script>alert(1)</script>`, true, "javascript:alert(1)"
	rd := ordersReplenish(t)
	rd.Product, rd.URL = ordersHostileProduct, "javascript:alert(1)"
	for _, kind := range append(append([]string{}, notify.OrderKinds...), notify.KindReplenish) {
		var data any = d
		if kind == notify.KindReplenish {
			data = rd
		}
		for _, locale := range []string{"ru", "en"} {
			t.Run(kind+"/"+locale, func(t *testing.T) {
				r, err := tpl.Render(kind, locale, notify.ChannelEmail, data)
				require.NoError(t, err)
				assert.Contains(t, r.HTML, "&lt;img src=x onerror=alert(1)&gt;")
				assert.NotContains(t, r.HTML, "<img")
				assert.NotContains(t, r.HTML, "<script")
				assert.NotContains(t, r.HTML, "javascript:")
			})
		}
	}
}

// English SMS keep to the GSM alphabet, so that with Latin data each is a
// single 160-character part.
func TestTemplatesOrdersEnglishSMSIsGSM(t *testing.T) {
	tpl := kindsTemplates(t)
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	d := notify.OrderData{ClinicName: "Harley Skin Clinic", Number: 104217, Branch: "Harley Street",
		Address: "12 Harley St, London W1G 9PF", Placed: start, Reason: "The supplier is out of stock",
		Items: []notify.OrderLine{{Name: "Vitamin C Serum", Quantity: 1, Subtotal: notify.Price{Amount: 4500, Currency: "GBP"}}},
		Total: notify.Price{Amount: 4500, Currency: "GBP"}, URL: "https://harleyskin.example/o/7Kq2xP9"}
	rd := notify.ReplenishData{ClinicName: "Harley Skin Clinic", Product: "Derma Lab Retinol 0.3% Night Cream",
		Volume: notify.Volume{Amount: 50, Unit: "ml"}, Bought: start, RunsOut: start.AddDate(0, 2, 0), Branch: "Harley Street"}
	for _, kind := range append(append([]string{}, notify.OrderKinds...), notify.KindReplenish) {
		for _, byClinic := range []bool{false, true} {
			var data any = rd
			if kind != notify.KindReplenish {
				x := d
				x.ByClinic = byClinic
				data = x
			}
			r, err := tpl.Render(kind, "en", notify.ChannelSMS, data)
			require.NoError(t, err)
			assert.True(t, kindsGSM7(r.Text), "%s: not GSM 7-bit: %s", kind, r.Text)
			assert.Equal(t, 1, notify.SMSSegments(r.Text), "%s: %d characters: %s", kind, len(r.Text), r.Text)
		}
	}
}

// Every new kind exists in both locales, so either may be the default.
func TestTemplatesOrdersComplete(t *testing.T) {
	for _, def := range []string{"ru", "en"} {
		tpl, err := notify.NewTemplates(nil, def)
		require.NoError(t, err)
		for _, kind := range append(append([]string{}, notify.OrderKinds...), notify.KindReplenish) {
			assert.True(t, tpl.HasKind(kind), kind)
			var data any = ordersData(t)
			if kind == notify.KindReplenish {
				data = ordersReplenish(t)
			}
			for _, ch := range kindsChannels {
				_, err := tpl.Render(kind, def, ch, data)
				assert.NoError(t, err, "%s %s", kind, ch)
			}
		}
	}
}

func TestPriceAndVolumeFormat(t *testing.T) {
	for _, tc := range []struct {
		p      notify.Price
		ru, en string
	}{
		{notify.Price{Amount: 350000, Currency: "RUB"}, "3\u00a0500\u00a0₽", "3,500 RUB"},
		{notify.Price{Amount: 99, Currency: "RUB"}, "0,99\u00a0₽", "0.99 RUB"},
		{notify.Price{Amount: 105, Currency: "RUB"}, "1,05\u00a0₽", "1.05 RUB"},
		{notify.Price{Amount: 123456789, Currency: "EUR"}, "1\u00a0234\u00a0567,89\u00a0EUR", "1,234,567.89 EUR"},
		{notify.Price{Amount: 100000000, Currency: ""}, "1\u00a0000\u00a0000\u00a0₽", "1,000,000 RUB"},
		{notify.Price{Amount: -2500, Currency: "RUB"}, "-25\u00a0₽", "-25 RUB"},
		{notify.Price{}, "0\u00a0₽", "0 RUB"},
	} {
		assert.Equal(t, tc.ru, tc.p.Format("ru-RU"), "%+v", tc.p)
		assert.Equal(t, tc.en, tc.p.Format("en"), "%+v", tc.p)
	}
	assert.Equal(t, "3\u00a0500\u00a0₽", notify.Price{Amount: 350000, Currency: "RUB"}.String())
	assert.Equal(t, "50\u00a0мл", notify.Volume{Amount: 50, Unit: "ml"}.Format("ru"))
	assert.Equal(t, "75\u00a0г", notify.Volume{Amount: 75, Unit: "g"}.Format("ru"))
	assert.Equal(t, "5\u00a0шт.", notify.Volume{Amount: 5, Unit: "pcs"}.Format("ru"))
	assert.Equal(t, "50 ml", notify.Volume{Amount: 50, Unit: "ml"}.Format("en"))
	assert.Empty(t, notify.Volume{}.Format("ru"))
	assert.Equal(t, 4, ordersData(t).Count())
}
