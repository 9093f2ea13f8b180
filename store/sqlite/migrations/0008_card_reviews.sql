-- 0008: favourites and reviews (package cabinet/card, FavoriteStore and
-- ReviewStore).
--
-- Conventions as in 0001–0007: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; tables are STRICT.

-- The services and products a client keeps. The item is a service or a
-- product by kind, so it has no foreign key: the store checks that it
-- exists when it is added. A favourite goes with its user.
CREATE TABLE favorites (
    client_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('service', 'product')),
    item_id    TEXT NOT NULL CHECK (item_id <> ''),
    created_at TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, item_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX favorites_client ON favorites (client_id, created_at);

-- Reviews of completed appointments: one per appointment (the UNIQUE
-- constraint is the last word when two arrive at once). No foreign key to
-- users: what the clinic keeps of an erased client's reviews (the ratings)
-- stays under a pseudonym, as their appointments do. branch_id,
-- service_id, specialist_id and visit_at are copied from the appointment,
-- so the public lists need no join.
CREATE TABLE reviews (
    id             TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL UNIQUE REFERENCES appointments (id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    author_name    TEXT NOT NULL DEFAULT '',
    branch_id      TEXT NOT NULL,
    service_id     TEXT NOT NULL,
    specialist_id  TEXT NOT NULL,
    visit_at       TEXT NOT NULL,
    rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    reply          TEXT NOT NULL DEFAULT '',
    replied_by     TEXT NOT NULL DEFAULT '',
    replied_at     TEXT,                          -- NULL without a reply
    moderated_by   TEXT NOT NULL DEFAULT '',
    moderated_at   TEXT,                          -- NULL before any moderation
    version        INTEGER NOT NULL CHECK (version >= 1),
    created_at     TEXT NOT NULL,
    edited_at      TEXT,                          -- NULL: never edited
    updated_at     TEXT NOT NULL
) STRICT;

CREATE INDEX reviews_client ON reviews (client_id, created_at);
CREATE INDEX reviews_specialist ON reviews (specialist_id, status, created_at);
CREATE INDEX reviews_service ON reviews (service_id, status, created_at);
CREATE INDEX reviews_branch ON reviews (branch_id, status, created_at);
CREATE INDEX reviews_status ON reviews (status, created_at);

-- Every change of a review: written and edited by the client, moderated by
-- staff (who, when, the decision and the reply).
CREATE TABLE review_history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id   TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    action      TEXT NOT NULL CHECK (action IN ('written', 'edited', 'moderated')),
    from_status TEXT NOT NULL DEFAULT '',         -- '' for the review itself
    to_status   TEXT NOT NULL,
    reply       TEXT NOT NULL DEFAULT '',
    by_user     TEXT NOT NULL,
    by_staff    INTEGER NOT NULL CHECK (by_staff IN (0, 1)),
    at          TEXT NOT NULL
) STRICT;

CREATE INDEX review_history_review ON review_history (review_id, seq);

-- Append-only: a line never changes, but for who made it and the reply,
-- which an erasure replaces with the pseudonym and removes.
CREATE TRIGGER review_history_append_only BEFORE UPDATE ON review_history
WHEN NEW.seq IS NOT OLD.seq OR NEW.review_id IS NOT OLD.review_id OR NEW.action IS NOT OLD.action
    OR NEW.from_status IS NOT OLD.from_status OR NEW.to_status IS NOT OLD.to_status
    OR NEW.by_staff IS NOT OLD.by_staff OR NEW.at IS NOT OLD.at
BEGIN
    SELECT RAISE(ABORT, 'review_history is append-only');
END;
