-- 0002: the booking catalog and schedule, appointments with their history,
-- idempotency keys, treatment plans (package booking), and the event log
-- that every package appends to in the transaction of its change.
--
-- Conventions as in 0001. Calendar days are date (NULL where open-ended). A
-- weekly plan (Week) is a jsonb array of seven arrays, Sunday first, of
-- {"start": minutes, "end": minutes} local wall-clock intervals. The
-- catalog lists (a service's branches, a specialist's services) are jsonb
-- arrays: they are read whole, kept in their order, and filtered with @>
-- over a catalog of hundreds of rows at most.
--
-- The overlap guarantee is the exclusion constraints below (btree_gist lets
-- a GiST index compare text with =): no two active appointments of one
-- specialist, one room or device, or one client overlap, whoever writes —
-- the store, another instance, or a person at psql.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE branches (
    id        text COLLATE "C" PRIMARY KEY,
    name      text COLLATE "C" NOT NULL,
    address   text NOT NULL DEFAULT '',
    phone     text NOT NULL DEFAULT '',
    time_zone text NOT NULL,                      -- IANA
    opening   jsonb NOT NULL DEFAULT '[[],[],[],[],[],[],[]]', -- Week
    holidays  jsonb NOT NULL DEFAULT '[]',        -- array of YYYY-MM-DD
    active    boolean NOT NULL DEFAULT true
);

CREATE TABLE resources (
    id        text COLLATE "C" PRIMARY KEY,
    branch_id text COLLATE "C" NOT NULL REFERENCES branches (id),
    kind      text COLLATE "C" NOT NULL,
    name      text COLLATE "C" NOT NULL,
    active    boolean NOT NULL DEFAULT true
);

CREATE INDEX resources_branch ON resources (branch_id, name);

CREATE TABLE services (
    id                 text COLLATE "C" PRIMARY KEY,
    name               text COLLATE "C" NOT NULL,
    category           text COLLATE "C" NOT NULL DEFAULT '',
    description        text NOT NULL DEFAULT '',
    duration           bigint NOT NULL,            -- nanoseconds
    price_amount       bigint NOT NULL DEFAULT 0,  -- minor units
    price_currency     text NOT NULL DEFAULT '',   -- ISO 4217
    buffer_before      bigint NOT NULL DEFAULT 0,  -- nanoseconds
    buffer_after       bigint NOT NULL DEFAULT 0,  -- nanoseconds
    resource_kinds     jsonb NOT NULL DEFAULT '[]',
    branch_ids         jsonb NOT NULL DEFAULT '[]',
    tags               jsonb NOT NULL DEFAULT '[]',
    active             boolean NOT NULL DEFAULT true,
    online_booking     boolean NOT NULL DEFAULT false,
    needs_confirmation boolean NOT NULL DEFAULT false,
    course_interval    bigint NOT NULL DEFAULT 0   -- nanoseconds
);

