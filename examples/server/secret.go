package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// secretFile is the name of the key file under the data directory.
const secretFile = "secret.key"

// loadSecret returns the secret from <dir>/secret.key, creating the directory
// (0700) and the file (0600, 32 random bytes) when missing. created reports
// whether the file is new. The key itself never appears in an error.
func loadSecret(dir string) (secret []byte, path string, created bool, err error) {
	path = filepath.Join(dir, secretFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, path, false, fmt.Errorf("data directory: %w", err)
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(b) < minSecret {
			return nil, path, false, fmt.Errorf("%s: holds %d bytes, want at least %d (delete it to make a new one; sessions and pending codes are then lost)", path, len(b), minSecret)
		}
		return b, path, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, path, false, fmt.Errorf("secret key: %w", err)
	}

	b = make([]byte, minSecret)
	if _, err := rand.Read(b); err != nil {
		return nil, path, false, fmt.Errorf("secret key: %w", err)
	}
	switch created, err := writeNew(dir, secretFile, b); {
	case err != nil:
		return nil, path, false, fmt.Errorf("secret key: %w", err)
	case !created: // another server wrote it meanwhile: use theirs
		return loadSecret(dir)
	}
	return b, path, true, nil
}

// writeNew writes b to <dir>/<name> with mode 0600 unless that file exists,
// and reports whether it did. It writes a temporary file, then links it into
// place: a reader never sees a half-written file, and of two servers starting
// at once on one data directory the second keeps the first one's file
// instead of replacing it.
func writeNew(dir, name string, b []byte) (bool, error) {
	f, err := os.CreateTemp(dir, name+".*.tmp") // mode 0600
	if err != nil {
		return false, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Link(tmp, filepath.Join(dir, name)); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}
