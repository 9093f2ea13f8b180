package card

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kabinet-dev/kabinet/booking"
)

// Reviews. A client reviews their own completed appointment — once per
// appointment, 1 to 5 stars and an optional text — and may change it for
// ReviewEditWindow after writing it. Every new or changed review waits for
// moderation (pending); the clinic publishes or rejects it and may reply.
// Published reviews are public, listed per specialist and per service with
// the average rating, and show the author by first name only.
//
// Who moderates: admins, and the managers of the appointment's branch. The
// specialist of the appointment reads the reviews of their own
// appointments (GET /staff/reviews) but does not moderate them or reply:
// most reviews are about a specialist, who should not be the one to decide
// whether theirs is published. Other staff who may see the client's card
// read the client's reviews with the card (ClientReviews), audited.
//
// Every change is kept as a history line (written, edited, moderated: who
// and when), and a moderation is also written to the audit trail.
//
// The author's name shown is the first name from the questionnaire, taken
// when the review is written or edited (FirstName): the public lists never
// read the card. With no name in the questionnaire the author is shown as
// "Client" ("Клиент"). Contact details are never part of a review.

// ReviewStatus is where a review is in moderation.
type ReviewStatus string

// Review statuses.
const (
	ReviewPending   ReviewStatus = "pending"   // new, or changed by the client since it was moderated
	ReviewPublished ReviewStatus = "published" // shown publicly
	ReviewRejected  ReviewStatus = "rejected"  // not shown; the reply, if any, tells the client why
)

// ReviewStatuses are every status.
func ReviewStatuses() []ReviewStatus {
	return []ReviewStatus{ReviewPending, ReviewPublished, ReviewRejected}
}

// Limits of reviews.
const (
	// ReviewEditWindow is how long after writing a review the client may
	// change it.
	ReviewEditWindow = 14 * 24 * time.Hour
	MaxReviewText    = 2000 // characters
	MaxReviewReply   = 1000 // characters
	MinRating        = 1
	MaxRating        = 5
	maxAuthorName    = 40
	maxReviewsPage   = 500
)

// Errors of reviews.
var (
	// ErrReviewExists: the appointment already has a review (HTTP 409).
	ErrReviewExists = errors.New("card: the visit already has a review")
	// ErrReviewLocked: the review was written more than ReviewEditWindow
	// ago and can no longer be changed by the client (HTTP 409).
	ErrReviewLocked = errors.New("card: the review can no longer be changed")
	// ErrReviewChanged: the review changed since it was read (an edit or
	// another moderation came first); read it again (HTTP 409).
	ErrReviewChanged = errors.New("card: the review changed meanwhile")
)

// Review is a client's review of one completed appointment.
type Review struct {
	ID            string
	AppointmentID string
	ClientID      string
	// AuthorName is the client's first name when the review was written or
	// last edited; "" shows as "Client".
	AuthorName string
	// Copied from the appointment when the review is written.
	BranchID     string
	ServiceID    string
	SpecialistID string
	VisitAt      time.Time // the appointment's start

	Rating int // MinRating … MaxRating
	Text   string
	Status ReviewStatus

	Reply       string // the clinic's answer; shown with a published review, and to the client
	RepliedBy   string // user ID; "" without a reply
	RepliedAt   time.Time
	ModeratedBy string // user ID of the last moderation; "" before any
	ModeratedAt time.Time

	// Version is 1 when written and one more after every edit or
	// moderation: a moderation or an edit based on an older version is
	// refused (ErrReviewChanged), so nobody publishes a text they did not
	// read.
	Version   int
	CreatedAt time.Time // written
	EditedAt  time.Time // last changed by the client; zero: never
	UpdatedAt time.Time // last change of any kind

	// Filled when read (not stored): the current names of the service and
	// the specialist.
	ServiceName    string
	SpecialistName string
}

// EditableUntil is the end of the time the client may change the review.
func (r Review) EditableUntil() time.Time { return r.CreatedAt.Add(ReviewEditWindow) }

// ReviewAction says what a line of a review's history records.
type ReviewAction string

