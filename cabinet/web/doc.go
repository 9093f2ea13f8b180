// Package web will serve the browser cabinet for clients and staff: embedded
// templates and assets, no build step, a consumer of the same services as the
// JSON API.
//
// It arrives with the web-cabinet issue; until then it declares nothing.
package web
