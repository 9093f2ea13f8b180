package auth

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Channel is how a code reaches a person: a phone number gets an SMS, an
// e-mail address gets a letter.
type Channel string

// Channels of delivery.
const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
)

// Identifier is a normalised phone number (E.164) or e-mail address (lower
// case). Two spellings of one number or address give equal Identifiers, so the
// value is safe to use as a lookup and rate-limit key.
type Identifier struct {
	Channel Channel
	Value   string // "+79123456789" or "anna@example.com"
	Region  string // ISO 3166 region of a phone number ("RU"); empty for e-mail
}

// IsZero reports whether the identifier is unset.
func (id Identifier) IsZero() bool { return id.Value == "" }

// Masked hides most of the identifier for audit records and logs:
// "+7912*****89", "a***@example.com".
func (id Identifier) Masked() string {
	v := id.Value
	if id.Channel == ChannelEmail {
		local, domain, ok := strings.Cut(v, "@")
		if !ok || local == "" {
			return "***"
		}
		r, _ := utf8.DecodeRuneInString(local)
		return string(r) + "***@" + domain
	}
	if len(v) <= 6 {
		return "***"
	}
	return v[:5] + strings.Repeat("*", len(v)-7) + v[len(v)-2:]
}

// Input caps: an identifier longer than this is refused before parsing.
const (
	maxIdentifierLen = 254 // RFC 5321 path limit for e-mail; phones are far shorter
	maxPhoneDigits   = 15  // E.164
)

// ParseIdentifier normalises a phone number or e-mail address typed by a person.
// Phone numbers without a country code are read in defaultRegion ("RU" when
// empty), so "8 (912) 345-67-89", "+7 912 345 67 89" and "89123456789" give the
// same Identifier. Only mobile numbers are accepted (a code goes by SMS). The
// error is a *ValidationError for field "identifier" unwrapping to
// ErrInvalidIdentifier.
func ParseIdentifier(raw, defaultRegion string) (Identifier, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return Identifier{}, invalidIdentifier("enter a phone number or an e-mail address")
	case len(s) > maxIdentifierLen:
		return Identifier{}, invalidIdentifier("too long")
	case !utf8.ValidString(s) || strings.ContainsFunc(s, notPrintable):
		return Identifier{}, invalidIdentifier("contains characters that are not allowed")
	case strings.Contains(s, "@"):
		return parseEmail(s)
	default:
		return parsePhone(s, defaultRegion)
	}
}

// notPrintable refuses control and format characters (bidi overrides,
// zero-width joiners) and the replacement character left by broken UTF-8.
func notPrintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

func parseEmail(s string) (Identifier, error) {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return Identifier{}, invalidIdentifier("not a valid e-mail address")
	}
	// Lower-case first and check the result: case mapping may change the byte
	// length ("Ⱥ" is 2 bytes, "ⱥ" 3), and the stored value is what must fit.
	v := strings.ToLower(addr.Address)
	local, domain, _ := strings.Cut(v, "@")
	if len(v) > maxIdentifierLen || local == "" || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, ".") || numericTLD(domain) {
		return Identifier{}, invalidIdentifier("not a valid e-mail address")
	}
	return Identifier{Channel: ChannelEmail, Value: v}, nil
}

// numericTLD reports whether the domain's last label is all digits, as in an
// IP address ("a@127.0.0.1"): no public top-level domain is.
func numericTLD(domain string) bool {
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	return tld != "" && strings.Trim(tld, "0123456789") == ""
}

func parsePhone(s, defaultRegion string) (Identifier, error) {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return Identifier{}, invalidIdentifier("a phone number may contain only digits, spaces, +, -, ( and )")
		}
	}
	if digits < 5 || digits > maxPhoneDigits+1 { // +1: a national trunk prefix such as Russia's 8
		return Identifier{}, invalidIdentifier("not a valid phone number")
	}
	if defaultRegion == "" {
		defaultRegion = "RU"
	}
	num, err := phonenumbers.Parse(s, strings.ToUpper(defaultRegion))
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return Identifier{}, invalidIdentifier("not a valid phone number")
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return Identifier{}, invalidIdentifier("not a mobile number: a code is sent by SMS")
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if len(e164) > maxPhoneDigits+1 {
		return Identifier{}, invalidIdentifier("not a valid phone number")
	}
	return Identifier{
		Channel: ChannelSMS,
		Value:   e164,
		Region:  phonenumbers.GetRegionCodeForNumber(num),
	}, nil
}

// checkRegion refuses phone numbers outside the allowed regions (SMS pumping).
// An empty allow-list allows every region.
func checkRegion(id Identifier, allowed []string) error {
	if id.Channel != ChannelSMS || len(allowed) == 0 || slices.Contains(allowed, id.Region) {
		return nil
	}
	return invalidIdentifier("codes are not sent by SMS to numbers of this country; use an e-mail address")
}

func invalidIdentifier(msg string) error {
	return &ValidationError{Field: "identifier", Message: msg, Err: ErrInvalidIdentifier}
}
