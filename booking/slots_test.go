package booking_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// clock, iv and date read literals of the tests; a typo panics.
func clock(s string) booking.Clock {
	c, err := booking.ParseClock(s)
	if err != nil {
		panic(err)
	}
	return c
}

func iv(from, to string) booking.Interval {
	return booking.Interval{Start: clock(from), End: clock(to)}
}

func date(s string) booking.Date {
	d, err := booking.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func workdays(ivs ...booking.Interval) booking.Week {
	var w booking.Week
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = slices.Clone(ivs)
	}
	return w
}

func everyDay(ivs ...booking.Interval) booking.Week {
	var w booking.Week
	for d := range w {
		w[d] = slices.Clone(ivs)
	}
	return w
}

// at reads "2006-01-02 15:04" in loc.
func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// utc reads "2006-01-02T15:04Z".
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

// rng lists the wall-clock times from..to (inclusive) every step minutes.
func rng(from, to string, step int) []string {
	var out []string
	for c := clock(from); c <= clock(to); c += booking.Clock(step) {
		out = append(out, c.String())
	}
	return out
}

func cat(lists ...[]string) []string { return slices.Concat(lists...) }

// hm lists the slots' local start times.
func hm(slots []booking.Slot, loc *time.Location) []string {
	out := []string{}
	for _, s := range slots {
		out = append(out, s.Start.In(loc).Format("15:04"))
	}
	return out
}

// who lists the slots as "15:04 specialist resource…" (local start).
func who(slots []booking.Slot, loc *time.Location) []string {
	out := []string{}
	for _, s := range slots {
		out = append(out, strings.Join(append([]string{s.Start.In(loc).Format("15:04"), s.SpecialistID}, s.ResourceIDs...), " "))
	}
	return out
}

// whoRng is who's expectation for a range of starts with one specialist.
func whoRng(from, to string, step int, suffix string) []string {
	out := rng(from, to, step)
	for i := range out {
		out[i] += " " + suffix
	}
	return out
}

func stamps(slots []booking.Slot) []string {
	out := []string{}
	for _, s := range slots {
		out = append(out, s.Start.UTC().Format("2006-01-02T15:04Z"))
	}
	return out
}

// utcRng lists the UTC instants from..to (inclusive) every step minutes.
func utcRng(from, to string, step int) []string {
	var out []string
	for t := utc(from); !t.After(utc(to)); t = t.Add(time.Duration(step) * time.Minute) {
		out = append(out, t.Format("2006-01-02T15:04Z"))
	}
	return out
}

const branchID = "b1"

func room(id string) booking.Resource {
	return booking.Resource{ID: id, BranchID: branchID, Kind: "laser_room", Name: id, Active: true}
}

func specialist(id string) booking.Specialist {
	return booking.Specialist{
		ID: id, Name: id, BranchIDs: []string{branchID}, Active: true,
		Services: []booking.SpecialistService{{ServiceID: "peel"}, {ServiceID: "laser"}},
	}
}

func plan(spec string, w booking.Week) booking.WorkingPlan {
	return booking.WorkingPlan{ID: "plan-" + spec, SpecialistID: spec, BranchID: branchID, Week: w}
}

// appt is an active appointment from..to ("2006-01-02 15:04" in loc) with no
// buffers.
func appt(loc *time.Location, spec, from, to string, resources ...string) booking.Appointment {
	s, e := at(loc, from), at(loc, to)
	return booking.Appointment{
		ID: spec + from, BranchID: branchID, ServiceID: "peel", SpecialistID: spec, ResourceIDs: resources,
		Start: s.UTC(), End: e.UTC(), BlockStart: s.UTC(), BlockEnd: e.UTC(), Status: booking.StatusConfirmed,
	}
}

func exception(spec string, kind booking.ExceptionKind, branch, from, to string, ivs ...booking.Interval) booking.Exception {
	return booking.Exception{
		ID: string(kind) + from, SpecialistID: spec, BranchID: branch, Kind: kind,
		From: date(from), To: date(to), Intervals: ivs,
	}
}

// base is Anna's Monday 2026-06-01 in a Moscow branch open 08:00–21:00 every
// day: a 60-minute peel, plan 09:00–13:00 and 14:00–18:00 on workdays, a
// 15-minute grid, 2h notice from Sunday noon, 60-day horizon.
func base(t testing.TB) (booking.SlotQuery, booking.Schedule) {
	t.Helper()
	msk := mustLoc(t, "Europe/Moscow")
	q := booking.SlotQuery{
		Service:     booking.Service{ID: "peel", Name: "Peel", Duration: time.Hour, BranchIDs: []string{branchID}, Active: true},
		Branch:      booking.Branch{ID: branchID, TimeZone: "Europe/Moscow", Opening: everyDay(iv("08:00", "21:00")), Active: true},
		Location:    msk,
		Specialists: []booking.Specialist{specialist("anna")},
		From:        date("2026-06-01"),
		To:          date("2026-06-01"),
		Now:         at(msk, "2026-05-31 12:00"),
		Notice:      2 * time.Hour,
		Horizon:     60 * 24 * time.Hour,
		Grid:        15 * time.Minute,
	}
	s := booking.Schedule{Plans: []booking.WorkingPlan{plan("anna", workdays(iv("09:00", "13:00"), iv("14:00", "18:00")))}}
	return q, s
}

// withBoris adds Boris with Anna's plan.
func withBoris(q *booking.SlotQuery, s *booking.Schedule) {
	q.Specialists = append(q.Specialists, specialist("boris"))
	s.Plans = append(s.Plans, plan("boris", workdays(iv("09:00", "13:00"), iv("14:00", "18:00"))))
}

// laser switches the service to one that needs a laser room.
func laser(q *booking.SlotQuery) {
	q.Service.ID = "laser"
	q.Service.ResourceKinds = []string{"laser_room"}
}

