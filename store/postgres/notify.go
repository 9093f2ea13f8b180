package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet"
	"github.com/kabinet-dev/kabinet/notify"
)

var (
	_ notify.Store    = (*Store)(nil)
	_ cabinet.Cursors = (*Store)(nil)
)

// The notification outbox (messages), the clients' notification settings,
// their push subscriptions, and the cursors of the event log's consumers
// (migrations/0003_notify.sql).

// Limits of Messages.
const (
	defaultMessagesLimit = 50
	maxMessagesLimit     = 200
)

const (
	messageColumns = `id, key, user_id, category, kind, channel, locale, recipient, subject, text, html, url,
		attachments, ref, status, due_at, expires_at, attempts, last_error, provider_id, lease_owner,
		lease_until, created_at, updated_at, sent_at`
	insertMessageSQL = `INSERT INTO messages (` + messageColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			'', NULL, $21, $22, $23)
		ON CONFLICT (key) DO NOTHING`
	// An offer or a piece of news is queued only while its user exists
	// with a marketing consent. The check locks the settings and user rows it
	// reads (FOR SHARE) until the commit: a withdrawal of the consent or an
	// erasure of the account running at the same time either committed
	// before — and the check, re-reading the newest row under the lock, finds
	// no consent — or waits for this transaction, and then finds the message
	// to withdraw or delete. Arguments as insertMessageSQL's.
	insertMarketingSQL = `INSERT INTO messages (` + messageColumns + `)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, '', NULL,
			$21, $22, $23
		WHERE EXISTS (SELECT 1 FROM notification_settings n JOIN users u ON u.id = n.user_id
			WHERE n.user_id = $3 AND n.consent_at IS NOT NULL AND NOT u.disabled
			FOR SHARE OF n, u)
		ON CONFLICT (key) DO NOTHING`

	// The claim in one statement: choose the due pending messages whose lease
	// is free or has run out, in due order, locking each (FOR UPDATE SKIP
	// LOCKED: rows another claim is taking right now are passed over, not
	// waited for), and lease them. A row a concurrent claim leased and
	// committed meanwhile is re-checked under its lock and dropped, its lease
	// no longer free. Arguments: owner, lease end, now, limit.
	claimMessagesSQL = `UPDATE messages SET lease_owner = $1, lease_until = $2
		WHERE id IN (SELECT id FROM messages
			WHERE status = 'pending' AND due_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY due_at, id LIMIT $4
			FOR UPDATE SKIP LOCKED)
		RETURNING ` + messageColumns

	// Arguments: status, provider ID (NULL: unchanged), sent at (NULL:
	// unchanged), due at (NULL: unchanged), attempts to add, last error,
	// recipient ('': unchanged), updated at, id, owner.
	finishMessageSQL = `UPDATE messages SET status = $1, provider_id = coalesce($2, provider_id),
			sent_at = coalesce($3, sent_at), due_at = coalesce($4, due_at), attempts = attempts + $5,
			last_error = $6, recipient = coalesce(nullif($7, ''), recipient),
			lease_owner = '', lease_until = NULL, updated_at = $8
		WHERE id = $9 AND lease_owner = $10 AND status = 'pending'`
)

// EnqueueMessages inserts msgs in one transaction, skipping those whose Key
// is already in the outbox (or earlier in msgs), and returns how many it
// inserted. A message of a marketing category is skipped unless its user
// exists with a marketing consent at that moment. Each message needs ID,
// Key, a known Category and Channel, and CreatedAt; an empty Status is
// pending, a zero DueAt or UpdatedAt is CreatedAt. A queued message is never
// leased: LeaseOwner and LeaseUntil are ignored. A taken ID fails the whole
// call.
func (s *Store) EnqueueMessages(ctx context.Context, msgs []notify.Message) (int, error) {
	return s.enqueue(ctx, msgs, "", "", 0, time.Time{})
}

// EnqueueAndAdvance queues msgs as EnqueueMessages does and moves consumer's
// cursor to seq (as AdvanceCursor does) in the same transaction: a planner
// that dies between the two neither loses the messages of the events it
// has passed nor plans those events again. An empty consumer or a seq of 0
// or less moves no cursor.
//
// With an owner, the write is fenced: it happens only while owner holds the
// lease named consumer at at, else nothing is written (notify.ErrLeaseLost).
func (s *Store) EnqueueAndAdvance(ctx context.Context, msgs []notify.Message, consumer, owner string, seq int64, at time.Time) (int, error) {
	if (consumer != "" && seq > 0 || owner != "") && at.IsZero() {
		return 0, errors.New("postgres: enqueue and advance: the time is required")
	}
	return s.enqueue(ctx, msgs, consumer, owner, seq, at)
}

// enqueue inserts msgs and, with a consumer, advances its cursor, in one
// transaction.
func (s *Store) enqueue(ctx context.Context, msgs []notify.Message, consumer, owner string, seq int64, at time.Time) (int, error) {
	advance := consumer != "" && seq > 0
	if len(msgs) == 0 && !advance && owner == "" {
		return 0, nil
	}
	rows := make([][]any, len(msgs))
	marketing := make([]bool, len(msgs))
	for i, m := range msgs {
		marketing[i] = m.Category.Marketing()
		m = normalizeMessage(m)
		if err := validateMessage(m); err != nil {
			return 0, fmt.Errorf("postgres: enqueue message %d: %w", i, err)
		}
		attachments, err := encodeAttachments(m.Attachments)
		if err != nil {
			return 0, err
		}
		rows[i] = []any{m.ID, m.Key, m.UserID, string(m.Category), m.Kind, string(m.Channel), m.Locale, m.To,
			m.Subject, m.Text, m.HTML, m.URL, attachments, m.Ref, string(m.Status), m.DueAt,
			nullTime(m.ExpiresAt), m.Attempts, m.LastError, m.ProviderID, m.CreatedAt,
			m.UpdatedAt, nullTime(m.SentAt)}
	}
	var inserted int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		inserted = 0
		if owner != "" {
			if err := holdsLease(ctx, tx, consumer, owner, at); err != nil {
				return err
			}
		}
		for i, args := range rows {
			query := insertMessageSQL
			if marketing[i] {
				query = insertMarketingSQL
			}
			n, err := execCount(ctx, tx, query, args...)
			if err != nil {
				return notifyWriteError("enqueue messages", err)
			}
			inserted += n
		}
		if advance {
			return advanceCursor(ctx, tx, consumer, seq, at)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

// ClaimMessages leases up to limit due messages to owner, in one statement,
// as notify.Store documents; they come back in due order (then ID). owner
// must not be empty, lease and limit must be positive. Any number of
// dispatchers, on any number of instances, may claim at once: each message
// is leased to one of them (see claimMessagesSQL).
func (s *Store) ClaimMessages(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	switch {
	case owner == "":
		return nil, errors.New("postgres: claim messages: empty owner")
	case lease <= 0:
		return nil, fmt.Errorf("postgres: claim messages: lease %v is not positive", lease)
	case limit <= 0:
		return nil, fmt.Errorf("postgres: claim messages: limit %d is not positive", limit)
	}
	var claimed []notify.Message
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		claimed, err = queryAll(ctx, tx, "claim messages", messageDest, claimMessagesSQL,
			owner, utc(now.Add(lease)), utc(now), limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives the rows in no promised order.
	slices.SortFunc(claimed, func(a, b notify.Message) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	return claimed, nil
}

// FinishMessage records r under owner's lease, as notify.Store documents:
// ErrLeaseLost when the message is no longer pending under owner's lease
// (finished, withdrawn, released, or taken over by another), ErrNotFound
// when there is no such message. r.At is required (it becomes UpdatedAt, and
// SentAt when sent); so is r.RetryAt with StatusPending.
func (s *Store) FinishMessage(ctx context.Context, id, owner string, r notify.Result) error {
	if owner == "" {
		return errors.New("postgres: finish message: empty owner")
	}
	if r.At.IsZero() {
		return errors.New("postgres: finish message: Result.At is required")
	}
	var (
		providerID, sentAt, dueAt any
		attempt                   = 1
	)
	switch r.Status {
	case notify.StatusSent:
		providerID = r.ProviderID
		sentAt = nullTime(r.At)
	case notify.StatusPending:
		if r.RetryAt.IsZero() {
			return errors.New("postgres: finish message: Result.RetryAt is required to retry")
		}
		dueAt = nullTime(r.RetryAt)
	case notify.StatusFailed:
	case notify.StatusWithdrawn:
		attempt = 0
	default:
		return fmt.Errorf("postgres: finish message: unknown status %q", r.Status)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n, err := execCount(ctx, tx, finishMessageSQL, string(r.Status), providerID, sentAt, dueAt, attempt,
			r.Error, r.To, utc(r.At), id, owner)
		if err != nil {
			return fmt.Errorf("postgres: finish message: %w", err)
		}
		if n == 1 {
			return nil
		}
		return leaseLostOrNotFound(ctx, tx, id)
	})
}

// leaseLostOrNotFound tells why an update of message id under a lease
// changed nothing: ErrNotFound when the message does not exist, ErrLeaseLost
// otherwise.
func leaseLostOrNotFound(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM messages WHERE id = $1`, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notify.ErrNotFound
	case err != nil:
		return fmt.Errorf("postgres: find message: %w", err)
	}
	return notify.ErrLeaseLost
}

