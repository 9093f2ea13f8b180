package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

var (
	_ card.FavoriteStore = (*Store)(nil)
	_ card.ReviewStore   = (*Store)(nil)
)

// ---- favourites --------------------------------------------------------------

// AddFavorite stores f unless the client keeps the item already, refusing a
// new one past limit, as card.FavoriteStore documents.
func (s *Store) AddFavorite(ctx context.Context, f card.Favorite, limit int) (bool, error) {
	switch {
	case f.ClientID == "" || f.ItemID == "" || f.CreatedAt.IsZero():
		return false, fmt.Errorf("sqlite: add favourite: client, item and time are required: %w", card.ErrInvalidInput)
	case f.Kind != card.FavoriteService && f.Kind != card.FavoriteProduct:
		return false, fmt.Errorf("sqlite: add favourite: kind %q: %w", f.Kind, card.ErrInvalidInput)
	}
	var added bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		added = false
		var kept, count, user, item int
		itemTable := "services"
		if f.Kind == card.FavoriteProduct {
			itemTable = "products"
		}
		err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM favorites WHERE client_id = ? AND kind = ? AND item_id = ?),
				(SELECT count(*) FROM favorites WHERE client_id = ?),
				(SELECT count(*) FROM users WHERE id = ?),
				(SELECT count(*) FROM `+itemTable+` WHERE id = ?)`,
			f.ClientID, string(f.Kind), f.ItemID, f.ClientID, f.ClientID, f.ItemID).Scan(&kept, &count, &user, &item)
		switch {
		case err != nil:
			return fmt.Errorf("sqlite: add favourite: %w", err)
		case user == 0:
			return fmt.Errorf("sqlite: add favourite: no such user: %w", card.ErrNotFound)
		case kept > 0:
			return nil
		case item == 0:
			return fmt.Errorf("sqlite: add favourite: no such %s: %w", f.Kind, card.ErrNotFound)
		case count >= limit:
			return card.ErrFavoritesFull
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO favorites (client_id, kind, item_id, created_at) VALUES (?, ?, ?, ?)`,
			f.ClientID, string(f.Kind), f.ItemID, encodeTime(f.CreatedAt))
		if err != nil {
			return cardWriteError("add favourite", err)
		}
		added = true
		return nil
	})
	return added, err
}

// RemoveFavorite deletes one favourite; card.ErrNotFound when it is not
// kept.
func (s *Store) RemoveFavorite(ctx context.Context, clientID string, kind card.FavoriteKind, itemID string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n, err := execCount(ctx, tx, `DELETE FROM favorites WHERE client_id = ? AND kind = ? AND item_id = ?`,
			clientID, string(kind), itemID)
		if err != nil {
			return fmt.Errorf("sqlite: remove favourite: %w", err)
		}
		if n == 0 {
			return card.ErrNotFound
		}
		return nil
	})
}

// Favorites returns the client's favourites, the latest added first.
func (s *Store) Favorites(ctx context.Context, clientID string) ([]card.Favorite, error) {
	return queryRead(ctx, s, "favourites", func(f *card.Favorite) []any {
		return []any{&f.ClientID, &f.Kind, &f.ItemID, timeDest{&f.CreatedAt}}
	}, `SELECT client_id, kind, item_id, created_at FROM favorites WHERE client_id = ?
		ORDER BY created_at DESC, kind, item_id`, clientID)
}

// ---- reviews -----------------------------------------------------------------

const reviewColumns = `id, appointment_id, client_id, author_name, branch_id, service_id, specialist_id, visit_at,
	rating, text, status, reply, replied_by, replied_at, moderated_by, moderated_at, version, created_at, edited_at,
	updated_at`

func reviewDest(r *card.Review) []any {
	return []any{&r.ID, &r.AppointmentID, &r.ClientID, &r.AuthorName, &r.BranchID, &r.ServiceID, &r.SpecialistID,
		timeDest{&r.VisitAt}, &r.Rating, &r.Text, &r.Status, &r.Reply, &r.RepliedBy, timeDest{&r.RepliedAt},
		&r.ModeratedBy, timeDest{&r.ModeratedAt}, &r.Version, timeDest{&r.CreatedAt}, timeDest{&r.EditedAt},
		timeDest{&r.UpdatedAt}}
}

