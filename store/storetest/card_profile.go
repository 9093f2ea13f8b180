package storetest

import (
	"testing"

	"github.com/kabinet-dev/kabinet/cabinet"
)

// runCardProfile checks card.ProfileStore. (Filled in with the card work.)
func runCardProfile(t *testing.T, open func(t *testing.T) cabinet.Store) {}
