package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// requireConsents returns a *card.ConsentError for the first consent type
// whose newest record is not a grant; it runs in the write's transaction.
func requireConsents(ctx context.Context, tx dbtx, clientID string, requires []card.ConsentType) error {
	for _, t := range requires {
		c, err := currentConsent(ctx, tx, clientID, t)
		if errors.Is(err, card.ErrNotFound) || err == nil && !c.Granted {
			return &card.ConsentError{Type: t}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// CreatePhoto stores the photo's metadata after checking, in the same
// transaction, that the client exists and the required consents are given.
func (s *Store) CreatePhoto(ctx context.Context, p card.Photo, quota int, requires ...card.ConsentType) error {
	switch {
	case p.ID == "" || p.ClientID == "" || p.Kind == "" || p.Area == "" || p.UploadedBy == "":
		return errors.New("sqlite: create photo: ID, client, kind, area and uploader are required")
	case p.TakenOn.IsZero() || p.CreatedAt.IsZero():
		return errors.New("sqlite: create photo: the day taken and the time are required")
	case p.Original.Key == "" || p.Medium.Key == "" || p.Thumb.Key == "":
		return errors.New("sqlite: create photo: the files' keys are required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := userExists(ctx, tx, p.ClientID); err != nil {
			return err
		}
		if err := requireConsents(ctx, tx, p.ClientID, requires); err != nil {
			return err
		}
		if quota > 0 {
			// The single writer makes the count and the insert atomic.
			var held int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE client_id = ?`, p.ClientID).Scan(&held); err != nil {
				return fmt.Errorf("sqlite: create photo: %w", err)
			}
			if held >= quota {
				return card.ErrPhotoQuota
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO photos (`+photoColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.ClientID, string(p.Kind), string(p.Area), encodeDate(p.TakenOn), nullString(p.AppointmentID),
			p.UploadedBy, p.ByStaff, string(p.SourceFormat),
			p.Original.Key, p.Original.Bytes, p.Original.Width, p.Original.Height,
			p.Medium.Key, p.Medium.Bytes, p.Medium.Width, p.Medium.Height,
			p.Thumb.Key, p.Thumb.Bytes, p.Thumb.Width, p.Thumb.Height, encodeTime(p.CreatedAt))
		if foreignKeyViolation(err) {
			return card.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("sqlite: create photo: %w", err)
		}
		return nil
	})
}

// PhotoByID returns the photo, or card.ErrNotFound.
func (s *Store) PhotoByID(ctx context.Context, id string) (card.Photo, error) {
	list, err := queryRead(ctx, s, "find photo", photoDest, `SELECT `+photoColumns+` FROM photos WHERE id = ?`, id)
	if err != nil {
		return card.Photo{}, err
	}
	if len(list) == 0 {
		return card.Photo{}, card.ErrNotFound
	}
	return list[0], nil
}

// Photos returns the client's photos matching f, in the order
// card.PhotoStore documents.
func (s *Store) Photos(ctx context.Context, f card.PhotoFilter) ([]card.Photo, error) {
	if f.ClientID == "" {
		return nil, errors.New("sqlite: photos: the client is required")
	}
	if f.AppointmentIDs != nil && len(f.AppointmentIDs) == 0 {
		return []card.Photo{}, nil
	}
	where := []string{"client_id = ?"}
	args := []any{f.ClientID}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if f.Area != "" {
		where, args = append(where, "area = ?"), append(args, string(f.Area))
	}
	if !f.From.IsZero() {
		where, args = append(where, "taken_on >= ?"), append(args, encodeDate(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "taken_on <= ?"), append(args, encodeDate(f.To))
	}
	if len(f.AppointmentIDs) > 0 {
		where = append(where, "appointment_id IN ("+placeholders(len(f.AppointmentIDs))+")")
		for _, id := range f.AppointmentIDs {
			args = append(args, id)
		}
	}
	order := " ORDER BY taken_on, created_at, id"
	if f.Descending {
		order = " ORDER BY taken_on DESC, created_at DESC, id DESC"
	}
	list, err := queryRead(ctx, s, "list photos", photoDest,
		`SELECT `+photoColumns+` FROM photos WHERE `+strings.Join(where, " AND ")+order, args...)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []card.Photo{}
	}
	return list, nil
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// DeletePhoto removes the photo (its journal links go with it, by the
// foreign key) and returns it as it was.
func (s *Store) DeletePhoto(ctx context.Context, id string) (card.Photo, error) {
	var p card.Photo
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM photos WHERE id = ? RETURNING `+photoColumns, id).Scan(photoDest(&p)...)
		if errors.Is(err, sql.ErrNoRows) {
			return card.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("sqlite: delete photo: %w", err)
		}
		return nil
	})
	if err != nil {
		return card.Photo{}, err
	}
	return p, nil
}

const journalColumns = `j.id, j.client_id, j.entry_date, j.kind, j.author_id, j.scores, j.notes, j.created_at,
	(SELECT json_group_array(photo_id ORDER BY position) FROM skin_journal_photos WHERE entry_id = j.id)`

// scoresDest scans a JSON object of scores; {} is an empty, non-nil map.
type scoresDest struct{ m *map[card.ConcernCode]int }

func (d scoresDest) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	m := map[card.ConcernCode]int{}
	if s.String != "" {
		if err := json.Unmarshal([]byte(s.String), &m); err != nil {
			return fmt.Errorf("sqlite: stored scores: %w", err)
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
// the same transaction, the client, the required consents and that every
// photo is the client's.
func (s *Store) AddJournalEntry(ctx context.Context, e card.JournalEntry, requires ...card.ConsentType) error {
	switch {
	case e.ID == "" || e.ClientID == "" || e.Kind == "" || e.AuthorID == "":
		return errors.New("sqlite: add journal entry: ID, client, kind and author are required")
	case e.Date.IsZero() || e.CreatedAt.IsZero():
		return errors.New("sqlite: add journal entry: the date and the time are required")
	}
	scores := "{}"
	if len(e.Scores) > 0 {
		b, err := json.Marshal(e.Scores)
		if err != nil {
			return fmt.Errorf("sqlite: add journal entry: %w", err)
		}
		scores = string(b)
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := userExists(ctx, tx, e.ClientID); err != nil {
			return err
		}
		if err := requireConsents(ctx, tx, e.ClientID, requires); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO skin_journal (id, client_id, entry_date, kind, author_id, scores, notes, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.ClientID, encodeDate(e.Date), string(e.Kind), e.AuthorID, scores,
			e.Notes, encodeTime(e.CreatedAt)); err != nil {
			return fmt.Errorf("sqlite: add journal entry: %w", err)
		}
		for i, pid := range e.PhotoIDs {
			n, err := execCount(ctx, tx, `INSERT INTO skin_journal_photos (entry_id, photo_id, position)
				SELECT ?, id, ? FROM photos WHERE id = ? AND client_id = ?`, e.ID, i, pid, e.ClientID)
			if err != nil {
				return fmt.Errorf("sqlite: add journal entry: link photo: %w", err)
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
		return nil, errors.New("sqlite: journal entries: the client is required")
	}
	where := []string{"j.client_id = ?"}
	args := []any{f.ClientID}
	if f.Kind != "" {
		where, args = append(where, "j.kind = ?"), append(args, string(f.Kind))
	}
	if !f.From.IsZero() {
		where, args = append(where, "j.entry_date >= ?"), append(args, encodeDate(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "j.entry_date <= ?"), append(args, encodeDate(f.To))
	}
	query := `SELECT ` + journalColumns + ` FROM skin_journal j WHERE ` + strings.Join(where, " AND ")
	if f.Descending {
		query += ` ORDER BY j.entry_date DESC, j.created_at DESC, j.id DESC`
	} else {
		query += ` ORDER BY j.entry_date, j.created_at, j.id`
	}
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	list, err := queryRead(ctx, s, "list journal entries", journalDest, query, args...)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []card.JournalEntry{}
	}
	return list, nil
}
