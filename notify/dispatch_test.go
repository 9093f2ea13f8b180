package notify_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

// provider is an SMS and mail sender whose answers the test scripts: the
// provider edge, where the outbox meets the network.
type provider struct {
	mu      sync.Mutex
	answer  func(ctx context.Context, to string) (string, error)
	byText  map[string]int // deliveries per text
	total   int
	blocked chan struct{} // closed when a send starts blocking, if block is set
	block   bool
}

func newProvider(answer func(ctx context.Context, to string) (string, error)) *provider {
	return &provider{answer: answer, byText: map[string]int{}}
}

func (p *provider) deliver(ctx context.Context, to, text string) (string, error) {
	if p.answer != nil {
		if id, err := p.answer(ctx, to); err != nil {
			return "", err
		} else if id != "" {
			p.count(text)
			return id, nil
		}
	}
	p.count(text)
	return "id-" + text, nil
}

func (p *provider) count(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byText[text]++
	p.total++
}

func (p *provider) SendSMS(ctx context.Context, m notify.SMS) (string, error) {
	return p.deliver(ctx, m.To, m.Text)
}

func (p *provider) SendMail(ctx context.Context, m notify.Mail) (string, error) {
	return p.deliver(ctx, m.To, m.Text)
}

func (p *provider) deliveries() (map[string]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.byText))
	for k, v := range p.byText {
		out[k] = v
	}
	return out, p.total
}

// queueSMS queues n plain SMS messages for anna straight into the store,
// due now, each with a distinct text.
func (e *env) queueSMS(n int, tweak ...func(*notify.Message)) []notify.Message {
	e.t.Helper()
	now := e.clock.now().UTC()
	msgs := make([]notify.Message, n)
	for i := range msgs {
		msgs[i] = notify.Message{
			ID: fmt.Sprintf("m-%04d", i), Key: fmt.Sprintf("k-%04d", i), UserID: "anna",
			Category: notify.CategoryAppointments, Kind: "appointment_booked", Channel: notify.ChannelSMS, Locale: "ru",
			To: "+79123456789", Text: fmt.Sprintf("text %04d", i), Status: notify.StatusPending,
			DueAt: now, CreatedAt: now, UpdatedAt: now,
		}
		for _, f := range tweak {
			f(&msgs[i])
		}
	}
	inserted, err := e.store.EnqueueMessages(e.ctx, msgs)
	require.NoError(e.t, err)
	require.Equal(e.t, n, inserted)
	return msgs
}

func (e *env) message(key string) notify.Message {
	e.t.Helper()
	m, err := e.store.MessageByKey(e.ctx, key)
	require.NoError(e.t, err)
	return m
}

func withSenders(p *provider) func(*notify.Config) {
	return func(c *notify.Config) { c.SMS, c.Mail = p, p }
}

func TestDispatchSendsAndRecords(t *testing.T) {
	p := newProvider(nil)
	e := newEnv(t, withSenders(p))
	msgs := e.notify(booked("anna", "a1"))
	require.Len(t, msgs, 2)
	done, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, done)
	for _, m := range msgs {
		got := e.message(m.Key)
		assert.Equal(t, notify.StatusSent, got.Status)
		assert.Equal(t, "id-"+m.Text, got.ProviderID)
		assert.Equal(t, 1, got.Attempts)
		assert.True(t, noon.Equal(got.SentAt))
	}
	done, err = e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, done, "nothing is sent twice")
}

