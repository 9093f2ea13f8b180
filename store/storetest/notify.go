package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
)

// The notify.Store and cabinet.Cursors part of the suite. Where the
// interface comments leave a choice open, backends agree on this:
//
//   - EnqueueMessages needs ID, Key, a known Category and Channel, and
//     CreatedAt, or fails and inserts nothing of the batch. An empty Status
//     is pending, a zero DueAt or UpdatedAt is CreatedAt; LeaseOwner and
//     LeaseUntil are ignored (a queued message is not leased). A key
//     repeated within one batch keeps its first message. No attachments
//     come back as nil.
//   - ClaimMessages returns its messages by DueAt, then ID; a lease whose
//     LeaseUntil equals now has run out. owner must not be empty, lease
//     and limit must be positive.
//   - FinishMessage by the owner of a lease that ran out but that nobody
//     took over is recorded. Any change to the message since the claim
//     (finished, withdrawn, released) makes it ErrLeaseLost. UpdatedAt
//     becomes r.At (required), SentAt too when sent; r.Error becomes
//     LastError in every outcome, "" included. A claim does not change
//     UpdatedAt.
//   - ReleaseMessage is silent for an unknown message or another owner's
//     lease, and changes nothing then.
//   - WithdrawMessages needs a ref.
//   - Messages needs UserID; a Limit of 0 or less is 50, more than 200 is
//     200. Before alone is strict; with BeforeID, messages created at Before
//     with a smaller ID follow.
//   - Settings: a category saved with an empty or nil list comes back with
//     an empty list, present in the map; a category not saved is absent.
//     UpdatedAt is required, and a consent needs its At.
//   - A push subscription saved again for its endpoint is replaced whole:
//     the new ID, user and CreatedAt; the old ID is gone.
//   - AdvanceCursor with a seq of 0 or less changes nothing.

// runNotify runs the notify.Store and cabinet.Cursors part of the suite.
func runNotify(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("NotifyEnqueue", func(t *testing.T) { testNotifyEnqueue(t, open) })
	t.Run("NotifyClaim", func(t *testing.T) { testNotifyClaim(t, open) })
	t.Run("NotifyFinish", func(t *testing.T) { testNotifyFinish(t, open) })
	t.Run("NotifyWithdraw", func(t *testing.T) { testNotifyWithdraw(t, open) })
	t.Run("NotifyMessages", func(t *testing.T) { testNotifyMessages(t, open) })
	t.Run("NotifySettings", func(t *testing.T) { testNotifySettings(t, open) })
	t.Run("NotifyPushSubscriptions", func(t *testing.T) { testNotifyPushSubscriptions(t, open) })
	t.Run("Cursors", func(t *testing.T) { testCursors(t, open) })
	t.Run("NotifyConcurrency", func(t *testing.T) { testNotifyConcurrency(t, open) })
}

// leaseFor is the lease of the suite's claims.
const leaseFor = time.Minute

