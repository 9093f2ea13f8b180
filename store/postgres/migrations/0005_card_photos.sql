-- 0005: photo metadata and the skin journal (package cabinet/card,
-- PhotoStore and JournalStore). The photos' bytes are not here: they are in
-- the card's BlobStore, under the random keys stored in the *_key columns.
--
-- Conventions as in 0001. Rows go with their user (ON DELETE CASCADE) when
-- the client's data is erased — after the erasure has recorded the files'
-- keys, which only these rows hold.

CREATE TABLE photos (
    id             text COLLATE "C" PRIMARY KEY,
    client_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           text COLLATE "C" NOT NULL CHECK (kind IN ('before', 'after', 'progress')),
    area           text COLLATE "C" NOT NULL CHECK (area <> ''),
    taken_on       date NOT NULL,
    appointment_id text COLLATE "C",              -- NULL when absent
    uploaded_by    text COLLATE "C" NOT NULL,     -- user ID of the client or the member of staff
    by_staff       boolean NOT NULL,
    source_format  text NOT NULL DEFAULT '',      -- jpeg, png, webp: what was uploaded
    original_key   text COLLATE "C" NOT NULL UNIQUE,
    original_bytes bigint NOT NULL,
    width          integer NOT NULL,
    height         integer NOT NULL,
    medium_key     text COLLATE "C" NOT NULL UNIQUE,
    medium_bytes   bigint NOT NULL,
    medium_width   integer NOT NULL,
    medium_height  integer NOT NULL,
    thumb_key      text COLLATE "C" NOT NULL UNIQUE,
    thumb_bytes    bigint NOT NULL,
    thumb_width    integer NOT NULL,
    thumb_height   integer NOT NULL,
    created_at     timestamptz NOT NULL
);

-- A client's photos in the order they were taken; a visit's photos.
CREATE INDEX photos_client ON photos (client_id, taken_on, created_at, id);
CREATE INDEX photos_appointment ON photos (appointment_id) WHERE appointment_id IS NOT NULL;

-- Journal entries; scores is a JSON object {concern code: 0–10}.
CREATE TABLE skin_journal (
    id         text COLLATE "C" PRIMARY KEY,
    client_id  text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entry_date date NOT NULL,
    kind       text COLLATE "C" NOT NULL CHECK (kind IN ('self_assessment', 'assessment')),
    author_id  text COLLATE "C" NOT NULL,
    scores     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scores) = 'object'),
    notes      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE INDEX skin_journal_client ON skin_journal (client_id, entry_date, created_at, id);

-- The photos linked to an entry, in the order given. A deleted photo drops
-- out of its entries.
CREATE TABLE skin_journal_photos (
    entry_id text COLLATE "C" NOT NULL REFERENCES skin_journal (id) ON DELETE CASCADE,
    photo_id text COLLATE "C" NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (entry_id, photo_id)
);

CREATE INDEX skin_journal_photos_photo ON skin_journal_photos (photo_id);
