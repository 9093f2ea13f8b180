package postgres

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

// cardLock is the advisory lock of one client's card: the writes that check
// something of the card before they write (the newest version, a consent,
// the number of favourites) hold it, and so does an erasure, so each check
// and its write are atomic against the others.
func cardLock(clientID string) int64 { return lockKey("card", clientID) }

const (
	profileVersionColumns = `version, at, changed_by, by_staff, profile`

	// The newest version, with the user's row so that "no such user" and
	// "never filled in" differ: version is NULL for the latter.
	latestProfileSQL = `SELECT u.id, v.version, v.at, v.changed_by, v.by_staff, v.profile
		FROM users u LEFT JOIN LATERAL (SELECT * FROM profile_versions
			WHERE client_id = u.id ORDER BY version DESC LIMIT 1) v ON true
		WHERE u.id = $1`
	profileVersionsSQL = `SELECT ` + profileVersionColumns + ` FROM profile_versions
		WHERE client_id = $1 AND version < $2 ORDER BY version DESC LIMIT $3`

	consentColumns    = `id, client_id, type, granted, text_version, source, recorded_by, at`
	consentsSQL       = `SELECT ` + consentColumns + ` FROM consents WHERE client_id = $1 ORDER BY seq DESC`
	currentConsentSQL = `SELECT ` + consentColumns + ` FROM consents
		WHERE client_id = $1 AND type = $2 ORDER BY seq DESC LIMIT 1`
	userExistsSQL = `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`
)

// encodeProfile is the questionnaire as stored (store/internal/format:
// the same JSON on every backend).
func encodeProfile(p card.Profile) (string, error) {
	b, err := format.EncodeProfile(p)
	return string(b), err
}

// decodeProfile reads a stored questionnaire.
func decodeProfile(b []byte) (card.Profile, error) { return format.DecodeProfile(b) }

// profileVersionDest scans profileVersionColumns.
func profileVersionDest(v *card.ProfileVersion) []any {
	return []any{&v.Version, timeDest{&v.At}, &v.ChangedBy, &v.ByStaff, profileDest{&v.Profile}}
}

// profileDest decodes the stored questionnaire JSON; NULL is the zero
// Profile.
type profileDest struct{ p *card.Profile }

func (d profileDest) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil {
		return err
	}
	if b == nil {
		*d.p = card.Profile{}
		return nil
	}
	p, err := decodeProfile(b)
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
		by      string
		byStaff sql.NullBool
		v       card.ProfileVersion
	)
	err := s.db.QueryRowContext(ctx, latestProfileSQL, clientID).
		Scan(&id, &version, timeDest{&at}, nullDest{&by}, &byStaff, profileDest{&v.Profile})
	if errors.Is(err, sql.ErrNoRows) {
		return card.ProfileVersion{}, card.ErrNotFound
	} else if err != nil {
		return card.ProfileVersion{}, fmt.Errorf("postgres: latest questionnaire: %w", err)
	}
	if !version.Valid {
		return card.ProfileVersion{}, nil
	}
	v.ClientID, v.Version, v.At, v.ChangedBy, v.ByStaff = clientID, int(version.Int64), at, by, byStaff.Bool
	return v, nil
}

// ProfileVersions lists versions newest first below before (0: all), at
// most limit (1…1000); card.ErrNotFound for no such user.
func (s *Store) ProfileVersions(ctx context.Context, clientID string, before, limit int) ([]card.ProfileVersion, error) {
	if limit < 1 || limit > maxProfileVersionsPage {
		return nil, fmt.Errorf("postgres: questionnaire versions: limit %d is not within 1…%d", limit, maxProfileVersionsPage)
	}
	if before <= 0 || before > math.MaxInt32 {
		before = math.MaxInt32
	}
	var list []card.ProfileVersion
	err := s.read(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := userExists(ctx, tx, clientID); err != nil {
			return err
		}
		var err error
		list, err = queryAll(ctx, tx, "questionnaire versions", profileVersionDest, profileVersionsSQL, clientID, before, limit)
		return err
	})
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
		return fmt.Errorf("postgres: find user: %w", err)
	}
	if !ok {
		return card.ErrNotFound
	}
	return nil
}

