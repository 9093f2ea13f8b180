package web

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
)

//go:embed templates assets
var embedded embed.FS

// Config brands and tunes the web cabinet. Zero fields take the documented
// default.
type Config struct {
	// ClinicName is shown in the header and the title; default "Kabinet".
	ClinicName string
	// Logo is the clinic's logo (SVG, PNG or WebP), shown in the header
	// beside the name; nil: the name alone.
	Logo []byte
	// Accent is the accent colour of buttons and links, "#rrggbb"; default
	// "#1a5fb4". White text on it must reach the WCAG AA contrast of 4.5:1,
	// else Handler refuses it (a light colour makes buttons unreadable).
	Accent string
	// DefaultLang is the language of a visitor who has not chosen one:
	// "ru" (default) or "en".
	DefaultLang string
	// Files overrides embedded files by path: "templates/index.html" (the
	// page shell), "assets/app.css", "assets/pages/home.js"… A file missing
	// from Files is taken from the embedded set.
	Files fs.FS
	// BasePath is the path the handler is mounted under, e.g. "/cabinet";
	// empty: worked out from each request (the part of the request's path
	// that http.StripPrefix removed), which is right for any mount.
	BasePath string
	// Logger receives operational logs; default: discard.
	Logger *slog.Logger
}

// DefaultAccent is the accent colour when Config.Accent is empty.
const DefaultAccent = "#1a5fb4"

// LangCookie is the cookie that keeps the visitor's language ("ru", "en"),
// set by the page's language switch.
const LangCookie = "kabinet_lang"

// ContentSecurityPolicy is sent with every response: scripts, styles,
// fonts and connections only from the cabinet's own origin — no inline
// script, no CDN, nothing for a third party to see — and no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'self'"

// CheckAccent reports whether colour can be the accent: "#rrggbb", dark
// enough that white text on it reaches the WCAG AA contrast of 4.5:1.
func CheckAccent(colour string) error {
	if !accentRE.MatchString(colour) {
		return fmt.Errorf("%q: want a colour like #1a5fb4", colour)
	}
	if c := contrast(colour, "#ffffff"); c < 4.5 {
		return fmt.Errorf("%s: white text on it has a contrast of %.2f:1, below the 4.5:1 of WCAG AA; choose a darker colour", colour, c)
	}
	return nil
}

// handler serves the shell, the assets, the theme and the logo.
type handler struct {
	cfg    Config
	shell  *template.Template
	assets map[string]asset // by path under assets/, e.g. "app.js"
	theme  asset
	mux    *http.ServeMux
}

// asset is a file ready to serve.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

func newAsset(body []byte, ctype string) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

var accentRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Handler returns the web cabinet: the client's and the staff's pages, to
// mount beside the JSON API (which the pages call at "api/v1/" under the
// same root). cabinet.Config.Web does this for an embedder.
func Handler(cfg Config) (http.Handler, error) {
	cfg.ClinicName = cmp.Or(strings.TrimSpace(cfg.ClinicName), "Kabinet")
	cfg.Accent = cmp.Or(cfg.Accent, DefaultAccent)
	cfg.DefaultLang = cmp.Or(cfg.DefaultLang, "ru")
	if err := CheckAccent(cfg.Accent); err != nil {
		return nil, fmt.Errorf("web: Config.Accent %w", err)
	}
	if cfg.DefaultLang != "ru" && cfg.DefaultLang != "en" {
		return nil, fmt.Errorf("web: Config.DefaultLang %q: want \"ru\" or \"en\"", cfg.DefaultLang)
	}
	if cfg.BasePath != "" && (!strings.HasPrefix(cfg.BasePath, "/") || strings.HasSuffix(cfg.BasePath, "/")) {
		return nil, fmt.Errorf("web: Config.BasePath %q: want a path like /cabinet (a leading slash, none at the end)", cfg.BasePath)
	}
	files := fs.FS(embedded)
	if cfg.Files != nil {
		files = overlay{top: cfg.Files, base: embedded}
	}
	h := &handler{cfg: cfg, assets: map[string]asset{}}

	shellSrc, err := fs.ReadFile(files, "templates/index.html")
	if err != nil {
		return nil, fmt.Errorf("web: the page shell: %w", err)
	}
	h.shell, err = template.New("index.html").Funcs(template.FuncMap{"asset": h.assetURL}).Parse(string(shellSrc))
	if err != nil {
		return nil, fmt.Errorf("web: the page shell: %w", err)
	}
	// Every asset: the embedded ones, and any the override adds.
	err = fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		case ".webmanifest":
			ctype = "application/manifest+json"
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		h.assets[strings.TrimPrefix(p, "assets/")] = newAsset(body, ctype)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	for _, need := range []string{"app.js", "app.css", "sw.js"} {
		if _, ok := h.assets[need]; !ok {
			return nil, fmt.Errorf("web: assets/%s is missing", need)
		}
	}
	h.theme = newAsset([]byte(themeCSS(cfg.Accent)), "text/css; charset=utf-8")
	if len(cfg.Logo) > 0 {
		ctype := http.DetectContentType(cfg.Logo)
		if bytes.Contains(cfg.Logo[:min(len(cfg.Logo), 512)], []byte("<svg")) {
			ctype = "image/svg+xml"
		}
		switch {
		case ctype == "image/svg+xml", ctype == "image/png", ctype == "image/webp":
		default:
			return nil, fmt.Errorf("web: Config.Logo: %s; want SVG, PNG or WebP", ctype)
		}
		h.assets["logo"] = newAsset(cfg.Logo, ctype)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /assets/{path...}", h.serveAsset)
	mux.HandleFunc("GET /theme.css", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.theme) })
	// The service worker is served from the root, so that its scope is the
	// whole cabinet (push notifications open any of its pages).
	mux.HandleFunc("GET /sw.js", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.assets["sw.js"]) })
	// Browsers ask for /favicon.ico on any document without an icon link
	// (a JSON answer opened in a tab): the cabinet's icon, not a 404.
	if icon, ok := h.assets["icon.svg"]; ok {
		mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, icon) })
	}
	for _, p := range Pages {
		mux.HandleFunc("GET "+p, h.servePage)
	}
	mux.HandleFunc("/", h.notFound)
	h.mux = mux
	return h, nil
}

