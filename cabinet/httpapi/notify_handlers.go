package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// ---- notification settings -----------------------------------------------------

type notificationSettingsJSON struct {
	// Channels per category; security is not among them (codes go to the
	// identifier they were asked for), Security says so in words.
	Channels          map[notify.Category][]notify.Channel `json:"channels"`
	Security          string                               `json:"security"`
	MarketingConsent  consentJSON                          `json:"marketing_consent"`
	QuietHours        *quietHoursJSON                      `json:"quiet_hours"` // null: off
	TimeZone          string                               `json:"time_zone"`
	AvailableChannels []notify.Channel                     `json:"available_channels"`
	Push              *pushInfoJSON                        `json:"push,omitempty"`
}

// consentJSON is the marketing consent as settings show it. Granted is the
// same as Given, under the name the consents API uses (GET /me/consents);
// Given stays for the clients written against it.
type consentJSON struct {
	Given   bool       `json:"given"`
	Granted bool       `json:"granted"`
	At      *time.Time `json:"at,omitempty"`
	Source  string     `json:"source,omitempty"`
	Version string     `json:"version,omitempty"`
}

type quietHoursJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type pushInfoJSON struct {
	VAPIDPublicKey string `json:"vapid_public_key"`
}

// securityNote explains, in the caller's language, why sign-in codes have no
// channel to choose.
var securityNote = map[string]string{
	"ru": "Коды для входа всегда приходят на телефон или e-mail, с которым вы входите.",
	"en": "Sign-in codes always go to the phone or e-mail you sign in with.",
}

// consentSource is where a consent given through this API is recorded as
// given.
const consentSource = "cabinet"

func (s *server) toSettingsJSON(r *http.Request, st notify.Settings) notificationSettingsJSON {
	out := notificationSettingsJSON{
		Channels:          make(map[notify.Category][]notify.Channel, len(st.Channels)),
		Security:          securityNote[preferredLang(r)],
		TimeZone:          st.TimeZone,
		AvailableChannels: s.channels,
	}
	for cat, chs := range st.Channels {
		if cat == notify.CategorySecurity {
			continue
		}
		if chs == nil {
			chs = []notify.Channel{}
		}
		out.Channels[cat] = chs
	}
	if c := st.MarketingConsent; c != nil {
		at := c.At.UTC()
		out.MarketingConsent = consentJSON{Given: true, Granted: true, At: &at, Source: c.Source, Version: c.Version}
	}
	if q := notify.FormatQuietHours(st.QuietStart, st.QuietEnd); q != "" {
		out.QuietHours = &quietHoursJSON{Start: hhmm(st.QuietStart), End: hhmm(st.QuietEnd)}
	}
	if s.vapid != "" {
		out.Push = &pushInfoJSON{VAPIDPublicKey: s.vapid}
	}
	return out
}

// hhmm writes minutes after midnight as "HH:MM".
func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// notificationSettings: GET /api/v1/me/notification-settings.
func (s *server) notificationSettings(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	st, err := s.notify.Settings(r.Context(), who.User.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.toSettingsJSON(r, st))
	return nil
}

// settingsChangeJSON is a change of settings; absent fields stay as they
// are. It also reads the whole document GET answers, so that a client may
// send back what it read with some values changed:
//
//   - security, available_channels and push are the server's to say, not
//     the client's to set: they are accepted (of the right type) and
//     ignored;
//   - marketing_consent is the boolean of old, or the object GET shows,
//     whose given (or granted) is the choice and whose record (at, source,
//     version) is ignored;
//   - a category's channels, or the time zone, equal to what the settings
//     are now change nothing: a default the client never chose stays a
//     default, and follows the clinic's if it changes.
//
// Any other field is still refused (400 unknown_field). QuietHours and
// MarketingConsent are kept raw to tell an absent field from null and to
// read either shape.
type settingsChangeJSON struct {
	Channels         map[notify.Category][]notify.Channel `json:"channels"`
	MarketingConsent json.RawMessage                      `json:"marketing_consent"`
	QuietHours       json.RawMessage                      `json:"quiet_hours"`
	TimeZone         *string                              `json:"time_zone"`

	// The read-only parts of the document: accepted (of their type) and
	// ignored. Push is kept raw to name a field unknown inside it.
	Security          *string          `json:"security"`
	AvailableChannels []notify.Channel `json:"available_channels"`
	Push              json.RawMessage  `json:"push"`
}

