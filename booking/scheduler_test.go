package booking_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

var moscow = mustLoad("Europe/Moscow")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Monday 2026-11-30; "now" is the Friday before, 10:00 Moscow time.
var (
	monday = booking.Date{Year: 2026, Month: time.November, Day: 30}
	now0   = time.Date(2026, 11, 27, 10, 0, 0, 0, moscow)
)

func mskAt(d booking.Date, h, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, moscow)
}

type clinic struct {
	t       *testing.T
	ctx     context.Context
	store   *sqlite.Store
	sched   *booking.Scheduler
	now     atomic.Pointer[time.Time]
	verdict func(clientID string, svc booking.Service) booking.Verdict
}

var (
	client   = booking.Actor{UserID: "client-1", Role: booking.RoleClient}
	client2  = booking.Actor{UserID: "client-2", Role: booking.RoleClient}
	manager  = booking.Actor{UserID: "manager-1", Role: booking.RoleManager, Branches: []string{"b1"}}
	admin    = booking.Actor{UserID: "admin-1", Role: booking.RoleAdmin}
	doctorA  = booking.Actor{UserID: "user-a", Role: booking.RoleSpecialist, Branches: []string{"b1"}}
	doctorB  = booking.Actor{UserID: "user-b", Role: booking.RoleSpecialist, Branches: []string{"b1"}}
	otherMgr = booking.Actor{UserID: "manager-2", Role: booking.RoleManager, Branches: []string{"b2"}}
)

