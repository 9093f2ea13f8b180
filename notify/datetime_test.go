package notify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/kabinet-dev/kabinet/notify"
)

func TestDateAndTimeWording(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	// 09:00 UTC is 12:00 in Moscow: the zone of the time is the one shown.
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).In(moscow)
	tests := []struct {
		locale                          string
		date, short, datetime, clockStr string
	}{
		{"ru", "1 декабря, вторник", "01.12", "1 декабря, вторник, в 12:00", "12:00"},
		{"ru-RU", "1 декабря, вторник", "01.12", "1 декабря, вторник, в 12:00", "12:00"},
		{"en", "Tuesday, 1 December", "1 Dec", "Tuesday, 1 December, at 12:00", "12:00"},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			assert.Equal(t, tt.date, notify.FormatDate(tt.locale, at))
			assert.Equal(t, tt.short, notify.FormatShortDate(tt.locale, at))
			assert.Equal(t, tt.datetime, notify.FormatDateTime(tt.locale, at))
			assert.Equal(t, tt.clockStr, notify.FormatClock(at))
		})
	}
	for _, tt := range []struct {
		d      time.Duration
		ru, en string
	}{
		{24 * time.Hour, "24 часа", "24 hours"},
		{2 * time.Hour, "2 часа", "2 hours"},
		{time.Hour, "1 час", "1 hour"},
		{5 * time.Hour, "5 часов", "5 hours"},
		{21 * time.Hour, "21 час", "21 hours"},
		{48 * time.Hour, "2 дня", "2 days"},
		{7 * 24 * time.Hour, "7 дней", "7 days"},
		{30 * time.Minute, "30 минут", "30 minutes"},
		{time.Minute, "1 минуту", "1 minute"},
	} {
		assert.Equal(t, tt.ru, notify.FormatHours("ru", tt.d), tt.d)
		assert.Equal(t, tt.en, notify.FormatHours("en", tt.d), tt.d)
	}
}
