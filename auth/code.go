package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
)

// codeSpace is the number of distinct 6-digit codes: 000000 … 999999.
var codeSpace = big.NewInt(1_000_000)

// newCode returns a uniformly random 6-digit code. rand.Int draws from [0, n),
// so n must be 10^6, not 999999, for 999999 to be possible.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, codeSpace)
	if err != nil {
		return "", fmt.Errorf("auth: generating code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// codeHash binds a code to its challenge under the server secret, so a stolen
// database alone does not reveal codes and a code cannot be replayed on another
// challenge.
func codeHash(secret []byte, challengeID, code string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(challengeID))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// validCodeFormat reports whether s is exactly six ASCII digits.
func validCodeFormat(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// newToken returns a 256-bit random session token, base64url without padding.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: generating token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// tokenHash is what the store keeps of a session token. A plain SHA-256 is
// enough: the token has 256 bits of entropy, nothing to brute-force.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
