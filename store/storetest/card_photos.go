package storetest

import (
	"testing"

	"github.com/kabinet-dev/kabinet/cabinet"
)

// runCardPhotos checks card.PhotoStore. (Filled in with the card work.)
func runCardPhotos(t *testing.T, open func(t *testing.T) cabinet.Store) {}
