package cabinet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/notify"
)

// FollowUp is one care message after a completed procedure: Kind (a
// template kind, e.g. notify.KindAftercareCheck) sent After the visit ends.
type FollowUp struct {
	After time.Duration
	Kind  string
}

// DefaultReminders are the reminders before a visit: a day and two hours.
var DefaultReminders = []time.Duration{24 * time.Hour, 2 * time.Hour}

// bookingConsumer is the planner's name among the event log's consumers.
const bookingConsumer = "notify.booking"

// plannerBatch is how many events one pass reads at most.
const plannerBatch = 200

// confirmationsExpireAfter bounds how late a confirmation, change or
// cancellation may go out: the planner catching up on a long backlog (a
// first start on an old database) must not send last month's news.
const confirmationsExpireAfter = 24 * time.Hour

// planner turns the booking events into messages: confirmations, changes,
// cancellations, reminders before the visit and care follow-ups after it.
// It reads the event log with its own cursor, so a committed booking gets its
// messages even when the process died right after the commit; the messages'
// keys make planning an event twice harmless.
type planner struct {
	store     Store
	sched     *booking.Scheduler
	notifier  *notify.Notifier
	clinic    string
	publicURL string // the cabinet's public URL, for links; may be empty
	domain    string // for calendar UIDs
	reminders []time.Duration
	aftercare map[string][]FollowUp
	now       func() time.Time
	log       *slog.Logger
	// namesInMessages: name the procedure in e-mails and calendar files.
	namesInMessages bool
	// owner is this process's name on leases (Cabinet.turn adds a pass's
	// number to it).
	owner string
	turns atomic.Int64
}

// runOnce plans the events after the cursor, in order, and queues their
// messages in few transactions, each moving the cursor past the events whose
// messages it holds (a planBatch). On a failure it queues what the events
// before the failing one planned, leaves the cursor just before it, and
// returns the error; the event is planned again next time. It returns how
// many events it planned.
//
// With an owner, the cursor moves only while owner holds the consumer's
// lease (see Cabinet.Plan).
func (p *planner) runOnce(ctx context.Context, owner string) (int, error) {
	cursor, err := p.store.Cursor(ctx, bookingConsumer)
	if err != nil {
		return 0, err
	}
	events, err := p.store.EventsAfter(ctx, cursor, plannerBatch)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	pass := &pass{planner: p, batch: newPlanBatch(p, bookingConsumer, owner),
		services: map[string]booking.Service{}, branches: map[string]booking.Branch{}, specialists: map[string]string{}}
	planned := 0
	var planErr error
	for _, ev := range events {
		err := pass.plan(ctx, ev)
		if errors.Is(err, booking.ErrNotFound) {
			// Its service or branch is gone from the catalog: there is
			// nothing to say about it, and waiting will not change that.
			p.log.WarnContext(ctx, "cabinet: no messages for an event whose catalog entry is gone",
				"seq", ev.Seq, "type", ev.Type, "err", err)
			pass.batch.EventFailed()
			err = nil
		}
		if err != nil {
			pass.batch.EventFailed()
			planErr = fmt.Errorf("cabinet: planning messages for event %d (%s): %w", ev.Seq, ev.Type, err)
			break
		}
		pass.batch.EventDone(ev.Seq)
		planned++
	}
	if err := pass.batch.Flush(ctx); err != nil {
		return 0, err // the cursor did not move past what was not queued
	}
	return planned, planErr
}

// pass is one runOnce: its batch of messages and the catalog entries it
// read, so that a backlog of events reads each service, branch and
// specialist once.
type pass struct {
	*planner
	batch       *planBatch
	services    map[string]booking.Service
	branches    map[string]booking.Branch
	specialists map[string]string // names
}

func (p *pass) service(ctx context.Context, id string) (booking.Service, error) {
	if s, ok := p.services[id]; ok {
		return s, nil
	}
	s, err := p.store.ServiceByID(ctx, id)
	if err == nil {
		p.services[id] = s
	}
	return s, err
}

func (p *pass) branch(ctx context.Context, id string) (booking.Branch, error) {
	if b, ok := p.branches[id]; ok {
		return b, nil
	}
	b, err := p.store.BranchByID(ctx, id)
	if err == nil {
		p.branches[id] = b
	}
	return b, err
}

