package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

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
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`
	// An offer or a piece of news is queued only while its user exists
	// with a marketing consent: the check and the insert are one statement
	// of the write transaction, so a consent withdrawn or an account erased
	// before it leaves nothing queued, and after it, the withdrawal or
	// erasure finds the message. Arguments as insertMessageSQL's.
	insertMarketingSQL = `INSERT INTO messages (` + messageColumns + `)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, '', NULL,
			?21, ?22, ?23
		WHERE EXISTS (SELECT 1 FROM notification_settings n JOIN users u ON u.id = n.user_id
			WHERE n.user_id = ?3 AND n.consent_at IS NOT NULL AND u.disabled = 0)
		ON CONFLICT (key) DO NOTHING`

	// The claim in one statement of the write transaction: choose the due
	// pending messages whose lease is free or has run out, in due order, and
	// lease them. status = 'pending' is written out so that the partial
	// index messages_claim serves the choice. Arguments: owner, lease end,
	// now, now, limit.
	claimMessagesSQL = `UPDATE messages SET lease_owner = ?, lease_until = ?
		WHERE id IN (SELECT id FROM messages
			WHERE status = 'pending' AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY due_at, id LIMIT ?)
		RETURNING ` + messageColumns

	// Arguments: status, provider ID (NULL: unchanged), sent at (NULL:
	// unchanged), due at (NULL: unchanged), attempts to add, last error,
	// updated at, id, owner.
	finishMessageSQL = `UPDATE messages SET status = ?, provider_id = coalesce(?, provider_id),
			sent_at = coalesce(?, sent_at), due_at = coalesce(?, due_at), attempts = attempts + ?,
			last_error = ?, recipient = coalesce(nullif(?, ''), recipient),
			lease_owner = '', lease_until = NULL, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND status = 'pending'`
)

// EnqueueMessages inserts msgs in one write transaction, skipping those
// whose Key is already in the outbox (or earlier in msgs), and returns how
// many it inserted. A message of a marketing category is skipped unless
// its user exists with a marketing consent at that moment. Each message
// needs ID, Key, a known Category and Channel, and CreatedAt; an empty
// Status is pending, a zero DueAt or UpdatedAt is CreatedAt. A queued
// message is never leased: LeaseOwner and LeaseUntil are ignored. A taken
// ID fails the whole call.
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
		return 0, errors.New("sqlite: enqueue and advance: the time is required")
	}
	return s.enqueue(ctx, msgs, consumer, owner, seq, at)
}

// enqueue inserts msgs and, with a consumer, advances its cursor, in one
// write.
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
			return 0, fmt.Errorf("sqlite: enqueue message %d: %w", i, err)
		}
		attachments, err := encodeAttachments(m.Attachments)
		if err != nil {
			return 0, err
		}
		rows[i] = []any{m.ID, m.Key, m.UserID, string(m.Category), m.Kind, string(m.Channel), m.Locale, m.To,
			m.Subject, m.Text, m.HTML, m.URL, attachments, m.Ref, string(m.Status), encodeTime(m.DueAt),
			encodeNullTime(m.ExpiresAt), m.Attempts, m.LastError, m.ProviderID, encodeTime(m.CreatedAt),
			encodeTime(m.UpdatedAt), encodeNullTime(m.SentAt)}
	}
	var inserted int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		inserted = 0
		if owner != "" {
			if err := holdsLease(ctx, tx, consumer, owner, at); err != nil {
				return err
			}
		}
		if len(rows) > 0 {
			st, err := tx.PrepareContext(ctx, insertMessageSQL)
			if err != nil {
				return fmt.Errorf("sqlite: enqueue messages: %w", err)
			}
			defer st.Close()
			for i, args := range rows {
				var res sql.Result
				if marketing[i] {
					res, err = tx.ExecContext(ctx, insertMarketingSQL, args...)
				} else {
					res, err = st.ExecContext(ctx, args...)
				}
				if err != nil {
					return notifyWriteError("enqueue messages", err)
				}
				n, err := res.RowsAffected()
				if err != nil {
					return fmt.Errorf("sqlite: enqueue messages: %w", err)
				}
				inserted += int(n)
			}
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

// ClaimMessages leases up to limit due messages to owner, in one write
// transaction, as notify.Store documents; they come back in due order (then
// ID). owner must not be empty, lease and limit must be positive.
func (s *Store) ClaimMessages(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	switch {
	case owner == "":
		return nil, errors.New("sqlite: claim messages: empty owner")
	case lease <= 0:
		return nil, fmt.Errorf("sqlite: claim messages: lease %v is not positive", lease)
	case limit <= 0:
		return nil, fmt.Errorf("sqlite: claim messages: limit %d is not positive", limit)
	}
	nowText := encodeTime(now)
	var claimed []notify.Message
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		claimed, err = queryAll(ctx, tx, "claim messages", messageDest, claimMessagesSQL,
			owner, encodeTime(now.Add(lease)), nowText, nowText, limit)
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
		return errors.New("sqlite: finish message: empty owner")
	}
	if r.At.IsZero() {
		return errors.New("sqlite: finish message: Result.At is required")
	}
	var (
		providerID, sentAt, dueAt sql.NullString
		attempt                   = 1
	)
	switch r.Status {
	case notify.StatusSent:
		providerID = sql.NullString{String: r.ProviderID, Valid: true}
		sentAt = encodeNullTime(r.At)
	case notify.StatusPending:
		if r.RetryAt.IsZero() {
			return errors.New("sqlite: finish message: Result.RetryAt is required to retry")
		}
		dueAt = encodeNullTime(r.RetryAt)
	case notify.StatusFailed:
	case notify.StatusWithdrawn:
		attempt = 0
	default:
		return fmt.Errorf("sqlite: finish message: unknown status %q", r.Status)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, finishMessageSQL, string(r.Status), providerID, sentAt, dueAt, attempt,
			r.Error, r.To, encodeTime(r.At), id, owner)
		if err != nil {
			return fmt.Errorf("sqlite: finish message: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: finish message: %w", err)
		} else if n == 1 {
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
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM messages WHERE id = ?`, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notify.ErrNotFound
	case err != nil:
		return fmt.Errorf("sqlite: find message: %w", err)
	}
	return notify.ErrLeaseLost
}