func TestDispatchRetriesThenGivesUp(t *testing.T) {
	rateLimited := notify.Temporary(errors.New("HTTP 429"))
	p := newProvider(func(context.Context, string) (string, error) { return "", rateLimited })
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.MaxAttempts = 4; c.RetryBase = time.Minute })
	m := e.queueSMS(1)[0]

	// Jitter 0.5: the waits are ¾ of 1, 2 and 4 minutes.
	for attempt, wait := range []time.Duration{45 * time.Second, 90 * time.Second, 180 * time.Second} {
		done, err := e.n.DispatchOnce(e.ctx)
		require.NoError(t, err)
		require.Equal(t, 1, done)
		got := e.message(m.Key)
		assert.Equal(t, notify.StatusPending, got.Status)
		assert.Equal(t, attempt+1, got.Attempts)
		assert.Contains(t, got.LastError, "429")
		assert.True(t, e.clock.now().Add(wait).Equal(got.DueAt), "attempt %d: due %s", attempt+1, got.DueAt)

		done, err = e.n.DispatchOnce(e.ctx)
		require.NoError(t, err)
		assert.Zero(t, done, "not before the backoff has passed")
		e.clock.advance(wait)
	}
	done, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, done)
	got := e.message(m.Key)
	assert.Equal(t, notify.StatusFailed, got.Status, "the fourth failure is the last")
	assert.Equal(t, 4, got.Attempts)
}

func TestDispatchPermanentFailureStopsAtOnce(t *testing.T) {
	p := newProvider(func(context.Context, string) (string, error) {
		return "", notify.Permanent(errors.New("invalid number"))
	})
	e := newEnv(t, withSenders(p))
	m := e.queueSMS(1)[0]
	_, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	got := e.message(m.Key)
	assert.Equal(t, notify.StatusFailed, got.Status)
	assert.Equal(t, 1, got.Attempts)
	assert.Contains(t, got.LastError, "invalid number")
	assert.NotContains(t, got.LastError, m.Text, "the text never goes into errors")
}

func TestDispatchWithdrawsExpired(t *testing.T) {
	p := newProvider(nil)
	e := newEnv(t, withSenders(p))
	m := e.queueSMS(1, func(m *notify.Message) { m.ExpiresAt = noon.Add(time.Hour) })[0]
	e.clock.advance(time.Hour)
	_, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	got := e.message(m.Key)
	assert.Equal(t, notify.StatusWithdrawn, got.Status, "a reminder after its visit began is not sent")
	_, total := p.deliveries()
	assert.Zero(t, total)
}

// goneOnce is a push sender whose push service says the subscription is gone.
type gonePush struct{ calls int }

func (g *gonePush) SendPush(context.Context, notify.Push) (string, error) {
	g.calls++
	return "", notify.Gone(errors.New("HTTP 410"))
}

func TestDispatchDeletesAGonePushSubscription(t *testing.T) {
	push := &gonePush{}
	e := newEnv(t, func(c *notify.Config) { c.Push = push })
	sub, err := e.n.Subscribe(e.ctx, "anna", notify.Subscription{Endpoint: "https://push.example/1", P256dh: "k", Auth: "a"})
	require.NoError(t, err)
	_, err = e.n.UpdateSettings(e.ctx, "anna", notify.SettingsChange{
		Channels: map[notify.Category][]notify.Channel{notify.CategoryAppointments: {notify.ChannelPush}}})
	require.NoError(t, err)
	msgs := e.notify(booked("anna", "a1"))
	require.Len(t, msgs, 1)

	_, err = e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, push.calls)
	assert.Equal(t, notify.StatusFailed, e.message(msgs[0].Key).Status)
	_, err = e.store.PushSubscriptionByID(e.ctx, sub.ID)
	assert.ErrorIs(t, err, notify.ErrNotFound, "a gone subscription is deleted")
}