// ReleaseMessage gives back owner's lease on id, so that the message can be
// claimed again at once; no attempt is counted. Nothing happens, and no
// error is returned, when owner does not hold the lease or there is no such
// message.
func (s *Store) ReleaseMessage(ctx context.Context, id, owner string) error {
	if owner == "" {
		return errors.New("postgres: release message: empty owner")
	}
	_, err := s.execWrite(ctx, "release message", `UPDATE messages SET lease_owner = '', lease_until = NULL
		WHERE id = $1 AND lease_owner = $2 AND status = 'pending'`, id, owner)
	return err
}

// WithdrawMessages withdraws the pending messages with ref (and one of
// kinds, or any kind when kinds is empty), leased or not, as notify.Store
// documents, and returns how many. ref must not be empty: that would
// withdraw every message about nothing in particular.
func (s *Store) WithdrawMessages(ctx context.Context, ref string, kinds []string, reason string, at time.Time) (int, error) {
	return s.withdraw(ctx, ref, kinds, reason, "", "", at)
}

// WithdrawUnderLease withdraws as WithdrawMessages, only while owner holds
// the lease consumer (cabinet.Cursors): the lease row is locked and checked
// in the same transaction.
func (s *Store) WithdrawUnderLease(ctx context.Context, ref string, kinds []string, reason, consumer, owner string, at time.Time) (int, error) {
	if consumer == "" || owner == "" {
		return 0, errors.New("postgres: withdraw under lease: consumer and owner are required")
	}
	return s.withdraw(ctx, ref, kinds, reason, consumer, owner, at)
}