// message returns a pending SMS reminder about appointment a-1 to user u-1,
// keyed "key-<id>", created at t0 and due at due; opts change it.
func message(id string, due time.Time, opts ...func(*notify.Message)) notify.Message {
	m := notify.Message{
		ID: id, Key: "key-" + id, UserID: "u-1", Category: notify.CategoryReminders, Kind: "reminder",
		Channel: notify.ChannelSMS, Locale: "ru", To: "+79123456789", Text: "Напоминаем о визите (" + id + ")",
		Ref: "appointment:a-1", Status: notify.StatusPending, DueAt: due, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func withRef(ref, kind string) func(*notify.Message) {
	return func(m *notify.Message) { m.Ref, m.Kind = ref, kind }
}

func withUser(userID string) func(*notify.Message) {
	return func(m *notify.Message) { m.UserID = userID }
}

func withCreated(at time.Time) func(*notify.Message) {
	return func(m *notify.Message) { m.CreatedAt, m.UpdatedAt = at, at }
}

func withChannel(c notify.Channel) func(*notify.Message) {
	return func(m *notify.Message) { m.Channel = c }
}

// enqueue queues msgs, every one of which must be new.
func enqueue(t *testing.T, st cabinet.Store, msgs ...notify.Message) {
	t.Helper()
	n, err := st.EnqueueMessages(t.Context(), msgs)
	require.NoError(t, err)
	require.Equal(t, len(msgs), n, "inserted")
}

// byKey returns the stored message with key.
func byKey(t *testing.T, st cabinet.Store, key string) notify.Message {
	t.Helper()
	m, err := st.MessageByKey(t.Context(), key)
	require.NoError(t, err)
	return m
}

// claim claims up to limit messages for owner at now, for leaseFor.
func claim(t *testing.T, st cabinet.Store, owner string, now time.Time, limit int) []notify.Message {
	t.Helper()
	list, err := st.ClaimMessages(t.Context(), owner, now, leaseFor, limit)
	require.NoError(t, err)
	return list
}

// leased is m as claimed by owner at now.
func leased(m notify.Message, owner string, now time.Time) notify.Message {
	m.LeaseOwner, m.LeaseUntil = owner, now.Add(leaseFor)
	return m
}

// sendNow claims the one due message at now and records it sent at now.
func sendNow(t *testing.T, st cabinet.Store, now time.Time) notify.Message {
	t.Helper()
	got := claim(t, st, "setup", now, 10)
	require.Len(t, got, 1)
	require.NoError(t, st.FinishMessage(t.Context(), got[0].ID, "setup",
		notify.Result{Status: notify.StatusSent, ProviderID: "prov-" + got[0].ID, At: now}))
	return got[0]
}

func messageIDs(list []notify.Message) []string {
	var ids []string
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	return ids
}

func testNotifyEnqueue(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("DuplicateKeys", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		first := message("m-1", t0)
		dup := message("m-2", t0.Add(time.Hour), func(m *notify.Message) { m.Key, m.Text = first.Key, "другой текст" })
		n, err := st.EnqueueMessages(ctx, []notify.Message{first, dup, message("m-3", t0)})
		require.NoError(t, err)
		assert.Equal(t, 2, n, "a key repeated in the batch is skipped")
		assert.Equal(t, first, byKey(t, st, first.Key), "the first one is kept")
		n, err = st.EnqueueMessages(ctx, []notify.Message{first})
		require.NoError(t, err, "a retried batch, same IDs and keys, is no error")
		assert.Zero(t, n)

		n, err = st.EnqueueMessages(ctx, []notify.Message{
			message("m-4", t0, func(m *notify.Message) { m.Key = "key-m-3" }), message("m-5", t0)})
		require.NoError(t, err)
		assert.Equal(t, 1, n, "a key already queued is skipped")
		assert.Equal(t, "m-3", byKey(t, st, "key-m-3").ID)
		assert.Equal(t, "m-5", byKey(t, st, "key-m-5").ID)
		_, err = st.MessageByKey(ctx, "key-m-4")
		require.ErrorIs(t, err, notify.ErrNotFound)

		// In any status: a key sent already is not queued again.
		for _, m := range claim(t, st, "d", t0, 10) {
			require.NoError(t, st.FinishMessage(ctx, m.ID, "d", notify.Result{Status: notify.StatusSent, At: t0}))
		}
		n, err = st.EnqueueMessages(ctx, []notify.Message{message("m-6", t0, func(m *notify.Message) { m.Key = first.Key })})
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, notify.StatusSent, byKey(t, st, first.Key).Status)

		n, err = st.EnqueueMessages(ctx, nil)
		require.NoError(t, err)
		assert.Zero(t, n)
	})

	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		mail := message("m-mail", t0.Add(24*time.Hour), func(m *notify.Message) {
			m.Category, m.Kind, m.Channel, m.Locale = notify.CategoryAppointments, "confirmation", notify.ChannelEmail, "en"
			m.To, m.Subject, m.HTML = "anna@example.com", "Your visit", "<p>Your visit</p>"
			m.Attachments = []notify.Attachment{
				{Name: "visit.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")},
				{Name: "raw.bin", Data: []byte{0, 1, 2, 0xff}},
			}
			m.ExpiresAt = t0.Add(25 * time.Hour)
		})
		push := message("m-push", t0, func(m *notify.Message) {
			m.Channel, m.To, m.Subject, m.URL = notify.ChannelPush, "ps-1", "Напоминание", "/appointments/a-1"
			m.UserID, m.Ref = "", ""
		})
		enqueue(t, st, mail, push)
		assert.Equal(t, mail, byKey(t, st, mail.Key))
		assert.Equal(t, push, byKey(t, st, push.Key))
	})

	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		msk := time.FixedZone("MSK", 3*60*60)
		m := message("m-1", time.Time{}, func(m *notify.Message) {
			m.Status, m.CreatedAt, m.UpdatedAt = "", t0.In(msk), time.Time{}
			m.LeaseOwner, m.LeaseUntil = "someone", t0.Add(time.Hour)
		})
		enqueue(t, st, m)
		want := message("m-1", t0)
		assert.Equal(t, want, byKey(t, st, m.Key), "pending, due and updated when created, in UTC, not leased")
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for name, change := range map[string]func(*notify.Message){
			"no ID":            func(m *notify.Message) { m.ID = "" },
			"no key":           func(m *notify.Message) { m.Key = "" },
			"unknown channel":  func(m *notify.Message) { m.Channel = "fax" },
			"unknown category": func(m *notify.Message) { m.Category = "gossip" },
			"unknown status":   func(m *notify.Message) { m.Status = "lost" },
			"no CreatedAt":     func(m *notify.Message) { m.CreatedAt = time.Time{} },
		} {
			_, err := st.EnqueueMessages(ctx, []notify.Message{message("ok", t0), message("bad", t0, change)})
			require.Error(t, err, name)
			_, err = st.MessageByKey(ctx, "key-ok")
			require.ErrorIs(t, err, notify.ErrNotFound, "%s: nothing of the batch is inserted", name)
		}
		enqueue(t, st, message("m-1", t0))
		_, err := st.EnqueueMessages(ctx, []notify.Message{message("m-1", t0, func(m *notify.Message) { m.Key = "other" })})
		require.Error(t, err, "a taken ID")
		_, err = st.MessageByKey(ctx, "other")
		require.ErrorIs(t, err, notify.ErrNotFound)
	})
}

