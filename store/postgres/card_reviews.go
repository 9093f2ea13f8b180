package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

var (
	_ card.FavoriteStore = (*Store)(nil)
	_ card.ReviewStore   = (*Store)(nil)
)

// ---- favourites --------------------------------------------------------------

// AddFavorite stores f unless the client keeps the item already, refusing a
// new one past limit, as card.FavoriteStore documents. The count and the
// insert are made under the card's lock, so adds at once cannot pass the
// limit.
func (s *Store) AddFavorite(ctx context.Context, f card.Favorite, limit int) (bool, error) {
	switch {
	case f.ClientID == "" || f.ItemID == "" || f.CreatedAt.IsZero():
		return false, fmt.Errorf("postgres: add favourite: client, item and time are required: %w", card.ErrInvalidInput)
	case f.Kind != card.FavoriteService && f.Kind != card.FavoriteProduct:
		return false, fmt.Errorf("postgres: add favourite: kind %q: %w", f.Kind, card.ErrInvalidInput)
	}
	var added bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		added = false
		if err := lockKeys(ctx, tx, cardLock(f.ClientID)); err != nil {
			return err
		}
		var (
			kept, user, item bool
			count            int
		)
		itemTable := "services"
		if f.Kind == card.FavoriteProduct {
			itemTable = "products"
		}
		err := tx.QueryRowContext(ctx, `SELECT
				EXISTS (SELECT 1 FROM favorites WHERE client_id = $1 AND kind = $2 AND item_id = $3),
				(SELECT count(*) FROM favorites WHERE client_id = $1),
				EXISTS (SELECT 1 FROM users WHERE id = $1),
				EXISTS (SELECT 1 FROM `+itemTable+` WHERE id = $3)`,
			f.ClientID, string(f.Kind), f.ItemID).Scan(&kept, &count, &user, &item)
		switch {
		case err != nil:
			return fmt.Errorf("postgres: add favourite: %w", err)
		case !user:
			return fmt.Errorf("postgres: add favourite: no such user: %w", card.ErrNotFound)
		case kept:
			return nil
		case !item:
			return fmt.Errorf("postgres: add favourite: no such %s: %w", f.Kind, card.ErrNotFound)
		case count >= limit:
			return card.ErrFavoritesFull
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO favorites (client_id, kind, item_id, created_at) VALUES ($1, $2, $3, $4)`,
			f.ClientID, string(f.Kind), f.ItemID, utc(f.CreatedAt))
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
	n, err := s.execWrite(ctx, "remove favourite", `DELETE FROM favorites WHERE client_id = $1 AND kind = $2 AND item_id = $3`,
		clientID, string(kind), itemID)
	if err != nil {
		return err
	}
	if n == 0 {
		return card.ErrNotFound
	}
	return nil
}

// Favorites returns the client's favourites, the latest added first.
func (s *Store) Favorites(ctx context.Context, clientID string) ([]card.Favorite, error) {
	return queryRead(ctx, s, "favourites", func(f *card.Favorite) []any {
		return []any{&f.ClientID, &f.Kind, &f.ItemID, timeDest{&f.CreatedAt}}
	}, `SELECT client_id, kind, item_id, created_at FROM favorites WHERE client_id = $1
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
// appointment, as card.ReviewStore documents. The unique constraint on the
// appointment is the last word when two arrive at once.
func (s *Store) CreateReview(ctx context.Context, r card.Review) (card.Review, error) {
	switch {
	case r.ID == "" || r.AppointmentID == "" || r.ClientID == "" || r.CreatedAt.IsZero():
		return card.Review{}, fmt.Errorf("postgres: create review: ID, appointment, client and time are required: %w", card.ErrInvalidInput)
	case r.Rating < card.MinRating || r.Rating > card.MaxRating:
		return card.Review{}, fmt.Errorf("postgres: create review: rating %d: %w", r.Rating, card.ErrInvalidInput)
	case r.Status == "":
		return card.Review{}, fmt.Errorf("postgres: create review: no status: %w", card.ErrInvalidInput)
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	var out card.Review
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var (
			owner    string
			reviewed bool
		)
		err := tx.QueryRowContext(ctx, `SELECT client_id, EXISTS (SELECT 1 FROM reviews WHERE appointment_id = a.id)
			FROM appointments a WHERE id = $1`, r.AppointmentID).Scan(&owner, &reviewed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("postgres: create review: no such appointment: %w", card.ErrNotFound)
		case err != nil:
			return fmt.Errorf("postgres: create review: %w", err)
		case owner != r.ClientID:
			return fmt.Errorf("postgres: create review: not the client's appointment: %w", card.ErrNotFound)
		case reviewed:
			return card.ErrReviewExists
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO reviews (`+reviewColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			r.ID, r.AppointmentID, r.ClientID, r.AuthorName, r.BranchID, r.ServiceID, r.SpecialistID, utc(r.VisitAt),
			r.Rating, r.Text, string(r.Status), r.Reply, r.RepliedBy, nullTime(r.RepliedAt), r.ModeratedBy,
			nullTime(r.ModeratedAt), 1, utc(r.CreatedAt), nullTime(r.EditedAt), utc(r.UpdatedAt))
		if uniqueViolation(err, "reviews_appointment_key") {
			return card.ErrReviewExists
		}
		if err != nil {
			return cardWriteError("create review", err)
		}
		if err := insertReviewHistory(ctx, tx, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewWritten, To: r.Status,
			By: r.ClientID, At: r.CreatedAt}); err != nil {
			return err
		}
		out, err = findReview(ctx, tx, `WHERE id = $1`, r.ID)
		return err
	})
	return out, err
}

// EditReview applies a client's edit: back to pending, one version more.
// The review's row is locked while its version is compared.
func (s *Store) EditReview(ctx context.Context, u card.ReviewUpdate) (card.Review, error) {
	if u.Rating < card.MinRating || u.Rating > card.MaxRating || u.At.IsZero() {
		return card.Review{}, fmt.Errorf("postgres: edit review: rating %d or no time: %w", u.Rating, card.ErrInvalidInput)
	}
	var out card.Review
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, err := findReview(ctx, tx, `WHERE id = $1 FOR UPDATE`, u.ID)
		switch {
		case err != nil:
			return err
		case r.ClientID != u.ClientID || u.ClientID == "":
			return card.ErrNotFound
		case r.Version != u.Version:
			return card.ErrReviewChanged
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET rating = $1, text = $2, author_name = $3, status = $4,
				edited_at = $5, updated_at = $5, version = version + 1
			WHERE id = $6 AND version = $7`,
			u.Rating, u.Text, u.AuthorName, string(card.ReviewPending), utc(u.At), r.ID, r.Version); err != nil {
			return cardWriteError("edit review", err)
		}
		if err := insertReviewHistory(ctx, tx, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewEdited, From: r.Status,
			To: card.ReviewPending, By: u.ClientID, At: u.At}); err != nil {
			return err
		}
		out, err = findReview(ctx, tx, `WHERE id = $1`, r.ID)
		return err
	})
	return out, err
}

// ModerateReview applies a moderation, as card.ReviewStore documents. The
// review's row is locked while its version is compared.
func (s *Store) ModerateReview(ctx context.Context, m card.Moderation) (card.Review, error) {
	if m.Status != card.ReviewPublished && m.Status != card.ReviewRejected || m.By == "" || m.At.IsZero() {
		return card.Review{}, fmt.Errorf("postgres: moderate review: status %q, moderator and time: %w", m.Status, card.ErrInvalidInput)
	}
	var out card.Review
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		r, err := findReview(ctx, tx, `WHERE id = $1 FOR UPDATE`, m.ReviewID)
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
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET status = $1, reply = $2, replied_by = $3, replied_at = $4,
				moderated_by = $5, moderated_at = $6, updated_at = $6, version = version + 1
			WHERE id = $7 AND version = $8`,
			string(m.Status), r.Reply, r.RepliedBy, nullTime(r.RepliedAt), m.By, utc(m.At), r.ID, r.Version); err != nil {
			return cardWriteError("moderate review", err)
		}
		if err := insertReviewHistory(ctx, tx, card.ReviewChange{ReviewID: r.ID, Action: card.ReviewModerated, From: r.Status,
			To: m.Status, Reply: m.Reply, By: m.By, ByStaff: true, At: m.At}); err != nil {
			return err
		}
		out, err = findReview(ctx, tx, `WHERE id = $1`, r.ID)
		return err
	})
	return out, err
}

func insertReviewHistory(ctx context.Context, tx *sql.Tx, c card.ReviewChange) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO review_history (review_id, action, from_status, to_status, reply, by_user,
			by_staff, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ReviewID, string(c.Action), string(c.From), string(c.To), c.Reply, c.By, c.ByStaff, utc(c.At))
	return cardWriteError("review history", err)
}

// findReview reads one review in q; card.ErrNotFound when none matches.
func findReview(ctx context.Context, q dbtx, where string, args ...any) (card.Review, error) {
	return queryOne(ctx, q, "review", card.ErrNotFound, reviewDest, `SELECT `+reviewColumns+` FROM reviews `+where, args...)
}

// ReviewByID returns card.ErrNotFound for an unknown ID.
func (s *Store) ReviewByID(ctx context.Context, id string) (card.Review, error) {
	return findReview(ctx, s.db, `WHERE id = $1`, id)
}

// ReviewByAppointment returns the appointment's review, or card.ErrNotFound.
func (s *Store) ReviewByAppointment(ctx context.Context, appointmentID string) (card.Review, error) {
	return findReview(ctx, s.db, `WHERE appointment_id = $1`, appointmentID)
}

// reviewWhere is the WHERE clause of a filter.
func reviewWhere(f card.ReviewFilter) where {
	var w where
	if f.ClientID != "" {
		w.add(`client_id = ?`, f.ClientID)
	}
	if len(f.BranchIDs) > 0 {
		w.add(`branch_id = ANY(?)`, f.BranchIDs)
	}
	if len(f.SpecialistIDs) > 0 {
		w.add(`specialist_id = ANY(?)`, f.SpecialistIDs)
	}
	if f.ServiceID != "" {
		w.add(`service_id = ?`, f.ServiceID)
	}
	if len(f.Statuses) > 0 {
		w.add(`status = ANY(?)`, stringsOf(f.Statuses))
	}
	return w
}

// Reviews returns the matching reviews, the latest written first.
func (s *Store) Reviews(ctx context.Context, f card.ReviewFilter) ([]card.Review, error) {
	w := reviewWhere(f)
	q := `SELECT ` + reviewColumns + ` FROM reviews` + w.clause() + ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + w.arg(f.Limit)
	}
	if f.Offset > 0 {
		q += ` OFFSET ` + w.arg(f.Offset)
	}
	return queryRead(ctx, s, "reviews", reviewDest, q, w.args...)
}

// RatingSummary counts and averages the ratings of the matching reviews.
func (s *Store) RatingSummary(ctx context.Context, f card.ReviewFilter) (card.RatingSummary, error) {
	w := reviewWhere(f)
	type row struct{ rating, n int }
	rows, err := queryRead(ctx, s, "rating summary", func(r *row) []any { return []any{&r.rating, &r.n} },
		`SELECT rating, count(*) FROM reviews`+w.clause()+` GROUP BY rating`, w.args...)
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
		WHERE review_id = $1 ORDER BY seq`, reviewID)
}

// DepersonalizeReviews keeps the client's reviews under pseudonym without
// their text, name and the clinic's reply, in one transaction.
func (s *Store) DepersonalizeReviews(ctx context.Context, clientID, pseudonym string) (int, error) {
	if clientID == "" || pseudonym == "" || clientID == pseudonym {
		return 0, fmt.Errorf("postgres: depersonalize reviews: a client and another pseudonym are required: %w", card.ErrInvalidInput)
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
			by_user = CASE WHEN by_user = $1 THEN $2 ELSE by_user END
		WHERE review_id IN (SELECT id FROM reviews WHERE client_id = $1)`, clientID, pseudonym); err != nil {
		return 0, fmt.Errorf("postgres: depersonalize reviews: %w", err)
	}
	n, err := execCount(ctx, tx, `UPDATE reviews SET client_id = $2, author_name = '', text = '', reply = '',
			replied_by = '', replied_at = NULL
		WHERE client_id = $1`, clientID, pseudonym)
	if err != nil {
		return 0, fmt.Errorf("postgres: depersonalize reviews: %w", err)
	}
	return n, nil
}