// newClinic: branch b1 (Moscow, open 9–21), specialists A and B working
// Mon–Fri 9–13 and 14–18; service "peel" 60 min + 15 min cleaning after,
// service "laser" 30 min needing the one laser room.
func newClinic(t *testing.T) *clinic {
	t.Helper()
	c := &clinic{t: t, ctx: t.Context()}
	n := now0
	c.now.Store(&n)
	st, err := sqlite.Open(c.ctx, filepath.Join(t.TempDir(), "booking.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	c.store = st
	open := booking.Week{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		open[d] = []booking.Interval{{Start: 9 * 60, End: 21 * 60}}
	}
	require.NoError(t, st.UpsertBranch(c.ctx, booking.Branch{ID: "b1", Name: "Центр", Address: "Тверская, 1", TimeZone: "Europe/Moscow", Opening: open, Active: true}))
	require.NoError(t, st.UpsertResource(c.ctx, booking.Resource{ID: "laser-1", BranchID: "b1", Kind: "laser_room", Name: "Лазер", Active: true}))
	for _, s := range []booking.Service{
		{ID: "peel", Name: "Пилинг", Category: "peel", Duration: time.Hour, BufferAfter: 15 * time.Minute, Price: booking.Money{Amount: 350000, Currency: "RUB"},
			BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true, CourseInterval: 14 * 24 * time.Hour},
		{ID: "laser", Name: "Лазер", Category: "laser", Duration: 30 * time.Minute, ResourceKinds: []string{"laser_room"},
			BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true},
		{ID: "botox", Name: "Ботокс", Category: "injection", Duration: 30 * time.Minute, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true, NeedsConfirmation: true},
		{ID: "staff-only", Name: "Только по записи администратора", Duration: 30 * time.Minute, BranchIDs: []string{"b1"}, Active: true},
	} {
		require.NoError(t, st.UpsertService(c.ctx, s))
	}
	week := booking.Week{}
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []booking.Interval{{Start: 9 * 60, End: 13 * 60}, {Start: 14 * 60, End: 18 * 60}}
	}
	for _, sp := range []booking.Specialist{
		{ID: "A", UserID: "user-a", Name: "Анна", BranchIDs: []string{"b1"}, Active: true,
			Services: []booking.SpecialistService{{ServiceID: "peel"}, {ServiceID: "laser"}, {ServiceID: "botox"}, {ServiceID: "staff-only"}}},
		{ID: "B", UserID: "user-b", Name: "Борис", BranchIDs: []string{"b1"}, Active: true,
			Services: []booking.SpecialistService{{ServiceID: "peel"}, {ServiceID: "laser"}}},
	} {
		require.NoError(t, st.UpsertSpecialist(c.ctx, sp))
		require.NoError(t, st.SetWorkingPlan(c.ctx, booking.WorkingPlan{ID: "plan-" + sp.ID, SpecialistID: sp.ID, BranchID: "b1", Week: week}))
	}
	c.sched, err = booking.New(booking.Config{
		Store: st,
		Now:   func() time.Time { return *c.now.Load() },
		Eligibility: booking.EligibilityFunc(func(_ context.Context, clientID string, svc booking.Service) (booking.Verdict, error) {
			if c.verdict != nil {
				return c.verdict(clientID, svc), nil
			}
			return booking.Verdict{Allowed: true}, nil
		}),
	})
	require.NoError(t, err)
	return c
}

func (c *clinic) book(actor booking.Actor, service, specialist string, start time.Time) (booking.Appointment, error) {
	a, _, err := c.sched.Book(c.ctx, actor, booking.BookRequest{ServiceID: service, BranchID: "b1", SpecialistID: specialist, Start: start})
	return a, err
}

func (c *clinic) advance(d time.Duration) {
	n := c.now.Load().Add(d)
	c.now.Store(&n)
}

func (c *clinic) events() []booking.Event {
	c.t.Helper()
	evs, err := c.store.EventsAfter(c.ctx, 0, 1000)
	require.NoError(c.t, err)
	return evs
}

func TestBookAndSlots(t *testing.T) {
	c := newClinic(t)
	slots, err := c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", From: monday, To: monday})
	require.NoError(t, err)
	// 9:00…11:45 before the break (60 + 15 must end by 13:00) and 14:00…16:45: 12 + 12 starts.
	require.Len(t, slots, 24)
	assert.Equal(t, mskAt(monday, 9, 0).UTC(), slots[0].Start.UTC())
	assert.Equal(t, mskAt(monday, 16, 45).UTC(), slots[len(slots)-1].Start.UTC())

	a, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	assert.Equal(t, booking.StatusConfirmed, a.Status)
	assert.Equal(t, mskAt(monday, 11, 0).UTC(), a.End)
	assert.Equal(t, mskAt(monday, 11, 15).UTC(), a.BlockEnd, "the cleaning buffer blocks the specialist")
	assert.Equal(t, int64(350000), a.Price.Amount)

	slots, err = c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", From: monday, To: monday})
	require.NoError(t, err)
	for _, s := range slots {
		assert.False(t, s.Start.Before(mskAt(monday, 11, 15)) && s.Start.Add(75*time.Minute).After(mskAt(monday, 10, 0)),
			"slot %s overlaps the booking with its buffer", s.Start.In(moscow))
	}

	evs := c.events()
	require.Len(t, evs, 1)
	assert.Equal(t, booking.EventBooked, evs[0].Type)
	assert.Equal(t, a.ID, evs[0].AppointmentID)
}

func TestBookRefusals(t *testing.T) {
	c := newClinic(t)
	_, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	cases := []struct {
		name    string
		service string
		spec    string
		start   time.Time
		want    error
		field   string
	}{
		{"taken", "peel", "A", mskAt(monday, 10, 30), booking.ErrSlotTaken, ""},
		{"in the past", "peel", "A", now0.Add(-time.Hour), booking.ErrInPast, "start"},
		{"inside the minimum notice", "peel", "A", now0.Add(time.Hour), booking.ErrInPast, "start"},
		{"off the grid", "peel", "A", mskAt(monday, 10, 7), booking.ErrInvalidInput, "start"},
		{"in the break", "peel", "A", mskAt(monday, 12, 30), booking.ErrOutsideWorkingHours, "start"},
		{"on a Sunday", "peel", "A", mskAt(monday.AddDays(-1), 10, 0), booking.ErrOutsideWorkingHours, "start"},
		{"past the horizon", "peel", "A", mskAt(monday.AddDays(70), 10, 0), booking.ErrInvalidInput, "start"},
		{"unknown service", "nope", "A", mskAt(monday, 15, 0), booking.ErrNotFound, "service_id"},
		{"unknown specialist", "peel", "Z", mskAt(monday, 15, 0), booking.ErrNotFound, "specialist_id"},
		{"specialist without the service", "botox", "B", mskAt(monday, 15, 0), booking.ErrNotFound, "specialist_id"},
		{"not bookable online", "staff-only", "A", mskAt(monday, 15, 0), booking.ErrNotFound, "service_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.book(client2, tc.service, tc.spec, tc.start)
			require.ErrorIs(t, err, tc.want)
			if tc.field != "" {
				var ve *booking.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
			}
		})
	}
	var ce *booking.ConflictError
	_, err = c.book(client2, "peel", "A", mskAt(monday, 10, 0))
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Alternatives, 3)
	for _, alt := range ce.Alternatives {
		assert.Equal(t, "A", alt.SpecialistID)
	}
	assert.Len(t, c.events(), 1, "refusals write no events")
}

