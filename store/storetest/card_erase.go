package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// runCardErase checks card.EraseStore and auth.ChallengeConsumer: after
// EraseClient no read method of the store finds anything by the client's
// ID, phone or e-mail, what the clinic keeps is there under the pseudonym,
// and nobody else's data changed.
func runCardErase(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("EraseClient", func(t *testing.T) { testEraseClient(t, open) })
	t.Run("EraseRefusals", func(t *testing.T) { testEraseRefusals(t, open) })
	t.Run("EraseHealthData", func(t *testing.T) { testEraseHealthData(t, open) })
	t.Run("ErasePendingBlobs", func(t *testing.T) { testErasePendingBlobs(t, open) })
	t.Run("ConsumeChallenge", func(t *testing.T) { testConsumeChallenge(t, open) })
}

const erasedPseudonym = "erased-5f0c2a9d7e3b41c68a0f9d2e7b6c1a30"

// eraseFixture is a client with something of every kind, and another
// client with the same kinds who must stay untouched.
type eraseFixture struct {
	st     cabinet.Store
	client string // ec-1: phoneA, emailA
	other  string // ec-2: phoneB, emailB
}

func seedErase(t *testing.T, st cabinet.Store) eraseFixture {
	t.Helper()
	ctx := t.Context()
	seedProducts(t, st) // the clinic and the catalog
	f := eraseFixture{st: st, client: "ec-1", other: "ec-2"}
	for _, c := range []struct {
		id           string
		phone, email auth.Identifier
	}{{f.client, phoneA, emailA}, {f.other, phoneB, emailB}} {
		u := newUser(c.id)
		u.Phone, u.Email = c.phone.Value, c.email.Value
		require.NoError(t, st.CreateUser(ctx, u))
		signIn(t, st, c.phone, c.id, "s-"+c.id, t0)
		// An open erase challenge, an open sign-in challenge by e-mail.
		require.NoError(t, st.CreateChallenge(ctx, newChallenge("ch-erase-"+c.id, c.phone, auth.PurposeErase, c.id)))
		require.NoError(t, st.CreateChallenge(ctx, newChallenge("ch-mail-"+c.id, c.email, auth.PurposeSignIn, "")))
		require.NoError(t, st.RecordRate(ctx, t0, "code:id_hour:"+c.phone.Value, "verify:fail:"+c.email.Value,
			"app:export:"+c.id))

		// The questionnaire, two versions; consents.
		p := fullProfile()
		require.NoError(t, st.AppendConsent(ctx, profileConsent("cons-h-"+c.id, c.id, card.ConsentHealthData, true, t0)))
		require.NoError(t, st.AppendConsent(ctx, profileConsent("cons-p-"+c.id, c.id, card.ConsentPhotos, true, t0)))
		require.NoError(t, st.AppendProfileVersion(ctx, profileVersion(c.id, 1, p)))
		p.Name = "Анна П."
		require.NoError(t, st.AppendProfileVersion(ctx, profileVersion(c.id, 2, p)))

		// Appointments: a completed visit with a note, a visit cancelled by
		// the client, a future one the erasure has cancelled (as the
		// service does, through booking) and one still booked; a plan.
		plan := booking.Plan{ID: "plan-" + c.id, ClientID: c.id, SpecialistID: anna.ID, ServiceID: consult.ID,
			BranchID: branchCentre.ID, Sessions: 4, Interval: 28 * 24 * time.Hour, Status: booking.PlanActive,
			Notes: "курс от акне", CreatedBy: "u-anna", CreatedAt: t0}
		require.NoError(t, st.CreatePlan(ctx, plan))
		spec := map[string]string{f.client: anna.ID, f.other: boris.ID}[c.id]
		done := book(t, st, appt("a-done-"+c.id, c.id, spec, at(9, 0), time.Hour, func(a *booking.Appointment) { a.PlanID = plan.ID }))
		_, err := st.SetStatus(ctx, done.ID, []booking.Status{booking.StatusConfirmed},
			booking.StatusChange{To: booking.StatusCompleted, At: at(10, 0), By: "u-anna"}, ptr("кожа спокойная"),
			booking.Event{Type: booking.EventCompleted})
		require.NoError(t, err)
		_, err = st.PutVisitNote(ctx, card.VisitNote{AppointmentID: done.ID, ClientID: c.id, Notes: "раздражение после пилинга",
			WrittenBy: "u-anna", CreatedAt: at(10, 0), UpdatedAt: at(10, 0)})
		require.NoError(t, err)
		book(t, st, appt("a-gone-"+c.id, c.id, spec, at(11, 0), time.Hour))
		_, err = st.SetStatus(ctx, "a-gone-"+c.id, []booking.Status{booking.StatusConfirmed},
			booking.StatusChange{To: booking.StatusCancelled, At: t0, By: c.id, Reason: "заболела гриппом"}, nil,
			booking.Event{Type: booking.EventCancelled})
		require.NoError(t, err)
		future := appt("a-next-"+c.id, c.id, spec, at(15, 0), time.Hour)
		_, created, err := st.CreateAppointment(ctx, future, "idem-"+c.id, bookedEvent(future))
		require.NoError(t, err)
		require.True(t, created)
		_, err = st.SetStatus(ctx, future.ID, []booking.Status{booking.StatusConfirmed},
			booking.StatusChange{To: booking.StatusCancelled, At: t0, By: c.id, Reason: card.EraseCancelReason}, nil,
			booking.Event{Type: booking.EventCancelled})
		require.NoError(t, err)

		// Photos, one linked from a journal entry.
		ph := photoRow("ph-"+c.id, c.id, card.PhotoBefore, card.AreaFace, photoDay(20), t0)
		require.NoError(t, st.CreatePhoto(ctx, ph, 0))
		require.NoError(t, st.CreatePhoto(ctx, photoRow("ph2-"+c.id, c.id, card.PhotoAfter, card.AreaFace, photoDay(21), t0), 0))
		require.NoError(t, st.AddJournalEntry(ctx, card.JournalEntry{ID: "j-" + c.id, ClientID: c.id, Date: photoDay(20),
			Kind: card.JournalSelfAssessment, AuthorID: c.id, Scores: map[card.ConcernCode]int{card.ConcernAcne: 6},
			Notes: "сыпь на подбородке", PhotoIDs: []string{ph.ID}, CreatedAt: t0}))

		// Orders: one completed, one cancelled by the client.
		o := newOrder("o-done-"+c.id, c.id, line(productSerum, 1))
		_, _, err = st.CreateOrder(ctx, o, "order-key-"+c.id, 0, placedEvent(o))
		require.NoError(t, err)
		_, err = moveOrder(t, st, o.ID, card.OrderCompleted, t0.Add(time.Hour))
		require.NoError(t, err)
		o2 := newOrder("o-gone-"+c.id, c.id, line(productSerum, 1))
		placeOrder(t, st, o2)
		_, err = st.SetOrderStatus(ctx, o2.ID, []card.OrderStatus{card.OrderNew},
			card.OrderChange{To: card.OrderCancelled, At: t0.Add(time.Hour), By: c.id, Reason: "передумала"},
			card.OrderEvent{Type: card.EventOrderCancelled, By: c.id})
		require.NoError(t, err)

		// Notifications: a sent and a pending message, settings, a push
		// subscription.
		enqueue(t, st,
			message("m-sent-"+c.id, t0, withUser(c.id), withRef("appointment:a-done-"+c.id, "reminder")),
			message("m-wait-"+c.id, t0.Add(48*time.Hour), withUser(c.id), withRef("appointment:a-next-"+c.id, "reminder")))
		sent := claim(t, st, "w", t0, 10)
		for _, m := range sent {
			require.NoError(t, st.FinishMessage(ctx, m.ID, "w", notify.Result{Status: notify.StatusSent, ProviderID: "p", At: t0}))
		}
		require.NoError(t, st.SaveNotificationSettings(ctx, c.id, notify.Settings{
			Channels:         map[notify.Category][]notify.Channel{notify.CategoryReminders: {notify.ChannelSMS}},
			MarketingConsent: &notify.Consent{At: t0, Source: "cabinet", Version: "v1"}, QuietStart: 21 * 60, QuietEnd: 9 * 60,
			TimeZone: "Europe/Moscow", UpdatedAt: t0}))
		require.NoError(t, st.SavePushSubscription(ctx, notify.Subscription{ID: "push-" + c.id, UserID: c.id,
			Endpoint: "https://push.example/" + c.id, P256dh: "key", Auth: "auth", UserAgent: "Firefox", CreatedAt: t0}))

		// A personal offer given.
		_, err = st.GiveOffers(ctx, []card.GivenOffer{givenOffer(c.id, "birthday", 1, t0, []string{"svc-a"})})
		require.NoError(t, err)

		// Audit entries by and about the client.
		for i, e := range []auth.AuditEntry{
			{ActorID: c.id, Action: auth.ActionSignIn, Subject: "s-" + c.id, IP: "192.0.2.7"},
			{ActorID: "u-anna", Action: card.ActionCardViewed, Subject: c.id, Detail: "profile"},
		} {
			e.ID, e.At = fmt.Sprintf("audit-%s-%d", c.id, i), t0
			require.NoError(t, st.AppendAudit(ctx, e))
		}
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func testEraseClient(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	f := seedErase(t, st)
	c, p := f.client, erasedPseudonym
	before := snapshot(t, st, f.other)
	eventsBefore := len(allEvents(t, st))

	keys, err := st.EraseClient(ctx, card.Erasure{ClientID: c, Pseudonym: p, At: t0.Add(2 * time.Hour),
		CancelReason: card.EraseCancelReason,
		Audit: auth.AuditEntry{ID: "audit-erased", At: t0.Add(2 * time.Hour), ActorID: p, Action: card.ActionDataErased,
			Subject: p, Detail: "account"}})
	require.NoError(t, err)
	var want []string
	for _, id := range []string{"ph-" + c, "ph2-" + c} {
		ph := photoRow(id, c, card.PhotoBefore, card.AreaFace, photoDay(20), t0)
		want = append(want, ph.Original.Key, ph.Medium.Key, ph.Thumb.Key)
	}
	assert.ElementsMatch(t, want, keys, "every file of every photo")
	pending, err := st.PendingBlobDeletions(ctx, 100)
	require.NoError(t, err)
	assert.ElementsMatch(t, want, pending, "recorded in the transaction")

	t.Run("nothing is found by the client", func(t *testing.T) {
		_, err := st.UserByID(ctx, c)
		assert.ErrorIs(t, err, auth.ErrNotFound)
		for _, id := range []auth.Identifier{phoneA, emailA} {
			_, err := st.UserByIdentifier(ctx, id)
			assert.ErrorIs(t, err, auth.ErrNotFound, id.Value)
		}
		_, _, err = st.SessionByTokenHash(ctx, hash("token-s-"+c))
		assert.ErrorIs(t, err, auth.ErrNotFound, "the session")
		sessions, err := st.ListSessions(ctx, c)
		require.NoError(t, err)
		assert.Empty(t, sessions)
		for _, ch := range []string{"ch-erase-" + c, "ch-mail-" + c} {
			_, err := st.AttemptChallenge(ctx, ch, t0)
			assert.ErrorIs(t, err, auth.ErrCodeExpired, ch)
		}
		// The identifiers' rate-limit events are gone: the limit is free.
		for _, key := range []string{"code:id_hour:" + phoneA.Value, "verify:fail:" + emailA.Value, "app:export:" + c} {
			assert.NoError(t, st.CheckRate(ctx, t0, auth.RateLimit{Name: "x", Key: key, Window: time.Hour, Max: 1}), key)
		}
		assert.Error(t, st.CheckRate(ctx, t0, auth.RateLimit{Name: "x", Key: "code:id_hour:" + phoneB.Value, Window: time.Hour, Max: 1}),
			"another client's limits stay")

		_, err = st.LatestProfile(ctx, c)
		assert.ErrorIs(t, err, card.ErrNotFound)
		_, err = st.ProfileVersions(ctx, c, 0, 10)
		assert.ErrorIs(t, err, card.ErrNotFound)
		_, err = st.Consents(ctx, c)
		assert.ErrorIs(t, err, card.ErrNotFound)
		_, err = st.CurrentConsent(ctx, c, card.ConsentHealthData)
		assert.ErrorIs(t, err, card.ErrNotFound)
		photos, err := st.Photos(ctx, card.PhotoFilter{ClientID: c})
		require.NoError(t, err)
		assert.Empty(t, photos)
		_, err = st.PhotoByID(ctx, "ph-"+c)
		assert.ErrorIs(t, err, card.ErrNotFound)
		entries, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: c})
		require.NoError(t, err)
		assert.Empty(t, entries)
		notes, err := st.VisitNotes(ctx, c)
		require.NoError(t, err)
		assert.Empty(t, notes)
		_, err = st.VisitNote(ctx, "a-done-"+c)
		assert.ErrorIs(t, err, card.ErrNotFound, "the visit's note is health data")

		appts, err := st.Appointments(ctx, booking.AppointmentFilter{ClientID: c})
		require.NoError(t, err)
		assert.Empty(t, appts)
		_, err = st.AppointmentByIdempotencyKey(ctx, c, "idem-"+c)
		assert.ErrorIs(t, err, booking.ErrNotFound)
		plans, err := st.Plans(ctx, c)
		require.NoError(t, err)
		assert.Empty(t, plans)
		orders, err := st.Orders(ctx, card.OrderFilter{ClientID: c})
		require.NoError(t, err)
		assert.Empty(t, orders)
		_, err = st.OrderByIdempotencyKey(ctx, c, "order-key-"+c)
		assert.ErrorIs(t, err, card.ErrNotFound)

		msgs, err := st.Messages(ctx, notify.MessageFilter{UserID: c})
		require.NoError(t, err)
		assert.Empty(t, msgs)
		_, err = st.MessageByKey(ctx, "key-m-wait-"+c)
		assert.ErrorIs(t, err, notify.ErrNotFound, "the queued message is gone: it is never sent")
		_, err = st.NotificationSettings(ctx, c)
		assert.ErrorIs(t, err, notify.ErrNotFound)
		subs, err := st.PushSubscriptions(ctx, c)
		require.NoError(t, err)
		assert.Empty(t, subs)

		for _, f := range []auth.AuditFilter{{ActorID: c}, {Subject: c}} {
			entries, err := st.ListAudit(ctx, f)
			require.NoError(t, err)
			assert.Empty(t, entries)
		}
		for _, ev := range allEvents(t, st) {
			assert.NotEqual(t, c, ev.ClientID)
			assert.NotEqual(t, c, ev.Appointment.ClientID)
			assert.NotEqual(t, c, ev.Appointment.CreatedBy)
			assert.NotEqual(t, c, ev.Appointment.CancelledBy)
		}
		orderEvents, err := st.OrderEventsAfter(ctx, 0, 1000)
		require.NoError(t, err)
		for _, ev := range orderEvents {
			assert.NotEqual(t, c, ev.ClientID)
			assert.NotEqual(t, c, ev.By)
			assert.NotEqual(t, c, ev.Order.ClientID)
			assert.NotEqual(t, c, ev.Order.CreatedBy)
		}
	})

	t.Run("what the clinic keeps is under the pseudonym", func(t *testing.T) {
		appts, err := st.Appointments(ctx, booking.AppointmentFilter{ClientID: p})
		require.NoError(t, err)
		require.Equal(t, []string{"a-done-" + c, "a-gone-" + c, "a-next-" + c}, ids(appts))
		done, gone, next := appts[0], appts[1], appts[2]
		assert.Equal(t, booking.StatusCompleted, done.Status)
		assert.Equal(t, consult.Price, done.Price, "prices stay")
		assert.True(t, done.Start.Equal(at(9, 0)), "times stay")
		for _, a := range appts {
			assert.Empty(t, a.ClientNote, "the client's words go")
			assert.Empty(t, a.Notes, "so do the staff's notes about them")
			assert.Equal(t, p, a.CreatedBy)
		}
		assert.Equal(t, p, gone.CancelledBy)
		assert.Empty(t, gone.CancelReason, "the client's own reason goes")
		assert.Equal(t, booking.StatusCancelled, next.Status)
		assert.Equal(t, card.EraseCancelReason, next.CancelReason, "staff see why it was cancelled")
		hist, err := st.History(ctx, next.ID)
		require.NoError(t, err)
		require.Len(t, hist, 2)
		assert.Equal(t, p, hist[1].By)
		assert.Equal(t, card.EraseCancelReason, hist[1].Reason)
		hist, err = st.History(ctx, gone.ID)
		require.NoError(t, err)
		assert.Empty(t, hist[len(hist)-1].Reason)

		plans, err := st.Plans(ctx, p)
		require.NoError(t, err)
		require.Len(t, plans, 1)
		assert.Equal(t, booking.PlanCancelled, plans[0].Status, "an active course ends")
		assert.Empty(t, plans[0].Notes)
		assert.Equal(t, 4, plans[0].Sessions)

		orders, err := st.Orders(ctx, card.OrderFilter{ClientID: p})
		require.NoError(t, err)
		require.Len(t, orders, 2, "the sales stay")
		for _, o := range orders {
			assert.Empty(t, o.Note)
			assert.Empty(t, o.CancelReason)
			assert.Equal(t, p, o.CreatedBy)
			assert.Equal(t, productSerum.Price, o.Items[0].UnitPrice)
		}

		var erased []auth.AuditEntry
		for _, f := range []auth.AuditFilter{{ActorID: p}, {Subject: p}} {
			entries, err := st.ListAudit(ctx, f)
			require.NoError(t, err)
			erased = append(erased, entries...)
		}
		var ids []string
		for _, e := range erased {
			ids = append(ids, e.ID)
		}
		assert.Subset(t, ids, []string{"audit-" + c + "-0", "audit-" + c + "-1", "audit-erased"},
			"the trail keeps the client's entries under the pseudonym, and the erasure's")

		evs := allEvents(t, st)
		assert.Len(t, evs, eventsBefore, "no event is lost")
		for _, ev := range evs {
			if ev.ClientID != p {
				continue
			}
			assert.Empty(t, ev.Appointment.ClientNote)
			assert.Empty(t, ev.Appointment.Notes)
			if ev.AppointmentID == gone.ID && ev.Type == booking.EventCancelled {
				assert.Empty(t, ev.Appointment.CancelReason)
			}
			if ev.AppointmentID == next.ID && ev.Type == booking.EventCancelled {
				assert.Equal(t, card.EraseCancelReason, ev.Appointment.CancelReason)
			}
		}
	})

	t.Run("the other client is untouched", func(t *testing.T) {
		assert.Equal(t, before, snapshot(t, st, f.other))
	})

	t.Run("again", func(t *testing.T) {
		_, err := st.EraseClient(ctx, card.Erasure{ClientID: c, Pseudonym: "erased-again", At: t0,
			Audit: auth.AuditEntry{ID: "audit-again", At: t0, Action: card.ActionDataErased}})
		assert.ErrorIs(t, err, card.ErrNotFound, "erased already")
		entries, err := st.ListAudit(ctx, auth.AuditFilter{ActorID: "erased-again"})
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing written")
	})
}

