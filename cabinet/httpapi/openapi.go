package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
)

// The OpenAPI document is written in parts: openapi/base.json holds the
// document itself (info, the sign-in, booking and notification endpoints,
// the shared schemas), and each other openapi/*.json file adds the paths and
// schemas of one area of the API ({"paths":{…},"components":{"schemas":{…}},
// "tags":[…]}). They are merged here once; a path or schema defined twice is
// a build error caught by the tests, not a silent override.
//
// routes_internal_test.go checks that the merged document and the route
// table list the same endpoints, and every handler test validates its real
// requests and responses against it, so the two cannot drift.
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

// openAPIDocument is the merged document.
var openAPIDocument = mustMergeOpenAPI(openAPIFiles)

// OpenAPI returns the OpenAPI 3 document of the API.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}

func mustMergeOpenAPI(fsys fs.FS) []byte {
	doc, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err) // the embedded files are part of the build
	}
	return doc
}

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// mergeOpenAPI merges base.json with the other files of fsys's openapi/.
func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	var base map[string]any
	raw, err := fs.ReadFile(fsys, "openapi/base.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &base); err != nil {
		return nil, fmt.Errorf("openapi/base.json: %w", err)
	}
	paths := base["paths"].(map[string]any)
	schemas := base["components"].(map[string]any)["schemas"].(map[string]any)
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		var part struct {
			Paths      map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
			Tags []any `json:"tags"`
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for p, ops := range part.Paths {
			have, dup := paths[p]
			if !dup {
				paths[p] = ops
				continue
			}
			// A part may add operations to a path another part defines
			// (DELETE /api/v1/me beside GET), never redefine one.
			add, _ := ops.(map[string]any)
			into, _ := have.(map[string]any)
			if len(add) == 0 || into == nil {
				return nil, fmt.Errorf("%s: path %s is already defined", name, p)
			}
			for method, op := range add {
				if _, taken := into[method]; taken || !slices.Contains(httpMethods, method) {
					return nil, fmt.Errorf("%s: path %s: %s is already defined or not an operation", name, p, method)
				}
				into[method] = op
			}
		}
		for n, sch := range part.Components.Schemas {
			if _, dup := schemas[n]; dup {
				return nil, fmt.Errorf("%s: schema %s is already defined", name, n)
			}
			schemas[n] = sch
		}
		if len(part.Tags) > 0 {
			tags, _ := base["tags"].([]any)
			base["tags"] = append(tags, part.Tags...)
		}
	}
	return json.MarshalIndent(base, "", " ")
}