func TestAnySpecialistAndRooms(t *testing.T) {
	c := newClinic(t)
	a1, err := c.book(client, "peel", "", mskAt(monday, 10, 0))
	require.NoError(t, err)
	a2, err := c.book(client2, "peel", "", mskAt(monday, 10, 0))
	require.NoError(t, err)
	assert.NotEqual(t, a1.SpecialistID, a2.SpecialistID, "any specialist: the other one takes it")
	_, err = c.book(booking.Actor{UserID: "client-3", Role: booking.RoleClient}, "peel", "", mskAt(monday, 10, 0))
	assert.ErrorIs(t, err, booking.ErrSlotTaken)

	// One laser room: A and B cannot both use it at 15:00.
	l1, err := c.book(client, "laser", "A", mskAt(monday, 15, 0))
	require.NoError(t, err)
	assert.Equal(t, []string{"laser-1"}, l1.ResourceIDs)
	_, err = c.book(client2, "laser", "B", mskAt(monday, 15, 0))
	assert.ErrorIs(t, err, booking.ErrSlotTaken, "the room is the bottleneck")
	_, err = c.book(client2, "laser", "B", mskAt(monday, 15, 30))
	assert.NoError(t, err, "half-open: 15:30 follows 15:00–15:30")
}

func TestSameClientCannotBeInTwoPlaces(t *testing.T) {
	c := newClinic(t)
	_, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	_, err = c.book(client, "peel", "B", mskAt(monday, 10, 30))
	assert.ErrorIs(t, err, booking.ErrSlotTaken)
}

func TestConcurrentBookingsOfOneSlot(t *testing.T) {
	c := newClinic(t)
	const n = 64
	var wg sync.WaitGroup
	var ok, taken atomic.Int32
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := c.book(booking.Actor{UserID: fmt.Sprintf("c%d", i), Role: booking.RoleClient}, "peel", "A", mskAt(monday, 10, 0))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, booking.ErrSlotTaken):
				taken.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load())
	assert.EqualValues(t, n-1, taken.Load())
	assert.Len(t, c.events(), 1, "exactly one booked event")
}

func TestIdempotencyKey(t *testing.T) {
	c := newClinic(t)
	req := booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: mskAt(monday, 10, 0), IdempotencyKey: "k-1"}
	a, created, err := c.sched.Book(c.ctx, client, req)
	require.NoError(t, err)
	require.True(t, created)
	b, created, err := c.sched.Book(c.ctx, client, req)
	require.NoError(t, err, "a retry is not a conflict with itself")
	assert.False(t, created)
	assert.Equal(t, a.ID, b.ID)
	assert.Len(t, c.events(), 1)
}

func TestRescheduleAndCancel(t *testing.T) {
	c := newClinic(t)
	a, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	other, err := c.book(client2, "peel", "A", mskAt(monday, 15, 0))
	require.NoError(t, err)

	// Into a taken time: refused, the old booking untouched.
	_, err = c.sched.Reschedule(c.ctx, client, a.ID, mskAt(monday, 15, 0), "")
	require.ErrorIs(t, err, booking.ErrSlotTaken)
	got, err := c.sched.Appointment(c.ctx, client, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.Start, got.Start)

	moved, err := c.sched.Reschedule(c.ctx, client, a.ID, mskAt(monday, 11, 0), "")
	require.NoError(t, err, "moving by an hour overlaps only itself")
	assert.Equal(t, mskAt(monday, 11, 0).UTC(), moved.Start)
	moved, err = c.sched.Reschedule(c.ctx, client, a.ID, mskAt(monday, 11, 0), "B")
	require.NoError(t, err, "another specialist at the same time")
	assert.Equal(t, "B", moved.SpecialistID)

	// Another client's appointment is not there for them.
	_, err = c.sched.Reschedule(c.ctx, client2, a.ID, mskAt(monday, 14, 0), "")
	assert.ErrorIs(t, err, booking.ErrNotFound)
	_, err = c.sched.Cancel(c.ctx, client2, a.ID, "")
	assert.ErrorIs(t, err, booking.ErrNotFound)

	cancelled, err := c.sched.Cancel(c.ctx, client, a.ID, "заболела")
	require.NoError(t, err)
	assert.Equal(t, booking.StatusCancelled, cancelled.Status)
	assert.Equal(t, "заболела", cancelled.CancelReason)
	_, err = c.book(client2, "peel", "B", mskAt(monday, 11, 0))
	assert.NoError(t, err, "the cancelled appointment's time is free again")

	// Within 12 hours of the start a client can no longer change it; a manager can.
	c.now.Store(ptr(mskAt(monday, 4, 0)))
	_, err = c.sched.Cancel(c.ctx, client2, other.ID, "")
	assert.ErrorIs(t, err, booking.ErrTooLateToChange)
	_, err = c.sched.Cancel(c.ctx, manager, other.ID, "клиника")
	assert.NoError(t, err)
	_, err = c.sched.Cancel(c.ctx, manager, other.ID, "")
	assert.ErrorIs(t, err, booking.ErrInvalidTransition)

	types := []booking.EventType{}
	for _, e := range c.events() {
		types = append(types, e.Type)
	}
	assert.Equal(t, []booking.EventType{booking.EventBooked, booking.EventBooked, booking.EventRescheduled,
		booking.EventRescheduled, booking.EventCancelled, booking.EventBooked, booking.EventCancelled}, types)
}