// CreateReview stores a new review with its first history line; one per
// appointment, as card.ReviewStore documents.
func (s *Store) CreateReview(ctx context.Context, r card.Review) (card.Review, error) {
	switch {
	case r.ID == "" || r.AppointmentID == "" || r.ClientID == "" || r.CreatedAt.IsZero():
		return card.Review{}, fmt.Errorf("sqlite: create review: ID, appointment, client and time are required: %w", card.ErrInvalidInput)
	case r.Rating < card.MinRating || r.Rating > card.MaxRating:
		return card.Review{}, fmt.Errorf("sqlite: create review: rating %d: %w", r.Rating, card.ErrInvalidInput)
	case r.Status == "":
		return card.Review{}, fmt.Errorf("sqlite: create review: no status: %w", card.ErrInvalidInput)
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	var out card.Review
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var owner string
		var reviewed int
		err := tx.QueryRowContext(ctx, `SELECT client_id, (SELECT count(*) FROM reviews WHERE appointment_id = a.id)
			FROM appointments a WHERE id = ?`, r.AppointmentID).Scan(&owner, &reviewed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlite: create review: no such appointment: %w", card.ErrNotFound)
		case err != nil:
			return fmt.Errorf("sqlite: create review: %w", err)
		case owner != r.ClientID:
			return fmt.Errorf("sqlite: create review: not the client's appointment: %w", card.ErrNotFound)
		case reviewed > 0:
			return card.ErrReviewExists
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO reviews (`+reviewColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.AppointmentID, r.ClientID, r.AuthorName, r.BranchID, r.ServiceID, r.SpecialistID, encodeTime(r.VisitAt),
			r.Rating, r.Text, string(r.Status), r.Reply, r.RepliedBy, encodeNullTime(r.RepliedAt), r.ModeratedBy,
			encodeNullTime(r.ModeratedAt), 1, encodeTime(r.CreatedAt), encodeNullTime(r.EditedAt), encodeTime(r.UpdatedAt))
		if uniqueViolation(err, "reviews.appointment_id") {
			return card.ErrReviewExists
		}
		if err != nil {
			return cardWriteError("create review", err)
		}
		if err := insertReviewHistory(ctx, tx, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewWritten, To: r.Status,
			By: r.ClientID, At: r.CreatedAt}); err != nil {
			return err
		}
		out, err = findReview(ctx, tx, `WHERE id = ?`, r.ID)
		return err
	})
	return out, err
}

// EditReview applies a client's edit: back to pending, one version more.
func (s *Store) EditReview(ctx context.Context, u card.ReviewUpdate) (card.Review, error) {
	if u.Rating < card.MinRating || u.Rating > card.MaxRating || u.At.IsZero() {
		return card.Review{}, fmt.Errorf("sqlite: edit review: rating %d or no time: %w", u.Rating, card.ErrInvalidInput)
	}
	var out card.Review
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, err := findReview(ctx, tx, `WHERE id = ?`, u.ID)
		switch {
		case err != nil:
			return err
		case r.ClientID != u.ClientID || u.ClientID == "":
			return card.ErrNotFound
		case r.Version != u.Version:
			return card.ErrReviewChanged
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET rating = ?, text = ?, author_name = ?, status = ?,
				edited_at = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`,
			u.Rating, u.Text, u.AuthorName, string(card.ReviewPending), encodeTime(u.At), encodeTime(u.At), r.ID, r.Version); err != nil {
			return cardWriteError("edit review", err)
		}
		if err := insertReviewHistory(ctx, tx, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewEdited, From: r.Status,
			To: card.ReviewPending, By: u.ClientID, At: u.At}); err != nil {
			return err
		}
		out, err = findReview(ctx, tx, `WHERE id = ?`, r.ID)
		return err
	})
	return out, err
}