func (s *Store) withdraw(ctx context.Context, ref string, kinds []string, reason, lease, owner string, at time.Time) (int, error) {
	if ref == "" {
		return 0, errors.New("postgres: withdraw messages: empty ref")
	}
	query := `UPDATE messages SET status = 'withdrawn', last_error = $1, updated_at = $2,
			lease_owner = '', lease_until = NULL
		WHERE ref = $3 AND status = 'pending'`
	args := []any{reason, utc(at), ref}
	if len(kinds) > 0 {
		query += ` AND kind = ANY($4)`
		args = append(args, kinds)
	}
	if owner == "" {
		return s.execWrite(ctx, "withdraw messages", query, args...)
	}
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := holdsLease(ctx, tx, lease, owner, at); err != nil {
			return err
		}
		var err error
		n, err = execCount(ctx, tx, query, args...)
		if err != nil {
			return fmt.Errorf("postgres: withdraw messages: %w", err)
		}
		return nil
	})
	return n, err
}

// Messages lists f.UserID's messages newest first (CreatedAt, then ID, both
// descending), up to f.Limit: 50 when it is 0 or less, at most 200. Before
// alone pages back to the messages created before it; with BeforeID, also
// those created at Before whose ID sorts before BeforeID.
func (s *Store) Messages(ctx context.Context, f notify.MessageFilter) ([]notify.Message, error) {
	if f.UserID == "" {
		return nil, errors.New("postgres: messages: MessageFilter.UserID is required")
	}
	var w where
	w.add(`user_id = ?`, f.UserID)
	if len(f.Channels) > 0 {
		w.add(`channel = ANY(?)`, stringsOf(f.Channels))
	}
	if len(f.Statuses) > 0 {
		w.add(`status = ANY(?)`, stringsOf(f.Statuses))
	}
	if !f.Before.IsZero() {
		if f.BeforeID != "" {
			// A row value: one index range of messages_user, however deep the
			// page.
			w.add(`(created_at, id) < (?, ?)`, utc(f.Before), f.BeforeID)
		} else {
			w.add(`created_at < ?`, utc(f.Before))
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultMessagesLimit
	}
	limit = min(limit, maxMessagesLimit)
	query := `SELECT ` + messageColumns + ` FROM messages` + w.clause() +
		` ORDER BY created_at DESC, id DESC LIMIT ` + w.arg(limit)
	return queryRead(ctx, s, "list messages", messageDest, query, w.args...)
}

// MessageByKey returns the message with key, or ErrNotFound.
func (s *Store) MessageByKey(ctx context.Context, key string) (notify.Message, error) {
	return queryOne(ctx, s.db, "find message", notify.ErrNotFound, messageDest,
		`SELECT `+messageColumns+` FROM messages WHERE key = $1`, key)
}

// NotificationSettings returns the client's settings, or ErrNotFound when
// they never saved any. A category saved with an empty (or nil) list comes
// back with an empty, non-nil list ("none"); no categories at all is a nil
// map.
func (s *Store) NotificationSettings(ctx context.Context, userID string) (notify.Settings, error) {
	r, err := queryOne(ctx, s.db, "find notification settings", notify.ErrNotFound, settingsDest, `
		SELECT channels, consent_at, consent_source, consent_version, quiet_start, quiet_end, time_zone, updated_at
		FROM notification_settings WHERE user_id = $1`, userID)
	if err != nil {
		return notify.Settings{}, err
	}
	return r.decode()
}

// SaveNotificationSettings replaces the client's settings. Categories and
// channels must be known ones, a consent needs its At, and UpdatedAt is
// required.
func (s *Store) SaveNotificationSettings(ctx context.Context, userID string, st notify.Settings) error {
	if userID == "" {
		return errors.New("postgres: save notification settings: empty user ID")
	}
	if st.UpdatedAt.IsZero() {
		return errors.New("postgres: save notification settings: UpdatedAt is required")
	}
	channels, err := encodeChannels(st.Channels)
	if err != nil {
		return err
	}
	var (
		consentAt               any
		consentSource, consentV string
	)
	if c := st.MarketingConsent; c != nil {
		if c.At.IsZero() {
			return errors.New("postgres: save notification settings: MarketingConsent.At is required")
		}
		consentAt, consentSource, consentV = nullTime(c.At), c.Source, c.Version
	}
	_, err = s.execWrite(ctx, "save notification settings", `
		INSERT INTO notification_settings (user_id, channels, consent_at, consent_source, consent_version,
			quiet_start, quiet_end, time_zone, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (user_id) DO UPDATE SET channels = excluded.channels, consent_at = excluded.consent_at,
			consent_source = excluded.consent_source, consent_version = excluded.consent_version,
			quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
			time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
		userID, channels, consentAt, consentSource, consentV, st.QuietStart, st.QuietEnd, st.TimeZone,
		utc(st.UpdatedAt))
	return notifyError(err)
}

// SavePushSubscription stores sub, replacing the subscription with the same
// Endpoint (whoever held it) or the same ID. ID, UserID, Endpoint, P256dh,
// Auth and CreatedAt are required.
func (s *Store) SavePushSubscription(ctx context.Context, sub notify.Subscription) error {
	for _, f := range []struct{ name, val string }{
		{"ID", sub.ID}, {"UserID", sub.UserID}, {"Endpoint", sub.Endpoint}, {"P256dh", sub.P256dh}, {"Auth", sub.Auth},
	} {
		if f.val == "" {
			return fmt.Errorf("postgres: save push subscription: %s is required", f.name)
		}
	}
	if sub.CreatedAt.IsZero() {
		return errors.New("postgres: save push subscription: CreatedAt is required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Every row that conflicts, on the endpoint or the ID, goes before
		// the insert; the endpoint's lock keeps two saves of one browser
		// from inserting it twice.
		if err := lockKeys(ctx, tx, lockKey("push-endpoint", sub.Endpoint)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE endpoint = $1 OR id = $2`,
			sub.Endpoint, sub.ID); err != nil {
			return notifyWriteError("save push subscription", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, user_agent, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			sub.ID, sub.UserID, sub.Endpoint, sub.P256dh, sub.Auth, sub.UserAgent, utc(sub.CreatedAt)); err != nil {
			return notifyWriteError("save push subscription", err)
		}
		return nil
	})
}