func ptr[T any](v T) *T { return &v }

func TestEligibility(t *testing.T) {
	c := newClinic(t)
	c.verdict = func(clientID string, svc booking.Service) booking.Verdict {
		if svc.ID == "peel" {
			return booking.Verdict{Allowed: false, Reason: "беременность: пилинги противопоказаны"}
		}
		if svc.ID == "laser" {
			return booking.Verdict{Allowed: true, NeedsConfirmation: true}
		}
		return booking.Verdict{Allowed: true}
	}
	_, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	var ee *booking.EligibilityError
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, ee.Reason, "беременность")

	a, err := c.book(client, "laser", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	assert.Equal(t, booking.StatusPending, a.Status)
	b, err := c.book(client, "botox", "A", mskAt(monday, 15, 0))
	require.NoError(t, err)
	assert.Equal(t, booking.StatusPending, b.Status, "the service itself needs confirmation")
	confirmed, err := c.sched.Confirm(c.ctx, manager, b.ID)
	require.NoError(t, err)
	assert.Equal(t, booking.StatusConfirmed, confirmed.Status)

	// Staff may override a refusal, with a note.
	x, _, err := c.sched.Book(c.ctx, manager, booking.BookRequest{ClientID: "client-1", ServiceID: "peel", BranchID: "b1",
		SpecialistID: "B", Start: mskAt(monday, 16, 0), Override: true, Note: "согласовано с врачом"})
	require.NoError(t, err)
	assert.Equal(t, "согласовано с врачом", x.Notes)
}

func TestStaffActions(t *testing.T) {
	c := newClinic(t)
	a, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)

	_, err = c.sched.Complete(c.ctx, client, a.ID, "")
	assert.ErrorIs(t, err, booking.ErrForbidden)
	_, err = c.sched.Complete(c.ctx, doctorB, a.ID, "")
	assert.ErrorIs(t, err, booking.ErrNotFound, "another specialist's visit: not theirs to see")
	_, err = c.sched.Complete(c.ctx, otherMgr, a.ID, "")
	assert.ErrorIs(t, err, booking.ErrNotFound, "a manager of another branch does not see it")
	_, err = c.sched.Complete(c.ctx, doctorA, a.ID, "")
	assert.ErrorIs(t, err, booking.ErrInvalidTransition, "a visit in the future cannot be done yet")
	_, err = c.sched.NoShow(c.ctx, doctorA, a.ID)
	assert.ErrorIs(t, err, booking.ErrInvalidTransition, "nor missed")
	c.now.Store(ptr(mskAt(monday, 11, 0)))
	done, err := c.sched.Complete(c.ctx, doctorA, a.ID, "кожа спокойная, рекомендован SPF 50")
	require.NoError(t, err)
	assert.Equal(t, booking.StatusCompleted, done.Status)
	assert.Equal(t, "кожа спокойная, рекомендован SPF 50", done.Notes)
	_, err = c.sched.NoShow(c.ctx, doctorA, a.ID)
	assert.ErrorIs(t, err, booking.ErrInvalidTransition)

	hist, err := c.sched.History(c.ctx, manager, a.ID)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	assert.Equal(t, booking.StatusCompleted, hist[1].To)

	agenda, err := c.sched.Agenda(c.ctx, doctorA, booking.DayRequest{SpecialistID: "A", From: monday, Days: 1})
	require.NoError(t, err)
	assert.Len(t, agenda, 1)
	_, err = c.sched.Agenda(c.ctx, doctorB, booking.DayRequest{SpecialistID: "A", From: monday, Days: 1})
	assert.ErrorIs(t, err, booking.ErrForbidden)
	agenda, err = c.sched.Agenda(c.ctx, manager, booking.DayRequest{BranchID: "b1", From: monday, Days: 7})
	require.NoError(t, err)
	assert.Len(t, agenda, 1)

	// The front desk books for a client who called, even within the notice.
	c.now.Store(ptr(mskAt(monday, 13, 30)))
	x, _, err := c.sched.Book(c.ctx, manager, booking.BookRequest{ClientID: "client-9", ServiceID: "staff-only", BranchID: "b1", Start: mskAt(monday, 14, 0)})
	require.NoError(t, err)
	assert.Equal(t, "manager-1", x.CreatedBy)
	_, _, err = c.sched.Book(c.ctx, otherMgr, booking.BookRequest{ClientID: "client-9", ServiceID: "peel", BranchID: "b1", Start: mskAt(monday, 15, 0)})
	assert.ErrorIs(t, err, booking.ErrForbidden)
}

