package notify

import (
	"fmt"
	"time"
)

// Dates and times in messages. Templates get them as functions bound to the
// template file's locale, like plural; each formats a time.Time in the zone
// it carries (the caller puts it in the branch's zone), so "12:00" is the
// clinic's wall clock whatever the server's zone is:
//
//	{{date .Start}}      1 декабря, вторник    Tuesday, 1 December
//	{{shortdate .Start}} 01.12                 1 Dec
//	{{clock .Start}}     12:00                 12:00
//	{{datetime .Start}}  1 декабря, вторник, в 12:00    Tuesday, 1 December, at 12:00
//	{{hours .Before}}    24 часа, 2 часа, 2 дня, 30 минут  24 hours, 2 hours, 2 days, 30 minutes
//
// Languages other than Russian get the English forms; add a locale's own
// files to word them differently.

var (
	ruMonthsGenitive = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля",
		"августа", "сентября", "октября", "ноября", "декабря"}
	ruWeekdays = [...]string{"воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"}
)

// FormatDate is the date of t for people in locale: "1 декабря, вторник" or
// "Tuesday, 1 December".
func FormatDate(locale string, t time.Time) string {
	if language(normalizeLocale(locale)) == "ru" {
		return fmt.Sprintf("%d %s, %s", t.Day(), ruMonthsGenitive[t.Month()-1], ruWeekdays[t.Weekday()])
	}
	return t.Format("Monday, 2 January")
}

// FormatShortDate is a compact date: "01.12" or "1 Dec".
func FormatShortDate(locale string, t time.Time) string {
	if language(normalizeLocale(locale)) == "ru" {
		return t.Format("02.01")
	}
	return t.Format("2 Jan")
}

// FormatClock is the time of day on a 24-hour clock, "12:00", in both
// languages (a clinic's schedule reads the same way in either).
func FormatClock(t time.Time) string { return t.Format("15:04") }

// FormatDateTime is FormatDate and FormatClock together: "1 декабря,
// вторник, в 12:00" or "Tuesday, 1 December, at 12:00".
func FormatDateTime(locale string, t time.Time) string {
	if language(normalizeLocale(locale)) == "ru" {
		return FormatDate(locale, t) + ", в " + FormatClock(t)
	}
	return FormatDate(locale, t) + ", at " + FormatClock(t)
}

// FormatHours words a duration before an event, with plural forms: whole
// days from two days on ("2 дня", "7 days"), else hours ("24 часа",
// "1 hour"), else minutes; a part hour or day is dropped, so round first.
func FormatHours(locale string, d time.Duration) string {
	ru := language(normalizeLocale(locale)) == "ru"
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if ru {
			return fmt.Sprintf("%d %s", n, Plural("ru", n, "день", "дня", "дней"))
		}
		return fmt.Sprintf("%d %s", n, Plural("en", n, "day", "days"))
	case d >= time.Hour:
		n := int(d / time.Hour)
		if ru {
			return fmt.Sprintf("%d %s", n, Plural("ru", n, "час", "часа", "часов"))
		}
		return fmt.Sprintf("%d %s", n, Plural("en", n, "hour", "hours"))
	default:
		n := int(d / time.Minute)
		if ru {
			return fmt.Sprintf("%d %s", n, Plural("ru", n, "минуту", "минуты", "минут"))
		}
		return fmt.Sprintf("%d %s", n, Plural("en", n, "minute", "minutes"))
	}
}

// timeFuncs are the date and time functions of templates in locale.
func timeFuncs(locale string) map[string]any {
	return map[string]any{
		"date":      func(t time.Time) string { return FormatDate(locale, t) },
		"shortdate": func(t time.Time) string { return FormatShortDate(locale, t) },
		"clock":     FormatClock,
		"datetime":  func(t time.Time) string { return FormatDateTime(locale, t) },
		"hours":     func(d time.Duration) string { return FormatHours(locale, d) },
	}
}