// Pages are the paths of the cabinet's pages: each serves the shell, and
// the page's script draws it. Messages and other links point here.
var Pages = []string{
	"/{$}", "/sign-in",
	"/book", "/appointments", "/appointments/{id}",
	"/card", "/card/questionnaire", "/photos", "/photos/compare", "/journal", "/report", "/visits", "/purchases",
	"/orders", "/orders/{id}", "/products",
	"/recommendations", "/offers", "/services/{id}", "/favorites", "/reviews",
	"/settings", "/devices",
	"/staff", "/staff/day", "/staff/week", "/staff/branch", "/staff/clients", "/staff/clients/{id}",
	"/staff/appointments/{id}", "/staff/book", "/staff/orders",
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
	h.mux.ServeHTTP(w, r)
}

// serveAsset serves a file of assets/, revalidated with its ETag.
func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.PathValue("path")]
	if !ok {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	h.serve(w, r, a)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request, a asset) {
	hd := w.Header()
	hd.Set("Content-Type", a.ctype)
	hd.Set("ETag", a.etag)
	// The asset URLs in the shell carry the content's hash (?v=): those may
	// be kept; anything else is revalidated, so a deploy is seen at once.
	if v := r.URL.Query().Get("v"); v != "" && `"`+v+`"` == a.etag {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && match == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(a.body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(a.body)
}

// assetURL is the URL of an asset with its version, relative to the
// shell's <base>.
func (h *handler) assetURL(p string) (string, error) {
	a, ok := h.assets[p]
	if !ok {
		return "", fmt.Errorf("web: no asset %q", p)
	}
	return "assets/" + p + "?v=" + strings.Trim(a.etag, `"`), nil
}

// shellData is what the shell template gets.
type shellData struct {
	Lang        string // the page's language
	DefaultLang string
	Base        string // the cabinet's root path with a trailing slash, for <base href>
	ClinicName  string
	HasLogo     bool
	Status      int // 200, or 404 for a path that is no page
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) { h.render(w, r, http.StatusOK) }

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// The shell draws "not found" in the visitor's language.
	h.render(w, r, http.StatusNotFound)
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int) {
	d := shellData{Lang: h.lang(r), DefaultLang: h.cfg.DefaultLang, Base: h.base(r) + "/", ClinicName: h.cfg.ClinicName,
		HasLogo: len(h.cfg.Logo) > 0, Status: status}
	var b bytes.Buffer
	if err := h.shell.Execute(&b, d); err != nil {
		if h.cfg.Logger != nil {
			h.cfg.Logger.ErrorContext(r.Context(), "web: rendering the page shell failed", "err", err)
		}
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show health data once drawn: never kept by a cache.
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// lang is the visitor's chosen language, else the default.
func (h *handler) lang(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && (c.Value == "ru" || c.Value == "en") {
		return c.Value
	}
	return h.cfg.DefaultLang
}

// base is the path the handler is mounted under ("" at the root): the
// configured one, else what http.StripPrefix removed from the request's
// path.
func (h *handler) base(r *http.Request) string {
	if h.cfg.BasePath != "" {
		return h.cfg.BasePath
	}
	full, _, _ := strings.Cut(r.RequestURI, "?") // as the client sent it, escaped
	if !strings.HasPrefix(full, "/") {
		return ""
	}
	if prefix, ok := strings.CutSuffix(full, r.URL.EscapedPath()); ok {
		return strings.TrimRight(prefix, "/")
	}
	return ""
}

// contrast is the WCAG contrast ratio of two "#rrggbb" colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hexColor string) float64 {
	c, _ := strconv.ParseUint(strings.TrimPrefix(hexColor, "#"), 16, 32)
	ch := func(v uint64) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c>>16&0xff) + 0.7152*ch(c>>8&0xff) + 0.0722*ch(c&0xff)
}

// themeCSS sets the accent and the shades derived from it.
func themeCSS(accent string) string {
	return ":root{--accent:" + strings.ToLower(accent) + ";}\n"
}

// overlay reads a file from top, else from base.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}

// ReadDir merges the directories of both, top first.
func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]bool{}
	var out []fs.DirEntry
	var found bool
	for _, f := range []fs.FS{o.top, o.base} {
		list, err := fs.ReadDir(f, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		found = true
		for _, e := range list {
			if !seen[e.Name()] {
				seen[e.Name()] = true
				out = append(out, e)
			}
		}
	}
	if !found {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return out, nil
}
