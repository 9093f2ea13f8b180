package httpapi

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenAPIPartsMerge(t *testing.T) {
	base := `{"openapi":"3.0.3","paths":{"/a":{}},"components":{"schemas":{"A":{}}}}`
	_, err := mergeOpenAPI(fstest.MapFS{
		"openapi/base.json": {Data: []byte(base)},
		"openapi/b.json":    {Data: []byte(`{"paths":{"/b":{}},"components":{"schemas":{"B":{}}}}`)},
	})
	require.NoError(t, err)

	for name, part := range map[string]string{
		"a path twice":   `{"paths":{"/a":{}}}`,
		"a schema twice": `{"components":{"schemas":{"A":{}}}}`,
		"not JSON":       `{`,
	} {
		_, err := mergeOpenAPI(fstest.MapFS{
			"openapi/base.json": {Data: []byte(base)},
			"openapi/b.json":    {Data: []byte(part)},
		})
		assert.Error(t, err, name)
	}
}
