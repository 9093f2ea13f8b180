package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// reviewRoutes are the card's endpoints of favourites and reviews.
func (s *server) reviewRoutes() []route {
	return []route{
		{"GET /api/v1/me/favorites", s.authed(s.myFavorites)},
		{"POST /api/v1/me/favorites", s.authed(s.addFavorite)},
		{"DELETE /api/v1/me/favorites/{kind}/{item_id}", s.authed(s.removeFavorite)},
		{"GET /api/v1/staff/clients/{id}/favorites", s.authed(s.clientFavorites)},

		{"GET /api/v1/reviews", s.handle(s.publicReviews)},
		{"POST /api/v1/me/reviews", s.authed(s.writeReview)},
		{"GET /api/v1/me/reviews", s.authed(s.myReviews)},
		{"PATCH /api/v1/me/reviews/{id}", s.authed(s.editReview)},
		{"GET /api/v1/staff/reviews", s.authed(s.staffReviews)},
		{"GET /api/v1/staff/reviews/{id}", s.authed(s.staffReview)},
		{"POST /api/v1/staff/reviews/{id}/moderate", s.authed(s.moderateReview)},
		{"GET /api/v1/staff/clients/{id}/reviews", s.authed(s.clientReviews)},
	}
}

// ---- favourites ------------------------------------------------------------------

type favoriteJSON struct {
	Kind      card.FavoriteKind `json:"kind"`
	ItemID    string            `json:"item_id"`
	Name      string            `json:"name"`
	Available bool              `json:"available"`
	AddedAt   time.Time         `json:"added_at"`
}

func toFavoritesJSON(list []card.Favorite) []favoriteJSON {
	out := make([]favoriteJSON, 0, len(list))
	for _, f := range list {
		out = append(out, favoriteJSON{Kind: f.Kind, ItemID: f.ItemID, Name: f.Name, Available: f.Available, AddedAt: f.CreatedAt.UTC()})
	}
	return out
}

// myFavorites: GET /api/v1/me/favorites.
func (s *server) myFavorites(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeFavorites(w, r, who, false)
}

// clientFavorites: GET /api/v1/staff/clients/{id}/favorites (audited).
func (s *server) clientFavorites(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	return s.writeFavorites(w, r, who, true)
}

func (s *server) writeFavorites(w http.ResponseWriter, r *http.Request, who auth.Identity, staff bool) error {
	actor, err := s.cardActor(r, who, staff)
	if err != nil {
		return err
	}
	clientID := who.User.ID
	if staff {
		clientID = r.PathValue("id")
	}
	list, err := s.card.Favorites(r.Context(), actor, clientID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"favorites": toFavoritesJSON(list), "max": card.MaxFavorites})
	return nil
}

type favoriteInputJSON struct {
	Kind   card.FavoriteKind `json:"kind"`
	ItemID string            `json:"item_id"`
}

