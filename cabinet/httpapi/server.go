package httpapi

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/notify"
)

// Services are the domain services the API serves.
type Services struct {
	Auth    *auth.Service      // required
	Booking *booking.Scheduler // required
	Notify  *notify.Notifier   // required
	Card    *card.Service      // required
}

// Config configures the API handler.
type Config struct {
	Services
	Logger *slog.Logger // default: discard
	// TrustedProxies are the networks whose X-Forwarded-For is believed. Empty:
	// the client IP is always the connection's peer, and a spoofed header is
	// ignored.
	TrustedProxies []netip.Prefix
	// SecureCookies marks the session cookie Secure (and names it with the
	// __Host- prefix). Set it when the cabinet is served over HTTPS, also behind
	// a TLS-terminating proxy; a request that arrived over TLS gets it anyway.
	SecureCookies bool
	// CookieName is the session cookie's name; default "kabinet_session".
	CookieName string
	// ClinicName appears in calendar events.
	ClinicName string
	// TrustedOrigins may send state-changing browser requests from another
	// origin, e.g. "https://app.clinic.example" for a separately hosted front end.
	TrustedOrigins []string
	// VAPIDPublicKey is the application server key browsers subscribe to Web
	// Push with; shown in the notification settings. Empty: no push.
	VAPIDPublicKey string
	// Channels are the channels the clinic can deliver on, offered to clients
	// in their notification settings. Default: SMS and e-mail, and push when
	// VAPIDPublicKey is set.
	Channels []notify.Channel
}

type server struct {
	auth     *auth.Service
	booking  *booking.Scheduler
	notify   *notify.Notifier
	card     *card.Service
	vapid    string
	channels []notify.Channel
	clinic   string
	log      *slog.Logger
	proxies  []netip.Prefix
	secure   bool
	cookie   string
	names    *nameCache // the catalog's names shown beside IDs
}

// New returns the API handler. Mount it at the root of the cabinet's URL space
// (it serves /api/v1/...).
func New(cfg Config) (http.Handler, error) {
	if cfg.Auth == nil || cfg.Booking == nil || cfg.Notify == nil || cfg.Card == nil {
		return nil, errors.New("httpapi: Config.Auth, Config.Booking, Config.Notify and Config.Card are required")
	}
	channels := slices.Clone(cfg.Channels)
	if channels == nil {
		channels = []notify.Channel{notify.ChannelSMS, notify.ChannelEmail}
		if cfg.VAPIDPublicKey != "" {
			channels = append(channels, notify.ChannelPush)
		}
	}
	for _, c := range channels {
		if c != notify.ChannelSMS && c != notify.ChannelEmail && c != notify.ChannelPush {
			return nil, fmt.Errorf("httpapi: Config.Channels: unknown channel %q", c)
		}
	}
	s := &server{
		auth:     cfg.Auth,
		booking:  cfg.Booking,
		notify:   cfg.Notify,
		card:     cfg.Card,
		vapid:    cfg.VAPIDPublicKey,
		channels: channels,
		clinic:   cfg.ClinicName,
		log:      cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil))),
		proxies:  cfg.TrustedProxies,
		secure:   cfg.SecureCookies,
		cookie:   cmp.Or(cfg.CookieName, "kabinet_session"),
		names:    &nameCache{},
	}
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("httpapi: Config.TrustedOrigins: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errCSRF)
	}))
	return s.recoverer(s.headers(cop.Handler(mux))), nil
}

// route is one endpoint: a Go 1.22 mux pattern and its handler. The OpenAPI
// test checks that the document and this table list the same endpoints.
type route struct {
	pattern string
	handler http.Handler
}

