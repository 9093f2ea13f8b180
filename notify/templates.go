package notify

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	texttemplate "text/template"
)

// DefaultLocale is the locale Templates fall back to when none is given.
const DefaultLocale = "ru"

//go:embed templates
var embeddedTemplates embed.FS

// Rendered is a message rendered from templates. Subject is empty for
// channels without one (SMS); HTML is empty unless the kind has an HTML
// template for the channel.
type Rendered struct {
	Subject, Text, HTML string
}

// Templates renders messages of each kind, locale and channel. The
// templates ship embedded in the package (folder notify/templates/); an
// embedder may replace any of them, or add kinds and locales, with its own
// files.
//
// # Files
//
// Each file is named <kind>.<locale>.<channel>.<ext>, for example
// code.ru.sms.tmpl:
//
//   - <ext> "tmpl" is a text/template. If it defines a template "text",
//     that is the message text, otherwise the whole file is. It may define
//     "subject"; for the email channel it must.
//   - <ext> "html" is an html/template giving the HTML part. It needs the
//     .tmpl file of the same kind, locale and channel beside it.
//
// Kinds are lower-case words ([a-z0-9_]), locales language tags in lower
// case ("ru", "en", "pt-br"), channels the values of Channel. Rendered
// text, HTML and subject are trimmed; a subject is also made one line.
//
// # Functions
//
// Both kinds of template have one function, plural, which picks the form
// of a counted word by the plural rules of the file's own locale (see
// Plural for the order of forms):
//
//	{{.TTLMinutes}} {{plural .TTLMinutes "минута" "минуты" "минут"}}
//	{{.TTLMinutes}} {{plural .TTLMinutes "minute" "minutes"}}
//
// Binding the rules to the file, rather than to a locale in the data, keeps
// them right when a request for an unknown locale falls back to the
// default one. The date and time functions (date, shortdate, clock,
// datetime, hours; see FormatDate and the others) are bound the same way.
//
// # Locales
//
// Render looks for the requested locale as given ("ru-RU"), then its
// language ("ru"), then the default locale. Every kind and channel present
// in any locale must exist in the default locale, which NewTemplates
// checks.
//
// A *Templates is safe for concurrent use.
type Templates struct {
	defaultLocale string
	set           map[templateKey]*templateEntry
	kinds         map[string]bool
}

type templateKey struct {
	kind, locale string
	channel      Channel
}

type templateEntry struct {
	text *texttemplate.Template
	html *htmltemplate.Template // may be nil
}

// templateName matches <kind>.<locale>.<channel>.<ext>.
var templateName = regexp.MustCompile(`^([a-z0-9_]+)\.([a-z]{2,3}(?:-[a-z0-9]{1,8})*)\.([a-z]+)\.(tmpl|html)$`)

// NewTemplates parses the embedded templates and those of override (files
// at its root, which replace embedded files of the same name; override may
// be nil). Every template is parsed here, so a broken or misnamed override
// file fails construction. defaultLocale "" means DefaultLocale.
func NewTemplates(override fs.FS, defaultLocale string) (*Templates, error) {
	def := normalizeLocale(cmp.Or(defaultLocale, DefaultLocale))
	if !templateName.MatchString("x." + def + ".sms.tmpl") {
		return nil, fmt.Errorf("notify: default locale %q is not a language tag", defaultLocale)
	}

	embedded, err := fs.Sub(embeddedTemplates, "templates")
	if err != nil {
		return nil, fmt.Errorf("notify: embedded templates: %w", err)
	}
	sources := map[string]fs.FS{} // file name → the FS that has the winning copy
	if err := collectTemplates(embedded, sources); err != nil {
		return nil, fmt.Errorf("notify: embedded templates: %w", err)
	}
	if override != nil {
		if err := collectTemplates(override, sources); err != nil {
			return nil, fmt.Errorf("notify: override templates: %w", err)
		}
	}

	t := &Templates{
		defaultLocale: def,
		set:           map[templateKey]*templateEntry{},
		kinds:         map[string]bool{},
	}
	// Text templates first, so that each HTML file finds its entry.
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	htmlLast := func(name string) int {
		if strings.HasSuffix(name, ".html") {
			return 1
		}
		return 0
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(htmlLast(a), htmlLast(b)), cmp.Compare(a, b))
	})
	for _, name := range names {
		if err := t.parse(sources[name], name); err != nil {
			return nil, err
		}
	}
	// In name order, so that the error names the same file every time.
	keys := slices.SortedFunc(maps.Keys(t.set), func(a, b templateKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.locale, b.locale), cmp.Compare(a.channel, b.channel))
	})
	for _, key := range keys {
		if _, ok := t.set[templateKey{key.kind, def, key.channel}]; !ok {
			return nil, fmt.Errorf("notify: template %s.%s.%s.tmpl is missing: %s.%s.%s.tmpl needs it as the default locale",
				key.kind, def, key.channel, key.kind, key.locale, key.channel)
		}
	}
	return t, nil
}

