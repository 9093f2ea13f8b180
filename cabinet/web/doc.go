// Package web is the web cabinet: the pages a clinic's clients and staff use
// in the browser, served as one http.Handler that an embedder mounts under any
// prefix beside the JSON API (cabinet.Config.Web does it for them).
//
// # How it is built, and why
//
// The pages are a small set of vanilla ES modules over the cabinet's own JSON
// API (api/v1 under the same root), not server-rendered templates:
//
//   - There is no second path to the data. Every read and write goes through
//     the API, with its authorization, audit trail, validation and errors, so
//     what the browser can do is exactly what the API allows and is tested for.
//   - Booking, the slot strip, photo upload with a preview, the before/after
//     slider and the skin chart are interactive by nature; a server-rendered
//     page would need the same scripts anyway.
//   - No build step: the modules are plain files embedded with embed.FS, so
//     `go build` alone builds the cabinet, and an embedder can replace any
//     file (Config.Files) without a toolchain.
//
// The handler serves one HTML shell (templates/index.html) for every page
// path, the assets under assets/, theme.css (the accent colour) and sw.js
// (the service worker for Web Push, at the root so its scope is the whole
// cabinet). Pages are built with DOM calls, never from HTML strings, so text
// from the API cannot become markup.
//
// # Security
//
// Every response carries a strict Content-Security-Policy (scripts, styles,
// images and connections only from the cabinet's origin, no inline script, no
// framing), X-Content-Type-Options, Referrer-Policy no-referrer and
// X-Frame-Options DENY. Nothing is loaded from a CDN and no font, script or
// request goes to a third party: clinics run on closed networks, and a page
// about someone's skin must not tell anyone else it was opened. Pages are
// served no-store. Sign-in is the API's session cookie (HttpOnly, SameSite
// Lax); writes send the session's CSRF token.
//
// # Pages
//
// Each page is a module assets/pages/<name>.js exporting
//
//	export async function render(ctx) { … }
//
// where ctx is {main, params, query, session, navigate, refreshSession,
// setTitle}. render draws into ctx.main and resolves once the page shows its
// first content (the app then marks the page ready: <html data-ready="name">,
// which the browser tests wait for); it may return a function called when the
// visitor leaves the page. The router (assets/app.js) maps paths to modules
// and checks who may open them: "public", "client" (signed in) or "staff".
// Pages lists the paths the server answers with the shell.
//
// Texts are in Russian and English (assets/i18n.js: dict, plural, dates in
// the branch's time zone); the language is the kabinet_lang cookie, else
// Config.DefaultLang.
package web