const subscriptionColumns = `id, user_id, endpoint, p256dh, auth, user_agent, created_at`

// PushSubscriptions lists the user's subscriptions, oldest first (then by
// ID).
func (s *Store) PushSubscriptions(ctx context.Context, userID string) ([]notify.Subscription, error) {
	return queryRead(ctx, s, "list push subscriptions", subscriptionDest,
		`SELECT `+subscriptionColumns+` FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at, id`, userID)
}

// PushSubscriptionByID returns one subscription, or ErrNotFound.
func (s *Store) PushSubscriptionByID(ctx context.Context, id string) (notify.Subscription, error) {
	return queryOne(ctx, s.db, "find push subscription", notify.ErrNotFound, subscriptionDest,
		`SELECT `+subscriptionColumns+` FROM push_subscriptions WHERE id = $1`, id)
}

// DeletePushSubscription removes subscription id of userID (of anyone when
// userID is empty), or returns ErrNotFound.
func (s *Store) DeletePushSubscription(ctx context.Context, userID, id string) error {
	n, err := s.execWrite(ctx, "delete push subscription",
		`DELETE FROM push_subscriptions WHERE id = $1 AND ($2 = '' OR user_id = $2)`, id, userID)
	if err != nil {
		return err
	}
	if n == 0 {
		return notify.ErrNotFound
	}
	return nil
}