// collectTemplates records the template files at the root of fsys in
// sources. Files with other extensions are ignored; a .tmpl or .html file
// whose name does not follow the pattern is an error.
func collectTemplates(fsys fs.FS, sources map[string]fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (!strings.HasSuffix(name, ".tmpl") && !strings.HasSuffix(name, ".html")) {
			continue
		}
		m := templateName.FindStringSubmatch(name)
		if m == nil {
			return fmt.Errorf("%s: name is not <kind>.<locale>.<channel>.tmpl or .html", name)
		}
		if !knownChannel(Channel(m[3])) {
			return fmt.Errorf("%s: unknown channel %q", name, m[3])
		}
		sources[name] = fsys
	}
	return nil
}

func knownChannel(c Channel) bool {
	return c == ChannelSMS || c == ChannelEmail || c == ChannelPush
}

func (t *Templates) parse(fsys fs.FS, name string) error {
	m := templateName.FindStringSubmatch(name)
	key := templateKey{kind: m[1], locale: m[2], channel: Channel(m[3])}
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("notify: template %s: %w", name, err)
	}
	switch m[4] {
	case "tmpl":
		tt, err := texttemplate.New(name).
			Option("missingkey=error").
			Funcs(texttemplate.FuncMap{"plural": pluralFunc(key.locale)}).
			Funcs(timeFuncs(key.locale)).
			Parse(string(src))
		if err != nil {
			return fmt.Errorf("notify: template %w", err)
		}
		if key.channel == ChannelEmail && tt.Lookup("subject") == nil {
			return fmt.Errorf("notify: template %s: an email template must define \"subject\"", name)
		}
		t.set[key] = &templateEntry{text: tt}
		t.kinds[key.kind] = true
	case "html":
		e, ok := t.set[key]
		if !ok {
			return fmt.Errorf("notify: template %s: %s.%s.%s.tmpl, its text part, is missing",
				name, key.kind, key.locale, key.channel)
		}
		ht, err := htmltemplate.New(name).
			Option("missingkey=error").
			Funcs(htmltemplate.FuncMap{"plural": pluralFunc(key.locale)}).
			Funcs(timeFuncs(key.locale)).
			Parse(string(src))
		if err != nil {
			return fmt.Errorf("notify: template %w", err)
		}
		e.html = ht
	}
	return nil
}

// Render renders kind for channel in locale with data (CodeData for
// KindCode). An unknown locale falls back to its language and then to the
// default locale; an unknown kind, or a kind without templates for
// channel, is an error. Errors name the template, not the data.
func (t *Templates) Render(kind string, locale string, channel Channel, data any) (Rendered, error) {
	if !t.kinds[kind] {
		return Rendered{}, fmt.Errorf("notify: unknown template kind %q", kind)
	}
	e := t.lookup(kind, locale, channel)
	if e == nil {
		return Rendered{}, fmt.Errorf("notify: template kind %q has no %q channel", kind, channel)
	}
	var r Rendered
	var b strings.Builder
	text := e.text
	if tt := e.text.Lookup("text"); tt != nil {
		text = tt
	}
	if err := text.Execute(&b, data); err != nil {
		return Rendered{}, fmt.Errorf("notify: render: %w", err)
	}
	r.Text = strings.TrimSpace(b.String())
	if st := e.text.Lookup("subject"); st != nil {
		b.Reset()
		if err := st.Execute(&b, data); err != nil {
			return Rendered{}, fmt.Errorf("notify: render: %w", err)
		}
		r.Subject = strings.Join(strings.Fields(b.String()), " ")
	}
	if e.html != nil {
		b.Reset()
		if err := e.html.Execute(&b, data); err != nil {
			return Rendered{}, fmt.Errorf("notify: render: %w", err)
		}
		r.HTML = strings.TrimSpace(b.String())
	}
	if r.Text == "" {
		return Rendered{}, errors.New("notify: render: " + e.text.Name() + " produced an empty text")
	}
	return r, nil
}

// HasKind reports whether templates of kind exist (in any channel).
func (t *Templates) HasKind(kind string) bool { return t.kinds[kind] }

func (t *Templates) lookup(kind, locale string, channel Channel) *templateEntry {
	full := normalizeLocale(locale)
	for _, l := range []string{full, language(full), t.defaultLocale} {
		if e, ok := t.set[templateKey{kind, l, channel}]; ok {
			return e
		}
	}
	return nil
}

// normalizeLocale lower-cases a language tag and uses "-" as separator.
func normalizeLocale(locale string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
}