func TestSchedulesAndExceptions(t *testing.T) {
	c := newClinic(t)
	_, err := c.sched.AddException(c.ctx, manager, booking.Exception{SpecialistID: "A", Kind: booking.ExceptionDayOff, From: monday, To: monday})
	require.NoError(t, err)
	slots, err := c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", From: monday, To: monday})
	require.NoError(t, err)
	assert.Empty(t, slots)
	_, err = c.sched.AddException(c.ctx, otherMgr, booking.Exception{SpecialistID: "A", Kind: booking.ExceptionDayOff, From: monday, To: monday})
	assert.ErrorIs(t, err, booking.ErrForbidden)
	_, err = c.sched.AddException(c.ctx, manager, booking.Exception{SpecialistID: "A", Kind: "holiday", From: monday, To: monday})
	assert.ErrorIs(t, err, booking.ErrInvalidInput)

	saturday := monday.AddDays(5)
	_, err = c.sched.AddException(c.ctx, manager, booking.Exception{SpecialistID: "B", BranchID: "b1", Kind: booking.ExceptionExtraShift,
		From: saturday, To: saturday, Intervals: []booking.Interval{{Start: 10 * 60, End: 12 * 60}}})
	require.NoError(t, err)
	slots, err = c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", From: saturday, To: saturday})
	require.NoError(t, err)
	require.NotEmpty(t, slots)
	assert.Equal(t, "B", slots[0].SpecialistID)

	week := booking.Week{}
	week[time.Monday] = []booking.Interval{{Start: 13 * 60, End: 12 * 60}}
	_, err = c.sched.SetWorkingPlan(c.ctx, manager, booking.WorkingPlan{SpecialistID: "A", BranchID: "b1", Week: week})
	assert.ErrorIs(t, err, booking.ErrInvalidInput)
	_, err = c.sched.SetWorkingPlan(c.ctx, doctorA, booking.WorkingPlan{SpecialistID: "A", BranchID: "b1"})
	assert.ErrorIs(t, err, booking.ErrForbidden, "a specialist does not edit plans")
}

func TestSlotRange(t *testing.T) {
	c := newClinic(t)
	_, err := c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", From: monday, To: monday.AddDays(62)})
	assert.ErrorIs(t, err, booking.ErrInvalidRange)
	_, err = c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", From: monday, To: monday.AddDays(61)})
	assert.NoError(t, err)
	_, err = c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", From: monday, To: monday.AddDays(-1)})
	assert.ErrorIs(t, err, booking.ErrInvalidRange)
}