// Review actions.
const (
	ReviewWritten   ReviewAction = "written"   // by the client
	ReviewEdited    ReviewAction = "edited"    // by the client: back to pending
	ReviewModerated ReviewAction = "moderated" // by staff: published or rejected, with the reply
)

// ReviewChange is one line of a review's history.
type ReviewChange struct {
	ReviewID string
	Action   ReviewAction
	From     ReviewStatus // "" for the review itself
	To       ReviewStatus
	Reply    string // a moderation's reply (the reply after it)
	By       string // user ID
	ByStaff  bool
	At       time.Time
}

// ReviewFilter selects reviews; empty fields match everything.
type ReviewFilter struct {
	ClientID      string
	BranchIDs     []string
	SpecialistIDs []string
	ServiceID     string
	Statuses      []ReviewStatus
	Limit         int // 0: no limit (Reviews); ignored by RatingSummary
	Offset        int
}

// RatingSummary is the count and average of a set of reviews' ratings.
type RatingSummary struct {
	Count    int
	Average  float64        // 0 when Count is 0
	ByRating [MaxRating]int // ByRating[0]: one star … ByRating[4]: five
}

// ReviewUpdate is a client's edit of their review, as the store applies it.
type ReviewUpdate struct {
	ID         string
	ClientID   string
	Version    int // the version the edit is based on
	Rating     int
	Text       string
	AuthorName string
	At         time.Time
}

// Moderation is a moderation of a review, as the store applies it.
type Moderation struct {
	ReviewID string
	Version  int // the version the moderator saw
	Status   ReviewStatus
	Reply    string // the reply after the moderation ("" none)
	By       string // user ID
	At       time.Time
}

// ReviewStore keeps reviews and their history. Each method is atomic;
// store/storetest checks every promise, the concurrent ones included.
type ReviewStore interface {
	// CreateReview stores r with Version 1 and its first history line
	// (written, to r.Status, by r.ClientID) in one transaction.
	// ErrReviewExists: the appointment already has a review — nothing is
	// stored, and of concurrent calls for one appointment exactly one
	// succeeds. ErrNotFound: no such appointment, or not r.ClientID's. r
	// needs ID, AppointmentID, ClientID, a Rating from 1 to 5, a Status and
	// CreatedAt (else an error wrapping ErrInvalidInput); a taken ID is an
	// error wrapping ErrInvalidInput. Returns the review as stored.
	CreateReview(ctx context.Context, r Review) (Review, error)
	// EditReview applies a client's edit in one transaction: the review
	// must exist and be u.ClientID's (else ErrNotFound) and be at
	// u.Version (else ErrReviewChanged, nothing written). It sets Rating,
	// Text and AuthorName, status pending, EditedAt and UpdatedAt to u.At,
	// Version one more, and appends the history line (edited, by the
	// client). Returns the review after the edit.
	EditReview(ctx context.Context, u ReviewUpdate) (Review, error)
	// ModerateReview applies a moderation in one transaction: the review
	// must exist (ErrNotFound) and be at m.Version (else ErrReviewChanged,
	// nothing written). It sets the status, ModeratedBy and ModeratedAt,
	// and — when m.Reply differs from the stored reply — the reply with
	// RepliedBy and RepliedAt (both cleared with an empty reply); UpdatedAt
	// = m.At, Version one more; and appends the history line (moderated,
	// by m.By as staff, with the reply). m.Status must be published or
	// rejected (else an error wrapping ErrInvalidInput). Returns the review
	// after it.
	ModerateReview(ctx context.Context, m Moderation) (Review, error)
	// ReviewByID returns ErrNotFound for an unknown ID.
	ReviewByID(ctx context.Context, id string) (Review, error)
	// ReviewByAppointment returns the appointment's review, or ErrNotFound.
	ReviewByAppointment(ctx context.Context, appointmentID string) (Review, error)
	// Reviews returns the matching reviews, the latest written first (then
	// by ID, descending), skipping f.Offset and at most f.Limit of them.
	Reviews(ctx context.Context, f ReviewFilter) ([]Review, error)
	// RatingSummary counts and averages the ratings of every review f
	// matches (Limit and Offset ignored).
	RatingSummary(ctx context.Context, f ReviewFilter) (RatingSummary, error)
	// ReviewHistory returns a review's history, oldest first (none for an
	// unknown review).
	ReviewHistory(ctx context.Context, reviewID string) ([]ReviewChange, error)

	// DepersonalizeReviews is the reviews' part of erasing a client, in one
	// transaction: their reviews are kept — their ratings still count in
	// the averages — under pseudonym instead of clientID, without the
	// client's text or name and without the clinic's reply (it speaks to
	// the client); their history lines name the pseudonym instead of the
	// client and lose the reply. It returns how many reviews it changed.
	// ErrInvalidInput (wrapped): clientID or pseudonym empty, or equal.
	DepersonalizeReviews(ctx context.Context, clientID, pseudonym string) (int, error)
}