func TestFindSlots(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	day := cat(rng("09:00", "12:00", 15), rng("14:00", "17:00", 15))
	tests := []struct {
		name string
		edit func(q *booking.SlotQuery, s *booking.Schedule)
		want []string
	}{
		{"plan with a break", nil, day},
		{"grid of 30 minutes", func(q *booking.SlotQuery, _ *booking.Schedule) { q.Grid = 30 * time.Minute },
			cat(rng("09:00", "12:00", 30), rng("14:00", "17:00", 30))},
		{"grid counts from midnight, not from the plan", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Plans[0].Week[time.Monday] = []booking.Interval{iv("09:10", "13:00")}
		}, rng("09:15", "12:00", 15)},
		{"touching a booking is not overlapping", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 10:00", "2026-06-01 11:00")}
		}, cat([]string{"09:00"}, rng("11:00", "12:00", 15), rng("14:00", "17:00", 15))},
		{"buffers before and after against a neighbour", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.Service.BufferBefore, q.Service.BufferAfter = 15*time.Minute, 15*time.Minute
			a := appt(msk, "anna", "2026-06-01 11:15", "2026-06-01 11:45")
			a.BlockStart, a.BlockEnd = a.Start.Add(-15*time.Minute), a.End.Add(15*time.Minute)
			s.Booked = []booking.Appointment{a}
		}, cat(rng("09:15", "09:45", 15), rng("14:15", "16:45", 15))},
		{"a booking without block times blocks its service time", func(_ *booking.SlotQuery, s *booking.Schedule) {
			a := appt(msk, "anna", "2026-06-01 10:00", "2026-06-01 11:00")
			a.BlockStart, a.BlockEnd = time.Time{}, time.Time{}
			s.Booked = []booking.Appointment{a}
		}, cat([]string{"09:00"}, rng("11:00", "12:00", 15), rng("14:00", "17:00", 15))},
		{"cancelled, completed and no-show bookings do not block", func(_ *booking.SlotQuery, s *booking.Schedule) {
			for _, st := range []booking.Status{booking.StatusCancelled, booking.StatusCompleted, booking.StatusNoShow} {
				a := appt(msk, "anna", "2026-06-01 10:00", "2026-06-01 11:00")
				a.Status = st
				s.Booked = append(s.Booked, a)
			}
		}, day},
		{"a pending booking blocks", func(_ *booking.SlotQuery, s *booking.Schedule) {
			a := appt(msk, "anna", "2026-06-01 10:00", "2026-06-01 11:00")
			a.Status = booking.StatusPending
			s.Booked = []booking.Appointment{a}
		}, cat([]string{"09:00"}, rng("11:00", "12:00", 15), rng("14:00", "17:00", 15))},
		{"a booking in another branch blocks the specialist", func(_ *booking.SlotQuery, s *booking.Schedule) {
			a := appt(msk, "anna", "2026-06-01 14:00", "2026-06-01 16:00")
			a.BranchID = "b2"
			s.Booked = []booking.Appointment{a}
		}, cat(rng("09:00", "12:00", 15), rng("16:00", "17:00", 15))},
		{"another specialist's booking does not block", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 10:00", "2026-06-01 11:00")}
		}, day},
		{"External busy time of the specialist", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.External = []booking.Busy{{SpecialistID: "anna", Start: at(msk, "2026-06-01 10:30"), End: at(msk, "2026-06-01 11:30")}}
		}, cat(rng("09:00", "09:30", 15), rng("11:30", "12:00", 15), rng("14:00", "17:00", 15))},
		{"External busy time of someone else", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.External = []booking.Busy{{SpecialistID: "boris", Start: at(msk, "2026-06-01 10:30"), End: at(msk, "2026-06-01 11:30")}}
		}, day},
		{"day off", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionDayOff, branchID, "2026-06-01", "2026-06-01")}
		}, nil},
		{"vacation over several days", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionVacation, branchID, "2026-05-25", "2026-06-05")}
		}, nil},
		{"vacation ended the day before", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionVacation, branchID, "2026-05-25", "2026-05-31")}
		}, day},
		{"partial sick leave", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionSickLeave, branchID, "2026-06-01", "2026-06-01", iv("09:00", "11:00"))}
		}, cat(rng("11:00", "12:00", 15), rng("14:00", "17:00", 15))},
		{"absence with no branch applies in every branch", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionDayOff, "", "2026-06-01", "2026-06-01", iv("14:00", "18:00"))}
		}, rng("09:00", "12:00", 15)},
		{"absence in another branch does not apply", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionDayOff, "b2", "2026-06-01", "2026-06-01")}
		}, day},
		{"another specialist's absence does not apply", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("boris", booking.ExceptionDayOff, branchID, "2026-06-01", "2026-06-01")}
		}, day},
		{"extra shift on a day without a plan", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.From, q.To = date("2026-06-06"), date("2026-06-06")
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionExtraShift, branchID, "2026-06-06", "2026-06-06", iv("10:00", "14:00"))}
		}, rng("10:00", "13:00", 15)},
		{"extra shift in another branch is not here", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.From, q.To = date("2026-06-06"), date("2026-06-06")
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionExtraShift, "b2", "2026-06-06", "2026-06-06", iv("10:00", "14:00"))}
		}, nil},
		{"extra shift joins the plan", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionExtraShift, branchID, "2026-06-01", "2026-06-01", iv("18:00", "20:00"))}
		}, cat(rng("09:00", "12:00", 15), rng("14:00", "19:00", 15))},
		{"extra shift fills the break", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionExtraShift, branchID, "2026-06-01", "2026-06-01", iv("13:00", "14:00"))}
		}, rng("09:00", "17:00", 15)},
		{"extra shift overrides a day off", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{
				exception("anna", booking.ExceptionDayOff, branchID, "2026-06-01", "2026-06-01"),
				exception("anna", booking.ExceptionExtraShift, branchID, "2026-06-01", "2026-06-01", iv("10:00", "12:00")),
			}
		}, rng("10:00", "11:00", 15)},
		{"branch holiday", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Branch.Holidays = []booking.Date{date("2026-01-01"), date("2026-06-01")}
		}, nil},
		{"opening hours narrower than the plan", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Branch.Opening[time.Monday] = []booking.Interval{iv("10:00", "17:00")}
		}, cat(rng("10:00", "12:00", 15), rng("14:00", "16:00", 15))},
		{"branch closed on that weekday", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Branch.Opening[time.Monday] = nil
		}, nil},
		{"plan starts the next day", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Plans[0].From = date("2026-06-02")
		}, nil},
		{"plan ended the day before", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Plans[0].To = date("2026-05-31")
		}, nil},
		{"plan valid exactly that day", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Plans[0].From, s.Plans[0].To = date("2026-06-01"), date("2026-06-01")
		}, day},
		{"plan for another branch", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Plans[0].BranchID = "b2"
		}, nil},
		{"notice", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Now = at(msk, "2026-06-01 09:10")
		}, cat(rng("11:15", "12:00", 15), rng("14:00", "17:00", 15))},
		{"notice reached exactly", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Now = at(msk, "2026-06-01 08:00")
		}, cat(rng("10:00", "12:00", 15), rng("14:00", "17:00", 15))},
		{"horizon is inclusive", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Now = at(msk, "2026-05-31 10:00")
			q.Horizon = 29 * time.Hour
		}, cat(rng("09:00", "12:00", 15), rng("14:00", "15:00", 15))},
		{"horizon ends before the day", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Horizon = 12 * time.Hour
		}, nil},
		{"specialist's own duration", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Specialists[0].Services[0].Duration = 90 * time.Minute
		}, cat(rng("09:00", "11:30", 15), rng("14:00", "16:30", 15))},
		{"inactive specialist", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Specialists[0].Active = false
		}, nil},
		{"specialist who does not perform the service", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Service.ID = "massage"
		}, nil},
		{"needed resource missing", func(q *booking.SlotQuery, s *booking.Schedule) {
			laser(q)
			inactive, elsewhere, other := room("laser-1"), room("laser-2"), room("us-1")
			inactive.Active = false
			elsewhere.BranchID = "b2"
			other.Kind = "ultrasound"
			s.Resources = []booking.Resource{inactive, elsewhere, other}
		}, nil},
		{"empty To bounds nothing", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.To = booking.Date{}
			q.Horizon = 36 * time.Hour // Tuesday 00:00
		}, day},
		{"To before From", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.To = date("2026-05-31")
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, s := base(t)
			if tt.edit != nil {
				tt.edit(&q, &s)
			}
			got := FindSlotsChecked(t, q, s)
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, hm(got, msk))
			for _, sl := range got {
				d, _ := q.Specialists[0].Performs(q.Service)
				assert.Equal(t, d, sl.End.Sub(sl.Start), "end of %v", sl.Start)
				assert.Equal(t, time.UTC, sl.Start.Location())
				assert.Equal(t, "anna", sl.SpecialistID)
			}
		})
	}
}