func testNotifyClaim(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("DueStatusAndLease", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		enqueue(t, st, message("m-sent", t0.Add(-2*time.Hour)))
		sendNow(t, st, t0)
		enqueue(t, st, message("m-gone", t0.Add(-time.Hour), withRef("appointment:gone", "reminder")))
		n, err := st.WithdrawMessages(ctx, "appointment:gone", nil, "cancelled", t0)
		require.NoError(t, err)
		require.Equal(t, 1, n)

		past, now, future := message("m-past", t0.Add(-time.Hour)), message("m-now", t0), message("m-future", t0.Add(leaseFor))
		enqueue(t, st, future, now, past)

		assert.Equal(t, []notify.Message{leased(past, "a", t0), leased(now, "a", t0)}, claim(t, st, "a", t0, 10),
			"due now or before, pending only, oldest due first")
		assert.Equal(t, leased(past, "a", t0), byKey(t, st, past.Key), "the lease is stored")
		assert.Empty(t, claim(t, st, "b", t0, 10), "leased")
		assert.Empty(t, claim(t, st, "b", t0.Add(leaseFor-time.Millisecond), 10), "still leased, nothing new due")

		later := t0.Add(leaseFor)
		assert.Equal(t, []notify.Message{leased(past, "b", later), leased(now, "b", later), leased(future, "b", later)},
			claim(t, st, "b", later, 10), "a lease ending now has run out")
		assert.Equal(t, "b", byKey(t, st, past.Key).LeaseOwner)
	})

	t.Run("OrderAndLimit", func(t *testing.T) {
		t.Parallel()
		st := open(t)
		due := map[string]time.Duration{"m-a": 1, "m-b": 5, "m-c": 3, "m-d": 4, "m-e": 2, "m-f": 5}
		for _, id := range []string{"m-f", "m-a", "m-c", "m-e", "m-b", "m-d"} {
			enqueue(t, st, message(id, t0.Add(-due[id]*time.Minute)))
		}
		var pages [][]string
		for i := range 4 {
			pages = append(pages, messageIDs(claim(t, st, fmt.Sprint("d-", i), t0, 2)))
		}
		assert.Equal(t, [][]string{{"m-b", "m-f"}, {"m-d", "m-c"}, {"m-e", "m-a"}, nil}, pages,
			"oldest due first, then by ID; each claim takes what the others left")
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		enqueue(t, st, message("m-1", t0))
		_, err := st.ClaimMessages(ctx, "", t0, leaseFor, 10)
		require.Error(t, err, "no owner")
		_, err = st.ClaimMessages(ctx, "a", t0, 0, 10)
		require.Error(t, err, "no lease")
		_, err = st.ClaimMessages(ctx, "a", t0, leaseFor, 0)
		require.Error(t, err, "no limit")
		assert.Empty(t, byKey(t, st, "key-m-1").LeaseOwner, "nothing claimed")
	})

	t.Run("LeaseExpiry", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		m := message("m-1", t0)
		enqueue(t, st, m)
		require.Len(t, claim(t, st, "a", t0, 10), 1)
		later := t0.Add(leaseFor)
		assert.Equal(t, []notify.Message{leased(m, "b", later)}, claim(t, st, "b", later, 10), "taken over")

		err := st.FinishMessage(ctx, m.ID, "a", notify.Result{Status: notify.StatusSent, ProviderID: "late", At: later})
		require.ErrorIs(t, err, notify.ErrLeaseLost)
		require.NoError(t, st.ReleaseMessage(ctx, m.ID, "a"), "releasing a lost lease is no error")
		assert.Equal(t, leased(m, "b", later), byKey(t, st, m.Key), "a's late outcome and release changed nothing")

		require.NoError(t, st.FinishMessage(ctx, m.ID, "b", notify.Result{Status: notify.StatusSent, ProviderID: "p-1", At: later}))
		got := byKey(t, st, m.Key)
		assert.Equal(t, notify.StatusSent, got.Status)
		assert.Equal(t, "p-1", got.ProviderID)
		assert.Equal(t, 1, got.Attempts)

		err = st.FinishMessage(ctx, "nope", "b", notify.Result{Status: notify.StatusSent, At: later})
		require.ErrorIs(t, err, notify.ErrNotFound)
	})

	t.Run("ExpiredLeaseNotTakenOver", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		enqueue(t, st, message("m-1", t0))
		require.Len(t, claim(t, st, "a", t0, 10), 1)
		late := t0.Add(5 * leaseFor)
		require.NoError(t, st.FinishMessage(ctx, "m-1", "a", notify.Result{Status: notify.StatusSent, At: late}),
			"nobody took it over: the outcome is recorded")
		assert.Equal(t, notify.StatusSent, byKey(t, st, "key-m-1").Status)
	})
}