func (s *server) routeTable() []route {
	table := []route{
		{"POST /api/v1/auth/code", s.handle(s.requestCode)},
		{"POST /api/v1/auth/verify", s.handle(s.verify)},
		{"POST /api/v1/auth/logout", s.authed(s.logout)},
		{"GET /api/v1/auth/session", s.handle(s.sessionState)},
		{"GET /api/v1/auth/sessions", s.authed(s.listSessions)},
		{"DELETE /api/v1/auth/sessions/{id}", s.authed(s.revokeSession)},
		{"POST /api/v1/auth/sessions/revoke-others", s.authed(s.revokeOthers)},
		{"GET /api/v1/me", s.authed(s.me)},
		{"POST /api/v1/me/identifiers", s.authed(s.requestIdentifier)},
		{"POST /api/v1/me/identifiers/verify", s.authed(s.confirmIdentifier)},
		{"POST /api/v1/staff/users", s.authed(s.registerStaff)},
		{"GET /api/v1/staff/users/{id}", s.authed(s.staffUser)},
		{"PUT /api/v1/staff/users/{id}/access", s.authed(s.setAccess)},
		{"GET /api/v1/staff/audit", s.authed(s.auditTrail)},
		{"GET /api/v1/branches", s.handle(s.branches)},
		{"GET /api/v1/services", s.handle(s.services)},
		{"GET /api/v1/specialists", s.handle(s.specialists)},
		{"GET /api/v1/slots", s.handle(s.slots)},
		{"POST /api/v1/me/appointments", s.authed(s.book(false))},
		{"GET /api/v1/me/appointments", s.authed(s.myAppointments)},
		{"GET /api/v1/me/appointments/{id}", s.authed(s.appointment(false))},
		{"PATCH /api/v1/me/appointments/{id}", s.authed(s.reschedule(false))},
		{"POST /api/v1/me/appointments/{id}/cancel", s.authed(s.cancel(false))},
		{"GET /api/v1/me/appointments/{id}/calendar.ics", s.authed(s.calendar)},
		{"GET /api/v1/me/plans", s.authed(s.myPlans)},
		{"POST /api/v1/staff/appointments", s.authed(s.book(true))},
		{"GET /api/v1/staff/appointments/{id}", s.authed(s.appointment(true))},
		{"PATCH /api/v1/staff/appointments/{id}", s.authed(s.reschedule(true))},
		{"POST /api/v1/staff/appointments/{id}/cancel", s.authed(s.cancel(true))},
		{"POST /api/v1/staff/appointments/{id}/confirm", s.authed(s.staffStatus("confirm"))},
		{"POST /api/v1/staff/appointments/{id}/complete", s.authed(s.staffStatus("complete"))},
		{"POST /api/v1/staff/appointments/{id}/no-show", s.authed(s.staffStatus("no-show"))},
		{"GET /api/v1/staff/agenda", s.authed(s.agenda)},
		{"PUT /api/v1/staff/working-plans", s.authed(s.setWorkingPlan)},
		{"GET /api/v1/staff/working-plans", s.authed(s.workingPlans)},
		{"DELETE /api/v1/staff/working-plans/{id}", s.authed(s.deleteWorkingPlan)},
		{"POST /api/v1/staff/exceptions", s.authed(s.addException)},
		{"GET /api/v1/staff/exceptions", s.authed(s.exceptions)},
		{"DELETE /api/v1/staff/exceptions/{id}", s.authed(s.deleteException)},
		{"GET /api/v1/staff/clients/{id}/plans", s.authed(s.clientPlans)},
		{"POST /api/v1/staff/plans", s.authed(s.createPlan)},
		{"GET /api/v1/me/notification-settings", s.authed(s.notificationSettings)},
		{"PUT /api/v1/me/notification-settings", s.authed(s.updateNotificationSettings)},
		{"GET /api/v1/me/notifications", s.authed(s.myNotifications)},
		{"GET /api/v1/staff/notifications", s.authed(s.clientNotifications)},
		{"GET /api/v1/me/push-subscriptions", s.authed(s.pushSubscriptions)},
		{"POST /api/v1/me/push-subscriptions", s.authed(s.subscribePush)},
		{"DELETE /api/v1/me/push-subscriptions/{id}", s.authed(s.unsubscribePush)},
		{"GET /api/v1/openapi.json", http.HandlerFunc(serveOpenAPI)},
	}
	// The client's card, by area (card_*_handlers.go).
	for _, area := range [][]route{s.profileRoutes(), s.photoRoutes(), s.orderRoutes(), s.dataRoutes(), s.reviewRoutes(), s.recommendRoutes(), s.staffWebRoutes()} {
		table = append(table, area...)
	}
	return table
}

func (s *server) routes(mux *http.ServeMux) {
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, rt.handler)
	}
	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return notRouted(mux, w, r)
	})
	mux.Handle("/api/", notFound)
	mux.Handle("/", notFound) // everything given to this handler answers in JSON
}

// notRouted explains a request no pattern took: 405 with Allow when the path
// exists under other methods, else 404.
func notRouted(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "/api/" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		return errRouteNotFound
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	return errMethodNotAllow
}

// handle adapts a handler that returns an error.
func (s *server) handle(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		switch {
		case err == nil:
		case r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
			// The client went away: nobody reads the answer, and it is not a
			// server fault to log.
		default:
			s.writeError(w, r, err)
		}
	})
}

// authed resolves the caller's session (bearer header first, then cookie)
// and, for a cookie on a state-changing request, checks the CSRF token.
func (s *server) authed(fn func(http.ResponseWriter, *http.Request, auth.Identity) error) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		token, viaCookie := s.token(r)
		if token == "" {
			return auth.ErrUnauthenticated
		}
		// A cookie sent by a request another site started (a link, a form,
		// an image) is not the client at work: even a read would put a
		// staff member's name on an audited access they never made.
		if viaCookie && r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			return errCSRF
		}
		who, err := s.auth.Authenticate(r.Context(), token)
		if err != nil {
			return err
		}
		if viaCookie && !safeMethod(r.Method) && !s.auth.ValidCSRF(who.Session.ID, r.Header.Get("X-CSRF-Token")) {
			return errCSRF
		}
		return fn(w, r, who)
	})
}

// token returns the session token and whether it came from the cookie.
func (s *server) token(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), false
		}
		return "", false
	}
	// The __Host- cookie can only have been set over HTTPS by this host. Once
	// cookies are Secure, the plain name is refused: a sibling subdomain or a
	// man in the middle could plant it (cookie tossing).
	names := []string{"__Host-" + s.cookie}
	if !s.secure && r.TLS == nil {
		names = append(names, s.cookie)
	}
	for _, name := range names {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value, true
		}
	}
	return "", false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// clientIP is the connection's peer, or — when the peer is a trusted proxy —
// the rightmost address in X-Forwarded-For that is not itself a trusted proxy.
// A peer on a Unix socket is a local proxy by construction and is trusted.
// The result is never empty, so per-IP limits always apply.
func (s *server) clientIP(r *http.Request) string {
	peer, ok := parseHost(r.RemoteAddr)
	if ok && !s.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, valid := parseHost(strings.TrimSpace(hops[i]))
		if !valid {
			break
		}
		if !s.trusted(a) {
			return a.String()
		}
	}
	if ok {
		return peer.String()
	}
	return "unknown"
}

// parseHost reads an address with or without a port ("203.0.113.7",
// "203.0.113.7:4711", "[2001:db8::1]:443").
func parseHost(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

func (s *server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// headers sets what every API response carries: no caching of personal data,
// no MIME sniffing.
func (s *server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a logged 500 with the error body.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