// ReviewInput is a new review as the client writes it.
type ReviewInput struct {
	AppointmentID string
	Rating        int
	Text          string
}

// WriteReview stores the client's review of their own completed
// appointment, pending moderation.
//
// Errors: ErrForbidden (staff); ErrNotFound (no such appointment, or
// another client's); *ValidationError (a rating out of 1–5, a text too long
// or with control characters; field appointment_id: the visit has not taken
// place); ErrReviewExists.
func (s *Service) WriteReview(ctx context.Context, actor Actor, in ReviewInput) (Review, error) {
	switch {
	case actor.Staff():
		return Review{}, ErrForbidden
	case actor.UserID == "" || in.AppointmentID == "":
		return Review{}, ErrNotFound
	}
	text, err := checkReview(in.Rating, in.Text)
	if err != nil {
		return Review{}, err
	}
	a, err := s.cfg.Booking.Store().AppointmentByID(ctx, in.AppointmentID)
	switch {
	case errors.Is(err, booking.ErrNotFound) || err == nil && a.ClientID != actor.UserID:
		return Review{}, ErrNotFound
	case err != nil:
		return Review{}, err
	case a.Status != booking.StatusCompleted:
		return Review{}, invalid("appointment_id", "You can review a visit once it has taken place.",
			"Отзыв можно оставить, когда визит состоялся.")
	}
	author, err := s.authorName(ctx, actor.UserID)
	if err != nil {
		return Review{}, err
	}
	now := s.now()
	r, err := s.cfg.Store.CreateReview(ctx, Review{ID: s.cfg.NewID(), AppointmentID: a.ID, ClientID: actor.UserID,
		AuthorName: author, BranchID: a.BranchID, ServiceID: a.ServiceID, SpecialistID: a.SpecialistID, VisitAt: a.Start,
		Rating: in.Rating, Text: text, Status: ReviewPending, Version: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Review{}, err
	}
	return s.withNames(ctx, r), nil
}

// ReviewEdit changes a review: a nil field stays as it is.
type ReviewEdit struct {
	Rating *int
	Text   *string
}

// EditReview changes the client's own review within ReviewEditWindow of
// writing it; the review goes back to pending moderation. An edit that
// changes nothing returns the review as it is.
//
// Errors: ErrNotFound (no such review, or another client's; staff);
// ErrReviewLocked (written more than ReviewEditWindow ago);
// *ValidationError; ErrReviewChanged (it was moderated meanwhile).
func (s *Service) EditReview(ctx context.Context, actor Actor, id string, e ReviewEdit) (Review, error) {
	if actor.UserID == "" || actor.Staff() || id == "" {
		return Review{}, ErrNotFound
	}
	r, err := s.cfg.Store.ReviewByID(ctx, id)
	if err != nil {
		return Review{}, err
	}
	if r.ClientID != actor.UserID {
		return Review{}, ErrNotFound
	}
	now := s.now()
	if !now.Before(r.EditableUntil()) {
		return Review{}, ErrReviewLocked
	}
	rating, text := r.Rating, r.Text
	if e.Rating != nil {
		rating = *e.Rating
	}
	if e.Text != nil {
		text = *e.Text
	}
	if text, err = checkReview(rating, text); err != nil {
		return Review{}, err
	}
	if rating == r.Rating && text == r.Text {
		return s.withNames(ctx, r), nil
	}
	author, err := s.authorName(ctx, actor.UserID)
	if err != nil {
		return Review{}, err
	}
	r, err = s.cfg.Store.EditReview(ctx, ReviewUpdate{ID: r.ID, ClientID: actor.UserID, Version: r.Version,
		Rating: rating, Text: text, AuthorName: author, At: now})
	if err != nil {
		return Review{}, err
	}
	return s.withNames(ctx, r), nil
}

// ClientReviews lists a client's reviews, the latest written first, in
// every status: the client's own, or for staff who may see the card
// (audited).
//
// Errors: ErrNotFound (not a card the actor may see).
func (s *Service) ClientReviews(ctx context.Context, actor Actor, clientID string) ([]Review, error) {
	if err := s.authorize(ctx, actor, clientID, "reviews", false); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.Reviews(ctx, ReviewFilter{ClientID: clientID})
	if err != nil {
		return nil, err
	}
	return s.withNamesAll(ctx, list), nil
}

// ReviewableVisit is a completed appointment the client has not reviewed.
type ReviewableVisit struct {
	Appointment    booking.Appointment
	ServiceName    string
	SpecialistName string
	BranchName     string
}

// ReviewableVisits lists the client's completed appointments without a
// review, the latest first: what the cabinet offers to review. Only the
// client themself.
//
// Errors: ErrNotFound (anyone else).
func (s *Service) ReviewableVisits(ctx context.Context, actor Actor, clientID string) ([]ReviewableVisit, error) {
	if actor.UserID == "" || actor.Staff() || actor.UserID != clientID {
		return nil, ErrNotFound
	}
	appts, err := s.cfg.Booking.Store().Appointments(ctx, booking.AppointmentFilter{ClientID: clientID,
		Statuses: []booking.Status{booking.StatusCompleted}, Descending: true})
	if err != nil {
		return nil, err
	}
	reviews, err := s.cfg.Store.Reviews(ctx, ReviewFilter{ClientID: clientID})
	if err != nil {
		return nil, err
	}
	reviewed := make(map[string]bool, len(reviews))
	for _, r := range reviews {
		reviewed[r.AppointmentID] = true
	}
	names := s.newNames()
	out := []ReviewableVisit{}
	for _, a := range appts {
		if reviewed[a.ID] {
			continue
		}
		out = append(out, ReviewableVisit{Appointment: a, ServiceName: names.service(ctx, a.ServiceID),
			SpecialistName: names.specialist(ctx, a.SpecialistID), BranchName: names.branch(ctx, a.BranchID)})
	}
	return out, nil
}

// StaffReviewFilter selects the reviews staff list.
type StaffReviewFilter struct {
	Status   ReviewStatus // empty: every status
	BranchID string       // empty: every branch the actor may list
	Limit    int          // 1 … 500; 0: 100
	Offset   int
}

// StaffReviews lists reviews for staff, the latest written first: an admin
// any branch's; a manager their branches' (a BranchID they do not run is
// ErrForbidden); a specialist the reviews of their own appointments (read
// only). The list is the moderation queue (Status pending), not a read of
// one client's card, so it is not audited per client.
//
// Errors: ErrForbidden (clients; a manager asking for another branch);
// *ValidationError (an unknown status, a limit or offset out of range).
func (s *Service) StaffReviews(ctx context.Context, actor Actor, f StaffReviewFilter) ([]Review, error) {
	if !actor.Staff() {
		return nil, ErrForbidden
	}
	rf, err := reviewPage(f.Limit, f.Offset, 100)
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		if !slices.Contains(ReviewStatuses(), f.Status) {
			return nil, invalid("status", `The status is "pending", "published" or "rejected".`,
				`Статус — "pending", "published" или "rejected".`)
		}
		rf.Statuses = []ReviewStatus{f.Status}
	}
	if f.BranchID != "" {
		rf.BranchIDs = []string{f.BranchID}
	}
	switch actor.Role {
	case booking.RoleAdmin:
	case booking.RoleManager:
		if f.BranchID == "" {
			rf.BranchIDs = slices.Clone(actor.Branches)
		} else if !manages(actor, f.BranchID) {
			return nil, ErrForbidden
		}
		if len(rf.BranchIDs) == 0 {
			return []Review{}, nil
		}
	default:
		mine, err := s.specialistIDs(ctx, actor.UserID)
		if err != nil {
			return nil, err
		}
		if len(mine) == 0 {
			return []Review{}, nil
		}
		rf.SpecialistIDs = mine
	}
	list, err := s.cfg.Store.Reviews(ctx, rf)
	if err != nil {
		return nil, err
	}
	return s.withNamesAll(ctx, list), nil
}

