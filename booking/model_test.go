package booking

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseClock(t *testing.T) {
	for in, want := range map[string]Clock{"00:00": 0, "09:30": 570, "23:59": 1439, "24:00": 1440} {
		got, err := ParseClock(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, in, got.String())
	}
	for _, in := range []string{"", " 9:00", "9:00", "09:60", "24:01", "25:00", "09-30", "0930", "09:3a", "+9:30"} {
		_, err := ParseClock(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestParseDate(t *testing.T) {
	d, err := ParseDate("2026-11-30")
	require.NoError(t, err)
	assert.Equal(t, Date{2026, 11, 30}, d)
	assert.Equal(t, "2026-12-01", d.AddDays(1).String())
	for _, in := range []string{"30.11.2026", "2026-13-01", "2026-11-31", ""} {
		_, err := ParseDate(in)
		assert.Error(t, err, "%q", in)
	}
}
