package auth

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewCodeUniform draws a million codes: both ends of 000000–999999 are
// reached (a draw from [0, 999999) would never give 999999, and a
// non-zero-padded one would never give a leading 0), and every first digit
// is as frequent as the others.
func TestNewCodeUniform(t *testing.T) {
	const n = 1_000_000
	var firstDigit [10]int
	lo, hi := "999999", "000000"
	for range n {
		c, err := newCode()
		if err != nil {
			require.NoError(t, err)
		}
		if !validCodeFormat(c) {
			require.Failf(t, "not six digits", "%q", c)
		}
		firstDigit[c[0]-'0']++
		lo, hi = min(lo, c), max(hi, c)
	}
	assert.Less(t, lo, "000100", "smallest code")
	assert.Greater(t, hi, "999900", "largest code")
	// Each first digit is Binomial(10⁶, 0.1): σ = 300, so ±2% is ±6.7σ.
	for d, count := range firstDigit {
		assert.InDelta(t, n/10, count, n/10*0.02, "first digit %d", d)
	}
}

func TestValidCodeFormat(t *testing.T) {
	tests := []struct {
		code string
		ok   bool
	}{
		{"000000", true},
		{"999999", true},
		{"123456", true},
		{"12345", false},
		{"1234567", false},
		{"12a456", false},
		{"12 456", false},
		{"١٢٣٤٥٦", false}, // Arabic-Indic digits
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			assert.Equal(t, tt.ok, validCodeFormat(tt.code))
		})
	}
}

func TestCodeHash(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	h := codeHash(secret, "challenge-1", "123456")
	assert.Len(t, h, 32)
	assert.Equal(t, h, codeHash(secret, "challenge-1", "123456"), "deterministic")
	assert.NotEqual(t, h, codeHash(secret, "challenge-2", "123456"), "bound to the challenge")
	assert.NotEqual(t, h, codeHash(secret, "challenge-1", "123457"), "depends on the code")
	assert.NotEqual(t, h, codeHash(bytes.Repeat([]byte{8}, 32), "challenge-1", "123456"), "keyed")
	// The separator keeps ID and code apart: ("ab", "c…") ≠ ("a", "bc…").
	assert.NotEqual(t, codeHash(secret, "a1", "234567"), codeHash(secret, "a", "1234567"))
	assert.NotContains(t, string(h), "123456")
}

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok, err := newToken()
		require.NoError(t, err)
		require.Len(t, tok, 43)
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		require.NoError(t, err)
		require.Len(t, raw, 32)
		require.False(t, seen[tok], "duplicate token")
		seen[tok] = true
		require.Len(t, tokenHash(tok), 32)
	}
}
