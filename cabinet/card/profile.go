package card

// ConsentType names what a client agreed to.
type ConsentType string

// ProfileStore keeps questionnaires, their versions and consents.
// (Filled in by the questionnaire work.)
type ProfileStore interface{}