// StaffReview returns one review with its history, for staff who may list
// it (StaffReviews) or may see the client's card (that read is audited).
//
// Errors: ErrNotFound; ErrForbidden (a client).
func (s *Service) StaffReview(ctx context.Context, actor Actor, id string) (Review, []ReviewChange, error) {
	if !actor.Staff() {
		return Review{}, nil, ErrForbidden
	}
	r, err := s.cfg.Store.ReviewByID(ctx, id)
	if err != nil {
		return Review{}, nil, err
	}
	ok, err := s.listsReview(ctx, actor, r)
	if err != nil {
		return Review{}, nil, err
	}
	if !ok {
		if err := s.authorize(ctx, actor, r.ClientID, "review "+r.ID, false); err != nil {
			return Review{}, nil, err
		}
	}
	hist, err := s.cfg.Store.ReviewHistory(ctx, r.ID)
	if err != nil {
		return Review{}, nil, err
	}
	return s.withNames(ctx, r), hist, nil
}

// listsReview reports whether the review is in the actor's StaffReviews.
func (s *Service) listsReview(ctx context.Context, actor Actor, r Review) (bool, error) {
	if manages(actor, r.BranchID) {
		return true, nil
	}
	if actor.Role != booking.RoleSpecialist {
		return false, nil
	}
	mine, err := s.specialistIDs(ctx, actor.UserID)
	return slices.Contains(mine, r.SpecialistID), err
}

