-- 0005: photo metadata and the skin journal (package cabinet/card,
-- PhotoStore and JournalStore). The photos' bytes are not here: they are in
-- the card's BlobStore, under the random keys stored in the *_key columns.
--
-- Conventions as in 0001–0004: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; calendar days are TEXT YYYY-MM-DD; tables
-- are STRICT. Rows go with their user (ON DELETE CASCADE) when the client's
-- data is erased — after the erasure has deleted the files, whose keys only
-- these rows hold.

CREATE TABLE photos (
    id             TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('before', 'after', 'progress')),
    area           TEXT NOT NULL CHECK (area <> ''),
    taken_on       TEXT NOT NULL CHECK (taken_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    appointment_id TEXT,                          -- NULL when absent
    uploaded_by    TEXT NOT NULL,                 -- user ID of the client or the member of staff
    by_staff       INTEGER NOT NULL CHECK (by_staff IN (0, 1)),
    source_format  TEXT NOT NULL DEFAULT '',      -- jpeg, png, webp: what was uploaded
    original_key   TEXT NOT NULL UNIQUE,
    original_bytes INTEGER NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    medium_key     TEXT NOT NULL UNIQUE,
    medium_bytes   INTEGER NOT NULL,
    medium_width   INTEGER NOT NULL,
    medium_height  INTEGER NOT NULL,
    thumb_key      TEXT NOT NULL UNIQUE,
    thumb_bytes    INTEGER NOT NULL,
    thumb_width    INTEGER NOT NULL,
    thumb_height   INTEGER NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;

-- A client's photos in the order they were taken; a visit's photos.
CREATE INDEX photos_client ON photos (client_id, taken_on, created_at, id);
CREATE INDEX photos_appointment ON photos (appointment_id) WHERE appointment_id IS NOT NULL;

-- Journal entries; scores is a JSON object {concern code: 0–10}.
CREATE TABLE skin_journal (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_date TEXT NOT NULL CHECK (entry_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind       TEXT NOT NULL CHECK (kind IN ('self_assessment', 'assessment')),
    author_id  TEXT NOT NULL,
    scores     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(scores) AND json_type(scores) = 'object'),
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX skin_journal_client ON skin_journal (client_id, entry_date, created_at, id);

-- The photos linked to an entry, in the order given. A deleted photo drops
-- out of its entries.
CREATE TABLE skin_journal_photos (
    entry_id TEXT NOT NULL REFERENCES skin_journal (id) ON DELETE CASCADE,
    photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (entry_id, photo_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX skin_journal_photos_photo ON skin_journal_photos (photo_id);
