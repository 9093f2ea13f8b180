package booking

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CalendarInfo is what an iCalendar event of an appointment shows besides the
// appointment itself.
type CalendarInfo struct {
	ClinicName     string
	ServiceName    string
	SpecialistName string
	Branch         Branch
	Domain         string // for the UID, e.g. "clinic.example"; default "kabinet.local"
	Now            time.Time
}

// ICS renders an appointment as an RFC 5545 calendar with one event, with the
// branch's address as the location and a reminder a day before. A cancelled
// appointment renders as a cancelled event, so calendars that imported it
// drop it.
func ICS(a Appointment, info CalendarInfo) []byte {
	domain := info.Domain
	if domain == "" {
		domain = "kabinet.local"
	}
	// Without a service name (messages that must not name the procedure),
	// the event is the clinic's name alone.
	var summary string
	switch {
	case info.ServiceName != "" && info.ClinicName != "":
		summary = info.ServiceName + " — " + info.ClinicName
	case info.ServiceName != "":
		summary = info.ServiceName
	case info.ClinicName != "":
		summary = info.ClinicName
	default:
		summary = "Appointment"
	}
	var desc []string
	if info.SpecialistName != "" {
		desc = append(desc, info.SpecialistName)
	}
	if info.Branch.Phone != "" {
		desc = append(desc, info.Branch.Phone)
	}
	location := info.Branch.Name
	if info.Branch.Address != "" {
		location += ", " + info.Branch.Address
	}
	status, method := "CONFIRMED", "PUBLISH"
	switch a.Status {
	case StatusPending:
		status = "TENTATIVE"
	case StatusCancelled:
		status, method = "CANCELLED", "CANCEL"
	}
	var b strings.Builder
	line := func(name, value string) { fold(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Kabinet//Clinic cabinet//RU")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", method)
	line("BEGIN", "VEVENT")
	line("UID", a.ID+"@"+domain)
	line("DTSTAMP", icsTime(info.Now))
	line("DTSTART", icsTime(a.Start))
	line("DTEND", icsTime(a.End))
	line("SUMMARY", icsText(summary))
	line("LOCATION", icsText(location))
	if len(desc) > 0 {
		line("DESCRIPTION", icsText(strings.Join(desc, "\n")))
	}
	line("STATUS", status)
	line("SEQUENCE", icsSequence(a))
	if a.Status.Active() {
		line("BEGIN", "VALARM")
		line("ACTION", "DISPLAY")
		line("DESCRIPTION", icsText(summary))
		line("TRIGGER", "-P1D")
		line("END", "VALARM")
	}
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return []byte(b.String())
}

// icsSequence grows with every change, so calendars apply the latest version.
func icsSequence(a Appointment) string {
	if a.UpdatedAt.After(a.CreatedAt) {
		return strconv.FormatInt(int64(a.UpdatedAt.Sub(a.CreatedAt)/time.Second), 10)
	}
	return "0"
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold writes a content line folded at 75 octets without splitting a UTF-8
// character (RFC 5545 §3.1), ending with CRLF.
func fold(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
