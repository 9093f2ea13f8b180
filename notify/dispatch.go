package notify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Dispatch.
//
// Every message is a row in the outbox before anything is sent. A
// dispatcher claims a batch of due messages with a lease (the store makes
// the claim atomic, so dispatchers in several processes never hold one
// message at once), sends each, and records the outcome under its lease:
// sent with the provider's ID; a temporary failure rescheduled with
// exponential backoff and jitter until MaxAttempts; a permanent one failed
// at once. If the process dies, its leases run out and another dispatcher
// (or this one, restarted) claims the messages again.
//
// Delivery is at least once, at one edge: a message a provider accepted
// whose outcome was not recorded — the process died, or the lease ran out,
// between the provider's answer and the store's write — is sent again once
// its lease expires. Nothing else is sent twice, and nothing is lost.

// DispatchOnce claims one batch of due messages and delivers it. It returns
// how many messages it finished (sent, failed, rescheduled or withdrawn).
// When ctx ends during the batch, the messages not finished are released
// for another dispatcher at once and ctx's error is returned.
func (n *Notifier) DispatchOnce(ctx context.Context) (int, error) {
	now := n.cfg.Now().UTC()
	batch, err := n.cfg.Store.ClaimMessages(ctx, n.cfg.Owner, now, n.cfg.Lease, n.cfg.BatchSize)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	work := make(chan Message)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range min(n.cfg.Workers, len(batch)) {
		wg.Go(func() {
			for m := range work {
				if n.deliver(ctx, m) {
					mu.Lock()
					done++
					mu.Unlock()
				}
			}
		})
	}
	for i, m := range batch {
		if ctx.Err() != nil {
			n.release(batch[i:])
			break
		}
		work <- m
	}
	close(work)
	wg.Wait()
	return done, ctx.Err()
}