// snapshot reads everything of a client through the store's read methods.
func snapshot(t *testing.T, st cabinet.Store, client string) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	add := func(what string, v any, err error) {
		require.NoError(t, err, what)
		fmt.Fprintf(&b, "%s: %+v\n", what, v)
	}
	u, err := st.UserByID(ctx, client)
	add("user", u, err)
	sessions, err := st.ListSessions(ctx, client)
	add("sessions", sessions, err)
	versions, err := st.ProfileVersions(ctx, client, 0, 100)
	add("versions", versions, err)
	consents, err := st.Consents(ctx, client)
	add("consents", consents, err)
	photos, err := st.Photos(ctx, card.PhotoFilter{ClientID: client})
	add("photos", photos, err)
	entries, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: client})
	add("journal", entries, err)
	notes, err := st.VisitNotes(ctx, client)
	add("notes", notes, err)
	appts, err := st.Appointments(ctx, booking.AppointmentFilter{ClientID: client})
	add("appointments", appts, err)
	for _, a := range appts {
		h, err := st.History(ctx, a.ID)
		add("history "+a.ID, h, err)
	}
	plans, err := st.Plans(ctx, client)
	add("plans", plans, err)
	orders, err := st.Orders(ctx, card.OrderFilter{ClientID: client})
	add("orders", orders, err)
	for _, o := range orders {
		h, err := st.OrderHistory(ctx, o.ID)
		add("order history "+o.ID, h, err)
	}
	msgs, err := st.Messages(ctx, notify.MessageFilter{UserID: client})
	add("messages", msgs, err)
	offers, err := st.OffersGiven(ctx, client)
	add("offers", offers, err)
	set, err := st.NotificationSettings(ctx, client)
	consent := set.MarketingConsent
	set.MarketingConsent = nil // a pointer: printed apart
	add("settings", set, err)
	add("marketing consent", consent, nil)
	subs, err := st.PushSubscriptions(ctx, client)
	add("push", subs, err)
	for _, f := range []auth.AuditFilter{{ActorID: client}, {Subject: client}} {
		list, err := st.ListAudit(ctx, f)
		add("audit", list, err)
	}
	var evs []booking.Event
	for _, ev := range allEvents(t, st) {
		if ev.ClientID == client {
			evs = append(evs, ev)
		}
	}
	add("events", evs, nil)
	return b.String()
}

