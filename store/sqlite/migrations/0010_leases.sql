-- 0010: leases on background work (package cabinet, Leases): one process at
-- a time reads the event log as a consumer, runs a campaign or cleans up,
-- among any number running Run on the database.
--
-- Conventions as in 0001–0009: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; tables are STRICT.

CREATE TABLE leases (
    name        TEXT PRIMARY KEY CHECK (name <> ''),
    owner       TEXT NOT NULL CHECK (owner <> ''),
    until       TEXT NOT NULL,                   -- free from this instant on
    taken_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;