// AppendProfileVersion stores v after checking, in the same transaction and
// under the card's lock, that it follows the newest version and that the
// required consents are given, as card.ProfileStore documents. The primary
// key (client, version) backs the version check.
func (s *Store) AppendProfileVersion(ctx context.Context, v card.ProfileVersion, requires ...card.ConsentType) error {
	switch {
	case v.ClientID == "" || v.ChangedBy == "":
		return errors.New("postgres: append questionnaire version: client and author are required")
	case v.Version < 1:
		return fmt.Errorf("postgres: append questionnaire version: version %d is not positive", v.Version)
	case v.At.IsZero():
		return errors.New("postgres: append questionnaire version: the time is required")
	}
	doc, err := encodeProfile(v.Profile)
	if err != nil {
		return err
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, cardLock(v.ClientID)); err != nil {
			return err
		}
		if err := userExists(ctx, tx, v.ClientID); err != nil {
			return err
		}
		var latest int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM profile_versions WHERE client_id = $1`,
			v.ClientID).Scan(&latest); err != nil {
			return fmt.Errorf("postgres: append questionnaire version: %w", err)
		}
		if v.Version != latest+1 {
			return card.ErrVersionConflict
		}
		if err := requireConsents(ctx, tx, v.ClientID, requires); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO profile_versions (client_id, version, at, changed_by, by_staff, profile)
			VALUES ($1, $2, $3, $4, $5, $6)`, v.ClientID, v.Version, utc(v.At), v.ChangedBy, v.ByStaff, doc)
		switch {
		case uniqueViolation(err, "profile_versions_pkey"):
			return card.ErrVersionConflict
		case foreignKeyViolation(err):
			return card.ErrNotFound
		case err != nil:
			return fmt.Errorf("postgres: append questionnaire version: %w", err)
		}
		return nil
	})
}

// AppendConsent appends a consent record; card.ErrNotFound for no such user.
func (s *Store) AppendConsent(ctx context.Context, c card.Consent) error {
	switch {
	case c.ID == "" || c.ClientID == "" || c.Type == "" || c.Source == "" || c.RecordedBy == "":
		return errors.New("postgres: append consent: ID, client, type, source and recorder are required")
	case c.At.IsZero():
		return errors.New("postgres: append consent: the time is required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := lockKeys(ctx, tx, cardLock(c.ClientID)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO consents (`+consentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			c.ID, c.ClientID, string(c.Type), c.Granted, c.TextVersion, string(c.Source), c.RecordedBy, utc(c.At))
		switch {
		case err == nil:
			return nil
		case foreignKeyViolation(err):
			return fmt.Errorf("postgres: append consent: no such user: %w", card.ErrNotFound)
		}
		return fmt.Errorf("postgres: append consent: %w", err)
	})
}

// Consents lists the client's consent records, newest first;
// card.ErrNotFound for no such user.
func (s *Store) Consents(ctx context.Context, clientID string) ([]card.Consent, error) {
	var list []card.Consent
	err := s.read(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := userExists(ctx, tx, clientID); err != nil {
			return err
		}
		var err error
		list, err = queryAll(ctx, tx, "list consents", consentDest, consentsSQL, clientID)
		return err
	})
	return list, err
}

// CurrentConsent returns the newest record of the client's consent of type
// t, or card.ErrNotFound.
func (s *Store) CurrentConsent(ctx context.Context, clientID string, t card.ConsentType) (card.Consent, error) {
	return currentConsent(ctx, s.db, clientID, t)
}

func currentConsent(ctx context.Context, q dbtx, clientID string, t card.ConsentType) (card.Consent, error) {
	return queryOne(ctx, q, "current consent", card.ErrNotFound, consentDest, currentConsentSQL, clientID, string(t))
}

// requireConsents returns a *card.ConsentError for the first consent type
// whose newest record is not a grant; it runs in the write's transaction,
// under the card's lock, which AppendConsent holds too.
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
