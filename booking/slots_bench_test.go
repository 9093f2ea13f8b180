package booking_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// benchBranch is a busy Moscow branch over 14 days from Monday 2026-06-01:
// 20 specialists working every day 09:00–14:00 and 15:00–21:00, three laser
// rooms (and an inactive fourth), 3,000 active appointments (about 30% of them
// in a laser room, shuffled, with 10-minute cleaning after), 60 External busy
// entries and a few exceptions.
func benchBranch(b *testing.B) (booking.SlotQuery, booking.Schedule) {
	b.Helper()
	loc := mustLoc(b, "Europe/Moscow")
	r := rand.New(rand.NewPCG(1, 2))
	first := date("2026-06-01")
	q := booking.SlotQuery{
		Service: booking.Service{
			ID: "laser", Duration: time.Hour, BufferAfter: 10 * time.Minute,
			ResourceKinds: []string{"laser_room"}, BranchIDs: []string{branchID}, Active: true,
		},
		Branch:   booking.Branch{ID: branchID, TimeZone: "Europe/Moscow", Opening: everyDay(iv("08:00", "21:00")), Active: true},
		Location: loc,
		From:     first,
		To:       first.AddDays(13),
		Now:      at(loc, "2026-05-31 12:00"),
		Notice:   2 * time.Hour,
		Horizon:  60 * 24 * time.Hour,
		Grid:     15 * time.Minute,
	}
	var s booking.Schedule
	hours := []booking.Interval{iv("09:00", "14:00"), iv("15:00", "21:00")}
	w := everyDay(hours...)
	for i := range 20 {
		id := fmt.Sprintf("s%02d", i)
		q.Specialists = append(q.Specialists, specialist(id))
		s.Plans = append(s.Plans, plan(id, w))
	}
	s.Exceptions = []booking.Exception{
		exception("s03", booking.ExceptionDayOff, "", "2026-06-03", "2026-06-03"),
		exception("s07", booking.ExceptionVacation, branchID, "2026-06-08", "2026-06-12"),
		exception("s11", booking.ExceptionSickLeave, "", "2026-06-02", "2026-06-02", iv("09:00", "12:00")),
		exception("s15", booking.ExceptionExtraShift, branchID, "2026-06-07", "2026-06-07", iv("10:00", "16:00")),
	}
	for i := range 4 {
		rm := room(fmt.Sprintf("laser-%d", i+1))
		rm.Active = i < 3
		s.Resources = append(s.Resources, rm)
	}

	roomBusy := make([][][2]time.Time, 3)
	free := func(k int, s, e time.Time) bool {
		for _, x := range roomBusy[k] {
			if s.Before(x[1]) && x[0].Before(e) {
				return false
			}
		}
		return true
	}
fill:
	for day := range 14 {
		d := first.AddDays(day)
		for _, p := range q.Specialists {
			for _, h := range hours {
				t := h.Start.On(d, loc)
				end := h.End.On(d, loc)
				for {
					t = t.Add(time.Duration(r.IntN(2)*15) * time.Minute)
					a := booking.Appointment{
						ID: fmt.Sprintf("a%d", len(s.Booked)), BranchID: branchID, ServiceID: "peel", SpecialistID: p.ID,
						Start: t.UTC(), End: t.Add(time.Duration(30+r.IntN(2)*15) * time.Minute).UTC(),
						Status: booking.StatusConfirmed,
					}
					a.BlockStart, a.BlockEnd = a.Start, a.End.Add(10*time.Minute)
					if a.BlockEnd.After(end) {
						break
					}
					if r.IntN(10) < 3 {
						for k := range roomBusy {
							if free(k, a.BlockStart, a.BlockEnd) {
								roomBusy[k] = append(roomBusy[k], [2]time.Time{a.BlockStart, a.BlockEnd})
								a.ServiceID, a.ResourceIDs = "laser", []string{fmt.Sprintf("laser-%d", k+1)}
								break
							}
						}
					}
					s.Booked = append(s.Booked, a)
					if len(s.Booked) == 3000 {
						break fill
					}
					t = a.BlockEnd
				}
			}
		}
	}
	if len(s.Booked) != 3000 {
		b.Fatalf("generated %d appointments, want 3000", len(s.Booked))
	}
	r.Shuffle(len(s.Booked), func(i, j int) { s.Booked[i], s.Booked[j] = s.Booked[j], s.Booked[i] })
	for range 60 {
		st := first.In(loc).Add(time.Duration(r.IntN(14*24*4)) * 15 * time.Minute)
		s.External = append(s.External, booking.Busy{SpecialistID: fmt.Sprintf("s%02d", r.IntN(20)), Start: st, End: st.Add(time.Hour)})
	}
	return q, s
}

// BenchmarkFindSlots is one search over 14 days in benchBranch: any of the 20
// specialists for a laser service (a room needed), the same for a service
// that needs no room, and one specialist for the laser service.
func BenchmarkFindSlots(b *testing.B) {
	q, s := benchBranch(b)
	peel := q
	peel.Service.ID, peel.Service.ResourceKinds = "peel", nil
	one := q
	one.Specialists = q.Specialists[15:16]
	for _, bm := range []struct {
		name string
		q    booking.SlotQuery
	}{{"any_laser", q}, {"any_no_room", peel}, {"one_laser", one}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = len(booking.FindSlots(bm.q, s))
			}
			b.ReportMetric(float64(n), "slots")
		})
	}
}

// BenchmarkCheck validates one start against the same 14-day schedule (a
// caller loads only the start's day, so this is the pessimistic case).
func BenchmarkCheck(b *testing.B) {
	q, s := benchBranch(b)
	start := at(q.Location, "2026-06-10 19:00")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := booking.Check(q, s, start, ""); err != nil && err != booking.ErrSlotTaken {
			b.Fatal(err)
		}
	}
}
