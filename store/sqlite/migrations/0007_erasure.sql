-- 0007: erasure of a client's data (package cabinet/card, EraseStore).
--
-- The erasure deletes a client's photo rows and, after its transaction has
-- committed, their files in the BlobStore. The keys of those files are
-- written here in the erasure's transaction and removed once each file is
-- gone, so a file that could not be deleted (a failing disk, a process that
-- died after the commit) is retried later: the keys are the only trace of
-- the files once the rows are gone. Keys are random and name nobody.
--
-- Conventions as in 0001–0006: instants are TEXT in UTC, fixed width,
-- 2006-01-02T15:04:05.000000000Z; tables are STRICT.

CREATE TABLE erased_blobs (
    key       TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX erased_blobs_erased_at ON erased_blobs (erased_at, key);
