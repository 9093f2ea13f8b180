package card

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet-dev/kabinet/booking"
)

// The skin journal: dated entries with scores from 0 (none) to 10 (worst)
// per skin concern (the questionnaire's concern codes), notes and linked
// photos. The client's own entries are self-assessments; staff write
// assessments. The two are kept apart everywhere — in the entries, in the
// trend and in reports — since a client's feeling and a specialist's
// judgement are not the same measurement.
//
// Entries are health data: writing one needs the client's health_data
// consent (also when staff write it), whether it carries scores, notes or
// only photos — notes about the skin are health data too. Reading is not
// gated: a client who withdrew the consent still sees what was recorded.

// JournalKind says who assessed the skin.
type JournalKind string

// Kinds of journal entries.
const (
	JournalSelfAssessment JournalKind = "self_assessment" // by the client
	JournalAssessment     JournalKind = "assessment"      // by a specialist (staff)
)

// JournalEntry is one entry of the skin journal.
type JournalEntry struct {
	ID       string
	ClientID string
	Date     booking.Date // the day assessed
	Kind     JournalKind
	AuthorID string              // user ID of the client or the member of staff
	Scores   map[ConcernCode]int // 0–10 per concern; only the concerns assessed
	Notes    string
	PhotoIDs []string // the client's photos, in the order given
	// CreatedAt orders entries of one day.
	CreatedAt time.Time
}

// Limits of journal entries.
const (
	MaxScore          = 10
	MaxJournalNotes   = 4000 // characters
	MaxJournalPhotos  = 20
	maxJournalEntries = 10000 // read for one trend or report
)

// JournalFilter selects a client's journal entries. From and To are
// inclusive; zero is open.
type JournalFilter struct {
	ClientID   string // required
	Kind       JournalKind
	From, To   booking.Date
	Descending bool // newest first
	Limit      int  // 0: no limit
}

// JournalStore keeps the skin journal.
type JournalStore interface {
	// AddJournalEntry stores e and its photo links in one transaction that
	// first checks that the newest consent record of each type in requires
	// is a grant (else a *ConsentError for the first that is not) and that
	// every ID in e.PhotoIDs is a photo of e.ClientID (else ErrNotFound).
	// Nothing is stored when a check fails. ErrNotFound also for no such
	// user. e needs ID, ClientID, Date, Kind, AuthorID and CreatedAt (else
	// an error that is none of these); a taken ID is an error.
	AddJournalEntry(ctx context.Context, e JournalEntry, requires ...ConsentType) error
	// JournalEntries returns the entries matching f ordered by Date, then
	// CreatedAt, then ID (Descending: the reverse), at most f.Limit when it
	// is positive; an empty list when none match. Scores is never nil;
	// PhotoIDs lists the linked photos still there, in the order given.
	JournalEntries(ctx context.Context, f JournalFilter) ([]JournalEntry, error)
}

// AddJournalEntry adds an entry to the client's skin journal, made by
// actor: a self-assessment when the actor is the client, an assessment
// when staff (who may see the card; audited). e's Date is required; Scores,
// Notes and PhotoIDs are optional but not all empty; ID, ClientID,
// AuthorID and CreatedAt are set here. e.Kind may be left empty; a kind
// that is not the actor's is ErrForbidden (a client cannot write a
// specialist's assessment).
//
// Errors: ErrNotFound; ErrForbidden; *ValidationError (date, scores,
// notes, photo_ids); *ConsentError (health_data).
func (s *Service) AddJournalEntry(ctx context.Context, actor Actor, clientID string, e JournalEntry) (JournalEntry, error) {
	if err := s.authorize(ctx, actor, clientID, "skin journal", true); err != nil {
		return JournalEntry{}, err
	}
	kind := JournalSelfAssessment
	if actor.Staff() {
		kind = JournalAssessment
	}
	if e.Kind != "" && e.Kind != kind {
		return JournalEntry{}, ErrForbidden
	}
	e.ID, e.ClientID, e.Kind, e.AuthorID, e.CreatedAt = s.cfg.NewID(), clientID, kind, actor.UserID, s.now()
	e.Notes = strings.TrimSpace(e.Notes)
	if err := s.checkJournalEntry(&e); err != nil {
		return JournalEntry{}, err
	}
	if err := s.requireConsent(ctx, clientID, ConsentHealthData); err != nil {
		return JournalEntry{}, err
	}
	for i, id := range e.PhotoIDs {
		if _, err := s.clientPhoto(ctx, clientID, id); errors.Is(err, ErrNotFound) {
			return JournalEntry{}, invalid(fmt.Sprintf("photo_ids[%d]", i), "There is no such photo of this client.",
				"У клиента нет такой фотографии.")
		} else if err != nil {
			return JournalEntry{}, err
		}
	}
	if err := s.cfg.Store.AddJournalEntry(ctx, e, ConsentHealthData); errors.Is(err, ErrNotFound) && len(e.PhotoIDs) > 0 {
		// A photo deleted since it was checked.
		return JournalEntry{}, invalid("photo_ids", "A photo is no longer there.", "Одной из фотографий больше нет.")
	} else if err != nil {
		return JournalEntry{}, err
	}
	return e, nil
}