// ReviewDecision is a moderator's decision on a review.
type ReviewDecision struct {
	Status ReviewStatus // published or rejected
	// Reply replaces the clinic's reply when not nil ("" removes it); nil
	// keeps the reply there is.
	Reply *string
	// Version, when not 0, is the version of the review the moderator
	// read: if the review changed since (the client edited it), the
	// decision is refused with ErrReviewChanged.
	Version int
}

// ModerateReview publishes or rejects a review and sets the clinic's
// reply: admins, and managers of the appointment's branch. A published or
// rejected review may be moderated again (to change the decision or the
// reply). The moderation is kept in the review's history and written to
// the audit trail.
//
// Errors: ErrNotFound (no such review, or staff who may not see the
// client); ErrForbidden (a client; staff who may see the client but do not
// run the branch — recorded); *ValidationError (status, reply);
// ErrReviewChanged.
func (s *Service) ModerateReview(ctx context.Context, actor Actor, id string, d ReviewDecision) (Review, error) {
	if !actor.Staff() {
		return Review{}, ErrForbidden
	}
	if d.Status != ReviewPublished && d.Status != ReviewRejected {
		return Review{}, invalid("status", `The status is "published" or "rejected".`, `Статус — "published" или "rejected".`)
	}
	if d.Version < 0 {
		return Review{}, invalid("version", "The version is a positive number.", "Версия — положительное число.")
	}
	var reply *string
	if d.Reply != nil {
		v := strings.TrimSpace(*d.Reply)
		if err := reviewText("reply", v, MaxReviewReply, "The reply", "Ответ"); err != nil {
			return Review{}, err
		}
		reply = &v
	}
	r, err := s.cfg.Store.ReviewByID(ctx, id)
	if err != nil {
		return Review{}, err
	}
	what := fmt.Sprintf("review %s: %s → %s", r.ID, r.Status, d.Status)
	if !manages(actor, r.BranchID) {
		// Staff who may see the client learn that they may not moderate;
		// anyone else, that there is no such review.
		related, err := s.related(ctx, actor, r.ClientID)
		if err != nil {
			return Review{}, err
		}
		if err := s.auditStaff(ctx, actor, r.ClientID, what, true, false); err != nil {
			return Review{}, err
		}
		if !related {
			return Review{}, ErrNotFound
		}
		return Review{}, ErrForbidden
	}
	if d.Version != 0 && d.Version != r.Version {
		return Review{}, ErrReviewChanged
	}
	m := Moderation{ReviewID: r.ID, Version: r.Version, Status: d.Status, Reply: r.Reply, By: actor.UserID, At: s.now()}
	if reply != nil {
		m.Reply = *reply
	}
	if err := s.auditStaff(ctx, actor, r.ClientID, what, true, true); err != nil {
		return Review{}, err
	}
	r, err = s.cfg.Store.ModerateReview(ctx, m)
	if err != nil {
		return Review{}, err
	}
	return s.withNames(ctx, r), nil
}

