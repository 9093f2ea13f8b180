-- 0003: the notification outbox, the clients' notification settings and push
-- subscriptions (package notify), and the cursors of the event log's
-- consumers.
--
-- Conventions as in 0001.

-- One message to one recipient on one channel, rendered when queued. key is
-- the idempotency key: queuing a key again does nothing. A dispatcher leases
-- a pending message by setting lease_owner and lease_until together, in a
-- claim that locks the rows it takes with FOR UPDATE SKIP LOCKED, so claims
-- running side by side on several instances never take one message twice;
-- both are cleared when it finishes or releases it, and an expired lease may
-- be taken over by another (lease_until <= now).
CREATE TABLE messages (
    id          text COLLATE "C" PRIMARY KEY,
    key         text COLLATE "C" NOT NULL UNIQUE,
    user_id     text COLLATE "C" NOT NULL DEFAULT '',   -- '' for a code to an identifier nobody holds yet
    category    text COLLATE "C" NOT NULL CHECK (category IN
                    ('security', 'appointments', 'reminders', 'offers', 'new_services', 'orders')),
    kind        text COLLATE "C" NOT NULL DEFAULT '',   -- the template kind
    channel     text COLLATE "C" NOT NULL CHECK (channel IN ('sms', 'email', 'push')),
    locale      text NOT NULL DEFAULT '',
    recipient   text COLLATE "C" NOT NULL DEFAULT '',   -- Message.To: phone, e-mail, or push subscription ID
    subject     text NOT NULL DEFAULT '',
    text        text NOT NULL DEFAULT '',
    html        text NOT NULL DEFAULT '',
    url         text NOT NULL DEFAULT '',
    attachments jsonb NOT NULL DEFAULT '[]',            -- array of {"name", "content_type", "data" (base64)}
    ref         text COLLATE "C" NOT NULL DEFAULT '',   -- what it is about, e.g. 'appointment:<id>'
    status      text COLLATE "C" NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'withdrawn')),
    due_at      timestamptz NOT NULL,
    expires_at  timestamptz,                            -- NULL: never expires
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  text NOT NULL DEFAULT '',
    provider_id text NOT NULL DEFAULT '',
    lease_owner text COLLATE "C" NOT NULL DEFAULT '',   -- '' when not leased
    lease_until timestamptz,                            -- NULL when not leased
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    sent_at     timestamptz,                            -- NULL until sent
    CHECK (jsonb_typeof(attachments) = 'array'),
    CHECK ((lease_owner = '') = (lease_until IS NULL)),
    CHECK (status = 'pending' OR lease_owner = '')
);

-- The claim: the due pending messages in due order. Only pending rows are
-- in it, so it stays as small as the queue however long the history grows.
CREATE INDEX messages_claim ON messages (due_at, id) WHERE status = 'pending';
-- A client's inbox, newest first, paged by (created_at, id).
CREATE INDEX messages_user ON messages (user_id, created_at, id);
-- Withdrawal of the pending messages of one thing (an appointment moved or
-- cancelled, a marketing consent withdrawn).
CREATE INDEX messages_ref ON messages (ref, kind) WHERE status = 'pending';
-- Codes queued to an identifier, removed by an erasure.
CREATE INDEX messages_recipient ON messages (recipient) WHERE user_id = '';

-- A client's notification settings, once they saved any. channels maps a
-- category to its list of channels: a category missing from the object takes
-- the default channels, an empty list means none. The marketing consent is
-- the three consent_ columns, consent_at NULL until the client agrees. Quiet
-- hours are minutes after local midnight.
CREATE TABLE notification_settings (
    user_id         text COLLATE "C" PRIMARY KEY,
    channels        jsonb NOT NULL DEFAULT '{}',  -- category → array of channels
    consent_at      timestamptz,                  -- NULL: no marketing consent
    consent_source  text NOT NULL DEFAULT '',
    consent_version text NOT NULL DEFAULT '',
    quiet_start     integer NOT NULL CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end       integer NOT NULL CHECK (quiet_end BETWEEN 0 AND 1439),
    time_zone       text NOT NULL DEFAULT '',     -- IANA; '' for the default
    updated_at      timestamptz NOT NULL,
    CHECK (jsonb_typeof(channels) = 'object'),
    CHECK (consent_at IS NOT NULL OR (consent_source = '' AND consent_version = ''))
);

CREATE INDEX notification_settings_consent ON notification_settings (user_id) WHERE consent_at IS NOT NULL;

-- Web Push subscriptions, one per browser: an endpoint subscribed again
-- replaces its row, whoever held it.
CREATE TABLE push_subscriptions (
    id         text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL,
    endpoint   text COLLATE "C" NOT NULL UNIQUE,
    p256dh     text NOT NULL,
    auth       text NOT NULL,
    user_agent text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at, id);

-- The position of each consumer of the event log: the seq of the last event
-- it finished. It only moves forward; a consumer without a row is at 0.
CREATE TABLE event_cursors (
    consumer   text COLLATE "C" PRIMARY KEY,
    seq        bigint NOT NULL CHECK (seq > 0),
    updated_at timestamptz NOT NULL
);