// ModerateReview applies a moderation, as card.ReviewStore documents.
func (s *Store) ModerateReview(ctx context.Context, m card.Moderation) (card.Review, error) {
	if m.Status != card.ReviewPublished && m.Status != card.ReviewRejected || m.By == "" || m.At.IsZero() {
		return card.Review{}, fmt.Errorf("sqlite: moderate review: status %q, moderator and time: %w", m.Status, card.ErrInvalidInput)
	}
	var out card.Review
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, err := findReview(ctx, tx, `WHERE id = ?`, m.ReviewID)
		switch {
		case err != nil:
			return err
		case r.Version != m.Version:
			return card.ErrReviewChanged
		}
		if m.Reply != r.Reply {
			r.Reply, r.RepliedBy, r.RepliedAt = m.Reply, m.By, m.At
			if m.Reply == "" {
				r.RepliedBy, r.RepliedAt = "", time.Time{}
			}
		}
		replied := encodeNullTime(r.RepliedAt)
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET status = ?, reply = ?, replied_by = ?, replied_at = ?,
				moderated_by = ?, moderated_at = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`,
			string(m.Status), r.Reply, r.RepliedBy, replied, m.By, encodeTime(m.At), encodeTime(m.At), r.ID, r.Version); err != nil {
			return cardWriteError("moderate review", err)
		}
		if err := insertReviewHistory(ctx, tx, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewModerated, From: r.Status,
			To: m.Status, Reply: m.Reply, By: m.By, ByStaff: true, At: m.At}); err != nil {
			return err
		}
		out, err = findReview(ctx, tx, `WHERE id = ?`, r.ID)
		return err
	})
	return out, err
}

func insertReviewHistory(ctx context.Context, tx *sql.Tx, c card.ReviewChange) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO review_history (review_id, action, from_status, to_status, reply, by_user,
			by_staff, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ReviewID, string(c.Action), string(c.From), string(c.To), c.Reply, c.By, c.ByStaff, encodeTime(c.At))
	return cardWriteError("review history", err)
}

// findReview reads one review in tx; card.ErrNotFound when none matches.
func findReview(ctx context.Context, tx *sql.Tx, where string, args ...any) (card.Review, error) {
	list, err := queryAll(ctx, tx, "review", reviewDest, `SELECT `+reviewColumns+` FROM reviews `+where, args...)
	if err != nil {
		return card.Review{}, err
	}
	if len(list) == 0 {
		return card.Review{}, card.ErrNotFound
	}
	return list[0], nil
}

// ReviewByID returns card.ErrNotFound for an unknown ID.
func (s *Store) ReviewByID(ctx context.Context, id string) (card.Review, error) {
	return s.findOneReview(ctx, `WHERE id = ?`, id)
}

// ReviewByAppointment returns the appointment's review, or card.ErrNotFound.
func (s *Store) ReviewByAppointment(ctx context.Context, appointmentID string) (card.Review, error) {
	return s.findOneReview(ctx, `WHERE appointment_id = ?`, appointmentID)
}

func (s *Store) findOneReview(ctx context.Context, where string, arg string) (card.Review, error) {
	list, err := queryRead(ctx, s, "review", reviewDest, `SELECT `+reviewColumns+` FROM reviews `+where, arg)
	if err != nil {
		return card.Review{}, err
	}
	if len(list) == 0 {
		return card.Review{}, card.ErrNotFound
	}
	return list[0], nil
}

// reviewWhere is the WHERE clause of a filter ("" when it matches all).
func reviewWhere(f card.ReviewFilter) (string, []any) {
	var (
		where []string
		args  []any
	)
	if f.ClientID != "" {
		where, args = append(where, `client_id = ?`), append(args, f.ClientID)
	}
	if len(f.BranchIDs) > 0 {
		in, a := inList("branch_id", f.BranchIDs)
		where, args = append(where, in), append(args, a...)
	}
	if len(f.SpecialistIDs) > 0 {
		in, a := inList("specialist_id", f.SpecialistIDs)
		where, args = append(where, in), append(args, a...)
	}
	if f.ServiceID != "" {
		where, args = append(where, `service_id = ?`), append(args, f.ServiceID)
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		in, a := inList("status", st)
		where, args = append(where, in), append(args, a...)
	}
	if len(where) == 0 {
		return "", nil
	}
	return `WHERE ` + strings.Join(where, " AND "), args
}

// Reviews returns the matching reviews, the latest written first.
func (s *Store) Reviews(ctx context.Context, f card.ReviewFilter) ([]card.Review, error) {
	where, args := reviewWhere(f)
	q := `SELECT ` + reviewColumns + ` FROM reviews ` + where + ` ORDER BY created_at DESC, id DESC`
	switch {
	case f.Limit > 0:
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, max(f.Offset, 0))
	case f.Offset > 0:
		q += ` LIMIT -1 OFFSET ?`
		args = append(args, f.Offset)
	}
	return queryRead(ctx, s, "reviews", reviewDest, q, args...)
}

// RatingSummary counts and averages the ratings of the matching reviews.
func (s *Store) RatingSummary(ctx context.Context, f card.ReviewFilter) (card.RatingSummary, error) {
	where, args := reviewWhere(f)
	type row struct{ rating, n int }
	rows, err := queryRead(ctx, s, "rating summary", func(r *row) []any { return []any{&r.rating, &r.n} },
		`SELECT rating, count(*) FROM reviews `+where+` GROUP BY rating`, args...)
	if err != nil {
		return card.RatingSummary{}, err
	}
	var out card.RatingSummary
	sum := 0
	for _, r := range rows {
		if r.rating < card.MinRating || r.rating > card.MaxRating {
			continue
		}
		out.ByRating[r.rating-1] = r.n
		out.Count += r.n
		sum += r.rating * r.n
	}
	if out.Count > 0 {
		out.Average = float64(sum) / float64(out.Count)
	}
	return out, nil
}

// ReviewHistory returns a review's history, oldest first.
func (s *Store) ReviewHistory(ctx context.Context, reviewID string) ([]card.ReviewChange, error) {
	return queryRead(ctx, s, "review history", func(c *card.ReviewChange) []any {
		return []any{&c.ReviewID, &c.Action, &c.From, &c.To, &c.Reply, &c.By, &c.ByStaff, timeDest{&c.At}}
	}, `SELECT review_id, action, from_status, to_status, reply, by_user, by_staff, at FROM review_history
		WHERE review_id = ? ORDER BY seq`, reviewID)
}

// DepersonalizeReviews keeps the client's reviews under pseudonym without
// their text, name and the clinic's reply, in one transaction.
func (s *Store) DepersonalizeReviews(ctx context.Context, clientID, pseudonym string) (int, error) {
	if clientID == "" || pseudonym == "" || clientID == pseudonym {
		return 0, fmt.Errorf("sqlite: depersonalize reviews: a client and another pseudonym are required: %w", card.ErrInvalidInput)
	}
	var n int
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		n, err = depersonalizeReviews(ctx, tx, clientID, pseudonym)
		return err
	})
	return n, err
}

// depersonalizeReviews is DepersonalizeReviews inside tx, for an erasure
// that does it in its own transaction; it returns how many reviews it
// changed.
func depersonalizeReviews(ctx context.Context, tx *sql.Tx, clientID, pseudonym string) (int, error) {
	// The history first, while the reviews still name the client.
	if _, err := tx.ExecContext(ctx, `UPDATE review_history SET reply = '',
			by_user = CASE WHEN by_user = ? THEN ? ELSE by_user END
		WHERE review_id IN (SELECT id FROM reviews WHERE client_id = ?)`, clientID, pseudonym, clientID); err != nil {
		return 0, fmt.Errorf("sqlite: depersonalize reviews: %w", err)
	}
	n, err := execCount(ctx, tx, `UPDATE reviews SET client_id = ?, author_name = '', text = '', reply = '',
			replied_by = '', replied_at = NULL
		WHERE client_id = ?`, pseudonym, clientID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: depersonalize reviews: %w", err)
	}
	return n, nil
}