func testNotifyFinish(t *testing.T, open func(t *testing.T) cabinet.Store) {
	done := t0.Add(10 * time.Second)
	retryAt := t0.Add(5 * time.Minute)
	tests := []struct {
		name   string
		result notify.Result
		want   func(m *notify.Message)
	}{
		{
			name:   "sent",
			result: notify.Result{Status: notify.StatusSent, ProviderID: "prov-1", At: done},
			want: func(m *notify.Message) {
				m.Status, m.ProviderID, m.SentAt, m.Attempts = notify.StatusSent, "prov-1", done, 1
			},
		},
		{
			name:   "sent to a new address",
			result: notify.Result{Status: notify.StatusSent, ProviderID: "prov-1", To: "+79001112233", At: done},
			want: func(m *notify.Message) {
				m.Status, m.ProviderID, m.SentAt, m.Attempts, m.To = notify.StatusSent, "prov-1", done, 1, "+79001112233"
			},
		},
		{
			name:   "retry",
			result: notify.Result{Status: notify.StatusPending, Error: "timeout", RetryAt: retryAt, At: done},
			want:   func(m *notify.Message) { m.DueAt, m.Attempts, m.LastError = retryAt, 1, "timeout" },
		},
		{
			name:   "failed",
			result: notify.Result{Status: notify.StatusFailed, Error: "number rejected", At: done},
			want:   func(m *notify.Message) { m.Status, m.Attempts, m.LastError = notify.StatusFailed, 1, "number rejected" },
		},
		{
			name:   "withdrawn",
			result: notify.Result{Status: notify.StatusWithdrawn, Error: "expired", At: done},
			want:   func(m *notify.Message) { m.Status, m.LastError = notify.StatusWithdrawn, "expired" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, ctx := open(t), t.Context()
			m := message("m-1", t0)
			enqueue(t, st, m)
			require.Len(t, claim(t, st, "a", t0, 10), 1)
			require.NoError(t, st.FinishMessage(ctx, m.ID, "a", tt.result))

			want := m
			want.UpdatedAt = done
			tt.want(&want)
			assert.Equal(t, want, byKey(t, st, m.Key), "recorded, lease released")
			require.ErrorIs(t, st.FinishMessage(ctx, m.ID, "a", tt.result), notify.ErrLeaseLost, "recorded once")

			if tt.result.Status != notify.StatusPending {
				assert.Empty(t, claim(t, st, "b", t0.Add(24*time.Hour), 10), "finished for good")
				return
			}
			assert.Empty(t, claim(t, st, "b", retryAt.Add(-time.Millisecond), 10), "not before RetryAt")
			again := claim(t, st, "b", retryAt, 10)
			require.Len(t, again, 1)
			assert.Equal(t, 1, again[0].Attempts)
			require.NoError(t, st.FinishMessage(ctx, m.ID, "b",
				notify.Result{Status: notify.StatusSent, ProviderID: "prov-2", At: retryAt}))
			got := byKey(t, st, m.Key)
			assert.Equal(t, notify.StatusSent, got.Status)
			assert.Equal(t, 2, got.Attempts, "each attempt counted")
			assert.Empty(t, got.LastError, "the last outcome's error")
			assert.Equal(t, retryAt, got.SentAt)
		})
	}

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		enqueue(t, st, message("m-1", t0))
		require.Len(t, claim(t, st, "a", t0, 10), 1)
		for name, r := range map[string]notify.Result{
			"no status":     {At: done},
			"no time":       {Status: notify.StatusSent},
			"retry without": {Status: notify.StatusPending, At: done},
		} {
			require.Error(t, st.FinishMessage(ctx, "m-1", "a", r), name)
		}
		require.Error(t, st.FinishMessage(ctx, "m-1", "", notify.Result{Status: notify.StatusSent, At: done}), "no owner")
		assert.Equal(t, leased(message("m-1", t0), "a", t0), byKey(t, st, "key-m-1"), "unchanged")
	})

	t.Run("Release", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		m := message("m-1", t0)
		enqueue(t, st, m)
		require.Len(t, claim(t, st, "a", t0, 10), 1)

		require.NoError(t, st.ReleaseMessage(ctx, m.ID, "b"), "another's lease: no error")
		assert.Empty(t, claim(t, st, "b", t0, 10), "and still a's")
		require.NoError(t, st.ReleaseMessage(ctx, m.ID, "a"))
		assert.Equal(t, m, byKey(t, st, m.Key), "released without an attempt")
		assert.Equal(t, []notify.Message{leased(m, "b", t0)}, claim(t, st, "b", t0, 10), "claimable at once")
		require.ErrorIs(t, st.FinishMessage(ctx, m.ID, "a", notify.Result{Status: notify.StatusSent, At: t0}),
			notify.ErrLeaseLost)

		require.NoError(t, st.ReleaseMessage(ctx, "nope", "a"), "no such message")
		require.NoError(t, st.FinishMessage(ctx, m.ID, "b", notify.Result{Status: notify.StatusSent, At: t0}))
		require.NoError(t, st.ReleaseMessage(ctx, m.ID, "b"), "already finished")
		assert.Equal(t, notify.StatusSent, byKey(t, st, m.Key).Status)
	})
}

