// Package format holds what every storage backend writes the same way,
// because something outside one backend reads it:
//
//   - the event log's payloads (events.go): JSON under explicit names, with
//     instants as fixed-width UTC text, so that a consumer of the log may
//     forward a payload as it is (to a webhook, say) whatever the backend;
//   - the stored questionnaire (profile.go): JSON under explicit names, so
//     that a renamed Go field changes nothing stored, and a query may read a
//     field of it (the client search reads name).
//
// store/sqlite and store/postgres encode and decode through it; nothing
// outside store/ may import it.
package format
