package card

import "context"

// ConsentType names what a client agreed to.
type ConsentType string

// ProfileStore keeps questionnaires, their versions and consents.
// (Filled in by the questionnaire work.)
type ProfileStore interface{}

// The consents of the questionnaire.
const (
	ConsentPersonalData ConsentType = "personal_data"
	ConsentHealthData   ConsentType = "health_data"
	ConsentPhotos       ConsentType = "photos"
	ConsentMarketing    ConsentType = "marketing"
)

// requireConsent returns a *ConsentError unless the client's consent of
// type t is given now. (The questionnaire work implements it over the
// consent records.)
func (s *Service) requireConsent(ctx context.Context, clientID string, t ConsentType) error {
	return &ConsentError{Type: t}
}