// Run dispatches until ctx ends: a batch after another while the outbox has
// due messages, then every PollEvery or when woken (Wake). Failures of the store are logged and
// retried at the next poll. It returns nil when ctx is cancelled.
func (n *Notifier) Run(ctx context.Context) error {
	for {
		done, err := n.DispatchOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			n.log.ErrorContext(ctx, "notify: dispatch failed", "err", err)
		}
		if err == nil && done > 0 {
			continue // there may be more due
		}
		t := time.NewTimer(n.cfg.PollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-n.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Wake makes Run look at the outbox now rather than at its next poll: call
// it after queuing messages that are due at once. It never blocks.
func (n *Notifier) Wake() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// deliver sends one claimed message and records the outcome; it reports
// whether the message was finished (false: released or the record failed).
func (n *Notifier) deliver(ctx context.Context, m Message) bool {
	if ctx.Err() != nil {
		n.release([]Message{m})
		return false
	}
	now := n.cfg.Now().UTC()
	if !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt) {
		return n.finish(ctx, m, Result{Status: StatusWithdrawn, Error: "expired before it could be sent", At: now})
	}
	if !now.Add(n.cfg.SendTimeout).Before(m.LeaseUntil) {
		// The batch's lease could run out while this send is in flight, and
		// another dispatcher may then send the message too. Give it back
		// instead: it is claimed afresh, with a fresh lease.
		n.release([]Message{m})
		return false
	}
	queuedTo := m.To
	m, ok, err := n.readdress(ctx, m)
	if err != nil {
		n.log.ErrorContext(ctx, "notify: looking up the recipient failed", "message", m.ID, "err", err)
		n.release([]Message{m})
		return false
	}
	if !ok {
		return n.finish(ctx, m, Result{Status: StatusWithdrawn, Error: "the client can no longer be reached on this channel", At: now})
	}
	sctx, cancel := context.WithTimeout(ctx, n.cfg.SendTimeout)
	id, err := n.send(sctx, m)
	cancel()
	if err != nil && ctx.Err() != nil {
		// Stopping: the attempt does not count; let another dispatcher
		// have the message now rather than when the lease ends.
		n.release([]Message{m})
		return false
	}
	now = n.cfg.Now().UTC()
	var r Result
	switch {
	case err == nil:
		r = Result{Status: StatusSent, ProviderID: id, At: now}
		if m.To != queuedTo {
			r.To = m.To
		}
	case errors.Is(err, errNoSubscription):
		r = Result{Status: StatusWithdrawn, Error: err.Error(), At: now}
	case errors.Is(err, ErrGone):
		if derr := n.cfg.Store.DeletePushSubscription(context.WithoutCancel(ctx), "", m.To); derr != nil && !errors.Is(derr, ErrNotFound) {
			n.log.ErrorContext(ctx, "notify: deleting a gone push subscription failed", "err", derr)
		}
		r = Result{Status: StatusFailed, Error: err.Error(), At: now}
	case errors.Is(err, ErrPermanent) || m.Attempts+1 >= n.cfg.MaxAttempts:
		r = Result{Status: StatusFailed, Error: err.Error(), At: now}
	default:
		r = Result{Status: StatusPending, Error: err.Error(), RetryAt: n.retryAt(ctx, m, now), At: now}
	}
	if r.Status == StatusFailed {
		n.log.WarnContext(ctx, "notify: delivery failed", "message", m.ID, "kind", m.Kind, "channel", m.Channel,
			"attempts", m.Attempts+1, "err", r.Error)
	}
	return n.finish(ctx, m, r)
}

// readdress points an SMS or e-mail at the client's current phone or
// address: messages are queued days ahead, and a client who changed their
// number meanwhile (or whose account was disabled or erased) must not have
// their visit announced to the old one. ok is false when the client can no
// longer be reached on the message's channel.
func (n *Notifier) readdress(ctx context.Context, m Message) (Message, bool, error) {
	if m.Channel != ChannelSMS && m.Channel != ChannelEmail {
		return m, true, nil
	}
	c, err := n.cfg.Contacts.Contact(ctx, m.UserID)
	if errors.Is(err, ErrNotFound) {
		return m, false, nil
	} else if err != nil {
		return m, false, err
	}
	to := c.Phone
	if m.Channel == ChannelEmail {
		to = c.Email
	}
	if to == "" {
		return m, false, nil
	}
	m.To = to
	return m, true, nil
}

// retryAt is when a temporary failure is tried again: after the backoff, and,
// for a message that waits out quiet hours, not inside them.
func (n *Notifier) retryAt(ctx context.Context, m Message, now time.Time) time.Time {
	at := now.Add(n.backoff(m.Attempts))
	if m.Category.Urgent() {
		return at
	}
	rc, err := n.recipient(ctx, m.UserID, nil)
	if err != nil || !rc.found {
		return at
	}
	if shifted, ok := n.afterQuietHours(rc.settings, rc.zone(""), at, m.ExpiresAt, now); ok {
		return shifted
	}
	return at // it expires before the morning; the next claim withdraws it
}

// errNoSubscription: a push message whose subscription was removed.
var errNoSubscription = errors.New("notify: the push subscription was removed")

// send hands m to its channel's sender.
func (n *Notifier) send(ctx context.Context, m Message) (string, error) {
	switch m.Channel {
	case ChannelSMS:
		if n.cfg.SMS == nil {
			return "", permanent(errors.New("notify: no SMS sender configured"))
		}
		return n.cfg.SMS.SendSMS(ctx, SMS{To: m.To, Text: m.Text})
	case ChannelEmail:
		if n.cfg.Mail == nil {
			return "", permanent(errors.New("notify: no mail sender configured"))
		}
		return n.cfg.Mail.SendMail(ctx, Mail{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Attachments: m.Attachments})
	case ChannelPush:
		if n.cfg.Push == nil {
			return "", permanent(errors.New("notify: no push sender configured"))
		}
		sub, err := n.cfg.Store.PushSubscriptionByID(ctx, m.To)
		if errors.Is(err, ErrNotFound) {
			return "", errNoSubscription
		} else if err != nil {
			return "", temporary(err)
		}
		p := Push{Subscription: sub, Title: m.Subject, Body: m.Text, URL: m.URL, Topic: pushTopic(m)}
		if !m.ExpiresAt.IsZero() {
			p.TTL = max(time.Minute, m.ExpiresAt.Sub(n.cfg.Now()))
		}
		if m.Category.Urgent() {
			p.Urgency = "high"
		}
		return n.cfg.Push.SendPush(ctx, p)
	}
	return "", permanent(fmt.Errorf("notify: unknown channel %q", m.Channel))
}

// pushTopic lets a newer push about the same thing (the same Ref and kind:
// a reminder of one visit) replace an undelivered one: 32 base64url
// characters of a hash, the most a topic may have.
func pushTopic(m Message) string {
	if m.Ref == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(m.Ref + "|" + m.Kind))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

// finish records r under m's lease. A lost lease (the message was withdrawn,
// or the lease ran out and another dispatcher took it) is logged: the
// outcome of this attempt is not recorded.
func (n *Notifier) finish(ctx context.Context, m Message, r Result) bool {
	// The outcome must be recorded even when ctx ends right now: the send
	// has happened.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), n.cfg.SendTimeout)
	defer cancel()
	err := n.cfg.Store.FinishMessage(fctx, m.ID, n.cfg.Owner, r)
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrLeaseLost):
		n.log.WarnContext(ctx, "notify: lease lost before the outcome was recorded", "message", m.ID, "status", r.Status)
	default:
		n.log.ErrorContext(ctx, "notify: recording a delivery failed", "message", m.ID, "status", r.Status, "err", err)
	}
	return false
}

// release gives back the leases of msgs.
func (n *Notifier) release(msgs []Message) {
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.SendTimeout)
	defer cancel()
	for _, m := range msgs {
		if err := n.cfg.Store.ReleaseMessage(ctx, m.ID, n.cfg.Owner); err != nil {
			n.log.Error("notify: releasing a message failed; it is retried when its lease ends", "message", m.ID, "err", err)
		}
	}
}

// backoff is the wait before attempt number attempts+2: RetryBase ×
// 2^attempts, capped at RetryMax, then randomised to between half and all
// of that, so that messages failing together do not retry together.
func (n *Notifier) backoff(attempts int) time.Duration {
	d := n.cfg.RetryBase
	for i := 0; i < attempts && d < n.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, n.cfg.RetryMax)
	return d/2 + time.Duration(n.cfg.Jitter()*float64(d/2))
}

func randFloat() float64 { return rand.Float64() }