// updateNotificationSettings: PUT /api/v1/me/notification-settings.
func (s *server) updateNotificationSettings(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var in settingsChangeJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	marketing, err := parseMarketingConsent(in.MarketingConsent)
	if err != nil {
		return err
	}
	if raw := bytes.TrimSpace(in.Push); len(raw) > 0 && string(raw) != "null" {
		if err := decodeField(raw, "push", &pushInfoJSON{}); err != nil {
			return err
		}
	}
	ch := notify.SettingsChange{Channels: in.Channels, Marketing: marketing, TimeZone: in.TimeZone}
	version := ""
	if marketing != nil && *marketing {
		// Given on the settings page, which shows the text in force.
		version = s.consentVersion(card.ConsentMarketing)
		ch.ConsentSource, ch.ConsentVersion = consentSource, version
	}
	if in.QuietHours != nil {
		q, err := parseQuietHours(in.QuietHours)
		if err != nil {
			return err
		}
		ch.QuietHours = &q
	}
	if len(ch.Channels) > 0 || ch.TimeZone != nil {
		cur, err := s.notify.Settings(r.Context(), who.User.ID)
		if err != nil {
			return err
		}
		ch.Channels, ch.TimeZone = dropUnchanged(cur, ch.Channels, ch.TimeZone)
	}
	st, err := s.notify.UpdateSettings(r.Context(), who.User.ID, ch)
	if err != nil {
		return err
	}
	if ch.Marketing != nil {
		// The card keeps the history of consents: record this one there too
		// (only a real change is recorded, and the card does not call back).
		if err := s.card.NoteMarketingConsent(r.Context(), who.User.ID, *ch.Marketing, card.SourceCabinet, version); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, s.toSettingsJSON(r, st))
	return nil
}

// consentVersion is the version of the consent text of type in force.
func (s *server) consentVersion(t card.ConsentType) string {
	for _, ct := range s.card.ConsentTexts() {
		if ct.Type == t {
			return ct.Version
		}
	}
	return ""
}

// dropUnchanged leaves out of a change the categories whose channels are
// already what cur shows (in the same order), and the time zone when it is
// cur's. Everything else — an unknown category, security, a wrong channel —
// is kept for UpdateSettings to refuse.
func dropUnchanged(cur notify.Settings, channels map[notify.Category][]notify.Channel, tz *string) (map[notify.Category][]notify.Channel, *string) {
	var out map[notify.Category][]notify.Channel
	for cat, chs := range channels {
		if now, ok := cur.Channels[cat]; ok && cat != notify.CategorySecurity && slices.Equal(now, chs) {
			continue
		}
		if out == nil {
			out = make(map[notify.Category][]notify.Channel, len(channels))
		}
		out[cat] = chs
	}
	if tz != nil && *tz == cur.TimeZone {
		tz = nil
	}
	return out, tz
}

// marketingConsentJSON is marketing_consent sent as the object GET shows.
// At, Source and Version describe the record kept and are ignored.
type marketingConsentJSON struct {
	Given   *bool           `json:"given"`
	Granted *bool           `json:"granted"`
	At      json.RawMessage `json:"at"`
	Source  json.RawMessage `json:"source"`
	Version json.RawMessage `json:"version"`
}

// parseMarketingConsent reads marketing_consent: absent or null (no
// change), true or false, or {"given": bool, …} as GET shows it (granted
// may stand for given; if both are sent they must agree).
func parseMarketingConsent(raw json.RawMessage) (*bool, error) {
	trimmed := bytes.TrimSpace(raw)
	switch {
	case len(trimmed) == 0 || string(trimmed) == "null":
		return nil, nil
	case trimmed[0] != '{':
		var b bool
		if err := json.Unmarshal(trimmed, &b); err != nil {
			return nil, &fieldError{field: "marketing_consent", err: errWrongType}
		}
		return &b, nil
	}
	var c marketingConsentJSON
	if err := decodeField(trimmed, "marketing_consent", &c); err != nil {
		return nil, err
	}
	switch {
	case c.Given == nil && c.Granted == nil:
		return nil, &notify.ValidationError{Field: "marketing_consent.given", Message: "is required"}
	case c.Given != nil && c.Granted != nil && *c.Given != *c.Granted:
		return nil, &notify.ValidationError{Field: "marketing_consent.granted", Message: "must be the same as given"}
	case c.Given != nil:
		return c.Given, nil
	}
	return c.Granted, nil
}

// decodeField decodes the JSON object raw of the request's field name into
// dst, refusing unknown fields; errors name the field inside it
// ("push.colour"), or the field itself when raw is not an object.
func decodeField(raw json.RawMessage, name string, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		err = jsonError(err)
		if fe, ok := errors.AsType[*fieldError](err); ok {
			field := name
			if fe.field != "" {
				field += "." + fe.field
			}
			return &fieldError{field: field, err: fe.err}
		}
		return &fieldError{field: name, err: errWrongType}
	}
	return nil
}