// PublicReviewFilter selects published reviews. Both IDs empty: every
// published review of the clinic.
type PublicReviewFilter struct {
	SpecialistID string
	ServiceID    string
	Limit        int // 1 … 100; 0: 20
	Offset       int
}

// ReviewPage is a page of published reviews with the rating summary of all
// of them (not only the page's).
type ReviewPage struct {
	Reviews []Review
	Summary RatingSummary
}

// PublishedReviews lists the published reviews of a specialist and/or a
// service, the latest written first, with the average rating. Anyone may
// read it: the reviews come without the client's and the appointment's IDs
// and without who moderated or replied (staff user IDs) — the author is
// AuthorName only.
//
// Errors: ErrNotFound (an unknown specialist or service); *ValidationError
// (limit or offset out of range).
func (s *Service) PublishedReviews(ctx context.Context, f PublicReviewFilter) (ReviewPage, error) {
	rf, err := reviewPage(f.Limit, f.Offset, 20)
	if err != nil {
		return ReviewPage{}, err
	}
	if rf.Limit > 100 {
		return ReviewPage{}, invalid("limit", "The limit is from 1 to 100.", "Лимит — от 1 до 100.")
	}
	st := s.cfg.Booking.Store()
	if f.SpecialistID != "" {
		if _, err := st.SpecialistByID(ctx, f.SpecialistID); errors.Is(err, booking.ErrNotFound) {
			return ReviewPage{}, fmt.Errorf("card: specialist %q: %w", f.SpecialistID, ErrNotFound)
		} else if err != nil {
			return ReviewPage{}, err
		}
		rf.SpecialistIDs = []string{f.SpecialistID}
	}
	if f.ServiceID != "" {
		if _, err := s.serviceByID(ctx, f.ServiceID); err != nil {
			return ReviewPage{}, err
		}
		rf.ServiceID = f.ServiceID
	}
	rf.Statuses = []ReviewStatus{ReviewPublished}
	list, err := s.cfg.Store.Reviews(ctx, rf)
	if err != nil {
		return ReviewPage{}, err
	}
	sum, err := s.cfg.Store.RatingSummary(ctx, rf)
	if err != nil {
		return ReviewPage{}, err
	}
	list = s.withNamesAll(ctx, list)
	for i := range list {
		r := &list[i]
		r.ClientID, r.AppointmentID, r.ModeratedBy, r.RepliedBy = "", "", "", ""
	}
	return ReviewPage{Reviews: list, Summary: sum}, nil
}

