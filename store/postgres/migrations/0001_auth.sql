-- 0001: users, one-time code challenges, sessions, rate-limit events and the
-- audit trail (package auth).
--
-- Conventions of every migration: instants are timestamptz (microseconds,
-- UTC in and out); durations are bigint nanoseconds; lists and documents are
-- jsonb; text that is compared, ordered or paged by is COLLATE "C", so that
-- its order is the order of its bytes whatever the database's locale (the
-- order store/sqlite gives). Names of constraints are part of the contract
-- with the Go code, which maps violations by name.

CREATE TABLE users (
    id         text COLLATE "C" NOT NULL,
    phone      text COLLATE "C",                 -- E.164; NULL when absent
    email      text COLLATE "C",                 -- lower case; NULL when absent
    roles      jsonb NOT NULL DEFAULT '[]',      -- array of role names
    branches   jsonb NOT NULL DEFAULT '[]',      -- array of branch IDs
    locale     text NOT NULL DEFAULT '',
    disabled   boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_phone_key UNIQUE (phone),
    CONSTRAINT users_email_key UNIQUE (email),
    CHECK (phone IS NULL OR phone <> ''),
    CHECK (email IS NULL OR email <> ''),
    CHECK (jsonb_typeof(roles) = 'array' AND jsonb_typeof(branches) = 'array')
);

CREATE TABLE challenges (
    id           text COLLATE "C" PRIMARY KEY,
    purpose      text COLLATE "C" NOT NULL,
    channel      text COLLATE "C" NOT NULL,
    identifier   text COLLATE "C" NOT NULL,     -- the normalised phone or e-mail
    region       text NOT NULL DEFAULT '',
    user_id      text COLLATE "C" REFERENCES users (id) ON DELETE CASCADE, -- NULL for sign-in
    code_hash    bytea NOT NULL,                -- HMAC of the code, never the code
    locale       text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    used_at      timestamptz,                   -- set once, by consumption
    voided_at    timestamptz                    -- set once, by a resend
);

-- Open challenges of one identifier, voided by a resend.
CREATE INDEX challenges_open ON challenges (identifier, purpose)
    WHERE used_at IS NULL AND voided_at IS NULL;
CREATE INDEX challenges_user ON challenges (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX challenges_expires_at ON challenges (expires_at);

CREATE TABLE sessions (
    id              text COLLATE "C" PRIMARY KEY,
    user_id         text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE,      -- SHA-256 of the token, never the token
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,       -- absolute expiry
    idle_for        bigint NOT NULL,            -- nanoseconds
    idle_expires_at timestamptz NOT NULL,       -- last_seen_at + idle_for, kept in step
    user_agent      text NOT NULL DEFAULT '',
    ip              text NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_idle_expires_at ON sessions (idle_expires_at);

-- Rate-limit events, shared by every instance on the database: a limit holds
-- across them. TakeRate serialises the callers of one key with an advisory
-- transaction lock on it, so its check and its insert are atomic.
CREATE TABLE rate_events (
    id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text COLLATE "C" NOT NULL,
    at  timestamptz NOT NULL
);

CREATE INDEX rate_events_key_at ON rate_events (key, at);
CREATE INDEX rate_events_at ON rate_events (at);

-- Append-only: the store has no method that updates or deletes a row but
-- retention and erasure. seq orders entries written at the same instant.
CREATE TABLE audit_log (
    seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id       text COLLATE "C" NOT NULL UNIQUE,
    at       timestamptz NOT NULL,
    actor_id text COLLATE "C" NOT NULL DEFAULT '',
    action   text COLLATE "C" NOT NULL,
    subject  text COLLATE "C" NOT NULL DEFAULT '',
    ip       text NOT NULL DEFAULT '',
    detail   text NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, at, seq);
CREATE INDEX audit_log_action ON audit_log (action, at, seq);