// checkJournalEntry validates e in place (Scores copied).
func (s *Service) checkJournalEntry(e *JournalEntry) error {
	switch {
	case e.Date.IsZero():
		return invalid("date", "date is required (YYYY-MM-DD).", "Укажите дату (ГГГГ-ММ-ДД).")
	case e.Date.Before(earliestDate):
		return invalid("date", "The date cannot be before 1990.", "Дата не может быть раньше 1990 года.")
	case s.today().Before(e.Date):
		return invalid("date", "The date cannot be in the future.", "Дата не может быть в будущем.")
	}
	scores := make(map[ConcernCode]int, len(e.Scores))
	for _, code := range slices.Sorted(maps.Keys(e.Scores)) {
		v := e.Scores[code]
		field := "scores." + auditID(string(code))
		switch {
		case !slices.Contains(ConcernCodes(), code):
			return invalid(field, fmt.Sprintf("%q is not a known skin concern.", auditID(string(code))),
				"Такой проблемы кожи нет в списке.")
		case v < 0 || v > MaxScore:
			return invalid(field, "A score is a number from 0 to 10.", "Оценка — число от 0 до 10.")
		}
		scores[code] = v
	}
	e.Scores = scores
	switch {
	case !utf8.ValidString(e.Notes) || strings.ContainsFunc(e.Notes, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t'
	}):
		return invalid("notes", "The notes contain characters that are not allowed.", "Заметки содержат недопустимые символы.")
	case utf8.RuneCountInString(e.Notes) > MaxJournalNotes:
		return invalid("notes", fmt.Sprintf("The notes are too long: at most %d characters.", MaxJournalNotes),
			fmt.Sprintf("Заметки слишком длинные: не больше %d символов.", MaxJournalNotes))
	case len(e.PhotoIDs) > MaxJournalPhotos:
		return invalid("photo_ids", fmt.Sprintf("At most %d photos.", MaxJournalPhotos),
			fmt.Sprintf("Не больше %d фотографий.", MaxJournalPhotos))
	case len(scores) == 0 && e.Notes == "" && len(e.PhotoIDs) == 0:
		return invalid("scores", "An entry needs scores, notes or photos.", "Добавьте оценки, заметки или фотографии.")
	}
	e.PhotoIDs = slices.Clone(e.PhotoIDs)
	for i, id := range e.PhotoIDs {
		if id == "" || slices.Index(e.PhotoIDs, id) != i {
			return invalid(fmt.Sprintf("photo_ids[%d]", i), "A photo is empty or given twice.", "Фотография не указана или указана дважды.")
		}
	}
	return nil
}

// Journal lists the client's journal entries matching f (f.ClientID is
// ignored) in the order the JournalStore documents. Staff reads are
// audited.
//
// Errors: ErrNotFound; *ValidationError (kind, from/to).
func (s *Service) Journal(ctx context.Context, actor Actor, clientID string, f JournalFilter) ([]JournalEntry, error) {
	if err := s.authorize(ctx, actor, clientID, "skin journal", false); err != nil {
		return nil, err
	}
	if f.Kind != "" && f.Kind != JournalSelfAssessment && f.Kind != JournalAssessment {
		return nil, invalid("kind", "kind must be self_assessment or assessment.", "Вид записи: допустимо self_assessment или assessment.")
	}
	if err := checkRange(f.From, f.To); err != nil {
		return nil, err
	}
	f.ClientID = clientID
	return s.cfg.Store.JournalEntries(ctx, f)
}

// checkRange refuses a range that ends before it starts.
func checkRange(from, to booking.Date) error {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return invalid("to", "to must not be before from.", "Конец периода раньше его начала.")
	}
	return nil
}

// ScorePoint is one score of a concern on a day.
type ScorePoint struct {
	Date    booking.Date
	Score   int
	EntryID string
}

// ConcernTrend is the time series of one concern, with the client's
// self-assessments and the specialists' assessments apart, each ordered by
// date (entries of one day in the order they were made).
type ConcernTrend struct {
	Concern    ConcernCode
	Self       []ScorePoint
	Assessment []ScorePoint
}

// SkinTrend returns a time series per concern from the client's journal
// entries dated in [from, to] (zero: open), for charts: the concerns that
// have any score, in the order of ConcernCodes, then any other code found.
// Staff reads are audited.
//
// Errors: ErrNotFound; *ValidationError (to before from).
func (s *Service) SkinTrend(ctx context.Context, actor Actor, clientID string, from, to booking.Date) ([]ConcernTrend, error) {
	if err := s.authorize(ctx, actor, clientID, "skin trend", false); err != nil {
		return nil, err
	}
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	entries, err := s.cfg.Store.JournalEntries(ctx, JournalFilter{ClientID: clientID, From: from, To: to, Limit: maxJournalEntries})
	if err != nil {
		return nil, err
	}
	return trend(entries), nil
}

// trend builds the series from entries in date order.
func trend(entries []JournalEntry) []ConcernTrend {
	codes := ConcernCodes()
	byCode := map[ConcernCode]*ConcernTrend{}
	for _, e := range entries {
		for _, code := range slices.Sorted(maps.Keys(e.Scores)) {
			t := byCode[code]
			if t == nil {
				t = &ConcernTrend{Concern: code, Self: []ScorePoint{}, Assessment: []ScorePoint{}}
				byCode[code] = t
				if !slices.Contains(codes, code) {
					codes = append(codes, code)
				}
			}
			p := ScorePoint{Date: e.Date, Score: e.Scores[code], EntryID: e.ID}
			if e.Kind == JournalAssessment {
				t.Assessment = append(t.Assessment, p)
			} else {
				t.Self = append(t.Self, p)
			}
		}
	}
	out := []ConcernTrend{}
	for _, code := range codes {
		if t := byCode[code]; t != nil {
			out = append(out, *t)
		}
	}
	return out
}