func TestTwoDispatchersSendEachMessageOnce(t *testing.T) {
	p := newProvider(nil)
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.BatchSize = 20 })
	second, err := notify.New(notify.Config{Store: e.store, Contacts: contacts, SMS: p, Mail: p, Now: e.clock.now,
		Owner: "d2", BatchSize: 20})
	require.NoError(t, err)
	const n = 1000
	e.queueSMS(n)

	var wg sync.WaitGroup
	for _, d := range []*notify.Notifier{e.n, second} {
		wg.Go(func() {
			for {
				done, err := d.DispatchOnce(e.ctx)
				if !assert.NoError(t, err) || done == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	byText, total := p.deliveries()
	assert.Equal(t, n, total, "every message delivered")
	for text, c := range byText {
		assert.Equal(t, 1, c, "%s delivered %d times", text, c)
	}
}

func TestLeaseExpiryLetsAnotherDispatcherTakeOver(t *testing.T) {
	p := newProvider(nil)
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.Lease = 2 * time.Minute })
	m := e.queueSMS(1)[0]
	// A dispatcher that died: it claimed, and never said more.
	claimed, err := e.store.ClaimMessages(e.ctx, "dead", e.clock.now(), 2*time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	done, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Zero(t, done, "held while the lease runs")
	e.clock.advance(2 * time.Minute)
	done, err = e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, done, "taken over once the lease ran out")
	assert.Equal(t, notify.StatusSent, e.message(m.Key).Status)

	err = e.store.FinishMessage(e.ctx, m.ID, "dead", notify.Result{Status: notify.StatusSent, At: e.clock.now()})
	assert.ErrorIs(t, err, notify.ErrLeaseLost, "the dead dispatcher's late word does not count")
}

func TestDispatcherStoppedMidBatchLosesNothing(t *testing.T) {
	// The first dispatcher's provider hangs until the dispatcher is stopped,
	// as a process being killed would leave it.
	started := make(chan struct{})
	var once sync.Once
	hanging := newProvider(func(ctx context.Context, _ string) (string, error) {
		once.Do(func() { close(started) })
		<-ctx.Done()
		return "", notify.Temporary(ctx.Err())
	})
	e := newEnv(t, withSenders(hanging), func(c *notify.Config) { c.Workers = 2 })
	const n = 10
	msgs := e.queueSMS(n)

	ctx, cancel := context.WithCancel(e.ctx)
	result := make(chan error, 1)
	go func() {
		_, err := e.n.DispatchOnce(ctx)
		result <- err
	}()
	<-started
	cancel()
	assert.ErrorIs(t, <-result, context.Canceled)
	for _, m := range msgs {
		got := e.message(m.Key)
		assert.Equal(t, notify.StatusPending, got.Status)
		assert.Zero(t, got.Attempts, "being stopped is not a failed attempt")
		assert.Empty(t, got.LeaseOwner, "released for the next dispatcher at once")
	}

	healthy := newProvider(nil)
	next, err := notify.New(notify.Config{Store: e.store, Contacts: contacts, SMS: healthy, Now: e.clock.now, Owner: "d2"})
	require.NoError(t, err)
	done, err := next.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, n, done)
	byText, total := healthy.deliveries()
	assert.Equal(t, n, total)
	for _, c := range byText {
		assert.Equal(t, 1, c)
	}
}

func TestRunDispatchesUntilStopped(t *testing.T) {
	p := newProvider(nil)
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.PollEvery = time.Hour })
	ctx, cancel := context.WithCancel(e.ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- e.n.Run(ctx) }()

	e.queueSMS(3)
	e.n.Wake() // queued now: no waiting for the hourly poll
	require.Eventually(t, func() bool { _, total := p.deliveries(); return total == 3 }, 30*time.Second, time.Millisecond)
	cancel()
	assert.NoError(t, <-stopped)
}

func TestPoisonMessageDoesNotBlockTheOthers(t *testing.T) {
	// One number always gets HTTP 500; the rest are fine.
	p := newProvider(func(_ context.Context, to string) (string, error) {
		if to == "+79990000000" {
			return "", notify.Temporary(errors.New("HTTP 500"))
		}
		return "", nil
	})
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.MaxAttempts = 6; c.RetryBase = time.Minute })
	poison := e.queueSMS(1, func(m *notify.Message) { m.ID, m.Key, m.UserID, m.To = "poison", "poison", "carl", "+79990000000" })[0]
	healthy := e.queueSMS(20)

	for range 6 {
		_, err := e.n.DispatchOnce(e.ctx)
		require.NoError(t, err)
		e.clock.advance(6 * time.Hour) // past any backoff
	}
	got := e.message(poison.Key)
	assert.Equal(t, notify.StatusFailed, got.Status, "failed after six attempts")
	assert.Equal(t, 6, got.Attempts)
	for _, m := range healthy {
		assert.Equal(t, notify.StatusSent, e.message(m.Key).Status, "the others flowed")
	}
}

