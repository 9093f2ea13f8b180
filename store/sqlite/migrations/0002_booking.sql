-- 0002: the booking catalog and schedule, appointments with their history,
-- idempotency keys, treatment plans (package booking), and the event log
-- that every package appends to in the transaction of its change.
--
-- Conventions as in 0001: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z, so that string comparison is time
-- comparison; durations are INTEGER nanoseconds; calendar days are TEXT
-- YYYY-MM-DD (NULL where open-ended); lists are JSON arrays. A weekly plan
-- (Week) is a JSON array of seven arrays, Sunday first, of
-- {"start": minutes, "end": minutes} local wall-clock intervals.
--
-- The catalog lists (a service's branches, a specialist's services) are JSON
-- rather than child tables: they are read whole, kept in their order, and
-- filtered with json_each over a catalog of hundreds of rows at most.

CREATE TABLE branches (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    address   TEXT NOT NULL DEFAULT '',
    phone     TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL,                       -- IANA
    opening   TEXT NOT NULL DEFAULT '[[],[],[],[],[],[],[]]', -- JSON Week
    holidays  TEXT NOT NULL DEFAULT '[]',          -- JSON array of YYYY-MM-DD
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE resources (
    id        TEXT PRIMARY KEY,
    branch_id TEXT NOT NULL REFERENCES branches (id),
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE INDEX resources_branch ON resources (branch_id, name);

CREATE TABLE services (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    category           TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    duration           INTEGER NOT NULL,            -- nanoseconds
    price_amount       INTEGER NOT NULL DEFAULT 0,  -- minor units
    price_currency     TEXT NOT NULL DEFAULT '',    -- ISO 4217
    buffer_before      INTEGER NOT NULL DEFAULT 0,  -- nanoseconds
    buffer_after       INTEGER NOT NULL DEFAULT 0,  -- nanoseconds
    resource_kinds     TEXT NOT NULL DEFAULT '[]',  -- JSON array
    branch_ids         TEXT NOT NULL DEFAULT '[]',  -- JSON array
    tags               TEXT NOT NULL DEFAULT '[]',  -- JSON array
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    online_booking     INTEGER NOT NULL DEFAULT 0 CHECK (online_booking IN (0, 1)),
    needs_confirmation INTEGER NOT NULL DEFAULT 0 CHECK (needs_confirmation IN (0, 1)),
    course_interval    INTEGER NOT NULL DEFAULT 0   -- nanoseconds
) STRICT;

CREATE TABLE specialists (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    branch_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array
    services   TEXT NOT NULL DEFAULT '[]',  -- JSON array of {"service_id", "duration" (ns, 0: the service's)}
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE working_plans (
    id            TEXT PRIMARY KEY,
    specialist_id TEXT NOT NULL REFERENCES specialists (id),
    branch_id     TEXT NOT NULL REFERENCES branches (id),
    week          TEXT NOT NULL,  -- JSON Week
    valid_from    TEXT,           -- YYYY-MM-DD inclusive; NULL: open-ended
    valid_to      TEXT,           -- YYYY-MM-DD inclusive; NULL: open-ended
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
) STRICT;

CREATE INDEX working_plans_specialist ON working_plans (specialist_id, valid_from);

CREATE TABLE schedule_exceptions (
    id            TEXT PRIMARY KEY,
    specialist_id TEXT NOT NULL REFERENCES specialists (id),
    branch_id     TEXT REFERENCES branches (id),  -- NULL: every branch
    kind          TEXT NOT NULL,
    from_date     TEXT NOT NULL,                  -- YYYY-MM-DD inclusive
    to_date       TEXT NOT NULL,                  -- YYYY-MM-DD inclusive
    intervals     TEXT NOT NULL DEFAULT '[]',     -- JSON array of {"start", "end"}
    note          TEXT NOT NULL DEFAULT '',
    CHECK (from_date <= to_date)
) STRICT;

CREATE INDEX schedule_exceptions_specialist ON schedule_exceptions (specialist_id, from_date);

CREATE TABLE plans (
    id               TEXT PRIMARY KEY,
    client_id        TEXT NOT NULL,
    specialist_id    TEXT REFERENCES specialists (id),  -- NULL when absent
    service_id       TEXT NOT NULL REFERENCES services (id),
    branch_id        TEXT REFERENCES branches (id),     -- NULL when absent
    sessions         INTEGER NOT NULL,
    session_interval INTEGER NOT NULL DEFAULT 0,        -- nanoseconds
    status           TEXT NOT NULL,
    notes            TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL
) STRICT;

CREATE INDEX plans_client ON plans (client_id, created_at);

-- An appointment holds the specialist and its resources from block_start to
-- block_end (service time plus buffers) while its status is pending or
-- confirmed. No block is longer than booking.MaxBlock (12 h, checked here as
-- 43 200 s): that is what lets every overlap query be bounded below,
-- block_start > new_block_start − MaxBlock, and so stay an index range scan
-- however long the history grows.
CREATE TABLE appointments (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    branch_id      TEXT NOT NULL REFERENCES branches (id),
    service_id     TEXT NOT NULL REFERENCES services (id),
    specialist_id  TEXT NOT NULL REFERENCES specialists (id),
    resource_ids   TEXT NOT NULL DEFAULT '[]',  -- JSON array, in booking order
    start_at       TEXT NOT NULL,
    end_at         TEXT NOT NULL,
    block_start    TEXT NOT NULL,
    block_end      TEXT NOT NULL,
    status         TEXT NOT NULL,
    price_amount   INTEGER NOT NULL DEFAULT 0,
    price_currency TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    client_note    TEXT NOT NULL DEFAULT '',
    cancelled_by   TEXT NOT NULL DEFAULT '',
    cancel_reason  TEXT NOT NULL DEFAULT '',
    plan_id        TEXT REFERENCES plans (id),  -- NULL when absent
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (block_start <= start_at AND start_at < end_at AND end_at <= block_end),
    CHECK (unixepoch(block_end) - unixepoch(block_start) <= 43200)
) STRICT;

-- Overlap of a specialist's blocked time, Busy and staff lists by specialist.
CREATE INDEX appointments_specialist ON appointments (specialist_id, block_start);
-- Overlap of a client's service time and the client's own lists.
CREATE INDEX appointments_client ON appointments (client_id, start_at);
CREATE INDEX appointments_branch ON appointments (branch_id, block_start);
CREATE INDEX appointments_block ON appointments (block_start);
CREATE INDEX appointments_plan ON appointments (plan_id, start_at) WHERE plan_id IS NOT NULL;

-- The resources an appointment holds, one row each, with its blocked time
-- copied so that a resource's overlap check is one index range. active
-- follows the appointment's status (pending, confirmed: 1); only active rows
-- are in the index, so released time drops out of it.
CREATE TABLE appointment_resources (
    appointment_id TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    resource_id    TEXT NOT NULL REFERENCES resources (id),
    block_start    TEXT NOT NULL,
    block_end      TEXT NOT NULL,
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    PRIMARY KEY (appointment_id, resource_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX appointment_resources_busy ON appointment_resources (resource_id, block_start) WHERE active = 1;

-- Append-only; seq orders lines written at the same instant.
CREATE TABLE appointment_history (
    seq            INTEGER PRIMARY KEY,
    appointment_id TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    from_status    TEXT NOT NULL DEFAULT '',  -- '' for the booking itself
    to_status      TEXT NOT NULL,
    at             TEXT NOT NULL,
    by_user        TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    old_start      TEXT,                      -- a reschedule's times before the move
    old_end        TEXT
) STRICT;

CREATE INDEX appointment_history_appointment ON appointment_history (appointment_id, seq);

-- A client's Idempotency-Key and the appointment its first request created.
CREATE TABLE idempotency_keys (
    client_id      TEXT NOT NULL,
    key            TEXT NOT NULL,
    appointment_id TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (client_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_keys_appointment ON idempotency_keys (appointment_id);

-- The event log (transactional outbox): each change appends its event in its
-- own transaction; consumers read with their own cursor on seq. AUTOINCREMENT:
-- a seq is never reused, even after old events are deleted, so a cursor never
-- skips a new event. stream names the package whose events a row holds
-- ('booking'; later ones add theirs), type the change ('appointment.booked'),
-- subject_id the object changed; payload is the event as JSON.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    stream     TEXT NOT NULL,
    type       TEXT NOT NULL,
    subject_id TEXT NOT NULL DEFAULT '',
    client_id  TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    payload    TEXT NOT NULL
) STRICT;

CREATE INDEX events_stream ON events (stream, seq);