func TestTreatmentPlan(t *testing.T) {
	c := newClinic(t)
	p, err := c.sched.CreatePlan(c.ctx, doctorA, booking.Plan{ClientID: "client-1", SpecialistID: "A", ServiceID: "peel", BranchID: "b1", Sessions: 5})
	require.NoError(t, err)
	assert.Equal(t, 14*24*time.Hour, p.Interval, "the service's course interval by default")
	_, err = c.sched.CreatePlan(c.ctx, client, booking.Plan{ClientID: "client-1", ServiceID: "peel", BranchID: "b1", Sessions: 5})
	assert.ErrorIs(t, err, booking.ErrForbidden)

	a, _, err := c.sched.Book(c.ctx, client, booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: mskAt(monday, 10, 0), PlanID: p.ID})
	require.NoError(t, err)
	c.now.Store(ptr(mskAt(monday, 11, 0)))
	_, err = c.sched.Complete(c.ctx, doctorA, a.ID, "")
	require.NoError(t, err)
	plans, err := c.sched.ClientPlans(c.ctx, client, "client-1")
	require.NoError(t, err)
	require.Len(t, plans, 1)
	assert.Equal(t, 1, plans[0].Completed)
	assert.Equal(t, mskAt(monday, 10, 0).Add(14*24*time.Hour).UTC(), plans[0].NextFrom.UTC(), "the next session is due an interval after the last")
	_, err = c.sched.ClientPlans(c.ctx, client2, "client-1")
	assert.ErrorIs(t, err, booking.ErrNotFound)

	// A two-session course: a third session is refused; the last one done closes it.
	short, err := c.sched.CreatePlan(c.ctx, doctorA, booking.Plan{ClientID: "client-1", SpecialistID: "A", ServiceID: "peel", BranchID: "b1", Sessions: 2})
	require.NoError(t, err)
	tue := monday.AddDays(1)
	var sessions []booking.Appointment
	for _, h := range []int{10, 15} {
		x, _, err := c.sched.Book(c.ctx, client, booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: mskAt(tue, h, 0), PlanID: short.ID})
		require.NoError(t, err)
		sessions = append(sessions, x)
	}
	_, _, err = c.sched.Book(c.ctx, client, booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: mskAt(tue.AddDays(1), 10, 0), PlanID: short.ID})
	assert.ErrorIs(t, err, booking.ErrInvalidInput)
	c.now.Store(ptr(mskAt(tue, 17, 0)))
	for _, x := range sessions {
		_, err = c.sched.Complete(c.ctx, doctorA, x.ID, "")
		require.NoError(t, err)
	}
	closed, err := c.store.PlanByID(c.ctx, short.ID)
	require.NoError(t, err)
	assert.Equal(t, booking.PlanCompleted, closed.Status)
}

// TestBranchScoping: a manager of one branch cannot touch another branch's
// plans, nor record an absence that would empty a shared specialist's other
// branch, nor read that branch's visits.
func TestBranchScoping(t *testing.T) {
	c := newClinic(t)
	require.NoError(t, c.store.UpsertBranch(c.ctx, booking.Branch{ID: "b2", Name: "Запад", TimeZone: "Europe/Moscow", Active: true}))
	sp, err := c.store.SpecialistByID(c.ctx, "B")
	require.NoError(t, err)
	sp.BranchIDs = []string{"b1", "b2"}
	require.NoError(t, c.store.UpsertSpecialist(c.ctx, sp))
	require.NoError(t, c.store.SetWorkingPlan(c.ctx, booking.WorkingPlan{ID: "plan-B-b2", SpecialistID: "B", BranchID: "b2"}))

	_, err = c.sched.SetWorkingPlan(c.ctx, manager, booking.WorkingPlan{ID: "plan-B-b2", SpecialistID: "B", BranchID: "b1"})
	assert.ErrorIs(t, err, booking.ErrForbidden, "another branch's plan, by its ID")
	_, err = c.sched.SetWorkingPlan(c.ctx, manager, booking.WorkingPlan{ID: "plan-A", SpecialistID: "B", BranchID: "b1"})
	assert.ErrorIs(t, err, booking.ErrForbidden, "another specialist's plan, by its ID")
	_, err = c.sched.AddException(c.ctx, manager, booking.Exception{SpecialistID: "B", Kind: booking.ExceptionSickLeave, From: monday, To: monday})
	assert.ErrorIs(t, err, booking.ErrForbidden, "an all-branches absence needs all branches")
	_, err = c.sched.AddException(c.ctx, manager, booking.Exception{SpecialistID: "B", BranchID: "b1", Kind: booking.ExceptionSickLeave, From: monday, To: monday})
	assert.NoError(t, err)
	_, err = c.sched.AddException(c.ctx, admin, booking.Exception{SpecialistID: "B", Kind: booking.ExceptionSickLeave, From: monday, To: monday})
	assert.NoError(t, err)
	_, err = c.sched.Agenda(c.ctx, manager, booking.DayRequest{SpecialistID: "B", BranchID: "b2", From: monday, Days: 1})
	assert.ErrorIs(t, err, booking.ErrForbidden)
}