// parseQuietHours reads {"start":"HH:MM","end":"HH:MM"}, or null for no
// quiet hours (start = end).
func parseQuietHours(raw json.RawMessage) ([2]int, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return [2]int{0, 0}, nil
	}
	var q quietHoursJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		err = jsonError(err)
		if fe, ok := errors.AsType[*fieldError](err); ok {
			field := "quiet_hours"
			if fe.field != "" {
				field += "." + fe.field
			}
			return [2]int{}, &fieldError{field: field, err: fe.err}
		}
		if errors.Is(err, errMalformedJSON) {
			// Valid JSON (the whole body parsed) of the wrong shape: a string
			// or a number where the object belongs.
			return [2]int{}, &fieldError{field: "quiet_hours", err: errWrongType}
		}
		return [2]int{}, err
	}
	var out [2]int
	for i, v := range []struct{ field, value string }{{"quiet_hours.start", q.Start}, {"quiet_hours.end", q.End}} {
		if v.value == "" {
			return out, &notify.ValidationError{Field: v.field, Message: "is required"}
		}
		m, err := notify.ParseClock(v.value)
		if err != nil {
			return out, &notify.ValidationError{Field: v.field, Message: "must be a time HH:MM"}
		}
		out[i] = m
	}
	return out, nil
}

// ---- messages --------------------------------------------------------------------

