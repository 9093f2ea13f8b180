package cabinet_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/recommend"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

var msk = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return loc
}()

// clinicEnv is a cabinet on a real SQLite file whose e-mail goes through a
// real SMTP server on loopback, with a settable clock.
type clinicEnv struct {
	t     *testing.T
	st    *sqlite.Store
	sink  *smtpSink
	sms   *notify.DevOutbox
	mu    sync.Mutex
	now   time.Time
	cab   *cabinet.Cabinet
	anna  auth.SignIn
	admin booking.Actor
	// engine, when set before newCabinet, replaces the default rules.
	engine *recommend.Engine
}

func (e *clinicEnv) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *clinicEnv) set(t time.Time)  { e.mu.Lock(); e.now = t; e.mu.Unlock() }

func (e *clinicEnv) newCabinet() *cabinet.Cabinet {
	e.t.Helper()
	host, port, err := net.SplitHostPort(e.sink.addr)
	require.NoError(e.t, err)
	portN, err := strconv.Atoi(port)
	require.NoError(e.t, err)
	mailer, err := notify.NewSMTP(notify.SMTPConfig{Host: host, Port: portN, From: "Clinic <no-reply@clinic.example>", Security: notify.SMTPPlain})
	require.NoError(e.t, err)
	cab, err := cabinet.New(cabinet.Config{
		Store: e.st, Secret: bytes.Repeat([]byte("s"), 32), Mail: mailer, SMS: e.sms, ClinicName: "Клиника Анны",
		Now: e.clock, PublicURL: "https://clinic.example/cabinet", Card: card.Config{Recommend: e.engine},
		Aftercare: map[string][]cabinet.FollowUp{"category:peel": {
			{After: 24 * time.Hour, Kind: notify.KindAftercareCheck},
			{After: 7 * 24 * time.Hour, Kind: notify.KindAftercarePhoto},
		}},
	})
	require.NoError(e.t, err)
	return cab
}

// Monday 2026-11-30, 10:00 in Moscow.
var monday10 = time.Date(2026, 11, 30, 10, 0, 0, 0, msk)

func newClinicEnv(t *testing.T) *clinicEnv {
	t.Helper()
	return newClinicEnvWith(t, nil)
}

// newClinicEnvWith is newClinicEnv with tweak applied before the cabinet
// is wired (to set engine, say).
func newClinicEnvWith(t *testing.T, tweak func(*clinicEnv)) *clinicEnv {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "k.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &clinicEnv{t: t, st: st, sink: newSMTPSink(t), sms: notify.NewDevOutbox(0, nil), now: monday10,
		admin: booking.Actor{UserID: "admin", Role: booking.RoleAdmin}}
	if tweak != nil {
		tweak(e)
	}
	e.cab = e.newCabinet()

	ctx := t.Context()
	week := booking.Week{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		week[d] = []booking.Interval{{Start: 9 * 60, End: 20 * 60}}
	}
	require.NoError(t, st.UpsertBranch(ctx, booking.Branch{ID: "b1", Name: "На Тверской", Address: "Москва, Тверская, 1",
		TimeZone: "Europe/Moscow", Opening: week, Active: true}))
	require.NoError(t, st.UpsertService(ctx, booking.Service{ID: "peel", Name: "Миндальный пилинг", Category: "peel",
		Duration: time.Hour, Price: booking.Money{Amount: 350000, Currency: "RUB"}, BranchIDs: []string{"b1"}, Active: true, OnlineBooking: true}))
	require.NoError(t, st.UpsertSpecialist(ctx, booking.Specialist{ID: "A", Name: "Анна Петрова", BranchIDs: []string{"b1"}, Active: true,
		Services: []booking.SpecialistService{{ServiceID: "peel"}}}))
	require.NoError(t, st.SetWorkingPlan(ctx, booking.WorkingPlan{ID: "p-A", SpecialistID: "A", BranchID: "b1", Week: week}))
	require.NoError(t, st.UpsertSpecialist(ctx, booking.Specialist{ID: "B", Name: "Борис Смирнов", BranchIDs: []string{"b1"}, Active: true,
		Services: []booking.SpecialistService{{ServiceID: "peel"}}}))
	require.NoError(t, st.SetWorkingPlan(ctx, booking.WorkingPlan{ID: "p-B", SpecialistID: "B", BranchID: "b1", Week: week}))

	// Anna signs in by e-mail: the code arrives through SMTP.
	tk, err := e.cab.Auth().RequestCode(ctx, auth.CodeRequest{Identifier: "anna@example.com"})
	require.NoError(t, err)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(textPart(t, e.sink.last(t)))
	in, err := e.cab.Auth().Verify(ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID, Code: code})
	require.NoError(t, err)
	e.anna = in
	return e
}