func testNotifyWithdraw(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("ByRefAndKinds", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		const ref = "appointment:a-1"
		sent := message("s-1", t0.Add(-2*time.Minute), withRef(ref, "reminder"))
		enqueue(t, st, sent)
		sendNow(t, st, t0)

		waiting := message("r-1", t0.Add(time.Hour), withRef(ref, "reminder"))
		inFlight := message("r-2", t0.Add(-time.Minute), withRef(ref, "reminder"))
		confirm := message("c-1", t0.Add(time.Hour), withRef(ref, "confirmation"),
			func(m *notify.Message) { m.Category = notify.CategoryAppointments })
		other := message("o-1", t0.Add(time.Hour), withRef("appointment:a-2", "reminder"))
		enqueue(t, st, waiting, inFlight, confirm, other)
		require.Equal(t, []string{"r-2"}, messageIDs(claim(t, st, "d", t0, 10)))

		at := t0.Add(time.Minute)
		n, err := st.WithdrawMessages(ctx, ref, []string{"reminder", "follow_up"}, "appointment cancelled", at)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "the pending reminders, leased or not")
		for _, m := range []notify.Message{waiting, inFlight} {
			want := m
			want.Status, want.LastError, want.UpdatedAt = notify.StatusWithdrawn, "appointment cancelled", at
			assert.Equal(t, want, byKey(t, st, m.Key), "withdrawn, lease released, no attempt")
		}
		err = st.FinishMessage(ctx, inFlight.ID, "d", notify.Result{Status: notify.StatusSent, At: at})
		require.ErrorIs(t, err, notify.ErrLeaseLost, "the dispatcher holding it learns it was withdrawn")
		assert.Equal(t, notify.StatusWithdrawn, byKey(t, st, inFlight.Key).Status)
		assert.Equal(t, notify.StatusSent, byKey(t, st, sent.Key).Status, "a sent one stays sent")
		assert.Equal(t, notify.StatusPending, byKey(t, st, confirm.Key).Status, "another kind")
		assert.Equal(t, notify.StatusPending, byKey(t, st, other.Key).Status, "another ref")

		n, err = st.WithdrawMessages(ctx, ref, nil, "moved", at)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "every kind")
		assert.Equal(t, "moved", byKey(t, st, confirm.Key).LastError)
		n, err = st.WithdrawMessages(ctx, ref, nil, "again", at)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing pending is left")
		assert.Equal(t, "appointment cancelled", byKey(t, st, waiting.Key).LastError, "withdrawn once")
		n, err = st.WithdrawMessages(ctx, "appointment:none", nil, "cancelled", at)
		require.NoError(t, err)
		assert.Zero(t, n)

		assert.Equal(t, []string{"o-1"}, messageIDs(claim(t, st, "d", t0.Add(24*time.Hour), 10)),
			"only the other appointment's reminder is left to send")
		_, err = st.WithdrawMessages(ctx, "", nil, "everything", at)
		require.Error(t, err, "a ref is required")
	})
}