// FindSlotsChecked runs FindSlots and asserts that Check accepts every slot
// as it is, for the chosen specialist and for any.
func FindSlotsChecked(t *testing.T, q booking.SlotQuery, s booking.Schedule) []booking.Slot {
	t.Helper()
	got := booking.FindSlots(q, s)
	for _, sl := range got {
		c, err := booking.Check(q, s, sl.Start, "")
		if assert.NoError(t, err, "Check(%v, any)", sl.Start) {
			assert.Equal(t, sl, c, "Check(%v, any)", sl.Start)
		}
		c, err = booking.Check(q, s, sl.Start, sl.SpecialistID)
		if assert.NoError(t, err, "Check(%v, %s)", sl.Start, sl.SpecialistID) {
			assert.Equal(t, sl.SpecialistID, c.SpecialistID)
		}
	}
	return got
}

func TestFindSlotsResources(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	afternoon := whoRng("14:00", "17:00", 15, "anna laser-1")
	tests := []struct {
		name string
		edit func(q *booking.SlotQuery, s *booking.Schedule)
		want []string
	}{
		{"free room", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Resources = []booking.Resource{room("laser-1")}
		}, cat(whoRng("09:00", "12:00", 15, "anna laser-1"), afternoon)},
		{"the only room is taken by another specialist", func(q *booking.SlotQuery, s *booking.Schedule) {
			withBoris(q, s)
			q.Specialists = q.Specialists[:1]
			s.Resources = []booking.Resource{room("laser-1")}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 10:00", "2026-06-01 11:00", "laser-1")}
		}, cat([]string{"09:00 anna laser-1"}, whoRng("11:00", "12:00", 15, "anna laser-1"), afternoon)},
		{"a second room of the kind frees it", func(q *booking.SlotQuery, s *booking.Schedule) {
			withBoris(q, s)
			q.Specialists = q.Specialists[:1]
			s.Resources = []booking.Resource{room("laser-2"), room("laser-1")}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 10:00", "2026-06-01 11:00", "laser-1")}
		}, cat(
			[]string{"09:00 anna laser-1"}, whoRng("09:15", "10:45", 15, "anna laser-2"),
			whoRng("11:00", "12:00", 15, "anna laser-1"), afternoon)},
		{"an inactive second room does not", func(q *booking.SlotQuery, s *booking.Schedule) {
			r := room("laser-2")
			r.Active = false
			s.Resources = []booking.Resource{room("laser-1"), r}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 10:00", "2026-06-01 11:00", "laser-1")}
		}, cat([]string{"09:00 anna laser-1"}, whoRng("11:00", "12:00", 15, "anna laser-1"), afternoon)},
		{"External busy time of the room", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Resources = []booking.Resource{room("laser-1")}
			s.External = []booking.Busy{{ResourceID: "laser-1", Start: at(msk, "2026-06-01 09:00"), End: at(msk, "2026-06-01 12:00")}}
		}, cat([]string{"12:00 anna laser-1"}, afternoon)},
		{"buffers block the room too", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.Service.BufferAfter = 30 * time.Minute
			s.Resources = []booking.Resource{room("laser-1")}
			a := appt(msk, "boris", "2026-06-01 10:00", "2026-06-01 11:00", "laser-1")
			a.BlockEnd = a.End.Add(30 * time.Minute)
			s.Booked = []booking.Appointment{a}
		}, cat(whoRng("11:30", "11:30", 15, "anna laser-1"), whoRng("14:00", "16:30", 15, "anna laser-1"))},
		{"two rooms of one kind needed", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.Service.ResourceKinds = []string{"laser_room", "laser_room"}
			s.Resources = []booking.Resource{room("laser-1"), room("laser-2"), room("laser-3")}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 09:00", "2026-06-01 13:00", "laser-2")}
			s.Plans[0].Week[time.Monday] = []booking.Interval{iv("09:00", "10:00")}
		}, []string{"09:00 anna laser-1 laser-3"}},
		{"a room and a device", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.Service.ResourceKinds = []string{"laser_room", "alexandrite"}
			dev := room("alex-1")
			dev.Kind = "alexandrite"
			s.Resources = []booking.Resource{room("laser-1"), dev}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 09:00", "2026-06-01 12:00", "alex-1")}
			s.Plans[0].Week[time.Monday] = []booking.Interval{iv("09:00", "13:00")}
		}, []string{"12:00 anna laser-1 alex-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, s := base(t)
			laser(&q)
			tt.edit(&q, &s)
			assert.Equal(t, tt.want, who(FindSlotsChecked(t, q, s), msk))
		})
	}
}

func TestFindSlotsAnySpecialist(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	tests := []struct {
		name string
		edit func(q *booking.SlotQuery, s *booking.Schedule)
		want []string
	}{
		{"each start once, ties by ID", nil,
			cat(whoRng("09:00", "12:00", 15, "anna"), whoRng("14:00", "17:00", 15, "anna"))},
		{"the least loaded that day", func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Booked = []booking.Appointment{
				appt(msk, "anna", "2026-06-01 09:00", "2026-06-01 11:00"),  // 120 min
				appt(msk, "boris", "2026-06-01 16:00", "2026-06-01 17:00"), // 60 min
			}
		}, cat(whoRng("09:00", "12:00", 15, "boris"), whoRng("14:00", "15:00", 15, "boris"),
			whoRng("15:15", "16:45", 15, "anna"), whoRng("17:00", "17:00", 15, "boris"))},
		{"load is service time, not buffers or External busy time", func(_ *booking.SlotQuery, s *booking.Schedule) {
			a := appt(msk, "anna", "2026-06-01 17:00", "2026-06-01 17:30")
			a.BlockStart, a.BlockEnd = a.Start.Add(-time.Hour), a.End.Add(30*time.Minute)
			s.Booked = []booking.Appointment{a, appt(msk, "boris", "2026-06-01 17:00", "2026-06-01 17:45")}
			s.External = []booking.Busy{{SpecialistID: "anna", Start: at(msk, "2026-06-01 08:00"), End: at(msk, "2026-06-01 09:00")}}
		}, cat(whoRng("09:00", "12:00", 15, "anna"), whoRng("14:00", "15:00", 15, "anna"),
			whoRng("15:15", "16:00", 15, "boris"))},
		{"load counts per local day", func(q *booking.SlotQuery, s *booking.Schedule) {
			q.To = date("2026-06-02")
			q.Grid = time.Hour
			s.Booked = []booking.Appointment{
				appt(msk, "anna", "2026-06-02 17:00", "2026-06-02 18:00"),
				// Tuesday 00:30 in Moscow is Monday 21:30 in UTC: Tuesday's load.
				appt(msk, "boris", "2026-06-02 00:30", "2026-06-02 01:30"),
			}
		}, cat(whoRng("09:00", "12:00", 60, "anna"), whoRng("14:00", "17:00", 60, "anna"), // Monday: 0 and 0
			whoRng("09:00", "12:00", 60, "anna"), whoRng("14:00", "16:00", 60, "anna"), []string{"17:00 boris"})},
		{"the candidate for whom the start fits", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Specialists[0].Services[0].Duration = 90 * time.Minute
		}, cat(whoRng("09:00", "11:30", 15, "anna"), whoRng("11:45", "12:00", 15, "boris"),
			whoRng("14:00", "16:30", 15, "anna"), whoRng("16:45", "17:00", 15, "boris"))},
		{"a duplicate candidate counts once", func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Specialists = append(q.Specialists, specialist("anna"))
		}, cat(whoRng("09:00", "12:00", 15, "anna"), whoRng("14:00", "17:00", 15, "anna"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, s := base(t)
			withBoris(&q, &s)
			if tt.edit != nil {
				tt.edit(&q, &s)
			}
			assert.Equal(t, tt.want, who(FindSlotsChecked(t, q, s), msk))
		})
	}
}

