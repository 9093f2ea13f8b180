// Package card will own the client-side domain: the profile and questionnaire
// (with versions), consents, photos and the skin journal, visit and purchase
// history, orders, favourites, reviews and offers.
//
// It arrives with the client-card issue; until then it declares nothing.
package card
