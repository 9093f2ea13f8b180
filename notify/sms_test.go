package notify_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

func TestSMSSegments(t *testing.T) {
	rep := strings.Repeat
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 0},
		{"one character", "a", 1},

		// GSM 7-bit: 160 in one, 153 per part.
		{"GSM 160", rep("a", 160), 1},
		{"GSM 161", rep("a", 161), 2},
		{"GSM 306", rep("a", 306), 2},
		{"GSM 307", rep("a", 307), 3},
		{"GSM 459", rep("a", 459), 3},
		{"GSM 460", rep("a", 460), 4},
		{"GSM basic set, not ASCII", rep("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", 3), 1},
		{"GSM newline and carriage return", rep("a\r\n", 53), 1},

		// The extension table takes two septets a character.
		{"extension 80 × 2 = 160", rep("€", 80), 1},
		{"extension 81 × 2 = 162", rep("€", 81), 2},
		{"159 + one extension = 161", rep("a", 159) + "€", 2},
		{"158 + one extension = 160", rep("a", 158) + "€", 1},
		{"each extension character", rep(`[]{}^~\|€`, 8) + "\f\f\f\f\f\f\f\f", 1}, // 72 + 8 characters, 160 septets
		{"each extension character, one more", rep(`[]{}^~\|€`, 8) + "\f\f\f\f\f\f\f\f\f", 2},
		{"extension closing a part", rep("a", 151) + "€" + rep("a", 152), 2},
		{"extension not split between parts", rep("a", 152) + "€" + rep("a", 152), 3}, // 306 septets, still 3 parts

		// Anything else: UCS-2, 70 in one, 67 per part.
		{"UCS-2 70", rep("я", 70), 1},
		{"UCS-2 71", rep("я", 71), 2},
		{"UCS-2 134", rep("я", 134), 2},
		{"UCS-2 135", rep("я", 135), 3},
		{"UCS-2 201", rep("я", 201), 3},
		{"UCS-2 202", rep("я", 202), 4},
		{"one Cyrillic letter turns GSM into UCS-2", rep("a", 159) + "я", 3},
		{"lower-case ç is not GSM", rep("ç", 71), 2},
		{"backtick is not GSM", rep("a", 70) + "`", 2},
		{"tab is not GSM", rep("a", 70) + "\t", 2},
		{"ellipsis is not GSM", rep("a", 70) + "…", 2},
		{"guillemets and dash are not GSM", "«a» — b" + rep("a", 64), 2},
		{"extension characters count one in UCS-2", rep("€", 69) + "я", 1},

		// Emoji outside the BMP are two UTF-16 code units.
		{"one emoji", "😀", 1},
		{"35 emoji = 70 units", rep("😀", 35), 1},
		{"36 emoji = 72 units", rep("😀", 36), 2},
		{"69 + emoji = 71 units", rep("a", 69) + "😀", 2},
		{"68 + emoji = 70 units", rep("a", 68) + "😀", 1},
		{"emoji closing a part", rep("я", 65) + "😀" + rep("я", 67), 2},
		{"emoji not split between parts", rep("я", 66) + "😀" + rep("я", 66), 3}, // 134 units, still 3 parts
		{"BMP symbol is one unit", rep("☺", 70), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, notify.SMSSegments(tt.text))
		})
	}
}

func TestFitSMS(t *testing.T) {
	rep := strings.Repeat
	ruWords := rep("Запись перенесена на другое время, ждём вас. ", 10) // 450 characters
	enWords := rep("Your visit moved to another time, see you. ", 10)   // 430 characters
	tests := []struct {
		name     string
		text     string
		maxParts int
		want     string
	}{
		{"fits: unchanged", "Ждём вас завтра в 12:00.", 1, "Ждём вас завтра в 12:00."},
		{"empty: unchanged", "", 1, ""},
		{"GSM 160: unchanged", rep("a", 160), 1, rep("a", 160)},
		{"UCS-2 134 in two: unchanged", rep("я", 134), 2, rep("я", 134)},
		{"UCS-2 135 in three: unchanged", rep("я", 135), 3, rep("я", 135)},

		{"one long Cyrillic word", rep("я", 200), 1, rep("я", 69) + "…"},
		{"one long Cyrillic word in two parts", rep("я", 200), 2, rep("я", 133) + "…"},
		{"one long GSM word keeps GSM with three dots", rep("a", 200), 1, rep("a", 157) + "..."},
		{"GSM beginning of a UCS-2 text", rep("a", 200) + "я", 1, rep("a", 157) + "..."},
		{"maxParts 0 counts as 1", rep("я", 200), 0, rep("я", 69) + "…"},

		{"cut at a word boundary", ruWords, 1, "Запись перенесена на другое время, ждём вас. Запись перенесена на…"},
		{"cut at a word boundary, GSM", enWords, 1,
			"Your visit moved to another time, see you. Your visit moved to another time, see you. Your visit moved to another time, see you. Your visit moved to another..."},
		{"cut at a word boundary, two parts", ruWords, 2,
			"Запись перенесена на другое время, ждём вас. Запись перенесена на другое время, ждём вас. Запись перенесена на другое время, ждём…"},
		{"punctuation at the cut is dropped", rep("x", 150) + ", " + rep("y", 20), 1, rep("x", 150) + "..."},
		{"a word boundary too far back: cut inside the word", "a b" + rep("c", 300), 1, "a b" + rep("c", 154) + "..."},

		{"emoji kept whole", rep("я", 68) + "😀😀", 1, rep("я", 68) + "…"},
		{"joined emoji kept whole", rep("я", 64) + "👩\u200d👩\u200d👧" + rep("я", 20), 1, rep("я", 64) + "…"},
		{"combining mark kept with its letter", rep("я", 68) + "е\u0301" + rep("я", 10), 1, rep("я", 68) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := notify.FitSMS(tt.text, tt.maxParts)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, notify.SMSSegments(got), max(tt.maxParts, 1))
			assert.True(t, utf8.ValidString(got))
		})
	}
}

// FitSMS always fits, keeps valid UTF-8 and returns a beginning of the
// text and an ellipsis, or the text itself.
func FuzzFitSMS(f *testing.F) {
	for _, s := range []string{
		"", "Ждём вас завтра в 12:00.", strings.Repeat("я ", 100), strings.Repeat("a€", 120),
		strings.Repeat("😀 ", 60), strings.Repeat("x", 150) + ", " + strings.Repeat("y", 20),
		"👩\u200d👩\u200d👧" + strings.Repeat("е\u0301", 80), "\xff\xfe" + strings.Repeat("b", 200),
	} {
		f.Add(s, 1)
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, text string, maxParts int) {
		maxParts = maxParts%5 + 1
		if maxParts < 1 {
			maxParts += 5
		}
		got := notify.FitSMS(text, maxParts)
		require.LessOrEqual(t, notify.SMSSegments(got), maxParts, "%q", got)
		if got == text {
			return
		}
		require.True(t, utf8.ValidString(got))
		head, ok := strings.CutSuffix(got, "…")
		if !ok {
			head, ok = strings.CutSuffix(got, "...")
		}
		require.True(t, ok, "%q ends in neither ellipsis", got)
		if utf8.ValidString(text) {
			require.True(t, strings.HasPrefix(text, head), "%q is not a beginning of the text", head)
		}
	})
}
