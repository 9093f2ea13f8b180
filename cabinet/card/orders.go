package card

// OrderStore keeps the products catalog and orders. (Filled in by the
// orders work.)
type OrderStore interface{}
