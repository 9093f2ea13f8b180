package card

import "errors"

// Sentinel errors; callers compare with errors.Is.
var (
	// ErrNotFound: no such client, photo, entry or order — or not one the
	// actor may see (the same answer, so IDs cannot be probed).
	ErrNotFound = errors.New("card: not found")
	// ErrForbidden: the actor may see the card but not do this (a client
	// writing a specialist's assessment).
	ErrForbidden = errors.New("card: forbidden")
	// ErrConsentRequired: health answers or photos sent before the matching
	// consent was given. See *ConsentError for which.
	ErrConsentRequired = errors.New("card: consent required")
	// ErrInvalidInput: a field is malformed; see *ValidationError.
	ErrInvalidInput = errors.New("card: invalid input")
	// ErrTooLarge: an upload over the size cap (HTTP 413).
	ErrTooLarge = errors.New("card: upload too large")
	// ErrUnsupportedMedia: not a JPEG, PNG or WebP image (HTTP 415).
	ErrUnsupportedMedia = errors.New("card: unsupported image format")
	// ErrImageTooLarge: more pixels than allowed, found from the header
	// before decoding (a decompression bomb; HTTP 422).
	ErrImageTooLarge = errors.New("card: image has too many pixels")
	// ErrInvalidImage: the file claims a supported format but does not
	// decode (truncated, corrupt; HTTP 422).
	ErrInvalidImage = errors.New("card: invalid image")
	// ErrInvalidTransition: an order cannot move to that status from its
	// current one (HTTP 409).
	ErrInvalidTransition = errors.New("card: invalid status change")
	// ErrOutOfStock: the branch does not have the product (HTTP 409).
	ErrOutOfStock = errors.New("card: out of stock")
	// ErrPhotoQuota: the client keeps Config.MaxPhotosPerClient photos
	// already; one must go before another comes (HTTP 413).
	ErrPhotoQuota = errors.New("card: photo quota reached")
	// ErrTooManyOpenOrders: from OrderStore.CreateOrder, the client has as
	// many orders waiting as allowed (PlaceOrder turns it into a
	// *ValidationError naming the limit).
	ErrTooManyOpenOrders = errors.New("card: too many open orders")
)

// ValidationError names the field that is wrong, with a message for people
// in English and Russian. It unwraps to ErrInvalidInput.
type ValidationError struct {
	Field     string
	Message   string // English, a sentence
	MessageRU string // Russian, a sentence; empty: a generic one is shown
}

func (e *ValidationError) Error() string { return "card: " + e.Field + ": " + e.Message }
func (e *ValidationError) Unwrap() error { return ErrInvalidInput }

// invalid is a ValidationError.
func invalid(field, en, ru string) error {
	return &ValidationError{Field: field, Message: en, MessageRU: ru}
}

// ConsentError is ErrConsentRequired for one consent type.
type ConsentError struct {
	Type ConsentType
}

func (e *ConsentError) Error() string { return "card: consent required: " + string(e.Type) }
func (e *ConsentError) Unwrap() error { return ErrConsentRequired }