func (e *clinicEnv) book(start time.Time) booking.Appointment {
	e.t.Helper()
	a, _, err := e.cab.Booking().Book(e.t.Context(), booking.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient},
		booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: start})
	require.NoError(e.t, err)
	return a
}

// inbox maps each of Anna's messages' kind (and, for reminders, the offset
// in its key) to its status.
func (e *clinicEnv) inbox() []notify.Message {
	e.t.Helper()
	msgs, err := e.cab.Notify().Inbox(e.t.Context(), e.anna.User.ID, time.Time{}, "", 200)
	require.NoError(e.t, err)
	return msgs
}

func (e *clinicEnv) count(kind string, status notify.Status) int {
	n := 0
	for _, m := range e.inbox() {
		if m.Kind == kind && m.Status == status {
			n++
		}
	}
	return n
}

func (e *clinicEnv) mails() int {
	e.sink.mu.Lock()
	defer e.sink.mu.Unlock()
	return len(e.sink.msgs)
}

// parts lists the content types of a mail's parts, nested ones included,
// with the decoded body of each.
func parts(t *testing.T, m *mail.Message) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(contentType string, body io.Reader)
	walk = func(contentType string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(contentType)
		require.NoError(t, err)
		if !strings.HasPrefix(mt, "multipart/") {
			b, err := io.ReadAll(body)
			require.NoError(t, err)
			out[mt] = string(b)
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			require.NoError(t, err)
			var r io.Reader = p // quoted-printable is decoded by multipart already
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
				r = base64.NewDecoder(base64.StdEncoding, p)
			}
			walk(p.Header.Get("Content-Type"), r)
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body)
	return out
}

func TestBookingMessagesFromBookToCancel(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	mailsBefore := e.mails()

	wed12 := time.Date(2026, 12, 2, 12, 0, 0, 0, msk)
	a := e.book(wed12)
	e.cab.RunOnce(ctx)

	// The confirmation went out at once, with the visit in the calendar.
	require.Equal(t, mailsBefore+1, e.mails())
	conf := e.sink.last(t)
	assert.Equal(t, "anna@example.com", mustAddr(t, conf.Header.Get("To")))
	p := parts(t, conf)
	assert.Contains(t, p["text/plain"], "12:00", "the time in the branch's zone")
	assert.Contains(t, p["text/plain"], "декабря")
	assert.Contains(t, p["text/calendar"], "BEGIN:VEVENT")
	assert.Contains(t, p["text/calendar"], "Тверская", "the calendar event carries the address")
	assert.Equal(t, 1, e.count(notify.KindAppointmentBooked, notify.StatusSent))
	// Reminders wait: 24 h and 2 h before; Anna has only e-mail, so they go
	// there although reminders default to SMS.
	assert.Equal(t, 2, e.count(notify.KindReminder, notify.StatusPending))
	for _, m := range e.inbox() {
		if m.Kind == notify.KindReminder {
			assert.Equal(t, notify.ChannelEmail, m.Channel)
			before := wed12.Sub(m.DueAt)
			assert.True(t, before == 24*time.Hour || before == 2*time.Hour, "due %s before", before)
		}
	}

	// Moved to Thursday: the old reminders are withdrawn, new ones planned.
	thu12 := wed12.Add(24 * time.Hour)
	_, err := e.cab.Booking().Reschedule(ctx, booking.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient}, a.ID, thu12, "")
	require.NoError(t, err)
	e.cab.RunOnce(ctx)
	assert.Equal(t, 1, e.count(notify.KindAppointmentRescheduled, notify.StatusSent))
	assert.Equal(t, 2, e.count(notify.KindReminder, notify.StatusWithdrawn))
	assert.Equal(t, 2, e.count(notify.KindReminder, notify.StatusPending))
	assert.Contains(t, parts(t, e.sink.last(t))["text/plain"], "12:00")

	// A day before the visit the first reminder goes out.
	e.set(thu12.Add(-24 * time.Hour))
	mailsBefore = e.mails()
	e.cab.RunOnce(ctx)
	assert.Equal(t, mailsBefore+1, e.mails())
	assert.Equal(t, 1, e.count(notify.KindReminder, notify.StatusSent))
	assert.Contains(t, parts(t, e.sink.last(t))["text/plain"], "24 часа")

	// Cancelled: the 2-hour reminder is withdrawn, the cancellation sent.
	_, err = e.cab.Booking().Cancel(ctx, booking.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient}, a.ID, "")
	require.NoError(t, err)
	e.cab.RunOnce(ctx)
	assert.Equal(t, 1, e.count(notify.KindAppointmentCancelled, notify.StatusSent))
	assert.Equal(t, 0, e.count(notify.KindReminder, notify.StatusPending))
	assert.Equal(t, 3, e.count(notify.KindReminder, notify.StatusWithdrawn))
	cancelled := parts(t, e.sink.last(t))
	assert.Contains(t, cancelled["text/calendar"], "STATUS:CANCELLED", "the calendar drops the visit")

	// Planning again changes nothing: every message has its key.
	total := len(e.inbox())
	e.cab.RunOnce(ctx)
	assert.Len(t, e.inbox(), total)
}

