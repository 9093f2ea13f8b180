package httpapi

import (
	"net/http"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// cardActor is the card's actor of a request: on /me routes the person as a
// client; on /staff routes their staff role (non-staff are refused and
// recorded). The IP goes to the audit trail with every staff access.
func (s *server) cardActor(r *http.Request, who auth.Identity, staff bool) (card.Actor, error) {
	a, err := s.actorFor(r, who, staff)
	if err != nil {
		return card.Actor{}, err
	}
	return card.Actor{UserID: a.UserID, Role: a.Role, Branches: a.Branches, IP: s.clientIP(r)}, nil
}
