package card

// Store is everything the card keeps: each part's contract is declared with
// the part (profile.go, photos.go, journal.go, orders.go). A backend
// implements all of them and runs store/storetest.
type Store interface {
	ProfileStore
	PhotoStore
	JournalStore
	OrderStore
	FavoriteStore
	ReviewStore
	OfferStore
	EraseStore
	SearchStore
}
