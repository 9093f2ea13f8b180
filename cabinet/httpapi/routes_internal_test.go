package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenAPIListsEveryRoute: the document and the route table name the same
// endpoints, so neither can grow without the other.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(openAPIDocument, &doc))
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	var routed []string
	for _, r := range (&server{}).routeTable() {
		routed = append(routed, r.pattern)
	}
	slices.Sort(documented)
	slices.Sort(routed)
	assert.Equal(t, routed, documented)
}
