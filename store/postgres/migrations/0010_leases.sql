-- 0010: leases on background work (package cabinet, Leases): one process at
-- a time reads the event log as a consumer, runs a campaign or cleans up,
-- among any number running Run on the database.
--
-- Conventions as in 0001.

CREATE TABLE leases (
    name     text COLLATE "C" PRIMARY KEY CHECK (name <> ''),
    owner    text COLLATE "C" NOT NULL CHECK (owner <> ''),
    until    timestamptz NOT NULL,               -- free from this instant on
    taken_at timestamptz NOT NULL
);
