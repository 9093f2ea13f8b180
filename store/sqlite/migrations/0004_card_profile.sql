-- 0004: the client's questionnaire, every version of it, and the consent
-- records (package cabinet/card, ProfileStore).
--
-- Conventions as in 0001–0003: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; tables are STRICT.
--
-- Both tables are append-only: a trigger refuses every UPDATE. Rows go
-- only with their user (ON DELETE CASCADE), when the client's data is
-- erased.

-- One row per version of a client's questionnaire: the whole questionnaire
-- after the change, as JSON under explicit names:
-- {"name","birth_date" (YYYY-MM-DD or ""),"gender","locale",
--  "preferred_branch_id","skin_type","phototype" (0: unanswered),
--  "concerns" ([{"code","severity"}] or null),"allergies","contraindications",
--  "home_care" (lists; null: unanswered, []: none)}.
-- The newest version (the highest number) is the questionnaire.
CREATE TABLE profile_versions (
    client_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    at         TEXT NOT NULL,
    changed_by TEXT NOT NULL,                 -- user ID of the client or the member of staff
    by_staff   INTEGER NOT NULL CHECK (by_staff IN (0, 1)),
    profile    TEXT NOT NULL CHECK (json_valid(profile)),
    PRIMARY KEY (client_id, version)
) STRICT;

CREATE TRIGGER profile_versions_append_only BEFORE UPDATE ON profile_versions
BEGIN
    SELECT RAISE(ABORT, 'profile_versions is append-only');
END;

-- Consent records, in the order they were made (seq). The newest record of
-- a (client, type) is that consent's current state.
CREATE TABLE consents (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    client_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT NOT NULL CHECK (type <> ''),  -- personal_data, health_data, photos, marketing, …
    granted      INTEGER NOT NULL CHECK (granted IN (0, 1)),
    text_version TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL CHECK (source <> ''), -- cabinet, front_desk
    recorded_by  TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;

-- The current state of one consent: the last seq of (client, type); and a
-- client's whole history through its prefix.
CREATE INDEX consents_client_type ON consents (client_id, type, seq);

CREATE TRIGGER consents_append_only BEFORE UPDATE ON consents
BEGIN
    SELECT RAISE(ABORT, 'consents is append-only');
END;