func TestClientBusyElsewhereIsNotOffered(t *testing.T) {
	c := newClinic(t)
	_, err := c.book(client, "peel", "A", mskAt(monday, 10, 0))
	require.NoError(t, err)
	_, err = c.book(client, "peel", "B", mskAt(monday, 10, 0))
	var ce *booking.ConflictError
	require.ErrorAs(t, err, &ce)
	for _, alt := range ce.Alternatives {
		assert.False(t, alt.Start.Before(mskAt(monday, 11, 0)) && alt.End.After(mskAt(monday, 10, 0)),
			"alternative %s overlaps the client's own visit", alt.Start.In(moscow))
	}
}

func TestIdempotencyKeyForAnotherBooking(t *testing.T) {
	c := newClinic(t)
	_, _, err := c.sched.Book(c.ctx, client, booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: mskAt(monday, 10, 0), IdempotencyKey: "k"})
	require.NoError(t, err)
	_, _, err = c.sched.Book(c.ctx, client, booking.BookRequest{ServiceID: "laser", BranchID: "b1", SpecialistID: "A", Start: mskAt(monday, 15, 0), IdempotencyKey: "k"})
	var ve *booking.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "Idempotency-Key", ve.Field)
}

// busyCalendar is a BusySource: the clinic's own system says A is busy.
type busyCalendar []booking.Busy

func (b busyCalendar) Busy(_ context.Context, branchID string, specialistIDs []string, from, to time.Time) ([]booking.Busy, error) {
	return b, nil
}

func TestBusySourceBlocksSlots(t *testing.T) {
	c := newClinic(t)
	var err error
	c.sched, err = booking.New(booking.Config{
		Store: c.store, Now: func() time.Time { return *c.now.Load() },
		Busy: busyCalendar{{SpecialistID: "A", Start: mskAt(monday, 10, 0), End: mskAt(monday, 11, 0)}},
	})
	require.NoError(t, err)
	slots, err := c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", From: monday, To: monday})
	require.NoError(t, err)
	for _, s := range slots {
		assert.False(t, s.Start.Before(mskAt(monday, 11, 0)) && s.Start.Add(75*time.Minute).After(mskAt(monday, 10, 0)),
			"slot %s overlaps the outside busy time", s.Start.In(moscow))
	}
	_, err = c.book(client, "peel", "A", mskAt(monday, 10, 30))
	assert.ErrorIs(t, err, booking.ErrSlotTaken)
	_, err = c.book(client, "peel", "A", mskAt(monday, 11, 0))
	assert.NoError(t, err, "touching the busy time is fine")
}

