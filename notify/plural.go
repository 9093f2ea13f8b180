package notify

import (
	"fmt"
	"strings"
)

// Plural returns the form of a counted word that goes with n in locale,
// following the CLDR cardinal plural rules for integers. The forms are
// given in CLDR category order for that language:
//
//   - ru, uk, be: one, few, many — 1 минута, 2 минуты, 5 минут, 11 минут,
//     21 минута, 22 минуты, 111 минут;
//   - any other language (English included): one, other — 1 minute,
//     2 minutes, 0 minutes.
//
// Only the language part of locale counts ("ru-RU" and "ru_RU" are "ru").
// A negative n counts as its absolute value. Missing forms fall back to
// the last one given; with no forms the result is "".
func Plural(locale string, n int, forms ...string) string {
	if len(forms) == 0 {
		return ""
	}
	i := pluralIndex(language(locale), n)
	return forms[min(i, len(forms)-1)]
}

// pluralIndex returns the index of the CLDR category of n among the
// language's categories in order.
func pluralIndex(lang string, n int) int {
	u := uint64(n)
	if n < 0 {
		u = -u // two's complement: right for math.MinInt too
	}
	switch lang {
	case "ru", "uk", "be":
		mod10, mod100 := u%10, u%100
		switch {
		case mod10 == 1 && mod100 != 11:
			return 0 // one
		case mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14):
			return 1 // few
		default:
			return 2 // many
		}
	default:
		if u == 1 {
			return 0 // one
		}
		return 1 // other
	}
}

// language returns the lower-cased language subtag of a locale tag.
func language(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	lang, _, _ = strings.Cut(lang, "_")
	return strings.ToLower(strings.TrimSpace(lang))
}

// pluralFunc returns the template function "plural" bound to the locale of
// the template file that uses it: {{plural .TTLMinutes "минута" "минуты" "минут"}}.
func pluralFunc(locale string) func(n any, forms ...string) (string, error) {
	return func(n any, forms ...string) (string, error) {
		i, err := toInt(n)
		if err != nil {
			return "", err
		}
		return Plural(locale, i, forms...), nil
	}
}

func toInt(n any) (int, error) {
	switch v := n.(type) {
	case int:
		return v, nil
	case int8:
		return int(v), nil
	case int16:
		return int(v), nil
	case int32:
		return int(v), nil
	case int64:
		return int(v), nil
	case uint:
		return int(v), nil
	case uint8:
		return int(v), nil
	case uint16:
		return int(v), nil
	case uint32:
		return int(v), nil
	case uint64:
		return int(v), nil
	}
	return 0, fmt.Errorf("plural: want an integer count, got %T", n)
}
