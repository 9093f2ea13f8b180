package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/kabinet-dev/kabinet/cabinet/web"
	"github.com/kabinet-dev/kabinet/notify"
)

// config is the server's configuration after flags and environment are read.
type config struct {
	addr           string
	db             string
	data           string
	demo           bool
	clinic         string
	admin          string
	trustedProxies []netip.Prefix
	secureCookies  bool
	region         string
	smsCountries   []string
	logLevel       slog.Level
	publicURL      string // "": messages carry no links
	vapidSubject   string // "": no real Web Push (the dev outbox gets it in dev mode)
	lang           string // the web cabinet's default language
	accent         string // the web cabinet's accent colour, "": the default

	// From the environment only: they are secrets, or too many for flags.
	secret []byte             // nil: read or create <data>/secret.key
	smtp   *notify.SMTPConfig // nil: e-mail goes to the dev outbox
	sms    *smsProvider       // nil: SMS goes to the dev outbox
	vapid  *vapidKeys         // nil: read or create <data>/vapid.json
}

// envOnly documents the settings read only from the environment, for -help.
const envOnly = `
Settings read only from the environment (secrets stay out of the process list):
  KABINET_SECRET           key for code hashes and CSRF tokens: hex or base64, at least
                           32 bytes; default: <data>/secret.key, created on first start
  KABINET_SMTP_HOST        SMTP relay; unset: e-mail goes to the dev outbox
  KABINET_SMTP_PORT        default 587, or 465 with KABINET_SMTP_SECURITY=tls
  KABINET_SMTP_USER        SMTP AUTH user name (optional)
  KABINET_SMTP_PASSWORD    SMTP AUTH password (optional)
  KABINET_SMTP_FROM        sender address, e.g. "Clinic <no-reply@clinic.example>" (required with a host)
  KABINET_SMTP_SECURITY    starttls (default), tls or plain (plain: local test servers only)

SMS goes through one provider: SMS.ru, Twilio or a webhook; none set: the dev outbox.
  KABINET_SMSRU_API_KEY    SMS.ru api_id
  KABINET_SMSRU_FROM       SMS.ru sender name approved in the account (optional)
  KABINET_TWILIO_ACCOUNT_SID  Twilio account ("AC…")
  KABINET_TWILIO_AUTH_TOKEN   Twilio auth token
  KABINET_TWILIO_FROM      Twilio sender: a number in E.164 or an alphanumeric ID; or
  KABINET_TWILIO_MESSAGING_SERVICE_SID  a Messaging Service ("MG…") that picks the sender
  KABINET_SMS_WEBHOOK_URL  HTTP bridge that receives {"to","text"}
  KABINET_SMS_WEBHOOK_TOKEN  sent to the bridge as "Authorization: Bearer <token>" (optional)

Web Push (on with -vapid-subject, or in dev mode into the dev outbox):
  KABINET_VAPID_PUBLIC_KEY   VAPID key pair, base64url, both or neither; default:
  KABINET_VAPID_PRIVATE_KEY  <data>/vapid.json, created the first time push is on.
                           Changing the pair makes every browser subscribe again

Dev mode: SMS or e-mail without a provider delivers to an in-memory outbox served at
/dev/outbox (JSON) and /dev/outbox.html, and so does push without -vapid-subject.
Dev mode only listens on a loopback address.
`

