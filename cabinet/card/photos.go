package card

// PhotoStore keeps photo metadata. (Filled in by the photos work.)
type PhotoStore interface{}

// BlobStore keeps the bytes of photos. (Filled in by the photos work.)
type BlobStore interface{}