func TestLateBookingSkipsTheRemindersItIsPast(t *testing.T) {
	e := newClinicEnv(t)
	// Booked at 10:00 for 13:00 the same day: the 24-hour reminder is past.
	e.book(monday10.Add(3 * time.Hour))
	e.cab.RunOnce(t.Context())
	var reminders []notify.Message
	for _, m := range e.inbox() {
		if m.Kind == notify.KindReminder {
			reminders = append(reminders, m)
		}
	}
	require.Len(t, reminders, 1)
	assert.True(t, monday10.Add(time.Hour).Equal(reminders[0].DueAt), "the 2-hour one, at 11:00")
}

func TestAftercareAfterACompletedVisit(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	start := monday10.Add(3 * time.Hour)
	a := e.book(start)
	e.cab.RunOnce(ctx)
	e.set(start.Add(90 * time.Minute))
	_, err := e.cab.Booking().Complete(ctx, e.admin, a.ID, "")
	require.NoError(t, err)
	e.cab.RunOnce(ctx)

	assert.Equal(t, 1, e.count(notify.KindReminder, notify.StatusWithdrawn), "the visit happened: its reminder is moot")
	var due []time.Duration
	for _, m := range e.inbox() {
		if m.Kind == notify.KindAftercareCheck || m.Kind == notify.KindAftercarePhoto {
			assert.Equal(t, notify.StatusPending, m.Status)
			assert.Equal(t, notify.CategoryReminders, m.Category)
			due = append(due, m.DueAt.Sub(a.End))
		}
	}
	assert.ElementsMatch(t, []time.Duration{24 * time.Hour, 7 * 24 * time.Hour}, due)

	e.set(a.End.Add(24 * time.Hour))
	e.cab.RunOnce(ctx)
	assert.Equal(t, 1, e.count(notify.KindAftercareCheck, notify.StatusSent))
	assert.Contains(t, parts(t, e.sink.last(t))["text/plain"], "https://clinic.example/cabinet/journal", "the link to the skin journal")
}

func TestAnotherInstancePlansWhatTheFirstCommitted(t *testing.T) {
	e := newClinicEnv(t)
	// The first process books and dies before planning anything.
	e.book(time.Date(2026, 12, 2, 12, 0, 0, 0, msk))
	// A fresh process on the same database picks the event up from the log.
	second := e.newCabinet()
	second.RunOnce(t.Context())
	assert.Equal(t, 1, e.count(notify.KindAppointmentBooked, notify.StatusSent))
	assert.Equal(t, 2, e.count(notify.KindReminder, notify.StatusPending))
}

// signInByPhone signs a client in with a code from the SMS outbox.
func (e *clinicEnv) signInByPhone(phone string) auth.SignIn {
	e.t.Helper()
	ctx := e.t.Context()
	tk, err := e.cab.Auth().RequestCode(ctx, auth.CodeRequest{Identifier: phone})
	require.NoError(e.t, err)
	msg, ok := e.sms.Last(phone)
	require.True(e.t, ok)
	in, err := e.cab.Auth().Verify(ctx, auth.VerifyRequest{ChallengeID: tk.ChallengeID,
		Code: regexp.MustCompile(`\b\d{6}\b`).FindString(msg.Body)})
	require.NoError(e.t, err)
	return in
}

