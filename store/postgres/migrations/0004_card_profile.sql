-- 0004: the client's questionnaire, every version of it, and the consent
-- records (package cabinet/card, ProfileStore).
--
-- Conventions as in 0001. Both tables are append-only: a trigger refuses
-- every UPDATE. Rows go only with their user (ON DELETE CASCADE), when the
-- client's data is erased.

-- The trigger function of every append-only table.
CREATE FUNCTION kabinet_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;

-- One row per version of a client's questionnaire: the whole questionnaire
-- after the change, as JSON under explicit names:
-- {"name","birth_date" (YYYY-MM-DD or ""),"gender","locale",
--  "preferred_branch_id","skin_type","phototype" (0: unanswered),
--  "concerns" ([{"code","severity"}] or null),"allergies","contraindications",
--  "home_care" (lists; null: unanswered, []: none)}.
-- The newest version (the highest number) is the questionnaire.
CREATE TABLE profile_versions (
    client_id  text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version    integer NOT NULL CHECK (version >= 1),
    at         timestamptz NOT NULL,
    changed_by text COLLATE "C" NOT NULL,     -- user ID of the client or the member of staff
    by_staff   boolean NOT NULL,
    profile    jsonb NOT NULL,
    CONSTRAINT profile_versions_pkey PRIMARY KEY (client_id, version)
);

CREATE TRIGGER profile_versions_append_only BEFORE UPDATE ON profile_versions
    FOR EACH ROW EXECUTE FUNCTION kabinet_append_only();

-- Consent records, in the order they were made (seq). The newest record of
-- a (client, type) is that consent's current state.
CREATE TABLE consents (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text COLLATE "C" NOT NULL UNIQUE,
    client_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         text COLLATE "C" NOT NULL CHECK (type <> ''),   -- personal_data, health_data, photos, marketing, …
    granted      boolean NOT NULL,
    text_version text NOT NULL DEFAULT '',
    source       text COLLATE "C" NOT NULL CHECK (source <> ''), -- cabinet, front_desk
    recorded_by  text COLLATE "C" NOT NULL,
    at           timestamptz NOT NULL
);

-- The current state of one consent: the last seq of (client, type); and a
-- client's whole history through its prefix.
CREATE INDEX consents_client_type ON consents (client_id, type, seq);

CREATE TRIGGER consents_append_only BEFORE UPDATE ON consents
    FOR EACH ROW EXECUTE FUNCTION kabinet_append_only();
