-- 0003: the notification outbox, the clients' notification settings and push
-- subscriptions (package notify), and the cursors of the event log's
-- consumers.
--
-- Conventions as in 0001 and 0002: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z, so that string comparison is time
-- comparison; an optional instant is NULL when absent; lists and maps are
-- JSON.

-- One message to one recipient on one channel, rendered when queued. key is
-- the idempotency key: queuing a key again does nothing. A dispatcher leases
-- a pending message by setting lease_owner and lease_until together; both are
-- cleared when it finishes or releases it, and an expired lease may be taken
-- over by another (lease_until <= now).
CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL DEFAULT '',        -- '' for a code to an identifier nobody holds yet
    category    TEXT NOT NULL CHECK (category IN
                    ('security', 'appointments', 'reminders', 'offers', 'new_services', 'orders')),
    kind        TEXT NOT NULL DEFAULT '',        -- the template kind
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'push')),
    locale      TEXT NOT NULL DEFAULT '',
    recipient   TEXT NOT NULL DEFAULT '',        -- Message.To: phone, e-mail, or push subscription ID
    subject     TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    html        TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',      -- JSON array of {"name", "content_type", "data" (base64)}
    ref         TEXT NOT NULL DEFAULT '',        -- what it is about, e.g. 'appointment:<id>'
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'withdrawn')),
    due_at      TEXT NOT NULL,
    expires_at  TEXT,                            -- NULL: never expires
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  TEXT NOT NULL DEFAULT '',
    provider_id TEXT NOT NULL DEFAULT '',
    lease_owner TEXT NOT NULL DEFAULT '',        -- '' when not leased
    lease_until TEXT,                            -- NULL when not leased
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    sent_at     TEXT,                            -- NULL until sent
    CHECK (json_valid(attachments)),
    CHECK ((lease_owner = '') = (lease_until IS NULL)),
    CHECK (status = 'pending' OR lease_owner = '')
) STRICT;

-- The claim: the due pending messages in due order, with the lease to test.
-- Only pending rows are in it, so it stays as small as the queue however
-- long the history grows.
CREATE INDEX messages_claim ON messages (due_at, id, lease_until) WHERE status = 'pending';
-- A client's inbox, newest first, paged by (created_at, id).
CREATE INDEX messages_user ON messages (user_id, created_at, id);
-- Withdrawal of the pending messages of one thing (an appointment moved or
-- cancelled, a marketing consent withdrawn).
CREATE INDEX messages_ref ON messages (ref, kind) WHERE status = 'pending';

-- A client's notification settings, once they saved any. channels maps a
-- category to its list of channels: a category missing from the object takes
-- the default channels, an empty list means none. The marketing consent is
-- the three consent_ columns, consent_at NULL until the client agrees. Quiet
-- hours are minutes after local midnight.
CREATE TABLE notification_settings (
    user_id         TEXT PRIMARY KEY,
    channels        TEXT NOT NULL DEFAULT '{}',  -- JSON object: category → array of channels
    consent_at      TEXT,                        -- NULL: no marketing consent
    consent_source  TEXT NOT NULL DEFAULT '',
    consent_version TEXT NOT NULL DEFAULT '',
    quiet_start     INTEGER NOT NULL CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end       INTEGER NOT NULL CHECK (quiet_end BETWEEN 0 AND 1439),
    time_zone       TEXT NOT NULL DEFAULT '',    -- IANA; '' for the default
    updated_at      TEXT NOT NULL,
    CHECK (json_valid(channels) AND json_type(channels) = 'object'),
    CHECK (consent_at IS NOT NULL OR (consent_source = '' AND consent_version = ''))
) STRICT, WITHOUT ROWID;

-- Web Push subscriptions, one per browser: an endpoint subscribed again
-- replaces its row, whoever held it.
CREATE TABLE push_subscriptions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at, id);

-- The position of each consumer of the event log: the seq of the last event
-- it finished. It only moves forward; a consumer without a row is at 0.
CREATE TABLE event_cursors (
    consumer   TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