// parseConfig reads flags from args, then fills every flag not given on the
// command line from its environment variable: a flag wins over the
// environment, which wins over the default. Errors name the flag or variable.
// -help prints the usage to stderr and returns flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	c := config{
		addr:         "127.0.0.1:8080",
		db:           "kabinet.db",
		data:         "kabinet-data",
		demo:         true,
		clinic:       "Kabinet demo clinic",
		region:       "RU",
		smsCountries: []string{"RU", "KZ", "BY"},
		logLevel:     slog.LevelInfo,
		lang:         "ru",
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	env := map[string]string{} // flag name → environment variable
	str := func(p *string, name, envName, usage string) {
		fs.StringVar(p, name, *p, usage+" (env "+envName+")")
		env[name] = envName
	}
	str(&c.addr, "addr", "KABINET_ADDR", "listen address, `host:port`")
	str(&c.db, "db", "KABINET_DB", "SQLite database `file`, or a PostgreSQL URL postgres://user:password@host/db")
	str(&c.data, "data", "KABINET_DATA", "data `directory` (secret key, VAPID keys, later photos)")
	str(&c.clinic, "clinic", "KABINET_CLINIC_NAME", "clinic `name` shown in messages and on the web pages")
	str(&c.admin, "admin", "KABINET_ADMIN", "`phone or e-mail` made admin at start-up")
	str(&c.region, "region", "KABINET_REGION", "`region` of phone numbers typed without a country code")
	str(&c.lang, "lang", "KABINET_LANG", "default `language` of the web cabinet: ru or en")
	str(&c.accent, "accent", "KABINET_ACCENT", "accent `colour` of the web cabinet, #rrggbb, dark enough for white text (default #1a5fb4)")
	fs.BoolVar(&c.demo, "demo", c.demo, "load demo data into an empty database (env KABINET_DEMO)")
	env["demo"] = "KABINET_DEMO"
	fs.BoolVar(&c.secureCookies, "secure-cookies", false, "mark the session cookie Secure; set it behind HTTPS (env KABINET_SECURE_COOKIES)")
	env["secure-cookies"] = "KABINET_SECURE_COOKIES"
	fs.Func("trusted-proxies", "comma-separated `CIDRs` whose X-Forwarded-For is believed (env KABINET_TRUSTED_PROXIES)",
		func(s string) (err error) { c.trustedProxies, err = parsePrefixes(s); return err })
	env["trusted-proxies"] = "KABINET_TRUSTED_PROXIES"
	fs.Func("sms-countries", "comma-separated `regions` that get SMS codes, or \"*\" for all (default \"RU,KZ,BY\") (env KABINET_SMS_COUNTRIES)",
		func(s string) (err error) { c.smsCountries, err = parseRegions(s); return err })
	env["sms-countries"] = "KABINET_SMS_COUNTRIES"
	fs.TextVar(&c.logLevel, "log-level", c.logLevel, "log `level`: debug, info, warn or error (env KABINET_LOG_LEVEL)")
	env["log-level"] = "KABINET_LOG_LEVEL"
	fs.Func("public-url", "`URL` where clients open the cabinet, e.g. https://clinic.example, for links in messages (env KABINET_PUBLIC_URL)",
		func(s string) (err error) { c.publicURL, err = parsePublicURL(s); return err })
	env["public-url"] = "KABINET_PUBLIC_URL"
	fs.Func("vapid-subject", "`contact` the push services see, mailto:address or an https URL; turns Web Push on (env KABINET_VAPID_SUBJECT)",
		func(s string) error {
			s = strings.TrimSpace(s)
			if s != "" {
				if err := checkVAPIDSubject(s); err != nil {
					return err
				}
			}
			c.vapidSubject = s
			return nil
		})
	env["vapid-subject"] = "KABINET_VAPID_SUBJECT"
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: server [flags]\n\nRuns the Kabinet example server. A flag given here wins over its environment variable.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envOnly)
	}

	// Parse quietly: an error comes back as one line naming the flag, and
	// only -help prints the usage.
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fs.Usage()
		return config{}, err
	} else if err != nil {
		return config{}, fmt.Errorf("%w (see -help)", err)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (flags only; see -help)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name, ok := env[f.Name]
		if !ok || given[f.Name] {
			return
		}
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q (flag -%s): %w", name, v, f.Name, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return config{}, err
	}

	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return config{}, fmt.Errorf("-addr %q: %w", c.addr, err)
	}
	if c.db == "" {
		return config{}, errors.New("-db: empty file name")
	}
	if c.data == "" {
		return config{}, errors.New("-data: empty directory name")
	}
	if c.region = strings.ToUpper(strings.TrimSpace(c.region)); !isRegion(c.region) {
		return config{}, fmt.Errorf("-region %q: want a two-letter region code such as RU", c.region)
	}
	if c.lang = strings.ToLower(strings.TrimSpace(c.lang)); c.lang != "ru" && c.lang != "en" {
		return config{}, fmt.Errorf("-lang %q: want ru or en", c.lang)
	}
	if c.accent != "" {
		if err := web.CheckAccent(c.accent); err != nil {
			return config{}, fmt.Errorf("-accent %w", err)
		}
	}

	var err error
	if c.secret, err = parseSecret(getenv("KABINET_SECRET")); err != nil {
		return config{}, err
	}
	if c.smtp, err = smtpFromEnv(getenv); err != nil {
		return config{}, err
	}
	if c.sms, err = smsFromEnv(getenv); err != nil {
		return config{}, err
	}
	if c.vapid, err = vapidFromEnv(getenv); err != nil {
		return config{}, err
	}
	return c, nil
}

