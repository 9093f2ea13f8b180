package storetest_test

import (
	"path/filepath"
	"testing"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/store/sqlite"
	"github.com/kabinet-dev/kabinet/store/storetest"
)

// A backend's test file runs the suite against fresh stores; this is
// store/sqlite's.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T)
		storetest.Run(t, func(t *testing.T) cabinet.Store {
			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabinet.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		})
	}
}