// ReleaseMessage gives back owner's lease on id, so that the message can be
// claimed again at once; no attempt is counted. Nothing happens, and no
// error is returned, when owner does not hold the lease or there is no such
// message.
func (s *Store) ReleaseMessage(ctx context.Context, id, owner string) error {
	if owner == "" {
		return errors.New("sqlite: release message: empty owner")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET lease_owner = '', lease_until = NULL
			WHERE id = ? AND lease_owner = ? AND status = 'pending'`, id, owner); err != nil {
			return fmt.Errorf("sqlite: release message: %w", err)
		}
		return nil
	})
}

// WithdrawMessages withdraws the pending messages with ref (and one of
// kinds, or any kind when kinds is empty), leased or not, as notify.Store
// documents, and returns how many. ref must not be empty: that would
// withdraw every message about nothing in particular.
func (s *Store) WithdrawMessages(ctx context.Context, ref string, kinds []string, reason string, at time.Time) (int, error) {
	return s.withdraw(ctx, ref, kinds, reason, "", "", at)
}

// WithdrawUnderLease withdraws as WithdrawMessages, only while owner holds
// the lease consumer (cabinet.Cursors).
func (s *Store) WithdrawUnderLease(ctx context.Context, ref string, kinds []string, reason, consumer, owner string, at time.Time) (int, error) {
	if consumer == "" || owner == "" {
		return 0, errors.New("sqlite: withdraw under lease: consumer and owner are required")
	}
	return s.withdraw(ctx, ref, kinds, reason, consumer, owner, at)
}

func (s *Store) withdraw(ctx context.Context, ref string, kinds []string, reason, lease, owner string, at time.Time) (int, error) {
	if ref == "" {
		return 0, errors.New("sqlite: withdraw messages: empty ref")
	}
	query := `UPDATE messages SET status = 'withdrawn', last_error = ?, updated_at = ?,
			lease_owner = '', lease_until = NULL
		WHERE ref = ? AND status = 'pending'`
	args := []any{reason, encodeTime(at), ref}
	if len(kinds) > 0 {
		in, a := inList("kind", kinds)
		query += ` AND ` + in
		args = append(args, a...)
	}
	var n int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if owner != "" {
			if err := holdsLease(ctx, tx, lease, owner, at); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("sqlite: withdraw messages: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: withdraw messages: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// Messages lists f.UserID's messages newest first (CreatedAt, then ID, both
// descending), up to f.Limit: 50 when it is 0 or less, at most 200. Before
// alone pages back to the messages created before it; with BeforeID, also
// those created at Before whose ID sorts before BeforeID.
func (s *Store) Messages(ctx context.Context, f notify.MessageFilter) ([]notify.Message, error) {
	if f.UserID == "" {
		return nil, errors.New("sqlite: messages: MessageFilter.UserID is required")
	}
	where := []string{`user_id = ?`}
	args := []any{f.UserID}
	if len(f.Channels) > 0 {
		in, a := inList("channel", stringsOf(f.Channels))
		where, args = append(where, in), append(args, a...)
	}
	if len(f.Statuses) > 0 {
		in, a := inList("status", stringsOf(f.Statuses))
		where, args = append(where, in), append(args, a...)
	}
	if !f.Before.IsZero() {
		before := encodeTime(f.Before)
		if f.BeforeID != "" {
			// A row value: one index range of messages_user, however deep the
			// page.
			where = append(where, `(created_at, id) < (?, ?)`)
			args = append(args, before, f.BeforeID)
		} else {
			where, args = append(where, `created_at < ?`), append(args, before)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultMessagesLimit
	}
	limit = min(limit, maxMessagesLimit)
	query := `SELECT ` + messageColumns + ` FROM messages` + whereClause(where) +
		` ORDER BY created_at DESC, id DESC LIMIT ?`
	return queryRead(ctx, s, "list messages", messageDest, query, append(args, limit)...)
}

// MessageByKey returns the message with key, or ErrNotFound.
func (s *Store) MessageByKey(ctx context.Context, key string) (notify.Message, error) {
	list, err := queryRead(ctx, s, "find message", messageDest,
		`SELECT `+messageColumns+` FROM messages WHERE key = ?`, key)
	if err != nil {
		return notify.Message{}, err
	}
	if len(list) == 0 {
		return notify.Message{}, notify.ErrNotFound
	}
	return list[0], nil
}

// NotificationSettings returns the client's settings, or ErrNotFound when
// they never saved any. A category saved with an empty (or nil) list comes
// back with an empty, non-nil list ("none"); no categories at all is a nil
// map.
func (s *Store) NotificationSettings(ctx context.Context, userID string) (notify.Settings, error) {
	list, err := queryRead(ctx, s, "find notification settings", settingsDest, `
		SELECT channels, consent_at, consent_source, consent_version, quiet_start, quiet_end, time_zone, updated_at
		FROM notification_settings WHERE user_id = ?`, userID)
	if err != nil {
		return notify.Settings{}, err
	}
	if len(list) == 0 {
		return notify.Settings{}, notify.ErrNotFound
	}
	return list[0].decode()
}

// SaveNotificationSettings replaces the client's settings. Categories and
// channels must be known ones, a consent needs its At, and UpdatedAt is
// required.
func (s *Store) SaveNotificationSettings(ctx context.Context, userID string, st notify.Settings) error {
	if userID == "" {
		return errors.New("sqlite: save notification settings: empty user ID")
	}
	if st.UpdatedAt.IsZero() {
		return errors.New("sqlite: save notification settings: UpdatedAt is required")
	}
	channels, err := encodeChannels(st.Channels)
	if err != nil {
		return err
	}
	var (
		consentAt               sql.NullString
		consentSource, consentV string
	)
	if c := st.MarketingConsent; c != nil {
		if c.At.IsZero() {
			return errors.New("sqlite: save notification settings: MarketingConsent.At is required")
		}
		consentAt, consentSource, consentV = encodeNullTime(c.At), c.Source, c.Version
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO notification_settings (user_id, channels, consent_at, consent_source, consent_version,
				quiet_start, quiet_end, time_zone, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET channels = excluded.channels, consent_at = excluded.consent_at,
				consent_source = excluded.consent_source, consent_version = excluded.consent_version,
				quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
				time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
			userID, channels, consentAt, consentSource, consentV, st.QuietStart, st.QuietEnd, st.TimeZone,
			encodeTime(st.UpdatedAt)); err != nil {
			return notifyWriteError("save notification settings", err)
		}
		return nil
	})
}

// SavePushSubscription stores sub, replacing the subscription with the same
// Endpoint (whoever held it) or the same ID. ID, UserID, Endpoint, P256dh,
// Auth and CreatedAt are required.
func (s *Store) SavePushSubscription(ctx context.Context, sub notify.Subscription) error {
	for _, f := range []struct{ name, val string }{
		{"ID", sub.ID}, {"UserID", sub.UserID}, {"Endpoint", sub.Endpoint}, {"P256dh", sub.P256dh}, {"Auth", sub.Auth},
	} {
		if f.val == "" {
			return fmt.Errorf("sqlite: save push subscription: %s is required", f.name)
		}
	}
	if sub.CreatedAt.IsZero() {
		return errors.New("sqlite: save push subscription: CreatedAt is required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// REPLACE deletes every row that conflicts, on the endpoint or the
		// ID, before it inserts.
		if _, err := tx.ExecContext(ctx, `
			REPLACE INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, user_agent, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sub.ID, sub.UserID, sub.Endpoint, sub.P256dh, sub.Auth, sub.UserAgent, encodeTime(sub.CreatedAt)); err != nil {
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
		`SELECT `+subscriptionColumns+` FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id`, userID)
}