func TestFindSlotsDST(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		from, to string
		hours    []booking.Interval
		service  time.Duration
		grid     time.Duration
		want     []string // UTC starts
	}{
		{"Berlin spring forward: 02:00–03:00 does not exist", "Europe/Berlin", "2026-03-29", "2026-03-29",
			[]booking.Interval{iv("00:00", "06:00")}, time.Hour, 30 * time.Minute,
			// 00:00 01:00 01:30 CET, then 03:00 … 05:00 CEST; the day has 5 real hours
			utcRng("2026-03-28T23:00Z", "2026-03-29T03:00Z", 30)},
		{"Berlin spring forward: 01:00–04:00 lasts two hours", "Europe/Berlin", "2026-03-29", "2026-03-29",
			[]booking.Interval{iv("01:00", "04:00")}, time.Hour, 30 * time.Minute,
			utcRng("2026-03-29T00:00Z", "2026-03-29T01:00Z", 30)},
		{"Berlin spring forward: hours inside the gap are empty", "Europe/Berlin", "2026-03-29", "2026-03-29",
			[]booking.Interval{iv("02:00", "03:00")}, 15 * time.Minute, 15 * time.Minute,
			nil},
		{"Berlin spring forward: a skipped start of hours is the change", "Europe/Berlin", "2026-03-29", "2026-03-29",
			[]booking.Interval{iv("02:30", "05:00")}, time.Hour, 30 * time.Minute,
			utcRng("2026-03-29T01:00Z", "2026-03-29T02:00Z", 30)},
		{"Berlin spring forward: business hours move by an hour in UTC", "Europe/Berlin", "2026-03-28", "2026-03-29",
			[]booking.Interval{iv("09:00", "12:00")}, time.Hour, time.Hour,
			cat(utcRng("2026-03-28T08:00Z", "2026-03-28T10:00Z", 60), utcRng("2026-03-29T07:00Z", "2026-03-29T09:00Z", 60))},
		{"Berlin fall back: 02:00–03:00 happens twice", "Europe/Berlin", "2026-10-25", "2026-10-25",
			[]booking.Interval{iv("00:00", "06:00")}, time.Hour, 30 * time.Minute,
			// 00:00 … 02:30 CEST, 02:00 … 05:00 CET; the day has 7 real hours
			utcRng("2026-10-24T22:00Z", "2026-10-25T04:00Z", 30)},
		{"Berlin fall back: hours ending at 02:30 end at its first occurrence", "Europe/Berlin", "2026-10-25", "2026-10-25",
			[]booking.Interval{iv("00:00", "02:30")}, 30 * time.Minute, 30 * time.Minute,
			utcRng("2026-10-24T22:00Z", "2026-10-25T00:00Z", 30)},
		{"Berlin fall back: hours starting at 02:30 start at its first occurrence", "Europe/Berlin", "2026-10-25", "2026-10-25",
			[]booking.Interval{iv("02:30", "06:00")}, time.Hour, 30 * time.Minute,
			utcRng("2026-10-25T00:30Z", "2026-10-25T04:00Z", 30)},
		{"Berlin fall back: business hours move by an hour in UTC", "Europe/Berlin", "2026-10-24", "2026-10-25",
			[]booking.Interval{iv("09:00", "12:00")}, time.Hour, time.Hour,
			cat(utcRng("2026-10-24T07:00Z", "2026-10-24T09:00Z", 60), utcRng("2026-10-25T08:00Z", "2026-10-25T10:00Z", 60))},
		{"New York spring forward", "America/New_York", "2026-03-08", "2026-03-08",
			[]booking.Interval{iv("00:00", "06:00")}, time.Hour, 30 * time.Minute,
			// 00:00 … 01:30 EST, 03:00 … 05:00 EDT
			utcRng("2026-03-08T05:00Z", "2026-03-08T09:00Z", 30)},
		{"New York spring forward: hours 01:00–04:00", "America/New_York", "2026-03-08", "2026-03-08",
			[]booking.Interval{iv("01:00", "04:00")}, 15 * time.Minute, 15 * time.Minute,
			utcRng("2026-03-08T06:00Z", "2026-03-08T07:45Z", 15)},
		{"New York fall back", "America/New_York", "2026-11-01", "2026-11-01",
			[]booking.Interval{iv("00:00", "06:00")}, time.Hour, 30 * time.Minute,
			// 00:00 … 01:30 EDT, 01:00 … 05:00 EST
			utcRng("2026-11-01T04:00Z", "2026-11-01T10:00Z", 30)},
		{"New York fall back: 01:00–02:00 lasts two hours", "America/New_York", "2026-11-01", "2026-11-01",
			[]booking.Interval{iv("01:00", "02:00")}, 30 * time.Minute, 30 * time.Minute,
			utcRng("2026-11-01T05:00Z", "2026-11-01T06:30Z", 30)},
		{"New York fall back: business hours", "America/New_York", "2026-10-31", "2026-11-01",
			[]booking.Interval{iv("09:00", "11:00")}, time.Hour, time.Hour,
			cat(utcRng("2026-10-31T13:00Z", "2026-10-31T14:00Z", 60), utcRng("2026-11-01T14:00Z", "2026-11-01T15:00Z", 60))},
		{"Santiago spring forward: midnight does not exist", "America/Santiago", "2026-09-05", "2026-09-06",
			[]booking.Interval{iv("00:00", "03:00")}, time.Hour, 30 * time.Minute,
			// Saturday 00:00 … 02:00 -04; Sunday starts at 01:00 -03
			cat(utcRng("2026-09-05T04:00Z", "2026-09-05T06:00Z", 30), utcRng("2026-09-06T04:00Z", "2026-09-06T05:00Z", 30))},
		{"Moscow has no DST in spring", "Europe/Moscow", "2026-03-29", "2026-03-29",
			[]booking.Interval{iv("00:00", "06:00")}, time.Hour, 30 * time.Minute,
			utcRng("2026-03-28T21:00Z", "2026-03-29T02:00Z", 30)},
		{"Moscow has no DST in autumn", "Europe/Moscow", "2026-10-25", "2026-10-25",
			[]booking.Interval{iv("00:00", "06:00")}, time.Hour, 30 * time.Minute,
			utcRng("2026-10-24T21:00Z", "2026-10-25T02:00Z", 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, s := base(t)
			q.Location = mustLoc(t, tt.zone)
			q.Branch.TimeZone = tt.zone
			q.Branch.Opening = everyDay(iv("00:00", "24:00"))
			q.From, q.To = date(tt.from), date(tt.to)
			q.Now = utc("2026-01-01T00:00Z")
			q.Horizon = 365 * 24 * time.Hour
			q.Service.Duration = tt.service
			q.Grid = tt.grid
			s.Plans[0].Week = everyDay(tt.hours...)
			got := FindSlotsChecked(t, q, s)
			if tt.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, stamps(got))
			for _, sl := range got {
				assert.Equal(t, tt.service, sl.End.Sub(sl.Start), "absolute duration from %v", sl.Start)
			}
		})
	}

	t.Run("New York fall back: 60 minutes from 01:30 EDT end at 01:30 EST", func(t *testing.T) {
		q, s := base(t)
		ny := mustLoc(t, "America/New_York")
		q.Location, q.Branch.TimeZone = ny, "America/New_York"
		q.Branch.Opening = everyDay(iv("00:00", "24:00"))
		q.From, q.To = date("2026-11-01"), date("2026-11-01")
		q.Now = utc("2026-10-31T00:00Z")
		s.Plans[0].Week = everyDay(iv("00:00", "06:00"))
		sl, err := booking.Check(q, s, utc("2026-11-01T05:30Z"), "anna")
		require.NoError(t, err)
		assert.Equal(t, "01:30 EDT", sl.Start.In(ny).Format("15:04 MST"))
		assert.Equal(t, "01:30 EST", sl.End.In(ny).Format("15:04 MST"))
		assert.Equal(t, utc("2026-11-01T06:30Z"), sl.End)
	})
}

