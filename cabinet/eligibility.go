package cabinet

import (
	"context"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// eligibility is the booking.Eligibility the cabinet wires: the host's own
// hook (Config.Eligibility or Config.Booking.Eligibility) first, then the
// card's contraindication check (card.Service.Eligible), so a client whose
// questionnaire rules a service out cannot book it online. A refusal of
// either is the answer; staff may still book with an override and a note.
type eligibility struct {
	host booking.Eligibility // optional
	card *card.Service       // set by New once the card is wired, before any booking
}

// Eligible implements booking.Eligibility.
func (e *eligibility) Eligible(ctx context.Context, clientID string, svc booking.Service) (booking.Verdict, error) {
	v := booking.Verdict{Allowed: true}
	if e.host != nil {
		hv, err := e.host.Eligible(ctx, clientID, svc)
		if err != nil || !hv.Allowed {
			return hv, err
		}
		v = hv
	}
	if e.card == nil {
		return v, nil
	}
	cv, err := e.card.Eligible(ctx, clientID, svc)
	if err != nil || !cv.Allowed {
		return cv, err
	}
	return v, nil
}
