package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

var (
	_ card.EraseStore        = (*Store)(nil)
	_ auth.ChallengeConsumer = (*Store)(nil)
)

// Erasure of a client (card.EraseStore; migrations/0007_erasure.sql): one
// transaction over every table that holds something of theirs.

// EraseClient erases e.ClientID in one transaction, as card.EraseStore
// documents, and returns the keys of their photos' files. It holds the
// locks of the client's card, orders and identifiers, so no check-then-write
// of theirs (a photo under its quota, a sign-in creating the account again)
// interleaves with it.
func (s *Store) EraseClient(ctx context.Context, e card.Erasure) ([]string, error) {
	switch {
	case e.ClientID == "" || e.Pseudonym == "" || e.ClientID == e.Pseudonym:
		return nil, fmt.Errorf("postgres: erase client: a client and another pseudonym are required: %w", card.ErrInvalidInput)
	case e.At.IsZero():
		return nil, fmt.Errorf("postgres: erase client: the time is required: %w", card.ErrInvalidInput)
	case e.Audit.ID == "" || e.Audit.Action == "":
		return nil, fmt.Errorf("postgres: erase client: the audit entry needs an ID and an action: %w", card.ErrInvalidInput)
	}
	var keys []string
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		keys, err = eraseClient(ctx, tx, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

func eraseClient(ctx context.Context, tx *sql.Tx, e card.Erasure) ([]string, error) {
	c, p, at := e.ClientID, e.Pseudonym, utc(e.At)
	u, err := findUserByID(ctx, tx, c)
	if errors.Is(err, auth.ErrNotFound) {
		return nil, card.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	locks := []int64{cardLock(c), lockKey("orders", c), lockKey("user", c)}
	for _, v := range []string{u.Phone, u.Email} {
		if v != "" {
			locks = append(locks, identifierLock(v))
		}
	}
	if err := lockKeys(ctx, tx, locks...); err != nil {
		return nil, err
	}
	// Read again under the locks and with the row locked: the identifiers
	// are now the ones to erase.
	u, err = queryOne(ctx, tx, "find user", card.ErrNotFound, userDest,
		`SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, c)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(u.Roles, auth.Role.IsStaff) {
		return nil, fmt.Errorf("postgres: erase client: a staff account: %w", card.ErrForbidden)
	}

	// The photos' files: their keys, recorded for deletion after the commit.
	keys, err := queryStrings(ctx, tx, `
		SELECT original_key FROM photos WHERE client_id = $1
		UNION ALL SELECT medium_key FROM photos WHERE client_id = $1
		UNION ALL SELECT thumb_key FROM photos WHERE client_id = $1`, c)
	if err != nil {
		return nil, fmt.Errorf("postgres: erase client: photos: %w", err)
	}
	if len(keys) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO erased_blobs (key, erased_at)
			SELECT k, $2 FROM unnest($1::text[]) AS k ON CONFLICT (key) DO NOTHING`, keys, at); err != nil {
			return nil, fmt.Errorf("postgres: erase client: pending files: %w", err)
		}
	}

	steps := []eraseStep{
		// Deleted: the card's personal and health rows…
		{"journal", `DELETE FROM skin_journal WHERE client_id = $1`, []any{c}},
		{"photos", `DELETE FROM photos WHERE client_id = $1`, []any{c}},
		{"questionnaire", `DELETE FROM profile_versions WHERE client_id = $1`, []any{c}},
		{"consents", `DELETE FROM consents WHERE client_id = $1`, []any{c}},
		{"visit notes", `DELETE FROM visit_notes WHERE client_id = $1`, []any{c}},
		// …the notifications: every message (queued ones too: nothing more
		// is sent), push subscriptions, settings…
		{"messages", `DELETE FROM messages WHERE user_id = $1`, []any{c}},
		{"push subscriptions", `DELETE FROM push_subscriptions WHERE user_id = $1`, []any{c}},
		{"notification settings", `DELETE FROM notification_settings WHERE user_id = $1`, []any{c}},
		// …booking's idempotency keys (the client's own strings).
		{"idempotency keys", `DELETE FROM idempotency_keys WHERE client_id = $1`, []any{c}},

		// Kept under the pseudonym: appointments (prices, times, statuses),
		// without the client's notes and reasons or the staff's notes about
		// them; the reason the erasure gave its cancellations stays.
		{"appointments", `UPDATE appointments SET client_id = $2, client_note = '', notes = '',
				cancel_reason = CASE WHEN cancelled_by = $1 AND cancel_reason <> $3 THEN '' ELSE cancel_reason END,
				cancelled_by = CASE WHEN cancelled_by = $1 THEN $2 ELSE cancelled_by END,
				created_by = CASE WHEN created_by = $1 THEN $2 ELSE created_by END
			WHERE client_id = $1`, []any{c, p, e.CancelReason}},
		{"appointment history", `UPDATE appointment_history SET by_user = $2,
				reason = CASE WHEN reason = $3 THEN reason ELSE '' END
			WHERE by_user = $1`, []any{c, p, e.CancelReason}},
		// Treatment plans: kept as they were sold, without the notes; an
		// active one ends.
		{"treatment plans", `UPDATE plans SET client_id = $2, notes = '',
				status = CASE WHEN status = 'active' THEN 'cancelled' ELSE status END,
				created_by = CASE WHEN created_by = $1 THEN $2 ELSE created_by END
			WHERE client_id = $1`, []any{c, p}},
		// The audit trail: the same pseudonym stands for the client.
		{"audit trail", `UPDATE audit_log SET
				actor_id = CASE WHEN actor_id = $1 THEN $2 ELSE actor_id END,
				subject = CASE WHEN subject = $1 THEN $2 ELSE subject END,
				detail = replace(detail, $1, $2)
			WHERE actor_id = $1 OR subject = $1 OR strpos(detail, $1) > 0`, []any{c, p}},

		// The account: sessions, challenges (the erasure's own among them),
		// the rate-limit events of their ID (the export's limit)…
		{"sessions", `DELETE FROM sessions WHERE user_id = $1`, []any{c}},
		{"challenges", `DELETE FROM challenges WHERE user_id = $1`, []any{c}},
		{"rate events", `DELETE FROM rate_events WHERE right(key, length($1)) = $1`, []any{":" + c}},
	}
	// …and of their phone and e-mail: sign-in challenges, rate-limit
	// events (keys end with ":" and the identifier), codes queued to them.
	for _, v := range []string{u.Phone, u.Email} {
		if v == "" {
			continue
		}
		steps = append(steps,
			eraseStep{"challenges", `DELETE FROM challenges WHERE identifier = $1`, []any{v}},
			eraseStep{"rate events", `DELETE FROM rate_events WHERE right(key, length($1)) = $1`, []any{":" + v}},
			eraseStep{"codes", `DELETE FROM messages WHERE user_id = '' AND recipient = $1`, []any{v}})
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return nil, fmt.Errorf("postgres: erase client: %s: %w", st.what, err)
		}
	}
	// Orders: the sales stay, as DepersonalizeOrders keeps them.
	if _, err := depersonalizeOrders(ctx, tx, c, p); err != nil {
		return nil, err
	}
	// Reviews: the ratings stay, the words go (card_reviews.go); the
	// favourites go with the user row (ON DELETE CASCADE).
	if _, err := depersonalizeReviews(ctx, tx, c, p); err != nil {
		return nil, err
	}
	if err := pseudonymizeEvents(ctx, tx, c, p, e.CancelReason); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, c); err != nil {
		return nil, fmt.Errorf("postgres: erase client: user: %w", err)
	}
	if err := insertAudit(ctx, tx, e.Audit); err != nil {
		return nil, err
	}
	return keys, nil
}

