package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet/web"
)

func newHandler(t *testing.T, cfg web.Config) http.Handler {
	t.Helper()
	h, err := web.Handler(cfg)
	require.NoError(t, err)
	return h
}

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return string(b)
}

// Every page path answers the shell; every response carries the security
// headers; pages are never cached.
func TestPagesAndSecurityHeaders(t *testing.T) {
	h := newHandler(t, web.Config{ClinicName: "Клиника <Анны>"})
	for _, path := range []string{"/", "/sign-in", "/book", "/appointments/123", "/card/questionnaire", "/staff/clients/42"} {
		t.Run(path, func(t *testing.T) {
			r := get(t, h, path)
			require.Equal(t, http.StatusOK, r.StatusCode)
			assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
			assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
			b := body(t, r)
			assert.Contains(t, b, `<html lang="ru"`)
			assert.Contains(t, b, "<title>Клиника &lt;Анны&gt;</title>", "the clinic's name is escaped")
			assert.NotRegexp(t, regexp.MustCompile(`<script>|<script [^>]*>[^<]+</script>|\sstyle=|\son[a-z]+=`), b,
				"no inline script, style or handler: the CSP forbids them")
		})
	}
	for _, path := range []string{"/", "/assets/app.js", "/theme.css", "/sw.js", "/nope"} {
		r := get(t, h, path)
		csp := r.Header.Get("Content-Security-Policy")
		assert.Equal(t, web.ContentSecurityPolicy, csp, path)
		assert.Contains(t, csp, "default-src 'none'")
		assert.Contains(t, csp, "script-src 'self';")
		assert.Contains(t, csp, "frame-ancestors 'none'")
		assert.NotContains(t, csp, "unsafe-inline")
		assert.NotContains(t, csp, "http", "no third-party origin")
		assert.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "no-referrer", r.Header.Get("Referrer-Policy"), path)
		assert.Equal(t, "DENY", r.Header.Get("X-Frame-Options"), path)
	}
}

