// Package httpapi serves Kabinet's JSON API over net/http, using Go 1.22+
// method-and-path patterns.
//
// It receives the domain services it serves in Services and never imports the
// cabinet facade or a storage implementation. Every handler returns an error;
// one wrapper turns errors into the stable body
//
//	{"error":{"code":"snake_case","message":"…","field":"…"}}
//
// with the status from one table (errorTable), in Russian or English after
// Accept-Language, and logs only the 5xx. Request bodies are JSON, capped at
// 64 KiB, with unknown fields refused. Responses carry Cache-Control: no-store.
//
// A request is authenticated by "Authorization: Bearer <token>" or by the
// session cookie; a cookie-authenticated request that changes state must carry
// the session's X-CSRF-Token, and every request passes
// net/http.CrossOriginProtection (Sec-Fetch-Site / Origin checks), which also
// stops login CSRF on the sign-in endpoints.
//
// The API is described by the OpenAPI 3 document served at
// /api/v1/openapi.json; a test validates real requests and responses against it.
package httpapi
