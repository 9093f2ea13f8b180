// Package postgres will implement cabinet.Store on PostgreSQL (pgx), for
// deployments that run several cabinet instances on one database, and pass
// the same store/storetest conformance suite as store/sqlite.
//
// It arrives with the PostgreSQL issue; until then it declares nothing.
package postgres