func TestCheck(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	mon := func(hm string) time.Time { return at(msk, "2026-06-01 "+hm) }
	tests := []struct {
		name      string
		edit      func(q *booking.SlotQuery, s *booking.Schedule)
		start     time.Time
		who       string
		want      string // who() of the slot
		wantErr   error
		wantField string
	}{
		{name: "free", start: mon("10:00"), who: "anna", want: "10:00 anna"},
		{name: "free, any candidate", start: mon("10:00"), want: "10:00 anna"},
		{name: "any candidate: the least loaded", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			withBoris(q, s)
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 16:00", "2026-06-01 17:00")}
		}, start: mon("10:00"), want: "10:00 boris"},
		{name: "a named candidate even if more loaded", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			withBoris(q, s)
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 16:00", "2026-06-01 17:00")}
		}, start: mon("10:00"), who: "anna", want: "10:00 anna"},
		{name: "unknown specialist", start: mon("10:00"), who: "nobody", wantErr: booking.ErrInvalidInput, wantField: "specialist_id"},
		{name: "specialist who does not perform the service", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Specialists[0].Services = q.Specialists[0].Services[1:]
		}, start: mon("10:00"), who: "anna", wantErr: booking.ErrInvalidInput, wantField: "specialist_id"},
		{name: "no candidate at all", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Specialists = nil
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "specialist_id"},
		{name: "no location", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Location = nil
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "location"},
		{name: "no grid", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Grid = 0
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "grid"},
		{name: "no now", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Now = time.Time{}
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "now"},
		{name: "an endless horizon", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Horizon = math.MaxInt64
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "horizon"},
		{name: "in the past", start: at(msk, "2026-05-31 11:00"), wantErr: booking.ErrInPast, wantField: "start"},
		{name: "closer than the notice", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Now = mon("08:15")
		}, start: mon("10:00"), wantErr: booking.ErrInPast, wantField: "start"},
		{name: "exactly the notice", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Now = mon("08:00")
		}, start: mon("10:00"), want: "10:00 anna"},
		{name: "off the grid", start: mon("10:05"), wantErr: booking.ErrInvalidInput, wantField: "start"},
		{name: "off a 30-minute grid", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Grid = 30 * time.Minute
		}, start: mon("10:15"), wantErr: booking.ErrInvalidInput, wantField: "start"},
		{name: "seconds off the grid", start: mon("10:00").Add(time.Second), wantErr: booking.ErrInvalidInput, wantField: "start"},
		{name: "past the horizon", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Horizon = 21*time.Hour + 45*time.Minute // Monday 09:45
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "start"},
		{name: "at the horizon", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Horizon = 22 * time.Hour
		}, start: mon("10:00"), want: "10:00 anna"},
		{name: "outside the dates", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.From, q.To = date("2026-06-02"), date("2026-06-05")
		}, start: mon("10:00"), wantErr: booking.ErrInvalidInput, wantField: "start"},
		{name: "no dates: any day", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.From, q.To = booking.Date{}, booking.Date{}
		}, start: mon("10:00"), want: "10:00 anna"},
		{name: "in the break", start: mon("12:30"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "runs past the end of the day", start: mon("17:15"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "before the day starts", start: mon("08:45"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "buffer before the day starts", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Service.BufferBefore = 15 * time.Minute
		}, start: mon("09:00"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "buffer after into the break", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Service.BufferAfter = 15 * time.Minute
		}, start: mon("12:00"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "day off", edit: func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionDayOff, "", "2026-06-01", "2026-06-01")}
		}, start: mon("10:00"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "partial sick leave", edit: func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionSickLeave, branchID, "2026-06-01", "2026-06-01", iv("10:30", "11:00"))}
		}, start: mon("10:00"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "vacation", edit: func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionVacation, branchID, "2026-05-30", "2026-06-10")}
		}, start: mon("10:00"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "extra shift on Saturday", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			q.To = date("2026-06-06")
			s.Exceptions = []booking.Exception{exception("anna", booking.ExceptionExtraShift, branchID, "2026-06-06", "2026-06-06", iv("10:00", "14:00"))}
		}, start: at(msk, "2026-06-06 13:00"), want: "13:00 anna"},
		{name: "holiday", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Branch.Holidays = []booking.Date{date("2026-06-01")}
		}, start: mon("10:00"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "before the branch opens", edit: func(q *booking.SlotQuery, _ *booking.Schedule) {
			q.Branch.Opening[time.Monday] = []booking.Interval{iv("10:00", "17:00")}
		}, start: mon("09:30"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
		{name: "booked", edit: func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 10:30", "2026-06-01 11:30")}
		}, start: mon("10:00"), wantErr: booking.ErrSlotTaken},
		{name: "buffer after overlaps the next booking", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			q.Service.BufferAfter = 15 * time.Minute
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 11:00", "2026-06-01 12:00")}
		}, start: mon("10:00"), wantErr: booking.ErrSlotTaken},
		{name: "buffer before overlaps the previous booking", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			q.Service.BufferBefore = 15 * time.Minute
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 09:00", "2026-06-01 10:00")}
		}, start: mon("10:00"), wantErr: booking.ErrSlotTaken},
		{name: "right after the previous booking", edit: func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 09:00", "2026-06-01 10:00")}
		}, start: mon("10:00"), want: "10:00 anna"},
		{name: "External busy time", edit: func(_ *booking.SlotQuery, s *booking.Schedule) {
			s.External = []booking.Busy{{SpecialistID: "anna", Start: mon("10:45"), End: mon("11:15")}}
		}, start: mon("10:00"), wantErr: booking.ErrSlotTaken},
		{name: "laser room used by another specialist", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			laser(q)
			withBoris(q, s)
			s.Resources = []booking.Resource{room("laser-1")}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 10:30", "2026-06-01 11:30", "laser-1")}
		}, start: mon("10:00"), who: "anna", wantErr: booking.ErrSlotTaken},
		{name: "laser room: the second room", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			laser(q)
			withBoris(q, s)
			s.Resources = []booking.Resource{room("laser-1"), room("laser-2")}
			s.Booked = []booking.Appointment{appt(msk, "boris", "2026-06-01 10:30", "2026-06-01 11:30", "laser-1")}
		}, start: mon("10:00"), who: "anna", want: "10:00 anna laser-2"},
		{name: "laser room: any candidate, the busy one is skipped", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			laser(q)
			withBoris(q, s)
			s.Resources = []booking.Resource{room("laser-1"), room("laser-2")}
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 10:30", "2026-06-01 11:30", "laser-1")}
		}, start: mon("10:00"), want: "10:00 boris laser-2"},
		{name: "laser room busy outside Kabinet", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			laser(q)
			s.Resources = []booking.Resource{room("laser-1")}
			s.External = []booking.Busy{{ResourceID: "laser-1", Start: mon("10:59"), End: mon("11:00")}}
		}, start: mon("10:00"), wantErr: booking.ErrSlotTaken},
		{name: "hours are checked before bookings", edit: func(q *booking.SlotQuery, s *booking.Schedule) {
			s.Booked = []booking.Appointment{appt(msk, "anna", "2026-06-01 12:00", "2026-06-01 13:00")}
		}, start: mon("12:30"), wantErr: booking.ErrOutsideWorkingHours, wantField: "start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, s := base(t)
			if tt.edit != nil {
				tt.edit(&q, &s)
			}
			got, err := booking.Check(q, s, tt.start, tt.who)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				var ve *booking.ValidationError
				if tt.wantField != "" {
					require.ErrorAs(t, err, &ve)
					assert.Equal(t, tt.wantField, ve.Field)
				} else {
					assert.NotErrorAs(t, err, &ve)
				}
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{tt.want}, who([]booking.Slot{got}, msk))
			assert.True(t, got.Start.Equal(tt.start))
			assert.Equal(t, time.Hour, got.End.Sub(got.Start))
		})
	}
}