// zoneName is the branch's time zone: the quiet hours of clients who never
// chose a zone follow their branch's.
func (p *pass) zoneName(ctx context.Context, branchID string) string {
	if b, err := p.branch(ctx, branchID); err == nil {
		return b.TimeZone
	}
	return ""
}

// specialistName is the specialist's name, or "" when unknown.
func (p *pass) specialistName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if name, ok := p.specialists[id]; ok {
		return name
	}
	var name string
	if sp, err := p.store.SpecialistByID(ctx, id); err == nil {
		name = sp.Name
	}
	p.specialists[id] = name
	return name
}

func appointmentRef(id string) string { return "appointment:" + id }

// plan queues the messages of one event and withdraws the ones it makes
// obsolete.
func (p *pass) plan(ctx context.Context, ev booking.Event) error {
	a := ev.Appointment
	ref := appointmentRef(a.ID)
	switch ev.Type {
	case booking.EventBooked:
		if !a.Status.Active() {
			return nil // an imported past visit
		}
		kind := notify.KindAppointmentBooked
		if a.Status == booking.StatusPending {
			kind = notify.KindAppointmentPending
		}
		if err := p.tell(ctx, ev, kind, "booked:"+a.ID); err != nil {
			return err
		}
		if a.Status == booking.StatusConfirmed {
			return p.remind(ctx, ev)
		}
	case booking.EventConfirmed:
		if err := p.tell(ctx, ev, notify.KindAppointmentConfirmed, "confirmed:"+a.ID); err != nil {
			return err
		}
		return p.remind(ctx, ev)
	case booking.EventRescheduled:
		// Everything still pending about the old time goes: its reminders,
		// and a confirmation waiting for a retry, which would now be wrong.
		if _, err := p.batch.Withdraw(ctx, ref, "the visit was moved"); err != nil {
			return err
		}
		if err := p.tell(ctx, ev, notify.KindAppointmentRescheduled, "rescheduled:"+a.ID+":"+strconv.FormatInt(ev.Seq, 10)); err != nil {
			return err
		}
		if a.Status == booking.StatusConfirmed {
			return p.remind(ctx, ev)
		}
	case booking.EventCancelled:
		if _, err := p.batch.Withdraw(ctx, ref, "the visit was cancelled"); err != nil {
			return err
		}
		return p.tell(ctx, ev, notify.KindAppointmentCancelled, "cancelled:"+a.ID)
	case booking.EventNoShow:
		_, err := p.batch.Withdraw(ctx, ref, "the client did not come", notify.KindReminder)
		return err
	case booking.EventCompleted:
		if _, err := p.batch.Withdraw(ctx, ref, "the visit took place", notify.KindReminder); err != nil {
			return err
		}
		return p.followUps(ctx, ev)
	}
	return nil
}

// tell queues an appointments-category message about ev, with the visit's
// calendar file attached to the e-mail (a cancelled one cancels the event
// in the client's calendar).
func (p *pass) tell(ctx context.Context, ev booking.Event, kind, key string) error {
	data, info, err := p.appointmentData(ctx, ev)
	if err != nil {
		return err
	}
	ics := booking.ICS(ev.Appointment, info)
	method := "PUBLISH"
	if ev.Appointment.Status == booking.StatusCancelled {
		method = "CANCEL"
	}
	return p.batch.Notify(ctx, notify.Request{
		UserID: ev.ClientID, Category: notify.CategoryAppointments, Kind: kind, Key: key,
		Ref: appointmentRef(ev.AppointmentID), Data: data, ExpiresAt: ev.At.Add(confirmationsExpireAfter),
		Attachments: []notify.Attachment{{Name: "visit.ics", ContentType: "text/calendar; charset=utf-8; method=" + method, Data: ics}},
		URL:         appointmentPage(ev.AppointmentID),
	})
}

