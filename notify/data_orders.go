package notify

import (
	"strconv"
	"strings"
	"time"
)

// The message kinds of product orders (category orders) and of the
// replenishment reminder (category reminders), each in ru and en for sms,
// email and push.
//
// SMS and push name no product for the status messages: they say which
// order (its number), where and what to do; the e-mail lists the items.
// The replenishment reminder names the product (it is the point of it): a
// cosmetic product, not a procedure.
const (
	KindOrderReceived  = "order_received"  // OrderData: the client's order is in, the clinic will confirm it
	KindOrderConfirmed = "order_confirmed" // OrderData: the clinic accepted it and is preparing it
	KindOrderReady     = "order_ready"     // OrderData: waiting at the branch
	KindOrderCancelled = "order_cancelled" // OrderData with Reason, ByClinic

	KindReplenish = "replenish" // ReplenishData: a product bought is about to run out
)

// OrderKinds are the kinds with OrderData.
var OrderKinds = []string{KindOrderReceived, KindOrderConfirmed, KindOrderReady, KindOrderCancelled}

// OrderData is the data of the order templates. Times are in the branch's
// zone.
type OrderData struct {
	ClinicName string
	Number     int64  // the order's number people see
	Branch     string // where to pick it up
	Address    string // may be empty
	Phone      string // the branch's, may be empty
	Items      []OrderLine
	Total      Price
	Placed     time.Time // when the client ordered
	Reason     string    // cancelled: why, when given
	ByClinic   bool      // cancelled: by the clinic, not by the client
	URL        string    // the order in the cabinet; may be empty
}

// Count is the number of units ordered.
func (d OrderData) Count() int {
	n := 0
	for _, l := range d.Items {
		n += l.Quantity
	}
	return n
}

// OrderLine is one line of an order in a message.
type OrderLine struct {
	Name     string // brand and name, e.g. "Derma Lab Vitamin C 15% Serum"
	Volume   Volume // of one unit; may be zero
	Quantity int
	Subtotal Price
}

// ReplenishData is the data of the replenishment reminder.
type ReplenishData struct {
	ClinicName string
	Product    string    // brand and name
	Volume     Volume    // of one unit; may be zero
	Bought     time.Time // when it was bought, in the branch's zone
	RunsOut    time.Time // when it is expected to run out
	Branch     string    // where it was bought
	URL        string    // the product in the cabinet's catalog; may be empty
}

// Price is an amount of money in minor units and its ISO 4217 currency,
// for templates: {{.Total.Format "ru"}} gives "3 500 ₽", {{.Total.Format
// "en"}} "3,500 RUB". A template file names its own locale, as it words
// everything else in it.
type Price struct {
	Amount   int64
	Currency string
}

// Format writes the price for people in locale: whole units without
// decimals, else two of them; ru groups thousands with a no-break space and
// writes roubles as ₽, en groups with commas and writes the currency's
// code, all in the GSM alphabet (an English SMS stays 160 characters a
// part).
func (p Price) Format(locale string) string {
	neg := p.Amount < 0
	a := p.Amount
	if neg {
		a = -a
	}
	ru := language(normalizeLocale(locale)) == "ru"
	sep, dec, space := ",", ".", " "
	if ru {
		sep, dec, space = "\u00a0", ",", "\u00a0"
	}
	s := groupThousands(strconv.FormatInt(a/100, 10), sep)
	if cents := a % 100; cents != 0 {
		s += dec + strconv.FormatInt(cents/10, 10) + strconv.FormatInt(cents%10, 10)
	}
	if neg {
		s = "-" + s
	}
	cur := p.Currency
	if ru && (cur == "RUB" || cur == "") {
		cur = "₽"
	} else if cur == "" {
		cur = "RUB"
	}
	return s + space + cur
}

// String is the price in the default locale.
func (p Price) String() string { return p.Format(DefaultLocale) }

func groupThousands(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Volume is the content of one unit of a product: 50 ml, 75 g, 5 pcs.
type Volume struct {
	Amount int
	Unit   string // "ml", "g" or "pcs"
}

// IsZero reports whether the volume is not given.
func (v Volume) IsZero() bool { return v.Amount <= 0 }

// Format writes the volume in locale: "50 мл", "75 г", "5 шт." or "50 ml",
// "75 g", "5 pcs"; "" when not given.
func (v Volume) Format(locale string) string {
	if v.IsZero() {
		return ""
	}
	n := strconv.Itoa(v.Amount)
	if language(normalizeLocale(locale)) == "ru" {
		switch v.Unit {
		case "ml":
			return n + "\u00a0мл"
		case "g":
			return n + "\u00a0г"
		case "pcs":
			return n + "\u00a0шт."
		}
		return n + "\u00a0" + v.Unit
	}
	return n + " " + v.Unit
}