func testEraseRefusals(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	staff := newUser("u-staff")
	staff.Roles = []auth.Role{auth.RoleClient, auth.RoleSpecialist}
	require.NoError(t, st.CreateUser(ctx, staff))
	profileClient(t, st, "ec-9")
	erasure := func(client, pseudonym string) card.Erasure {
		return card.Erasure{ClientID: client, Pseudonym: pseudonym, At: t0,
			Audit: auth.AuditEntry{ID: "audit-" + client + pseudonym, At: t0, ActorID: pseudonym, Action: card.ActionDataErased}}
	}

	_, err := st.EraseClient(ctx, erasure("u-staff", "erased-1"))
	assert.ErrorIs(t, err, card.ErrForbidden, "staff accounts are not erased this way")
	_, err = st.UserByID(ctx, "u-staff")
	assert.NoError(t, err)

	_, err = st.EraseClient(ctx, erasure("nobody", "erased-2"))
	assert.ErrorIs(t, err, card.ErrNotFound)

	for name, e := range map[string]card.Erasure{
		"no pseudonym":      erasure("ec-9", ""),
		"pseudonym = ID":    erasure("ec-9", "ec-9"),
		"no client":         erasure("", "erased-3"),
		"no time":           func() card.Erasure { e := erasure("ec-9", "erased-4"); e.At = time.Time{}; return e }(),
		"no audit entry ID": func() card.Erasure { e := erasure("ec-9", "erased-5"); e.Audit.ID = ""; return e }(),
		"no audit action":   func() card.Erasure { e := erasure("ec-9", "erased-6"); e.Audit.Action = ""; return e }(),
	} {
		_, err := st.EraseClient(ctx, e)
		assert.ErrorIs(t, err, card.ErrInvalidInput, name)
	}
	_, err = st.UserByID(ctx, "ec-9")
	assert.NoError(t, err, "nothing was erased")
}

