package notify_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet-dev/kabinet/notify"
)

func TestPlural(t *testing.T) {
	ru := []string{"минута", "минуты", "минут"}
	en := []string{"minute", "minutes"}
	tests := []struct {
		locale string
		n      int
		forms  []string
		want   string
	}{
		{"ru", 0, ru, "минут"},
		{"ru", 1, ru, "минута"},
		{"ru", 2, ru, "минуты"},
		{"ru", 3, ru, "минуты"},
		{"ru", 4, ru, "минуты"},
		{"ru", 5, ru, "минут"},
		{"ru", 10, ru, "минут"},
		{"ru", 11, ru, "минут"},
		{"ru", 12, ru, "минут"},
		{"ru", 14, ru, "минут"},
		{"ru", 15, ru, "минут"},
		{"ru", 21, ru, "минута"},
		{"ru", 22, ru, "минуты"},
		{"ru", 25, ru, "минут"},
		{"ru", 101, ru, "минута"},
		{"ru", 111, ru, "минут"},
		{"ru", 112, ru, "минут"},
		{"ru", 122, ru, "минуты"},
		{"ru", 1001, ru, "минута"},
		{"ru", -1, ru, "минута"},
		{"ru", -22, ru, "минуты"},
		{"ru", math.MinInt, ru, "минут"}, // ...808
		{"ru-RU", 21, ru, "минута"},
		{"RU_ru", 3, ru, "минуты"},
		{"uk", 2, []string{"хвилина", "хвилини", "хвилин"}, "хвилини"},
		{"be", 5, []string{"хвіліна", "хвіліны", "хвілін"}, "хвілін"},
		{"en", 0, en, "minutes"},
		{"en", 1, en, "minute"},
		{"en", 2, en, "minutes"},
		{"en", 21, en, "minutes"},
		{"en", -1, en, "minute"},
		{"en-GB", 1, en, "minute"},
		{"de", 1, []string{"Minute", "Minuten"}, "Minute"},
		{"", 7, en, "minutes"},
		// Fewer forms than categories: the last one stands in.
		{"ru", 5, []string{"минута", "минуты"}, "минуты"},
		{"ru", 5, []string{"мин."}, "мин."},
		{"ru", 5, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.locale+" "+tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, notify.Plural(tt.locale, tt.n, tt.forms...), "n=%d", tt.n)
		})
	}
}

func FuzzPlural(f *testing.F) {
	for _, seed := range []struct {
		locale string
		n      int
	}{{"ru", 1}, {"ru", 11}, {"en", 1}, {"uk-UA", 22}, {"", -5}, {"x_Y-z", math.MaxInt}} {
		f.Add(seed.locale, seed.n)
	}
	forms := []string{"one", "few", "many"}
	f.Fuzz(func(t *testing.T, locale string, n int) {
		got := notify.Plural(locale, n, forms...)
		if !slices.Contains(forms, got) {
			t.Fatalf("Plural(%q, %d) = %q, not one of the forms", locale, n, got)
		}
		if notify.Plural(locale, n) != "" {
			t.Fatal("no forms must give the empty string")
		}
	})
}