// Cursor returns the consumer's position in the event log, 0 when it never
// advanced.
func (s *Store) Cursor(ctx context.Context, consumer string) (int64, error) {
	seq, err := queryOne(ctx, s.db, "find cursor", sql.ErrNoRows, func(seq *int64) []any { return []any{seq} },
		`SELECT seq FROM event_cursors WHERE consumer = $1`, consumer)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// AdvanceCursor moves the consumer's position to seq at at; a seq not above
// the stored one (0 for a consumer that never advanced) changes nothing.
func (s *Store) AdvanceCursor(ctx context.Context, consumer string, seq int64, at time.Time) error {
	if consumer == "" {
		return errors.New("postgres: advance cursor: empty consumer")
	}
	if seq <= 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return advanceCursor(ctx, tx, consumer, seq, at)
	})
}

// advanceCursor moves consumer's cursor forward to seq inside tx: one
// upsert, whose row lock orders concurrent advances, each comparing with the
// position the one before it left.
func advanceCursor(ctx context.Context, tx *sql.Tx, consumer string, seq int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO event_cursors (consumer, seq, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at
			WHERE excluded.seq > event_cursors.seq`,
		consumer, seq, utc(at)); err != nil {
		return fmt.Errorf("postgres: advance cursor: %w", err)
	}
	return nil
}

// notifyWriteError wraps a failed write of what; a value the schema refuses
// or a taken ID is said so.
func notifyWriteError(what string, err error) error {
	switch {
	case invalidValue(err):
		return fmt.Errorf("postgres: %s: a value is out of range: %w", what, err)
	case violation(err, codeUniqueViolation, ""):
		return fmt.Errorf("postgres: %s: the ID is already taken: %w", what, err)
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// notifyError is notifyWriteError for an error execWrite has wrapped
// already, or nil.
func notifyError(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case invalidValue(err):
		return fmt.Errorf("%w (a value is out of range)", err)
	case violation(err, codeUniqueViolation, ""):
		return fmt.Errorf("%w (the ID is already taken)", err)
	}
	return err
}

// normalizeMessage puts m's instants in UTC and fills the defaults of a new
// message: pending, due and updated when created, never leased.
func normalizeMessage(m notify.Message) notify.Message {
	for _, t := range []*time.Time{&m.DueAt, &m.ExpiresAt, &m.LeaseUntil, &m.CreatedAt, &m.UpdatedAt, &m.SentAt} {
		*t = micro(*t)
	}
	m.Status = cmp.Or(m.Status, notify.StatusPending)
	if m.DueAt.IsZero() {
		m.DueAt = m.CreatedAt
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	m.LeaseOwner, m.LeaseUntil = "", time.Time{}
	return m
}

// validateMessage checks what the store relies on.
func validateMessage(m notify.Message) error {
	switch {
	case m.ID == "":
		return errors.New("the ID is required")
	case m.Key == "":
		return errors.New("the key is required")
	case !m.Category.Valid():
		return fmt.Errorf("unknown category %q", m.Category)
	case !knownChannel(m.Channel):
		return fmt.Errorf("unknown channel %q", m.Channel)
	case !slices.Contains([]notify.Status{notify.StatusPending, notify.StatusSent, notify.StatusFailed,
		notify.StatusWithdrawn}, m.Status):
		return fmt.Errorf("unknown status %q", m.Status)
	case m.CreatedAt.IsZero():
		return errors.New("the creation time (CreatedAt) is required")
	case m.Attempts < 0:
		return errors.New("the number of attempts is negative")
	}
	return nil
}

func knownChannel(c notify.Channel) bool {
	return c == notify.ChannelSMS || c == notify.ChannelEmail || c == notify.ChannelPush
}

// messageDest is the scan destination of messageColumns.
func messageDest(m *notify.Message) []any {
	return []any{&m.ID, &m.Key, &m.UserID, (*string)(&m.Category), &m.Kind, (*string)(&m.Channel), &m.Locale,
		&m.To, &m.Subject, &m.Text, &m.HTML, &m.URL, attachmentsDest{&m.Attachments}, &m.Ref,
		(*string)(&m.Status), timeDest{&m.DueAt}, timeDest{&m.ExpiresAt}, &m.Attempts, &m.LastError,
		&m.ProviderID, &m.LeaseOwner, timeDest{&m.LeaseUntil}, timeDest{&m.CreatedAt}, timeDest{&m.UpdatedAt},
		timeDest{&m.SentAt}}
}

// storedAttachment is an attachment as the attachments column keeps it;
// Data is base64 in JSON.
type storedAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"data"`
}

func encodeAttachments(list []notify.Attachment) (string, error) {
	stored := make([]storedAttachment, len(list))
	for i, a := range list {
		stored[i] = storedAttachment(a)
	}
	return encodeList(stored)
}

// attachmentsDest decodes the attachments column; [] is nil.
type attachmentsDest struct{ l *[]notify.Attachment }

func (d attachmentsDest) Scan(src any) error {
	var stored []storedAttachment
	if err := (listDest[storedAttachment]{&stored}).Scan(src); err != nil {
		return err
	}
	*d.l = nil
	for _, a := range stored {
		*d.l = append(*d.l, notify.Attachment(a))
	}
	return nil
}

// encodeChannels stores a category → channels map as a JSON object, every
// list an array ([] for none).
func encodeChannels(m map[notify.Category][]notify.Channel) (string, error) {
	stored := make(map[string][]string, len(m))
	for cat, chs := range m {
		if !cat.Valid() {
			return "", fmt.Errorf("postgres: save notification settings: unknown category %q", cat)
		}
		list := make([]string, 0, len(chs))
		for _, c := range chs {
			if !knownChannel(c) {
				return "", fmt.Errorf("postgres: save notification settings: unknown channel %q", c)
			}
			list = append(list, string(c))
		}
		stored[string(cat)] = list
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return "", fmt.Errorf("postgres: encode channels: %w", err)
	}
	return string(b), nil
}

// settingsRow is a notification_settings row as scanned.
type settingsRow struct {
	channels                      []byte
	consentAt                     time.Time
	consentSource, consentVersion string
	s                             notify.Settings
}

func settingsDest(r *settingsRow) []any {
	return []any{jsonDest{&r.channels}, timeDest{&r.consentAt}, &r.consentSource, &r.consentVersion,
		&r.s.QuietStart, &r.s.QuietEnd, &r.s.TimeZone, timeDest{&r.s.UpdatedAt}}
}

func (r settingsRow) decode() (notify.Settings, error) {
	s := r.s
	// An empty array decodes to an empty, non-nil list: "none", as saved.
	if err := json.Unmarshal(r.channels, &s.Channels); err != nil {
		return notify.Settings{}, fmt.Errorf("postgres: stored channels: %w", err)
	}
	if len(s.Channels) == 0 {
		s.Channels = nil
	}
	if !r.consentAt.IsZero() {
		s.MarketingConsent = &notify.Consent{At: r.consentAt, Source: r.consentSource, Version: r.consentVersion}
	}
	return s, nil
}

// subscriptionDest is the scan destination of subscriptionColumns.
func subscriptionDest(s *notify.Subscription) []any {
	return []any{&s.ID, &s.UserID, &s.Endpoint, &s.P256dh, &s.Auth, &s.UserAgent, timeDest{&s.CreatedAt}}
}

// MarketingAudience returns the IDs of the clients with a marketing consent
// after the ID after, as notify.Store documents; disabled accounts are left
// out.
func (s *Store) MarketingAudience(ctx context.Context, after string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	return queryRead(ctx, s, "marketing audience", func(id *string) []any { return []any{id} }, `
		SELECT n.user_id FROM notification_settings n JOIN users u ON u.id = n.user_id
		WHERE n.consent_at IS NOT NULL AND NOT u.disabled AND n.user_id > $1
		ORDER BY n.user_id LIMIT $2`, after, limit)
}