func testEraseHealthData(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	f := seedErase(t, st)
	before := snapshot(t, st, f.other)
	p := fullProfile()
	p.Name = "Анна П."
	require.NoError(t, st.AppendProfileVersion(ctx, profileVersion(f.client, 3, card.Profile{Name: "Анна", Locale: "ru"})))

	got, err := st.EraseHealthData(ctx, f.client)
	require.NoError(t, err)
	assert.Equal(t, card.HealthErasure{Versions: 2, JournalEntries: 1}, got, "version 3 had no health answers")

	versions, err := st.ProfileVersions(ctx, f.client, 0, 10)
	require.NoError(t, err)
	require.Len(t, versions, 3, "every version stays")
	for _, v := range versions {
		assert.False(t, v.Profile.HasHealthAnswers(), "version %d", v.Version)
		assert.NotEmpty(t, v.Profile.Name, "personal answers stay")
		assert.Equal(t, f.client, v.ChangedBy)
		assert.True(t, v.At.Equal(t0.Add(time.Duration(v.Version)*time.Minute)), "its time stays")
	}
	assert.Equal(t, p.BirthDate, versions[1].Profile.BirthDate)
	entries, err := st.JournalEntries(ctx, card.JournalFilter{ClientID: f.client})
	require.NoError(t, err)
	assert.Empty(t, entries)
	photos, err := st.Photos(ctx, card.PhotoFilter{ClientID: f.client})
	require.NoError(t, err)
	assert.Len(t, photos, 2, "photos are a part of their own")
	consents, err := st.Consents(ctx, f.client)
	require.NoError(t, err)
	assert.Len(t, consents, 2, "the consent records stay")
	assert.Equal(t, before, snapshot(t, st, f.other))

	got, err = st.EraseHealthData(ctx, f.client)
	require.NoError(t, err)
	assert.Zero(t, got, "again: nothing left")
	_, err = st.EraseHealthData(ctx, "nobody")
	assert.ErrorIs(t, err, card.ErrNotFound)
}