// PushSubscriptionByID returns one subscription, or ErrNotFound.
func (s *Store) PushSubscriptionByID(ctx context.Context, id string) (notify.Subscription, error) {
	list, err := queryRead(ctx, s, "find push subscription", subscriptionDest,
		`SELECT `+subscriptionColumns+` FROM push_subscriptions WHERE id = ?`, id)
	if err != nil {
		return notify.Subscription{}, err
	}
	if len(list) == 0 {
		return notify.Subscription{}, notify.ErrNotFound
	}
	return list[0], nil
}

// DeletePushSubscription removes subscription id of userID (of anyone when
// userID is empty), or returns ErrNotFound.
func (s *Store) DeletePushSubscription(ctx context.Context, userID, id string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = ? AND (? = '' OR user_id = ?)`,
			id, userID, userID)
		if err != nil {
			return fmt.Errorf("sqlite: delete push subscription: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlite: delete push subscription: %w", err)
		} else if n == 0 {
			return notify.ErrNotFound
		}
		return nil
	})
}

// Cursor returns the consumer's position in the event log, 0 when it never
// advanced.
func (s *Store) Cursor(ctx context.Context, consumer string) (int64, error) {
	list, err := queryRead(ctx, s, "find cursor", func(seq *int64) []any { return []any{seq} },
		`SELECT seq FROM event_cursors WHERE consumer = ?`, consumer)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	return list[0], nil
}

// AdvanceCursor moves the consumer's position to seq at at; a seq not above
// the stored one (0 for a consumer that never advanced) changes nothing.
func (s *Store) AdvanceCursor(ctx context.Context, consumer string, seq int64, at time.Time) error {
	if consumer == "" {
		return errors.New("sqlite: advance cursor: empty consumer")
	}
	if seq <= 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return advanceCursor(ctx, tx, consumer, seq, at)
	})
}

// advanceCursor moves consumer's cursor forward to seq inside tx.
func advanceCursor(ctx context.Context, tx *sql.Tx, consumer string, seq int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO event_cursors (consumer, seq, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at
			WHERE excluded.seq > event_cursors.seq`,
		consumer, seq, encodeTime(at)); err != nil {
		return fmt.Errorf("sqlite: advance cursor: %w", err)
	}
	return nil
}

