package card

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DiskBlobs is a BlobStore in a directory on disk: the default. A blob is
// one file named by its key, in a subdirectory named by the key's first
// two digits (256 of them, so no directory grows huge). Only keys of 32
// lowercase hex digits are accepted, so a key can never name a path outside
// the directory. Files are 0600 and directories 0700: readable only by the
// server's user. Keep the directory outside any web root — blobs are served
// only through the card's authorization check.
//
// A Put writes a temporary file in the blob's subdirectory, syncs it to
// disk, and renames it into place, then syncs the directory: after a crash
// there is the whole blob or none. Temporary files left by a crash are
// removed by NewDiskBlobs once they are an hour old.
//
// Several processes may share one directory.
type DiskBlobs struct {
	dir string
}

var _ BlobStore = (*DiskBlobs)(nil)

// tempPrefix starts the names of files being written.
const tempPrefix = ".tmp-"

// staleTemp is the age after which NewDiskBlobs removes a temporary file: a
// Put never takes that long, so its writer has died.
const staleTemp = time.Hour

// NewDiskBlobs returns the store in dir, creating it (0700) if needed, and
// removes temporary files that crashed writers left there.
func NewDiskBlobs(dir string) (*DiskBlobs, error) {
	if dir == "" {
		return nil, errors.New("card: NewDiskBlobs: the directory is required")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("card: blob directory: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("card: blob directory: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("card: blob directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("card: blob directory %s is not a directory", abs)
	}
	d := &DiskBlobs{dir: abs}
	d.removeStale(time.Now())
	return d, nil
}

// Dir is the directory the blobs are in.
func (d *DiskBlobs) Dir() string { return d.dir }

// removeStale removes temporary files older than staleTemp.
func (d *DiskBlobs) removeStale(now time.Time) {
	subs, _ := os.ReadDir(d.dir)
	for _, sub := range subs {
		if !sub.IsDir() || !validShard(sub.Name()) {
			continue
		}
		files, _ := os.ReadDir(filepath.Join(d.dir, sub.Name()))
		for _, f := range files {
			if !strings.HasPrefix(f.Name(), tempPrefix) {
				continue
			}
			if fi, err := f.Info(); err == nil && now.Sub(fi.ModTime()) > staleTemp {
				_ = os.Remove(filepath.Join(d.dir, sub.Name(), f.Name()))
			}
		}
	}
}

// validBlobKey reports whether key is 32 lowercase hex digits.
func validBlobKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	for i := range len(key) {
		if c := key[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func validShard(name string) bool {
	return len(name) == 2 && validBlobKey(name+strings.Repeat("0", 30))
}

// paths returns the blob's subdirectory and file.
func (d *DiskBlobs) paths(key string) (string, string, error) {
	if !validBlobKey(key) {
		return "", "", ErrInvalidBlobKey
	}
	sub := filepath.Join(d.dir, key[:2])
	return sub, filepath.Join(sub, key), nil
}

// Put writes the blob atomically (see DiskBlobs).
func (d *DiskBlobs) Put(ctx context.Context, key string, r io.Reader) (err error) {
	sub, path, err := d.paths(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Mkdir(sub, 0o700); err == nil {
		if err := syncDir(d.dir); err != nil {
			return fmt.Errorf("card: blob: %w", err)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("card: blob: %w", err)
	}
	f, err := os.CreateTemp(sub, tempPrefix+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("card: blob: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		return fmt.Errorf("card: blob: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("card: blob: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("card: blob: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("card: blob: %w", err)
	}
	if err := syncDir(sub); err != nil {
		return fmt.Errorf("card: blob: %w", err)
	}
	return nil
}

// Open opens the blob's file.
func (d *DiskBlobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	_, path, err := d.paths(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrBlobNotFound
	} else if err != nil {
		return nil, fmt.Errorf("card: blob: %w", err)
	}
	return f, nil
}

// Delete removes the blob's file and syncs its directory, so that a crash
// cannot bring an erased photo back.
func (d *DiskBlobs) Delete(ctx context.Context, key string) error {
	sub, path, err := d.paths(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("card: blob: %w", err)
	}
	if err := syncDir(sub); err != nil {
		return fmt.Errorf("card: blob: %w", err)
	}
	return nil
}

// syncDir makes a directory's entries (a rename, a removal) durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
