package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/internal/format"
)

var _ card.ProfileStore = (*Store)(nil)

// The questionnaire's versions and the consent records
// (migrations/0004_card_profile.sql).

// maxProfileVersionsPage bounds ProfileVersions.
const maxProfileVersionsPage = 1000

const (
	profileVersionColumns = `version, at, changed_by, by_staff, profile`

	// The newest version, with the user's row so that "no such user" and
	// "never filled in" differ: version is NULL for the latter.
	latestProfileSQL = `SELECT u.id, v.version, v.at, v.changed_by, v.by_staff, v.profile
		FROM users u LEFT JOIN profile_versions v ON v.client_id = u.id
		WHERE u.id = ? ORDER BY v.version DESC LIMIT 1`
	profileVersionsSQL = `SELECT ` + profileVersionColumns + ` FROM profile_versions
		WHERE client_id = ? AND version < ? ORDER BY version DESC LIMIT ?`

	consentColumns    = `id, client_id, type, granted, text_version, source, recorded_by, at`
	consentsSQL       = `SELECT ` + consentColumns + ` FROM consents WHERE client_id = ? ORDER BY seq DESC`
	currentConsentSQL = `SELECT ` + consentColumns + ` FROM consents
		WHERE client_id = ? AND type = ? ORDER BY seq DESC LIMIT 1`
	userExistsSQL = `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)`
)

// encodeProfile is the questionnaire as stored (store/internal/format:
// the same JSON on every backend).
func encodeProfile(p card.Profile) (string, error) {
	b, err := format.EncodeProfile(p)
	return string(b), err
}

// decodeProfile reads a stored questionnaire.
func decodeProfile(s string) (card.Profile, error) { return format.DecodeProfile([]byte(s)) }

// profileVersionDest scans profileVersionColumns.
func profileVersionDest(v *card.ProfileVersion) []any {
	return []any{&v.Version, timeDest{&v.At}, &v.ChangedBy, &v.ByStaff, profileDest{&v.Profile}}
}

// profileDest decodes the stored questionnaire JSON.
type profileDest struct{ p *card.Profile }

func (d profileDest) Scan(src any) error {
	var s sql.NullString
	if err := s.Scan(src); err != nil {
		return err
	}
	if !s.Valid {
		*d.p = card.Profile{}
		return nil
	}
	p, err := decodeProfile(s.String)
	*d.p = p
	return err
}

func consentDest(c *card.Consent) []any {
	return []any{&c.ID, &c.ClientID, (*string)(&c.Type), &c.Granted, &c.TextVersion, (*string)(&c.Source),
		&c.RecordedBy, timeDest{&c.At}}
}

// LatestProfile returns the newest questionnaire version, the zero version
// for a client who never filled it in, or card.ErrNotFound for no such
// user.
func (s *Store) LatestProfile(ctx context.Context, clientID string) (card.ProfileVersion, error) {
	var (
		id      string
		version sql.NullInt64
		at      time.Time
		by      sql.NullString
		byStaff sql.NullBool
		v       card.ProfileVersion
	)
	var row *sql.Row
	if st, err := s.readStmt(ctx, latestProfileSQL); err != nil {
		return v, fmt.Errorf("sqlite: latest questionnaire: %w", err)
	} else if st != nil {
		row = st.QueryRowContext(ctx, clientID)
	} else {
		row = s.reader.QueryRowContext(ctx, latestProfileSQL, clientID)
	}
	err := row.Scan(&id, &version, timeDest{&at}, &by, &byStaff, profileDest{&v.Profile})
	if errors.Is(err, sql.ErrNoRows) {
		return card.ProfileVersion{}, card.ErrNotFound
	} else if err != nil {
		return card.ProfileVersion{}, fmt.Errorf("sqlite: latest questionnaire: %w", err)
	}
	if !version.Valid {
		return card.ProfileVersion{}, nil
	}
	v.ClientID, v.Version, v.At, v.ChangedBy, v.ByStaff = clientID, int(version.Int64), at, by.String, byStaff.Bool
	return v, nil
}

// ProfileVersions lists versions newest first below before (0: all), at
// most limit (1…1000); card.ErrNotFound for no such user.
func (s *Store) ProfileVersions(ctx context.Context, clientID string, before, limit int) ([]card.ProfileVersion, error) {
	if limit < 1 || limit > maxProfileVersionsPage {
		return nil, fmt.Errorf("sqlite: questionnaire versions: limit %d is not within 1…%d", limit, maxProfileVersionsPage)
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := userExists(ctx, tx, clientID); err != nil {
		return nil, err
	}
	list, err := queryAll(ctx, tx, "questionnaire versions", profileVersionDest, profileVersionsSQL, clientID, before, limit)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].ClientID = clientID
	}
	return list, nil
}

