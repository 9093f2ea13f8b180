package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// Photo metadata and the skin journal (card.PhotoStore, card.JournalStore);
// schema in migrations/0005_card_photos.sql.

const photoColumns = `id, client_id, kind, area, taken_on, appointment_id, uploaded_by, by_staff, source_format,
	original_key, original_bytes, width, height, medium_key, medium_bytes, medium_width, medium_height,
	thumb_key, thumb_bytes, thumb_width, thumb_height, created_at`

func photoDest(p *card.Photo) []any {
	return []any{&p.ID, &p.ClientID, (*string)(&p.Kind), (*string)(&p.Area), dateDest{&p.TakenOn},
		nullDest{&p.AppointmentID}, &p.UploadedBy, &p.ByStaff, (*string)(&p.SourceFormat),
		&p.Original.Key, &p.Original.Bytes, &p.Original.Width, &p.Original.Height,
		&p.Medium.Key, &p.Medium.Bytes, &p.Medium.Width, &p.Medium.Height,
		&p.Thumb.Key, &p.Thumb.Bytes, &p.Thumb.Width, &p.Thumb.Height, timeDest{&p.CreatedAt}}
}

// CreatePhoto stores the photo's metadata after checking, in the same
// transaction and under the card's lock, that the client exists, the
// required consents are given and, when quota > 0, that the client holds
// fewer than quota photos (ErrPhotoQuota): concurrent uploads of one
// client, on any instance, take turns on the lock and count each other's.
func (s *Store) CreatePhoto(ctx context.Context, p card.Photo, quota int, requires ...card.ConsentType) error {
	switch {
	case p.ID == "" || p.ClientID == "" || p.Kind == "" || p.Area == "" || p.UploadedBy == "":
		return errors.New("postgres: create photo: ID, client, kind, area and uploader are required")
	case p.TakenOn.IsZero() || p.CreatedAt.IsZero():
		return errors.New("postgres: create photo: the day taken and the time are required")
	case p.Original.Key == "" || p.Medium.Key == "" || p.Thumb.Key == "":
		return errors.New("postgres: create photo: the files' keys are required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, cardLock(p.ClientID)); err != nil {
			return err
		}
		if err := userExists(ctx, tx, p.ClientID); err != nil {
			return err
		}
		if err := requireConsents(ctx, tx, p.ClientID, requires); err != nil {
			return err
		}
		if quota > 0 {
			var held int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE client_id = $1`, p.ClientID).Scan(&held); err != nil {
				return fmt.Errorf("postgres: create photo: %w", err)
			}
			if held >= quota {
				return card.ErrPhotoQuota
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO photos (`+photoColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
			p.ID, p.ClientID, string(p.Kind), string(p.Area), encodeDate(p.TakenOn), nullString(p.AppointmentID),
			p.UploadedBy, p.ByStaff, string(p.SourceFormat),
			p.Original.Key, p.Original.Bytes, p.Original.Width, p.Original.Height,
			p.Medium.Key, p.Medium.Bytes, p.Medium.Width, p.Medium.Height,
			p.Thumb.Key, p.Thumb.Bytes, p.Thumb.Width, p.Thumb.Height, utc(p.CreatedAt))
		if foreignKeyViolation(err) {
			return card.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("postgres: create photo: %w", err)
		}
		return nil
	})
}

// PhotoByID returns the photo, or card.ErrNotFound.
func (s *Store) PhotoByID(ctx context.Context, id string) (card.Photo, error) {
	return queryOne(ctx, s.db, "find photo", card.ErrNotFound, photoDest,
		`SELECT `+photoColumns+` FROM photos WHERE id = $1`, id)
}

// Photos returns the client's photos matching f, in the order
// card.PhotoStore documents.
func (s *Store) Photos(ctx context.Context, f card.PhotoFilter) ([]card.Photo, error) {
	if f.ClientID == "" {
		return nil, errors.New("postgres: photos: the client is required")
	}
	if f.AppointmentIDs != nil && len(f.AppointmentIDs) == 0 {
		return []card.Photo{}, nil
	}
	var w where
	w.add("client_id = ?", f.ClientID)
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.Area != "" {
		w.add("area = ?", string(f.Area))
	}
	if !f.From.IsZero() {
		w.add("taken_on >= ?::date", encodeDate(f.From))
	}
	if !f.To.IsZero() {
		w.add("taken_on <= ?::date", encodeDate(f.To))
	}
	if len(f.AppointmentIDs) > 0 {
		w.add("appointment_id = ANY(?)", f.AppointmentIDs)
	}
	order := " ORDER BY taken_on, created_at, id"
	if f.Descending {
		order = " ORDER BY taken_on DESC, created_at DESC, id DESC"
	}
	list, err := queryRead(ctx, s, "list photos", photoDest,
		`SELECT `+photoColumns+` FROM photos`+w.clause()+order, w.args...)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []card.Photo{}
	}
	return list, nil
}