func testNotifyMessages(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("FilterAndPages", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
		msgs := []notify.Message{
			message("m-1", t0),
			message("m-3", t0, withCreated(minute(1))),
			message("m-2", t0, withCreated(minute(1))),
			message("m-4", t0, withCreated(minute(1))),
			message("m-5", t0, withCreated(minute(2)), withChannel(notify.ChannelEmail)),
			message("m-6", t0, withCreated(minute(3)), withChannel(notify.ChannelPush), withRef("appointment:x", "reminder")),
			message("x-1", t0, withCreated(minute(5)), withUser("u-2")),
		}
		enqueue(t, st, msgs...)
		_, err := st.WithdrawMessages(ctx, "appointment:x", nil, "cancelled", minute(4))
		require.NoError(t, err)

		all, err := st.Messages(ctx, notify.MessageFilter{UserID: "u-1"})
		require.NoError(t, err)
		assert.Equal(t, []string{"m-6", "m-5", "m-4", "m-3", "m-2", "m-1"}, messageIDs(all),
			"newest first, equal times by ID, only the user's")
		assert.Equal(t, msgs[4], all[1], "whole messages")

		tests := []struct {
			name   string
			filter notify.MessageFilter
			want   []string
		}{
			{"channels", notify.MessageFilter{Channels: []notify.Channel{notify.ChannelEmail, notify.ChannelPush}},
				[]string{"m-6", "m-5"}},
			{"statuses", notify.MessageFilter{Statuses: []notify.Status{notify.StatusWithdrawn}}, []string{"m-6"}},
			{"both", notify.MessageFilter{Channels: []notify.Channel{notify.ChannelSMS, notify.ChannelPush},
				Statuses: []notify.Status{notify.StatusPending}}, []string{"m-4", "m-3", "m-2", "m-1"}},
			{"before", notify.MessageFilter{Before: minute(1)}, []string{"m-1"}},
			{"before with ID", notify.MessageFilter{Before: minute(1), BeforeID: "m-3"}, []string{"m-2", "m-1"}},
			{"limit", notify.MessageFilter{Limit: 2}, []string{"m-6", "m-5"}},
			{"nothing", notify.MessageFilter{Statuses: []notify.Status{notify.StatusFailed}}, nil},
		}
		for _, tt := range tests {
			tt.filter.UserID = "u-1"
			got, err := st.Messages(ctx, tt.filter)
			require.NoError(t, err, tt.name)
			assert.Equal(t, tt.want, messageIDs(got), tt.name)
		}

		var pages [][]string
		f := notify.MessageFilter{UserID: "u-1", Limit: 2}
		for range 5 {
			page, err := st.Messages(ctx, f)
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			pages = append(pages, messageIDs(page))
			last := page[len(page)-1]
			f.Before, f.BeforeID = last.CreatedAt, last.ID
		}
		assert.Equal(t, [][]string{{"m-6", "m-5"}, {"m-4", "m-3"}, {"m-2", "m-1"}}, pages,
			"pages across equal CreatedAt lose and repeat nothing")

		none, err := st.Messages(ctx, notify.MessageFilter{UserID: "nobody"})
		require.NoError(t, err)
		assert.Empty(t, none)
		_, err = st.Messages(ctx, notify.MessageFilter{})
		require.Error(t, err, "UserID is required")
	})

	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		var msgs []notify.Message
		for i := range 205 {
			msgs = append(msgs, message(fmt.Sprintf("m-%03d", i), t0, withCreated(t0.Add(time.Duration(i)*time.Second))))
		}
		enqueue(t, st, msgs...)
		for _, tt := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {7, 7}, {200, 200}, {1000, 200}} {
			got, err := st.Messages(ctx, notify.MessageFilter{UserID: "u-1", Limit: tt.limit})
			require.NoError(t, err)
			assert.Len(t, got, tt.want, "limit %d", tt.limit)
		}
	})

	t.Run("MessageByKey", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		m := message("m-1", t0)
		enqueue(t, st, m)
		assert.Equal(t, m, byKey(t, st, m.Key))
		_, err := st.MessageByKey(ctx, "m-1")
		require.ErrorIs(t, err, notify.ErrNotFound, "by key, not by ID")
	})
}

func testNotifySettings(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		_, err := st.NotificationSettings(ctx, "u-1")
		require.ErrorIs(t, err, notify.ErrNotFound, "before the first save")

		saved := notify.Settings{
			Channels: map[notify.Category][]notify.Channel{
				notify.CategoryReminders:    {notify.ChannelPush, notify.ChannelSMS},
				notify.CategoryAppointments: {notify.ChannelEmail},
				notify.CategoryOffers:       {},
				notify.CategoryOrders:       nil,
			},
			MarketingConsent: &notify.Consent{At: t0.Add(-time.Hour), Source: "front_desk", Version: "2026-01"},
			QuietStart:       22 * 60, QuietEnd: 8*60 + 30, TimeZone: "Asia/Yekaterinburg", UpdatedAt: t0,
		}
		require.NoError(t, st.SaveNotificationSettings(ctx, "u-1", saved))
		got, err := st.NotificationSettings(ctx, "u-1")
		require.NoError(t, err)
		assert.Len(t, got.Channels, 4)
		assert.Equal(t, saved.Channels[notify.CategoryReminders], got.Channels[notify.CategoryReminders], "in order")
		assert.Equal(t, saved.Channels[notify.CategoryAppointments], got.Channels[notify.CategoryAppointments])
		for _, c := range []notify.Category{notify.CategoryOffers, notify.CategoryOrders} {
			list, ok := got.Channels[c]
			assert.True(t, ok, "%s: an empty list is kept: none", c)
			assert.Empty(t, list, c)
		}
		_, ok := got.Channels[notify.CategoryNewServices]
		assert.False(t, ok, "a category never saved stays missing: the defaults")
		got.Channels, saved.Channels = nil, nil
		assert.Equal(t, saved, got)

		_, err = st.NotificationSettings(ctx, "u-2")
		require.ErrorIs(t, err, notify.ErrNotFound, "another client's")

		// Replaced whole: the consent withdrawn, the channels reset.
		bare := notify.Settings{QuietStart: 21 * 60, QuietEnd: 21 * 60, UpdatedAt: t0.Add(time.Hour)}
		require.NoError(t, st.SaveNotificationSettings(ctx, "u-1", bare))
		got, err = st.NotificationSettings(ctx, "u-1")
		require.NoError(t, err)
		assert.Nil(t, got.MarketingConsent)
		assert.Empty(t, got.Channels)
		got.Channels = nil
		assert.Equal(t, bare, got)
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for name, s := range map[string]notify.Settings{
			"no UpdatedAt":     {},
			"consent without":  {MarketingConsent: &notify.Consent{Source: "cabinet"}, UpdatedAt: t0},
			"unknown channel":  {Channels: map[notify.Category][]notify.Channel{notify.CategoryOffers: {"fax"}}, UpdatedAt: t0},
			"unknown category": {Channels: map[notify.Category][]notify.Channel{"gossip": {notify.ChannelSMS}}, UpdatedAt: t0},
		} {
			require.Error(t, st.SaveNotificationSettings(ctx, "u-1", s), name)
		}
		_, err := st.NotificationSettings(ctx, "u-1")
		require.ErrorIs(t, err, notify.ErrNotFound)
	})
}

