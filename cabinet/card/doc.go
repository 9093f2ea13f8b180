// Package card owns the client-side domain of the cabinet: the
// questionnaire (with every version kept) and the consents; photos and the
// skin journal; the history of visits, the plan, the products catalog and
// orders; favourites and reviews; recommendations and personal offers (the
// card's facts and catalog handed to the recommend engine, the specialists'
// recommendations first), the offers given to each client (OfferStore: once
// per giving, with the window they were given with) and the contraindication
// check behind online
// booking (Service.Eligible); the client's export and erasure; and, for
// staff, the same card within their role.
//
// It holds the most sensitive data of the product — health answers and face
// photos — so every method takes the Actor who acts and checks that they may
// see the client (Service.authorize): a client sees only their own card
// (another client's is ErrNotFound, so IDs cannot be probed); a specialist,
// the cards of clients they have or had an appointment with; a manager, the
// clients of their branches; an admin, all. Every read of a card by staff is
// written to the audit trail (Config.Audit). Health and photo features refuse
// to store anything until the matching consent exists (ErrConsentRequired).
//
// card uses the types of auth and booking (the actor, the audit entry, the
// appointments) but keeps its own storage contract, Store, which every
// backend implements and store/storetest checks.
package card