// eraseStep is one statement of an erasure.
type eraseStep struct {
	what  string
	query string
	args  []any
}

// pseudonymizeEvents rewrites the client's events in the log: every value
// that is the client's ID becomes the pseudonym, and the free texts —
// notes, client notes, order notes, and the client's own cancellation
// reasons (but keep) — are removed. What changed and when stays, so a
// consumer reading the log later (notification planning, the host's
// webhooks) sees the same history of an anonymous client. Rows are
// rewritten in place: their seqs do not change.
func pseudonymizeEvents(ctx context.Context, tx *sql.Tx, clientID, pseudonym, keep string) error {
	rows, err := queryAll(ctx, tx, "erase client: events", func(r *storedEvent) []any { return []any{&r.seq, jsonDest{&r.payload}} },
		`SELECT seq, payload FROM events WHERE client_id = $1 ORDER BY seq FOR UPDATE`, clientID)
	if err != nil {
		return err
	}
	for _, r := range rows {
		dec := json.NewDecoder(bytes.NewReader(r.payload))
		dec.UseNumber() // numbers as they were (money in minor units, order numbers)
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("postgres: erase client: event %d: %w", r.seq, err)
		}
		v = scrubEvent(v, clientID, pseudonym, keep)
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("postgres: erase client: event %d: %w", r.seq, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET client_id = $1, payload = $2 WHERE seq = $3`,
			pseudonym, string(b), r.seq); err != nil {
			return fmt.Errorf("postgres: erase client: event %d: %w", r.seq, err)
		}
	}
	return nil
}

// eventFreeTexts are the keys of an event's payload (at any depth) that
// hold people's words about the client.
var eventFreeTexts = []string{"notes", "client_note", "note"}

// scrubEvent is v with clientID replaced and the free texts removed.
func scrubEvent(v any, clientID, pseudonym, keep string) any {
	switch x := v.(type) {
	case string:
		if x == clientID {
			return pseudonym
		}
		return x
	case []any:
		for i := range x {
			x[i] = scrubEvent(x[i], clientID, pseudonym, keep)
		}
		return x
	case map[string]any:
		for _, k := range eventFreeTexts {
			delete(x, k)
		}
		if by, _ := x["cancelled_by"].(string); by == clientID {
			if reason, _ := x["cancel_reason"].(string); reason != keep {
				delete(x, "cancel_reason")
			}
		}
		for k, val := range x {
			x[k] = scrubEvent(val, clientID, pseudonym, keep)
		}
		return x
	}
	return v
}

// EraseHealthData removes the health answers from every questionnaire
// version of the client and deletes their journal entries, in one
// transaction under the card's lock. Versions are append-only (a trigger
// refuses UPDATE), so a version is rewritten by deleting it and inserting
// it again without the health answers, with its number, time and author.
func (s *Store) EraseHealthData(ctx context.Context, clientID string) (card.HealthErasure, error) {
	var out card.HealthErasure
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = card.HealthErasure{}
		if err := lockKeys(ctx, tx, cardLock(clientID)); err != nil {
			return err
		}
		if err := userExists(ctx, tx, clientID); err != nil {
			return err
		}
		type row struct {
			version   int
			byStaff   bool
			at        time.Time
			changedBy string
			profile   []byte
		}
		rows, err := queryAll(ctx, tx, "erase health data", func(r *row) []any {
			return []any{&r.version, timeDest{&r.at}, &r.changedBy, &r.byStaff, jsonDest{&r.profile}}
		}, `SELECT version, at, changed_by, by_staff, profile FROM profile_versions
			WHERE client_id = $1 ORDER BY version`, clientID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			p, err := decodeProfile(r.profile)
			if err != nil {
				return err
			}
			if !p.HasHealthAnswers() {
				continue
			}
			p.SkinType, p.Phototype = "", 0
			p.Concerns, p.Allergies, p.Contraindications, p.HomeCare = nil, nil, nil, nil
			enc, err := encodeProfile(p)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM profile_versions WHERE client_id = $1 AND version = $2`,
				clientID, r.version); err != nil {
				return fmt.Errorf("postgres: erase health data: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO profile_versions (client_id, version, at, changed_by, by_staff, profile)
				VALUES ($1, $2, $3, $4, $5, $6)`, clientID, r.version, r.at, r.changedBy, r.byStaff, enc); err != nil {
				return fmt.Errorf("postgres: erase health data: %w", err)
			}
			out.Versions++
		}
		n, err := execCount(ctx, tx, `DELETE FROM skin_journal WHERE client_id = $1`, clientID)
		if err != nil {
			return fmt.Errorf("postgres: erase health data: journal: %w", err)
		}
		out.JournalEntries = n
		return nil
	})
	return out, err
}

// maxPendingBlobs bounds PendingBlobDeletions.
const maxPendingBlobs = 1000

// PendingBlobDeletions returns up to limit keys of erased photos' files
// still to delete, oldest first. Instances cleaning up at once may get the
// same keys: deleting a file is idempotent, and so is forgetting its key.
func (s *Store) PendingBlobDeletions(ctx context.Context, limit int) ([]string, error) {
	if limit < 1 || limit > maxPendingBlobs {
		return nil, fmt.Errorf("postgres: pending blob deletions: limit %d out of 1…%d", limit, maxPendingBlobs)
	}
	keys, err := queryStrings(ctx, s.db, `SELECT key FROM erased_blobs ORDER BY erased_at, key LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending blob deletions: %w", err)
	}
	return keys, nil
}

// ForgetBlobDeletions forgets keys whose files are gone.
func (s *Store) ForgetBlobDeletions(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.execWrite(ctx, "forget blob deletions", `DELETE FROM erased_blobs WHERE key = ANY($1)`, keys)
	return err
}

// ConsumeChallenge marks the challenge used at now if it is open, of
// purpose, not expired and userID's (auth.ChallengeConsumer); otherwise
// auth.ErrCodeExpired, and nothing changes.
func (s *Store) ConsumeChallenge(ctx context.Context, id string, purpose auth.Purpose, userID string, now time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c, err := consumeChallenge(ctx, tx, id, purpose, now)
		if err != nil {
			return err
		}
		if c.UserID != userID {
			return auth.ErrCodeExpired // undone with this write
		}
		return nil
	})
}