func TestListAndRemovePlansAndExceptions(t *testing.T) {
	c := newClinic(t)
	plans, err := c.sched.WorkingPlans(c.ctx, manager, "A", "")
	require.NoError(t, err)
	require.Len(t, plans, 1)
	_, err = c.sched.WorkingPlans(c.ctx, client, "A", "")
	assert.ErrorIs(t, err, booking.ErrForbidden)
	others, err := c.sched.WorkingPlans(c.ctx, otherMgr, "", "")
	require.NoError(t, err)
	assert.Empty(t, others, "another branch's manager sees none of b1's plans")

	e, err := c.sched.AddException(c.ctx, manager, booking.Exception{SpecialistID: "A", BranchID: "b1", Kind: booking.ExceptionVacation, From: monday, To: monday.AddDays(4)})
	require.NoError(t, err)
	list, err := c.sched.Exceptions(c.ctx, doctorA, "A", monday, monday.AddDays(30))
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.ErrorIs(t, c.sched.DeleteException(c.ctx, otherMgr, e.ID), booking.ErrNotFound)
	assert.ErrorIs(t, c.sched.DeleteException(c.ctx, doctorA, e.ID), booking.ErrForbidden)
	require.NoError(t, c.sched.DeleteException(c.ctx, manager, e.ID))
	assert.ErrorIs(t, c.sched.DeleteException(c.ctx, manager, e.ID), booking.ErrNotFound)

	assert.ErrorIs(t, c.sched.DeleteWorkingPlan(c.ctx, otherMgr, "plan-A"), booking.ErrNotFound)
	assert.ErrorIs(t, c.sched.DeleteWorkingPlan(c.ctx, doctorA, "plan-A"), booking.ErrForbidden)
	require.NoError(t, c.sched.DeleteWorkingPlan(c.ctx, manager, "plan-A"))
	slots, err := c.sched.Slots(c.ctx, booking.SlotRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", From: monday, To: monday})
	require.NoError(t, err)
	assert.Empty(t, slots, "no plan, no slots")
}

// overtakingStore lets another booking land between the Scheduler's read of
// the schedule and its write, the first time a booking is written: it books
// the same rooms for someone else just before passing the write on.
type overtakingStore struct {
	*sqlite.Store
	t        *testing.T
	once     sync.Once
	writes   atomic.Int32
	overtake func(a booking.Appointment) booking.Appointment
}

func (o *overtakingStore) CreateAppointment(ctx context.Context, a booking.Appointment, key string, ev booking.Event) (booking.Appointment, bool, error) {
	o.writes.Add(1)
	o.once.Do(func() {
		other := o.overtake(a)
		_, _, err := o.Store.CreateAppointment(ctx, other, "", booking.Event{Type: booking.EventBooked, At: other.CreatedAt})
		require.NoError(o.t, err)
	})
	return o.Store.CreateAppointment(ctx, a, key, ev)
}

func TestStaleRoomChoiceIsRetriedWithAFreshOne(t *testing.T) {
	c := newClinic(t)
	require.NoError(t, c.store.UpsertResource(c.ctx, booking.Resource{ID: "laser-2", BranchID: "b1", Kind: "laser_room", Name: "Лазер 2", Active: true}))
	tests := []struct {
		name       string
		specialist string // of the booking under test
		overtake   func(a booking.Appointment) booking.Appointment
		wantErr    error
		wantWrites int32
	}{
		{name: "the room went to another specialist: the other room is taken instead",
			specialist: "A", wantWrites: 2,
			overtake: func(a booking.Appointment) booking.Appointment {
				a.ID, a.ClientID, a.SpecialistID = "overtaker-1", "client-9", "B"
				return a
			}},
		{name: "the specialist went to someone else: 409 after one write, no second try",
			specialist: "A", wantErr: booking.ErrSlotTaken, wantWrites: 1,
			overtake: func(a booking.Appointment) booking.Appointment {
				a.ID, a.ClientID, a.ResourceIDs = "overtaker-2", "client-9", nil
				a.Start, a.End = a.Start.Add(24*time.Hour), a.End.Add(24*time.Hour)   // out of the way of the room…
				a.Start, a.End = a.Start.Add(-24*time.Hour), a.End.Add(-24*time.Hour) // …back: same time, no room
				a.BlockStart, a.BlockEnd = a.Start, a.End
				return a
			}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &overtakingStore{Store: c.store, t: t, overtake: tt.overtake}
			sched, err := booking.New(booking.Config{Store: o, Now: func() time.Time { return *c.now.Load() }})
			require.NoError(t, err)
			start := mskAt(monday.AddDays(i), 15, 0)
			a, _, err := sched.Book(c.ctx, client, booking.BookRequest{ServiceID: "laser", BranchID: "b1", SpecialistID: tt.specialist, Start: start})
			assert.Equal(t, tt.wantWrites, o.writes.Load())
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			other, err := c.store.AppointmentByID(c.ctx, "overtaker-1")
			require.NoError(t, err)
			assert.Len(t, a.ResourceIDs, 1)
			assert.NotEqual(t, other.ResourceIDs, a.ResourceIDs, "the booking holds the room left free")
		})
	}
}

func TestIdempotencyKeyReusedForAnotherTime(t *testing.T) {
	c := newClinic(t)
	req := booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: mskAt(monday, 10, 0), IdempotencyKey: "k"}
	first, _, err := c.sched.Book(c.ctx, client, req)
	require.NoError(t, err)
	for name, change := range map[string]func(*booking.BookRequest){
		"another start":      func(r *booking.BookRequest) { r.Start = mskAt(monday, 11, 0) },
		"another specialist": func(r *booking.BookRequest) { r.SpecialistID = "B" },
	} {
		t.Run(name, func(t *testing.T) {
			r := req
			change(&r)
			_, _, err := c.sched.Book(c.ctx, client, r)
			var ve *booking.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "Idempotency-Key", ve.Field)
		})
	}
	// "Any specialist" on retry matches whichever the first request got.
	r := req
	r.SpecialistID = ""
	again, created, err := c.sched.Book(c.ctx, client, r)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, first.ID, again.ID)
}