// addFavorite: POST /api/v1/me/favorites {kind, item_id} — 201 when added,
// 200 when it was there already.
func (s *server) addFavorite(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	var in favoriteInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f, added, err := s.card.AddFavorite(r.Context(), actor, in.Kind, in.ItemID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	writeJSON(w, status, toFavoritesJSON([]card.Favorite{f})[0])
	return nil
}

// removeFavorite: DELETE /api/v1/me/favorites/{kind}/{item_id} — 204.
func (s *server) removeFavorite(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	if err := s.card.RemoveFavorite(r.Context(), actor, card.FavoriteKind(r.PathValue("kind")), r.PathValue("item_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- reviews ---------------------------------------------------------------------

// reviewView says who a review is rendered for.
type reviewView int

const (
	viewPublic reviewView = iota + 1 // anyone: no IDs of people, no status
	viewOwn                          // the author
	viewStaff                        // staff: the client and who moderated
)

type reviewReplyJSON struct {
	Text string    `json:"text"`
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"` // staff views
}

type reviewHistoryJSON struct {
	Action  card.ReviewAction `json:"action"`
	From    card.ReviewStatus `json:"from,omitempty"`
	To      card.ReviewStatus `json:"to"`
	Reply   string            `json:"reply,omitempty"`
	By      string            `json:"by"`
	ByStaff bool              `json:"by_staff"`
	At      time.Time         `json:"at"`
}

type reviewJSON struct {
	ID             string              `json:"id"`
	Rating         int                 `json:"rating"`
	Text           string              `json:"text"`
	Author         string              `json:"author"`
	ServiceID      string              `json:"service_id"`
	ServiceName    string              `json:"service_name"`
	SpecialistID   string              `json:"specialist_id"`
	SpecialistName string              `json:"specialist_name"`
	CreatedAt      time.Time           `json:"created_at"`
	EditedAt       *time.Time          `json:"edited_at,omitempty"`
	Reply          *reviewReplyJSON    `json:"reply,omitempty"`
	Status         card.ReviewStatus   `json:"status,omitempty"`         // own and staff views
	AppointmentID  string              `json:"appointment_id,omitempty"` // own and staff views
	BranchID       string              `json:"branch_id,omitempty"`      // own and staff views
	VisitAt        *time.Time          `json:"visit_at,omitempty"`       // own and staff views, in the branch's zone
	Version        int                 `json:"version,omitempty"`        // own and staff views
	UpdatedAt      *time.Time          `json:"updated_at,omitempty"`     // own and staff views
	EditableUntil  *time.Time          `json:"editable_until,omitempty"` // own view
	Editable       *bool               `json:"editable,omitempty"`       // own view
	ClientID       string              `json:"client_id,omitempty"`      // staff views
	ModeratedBy    string              `json:"moderated_by,omitempty"`   // staff views
	ModeratedAt    *time.Time          `json:"moderated_at,omitempty"`   // staff views
	History        []reviewHistoryJSON `json:"history,omitempty"`        // one review, staff views
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// authorName is how a review's author is shown: their first name, or
// "Client" in the reader's language.
func authorName(r *http.Request, name string) string {
	switch {
	case name != "":
		return name
	case preferredLang(r) == "en":
		return "Client"
	}
	return "Клиент"
}

func (s *server) toReviewJSON(r *http.Request, rv card.Review, view reviewView, now time.Time) reviewJSON {
	out := reviewJSON{ID: rv.ID, Rating: rv.Rating, Text: rv.Text, Author: authorName(r, rv.AuthorName),
		ServiceID: rv.ServiceID, ServiceName: rv.ServiceName, SpecialistID: rv.SpecialistID, SpecialistName: rv.SpecialistName,
		CreatedAt: rv.CreatedAt.UTC(), EditedAt: timePtr(rv.EditedAt)}
	if rv.Reply != "" {
		out.Reply = &reviewReplyJSON{Text: rv.Reply, At: rv.RepliedAt.UTC()}
		if view == viewStaff {
			out.Reply.By = rv.RepliedBy
		}
	}
	if view == viewPublic {
		return out
	}
	visit := rv.VisitAt.In(s.branchLocation(r, rv.BranchID))
	out.Status, out.AppointmentID, out.BranchID, out.VisitAt = rv.Status, rv.AppointmentID, rv.BranchID, &visit
	out.Version, out.UpdatedAt = rv.Version, timePtr(rv.UpdatedAt)
	switch view {
	case viewOwn:
		editable := now.Before(rv.EditableUntil())
		out.EditableUntil, out.Editable = timePtr(rv.EditableUntil()), &editable
	case viewStaff:
		out.ClientID, out.ModeratedBy, out.ModeratedAt = rv.ClientID, rv.ModeratedBy, timePtr(rv.ModeratedAt)
	}
	return out
}

func (s *server) toReviewsJSON(r *http.Request, list []card.Review, view reviewView) []reviewJSON {
	now := s.card.Config().Now()
	out := make([]reviewJSON, 0, len(list))
	for _, rv := range list {
		out = append(out, s.toReviewJSON(r, rv, view, now))
	}
	return out
}

type ratingSummaryJSON struct {
	Count   int            `json:"count"`
	Average float64        `json:"average"`
	Ratings map[string]int `json:"ratings"` // "1" … "5" → how many
}

// intParam reads an optional integer query parameter (0 when absent); a
// malformed one is a 400 naming it.
func intParam(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &fieldError{field: name, err: errMalformedParam}
	}
	return n, nil
}

// publicReviews: GET /api/v1/reviews[?specialist_id=&service_id=&limit=&offset=]
// — published reviews with the rating summary; anyone may read them.
func (s *server) publicReviews(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset")
	if err != nil {
		return err
	}
	page, err := s.card.PublishedReviews(r.Context(), card.PublicReviewFilter{SpecialistID: q.Get("specialist_id"),
		ServiceID: q.Get("service_id"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	sum := ratingSummaryJSON{Count: page.Summary.Count, Average: math.Round(page.Summary.Average*100) / 100,
		Ratings: map[string]int{}}
	for i, n := range page.Summary.ByRating {
		sum.Ratings[strconv.Itoa(i+1)] = n
	}
	writeJSON(w, http.StatusOK, map[string]any{"reviews": s.toReviewsJSON(r, page.Reviews, viewPublic), "summary": sum})
	return nil
}

type reviewInputJSON struct {
	AppointmentID string `json:"appointment_id"`
	Rating        int    `json:"rating"`
	Text          string `json:"text"`
}

// writeReview: POST /api/v1/me/reviews {appointment_id, rating, text} — 201,
// pending moderation.
func (s *server) writeReview(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	var in reviewInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rv, err := s.card.WriteReview(r.Context(), actor, card.ReviewInput{AppointmentID: in.AppointmentID, Rating: in.Rating, Text: in.Text})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.toReviewJSON(r, rv, viewOwn, s.card.Config().Now()))
	return nil
}

type reviewEditJSON struct {
	Rating *int    `json:"rating"`
	Text   *string `json:"text"`
}

// editReview: PATCH /api/v1/me/reviews/{id} {rating?, text?} — within 14 days
// of writing it; back to pending.
func (s *server) editReview(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	var in reviewEditJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rv, err := s.card.EditReview(r.Context(), actor, r.PathValue("id"), card.ReviewEdit{Rating: in.Rating, Text: in.Text})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toReviewJSON(r, rv, viewOwn, s.card.Config().Now()))
	return nil
}

type reviewableJSON struct {
	AppointmentID  string    `json:"appointment_id"`
	Start          time.Time `json:"start"`
	ServiceID      string    `json:"service_id"`
	ServiceName    string    `json:"service_name"`
	SpecialistID   string    `json:"specialist_id"`
	SpecialistName string    `json:"specialist_name"`
	BranchID       string    `json:"branch_id"`
	BranchName     string    `json:"branch_name"`
}

// myReviews: GET /api/v1/me/reviews — the client's reviews in every status,
// and the completed visits still to review.
func (s *server) myReviews(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	list, err := s.card.ClientReviews(r.Context(), actor, who.User.ID)
	if err != nil {
		return err
	}
	visits, err := s.card.ReviewableVisits(r.Context(), actor, who.User.ID)
	if err != nil {
		return err
	}
	todo := make([]reviewableJSON, 0, len(visits))
	for _, v := range visits {
		a := v.Appointment
		todo = append(todo, reviewableJSON{AppointmentID: a.ID, Start: a.Start.In(s.branchLocation(r, a.BranchID)),
			ServiceID: a.ServiceID, ServiceName: v.ServiceName, SpecialistID: a.SpecialistID, SpecialistName: v.SpecialistName,
			BranchID: a.BranchID, BranchName: v.BranchName})
	}
	writeJSON(w, http.StatusOK, map[string]any{"reviews": s.toReviewsJSON(r, list, viewOwn), "reviewable": todo})
	return nil
}

// clientReviews: GET /api/v1/staff/clients/{id}/reviews (audited).
func (s *server) clientReviews(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	list, err := s.card.ClientReviews(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"reviews": s.toReviewsJSON(r, list, viewStaff)})
	return nil
}

// staffReviews: GET /api/v1/staff/reviews[?status=&branch_id=&limit=&offset=]
// — the moderation queue.
func (s *server) staffReviews(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset")
	if err != nil {
		return err
	}
	list, err := s.card.StaffReviews(r.Context(), actor, card.StaffReviewFilter{Status: card.ReviewStatus(q.Get("status")),
		BranchID: q.Get("branch_id"), Limit: limit, Offset: offset})
	if err != nil {
		return s.orderError(r, who, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"reviews": s.toReviewsJSON(r, list, viewStaff)})
	return nil
}

func (s *server) writeStaffReview(w http.ResponseWriter, r *http.Request, rv card.Review, hist []card.ReviewChange) {
	out := s.toReviewJSON(r, rv, viewStaff, s.card.Config().Now())
	out.History = make([]reviewHistoryJSON, 0, len(hist))
	for _, h := range hist {
		out.History = append(out.History, reviewHistoryJSON{Action: h.Action, From: h.From, To: h.To, Reply: h.Reply,
			By: h.By, ByStaff: h.ByStaff, At: h.At.UTC()})
	}
	writeJSON(w, http.StatusOK, out)
}

// staffReview: GET /api/v1/staff/reviews/{id} — one review with its history.
func (s *server) staffReview(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	rv, hist, err := s.card.StaffReview(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeStaffReview(w, r, rv, hist)
	return nil
}

type reviewDecisionJSON struct {
	Status  card.ReviewStatus `json:"status"`
	Reply   *string           `json:"reply"`
	Version int               `json:"version"`
}

// moderateReview: POST /api/v1/staff/reviews/{id}/moderate {status, reply?,
// version?} — admins, managers of the visit's branch.
func (s *server) moderateReview(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	var in reviewDecisionJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rv, err := s.card.ModerateReview(r.Context(), actor, r.PathValue("id"),
		card.ReviewDecision{Status: in.Status, Reply: in.Reply, Version: in.Version})
	if err != nil {
		return s.orderError(r, who, err)
	}
	_, hist, err := s.card.StaffReview(r.Context(), actor, rv.ID)
	if err != nil {
		return err
	}
	s.writeStaffReview(w, r, rv, hist)
	return nil
}
