package notify

import (
	"cmp"
	"time"
)

// The message kinds of marketing (sent only with the client's marketing
// consent), each in ru and en for sms, email and push.
//
// Neither names the client's skin concerns or why something suits them: a
// mailbox or a lock screen is not the cabinet, and the reasons are health
// data. They say what is offered and until when; the cabinet says why.
const (
	KindOffer      = "offer"       // OfferData, category offers: a personal offer
	KindNewService = "new_service" // NewServiceData, category new_services: the clinic added a service that may suit the client
)

// OfferData is the data of the personal offer message.
type OfferData struct {
	ClinicName      string
	Title           Localized // the offer's title, e.g. "We miss you: 15% off"
	DiscountPercent int       // 0: none
	Gift            Localized // empty: none
	LastDay         time.Time // the last day it is valid, in the clinic's zone
	URL             string    // the offers in the cabinet; may be empty
}

// NewServiceData is the data of the new-service message.
type NewServiceData struct {
	ClinicName string
	Service    string // its name
	Price      Price  // zero Amount: not shown
	URL        string // the service in the cabinet; may be empty
}

// Localized is a text in Russian and English, for data written in both
// (a clinic's offer titles): {{.Title.In "en"}}.
type Localized struct {
	RU, EN string
}

// In is the text in locale ("ru" or "en", with or without a region),
// falling back to the other language when it is missing.
func (l Localized) In(locale string) string {
	if language(normalizeLocale(locale)) == "en" {
		return cmp.Or(l.EN, l.RU)
	}
	return cmp.Or(l.RU, l.EN)
}

// IsZero reports whether both texts are empty.
func (l Localized) IsZero() bool { return l.RU == "" && l.EN == "" }
