// Package eventlog is the format of the event log's payloads, shared by every
// storage backend: an event is stored as JSON under explicit names (a
// consumer of the log may forward a payload as it is, to a webhook say), with
// instants as fixed-width UTC text, so that a payload reads the same whatever
// the backend that wrote it. store/sqlite and store/postgres encode and
// decode through it; nothing outside store/ may import it.
package eventlog