func TestMessagesDoNotNameTheProcedure(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	boris := e.signInByPhone("+79001234567")
	e.book(time.Date(2026, 12, 2, 12, 0, 0, 0, msk))
	_, _, err := e.cab.Booking().Book(ctx, booking.Actor{UserID: boris.User.ID, Role: booking.RoleClient},
		booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: time.Date(2026, 12, 2, 15, 0, 0, 0, msk)})
	require.NoError(t, err)
	e.cab.RunOnce(ctx)

	mail := e.sink.last(t)
	p := parts(t, mail)
	require.Contains(t, p["text/calendar"], "BEGIN:VEVENT")
	subject, err := new(mime.WordDecoder).DecodeHeader(mail.Header.Get("Subject"))
	require.NoError(t, err)
	for name, body := range map[string]string{"subject": subject, "text": p["text/plain"], "html": p["text/html"], "calendar": p["text/calendar"]} {
		assert.NotContains(t, body, "пилинг", "the e-mail's %s names no procedure", name)
	}
	sms, ok := e.sms.Last("+79001234567")
	require.True(t, ok)
	assert.Contains(t, sms.Body, "15:00", "the SMS is the confirmation")
	assert.NotContains(t, sms.Body, "пилинг")
}

func TestNamingTheProcedureIsTheClinicsChoice(t *testing.T) {
	e := newClinicEnv(t)
	// The same clinic, now configured to name procedures in e-mails.
	host, port, err := net.SplitHostPort(e.sink.addr)
	require.NoError(t, err)
	portN, err := strconv.Atoi(port)
	require.NoError(t, err)
	mailer, err := notify.NewSMTP(notify.SMTPConfig{Host: host, Port: portN, From: "Clinic <no-reply@clinic.example>", Security: notify.SMTPPlain})
	require.NoError(t, err)
	cab, err := cabinet.New(cabinet.Config{Store: e.st, Secret: bytes.Repeat([]byte("s"), 32), Mail: mailer, SMS: e.sms,
		ClinicName: "Клиника Анны", Now: e.clock, NameProceduresInMessages: true})
	require.NoError(t, err)
	e.book(time.Date(2026, 12, 2, 12, 0, 0, 0, msk))
	cab.RunOnce(t.Context())
	p := parts(t, e.sink.last(t))
	assert.Contains(t, p["text/plain"], "Миндальный пилинг")
	assert.Contains(t, p["text/calendar"], "SUMMARY:Миндальный пилинг")
}

func TestRefusedBookingSendsNothing(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	boris := e.signInByPhone("+79001234567")
	wed12 := time.Date(2026, 12, 2, 12, 0, 0, 0, msk)
	e.book(wed12)
	_, _, err := e.cab.Booking().Book(ctx, booking.Actor{UserID: boris.User.ID, Role: booking.RoleClient},
		booking.BookRequest{ServiceID: "peel", BranchID: "b1", SpecialistID: "A", Start: wed12})
	require.ErrorIs(t, err, booking.ErrSlotTaken)
	smsBefore := len(e.sms.Messages())
	e.cab.RunOnce(ctx)

	inbox, err := e.cab.Notify().Inbox(ctx, boris.User.ID, time.Time{}, "", 200)
	require.NoError(t, err)
	assert.Empty(t, inbox, "a refused booking has no event, so no message")
	assert.Len(t, e.sms.Messages(), smsBefore, "no SMS went to Boris")
	assert.Equal(t, 1, e.count(notify.KindAppointmentBooked, notify.StatusSent), "Anna's booking was confirmed")
}

func TestMovesKeepExactlyOneSetOfReminders(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	anna := booking.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient}
	wed12 := time.Date(2026, 12, 2, 12, 0, 0, 0, msk)
	a := e.book(wed12)
	e.cab.RunOnce(ctx)
	for _, step := range []struct {
		name       string
		start      time.Time
		specialist string
	}{
		{"moved to Thursday", wed12.Add(24 * time.Hour), ""},
		{"moved back to Wednesday", wed12, ""},
		{"the same time with another specialist", wed12, "B"},
	} {
		_, err := e.cab.Booking().Reschedule(ctx, anna, a.ID, step.start, step.specialist)
		require.NoError(t, err, step.name)
		e.cab.RunOnce(ctx)
		var pending []time.Time
		for _, m := range e.inbox() {
			if m.Kind == notify.KindReminder && m.Status == notify.StatusPending {
				pending = append(pending, m.DueAt)
			}
		}
		assert.ElementsMatch(t, []time.Time{step.start.Add(-24 * time.Hour).UTC(), step.start.Add(-2 * time.Hour).UTC()},
			utc(pending), step.name)
	}
}

func utc(ts []time.Time) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}

