package card

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/recommend"
)

// Export of a client's data (GDPR Art. 15 and 20, 152-FZ Art. 14): one zip
// archive with data.json — everything the cabinet holds about the client,
// in the shape below — and photos/<id>.jpg, the original file of each photo.
// The archive is written straight to its destination (an HTTP response):
// only the JSON document is held in memory, the photos are copied from the
// BlobStore one at a time.
//
// The card gathers its own parts (questionnaire, consents, photos,
// journal, visits and notes, orders) and booking's (appointments with their
// history, treatment plans); the caller passes what other services keep
// (ExportExtra: the account, notification settings, push subscriptions,
// messages, audit entries). Staff are named by their user IDs, never with
// their IP addresses; internal keys (the BlobStore's, the push
// subscriptions' encryption keys, idempotency keys) are left out.

// ExportFormat names the shape of data.json; a change that removes or
// renames a field gets a new one.
const ExportFormat = "kabinet-export/1"

// ExportExtra is what the export needs from the services the card does not
// own. The HTTP layer fills it from auth and notify.
type ExportExtra struct {
	Account       auth.User
	Settings      *notify.Settings // the notification settings in force; nil: not known
	Subscriptions []notify.Subscription
	Messages      []notify.Message  // the client's inbox, every status
	Audit         []auth.AuditEntry // entries by the client or about them
}

// Export is a client's data, gathered and ready to be written.
type Export struct {
	s        *Service
	clientID string
	doc      exportDoc
	photos   []Photo
}

// PrepareExport gathers everything about the client for an export and
// records the export in the audit trail (ActionDataExported), before
// anything is written: an export that cannot be recorded does not happen.
// Write the archive with WriteZip. Only the client (or, audited as every
// card read, staff who may see the card) may export.
//
// Errors: ErrNotFound (not a client the actor may see; extra.Account is
// someone else's).
func (s *Service) PrepareExport(ctx context.Context, actor Actor, clientID string, extra ExportExtra) (*Export, error) {
	if err := s.authorize(ctx, actor, clientID, "export", false); err != nil {
		return nil, err
	}
	if extra.Account.ID != clientID {
		return nil, ErrNotFound
	}
	now := s.now()
	doc, photos, err := s.gatherExport(ctx, clientID, extra, now)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Audit(context.WithoutCancel(ctx), auth.AuditEntry{At: now, ActorID: actor.UserID,
		Action: ActionDataExported, Subject: clientID, IP: actor.IP, Detail: fmt.Sprintf("photos=%d", len(photos))}); err != nil {
		return nil, fmt.Errorf("card: audit: %w", err)
	}
	return &Export{s: s, clientID: clientID, doc: doc, photos: photos}, nil
}

// FileName is the archive's name for a download: kabinet-export-<date>.zip,
// the date of the export in UTC.
func (e *Export) FileName() string {
	return "kabinet-export-" + e.doc.ExportedAt.Format(time.DateOnly) + ".zip"
}

// Photos is how many photos the archive holds (at most).
func (e *Export) Photos() int { return len(e.photos) }