// notificationJSON is a message as its client sees it: never the provider's
// ID or the failure, never a push subscription's ID, the address masked.
type notificationJSON struct {
	ID        string          `json:"id"`
	Category  notify.Category `json:"category"`
	Kind      string          `json:"kind"`
	Channel   notify.Channel  `json:"channel"`
	To        string          `json:"to,omitempty"`
	Subject   string          `json:"subject"`
	Text      string          `json:"text"`
	Status    notify.Status   `json:"status"`
	DueAt     time.Time       `json:"due_at"`
	SentAt    *time.Time      `json:"sent_at,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// staffNotificationJSON adds the delivery record staff need to answer "I
// never got it".
type staffNotificationJSON struct {
	notificationJSON
	Ref        string     `json:"ref,omitempty"`
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error"`
	ProviderID string     `json:"provider_id"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func toNotificationJSON(m notify.Message) notificationJSON {
	out := notificationJSON{ID: m.ID, Category: m.Category, Kind: m.Kind, Channel: m.Channel, To: maskedTo(m),
		Subject: m.Subject, Text: m.Text, Status: m.Status, DueAt: m.DueAt.UTC(), SentAt: optionalTime(m.SentAt),
		CreatedAt: m.CreatedAt.UTC()}
	if m.Category == notify.CategorySecurity {
		// A code must reach only its identifier, never a screen of a
		// session that may not own it (adding a second identifier).
		out.Subject, out.Text = "", ""
	}
	return out
}

func toStaffNotificationJSON(m notify.Message) staffNotificationJSON {
	return staffNotificationJSON{notificationJSON: toNotificationJSON(m), Ref: m.Ref, Attempts: m.Attempts,
		LastError: m.LastError, ProviderID: m.ProviderID, ExpiresAt: optionalTime(m.ExpiresAt), UpdatedAt: m.UpdatedAt.UTC()}
}

// maskedTo is the message's address as auth masks identifiers
// ("+7912*****89", "a***@example.com"); empty for push, whose address is a
// subscription ID.
func maskedTo(m notify.Message) string {
	switch m.Channel {
	case notify.ChannelSMS:
		return auth.Identifier{Channel: auth.ChannelSMS, Value: m.To}.Masked()
	case notify.ChannelEmail:
		return auth.Identifier{Channel: auth.ChannelEmail, Value: m.To}.Masked()
	}
	return ""
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// Paging of message lists.
const (
	defaultMessagesPage = 50
	maxMessagesPage     = 100
)

type pageQuery struct {
	before   time.Time
	beforeID string
	limit    int
}

// nextJSON is where the next (older) page starts.
type nextJSON struct {
	Before   string `json:"before"`
	BeforeID string `json:"before_id"`
}

// parsePage reads limit, before and before_id.
func parsePage(r *http.Request) (pageQuery, error) {
	q := r.URL.Query()
	p := pageQuery{limit: defaultMessagesPage, beforeID: q.Get("before_id")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMessagesPage {
			return p, &notify.ValidationError{Field: "limit", Message: "must be a number from 1 to 100"}
		}
		p.limit = n
	}
	if v := q.Get("before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return p, &notify.ValidationError{Field: "before", Message: "must be an RFC 3339 time"}
		}
		p.before = t
	} else if p.beforeID != "" {
		return p, &notify.ValidationError{Field: "before", Message: "is required"}
	}
	return p, nil
}

// messagesPage lists one page of userID's messages, newest first, and where
// the next page starts (nil after the last).
func (s *server) messagesPage(r *http.Request, userID string, p pageQuery) ([]notify.Message, *nextJSON, error) {
	// One more than asked for tells whether there is a next page.
	list, err := s.notify.Inbox(r.Context(), userID, p.before, p.beforeID, p.limit+1)
	if err != nil {
		return nil, nil, err
	}
	if len(list) <= p.limit {
		return list, nil, nil
	}
	list = list[:p.limit]
	last := list[len(list)-1]
	return list, &nextJSON{Before: last.CreatedAt.UTC().Format(time.RFC3339Nano), BeforeID: last.ID}, nil
}

// myNotifications: GET /api/v1/me/notifications?limit=&before=&before_id=.
func (s *server) myNotifications(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	list, next, err := s.messagesPage(r, who.User.ID, p)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, 0, len(list))
	for _, m := range list {
		out = append(out, toNotificationJSON(m))
	}
	writeJSON(w, http.StatusOK, struct {
		Notifications []notificationJSON `json:"notifications"`
		Next          *nextJSON          `json:"next,omitempty"`
	}{out, next})
	return nil
}

// clientNotifications: GET /api/v1/staff/notifications?client_id=&limit=&before=&before_id=
// — one client's messages with their delivery record, for staff who may see
// the client's card. The read is audited as a view of the client's account.
func (s *server) clientNotifications(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if !who.Principal().Can(auth.PermViewClients) {
		return s.denied(r, who, auth.ErrForbidden)
	}
	p, err := parsePage(r)
	if err != nil {
		return err
	}
	clientID := r.URL.Query().Get("client_id")
	// 422 without client_id, 404 for nobody (or a staff account the caller
	// may not see); the look-up writes the audit line.
	if err := s.knownClient(r, who, clientID); err != nil {
		return err
	}
	// Only staff who may see the client's card see their messages (a
	// specialist: their own clients; a manager: their branches').
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	if err := s.card.CheckAccess(r.Context(), actor, clientID, "notifications"); err != nil {
		return err
	}
	list, next, err := s.messagesPage(r, clientID, p)
	if err != nil {
		return err
	}
	out := make([]staffNotificationJSON, 0, len(list))
	for _, m := range list {
		out = append(out, toStaffNotificationJSON(m))
	}
	writeJSON(w, http.StatusOK, struct {
		Notifications []staffNotificationJSON `json:"notifications"`
		Next          *nextJSON               `json:"next,omitempty"`
	}{out, next})
	return nil
}

// ---- push subscriptions ----------------------------------------------------------

// pushSubscriptionJSON is a subscription as its client sees it: which
// browser, since when — never the endpoint or the keys.
type pushSubscriptionJSON struct {
	ID        string    `json:"id"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
}

// pushSubscribeJSON is the browser's PushSubscription.toJSON().
type pushSubscribeJSON struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	// ExpirationTime (milliseconds since the epoch, usually null) is
	// accepted and not kept: a subscription the push service expired is
	// removed when it answers 404 or 410.
	ExpirationTime *float64 `json:"expirationTime"`
}

// pushSubscriptions: GET /api/v1/me/push-subscriptions.
func (s *server) pushSubscriptions(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	subs, err := s.notify.Subscriptions(r.Context(), who.User.ID)
	if err != nil {
		return err
	}
	out := make([]pushSubscriptionJSON, 0, len(subs))
	for _, x := range subs {
		out = append(out, pushSubscriptionJSON{ID: x.ID, UserAgent: x.UserAgent, CreatedAt: x.CreatedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": out})
	return nil
}

// subscribePush: POST /api/v1/me/push-subscriptions.
func (s *server) subscribePush(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	var in pushSubscribeJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	sub, err := s.notify.Subscribe(r.Context(), who.User.ID, notify.Subscription{
		Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth, UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": sub.ID, "created_at": sub.CreatedAt.UTC()})
	return nil
}

// unsubscribePush: DELETE /api/v1/me/push-subscriptions/{id}; another
// client's is 404.
func (s *server) unsubscribePush(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.notify.Unsubscribe(r.Context(), who.User.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
