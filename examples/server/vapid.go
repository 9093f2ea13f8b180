package main

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabinet-dev/kabinet/notify/webpush"
)

// vapidFile is the name of the VAPID key file under the data directory.
const vapidFile = "vapid.json"

// vapidKeys is a VAPID key pair, unpadded base64url, as vapid.json holds it.
type vapidKeys struct {
	Public  string `json:"public_key"`
	Private string `json:"private_key"`
}

// vapidFromEnv reads KABINET_VAPID_PUBLIC_KEY and KABINET_VAPID_PRIVATE_KEY:
// both or neither (nil). The keys never appear in an error.
func vapidFromEnv(getenv func(string) string) (*vapidKeys, error) {
	const pubName, privName = "KABINET_VAPID_PUBLIC_KEY", "KABINET_VAPID_PRIVATE_KEY"
	pub, priv := strings.TrimSpace(getenv(pubName)), strings.TrimSpace(getenv(privName))
	switch {
	case pub == "" && priv == "":
		return nil, nil
	case pub == "":
		return nil, fmt.Errorf("%s is set but %s is not: give both keys, or neither to use <data>/%s", privName, pubName, vapidFile)
	case priv == "":
		return nil, fmt.Errorf("%s is set but %s is not: give both keys, or neither to use <data>/%s", pubName, privName, vapidFile)
	}
	keys, err := checkVAPIDKeys(pub, priv, pubName, privName)
	if err != nil {
		return nil, err
	}
	return &keys, nil
}

// loadVAPIDKeys returns the key pair in <dir>/vapid.json, creating the
// directory (0700) and the file (0600, a new pair from webpush.GenerateKeys)
// when missing. created reports whether the file is new. The keys never
// appear in an error.
func loadVAPIDKeys(dir string) (keys vapidKeys, path string, created bool, err error) {
	path = filepath.Join(dir, vapidFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return vapidKeys{}, path, false, fmt.Errorf("data directory: %w", err)
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		const lost = "delete it to make a new pair; browsers then have to subscribe to push notifications again"
		var stored vapidKeys
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&stored); err != nil {
			return vapidKeys{}, path, false, fmt.Errorf("%s: not a VAPID key file (%s)", path, lost)
		}
		if keys, err = checkVAPIDKeys(stored.Public, stored.Private, `"public_key"`, `"private_key"`); err != nil {
			return vapidKeys{}, path, false, fmt.Errorf("%s: %w (%s)", path, err, lost)
		}
		return keys, path, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return vapidKeys{}, path, false, fmt.Errorf("VAPID keys: %w", err)
	}

	keys.Public, keys.Private, err = webpush.GenerateKeys()
	if err != nil {
		return vapidKeys{}, path, false, err
	}
	b, err = json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return vapidKeys{}, path, false, fmt.Errorf("VAPID keys: %w", err)
	}
	switch created, err := writeNew(dir, vapidFile, append(b, '\n')); {
	case err != nil:
		return vapidKeys{}, path, false, fmt.Errorf("VAPID keys: %w", err)
	case !created: // another server wrote it meanwhile: use theirs
		return loadVAPIDKeys(dir)
	}
	return keys, path, true, nil
}

// checkVAPIDKeys checks that public and private (base64url or base64,
// padding optional) are a P-256 key pair and returns them as unpadded
// base64url, the form browsers take. Errors name the keys by pubName and
// privName and never contain them.
func checkVAPIDKeys(public, private, pubName, privName string) (vapidKeys, error) {
	pub, err := decodeKey(public)
	if err != nil {
		return vapidKeys{}, fmt.Errorf("%s is not base64url", pubName)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return vapidKeys{}, fmt.Errorf("%s is not an uncompressed P-256 public key (65 bytes)", pubName)
	}
	priv, err := decodeKey(private)
	if err != nil {
		return vapidKeys{}, fmt.Errorf("%s is not base64url", privName)
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return vapidKeys{}, fmt.Errorf("%s is not a P-256 private key (32 bytes)", privName)
	}
	if !bytes.Equal(key.PublicKey().Bytes(), pub) {
		return vapidKeys{}, fmt.Errorf("%s does not belong to %s", privName, pubName)
	}
	return vapidKeys{
		Public:  base64.RawURLEncoding.EncodeToString(pub),
		Private: base64.RawURLEncoding.EncodeToString(priv),
	}, nil
}

// decodeKey decodes base64url or standard base64, with or without padding.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// checkVAPIDSubject checks the contact push services see: "mailto:" and an
// e-mail address, or an https URL. webpush.New checks it again; this check
// runs while the flags are read, so the error names the flag or variable.
func checkVAPIDSubject(s string) error {
	const want = `want "mailto:" and an e-mail address, or an https URL, e.g. mailto:admin@clinic.example`
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("contains spaces or control characters; " + want)
	}
	if len(s) > len("mailto:") && strings.EqualFold(s[:len("mailto:")], "mailto:") {
		addr := s[len("mailto:"):]
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return errors.New(want)
		}
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return errors.New(want)
	}
	return nil
}