func testErasePendingBlobs(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	profileClient(t, st, "ec-a", "ec-b")
	for i, c := range []string{"ec-a", "ec-b"} {
		require.NoError(t, st.CreatePhoto(ctx, photoRow("ph-"+c, c, card.PhotoBefore, card.AreaFace, photoDay(1), t0), 0))
		at := t0.Add(time.Duration(i) * time.Hour)
		_, err := st.EraseClient(ctx, card.Erasure{ClientID: c, Pseudonym: "erased-" + c, At: at,
			Audit: auth.AuditEntry{ID: "audit-" + c, At: at, Action: card.ActionDataErased}})
		require.NoError(t, err)
	}
	a, b := photoRow("ph-ec-a", "", "", "", booking.Date{}, t0), photoRow("ph-ec-b", "", "", "", booking.Date{}, t0)

	keys, err := st.PendingBlobDeletions(ctx, 3)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a.Original.Key, a.Medium.Key, a.Thumb.Key}, keys, "oldest first")
	require.NoError(t, st.ForgetBlobDeletions(ctx, append(keys[:2:2], "unknown")))
	keys, err = st.PendingBlobDeletions(ctx, 1000)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a.Thumb.Key, b.Original.Key, b.Medium.Key, b.Thumb.Key}, keys)
	require.NoError(t, st.ForgetBlobDeletions(ctx, keys))
	require.NoError(t, st.ForgetBlobDeletions(ctx, nil))
	keys, err = st.PendingBlobDeletions(ctx, 10)
	require.NoError(t, err)
	assert.Empty(t, keys)
	for _, limit := range []int{0, -1, 1001} {
		_, err := st.PendingBlobDeletions(ctx, limit)
		assert.Error(t, err, "limit %d", limit)
	}
}