// notifyWriteError wraps a failed write of what; a value a CHECK refuses or
// a taken ID is said so.
func notifyWriteError(what string, err error) error {
	switch {
	case constraint(err, sqlite3.SQLITE_CONSTRAINT_CHECK):
		return fmt.Errorf("sqlite: %s: a value is out of range: %w", what, err)
	case constraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY), constraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE):
		return fmt.Errorf("sqlite: %s: the ID is already taken: %w", what, err)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// normalizeMessage puts m's instants in UTC and fills the defaults of a new
// message: pending, due and updated when created, never leased.
func normalizeMessage(m notify.Message) notify.Message {
	for _, t := range []*time.Time{&m.DueAt, &m.ExpiresAt, &m.LeaseUntil, &m.CreatedAt, &m.UpdatedAt, &m.SentAt} {
		*t = t.UTC()
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
		return errors.New("ID is required")
	case m.Key == "":
		return errors.New("Key is required")
	case !m.Category.Valid():
		return fmt.Errorf("unknown category %q", m.Category)
	case !knownChannel(m.Channel):
		return fmt.Errorf("unknown channel %q", m.Channel)
	case !slices.Contains([]notify.Status{notify.StatusPending, notify.StatusSent, notify.StatusFailed,
		notify.StatusWithdrawn}, m.Status):
		return fmt.Errorf("unknown status %q", m.Status)
	case m.CreatedAt.IsZero():
		return errors.New("CreatedAt is required")
	case m.Attempts < 0:
		return errors.New("Attempts is negative")
	}
	return nil
}