func TestCheckDST(t *testing.T) {
	tests := []struct {
		name    string
		zone    string
		start   string // UTC
		wantErr error
	}{
		{"Berlin: 01:30 CET before the gap", "Europe/Berlin", "2026-03-29T00:30Z", nil},
		{"Berlin: 03:00 CEST after the gap", "Europe/Berlin", "2026-03-29T01:00Z", nil},
		{"Berlin: 02:30 CEST, first occurrence", "Europe/Berlin", "2026-10-25T00:30Z", nil},
		{"Berlin: 02:30 CET, second occurrence", "Europe/Berlin", "2026-10-25T01:30Z", nil},
		{"Berlin: 02:40 CET is off the grid", "Europe/Berlin", "2026-10-25T01:40Z", booking.ErrInvalidInput},
		{"New York: 03:00 EDT after the gap", "America/New_York", "2026-03-08T07:00Z", nil},
		{"New York: 01:30 EST, second occurrence", "America/New_York", "2026-11-01T06:30Z", nil},
		{"New York: 05:30 EST ends after the hours", "America/New_York", "2026-11-01T10:30Z", booking.ErrOutsideWorkingHours},
		{"Moscow: 05:00 MSK", "Europe/Moscow", "2026-03-29T02:00Z", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, s := base(t)
			q.Location = mustLoc(t, tt.zone)
			q.Branch.TimeZone = tt.zone
			q.Branch.Opening = everyDay(iv("00:00", "24:00"))
			q.From, q.To = booking.Date{}, booking.Date{}
			q.Now = utc("2026-01-01T00:00Z")
			q.Horizon = 365 * 24 * time.Hour
			q.Grid = 30 * time.Minute
			s.Plans[0].Week = everyDay(iv("00:00", "06:00"))
			got, err := booking.Check(q, s, utc(tt.start), "anna")
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, utc(tt.start), got.Start)
			assert.Equal(t, utc(tt.start).Add(time.Hour), got.End)
		})
	}
}

func TestNearest(t *testing.T) {
	var slots []booking.Slot
	for _, s := range []string{"09:00", "10:00", "11:00", "13:00", "14:00"} {
		st := utc("2026-06-01T" + s + "Z")
		slots = append(slots, booking.Slot{Start: st, End: st.Add(time.Hour), SpecialistID: "anna"})
	}
	tests := []struct {
		name string
		t    string
		n    int
		want []string
	}{
		{"the same start", "11:00", 1, []string{"11:00"}},
		{"either side, ordered by start", "12:15", 2, []string{"11:00", "13:00"}},
		{"nearer side first", "12:45", 1, []string{"13:00"}},
		{"a tie goes to the earlier", "12:00", 1, []string{"11:00"}},
		{"before all", "07:00", 3, []string{"09:00", "10:00", "11:00"}},
		{"after all", "20:00", 2, []string{"13:00", "14:00"}},
		{"more than there are", "12:00", 10, []string{"09:00", "10:00", "11:00", "13:00", "14:00"}},
		{"none asked", "12:00", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := booking.Nearest(slots, utc("2026-06-01T"+tt.t+"Z"), tt.n)
			var starts []string
			for _, s := range got {
				starts = append(starts, s.Start.Format("15:04"))
			}
			assert.Equal(t, tt.want, starts)
		})
	}
	t.Run("no slots", func(t *testing.T) {
		assert.Empty(t, booking.Nearest(nil, utc("2026-06-01T12:00Z"), 3))
	})
	t.Run("a copy", func(t *testing.T) {
		got := booking.Nearest(slots, utc("2026-06-01T09:00Z"), 1)
		got[0].SpecialistID = "changed"
		assert.Equal(t, "anna", slots[0].SpecialistID)
	})
}

