-- 0008: favourites and reviews (package cabinet/card, FavoriteStore and
-- ReviewStore).
--
-- Conventions as in 0001.

-- The services and products a client keeps. The item is a service or a
-- product by kind, so it has no foreign key: the store checks that it
-- exists when it is added. A favourite goes with its user.
CREATE TABLE favorites (
    client_id  text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text COLLATE "C" NOT NULL CHECK (kind IN ('service', 'product')),
    item_id    text COLLATE "C" NOT NULL CHECK (item_id <> ''),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, kind, item_id)
);

CREATE INDEX favorites_client ON favorites (client_id, created_at);

-- Reviews of completed appointments: one per appointment (the UNIQUE
-- constraint is the last word when two arrive at once). No foreign key to
-- users: what the clinic keeps of an erased client's reviews (the ratings)
-- stays under a pseudonym, as their appointments do. branch_id,
-- service_id, specialist_id and visit_at are copied from the appointment,
-- so the public lists need no join.
CREATE TABLE reviews (
    id             text COLLATE "C" PRIMARY KEY,
    appointment_id text COLLATE "C" NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    client_id      text COLLATE "C" NOT NULL,
    author_name    text NOT NULL DEFAULT '',
    branch_id      text COLLATE "C" NOT NULL,
    service_id     text COLLATE "C" NOT NULL,
    specialist_id  text COLLATE "C" NOT NULL,
    visit_at       timestamptz NOT NULL,
    rating         integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text           text NOT NULL DEFAULT '',
    status         text COLLATE "C" NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    reply          text NOT NULL DEFAULT '',
    replied_by     text COLLATE "C" NOT NULL DEFAULT '',
    replied_at     timestamptz,                   -- NULL without a reply
    moderated_by   text COLLATE "C" NOT NULL DEFAULT '',
    moderated_at   timestamptz,                   -- NULL before any moderation
    version        integer NOT NULL CHECK (version >= 1),
    created_at     timestamptz NOT NULL,
    edited_at      timestamptz,                   -- NULL: never edited
    updated_at     timestamptz NOT NULL,
    CONSTRAINT reviews_appointment_key UNIQUE (appointment_id)
);

CREATE INDEX reviews_client ON reviews (client_id, created_at);
CREATE INDEX reviews_specialist ON reviews (specialist_id, status, created_at);
CREATE INDEX reviews_service ON reviews (service_id, status, created_at);
CREATE INDEX reviews_branch ON reviews (branch_id, status, created_at);
CREATE INDEX reviews_status ON reviews (status, created_at);

-- Every change of a review: written and edited by the client, moderated by
-- staff (who, when, the decision and the reply).
CREATE TABLE review_history (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id   text COLLATE "C" NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    action      text COLLATE "C" NOT NULL CHECK (action IN ('written', 'edited', 'moderated')),
    from_status text NOT NULL DEFAULT '',         -- '' for the review itself
    to_status   text NOT NULL,
    reply       text NOT NULL DEFAULT '',
    by_user     text COLLATE "C" NOT NULL,
    by_staff    boolean NOT NULL,
    at          timestamptz NOT NULL
);

CREATE INDEX review_history_review ON review_history (review_id, seq);

-- Append-only: a line never changes, but for who made it and the reply,
-- which an erasure replaces with the pseudonym and removes.
CREATE TRIGGER review_history_append_only BEFORE UPDATE ON review_history
    FOR EACH ROW
    WHEN (NEW.seq IS DISTINCT FROM OLD.seq OR NEW.review_id IS DISTINCT FROM OLD.review_id
        OR NEW.action IS DISTINCT FROM OLD.action OR NEW.from_status IS DISTINCT FROM OLD.from_status
        OR NEW.to_status IS DISTINCT FROM OLD.to_status OR NEW.by_staff IS DISTINCT FROM OLD.by_staff
        OR NEW.at IS DISTINCT FROM OLD.at)
    EXECUTE FUNCTION kabinet_append_only();
