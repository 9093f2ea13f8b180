-- 0009: personal offers given to clients (package cabinet/card, OfferStore)
-- and the services a campaign has seen, to announce the new ones (package
-- cabinet, Campaigns).
--
-- Conventions as in 0001.

-- Each giving of an offer to a client, with the offer as it was made. The
-- primary key is the guarantee that an offer is given once: the seq-th
-- giving of one offer to one client exists at most once, whoever (the
-- client's cabinet, a campaign on any instance) got there first. Offers
-- go with their user (ON DELETE CASCADE): an erased client's are deleted.
CREATE TABLE offers_given (
    client_id         text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offer_id          text COLLATE "C" NOT NULL CHECK (offer_id <> ''),
    seq               integer NOT NULL CHECK (seq >= 1),
    rule_id           text NOT NULL DEFAULT '',
    title_ru          text NOT NULL DEFAULT '',
    title_en          text NOT NULL DEFAULT '',
    discount_percent  integer NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
    gift_ru           text NOT NULL DEFAULT '',
    gift_en           text NOT NULL DEFAULT '',
    item_ids          jsonb,                     -- array; NULL: not tied to items
    valid_from        timestamptz NOT NULL,
    valid_until       timestamptz NOT NULL,
    per_client_limit  integer NOT NULL DEFAULT 1 CHECK (per_client_limit >= 1),
    limit_period_days integer NOT NULL DEFAULT 0 CHECK (limit_period_days >= 0),
    given_at          timestamptz NOT NULL,
    announced_at      timestamptz,               -- NULL: no message queued yet
    PRIMARY KEY (client_id, offer_id, seq),
    CHECK (item_ids IS NULL OR jsonb_typeof(item_ids) = 'array'),
    CHECK (valid_from < valid_until)
);

-- The services a campaign has seen. A service first seen after the first
-- campaign is new: it is announced to the clients it suits, then marked.
CREATE TABLE services_seen (
    service_id   text COLLATE "C" PRIMARY KEY,
    seen_at      timestamptz NOT NULL,
    announced_at timestamptz                     -- NULL: not announced yet
);