// reviewPage checks a limit (0: def; at most maxReviewsPage) and an offset.
func reviewPage(limit, offset, def int) (ReviewFilter, error) {
	switch {
	case limit < 0 || limit > maxReviewsPage:
		return ReviewFilter{}, invalid("limit", fmt.Sprintf("The limit is from 1 to %d.", maxReviewsPage),
			fmt.Sprintf("Лимит — от 1 до %d.", maxReviewsPage))
	case offset < 0 || offset > 100_000:
		return ReviewFilter{}, invalid("offset", "The offset is from 0 to 100000.", "Смещение — от 0 до 100000.")
	}
	if limit == 0 {
		limit = def
	}
	return ReviewFilter{Limit: limit, Offset: offset}, nil
}

// Rounded is the average rounded to one decimal, as people read it (4.67 →
// 4.7).
func (r RatingSummary) Rounded() float64 { return math.Round(r.Average*10) / 10 }

// checkReview checks a rating and a text and returns the text trimmed.
func checkReview(rating int, text string) (string, error) {
	if rating < MinRating || rating > MaxRating {
		return "", invalid("rating", "The rating is from 1 to 5 stars.", "Оценка — от 1 до 5 звёзд.")
	}
	text = strings.TrimSpace(text)
	return text, reviewText("text", text, MaxReviewText, "The text", "Текст")
}

// reviewText refuses what productText refuses (control characters but line
// breaks and tabs, invalid UTF-8, more than max characters) and, since the
// text is shown publicly, the invisible characters that reorder text (bidi
// embeddings, overrides and isolates), which could make a review read
// differently from what was moderated.
func reviewText(field, s string, max int, en, ru string) error {
	if err := productText(field, s, max, en, ru, true); err != nil {
		return err
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
	}) {
		return invalid(field, en+" contains characters that are not allowed.", ru+": недопустимые символы.")
	}
	return nil
}

// authorName is the first name from the client's questionnaire, "" when
// none is given.
func (s *Service) authorName(ctx context.Context, clientID string) (string, error) {
	v, err := s.cfg.Store.LatestProfile(ctx, clientID)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return FirstName(v.Profile.Name), nil
}

// FirstName is the given name in a full name as people write it in the
// questionnaire: the first word ("Анна Петрова" → "Анна"), or — when the
// name has a patronymic in the third place, the formal Russian order
// "Фамилия Имя Отчество" — the second ("Петрова Анна Сергеевна" → "Анна").
// Punctuation around the word is dropped and the result is at most 40
// characters. Two words are taken in the order given ("Петрова Анна" gives
// "Петрова"): nothing tells a surname from a given name there, so the
// client's own list of reviews shows the name each one carries, and an
// edit after the questionnaire is corrected takes the new one.
func FirstName(full string) string {
	words := strings.Fields(full)
	if len(words) == 0 {
		return ""
	}
	w := words[0]
	if len(words) == 3 && patronymic(words[2]) && !patronymic(words[1]) {
		w = words[1]
	}
	w = strings.Trim(w, ".,;:!?\"'«»()[]")
	if utf8.RuneCountInString(w) > maxAuthorName {
		w = string([]rune(w)[:maxAuthorName])
	}
	return w
}

// patronymic reports whether a word looks like a Russian (or Turkic)
// patronymic, in Cyrillic or Latin letters.
func patronymic(word string) bool {
	w := strings.ToLower(strings.Trim(word, ".,;:!?\"'«»()[]"))
	for _, suffix := range []string{"вич", "вна", "ична", "инична", "ич", "оглы", "кызы", "улы",
		"vich", "vna", "ichna", "ogly", "kyzy"} {
		if strings.HasSuffix(w, suffix) && len(w) > len(suffix) {
			return true
		}
	}
	return false
}

// withNames fills the names of the review's service and specialist.
func (s *Service) withNames(ctx context.Context, r Review) Review {
	n := s.newNames()
	r.ServiceName, r.SpecialistName = n.service(ctx, r.ServiceID), n.specialist(ctx, r.SpecialistID)
	return r
}

func (s *Service) withNamesAll(ctx context.Context, list []Review) []Review {
	out := make([]Review, len(list))
	n := s.newNames()
	for i, r := range list {
		r.ServiceName, r.SpecialistName = n.service(ctx, r.ServiceID), n.specialist(ctx, r.SpecialistID)
		out[i] = r
	}
	return out
}
