-- 0001: users, one-time code challenges, sessions, rate-limit events and the
-- audit trail (package auth).
--
-- Instants are TEXT in UTC, fixed width, 2006-01-02T15:04:05.000000000Z, so
-- that string comparison is time comparison. Durations are INTEGER
-- nanoseconds. Tables are STRICT: a value of the wrong type is refused.

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    phone      TEXT UNIQUE,                   -- E.164; NULL when absent
    email      TEXT UNIQUE,                   -- lower case; NULL when absent
    roles      TEXT NOT NULL DEFAULT '[]',    -- JSON array of role names
    branches   TEXT NOT NULL DEFAULT '[]',    -- JSON array of branch IDs
    locale     TEXT NOT NULL DEFAULT '',
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK (phone IS NULL OR phone <> ''),
    CHECK (email IS NULL OR email <> '')
) STRICT;

CREATE TABLE challenges (
    id           TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    identifier   TEXT NOT NULL,               -- the normalised phone or e-mail
    region       TEXT NOT NULL DEFAULT '',
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE, -- NULL for sign-in
    code_hash    BLOB NOT NULL,               -- HMAC of the code, never the code
    locale       TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    used_at      TEXT,                        -- set once, by consumption
    voided_at    TEXT                         -- set once, by a resend
) STRICT;

-- Open challenges of one identifier, voided by a resend.
CREATE INDEX challenges_open ON challenges (identifier, purpose)
    WHERE used_at IS NULL AND voided_at IS NULL;
CREATE INDEX challenges_expires_at ON challenges (expires_at);

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash      BLOB NOT NULL UNIQUE,     -- SHA-256 of the token, never the token
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL,            -- absolute expiry
    idle_for        INTEGER NOT NULL,         -- nanoseconds
    idle_expires_at TEXT NOT NULL,            -- last_seen_at + idle_for, kept in step
    user_agent      TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX sessions_user ON sessions (user_id, created_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_idle_expires_at ON sessions (idle_expires_at);

CREATE TABLE rate_events (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  TEXT NOT NULL
) STRICT;

CREATE INDEX rate_events_key_at ON rate_events (key, at);
CREATE INDEX rate_events_at ON rate_events (at);

-- Append-only: the store has no method that updates or deletes a row. seq
-- orders entries written at the same instant.
CREATE TABLE audit_log (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    at       TEXT NOT NULL,
    actor_id TEXT NOT NULL DEFAULT '',
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    ip       TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, at, seq);
CREATE INDEX audit_log_action ON audit_log (action, at, seq);
