package booking

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestICS(t *testing.T) {
	start := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC)
	a := Appointment{ID: "a1", Start: start, End: start.Add(time.Hour), Status: StatusConfirmed, CreatedAt: start.Add(-48 * time.Hour), UpdatedAt: start.Add(-48 * time.Hour)}
	info := CalendarInfo{
		ClinicName: "Клиника «Анна»", ServiceName: "Пилинг; срединный, с маской", SpecialistName: "Мария Иванова",
		Branch: Branch{Name: "На Тверской", Address: "Москва, Тверская ул., д. 1", Phone: "+7 495 000-00-00"},
		Domain: "clinic.example", Now: start.Add(-time.Hour),
	}
	out := string(ICS(a, info))
	assert.True(t, strings.HasPrefix(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
	assert.True(t, strings.HasSuffix(out, "END:VCALENDAR\r\n"))
	for _, want := range []string{
		"UID:a1@clinic.example\r\n", "DTSTART:20261201T070000Z\r\n", "DTEND:20261201T080000Z\r\n",
		"STATUS:CONFIRMED\r\n", "TRIGGER:-P1D\r\n", "METHOD:PUBLISH\r\n",
	} {
		assert.Contains(t, out, want)
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	assert.Contains(t, unfolded, `SUMMARY:Пилинг\; срединный\, с маской — Клиника «Анна»`)
	assert.Contains(t, unfolded, `LOCATION:На Тверской\, Москва\, Тверская ул.\, д. 1`)
	assert.Contains(t, unfolded, `DESCRIPTION:Мария Иванова\n+7 495 000-00-00`)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(l), 75, "line %q is longer than 75 octets", l)
		assert.True(t, strings.ToValidUTF8(l, "") == l, "folding split a character in %q", l)
	}

	a.Status = StatusCancelled
	a.UpdatedAt = a.CreatedAt.Add(time.Hour)
	out = string(ICS(a, info))
	assert.Contains(t, out, "STATUS:CANCELLED\r\n")
	assert.Contains(t, out, "METHOD:CANCEL\r\n")
	assert.Contains(t, out, "SEQUENCE:3600\r\n")
	assert.NotContains(t, out, "VALARM")
}