// userExists returns card.ErrNotFound unless the user exists.
func userExists(ctx context.Context, q dbtx, userID string) error {
	var ok bool
	if err := q.QueryRowContext(ctx, userExistsSQL, userID).Scan(&ok); err != nil {
		return fmt.Errorf("sqlite: find user: %w", err)
	}
	if !ok {
		return card.ErrNotFound
	}
	return nil
}

// AppendProfileVersion stores v after checking, in the same write
// transaction, that it follows the newest version and that the required
// consents are given, as card.ProfileStore documents.
func (s *Store) AppendProfileVersion(ctx context.Context, v card.ProfileVersion, requires ...card.ConsentType) error {
	switch {
	case v.ClientID == "" || v.ChangedBy == "":
		return errors.New("sqlite: append questionnaire version: client and author are required")
	case v.Version < 1:
		return fmt.Errorf("sqlite: append questionnaire version: version %d is not positive", v.Version)
	case v.At.IsZero():
		return errors.New("sqlite: append questionnaire version: the time is required")
	}
	doc, err := encodeProfile(v.Profile)
	if err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := userExists(ctx, tx, v.ClientID); err != nil {
			return err
		}
		var latest int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM profile_versions WHERE client_id = ?`,
			v.ClientID).Scan(&latest); err != nil {
			return fmt.Errorf("sqlite: append questionnaire version: %w", err)
		}
		if v.Version != latest+1 {
			return card.ErrVersionConflict
		}
		for _, t := range requires {
			c, err := currentConsent(ctx, tx, v.ClientID, t)
			if errors.Is(err, card.ErrNotFound) || err == nil && !c.Granted {
				return &card.ConsentError{Type: t}
			} else if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO profile_versions (client_id, version, at, changed_by, by_staff, profile)
			VALUES (?, ?, ?, ?, ?, ?)`, v.ClientID, v.Version, encodeTime(v.At), v.ChangedBy, v.ByStaff, doc)
		if err != nil {
			return fmt.Errorf("sqlite: append questionnaire version: %w", err)
		}
		return nil
	})
}

// AppendConsent appends a consent record; card.ErrNotFound for no such user.
func (s *Store) AppendConsent(ctx context.Context, c card.Consent) error {
	switch {
	case c.ID == "" || c.ClientID == "" || c.Type == "" || c.Source == "" || c.RecordedBy == "":
		return errors.New("sqlite: append consent: ID, client, type, source and recorder are required")
	case c.At.IsZero():
		return errors.New("sqlite: append consent: the time is required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO consents (`+consentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.ClientID, string(c.Type), c.Granted, c.TextVersion, string(c.Source), c.RecordedBy, encodeTime(c.At))
		switch {
		case err == nil:
			return nil
		case foreignKeyViolation(err):
			return fmt.Errorf("sqlite: append consent: no such user: %w", card.ErrNotFound)
		}
		return fmt.Errorf("sqlite: append consent: %w", err)
	})
}

// Consents lists the client's consent records, newest first;
// card.ErrNotFound for no such user.
func (s *Store) Consents(ctx context.Context, clientID string) ([]card.Consent, error) {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := userExists(ctx, tx, clientID); err != nil {
		return nil, err
	}
	return queryAll(ctx, tx, "list consents", consentDest, consentsSQL, clientID)
}

// CurrentConsent returns the newest record of the client's consent of type
// t, or card.ErrNotFound.
func (s *Store) CurrentConsent(ctx context.Context, clientID string, t card.ConsentType) (card.Consent, error) {
	st, err := s.readStmt(ctx, currentConsentSQL)
	if err != nil {
		return card.Consent{}, fmt.Errorf("sqlite: current consent: %w", err)
	}
	var q dbtx = s.reader
	if st != nil {
		q = stmtQuerier{st}
	}
	return currentConsent(ctx, q, clientID, t)
}

func currentConsent(ctx context.Context, q dbtx, clientID string, t card.ConsentType) (card.Consent, error) {
	var c card.Consent
	err := q.QueryRowContext(ctx, currentConsentSQL, clientID, string(t)).Scan(consentDest(&c)...)
	if errors.Is(err, sql.ErrNoRows) {
		return card.Consent{}, card.ErrNotFound
	} else if err != nil {
		return card.Consent{}, fmt.Errorf("sqlite: current consent: %w", err)
	}
	return c, nil
}
