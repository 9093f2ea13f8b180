-- 0007: erasure of a client's data (package cabinet/card, EraseStore).
--
-- The erasure deletes a client's photo rows and, after its transaction has
-- committed, their files in the BlobStore. The keys of those files are
-- written here in the erasure's transaction and removed once each file is
-- gone, so a file that could not be deleted (a failing disk, a process that
-- died after the commit) is retried later: the keys are the only trace of
-- the files once the rows are gone. Keys are random and name nobody.
--
-- Conventions as in 0001.

CREATE TABLE erased_blobs (
    key       text COLLATE "C" PRIMARY KEY,
    erased_at timestamptz NOT NULL
);

CREATE INDEX erased_blobs_erased_at ON erased_blobs (erased_at, key);