CREATE TABLE specialists (
    id         text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL DEFAULT '',
    name       text COLLATE "C" NOT NULL,
    title      text NOT NULL DEFAULT '',
    branch_ids jsonb NOT NULL DEFAULT '[]',
    services   jsonb NOT NULL DEFAULT '[]',  -- array of {"service_id", "duration" (ns, 0: the service's)}
    active     boolean NOT NULL DEFAULT true
);

CREATE INDEX specialists_user ON specialists (user_id) WHERE user_id <> '';

CREATE TABLE working_plans (
    id            text COLLATE "C" PRIMARY KEY,
    specialist_id text COLLATE "C" NOT NULL REFERENCES specialists (id),
    branch_id     text COLLATE "C" NOT NULL REFERENCES branches (id),
    week          jsonb NOT NULL,  -- Week
    valid_from    date,            -- inclusive; NULL: open-ended
    valid_to      date,            -- inclusive; NULL: open-ended
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);

CREATE INDEX working_plans_specialist ON working_plans (specialist_id, valid_from);

CREATE TABLE schedule_exceptions (
    id            text COLLATE "C" PRIMARY KEY,
    specialist_id text COLLATE "C" NOT NULL REFERENCES specialists (id),
    branch_id     text COLLATE "C" REFERENCES branches (id),  -- NULL: every branch
    kind          text NOT NULL,
    from_date     date NOT NULL,                  -- inclusive
    to_date       date NOT NULL,                  -- inclusive
    intervals     jsonb NOT NULL DEFAULT '[]',    -- array of {"start", "end"}
    note          text NOT NULL DEFAULT '',
    CHECK (from_date <= to_date)
);

CREATE INDEX schedule_exceptions_specialist ON schedule_exceptions (specialist_id, from_date);

CREATE TABLE plans (
    id               text COLLATE "C" PRIMARY KEY,
    client_id        text COLLATE "C" NOT NULL,
    specialist_id    text COLLATE "C" REFERENCES specialists (id),  -- NULL when absent
    service_id       text COLLATE "C" NOT NULL REFERENCES services (id),
    branch_id        text COLLATE "C" REFERENCES branches (id),     -- NULL when absent
    sessions         integer NOT NULL,
    session_interval bigint NOT NULL DEFAULT 0,                     -- nanoseconds
    status           text COLLATE "C" NOT NULL,
    notes            text NOT NULL DEFAULT '',
    created_by       text COLLATE "C" NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL
);

CREATE INDEX plans_client ON plans (client_id, created_at);

-- An appointment holds the specialist and its resources from block_start to
-- block_end (service time plus buffers) while its status is pending or
-- confirmed, and the client for its service time, start_at to end_at.
-- Intervals are half-open, tstzrange's default '[)': touching is not
-- overlapping. No block is longer than booking.MaxBlock (12 h): the CHECK
-- backs the Go check, and lets the list queries bound their index ranges
-- below (block_start > from − MaxBlock).
CREATE TABLE appointments (
    id             text COLLATE "C" PRIMARY KEY,
    client_id      text COLLATE "C" NOT NULL,
    branch_id      text COLLATE "C" NOT NULL REFERENCES branches (id),
    service_id     text COLLATE "C" NOT NULL REFERENCES services (id),
    specialist_id  text COLLATE "C" NOT NULL REFERENCES specialists (id),
    resource_ids   jsonb NOT NULL DEFAULT '[]',  -- array, in booking order
    start_at       timestamptz NOT NULL,
    end_at         timestamptz NOT NULL,
    block_start    timestamptz NOT NULL,
    block_end      timestamptz NOT NULL,
    status         text COLLATE "C" NOT NULL,
    price_amount   bigint NOT NULL DEFAULT 0,
    price_currency text NOT NULL DEFAULT '',
    notes          text NOT NULL DEFAULT '',
    client_note    text NOT NULL DEFAULT '',
    cancelled_by   text COLLATE "C" NOT NULL DEFAULT '',
    cancel_reason  text NOT NULL DEFAULT '',
    plan_id        text COLLATE "C" REFERENCES plans (id),  -- NULL when absent
    created_by     text COLLATE "C" NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT appointments_times CHECK (block_start <= start_at AND start_at < end_at AND end_at <= block_end),
    CONSTRAINT appointments_max_block CHECK (block_end - block_start <= interval '12 hours'),
    -- The specialist's blocked time: booking.ErrSlotTaken.
    CONSTRAINT appointments_specialist_overlap EXCLUDE USING gist
        (specialist_id WITH =, tstzrange(block_start, block_end) WITH &&)
        WHERE (status IN ('pending', 'confirmed')),
    -- The client's service time: booking.ErrSlotTaken.
    CONSTRAINT appointments_client_overlap EXCLUDE USING gist
        (client_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status IN ('pending', 'confirmed'))
);

-- Staff lists by specialist, branch and time; a client's own lists.
CREATE INDEX appointments_specialist ON appointments (specialist_id, block_start);
CREATE INDEX appointments_client ON appointments (client_id, start_at);
CREATE INDEX appointments_branch ON appointments (branch_id, block_start);
CREATE INDEX appointments_block ON appointments (block_start);
CREATE INDEX appointments_plan ON appointments (plan_id, start_at) WHERE plan_id IS NOT NULL;

-- The resources an appointment holds, one row each, with its blocked time
-- copied so that each resource's overlap is one exclusion constraint.
-- active follows the appointment's status (pending, confirmed: true).
CREATE TABLE appointment_resources (
    appointment_id text COLLATE "C" NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    resource_id    text COLLATE "C" NOT NULL REFERENCES resources (id),
    block_start    timestamptz NOT NULL,
    block_end      timestamptz NOT NULL,
    active         boolean NOT NULL,
    PRIMARY KEY (appointment_id, resource_id),
    -- A room's or device's blocked time: booking.ErrResourceTaken.
    CONSTRAINT appointment_resources_overlap EXCLUDE USING gist
        (resource_id WITH =, tstzrange(block_start, block_end) WITH &&)
        WHERE (active)
);

-- Append-only; seq orders lines written at the same instant.
CREATE TABLE appointment_history (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id text COLLATE "C" NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    from_status    text NOT NULL DEFAULT '',  -- '' for the booking itself
    to_status      text NOT NULL,
    at             timestamptz NOT NULL,
    by_user        text COLLATE "C" NOT NULL DEFAULT '',
    reason         text NOT NULL DEFAULT '',
    old_start      timestamptz,               -- a reschedule's times before the move
    old_end        timestamptz
);

CREATE INDEX appointment_history_appointment ON appointment_history (appointment_id, seq);
CREATE INDEX appointment_history_by_user ON appointment_history (by_user);

-- A client's Idempotency-Key and the appointment its first request created.
CREATE TABLE idempotency_keys (
    client_id      text COLLATE "C" NOT NULL,
    key            text COLLATE "C" NOT NULL,
    appointment_id text COLLATE "C" NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (client_id, key)
);

CREATE INDEX idempotency_keys_appointment ON idempotency_keys (appointment_id);

-- The event log (transactional outbox): each change appends its event in its
-- own transaction; consumers read with their own cursor on seq. An identity
-- never reuses a seq. Writers append under one advisory transaction lock
-- held to their commit, so seqs become visible in order: a consumer that
-- has read seq n never meets a smaller one committed later. stream names the
-- package whose events a row holds ('booking', 'orders'), type the change
-- ('appointment.booked'), subject_id the object changed; payload is the
-- event as JSON.
CREATE TABLE events (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream     text COLLATE "C" NOT NULL,
    type       text COLLATE "C" NOT NULL,
    subject_id text COLLATE "C" NOT NULL DEFAULT '',
    client_id  text COLLATE "C" NOT NULL DEFAULT '',
    at         timestamptz NOT NULL,
    payload    jsonb NOT NULL
);

CREATE INDEX events_stream ON events (stream, seq);
CREATE INDEX events_client ON events (client_id) WHERE client_id <> '';