// parsePublicURL checks the cabinet's public address: an absolute http or
// https URL without user, query or fragment. "" means none.
func parsePublicURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "":
		return "", errors.New("want an absolute http or https URL such as https://clinic.example")
	case u.User != nil:
		return "", errors.New("want a URL without a user name or password")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return "", errors.New("want a URL without a query or fragment")
	}
	return s, nil
}

// parsePrefixes reads "10.0.0.0/8, 192.168.1.1"; a bare address is a
// single-host prefix.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR or an IP address", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR or an IP address", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseRegions reads "RU,KZ,BY" or "*".
func parseRegions(s string) ([]string, error) {
	out := []string{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.ToUpper(strings.TrimSpace(part))
		switch {
		case part == "":
		case part == "*":
			return []string{"*"}, nil
		case isRegion(part):
			out = append(out, part)
		default:
			return nil, fmt.Errorf("%q is not a two-letter region code", part)
		}
	}
	if len(out) == 0 {
		return nil, errors.New(`empty: list regions such as RU,KZ or "*" for all`)
	}
	return out, nil
}

// isRegion reports whether s is a region libphonenumber knows ("RU", "KZ").
func isRegion(s string) bool {
	return phonenumbers.GetCountryCodeForRegion(s) != 0
}

// minSecret is the shortest secret the cabinet accepts.
const minSecret = 32

// parseSecret decodes KABINET_SECRET: hex, or standard or URL-safe base64
// with or without padding. The value never appears in an error.
func parseSecret(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if b, err := hex.DecodeString(v); err == nil && len(b) >= minSecret {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) >= minSecret {
			return b, nil
		}
	}
	return nil, fmt.Errorf("KABINET_SECRET: want hex or base64 of at least %d random bytes (e.g. the output of `openssl rand -hex 32`)", minSecret)
}

// smtpFromEnv builds the SMTP settings; nil when no KABINET_SMTP_* is set.
func smtpFromEnv(getenv func(string) string) (*notify.SMTPConfig, error) {
	host := strings.TrimSpace(getenv("KABINET_SMTP_HOST"))
	others := []string{"KABINET_SMTP_PORT", "KABINET_SMTP_USER", "KABINET_SMTP_PASSWORD", "KABINET_SMTP_FROM", "KABINET_SMTP_SECURITY"}
	if host == "" {
		for _, name := range others {
			if getenv(name) != "" {
				return nil, fmt.Errorf("%s is set but KABINET_SMTP_HOST is not", name)
			}
		}
		return nil, nil
	}
	cfg := &notify.SMTPConfig{
		Host:     host,
		Username: getenv("KABINET_SMTP_USER"),
		Password: getenv("KABINET_SMTP_PASSWORD"),
		From:     getenv("KABINET_SMTP_FROM"),
	}
	if cfg.From == "" {
		return nil, errors.New("KABINET_SMTP_FROM is required with KABINET_SMTP_HOST")
	}
	if p := getenv("KABINET_SMTP_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("KABINET_SMTP_PORT=%q: want a port number 1-65535", p)
		}
		cfg.Port = n
	}
	switch s := strings.ToLower(getenv("KABINET_SMTP_SECURITY")); s {
	case "", "starttls":
		cfg.Security = notify.SMTPStartTLS
	case "tls":
		cfg.Security = notify.SMTPImplicitTLS
	case "plain":
		cfg.Security = notify.SMTPPlain
	default:
		return nil, fmt.Errorf("KABINET_SMTP_SECURITY=%q: want starttls, tls or plain", s)
	}
	return cfg, nil
}

// isLoopback reports whether addr (host:port) names only loopback
// interfaces: 127.0.0.0/8, ::1 or "localhost". An empty host listens on
// every interface and so is not loopback.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// localOnly serves h only to requests that name a loopback host and came
// through no proxy: the dev outbox shows sign-in codes, so a forwarded
// request or a DNS-rebinding page (a foreign Host) gets 403.
func localOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if _, _, err := net.SplitHostPort(host); err != nil {
			host += ":0"
		}
		if !isLoopback(host) || r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
			http.Error(w, "the dev outbox answers only direct requests to a loopback address", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