func TestSlowProviderNeverOutlivesTheLease(t *testing.T) {
	// Each send takes 25 s of the shared clock; the lease is 2 minutes and a
	// send may take 30 s, so a dispatcher sends 4 of its batch (starting at
	// 0, 25, 50 and 75 s) and gives the rest back rather than start a send at
	// 100 s that could end after its lease.
	var e *env
	slow := newProvider(func(context.Context, string) (string, error) {
		e.clock.advance(25 * time.Second)
		return "", nil
	})
	e = newEnv(t, withSenders(slow), func(c *notify.Config) {
		c.Workers, c.BatchSize, c.Lease, c.SendTimeout = 1, 10, 2*time.Minute, 30*time.Second
	})
	msgs := e.queueSMS(10)
	done, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, done)
	pending := 0
	for _, m := range msgs {
		got := e.message(m.Key)
		if got.Status == notify.StatusPending {
			pending++
			assert.Empty(t, got.LeaseOwner, "given back, not left leased")
			assert.Zero(t, got.Attempts)
		}
	}
	assert.Equal(t, 6, pending)

	// Another dispatcher (and this one again) finish the rest: each once.
	second, err := notify.New(notify.Config{Store: e.store, Contacts: contacts, SMS: slow, Now: e.clock.now, Owner: "d2",
		Workers: 1, BatchSize: 10, Lease: 2 * time.Minute, SendTimeout: 30 * time.Second})
	require.NoError(t, err)
	for range 10 {
		for _, d := range []*notify.Notifier{second, e.n} {
			_, err := d.DispatchOnce(e.ctx)
			require.NoError(t, err)
		}
	}
	byText, total := slow.deliveries()
	assert.Equal(t, 10, total)
	for text, c := range byText {
		assert.Equal(t, 1, c, text)
	}
}

// movingContacts is a client whose phone changes, or who disappears.
type movingContacts struct {
	mu    sync.Mutex
	phone string
	gone  bool
}

func (m *movingContacts) Contact(context.Context, string) (notify.Contact, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gone {
		return notify.Contact{}, notify.ErrNotFound
	}
	return notify.Contact{Phone: m.phone, Locale: "ru"}, nil
}

func TestMessagesGoToTheCurrentAddress(t *testing.T) {
	p := newProvider(nil)
	who := &movingContacts{phone: "+79123456789"}
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.Contacts = who })
	first := e.queueSMS(1)[0]
	who.mu.Lock()
	who.phone = "+79001112233" // the client changed their number
	who.mu.Unlock()
	_, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	got := e.message(first.Key)
	assert.Equal(t, notify.StatusSent, got.Status)
	assert.Equal(t, "+79001112233", got.To, "sent to the number the client has now, not the one they had when it was planned")

	second := e.queueSMS(1, func(m *notify.Message) { m.ID, m.Key = "m-2", "k-2" })[0]
	who.mu.Lock()
	who.gone = true // disabled or erased
	who.mu.Unlock()
	_, err = e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.StatusWithdrawn, e.message(second.Key).Status)
	_, total := p.deliveries()
	assert.Equal(t, 1, total)
}

func TestRetriesWaitOutQuietHours(t *testing.T) {
	failOnce := 0
	p := newProvider(func(context.Context, string) (string, error) {
		failOnce++
		if failOnce == 1 {
			return "", notify.Temporary(errors.New("HTTP 503"))
		}
		return "", nil
	})
	e := newEnv(t, withSenders(p), func(c *notify.Config) { c.RetryBase = 10 * time.Minute })
	e.clock.set(time.Date(2026, 12, 1, 20, 55, 0, 0, moscow))
	m := e.queueSMS(1, func(m *notify.Message) { m.Category = notify.CategoryReminders })[0]
	_, err := e.n.DispatchOnce(e.ctx)
	require.NoError(t, err)
	got := e.message(m.Key)
	assert.Equal(t, notify.StatusPending, got.Status)
	assert.True(t, time.Date(2026, 12, 2, 9, 0, 0, 0, moscow).Equal(got.DueAt),
		"a reminder failing at 20:55 is retried at 09:00, not at 21:02 (due %s)", got.DueAt.In(moscow))
}