// Three processes (two planning loops each) plan the same log at the same
// time, while the visit moves:
// the consumer's lease gives each event to one of them, so the visit ends
// with exactly its two reminders — none withdrawn by a second planning of
// a move, none doubled.
func TestInstancesPlanEachEventOnce(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	second, third := e.newCabinet(), e.newCabinet()
	anna := booking.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient}
	wed12 := time.Date(2026, 12, 2, 12, 0, 0, 0, msk)
	a := e.book(wed12)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, cab := range []*cabinet.Cabinet{e.cab, second, third, e.cab, second, third} {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := cab.Plan(ctx)
				assert.NoError(t, err)
			}
		})
	}
	last := wed12
	for i := range 12 {
		last = wed12.Add(time.Duration(i%3+1) * 24 * time.Hour)
		_, err := e.cab.Booking().Reschedule(ctx, anna, a.ID, last, "")
		require.NoError(t, err)
		time.Sleep(5 * time.Millisecond) // planners at work on the move meanwhile
	}
	close(stop)
	wg.Wait()
	_, err := second.Plan(ctx) // whatever is left
	require.NoError(t, err)

	var pending []time.Time
	for _, m := range e.inbox() {
		if m.Kind == notify.KindReminder && m.Status == notify.StatusPending {
			pending = append(pending, m.DueAt)
		}
	}
	assert.ElementsMatch(t, []time.Time{last.Add(-24 * time.Hour).UTC(), last.Add(-2 * time.Hour).UTC()}, utc(pending))
	moves := 0
	for _, m := range e.inbox() {
		if m.Kind == notify.KindAppointmentRescheduled {
			moves++
		}
	}
	assert.Equal(t, 12, moves, "a message per move (by e-mail, her one channel), planned once")
}

// stallStore holds the first fenced withdrawal until resume is closed: a
// process paused in the middle of planning a move.
type stallStore struct {
	cabinet.Store
	armed   atomic.Bool
	entered chan struct{}
	resume  chan struct{}
}

func (s *stallStore) WithdrawUnderLease(ctx context.Context, ref string, kinds []string, reason, consumer, owner string, at time.Time) (int, error) {
	if s.armed.CompareAndSwap(true, false) {
		close(s.entered)
		<-s.resume
	}
	return s.Store.WithdrawUnderLease(ctx, ref, kinds, reason, consumer, owner, at)
}

// A process that paused past its lease while planning a move, and another
// took over and planned the move: when the first resumes, its withdrawal
// is refused (it no longer holds the lease), so the reminders the second
// queued stay.
func TestStalePlannerCannotWithdrawWhatTheNextQueued(t *testing.T) {
	e := newClinicEnv(t)
	ctx := t.Context()
	anna := booking.Actor{UserID: e.anna.User.ID, Role: booking.RoleClient}
	wed12 := time.Date(2026, 12, 2, 12, 0, 0, 0, msk)
	a := e.book(wed12)
	_, err := e.cab.Plan(ctx)
	require.NoError(t, err)

	// Process A: the same database, its own clock, stalling in a withdrawal.
	stall := &stallStore{Store: e.st, entered: make(chan struct{}), resume: make(chan struct{})}
	aNow := e.clock()
	procA, err := cabinet.New(cabinet.Config{Store: stall, Secret: bytes.Repeat([]byte("s"), 32), SMS: e.sms,
		ClinicName: "Клиника Анны", Now: func() time.Time { return aNow }})
	require.NoError(t, err)

	thu12 := wed12.Add(24 * time.Hour)
	_, err = e.cab.Booking().Reschedule(ctx, anna, a.ID, thu12, "")
	require.NoError(t, err)
	stall.armed.Store(true)
	errA := make(chan error, 1)
	go func() { _, err := procA.Plan(ctx); errA <- err }()
	<-stall.entered // A holds the lease, inside the move's withdrawal

	e.set(e.clock().Add(3 * time.Minute)) // past A's lease
	_, err = e.cab.Plan(ctx)              // B takes it over and plans the move
	require.NoError(t, err)
	pending := func() []time.Time {
		var out []time.Time
		for _, m := range e.inbox() {
			if m.Kind == notify.KindReminder && m.Status == notify.StatusPending {
				out = append(out, m.DueAt.UTC())
			}
		}
		return out
	}
	want := []time.Time{thu12.Add(-24 * time.Hour).UTC(), thu12.Add(-2 * time.Hour).UTC()}
	require.ElementsMatch(t, want, pending())

	close(stall.resume)
	assert.ErrorIs(t, <-errA, notify.ErrLeaseLost, "A's late withdrawal is refused")
	assert.ElementsMatch(t, want, pending(), "B's reminders stay")
}