// WriteZip writes the archive to w: photos/<id>.jpg for each photo, read
// from the BlobStore one at a time, then data.json. A photo whose file is
// missing is left out, and its "file" in data.json is empty. An error
// leaves w with a partial archive: the caller aborts the download.
func (e *Export) WriteZip(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	modified := e.doc.ExportedAt
	for i, p := range e.photos {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := photoFileName(p)
		ok, err := e.copyPhoto(ctx, zw, name, p, modified)
		if err != nil {
			return err
		}
		if ok {
			e.doc.Photos[i].File = name
		}
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: "data.json", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return fmt.Errorf("card: export: %w", err)
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e.doc); err != nil {
		return fmt.Errorf("card: export: data.json: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("card: export: %w", err)
	}
	return nil
}

// photoFileName is where a photo's original goes in the archive. Every
// stored size is a JPEG.
func photoFileName(p Photo) string { return "photos/" + auditID(p.ID) + ".jpg" }

// copyPhoto copies the photo's original into the archive; false when its
// file is missing.
func (e *Export) copyPhoto(ctx context.Context, zw *zip.Writer, name string, p Photo, modified time.Time) (bool, error) {
	if e.s.cfg.Blobs == nil {
		return false, nil
	}
	rc, err := e.s.cfg.Blobs.Open(ctx, p.Original.Key)
	if errors.Is(err, ErrBlobNotFound) || errors.Is(err, ErrInvalidBlobKey) {
		e.s.log.ErrorContext(ctx, "card: export: a photo's file is missing", "photo", p.ID)
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("card: export: open photo: %w", err)
	}
	defer rc.Close()
	// JPEGs do not compress: stored as they are.
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
	if err != nil {
		return false, fmt.Errorf("card: export: %w", err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		return false, fmt.Errorf("card: export: copy photo: %w", err)
	}
	return true, nil
}

// maxExportPage is the page size of the reads an export makes.
const maxExportPage = 1000

// gatherExport reads every part of the client's data.
func (s *Service) gatherExport(ctx context.Context, clientID string, extra ExportExtra, now time.Time) (exportDoc, []Photo, error) {
	st, bst := s.cfg.Store, s.cfg.Booking.Store()
	who := func(userID string) string { return whoOf(clientID, userID) }
	names := s.newNames()
	doc := exportDoc{Format: ExportFormat, ExportedAt: now, Account: exportAccountOf(extra.Account)}

	// The questionnaire, every version newest first.
	doc.ProfileVersions = []exportProfileVersion{}
	for before := 0; ; {
		page, err := st.ProfileVersions(ctx, clientID, before, maxExportPage)
		if err != nil {
			return exportDoc{}, nil, err
		}
		for _, v := range page {
			doc.ProfileVersions = append(doc.ProfileVersions, exportProfileVersion{Version: v.Version, At: v.At.UTC(),
				ChangedBy: who(v.ChangedBy), Profile: exportProfileOf(v.Profile)})
		}
		if len(page) < maxExportPage {
			break
		}
		before = page[len(page)-1].Version
	}

	consents, err := st.Consents(ctx, clientID)
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Consents = make([]exportConsent, 0, len(consents))
	for _, c := range consents {
		doc.Consents = append(doc.Consents, exportConsent{ID: c.ID, Type: string(c.Type), Granted: c.Granted,
			TextVersion: c.TextVersion, Source: string(c.Source), RecordedBy: who(c.RecordedBy), At: c.At.UTC()})
	}

	// Appointments with their history, and treatment plans (booking's).
	appts, err := bst.Appointments(ctx, booking.AppointmentFilter{ClientID: clientID})
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Appointments = make([]exportAppointment, 0, len(appts))
	for _, a := range appts {
		hist, err := bst.History(ctx, a.ID)
		if err != nil {
			return exportDoc{}, nil, err
		}
		ea := exportAppointment{ID: a.ID, BranchID: a.BranchID, Branch: names.branch(ctx, a.BranchID),
			ServiceID: a.ServiceID, Service: names.service(ctx, a.ServiceID), SpecialistID: a.SpecialistID,
			Specialist: names.specialist(ctx, a.SpecialistID), Start: a.Start.UTC(), End: a.End.UTC(),
			Status: string(a.Status), Price: a.Price, ClientNote: a.ClientNote, StaffNotes: a.Notes,
			CancelReason: a.CancelReason, CancelledBy: who(a.CancelledBy), PlanID: a.PlanID,
			BookedBy: who(a.CreatedBy), CreatedAt: a.CreatedAt.UTC(), History: make([]exportStatusChange, 0, len(hist))}
		for _, h := range hist {
			ea.History = append(ea.History, exportStatusChange{From: string(h.From), To: string(h.To), At: h.At.UTC(),
				By: who(h.By), Reason: h.Reason, OldStart: optTime(h.OldStart), OldEnd: optTime(h.OldEnd)})
		}
		doc.Appointments = append(doc.Appointments, ea)
	}
	plans, err := bst.Plans(ctx, clientID)
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.TreatmentPlans = make([]exportPlan, 0, len(plans))
	for _, p := range plans {
		doc.TreatmentPlans = append(doc.TreatmentPlans, exportPlan{ID: p.ID, ServiceID: p.ServiceID,
			Service: names.service(ctx, p.ServiceID), SpecialistID: p.SpecialistID, Specialist: names.specialist(ctx, p.SpecialistID),
			BranchID: p.BranchID, Sessions: p.Sessions, IntervalDays: int(p.Interval / (24 * time.Hour)),
			Status: string(p.Status), Notes: p.Notes, CreatedAt: p.CreatedAt.UTC()})
	}
	notes, err := st.VisitNotes(ctx, clientID)
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.VisitNotes = make([]exportVisitNote, 0, len(notes))
	for _, n := range notes {
		en := exportVisitNote{AppointmentID: n.AppointmentID, Notes: n.Notes, WrittenBy: who(n.WrittenBy),
			CreatedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC(), Recommendations: []exportRecommendation{}}
		for _, r := range names.recommendations(ctx, n.Recommendations) {
			en.Recommendations = append(en.Recommendations, exportRecommendation{Kind: string(r.Kind), ItemID: r.ItemID,
				Name: r.Name, Text: r.Text})
		}
		doc.VisitNotes = append(doc.VisitNotes, en)
	}

	// The skin journal and the photos.
	entries, err := st.JournalEntries(ctx, JournalFilter{ClientID: clientID})
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.SkinJournal = make([]exportJournalEntry, 0, len(entries))
	for _, e := range entries {
		scores := make(map[string]int, len(e.Scores))
		for _, k := range slices.Sorted(maps.Keys(e.Scores)) {
			scores[string(k)] = e.Scores[k]
		}
		doc.SkinJournal = append(doc.SkinJournal, exportJournalEntry{ID: e.ID, Date: e.Date.String(), Kind: string(e.Kind),
			Author: who(e.AuthorID), Scores: scores, Notes: e.Notes, PhotoIDs: nonNil(e.PhotoIDs), CreatedAt: e.CreatedAt.UTC()})
	}
	photos, err := st.Photos(ctx, PhotoFilter{ClientID: clientID})
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Photos = make([]exportPhoto, 0, len(photos))
	for _, p := range photos {
		doc.Photos = append(doc.Photos, exportPhoto{ID: p.ID, Kind: string(p.Kind), Area: string(p.Area),
			TakenOn: p.TakenOn.String(), AppointmentID: p.AppointmentID, UploadedBy: who(p.UploadedBy),
			SourceFormat: string(p.SourceFormat), Width: p.Original.Width, Height: p.Original.Height,
			Bytes: p.Original.Bytes, CreatedAt: p.CreatedAt.UTC()})
	}

	// Orders with their history.
	orders, err := st.Orders(ctx, OrderFilter{ClientID: clientID})
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Orders = make([]exportOrder, 0, len(orders))
	for _, o := range orders {
		hist, err := st.OrderHistory(ctx, o.ID)
		if err != nil {
			return exportDoc{}, nil, err
		}
		eo := exportOrder{ID: o.ID, Number: o.Number, BranchID: o.BranchID, Branch: names.branch(ctx, o.BranchID),
			Status: string(o.Status), Source: string(o.Source), Total: o.Total, Note: o.Note, CancelReason: o.CancelReason,
			CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(), CompletedAt: optTime(o.CompletedAt),
			Items: make([]exportOrderItem, 0, len(o.Items)), History: make([]exportOrderChange, 0, len(hist))}
		for _, it := range o.Items {
			eo.Items = append(eo.Items, exportOrderItem{ProductID: it.ProductID, Brand: it.Brand, Line: it.Line,
				Name: it.Name, Quantity: it.Quantity, UnitPrice: it.UnitPrice})
		}
		for _, h := range hist {
			eo.History = append(eo.History, exportOrderChange{From: string(h.From), To: string(h.To), At: h.At.UTC(),
				By: who(h.By), Reason: h.Reason})
		}
		doc.Orders = append(doc.Orders, eo)
	}

	// Favourites and reviews.
	favs, err := st.Favorites(ctx, clientID)
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Favorites = make([]exportFavorite, 0, len(favs))
	for _, f := range favs {
		doc.Favorites = append(doc.Favorites, exportFavorite{Kind: string(f.Kind), ItemID: f.ItemID, Name: f.Name, AddedAt: f.CreatedAt.UTC()})
	}
	offers, err := st.OffersGiven(ctx, clientID)
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Offers = make([]exportOffer, 0, len(offers))
	for _, g := range offers {
		o := g.Offer
		eo := exportOffer{OfferID: g.OfferID, Seq: g.Seq, Title: o.Title, DiscountPercent: o.DiscountPercent,
			ValidFrom: o.ValidFrom.UTC(), ValidUntil: o.ValidUntil.UTC(), ItemIDs: o.ItemIDs, GivenAt: g.GivenAt.UTC(),
			AnnouncedAt: optTime(g.AnnouncedAt)}
		if o.Gift != (recommend.Text{}) {
			eo.Gift = &o.Gift
		}
		doc.Offers = append(doc.Offers, eo)
	}
	reviews, err := st.Reviews(ctx, ReviewFilter{ClientID: clientID})
	if err != nil {
		return exportDoc{}, nil, err
	}
	doc.Reviews = make([]exportReview, 0, len(reviews))
	for _, r := range reviews {
		doc.Reviews = append(doc.Reviews, exportReview{ID: r.ID, AppointmentID: r.AppointmentID, Rating: r.Rating, Text: r.Text,
			Status: string(r.Status), Reply: r.Reply, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()})
	}

	// What the other services keep.
	if set := extra.Settings; set != nil {
		es := &exportSettings{Channels: map[string][]string{}, QuietStart: set.QuietStart, QuietEnd: set.QuietEnd,
			TimeZone: set.TimeZone, UpdatedAt: optTime(set.UpdatedAt)}
		for cat, chs := range set.Channels {
			list := []string{}
			for _, ch := range chs {
				list = append(list, string(ch))
			}
			es.Channels[string(cat)] = list
		}
		if mc := set.MarketingConsent; mc != nil {
			es.MarketingConsent = &exportMarketing{At: mc.At.UTC(), Source: mc.Source, Version: mc.Version}
		}
		doc.NotificationSettings = es
	}
	doc.PushSubscriptions = make([]exportPush, 0, len(extra.Subscriptions))
	for _, sub := range extra.Subscriptions {
		var service string
		if u, err := url.Parse(sub.Endpoint); err == nil {
			service = u.Hostname()
		}
		doc.PushSubscriptions = append(doc.PushSubscriptions, exportPush{ID: sub.ID, PushService: service,
			UserAgent: sub.UserAgent, CreatedAt: sub.CreatedAt.UTC()})
	}
	doc.Messages = make([]exportMessage, 0, len(extra.Messages))
	for _, m := range extra.Messages {
		em := exportMessage{ID: m.ID, Channel: string(m.Channel), Category: string(m.Category), Kind: m.Kind,
			To: m.To, Subject: m.Subject, Text: m.Text, URL: m.URL, Status: string(m.Status), CreatedAt: m.CreatedAt.UTC(),
			DueAt: optTime(m.DueAt), SentAt: optTime(m.SentAt), Attachments: []string{}}
		for _, a := range m.Attachments {
			em.Attachments = append(em.Attachments, a.Name)
		}
		doc.Messages = append(doc.Messages, em)
	}
	doc.Audit = make([]exportAuditEntry, 0, len(extra.Audit))
	for _, e := range extra.Audit {
		ea := exportAuditEntry{At: e.At.UTC(), Action: e.Action, Actor: who(e.ActorID), ActorID: e.ActorID,
			Subject: e.Subject, Detail: e.Detail}
		if e.ActorID == clientID {
			ea.IP = e.IP // the client's own address; staff's are theirs
		}
		doc.Audit = append(doc.Audit, ea)
	}
	return doc, photos, nil
}

// whoOf says who a user is to the client: "client" (themself), "staff"
// (anyone else: the cabinet's users besides the client are staff), or ""
// for nobody.
func whoOf(clientID, userID string) string {
	switch userID {
	case "":
		return ""
	case clientID:
		return "client"
	}
	return "staff"
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// ---- data.json -------------------------------------------------------------------
//
// The shape of data.json: explicit names, times RFC 3339 in UTC, days
// YYYY-MM-DD, money {"amount" (minor units), "currency"}. "by" fields say
// "client" or "staff"; lists are [] when empty. The OpenAPI document
// describes it as ExportData.

type exportDoc struct {
	Format               string                 `json:"format"`
	ExportedAt           time.Time              `json:"exported_at"`
	Account              exportAccount          `json:"account"`
	ProfileVersions      []exportProfileVersion `json:"profile_versions"` // newest first
	Consents             []exportConsent        `json:"consents"`         // every record, newest first
	Appointments         []exportAppointment    `json:"appointments"`     // by start
	TreatmentPlans       []exportPlan           `json:"treatment_plans"`
	VisitNotes           []exportVisitNote      `json:"visit_notes"`
	SkinJournal          []exportJournalEntry   `json:"skin_journal"`
	Photos               []exportPhoto          `json:"photos"`
	Orders               []exportOrder          `json:"orders"`
	Favorites            []exportFavorite       `json:"favorites"`
	Reviews              []exportReview         `json:"reviews"`
	Offers               []exportOffer          `json:"offers"` // every offer given, oldest first
	NotificationSettings *exportSettings        `json:"notification_settings"`
	PushSubscriptions    []exportPush           `json:"push_subscriptions"`
	Messages             []exportMessage        `json:"messages"`
	Audit                []exportAuditEntry     `json:"audit"`
}

type exportFavorite struct {
	Kind    string    `json:"kind"`
	ItemID  string    `json:"item_id"`
	Name    string    `json:"name,omitempty"`
	AddedAt time.Time `json:"added_at"`
}

type exportOffer struct {
	OfferID         string          `json:"offer_id"`
	Seq             int             `json:"seq"`
	Title           recommend.Text  `json:"title"`
	DiscountPercent int             `json:"discount_percent,omitempty"`
	Gift            *recommend.Text `json:"gift,omitempty"`
	ItemIDs         []string        `json:"item_ids,omitempty"`
	ValidFrom       time.Time       `json:"valid_from"`
	ValidUntil      time.Time       `json:"valid_until"`
	GivenAt         time.Time       `json:"given_at"`
	AnnouncedAt     *time.Time      `json:"announced_at"`
}

type exportReview struct {
	ID            string    `json:"id"`
	AppointmentID string    `json:"appointment_id"`
	Rating        int       `json:"rating"`
	Text          string    `json:"text"`
	Status        string    `json:"status"`
	Reply         string    `json:"reply,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

type exportAccount struct {
	ID        string    `json:"id"`
	Phone     string    `json:"phone"`
	Email     string    `json:"email"`
	Roles     []string  `json:"roles"`
	Locale    string    `json:"locale"`
	CreatedAt time.Time `json:"created_at"`
}

func exportAccountOf(u auth.User) exportAccount {
	roles := []string{}
	for _, r := range u.Roles {
		roles = append(roles, string(r))
	}
	return exportAccount{ID: u.ID, Phone: u.Phone, Email: u.Email, Roles: roles, Locale: u.Locale, CreatedAt: u.CreatedAt.UTC()}
}

type exportProfileVersion struct {
	Version   int           `json:"version"`
	At        time.Time     `json:"at"`
	ChangedBy string        `json:"changed_by"`
	Profile   exportProfile `json:"profile"`
}

// exportProfile is the questionnaire; null lists are unanswered, [] the
// answer "none".
type exportProfile struct {
	Name              string          `json:"name"`
	BirthDate         string          `json:"birth_date"`
	Gender            string          `json:"gender"`
	Locale            string          `json:"locale"`
	PreferredBranchID string          `json:"preferred_branch_id"`
	SkinType          string          `json:"skin_type"`
	Phototype         int             `json:"phototype"`
	Concerns          []exportConcern `json:"concerns"`
	Allergies         []string        `json:"allergies"`
	Contraindications []string        `json:"contraindications"`
	HomeCare          []string        `json:"home_care"`
}

type exportConcern struct {
	Code     string `json:"code"`
	Severity int    `json:"severity"`
}

func exportProfileOf(p Profile) exportProfile {
	out := exportProfile{Name: p.Name, Gender: string(p.Gender), Locale: p.Locale, PreferredBranchID: p.PreferredBranchID,
		SkinType: string(p.SkinType), Phototype: p.Phototype, Allergies: p.Allergies, HomeCare: p.HomeCare}
	if !p.BirthDate.IsZero() {
		out.BirthDate = p.BirthDate.String()
	}
	if p.Concerns != nil {
		out.Concerns = []exportConcern{}
		for _, c := range p.Concerns {
			out.Concerns = append(out.Concerns, exportConcern{Code: string(c.Code), Severity: c.Severity})
		}
	}
	if p.Contraindications != nil {
		out.Contraindications = []string{}
		for _, c := range p.Contraindications {
			out.Contraindications = append(out.Contraindications, string(c))
		}
	}
	return out
}

type exportConsent struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	Granted     bool      `json:"granted"`
	TextVersion string    `json:"text_version"`
	Source      string    `json:"source"`
	RecordedBy  string    `json:"recorded_by"`
	At          time.Time `json:"at"`
}

type exportAppointment struct {
	ID           string               `json:"id"`
	BranchID     string               `json:"branch_id"`
	Branch       string               `json:"branch"`
	ServiceID    string               `json:"service_id"`
	Service      string               `json:"service"`
	SpecialistID string               `json:"specialist_id"`
	Specialist   string               `json:"specialist"`
	Start        time.Time            `json:"start"`
	End          time.Time            `json:"end"`
	Status       string               `json:"status"`
	Price        booking.Money        `json:"price"`
	ClientNote   string               `json:"client_note"`
	StaffNotes   string               `json:"staff_notes"`
	CancelReason string               `json:"cancel_reason"`
	CancelledBy  string               `json:"cancelled_by"`
	PlanID       string               `json:"plan_id"`
	BookedBy     string               `json:"booked_by"`
	CreatedAt    time.Time            `json:"created_at"`
	History      []exportStatusChange `json:"history"`
}

type exportStatusChange struct {
	From     string     `json:"from"`
	To       string     `json:"to"`
	At       time.Time  `json:"at"`
	By       string     `json:"by"`
	Reason   string     `json:"reason"`
	OldStart *time.Time `json:"old_start,omitempty"`
	OldEnd   *time.Time `json:"old_end,omitempty"`
}

type exportPlan struct {
	ID           string    `json:"id"`
	ServiceID    string    `json:"service_id"`
	Service      string    `json:"service"`
	SpecialistID string    `json:"specialist_id"`
	Specialist   string    `json:"specialist"`
	BranchID     string    `json:"branch_id"`
	Sessions     int       `json:"sessions"`
	IntervalDays int       `json:"interval_days"`
	Status       string    `json:"status"`
	Notes        string    `json:"notes"`
	CreatedAt    time.Time `json:"created_at"`
}

type exportVisitNote struct {
	AppointmentID   string                 `json:"appointment_id"`
	Notes           string                 `json:"notes"`
	Recommendations []exportRecommendation `json:"recommendations"`
	WrittenBy       string                 `json:"written_by"`
	CreatedAt       time.Time              `json:"created_at"`
	UpdatedAt       time.Time              `json:"updated_at"`
}

type exportRecommendation struct {
	Kind   string `json:"kind"`
	ItemID string `json:"item_id"`
	Name   string `json:"name"`
	Text   string `json:"text"`
}

type exportJournalEntry struct {
	ID        string         `json:"id"`
	Date      string         `json:"date"`
	Kind      string         `json:"kind"`
	Author    string         `json:"author"`
	Scores    map[string]int `json:"scores"`
	Notes     string         `json:"notes"`
	PhotoIDs  []string       `json:"photo_ids"`
	CreatedAt time.Time      `json:"created_at"`
}

type exportPhoto struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Area          string    `json:"area"`
	TakenOn       string    `json:"taken_on"`
	AppointmentID string    `json:"appointment_id"`
	UploadedBy    string    `json:"uploaded_by"`
	SourceFormat  string    `json:"source_format"`
	Width         int       `json:"width"`
	Height        int       `json:"height"`
	Bytes         int64     `json:"bytes"`
	CreatedAt     time.Time `json:"created_at"`
	File          string    `json:"file"` // photos/<id>.jpg in the archive; "" when the file is missing
}

type exportOrder struct {
	ID           string              `json:"id"`
	Number       int64               `json:"number"`
	BranchID     string              `json:"branch_id"`
	Branch       string              `json:"branch"`
	Status       string              `json:"status"`
	Source       string              `json:"source"`
	Items        []exportOrderItem   `json:"items"`
	Total        booking.Money       `json:"total"`
	Note         string              `json:"note"`
	CancelReason string              `json:"cancel_reason"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
	CompletedAt  *time.Time          `json:"completed_at"`
	History      []exportOrderChange `json:"history"`
}

type exportOrderItem struct {
	ProductID string        `json:"product_id"`
	Brand     string        `json:"brand"`
	Line      string        `json:"line"`
	Name      string        `json:"name"`
	Quantity  int           `json:"quantity"`
	UnitPrice booking.Money `json:"unit_price"`
}

type exportOrderChange struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

type exportSettings struct {
	Channels         map[string][]string `json:"channels"`
	MarketingConsent *exportMarketing    `json:"marketing_consent"`
	QuietStart       int                 `json:"quiet_start_minutes"`
	QuietEnd         int                 `json:"quiet_end_minutes"`
	TimeZone         string              `json:"time_zone"`
	UpdatedAt        *time.Time          `json:"updated_at"`
}

type exportMarketing struct {
	At      time.Time `json:"at"`
	Source  string    `json:"source"`
	Version string    `json:"version"`
}

// exportPush is a push subscription without its keys and endpoint URL
// (a capability): the push service's host says which browser vendor.
type exportPush struct {
	ID          string    `json:"id"`
	PushService string    `json:"push_service"`
	UserAgent   string    `json:"user_agent"`
	CreatedAt   time.Time `json:"created_at"`
}

type exportMessage struct {
	ID          string     `json:"id"`
	Channel     string     `json:"channel"`
	Category    string     `json:"category"`
	Kind        string     `json:"kind"`
	To          string     `json:"to"`
	Subject     string     `json:"subject"`
	Text        string     `json:"text"`
	URL         string     `json:"url"`
	Attachments []string   `json:"attachments"` // file names
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	DueAt       *time.Time `json:"due_at"`
	SentAt      *time.Time `json:"sent_at"`
}

type exportAuditEntry struct {
	At      time.Time `json:"at"`
	Action  string    `json:"action"`
	Actor   string    `json:"actor"` // "client", "staff", or "" (nobody signed in)
	ActorID string    `json:"actor_id"`
	Subject string    `json:"subject"`
	IP      string    `json:"ip"` // the client's own requests only
	Detail  string    `json:"detail"`
}