// An unknown path is the shell with 404 (the page says "not found" in the
// visitor's language); other methods are 405.
func TestNotFound(t *testing.T) {
	h := newHandler(t, web.Config{})
	r := get(t, h, "/no/such/page")
	assert.Equal(t, http.StatusNotFound, r.StatusCode)
	assert.Contains(t, body(t, r), `data-not-found="1"`)
	assert.Equal(t, http.StatusNotFound, get(t, h, "/assets/nope.js").StatusCode)
	icon := get(t, h, "/favicon.ico")
	assert.Equal(t, http.StatusOK, icon.StatusCode, "the icon, for documents without an icon link")
	assert.Equal(t, "image/svg+xml", icon.Header.Get("Content-Type"))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/book", strings.NewReader("x")))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

// Assets revalidate by ETag; a versioned URL from the shell may be kept.
func TestAssetCaching(t *testing.T) {
	h := newHandler(t, web.Config{})
	r := get(t, h, "/assets/app.js")
	require.Equal(t, http.StatusOK, r.StatusCode)
	assert.Equal(t, "text/javascript; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", r.Header.Get("Cache-Control"))
	etag := r.Header.Get("ETag")
	require.NotEmpty(t, etag)

	r = get(t, h, "/assets/app.js", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, r.StatusCode)
	assert.Empty(t, body(t, r))

	shell := body(t, get(t, h, "/"))
	css := regexp.MustCompile(`href="(assets/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(shell)
	require.Len(t, css, 2, "the stylesheet's URL carries its version")
	r = get(t, h, "/"+css[1])
	assert.Equal(t, "public, max-age=31536000, immutable", r.Header.Get("Cache-Control"))
	r = get(t, h, "/assets/app.css?v=stale")
	assert.Equal(t, "no-cache", r.Header.Get("Cache-Control"), "a version that is not the content's is not kept")
}

// The language: the visitor's cookie, else the configured default.
func TestLanguage(t *testing.T) {
	h := newHandler(t, web.Config{DefaultLang: "en"})
	assert.Contains(t, body(t, get(t, h, "/")), `<html lang="en"`)
	assert.Contains(t, body(t, get(t, h, "/", "Cookie", web.LangCookie+"=ru")), `<html lang="ru"`)
	assert.Contains(t, body(t, get(t, h, "/", "Cookie", web.LangCookie+"=xx")), `<html lang="en"`, "an unknown value is ignored")
}

// Mounted under a prefix with http.StripPrefix, the shell's <base> is the
// prefix, so every relative URL (assets, API, pages) stays under it.
func TestMountedUnderAPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/cabinet/", http.StripPrefix("/cabinet", newHandler(t, web.Config{})))
	b := body(t, get(t, mux, "/cabinet/appointments"))
	assert.Contains(t, b, `<base href="/cabinet/">`)
	assert.Equal(t, http.StatusOK, get(t, mux, "/cabinet/assets/app.js").StatusCode)

	fixed := newHandler(t, web.Config{BasePath: "/clinic"})
	assert.Contains(t, body(t, get(t, fixed, "/book")), `<base href="/clinic/">`)
}

// An embedder replaces any file, and adds new ones, through Config.Files.
func TestFilesOverride(t *testing.T) {
	h := newHandler(t, web.Config{Files: fstest.MapFS{
		"assets/app.css":         {Data: []byte("body{color:#000}")},
		"assets/pages/extra.js":  {Data: []byte("export async function render() {}")},
		"templates/index.html":   {Data: []byte(`<!doctype html><html lang="{{.Lang}}"><title>{{.ClinicName}}</title><link href="{{asset "app.css"}}">`)},
		"assets/logo-extra.webp": {Data: []byte("RIFF")},
	}})
	assert.Equal(t, "body{color:#000}", body(t, get(t, h, "/assets/app.css")))
	assert.Equal(t, http.StatusOK, get(t, h, "/assets/pages/extra.js").StatusCode)
	assert.Equal(t, http.StatusOK, get(t, h, "/assets/api.js").StatusCode, "the rest is embedded")
	assert.Regexp(t, `^<!doctype html><html lang="ru"><title>Kabinet</title><link href="assets/app.css\?v=`, body(t, get(t, h, "/")))

	_, err := web.Handler(web.Config{Files: fstest.MapFS{"templates/index.html": {Data: []byte("{{.Nope")}}})
	assert.ErrorContains(t, err, "web: the page shell")
}

// The configuration is checked: a bad accent, language, base path or logo
// fails with the field named.
func TestConfigChecked(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  web.Config
		want string
	}{
		"accent not a colour": {web.Config{Accent: "blue"}, "Config.Accent"},
		"accent too light":    {web.Config{Accent: "#ffcc00"}, "WCAG AA"},
		"language":            {web.Config{DefaultLang: "de"}, "Config.DefaultLang"},
		"base path":           {web.Config{BasePath: "cabinet/"}, "Config.BasePath"},
		"logo":                {web.Config{Logo: []byte("GIF89a")}, "Config.Logo"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := web.Handler(tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	h := newHandler(t, web.Config{Accent: "#7A1F5C", Logo: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)})
	assert.Equal(t, ":root{--accent:#7a1f5c;}\n", body(t, get(t, h, "/theme.css")))
	logo := get(t, h, "/assets/logo")
	assert.Equal(t, "image/svg+xml", logo.Header.Get("Content-Type"))
	assert.Contains(t, body(t, get(t, h, "/")), `data-logo="1"`)
}

// Every page the router knows has its module, and every page path the
// server answers is one the router knows: the two lists cannot drift.
func TestRoutesMatchPages(t *testing.T) {
	h := newHandler(t, web.Config{})
	app := body(t, get(t, h, "/assets/app.js"))
	routes := regexp.MustCompile(`\['(/[^']*)', '([a-z_]+)', '(public|client|staff)'\]`).FindAllStringSubmatch(app, -1)
	require.NotEmpty(t, routes)
	known := map[string]bool{}
	for _, r := range routes {
		path := regexp.MustCompile(`:([a-z]+)`).ReplaceAllString(r[1], "{$1}")
		if path == "/" {
			path = "/{$}"
		}
		known[path] = true
		assert.Equal(t, http.StatusOK, get(t, h, "/assets/pages/"+r[2]+".js").StatusCode, "the module of %s", r[1])
	}
	for _, p := range web.Pages {
		assert.True(t, known[p], "the server answers %s, which the router does not know", p)
	}
	assert.Len(t, web.Pages, len(known))
}