// remind queues the reminders of a confirmed visit: one per offset that is
// still ahead when the event happened (a visit booked 3 hours ahead gets
// the 2-hour reminder only). Each expires when the visit starts.
func (p *pass) remind(ctx context.Context, ev booking.Event) error {
	a := ev.Appointment
	var data notify.AppointmentData
	loaded := false
	for _, before := range p.reminders {
		due := a.Start.Add(-before)
		if due.Before(ev.At) {
			continue
		}
		if !loaded {
			var err error
			if data, _, err = p.appointmentData(ctx, ev); err != nil {
				return err
			}
			loaded = true
		}
		d := data
		d.Before = before
		err := p.batch.Notify(ctx, notify.Request{
			UserID: ev.ClientID, Category: notify.CategoryReminders, Kind: notify.KindReminder,
			// The event's seq is in the key: a visit moved away and back to
			// the same time gets fresh reminders, not the withdrawn ones' keys.
			Key: fmt.Sprintf("reminder:%s:%s:%d:%d", a.ID, before, a.Start.Unix(), ev.Seq),
			Ref: appointmentRef(a.ID), Data: d, DueAt: due, ExpiresAt: a.Start, URL: appointmentPage(a.ID),
			TimeZone: p.zoneName(ctx, a.BranchID),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// followUps queues the care messages configured for the service (or its
// category) after a completed visit.
func (p *pass) followUps(ctx context.Context, ev booking.Event) error {
	a := ev.Appointment
	svc, err := p.service(ctx, a.ServiceID)
	if err != nil {
		return err
	}
	steps, ok := p.aftercare[svc.ID]
	if !ok {
		steps = p.aftercare["category:"+svc.Category]
	}
	if len(steps) == 0 {
		return nil
	}
	data, _, err := p.appointmentData(ctx, ev)
	if err != nil {
		return err
	}
	for _, step := range steps {
		fd := notify.FollowUpData{
			ClinicName: data.ClinicName, Service: data.Service, Specialist: data.Specialist, Branch: data.Branch,
			Visit: data.Start, After: step.After, URL: p.link(journalPage),
		}
		err := p.batch.Notify(ctx, notify.Request{
			UserID: ev.ClientID, Category: notify.CategoryReminders, Kind: step.Kind,
			Key: fmt.Sprintf("aftercare:%s:%s:%s", a.ID, step.Kind, step.After),
			Ref: appointmentRef(a.ID), Data: fd, DueAt: a.End.Add(step.After), URL: journalPage,
			TimeZone: p.zoneName(ctx, a.BranchID),
			// A follow-up a week late is no longer care.
			ExpiresAt: a.End.Add(step.After + 3*24*time.Hour),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// appointmentData fills the template data of ev's appointment from the
// catalog, with times in the branch's zone.
func (p *pass) appointmentData(ctx context.Context, ev booking.Event) (notify.AppointmentData, booking.CalendarInfo, error) {
	a := ev.Appointment
	svc, err := p.service(ctx, a.ServiceID)
	if err != nil {
		return notify.AppointmentData{}, booking.CalendarInfo{}, err
	}
	br, err := p.branch(ctx, a.BranchID)
	if err != nil {
		return notify.AppointmentData{}, booking.CalendarInfo{}, err
	}
	specialist := p.specialistName(ctx, a.SpecialistID)
	loc := p.sched.BranchLocation(ctx, a.BranchID)
	d := notify.AppointmentData{
		ClinicName: p.clinic, Service: svc.Name, Specialist: specialist, Branch: br.Name, Address: br.Address,
		Start: a.Start.In(loc), End: a.End.In(loc), Reason: a.CancelReason,
		ByClinic: a.Status == booking.StatusCancelled && a.CancelledBy != "" && a.CancelledBy != a.ClientID,
		URL:      p.link(appointmentPage(a.ID)),
	}
	if !ev.OldStart.IsZero() {
		d.OldStart = ev.OldStart.In(loc)
	}
	info := booking.CalendarInfo{ClinicName: p.clinic, ServiceName: svc.Name, SpecialistName: specialist,
		Branch: br, Domain: p.domain, Now: p.now()}
	if !p.namesInMessages {
		d.Service, info.ServiceName = "", ""
	}
	return d, info, nil
}

// The cabinet pages messages link to: paths under the cabinet's root. Push
// notifications carry the path (the service worker opens it in the
// cabinet); texts carry it under Config.PublicURL.
const journalPage = "/journal"

func appointmentPage(id string) string { return "/appointments/" + url.PathEscape(id) }

// link is the cabinet page path under the public URL, or "" without one.
func (p *planner) link(path string) string {
	if p.publicURL == "" {
		return ""
	}
	return p.publicURL + path
}
