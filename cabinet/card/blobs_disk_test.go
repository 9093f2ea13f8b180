package card_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// blobFiles lists every file (not directory) under dir, temporary ones
// included.
func blobFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	}))
	return files
}

const blobKeyA = "0123456789abcdef0123456789abcdef"

func TestDiskBlobs(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "blobs")
	b, err := card.NewDiskBlobs(dir)
	require.NoError(t, err)

	require.NoError(t, b.Put(ctx, blobKeyA, strings.NewReader("first")))
	require.NoError(t, b.Put(ctx, blobKeyA, strings.NewReader("second")), "a Put replaces")
	rc, err := b.Open(ctx, blobKeyA)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, "second", string(got))

	// Private: the file 0600, the directories 0700.
	files := blobFiles(t, dir)
	require.Len(t, files, 1)
	assert.Equal(t, filepath.Join(dir, "01", blobKeyA), files[0], "named by the key, in a directory of its first two digits")
	fi, err := os.Stat(files[0])
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	for _, d := range []string{dir, filepath.Join(dir, "01")} {
		fi, err := os.Stat(d)
		require.NoError(t, err)
		assert.Zero(t, fi.Mode().Perm()&0o077, "%s is %v", d, fi.Mode().Perm())
	}

	require.NoError(t, b.Delete(ctx, blobKeyA))
	require.NoError(t, b.Delete(ctx, blobKeyA), "deleting again is not an error")
	_, err = b.Open(ctx, blobKeyA)
	assert.ErrorIs(t, err, card.ErrBlobNotFound)
	assert.Empty(t, blobFiles(t, dir))
}

func TestDiskBlobsRefuseKeysThatAreNotTheirs(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	dir := filepath.Join(root, "blobs")
	b, err := card.NewDiskBlobs(dir)
	require.NoError(t, err)
	secret := filepath.Join(root, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("not a blob"), 0o600))
	for _, key := range []string{
		"", "../secret", "../../x", "/etc/passwd", "..", "01/../../secret", `..\..\x`,
		strings.ToUpper(blobKeyA), blobKeyA + "0", blobKeyA[:31], "0123456789abcdef0123456789abcdeg",
		"0123456789abcdef0123456789abcde\x00", "0123456789abcdef/123456789abcdef",
	} {
		assert.ErrorIs(t, b.Put(ctx, key, strings.NewReader("x")), card.ErrInvalidBlobKey, "%q", key)
		_, err := b.Open(ctx, key)
		assert.ErrorIs(t, err, card.ErrInvalidBlobKey, "%q", key)
		assert.ErrorIs(t, b.Delete(ctx, key), card.ErrInvalidBlobKey, "%q", key)
	}
	assert.Empty(t, blobFiles(t, dir))
	_, err = os.Stat(secret)
	assert.NoError(t, err, "nothing outside the directory was touched")
}

// failingReader yields some bytes, then fails.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("the client went away")
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestDiskBlobsPutIsAtomic(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	b, err := card.NewDiskBlobs(dir)
	require.NoError(t, err)

	// A reader failing halfway leaves nothing, not even the temporary file.
	assert.Error(t, b.Put(ctx, blobKeyA, &failingReader{n: 100_000}))
	assert.Empty(t, blobFiles(t, dir))
	_, err = b.Open(ctx, blobKeyA)
	assert.ErrorIs(t, err, card.ErrBlobNotFound)

	// A failed replacement keeps the old blob whole.
	require.NoError(t, b.Put(ctx, blobKeyA, strings.NewReader("old")))
	assert.Error(t, b.Put(ctx, blobKeyA, &failingReader{n: 10}))
	rc, err := b.Open(ctx, blobKeyA)
	require.NoError(t, err)
	got, _ := io.ReadAll(rc)
	rc.Close()
	assert.Equal(t, "old", string(got))

	// An ended context stops the write.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, b.Put(cancelled, "ffffffffffffffffffffffffffffffff", strings.NewReader("x")), context.Canceled)
	assert.Len(t, blobFiles(t, dir), 1)

	// Readers see the old or the new blob whole while writers replace it.
	big := strings.Repeat("a", 1<<20)
	other := strings.Repeat("b", 1<<20)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			v := big
			if i%2 == 1 {
				v = other
			}
			assert.NoError(t, b.Put(ctx, blobKeyA, strings.NewReader(v)))
		})
		wg.Go(func() {
			rc, err := b.Open(ctx, blobKeyA)
			if !assert.NoError(t, err) {
				return
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			assert.NoError(t, err)
			assert.True(t, string(got) == "old" || string(got) == big || string(got) == other, "a torn read of %d bytes", len(got))
		})
	}
	wg.Wait()
	assert.Len(t, blobFiles(t, dir), 1, "no temporary file is left")
}

func TestNewDiskBlobsRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	shard := filepath.Join(dir, "ab")
	require.NoError(t, os.Mkdir(shard, 0o700))
	stale, fresh := filepath.Join(shard, ".tmp-1"), filepath.Join(shard, ".tmp-2")
	for _, f := range []string{stale, fresh} {
		require.NoError(t, os.WriteFile(f, []byte("half a photo"), 0o600))
	}
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))
	_, err := card.NewDiskBlobs(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{fresh}, blobFiles(t, dir), "a crashed writer's file goes; one being written stays")

	_, err = card.NewDiskBlobs("")
	assert.Error(t, err)
	_, err = card.NewDiskBlobs(stale[:len(stale)-1] + "2") // a file, not a directory
	assert.Error(t, err)
}
