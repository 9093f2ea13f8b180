package card

// JournalStore keeps skin journal entries. (Filled in by the photos work.)
type JournalStore interface{}