func testNotifyPushSubscriptions(t *testing.T, open func(t *testing.T) cabinet.Store) {
	sub := func(id, userID, endpoint string, created time.Time) notify.Subscription {
		return notify.Subscription{
			ID: id, UserID: userID, Endpoint: "https://push.example/" + endpoint, P256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
			Auth: "tBHItJI5svbpez7KI4CCXg", UserAgent: "Mozilla/5.0 (" + id + ")", CreatedAt: created,
		}
	}
	list := func(t *testing.T, st cabinet.Store, userID string) []notify.Subscription {
		t.Helper()
		l, err := st.PushSubscriptions(t.Context(), userID)
		require.NoError(t, err)
		return l
	}

	t.Run("SaveListFind", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		s1, s2, s3 := sub("ps-1", "u-1", "ep-1", t0), sub("ps-2", "u-1", "ep-2", t0.Add(time.Hour)),
			sub("ps-3", "u-2", "ep-3", t0.Add(30*time.Minute))
		for _, s := range []notify.Subscription{s2, s3, s1} {
			require.NoError(t, st.SavePushSubscription(ctx, s))
		}
		assert.Equal(t, []notify.Subscription{s1, s2}, list(t, st, "u-1"), "oldest first")
		assert.Empty(t, list(t, st, "nobody"))
		got, err := st.PushSubscriptionByID(ctx, s3.ID)
		require.NoError(t, err)
		assert.Equal(t, s3, got)
		_, err = st.PushSubscriptionByID(ctx, "nope")
		require.ErrorIs(t, err, notify.ErrNotFound)

		// The browser of ep-1 subscribes again, signed in as u-2.
		again := sub("ps-4", "u-2", "ep-1", t0.Add(2*time.Hour))
		require.NoError(t, st.SavePushSubscription(ctx, again))
		assert.Equal(t, []notify.Subscription{s2}, list(t, st, "u-1"), "moved away")
		assert.Equal(t, []notify.Subscription{s3, again}, list(t, st, "u-2"))
		_, err = st.PushSubscriptionByID(ctx, s1.ID)
		require.ErrorIs(t, err, notify.ErrNotFound, "the old ID is gone")

		require.NoError(t, st.SavePushSubscription(ctx, again), "saved twice")
		assert.Equal(t, []notify.Subscription{s3, again}, list(t, st, "u-2"))
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		s1, s2 := sub("ps-1", "u-1", "ep-1", t0), sub("ps-2", "u-2", "ep-2", t0)
		for _, s := range []notify.Subscription{s1, s2} {
			require.NoError(t, st.SavePushSubscription(ctx, s))
		}
		require.ErrorIs(t, st.DeletePushSubscription(ctx, "u-1", s2.ID), notify.ErrNotFound, "another user's")
		_, err := st.PushSubscriptionByID(ctx, s2.ID)
		require.NoError(t, err, "still there")
		require.NoError(t, st.DeletePushSubscription(ctx, "u-2", s2.ID))
		require.ErrorIs(t, st.DeletePushSubscription(ctx, "u-2", s2.ID), notify.ErrNotFound, "once")
		require.NoError(t, st.DeletePushSubscription(ctx, "", s1.ID), "anyone's")
		assert.Empty(t, list(t, st, "u-1"))
		require.ErrorIs(t, st.DeletePushSubscription(ctx, "", "nope"), notify.ErrNotFound)
	})

	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		for name, change := range map[string]func(*notify.Subscription){
			"no ID":        func(s *notify.Subscription) { s.ID = "" },
			"no user":      func(s *notify.Subscription) { s.UserID = "" },
			"no endpoint":  func(s *notify.Subscription) { s.Endpoint = "" },
			"no keys":      func(s *notify.Subscription) { s.P256dh, s.Auth = "", "" },
			"no CreatedAt": func(s *notify.Subscription) { s.CreatedAt = time.Time{} },
		} {
			s := sub("ps-1", "u-1", "ep-1", t0)
			change(&s)
			require.Error(t, st.SavePushSubscription(ctx, s), name)
		}
		assert.Empty(t, list(t, st, "u-1"))
	})
}

