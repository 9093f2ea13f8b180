package storetest

import (
	"testing"

	"github.com/kabinet-dev/kabinet/cabinet"
)

// runCardOrders checks card.OrderStore. (Filled in with the card work.)
func runCardOrders(t *testing.T, open func(t *testing.T) cabinet.Store) {}
