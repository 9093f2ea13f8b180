-- 0009: personal offers given to clients (package cabinet/card, OfferStore)
-- and the services a campaign has seen, to announce the new ones (package
-- cabinet, Campaigns).
--
-- Conventions as in 0001–0008: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; tables are STRICT.

-- Each giving of an offer to a client, with the offer as it was made. The
-- primary key is the guarantee that an offer is given once: the seq-th
-- giving of one offer to one client exists at most once, whoever (the
-- client's cabinet, a campaign on any instance) got there first. Offers
-- go with their user (ON DELETE CASCADE): an erased client's are deleted.
CREATE TABLE offers_given (
    client_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offer_id          TEXT NOT NULL CHECK (offer_id <> ''),
    seq               INTEGER NOT NULL CHECK (seq >= 1),
    rule_id           TEXT NOT NULL DEFAULT '',
    title_ru          TEXT NOT NULL DEFAULT '',
    title_en          TEXT NOT NULL DEFAULT '',
    discount_percent  INTEGER NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
    gift_ru           TEXT NOT NULL DEFAULT '',
    gift_en           TEXT NOT NULL DEFAULT '',
    item_ids          TEXT,                      -- JSON array; NULL: not tied to items
    valid_from        TEXT NOT NULL,
    valid_until       TEXT NOT NULL,
    per_client_limit  INTEGER NOT NULL DEFAULT 1 CHECK (per_client_limit >= 1),
    limit_period_days INTEGER NOT NULL DEFAULT 0 CHECK (limit_period_days >= 0),
    given_at          TEXT NOT NULL,
    announced_at      TEXT,                      -- NULL: no message queued yet
    PRIMARY KEY (client_id, offer_id, seq),
    CHECK (item_ids IS NULL OR (json_valid(item_ids) AND json_type(item_ids) = 'array')),
    CHECK (valid_from < valid_until)
) STRICT, WITHOUT ROWID;

-- The services a campaign has seen. A service first seen after the first
-- campaign is new: it is announced to the clients it suits, then marked.
CREATE TABLE services_seen (
    service_id   TEXT PRIMARY KEY,
    seen_at      TEXT NOT NULL,
    announced_at TEXT                            -- NULL: not announced yet
) STRICT, WITHOUT ROWID;