func testCursors(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("OnlyForward", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		cursor := func(consumer string) int64 {
			t.Helper()
			seq, err := st.Cursor(ctx, consumer)
			require.NoError(t, err)
			return seq
		}
		assert.Zero(t, cursor("planner"), "never advanced")
		for _, step := range []struct {
			seq, want int64
		}{{5, 5}, {3, 5}, {5, 5}, {12, 12}, {0, 12}, {-1, 12}, {13, 13}} {
			require.NoError(t, st.AdvanceCursor(ctx, "planner", step.seq, t0))
			assert.Equal(t, step.want, cursor("planner"), "after advancing to %d", step.seq)
		}
		assert.Zero(t, cursor("webhooks"), "each consumer its own")
		require.NoError(t, st.AdvanceCursor(ctx, "webhooks", 0, t0))
		assert.Zero(t, cursor("webhooks"))
		require.NoError(t, st.AdvanceCursor(ctx, "webhooks", 2, t0))
		assert.Equal(t, int64(2), cursor("webhooks"))
		assert.Equal(t, int64(13), cursor("planner"))
	})

	t.Run("EnqueueAndAdvance", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		n, err := st.EnqueueAndAdvance(ctx, []notify.Message{message("m-1", t0), message("m-2", t0)}, "planner", "", 7, t0)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		seq, err := st.Cursor(ctx, "planner")
		require.NoError(t, err)
		assert.Equal(t, int64(7), seq, "the cursor moved with the messages")
		byKey(t, st, message("m-1", t0).Key)

		// Again, as a replay would: nothing new, the cursor never back.
		n, err = st.EnqueueAndAdvance(ctx, []notify.Message{message("m-2", t0)}, "planner", "", 5, t0)
		require.NoError(t, err)
		assert.Zero(t, n)
		seq, err = st.Cursor(ctx, "planner")
		require.NoError(t, err)
		assert.Equal(t, int64(7), seq)

		// A refused message refuses the whole write: the cursor stays too.
		bad := message("m-3", t0)
		bad.Channel = "fax"
		_, err = st.EnqueueAndAdvance(ctx, []notify.Message{message("m-4", t0), bad}, "planner", "", 9, t0)
		require.Error(t, err)
		seq, err = st.Cursor(ctx, "planner")
		require.NoError(t, err)
		assert.Equal(t, int64(7), seq, "neither the messages nor the cursor")
		_, err = st.MessageByKey(ctx, message("m-4", t0).Key)
		assert.ErrorIs(t, err, notify.ErrNotFound)

		// Only the cursor.
		n, err = st.EnqueueAndAdvance(ctx, nil, "planner", "", 11, t0)
		require.NoError(t, err)
		assert.Zero(t, n)
		seq, err = st.Cursor(ctx, "planner")
		require.NoError(t, err)
		assert.Equal(t, int64(11), seq)
	})

	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		const n = 32
		errs := parallel(n, func(i int) error { return st.AdvanceCursor(ctx, "planner", int64(i+1), t0) })
		for i, err := range errs {
			require.NoError(t, err, "call %d", i)
		}
		seq, err := st.Cursor(ctx, "planner")
		require.NoError(t, err)
		assert.Equal(t, int64(n), seq, "the highest wins, whatever the order")
	})
}

func testNotifyConcurrency(t *testing.T, open func(t *testing.T) cabinet.Store) {
	t.Run("EachMessageClaimedOnce", func(t *testing.T) {
		t.Parallel()
		st, ctx := open(t), t.Context()
		const (
			messages    = 200
			dispatchers = 8
			batch       = 7
		)
		var msgs []notify.Message
		for i := range messages {
			msgs = append(msgs, message(fmt.Sprintf("m-%03d", i), t0.Add(-time.Duration(i%13)*time.Second)))
		}
		enqueue(t, st, msgs...)

		var (
			mu      sync.Mutex
			claimed = map[string][]string{} // message → the owners that claimed it
		)
		errs := parallel(dispatchers, func(i int) error {
			owner := fmt.Sprint("dispatcher-", i)
			for {
				got, err := st.ClaimMessages(ctx, owner, t0, leaseFor, batch)
				if err != nil || len(got) == 0 {
					return err
				}
				for _, m := range got {
					if m.LeaseOwner != owner {
						return fmt.Errorf("%s claimed %s leased to %q", owner, m.ID, m.LeaseOwner)
					}
					mu.Lock()
					claimed[m.ID] = append(claimed[m.ID], owner)
					mu.Unlock()
					if err := st.FinishMessage(ctx, m.ID, owner, notify.Result{
						Status: notify.StatusSent, ProviderID: "prov-" + m.ID, At: t0,
					}); err != nil {
						return fmt.Errorf("%s finishing %s: %w", owner, m.ID, err)
					}
				}
			}
		})
		for i, err := range errs {
			require.NoError(t, err, "dispatcher %d", i)
		}
		require.Len(t, claimed, messages, "every message claimed")
		for id, owners := range claimed {
			assert.Len(t, owners, 1, "%s claimed by %v", id, owners)
		}

		sent, err := st.Messages(ctx, notify.MessageFilter{UserID: "u-1", Statuses: []notify.Status{notify.StatusSent}, Limit: messages})
		require.NoError(t, err)
		require.Len(t, sent, messages, "all sent")
		for _, m := range sent {
			assert.Equal(t, 1, m.Attempts, m.ID)
			assert.Equal(t, "prov-"+m.ID, m.ProviderID)
			assert.Empty(t, m.LeaseOwner, "lease released")
		}
		ids := messageIDs(sent)
		slices.Sort(ids)
		assert.Equal(t, messageIDs(msgs), ids)
		assert.Empty(t, claim(t, st, "late", t0.Add(time.Hour), messages), "nothing left")
	})
}