func knownChannel(c notify.Channel) bool {
	return c == notify.ChannelSMS || c == notify.ChannelEmail || c == notify.ChannelPush
}

// stringsOf converts a list of string-typed values.
func stringsOf[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
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
			return "", fmt.Errorf("sqlite: save notification settings: unknown category %q", cat)
		}
		list := make([]string, 0, len(chs))
		for _, c := range chs {
			if !knownChannel(c) {
				return "", fmt.Errorf("sqlite: save notification settings: unknown channel %q", c)
			}
			list = append(list, string(c))
		}
		stored[string(cat)] = list
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode channels: %w", err)
	}
	return string(b), nil
}

// settingsRow is a notification_settings row as scanned.
type settingsRow struct {
	channels                      string
	consentAt                     time.Time
	consentSource, consentVersion string
	s                             notify.Settings
}

func settingsDest(r *settingsRow) []any {
	return []any{&r.channels, timeDest{&r.consentAt}, &r.consentSource, &r.consentVersion,
		&r.s.QuietStart, &r.s.QuietEnd, &r.s.TimeZone, timeDest{&r.s.UpdatedAt}}
}

func (r settingsRow) decode() (notify.Settings, error) {
	s := r.s
	// An empty array decodes to an empty, non-nil list: "none", as saved.
	if err := json.Unmarshal([]byte(r.channels), &s.Channels); err != nil {
		return notify.Settings{}, fmt.Errorf("sqlite: stored channels: %w", err)
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
		WHERE n.consent_at IS NOT NULL AND u.disabled = 0 AND n.user_id > ?
		ORDER BY n.user_id LIMIT ?`, after, limit)
}