func TestFindSlotsInvalidQuery(t *testing.T) {
	q, s := base(t)
	q.Location = nil
	assert.Empty(t, booking.FindSlots(q, s))
	q, s = base(t)
	q.Grid = 90 * time.Second
	assert.Empty(t, booking.FindSlots(q, s))
	q, s = base(t)
	q.Horizon = -time.Hour
	assert.Empty(t, booking.FindSlots(q, s))
	q, s = base(t)
	q.Now, q.From, q.To = time.Time{}, booking.Date{}, booking.Date{}
	assert.Empty(t, booking.FindSlots(q, s))
	q, s = base(t)
	q.Horizon = math.MaxInt64
	assert.Empty(t, booking.FindSlots(q, s))
}

// FuzzFindSlots builds a random schedule around DST changes and checks that
// FindSlots returns exactly the starts Check accepts, as Check returns them.
func FuzzFindSlots(f *testing.F) {
	for seed := range uint64(24) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		q, s := randomSearch(t, seed)
		got := booking.FindSlots(q, s)
		byStart := make(map[int64]booking.Slot, len(got))
		for i, sl := range got {
			if i > 0 {
				require.True(t, got[i-1].Start.Before(sl.Start), "ordered and unique: %v", sl.Start)
			}
			byStart[sl.Start.UnixNano()] = sl
		}
		// Walk every minute of the days and ask Check.
		from := q.From.In(time.UTC).Add(-15 * time.Hour)
		to := q.To.AddDays(1).In(time.UTC).Add(15 * time.Hour)
		accepted := 0
		for st := from; st.Before(to); st = st.Add(time.Minute) {
			c, err := booking.Check(q, s, st, "")
			want, found := byStart[st.UnixNano()]
			if fixedZone(q.Location) && !errors.Is(err, booking.ErrInPast) && !errors.Is(err, booking.ErrInvalidInput) {
				require.Equal(t, naiveFits(q, s, st), !errors.Is(err, booking.ErrOutsideWorkingHours),
					"%s: naive hours and Check disagree (%v)", st.In(q.Location), err)
			}
			if err != nil {
				require.False(t, found, "FindSlots offers %v, Check says %v", st, err)
				continue
			}
			accepted++
			require.True(t, found, "Check accepts %v (%s), FindSlots does not", st, st.In(q.Location))
			require.Equal(t, want, c)
			for _, p := range q.Specialists {
				if p.ID == want.SpecialistID {
					_, err := booking.Check(q, s, st, p.ID)
					require.NoError(t, err)
				}
			}
		}
		require.Equal(t, len(got), accepted)
	})
}

// fixedZone reports whether loc keeps one offset in 2026.
func fixedZone(loc *time.Location) bool {
	_, a := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
	_, b := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone()
	return a == b
}

// naiveFits is the hours rule of FindSlots, minute by minute, for a zone
// without DST: does the block of start fit some candidate's hours?
func naiveFits(q booking.SlotQuery, s booking.Schedule, start time.Time) bool {
	d := booking.DateOf(start, q.Location)
	if slices.Contains(q.Branch.Holidays, d) {
		return false
	}
	mid := d.In(q.Location)
	wd := d.Weekday()
	in := func(ivs []booking.Interval, m booking.Clock) bool {
		return slices.ContainsFunc(ivs, func(iv booking.Interval) bool { return iv.Start <= m && m < iv.End })
	}
	covers := func(from, to booking.Date) bool {
		if to.IsZero() {
			to = from
		}
		return !d.Before(from) && !to.Before(d)
	}
	for _, p := range q.Specialists {
		dur, ok := p.Performs(q.Service)
		if !p.Active || !ok {
			continue
		}
		bs, be := start.Add(-q.Service.BufferBefore), start.Add(dur+q.Service.BufferAfter)
		if bs.Before(mid) || be.After(mid.Add(24*time.Hour)) {
			continue
		}
		fits := true
		for x := bs; x.Before(be) && fits; x = x.Add(time.Minute) {
			m := booking.Clock(x.Sub(mid) / time.Minute)
			work, off, extra := false, false, false
			for _, pl := range s.Plans {
				if pl.SpecialistID == p.ID && pl.BranchID == q.Branch.ID &&
					(pl.From.IsZero() || !d.Before(pl.From)) && (pl.To.IsZero() || !pl.To.Before(d)) && in(pl.Week[wd], m) {
					work = true
				}
			}
			for _, e := range s.Exceptions {
				if e.SpecialistID != p.ID || !covers(e.From, e.To) {
					continue
				}
				switch e.Kind {
				case booking.ExceptionExtraShift:
					extra = extra || (e.BranchID == q.Branch.ID && in(e.Intervals, m))
				default:
					off = off || ((e.BranchID == "" || e.BranchID == q.Branch.ID) && (len(e.Intervals) == 0 || in(e.Intervals, m)))
				}
			}
			fits = ((work && !off) || extra) && in(q.Branch.Opening[wd], m)
		}
		if fits {
			return true
		}
	}
	return false
}