// DeletePhoto removes the photo (its journal links go with it, by the
// foreign key) and returns it as it was.
func (s *Store) DeletePhoto(ctx context.Context, id string) (card.Photo, error) {
	var p card.Photo
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		p, err = queryOne(ctx, tx, "delete photo", card.ErrNotFound, photoDest,
			`DELETE FROM photos WHERE id = $1 RETURNING `+photoColumns, id)
		return err
	})
	if err != nil {
		return card.Photo{}, err
	}
	return p, nil
}

// The photos of an entry, in their order, as a JSON array.
const journalColumns = `j.id, j.client_id, j.entry_date, j.kind, j.author_id, j.scores, j.notes, j.created_at,
	(SELECT coalesce(jsonb_agg(photo_id ORDER BY position), '[]') FROM skin_journal_photos WHERE entry_id = j.id)`

// scoresDest scans a JSON object of scores; {} is an empty, non-nil map.
type scoresDest struct{ m *map[card.ConcernCode]int }

func (d scoresDest) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil {
		return err
	}
	m := map[card.ConcernCode]int{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("postgres: stored scores: %w", err)
		}
	}
	*d.m = m
	return nil
}

func journalDest(e *card.JournalEntry) []any {
	return []any{&e.ID, &e.ClientID, dateDest{&e.Date}, (*string)(&e.Kind), &e.AuthorID, scoresDest{&e.Scores},
		&e.Notes, timeDest{&e.CreatedAt}, listDest[string]{&e.PhotoIDs}}
}

// AddJournalEntry stores the entry and its photo links after checking, in
// the same transaction and under the card's lock, the client, the required
// consents and that every photo is the client's.
func (s *Store) AddJournalEntry(ctx context.Context, e card.JournalEntry, requires ...card.ConsentType) error {
	switch {
	case e.ID == "" || e.ClientID == "" || e.Kind == "" || e.AuthorID == "":
		return errors.New("postgres: add journal entry: ID, client, kind and author are required")
	case e.Date.IsZero() || e.CreatedAt.IsZero():
		return errors.New("postgres: add journal entry: the date and the time are required")
	}
	scores := "{}"
	if len(e.Scores) > 0 {
		b, err := json.Marshal(e.Scores)
		if err != nil {
			return fmt.Errorf("postgres: add journal entry: %w", err)
		}
		scores = string(b)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, cardLock(e.ClientID)); err != nil {
			return err
		}
		if err := userExists(ctx, tx, e.ClientID); err != nil {
			return err
		}
		if err := requireConsents(ctx, tx, e.ClientID, requires); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO skin_journal (id, client_id, entry_date, kind, author_id, scores, notes, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ID, e.ClientID, encodeDate(e.Date), string(e.Kind), e.AuthorID, scores,
			e.Notes, utc(e.CreatedAt)); err != nil {
			if foreignKeyViolation(err) {
				return card.ErrNotFound
			}
			return fmt.Errorf("postgres: add journal entry: %w", err)
		}
		for i, pid := range e.PhotoIDs {
			// The photo's row is locked while it is linked: a deletion at the
			// same time either went first (and the photo is not found) or
			// waits, and then takes the link with the photo.
			n, err := execCount(ctx, tx, `INSERT INTO skin_journal_photos (entry_id, photo_id, position)
				SELECT $1, id, $2 FROM photos WHERE id = $3 AND client_id = $4 FOR KEY SHARE`, e.ID, i, pid, e.ClientID)
			if foreignKeyViolation(err) {
				return card.ErrNotFound
			} else if err != nil {
				return fmt.Errorf("postgres: add journal entry: link photo: %w", err)
			}
			if n != 1 {
				return card.ErrNotFound
			}
		}
		return nil
	})
}

// JournalEntries returns the client's entries matching f, in the order
// card.JournalStore documents.
func (s *Store) JournalEntries(ctx context.Context, f card.JournalFilter) ([]card.JournalEntry, error) {
	if f.ClientID == "" {
		return nil, errors.New("postgres: journal entries: the client is required")
	}
	var w where
	w.add("j.client_id = ?", f.ClientID)
	if f.Kind != "" {
		w.add("j.kind = ?", string(f.Kind))
	}
	if !f.From.IsZero() {
		w.add("j.entry_date >= ?::date", encodeDate(f.From))
	}
	if !f.To.IsZero() {
		w.add("j.entry_date <= ?::date", encodeDate(f.To))
	}
	query := `SELECT ` + journalColumns + ` FROM skin_journal j` + w.clause()
	if f.Descending {
		query += ` ORDER BY j.entry_date DESC, j.created_at DESC, j.id DESC`
	} else {
		query += ` ORDER BY j.entry_date, j.created_at, j.id`
	}
	if f.Limit > 0 {
		query += ` LIMIT ` + w.arg(f.Limit)
	}
	list, err := queryRead(ctx, s, "list journal entries", journalDest, query, w.args...)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []card.JournalEntry{}
	}
	return list, nil
}