func testConsumeChallenge(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Parallel()
	st, ctx := open(t), t.Context()
	cc, ok := st.(auth.ChallengeConsumer)
	if !ok {
		t.Skip("the store does not implement auth.ChallengeConsumer")
	}
	profileClient(t, st, "ec-c", "ec-d")
	require.NoError(t, st.CreateChallenge(ctx, newChallenge("ch-1", phoneA, auth.PurposeErase, "ec-c")))

	assert.ErrorIs(t, cc.ConsumeChallenge(ctx, "ch-1", auth.PurposeErase, "ec-d", t0), auth.ErrCodeExpired, "another user's")
	assert.ErrorIs(t, cc.ConsumeChallenge(ctx, "ch-1", auth.PurposeSignIn, "ec-c", t0), auth.ErrCodeExpired, "another purpose")
	assert.ErrorIs(t, cc.ConsumeChallenge(ctx, "ch-1", auth.PurposeErase, "ec-c", t0.Add(codeTTL)), auth.ErrCodeExpired, "expired")
	assert.ErrorIs(t, cc.ConsumeChallenge(ctx, "nope", auth.PurposeErase, "ec-c", t0), auth.ErrCodeExpired)

	// The refusals changed nothing: of concurrent consumers, one succeeds.
	errs := parallel(16, func(int) error { return cc.ConsumeChallenge(ctx, "ch-1", auth.PurposeErase, "ec-c", t0) })
	ok = false
	for _, err := range errs {
		switch {
		case err == nil:
			assert.False(t, ok, "consumed twice")
			ok = true
		case !errors.Is(err, auth.ErrCodeExpired):
			t.Errorf("unexpected error %v", err)
		}
	}
	assert.True(t, ok, "consumed once")
	_, err := st.AttemptChallenge(ctx, "ch-1", t0)
	assert.ErrorIs(t, err, auth.ErrCodeExpired, "used")
}
