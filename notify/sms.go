package notify

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
)

// The sizes of an SMS part. A text in the GSM 03.38 alphabet travels in
// 7-bit septets: 160 in a single message, 153 in each part of a
// concatenated one (the rest of the part is the header that joins them).
// Any other text travels as UCS-2 (UTF-16) code units: 70, or 67 per part.
const (
	gsmSingle, gsmPart = 160, 153
	ucsSingle, ucsPart = 70, 67
)

// gsmBasic is the GSM 03.38 default alphabet: one septet each. ESC (0x1B)
// is left out: it only introduces the extension table.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension is the GSM 03.38 extension table: two septets each (ESC
// and the character).
const gsmExtension = "\f^{}\\[~]|€"

// SMSSegments returns the number of SMS parts text takes to send, 0 for
// an empty text.
//
// A text made only of the GSM 03.38 default alphabet (and its extension
// table: € [ ] { } ^ ~ \ | and form feed, two septets each) is sent in
// 7-bit: up to 160 septets in one message, 153 per part beyond that. Any
// other character (Cyrillic, «», —, …, an emoji) makes the whole text
// UCS-2: up to 70 UTF-16 code units in one message, 67 per part, and a
// character outside the Basic Multilingual Plane (most emoji) counts two.
// As phones and gateways do, a two-septet character or a surrogate pair is
// never split between parts, so it may open the next part early. National
// language shift tables (Turkish, Portuguese, Indian languages) are not
// assumed.
func SMSSegments(text string) int {
	if text == "" {
		return 0
	}
	if isGSM7(text) {
		return packParts(text, gsmSingle, gsmPart, gsmSeptets)
	}
	return packParts(text, ucsSingle, ucsPart, ucs2Units)
}

// FitSMS returns text unchanged when it fits maxParts SMS parts (see
// SMSSegments). Otherwise it returns the longest beginning of text that
// fits with an ellipsis added: cut after the last whole word when that
// keeps at least half of what fits (else inside the word), never inside a
// UTF-8 sequence, and not between a character and its combining marks or
// inside a joined emoji. Spaces and punctuation left at the cut are
// dropped before the ellipsis.
//
// The ellipsis is "…" when the result is UCS-2 anyway, and "..." when it
// is GSM 7-bit: "…" is not in the GSM alphabet, and adding it would turn
// the whole text into UCS-2 and cut its room by more than half.
//
// A maxParts below 1 counts as 1.
func FitSMS(text string, maxParts int) string {
	maxParts = max(maxParts, 1)
	if SMSSegments(text) <= maxParts {
		return text
	}
	runes := []rune(text)
	fits := func(k int) bool { return SMSSegments(withEllipsis(string(runes[:k]))) <= maxParts }
	// fits is true for 0 (an ellipsis alone) and false for len(runes) (text
	// does not fit even without one), and it never turns true again once
	// false: a shorter beginning needs no more room, and a GSM beginning of
	// a UCS-2 text fits wherever a longer UCS-2 one does.
	k := sort.Search(len(runes)+1, func(k int) bool { return !fits(k) }) - 1

	if k < len(runes) && !unicode.IsSpace(runes[k]) {
		// The cut is inside a word: go back to the space before it.
		j := k - 1
		for j >= 0 && !unicode.IsSpace(runes[j]) {
			j--
		}
		if j >= k/2 && j > 0 {
			k = j
		} else {
			for k > 0 && clings(runes[k-1], runes[k]) {
				k--
			}
		}
	}
	head := strings.TrimRightFunc(string(runes[:k]), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '\u200d'
	})
	return withEllipsis(head)
}

// withEllipsis adds the ellipsis that keeps head's encoding.
func withEllipsis(head string) string {
	if isGSM7(head) {
		return head + "..."
	}
	return head + "…"
}

// clings reports whether next belongs to the same visible character as
// prev, so that a cut must not fall between them: a combining mark, a
// variation selector, an emoji skin tone, or either side of a zero-width
// joiner.
func clings(prev, next rune) bool {
	return prev == '\u200d' || next == '\u200d' ||
		unicode.In(next, unicode.Mn, unicode.Me, unicode.Variation_Selector) ||
		(next >= 0x1f3fb && next <= 0x1f3ff)
}

func isGSM7(text string) bool {
	for _, r := range text {
		if gsmSeptets(r) == 0 {
			return false
		}
	}
	return true
}

// gsmSeptets is the number of septets r takes in GSM 7-bit, 0 when it has
// none.
func gsmSeptets(r rune) int {
	switch {
	case strings.ContainsRune(gsmBasic, r):
		return 1
	case strings.ContainsRune(gsmExtension, r):
		return 2
	}
	return 0
}

// ucs2Units is the number of UTF-16 code units of r (an invalid rune
// travels as U+FFFD, one unit).
func ucs2Units(r rune) int { return max(utf16.RuneLen(r), 1) }

// packParts counts the parts of text: one if its total width fits single,
// otherwise parts of size part filled in order, a character that does not
// fit whole opening the next one.
func packParts(text string, single, part int, width func(rune) int) int {
	total := 0
	for _, r := range text {
		total += width(r)
	}
	if total <= single {
		return 1
	}
	parts, fill := 1, 0
	for _, r := range text {
		w := width(r)
		if fill+w > part {
			parts++
			fill = 0
		}
		fill += w
	}
	return parts
}