// randomSearch builds a small random query and schedule from seed, around a
// DST change of one of a few zones.
func randomSearch(t *testing.T, seed uint64) (booking.SlotQuery, booking.Schedule) {
	r := rand.New(rand.NewPCG(seed, seed>>32|1))
	zones := []struct{ name, day string }{
		{"Europe/Berlin", "2026-03-29"}, {"Europe/Berlin", "2026-10-25"},
		{"America/New_York", "2026-03-08"}, {"America/New_York", "2026-11-01"},
		{"Europe/Moscow", "2026-03-29"}, {"Australia/Lord_Howe", "2026-04-05"},
		{"Asia/Kathmandu", "2026-06-01"}, {"America/Santiago", "2026-09-06"}, {"America/Santiago", "2026-04-05"},
	}
	z := zones[r.IntN(len(zones))]
	loc := mustLoc(t, z.name)
	center := date(z.day)
	first := center.AddDays(-r.IntN(2))
	last := center.AddDays(r.IntN(2))

	ivs := func(n int) []booking.Interval {
		var out []booking.Interval
		for range n {
			s := booking.Clock(r.IntN(24*12) * 5)
			e := s + booking.Clock(30+r.IntN(12*12)*5)
			out = append(out, booking.Interval{Start: s, End: min(e, 24*60)})
		}
		return out
	}
	randWeek := func() booking.Week {
		var w booking.Week
		for d := range w {
			w[d] = ivs(1 + r.IntN(3))
		}
		return w
	}
	svc := booking.Service{ID: "svc", Duration: time.Duration(15+5*r.IntN(18)) * time.Minute}
	svc.BufferBefore = time.Duration(5*r.IntN(3)) * time.Minute
	svc.BufferAfter = time.Duration(5*r.IntN(4)) * time.Minute
	for range r.IntN(3) {
		svc.ResourceKinds = append(svc.ResourceKinds, []string{"room", "device"}[r.IntN(2)])
	}
	q := booking.SlotQuery{
		Service:  svc,
		Branch:   booking.Branch{ID: branchID, TimeZone: z.name, Opening: randWeek(), Active: true},
		Location: loc,
		From:     first,
		To:       last,
		Grid:     []time.Duration{5, 10, 15, 30, 60}[r.IntN(5)] * time.Minute,
		Notice:   time.Duration(r.IntN(6)) * time.Hour,
		Horizon:  time.Duration(24+r.IntN(96)) * time.Hour,
	}
	q.Now = first.In(time.UTC).Add(time.Duration(r.IntN(36*60)-30*60) * time.Minute)
	if r.IntN(2) == 0 {
		q.Branch.Opening = everyDay(iv("00:00", "24:00"))
	}
	if r.IntN(4) == 0 {
		q.Branch.Holidays = []booking.Date{first.AddDays(r.IntN(3))}
	}
	var s booking.Schedule
	for i := range 1 + r.IntN(3) {
		id := fmt.Sprintf("p%d", i)
		p := booking.Specialist{ID: id, Active: r.IntN(8) > 0, Services: []booking.SpecialistService{{ServiceID: "svc"}}}
		if r.IntN(3) == 0 {
			p.Services[0].Duration = time.Duration(15+5*r.IntN(18)) * time.Minute
		}
		q.Specialists = append(q.Specialists, p)
		pl := booking.WorkingPlan{ID: "plan-" + id, SpecialistID: id, BranchID: branchID, Week: randWeek()}
		if r.IntN(2) == 0 {
			pl.Week = everyDay(iv("00:00", "24:00"))
		}
		s.Plans = append(s.Plans, pl)
		for range r.IntN(4) {
			kind := []booking.ExceptionKind{booking.ExceptionDayOff, booking.ExceptionVacation, booking.ExceptionSickLeave, booking.ExceptionExtraShift}[r.IntN(4)]
			d := first.AddDays(r.IntN(3))
			e := booking.Exception{ID: fmt.Sprint(r.Int()), SpecialistID: id, BranchID: []string{"", branchID, "b2"}[r.IntN(3)], Kind: kind, From: d, To: d.AddDays(r.IntN(2))}
			if kind == booking.ExceptionExtraShift || r.IntN(2) == 0 {
				e.Intervals = ivs(1 + r.IntN(2))
			}
			s.Exceptions = append(s.Exceptions, e)
		}
	}
	for i := range 2 + r.IntN(4) {
		res := booking.Resource{ID: fmt.Sprintf("r%d", i), BranchID: branchID, Kind: []string{"room", "device"}[i%2], Active: r.IntN(6) > 0}
		s.Resources = append(s.Resources, res)
	}
	span := last.AddDays(1).In(time.UTC).Sub(first.In(time.UTC)) + 24*time.Hour
	origin := first.In(time.UTC).Add(-12 * time.Hour)
	for i := range r.IntN(25) {
		st := origin.Add(time.Duration(r.Int64N(int64(span/time.Minute))) * time.Minute)
		a := booking.Appointment{
			ID: fmt.Sprint(i), SpecialistID: fmt.Sprintf("p%d", r.IntN(4)), Start: st, End: st.Add(time.Duration(10+r.IntN(120)) * time.Minute),
			Status: []booking.Status{booking.StatusConfirmed, booking.StatusPending, booking.StatusCancelled}[r.IntN(3)],
		}
		a.BlockStart, a.BlockEnd = a.Start.Add(-svc.BufferBefore), a.End.Add(svc.BufferAfter)
		if len(s.Resources) > 0 && r.IntN(2) == 0 {
			a.ResourceIDs = []string{s.Resources[r.IntN(len(s.Resources))].ID}
		}
		s.Booked = append(s.Booked, a)
	}
	for range r.IntN(4) {
		st := origin.Add(time.Duration(r.Int64N(int64(span/time.Minute))) * time.Minute)
		b := booking.Busy{Start: st, End: st.Add(time.Duration(10+r.IntN(180)) * time.Minute)}
		if len(s.Resources) > 0 && r.IntN(2) == 0 {
			b.ResourceID = s.Resources[r.IntN(len(s.Resources))].ID
		} else {
			b.SpecialistID = fmt.Sprintf("p%d", r.IntN(3))
		}
		s.External = append(s.External, b)
	}
	return q, s
}

func ExampleFindSlots() {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	var opening, hours booking.Week
	for d := range opening {
		opening[d] = []booking.Interval{{Start: 9 * 60, End: 21 * 60}}     // 09:00–21:00
		hours[d] = []booking.Interval{{Start: 9*60 + 30, End: 14*60 + 15}} // 09:30–14:15
	}
	q := booking.SlotQuery{
		Service:  booking.Service{ID: "peel", Duration: time.Hour, BufferAfter: 15 * time.Minute},
		Branch:   booking.Branch{ID: "b1", TimeZone: "Europe/Moscow", Opening: opening},
		Location: loc,
		Specialists: []booking.Specialist{{
			ID: "anna", Active: true, Services: []booking.SpecialistService{{ServiceID: "peel"}},
		}},
		From:    booking.Date{Year: 2026, Month: time.June, Day: 1},
		To:      booking.Date{Year: 2026, Month: time.June, Day: 1},
		Now:     time.Date(2026, 5, 31, 12, 0, 0, 0, loc),
		Notice:  2 * time.Hour,
		Horizon: 60 * 24 * time.Hour,
		Grid:    30 * time.Minute,
	}
	s := booking.Schedule{
		Plans: []booking.WorkingPlan{{SpecialistID: "anna", BranchID: "b1", Week: hours}},
		Booked: []booking.Appointment{{ // 11:00–12:00, cleaning until 12:15
			SpecialistID: "anna", Status: booking.StatusConfirmed,
			Start: time.Date(2026, 6, 1, 11, 0, 0, 0, loc), End: time.Date(2026, 6, 1, 12, 0, 0, 0, loc),
			BlockStart: time.Date(2026, 6, 1, 11, 0, 0, 0, loc), BlockEnd: time.Date(2026, 6, 1, 12, 15, 0, 0, loc),
		}},
	}
	slots := booking.FindSlots(q, s)
	for _, sl := range slots {
		fmt.Println(sl.Start.In(loc).Format("Mon 15:04"), "–", sl.End.In(loc).Format("15:04"), sl.SpecialistID)
	}
	want := time.Date(2026, 6, 1, 10, 0, 0, 0, loc)
	_, err = booking.Check(q, s, want, "anna")
	fmt.Println(err)
	for _, sl := range booking.Nearest(slots, want, 2) {
		fmt.Println("instead:", sl.Start.In(loc).Format("15:04"))
	}
	// Output:
	// Mon 09:30 – 10:30 anna
	// Mon 12:30 – 13:30 anna
	// Mon 13:00 – 14:00 anna
	// booking: slot taken
	// instead: 09:30
	// instead: 12:30
}
