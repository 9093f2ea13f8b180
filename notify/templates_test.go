package notify_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/notify"
)

func newTemplates(t *testing.T) *notify.Templates {
	t.Helper()
	tpl, err := notify.NewTemplates(nil, "")
	require.NoError(t, err)
	return tpl
}

func codeData(locale, purpose string, ttl int) notify.CodeData {
	return notify.CodeData{Code: "482913", ClinicName: "Клиника Здоровье", TTLMinutes: ttl, Locale: locale, Purpose: purpose}
}

func TestTemplatesCodeSMS(t *testing.T) {
	tpl := newTemplates(t)
	tests := []struct {
		locale, purpose string
		want            string
	}{
		{"ru", notify.PurposeSignIn, "482913 — код для входа. Клиника Здоровье. Никому не сообщайте."},
		{"ru", notify.PurposeAddIdentifier, "482913 — код подтверждения. Клиника Здоровье. Никому не сообщайте."},
		{"ru", "", "482913 — код для входа. Клиника Здоровье. Никому не сообщайте."},
		{"en", notify.PurposeSignIn, "482913 is your Клиника Здоровье sign-in code. Do not share it."},
		{"en", notify.PurposeAddIdentifier, "482913 is your Клиника Здоровье verification code. Do not share it."},
	}
	for _, tt := range tests {
		t.Run(tt.locale+" "+tt.purpose, func(t *testing.T) {
			r, err := tpl.Render(notify.KindCode, tt.locale, notify.ChannelSMS, codeData(tt.locale, tt.purpose, 5))
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Text)
			assert.True(t, strings.HasPrefix(r.Text, "482913"), "the code comes first, for autofill")
			assert.Empty(t, r.Subject)
			assert.Empty(t, r.HTML)
			assert.NotContains(t, r.Text, "\n")
		})
	}
}

func TestTemplatesCodeEmail(t *testing.T) {
	tpl := newTemplates(t)
	tests := []struct {
		locale, purpose string
		ttl             int
		wantSubject     string
		wantText        []string
	}{
		{
			locale: "ru", purpose: notify.PurposeSignIn, ttl: 5,
			wantSubject: "Код для входа — <Клиника> & Co",
			wantText:    []string{"482913", "Срок действия кода — 5 минут.", "Если вы не запрашивали код, просто проигнорируйте это письмо.", "— <Клиника> & Co"},
		},
		{
			locale: "ru", purpose: notify.PurposeAddIdentifier, ttl: 1,
			wantSubject: "Подтверждение адреса — <Клиника> & Co",
			wantText:    []string{"482913", "подтверждения этого адреса", "Срок действия кода — 1 минута.", "проигнорируйте"},
		},
		{
			locale: "ru", purpose: notify.PurposeSignIn, ttl: 22,
			wantSubject: "Код для входа — <Клиника> & Co",
			wantText:    []string{"Срок действия кода — 22 минуты."},
		},
		{
			locale: "en", purpose: notify.PurposeSignIn, ttl: 5,
			wantSubject: "Your sign-in code — <Клиника> & Co",
			wantText:    []string{"482913", "valid for 5 minutes.", "If you did not request this code, please ignore this email."},
		},
		{
			locale: "en", purpose: notify.PurposeAddIdentifier, ttl: 1,
			wantSubject: "Confirm your email address — <Клиника> & Co",
			wantText:    []string{"482913", "confirm this email address", "valid for 1 minute.", "ignore this email"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.locale+" "+tt.purpose, func(t *testing.T) {
			data := notify.CodeData{Code: "482913", ClinicName: "<Клиника> & Co", TTLMinutes: tt.ttl, Locale: tt.locale, Purpose: tt.purpose}
			r, err := tpl.Render(notify.KindCode, tt.locale, notify.ChannelEmail, data)
			require.NoError(t, err)

			assert.Equal(t, tt.wantSubject, r.Subject, "text templates do not escape")
			assert.NotContains(t, r.Subject, "482913", "the code stays out of the subject line")
			for _, w := range tt.wantText {
				assert.Contains(t, r.Text, w)
			}
			assert.Contains(t, r.HTML, "482913")
			assert.Contains(t, r.HTML, "&lt;Клиника&gt; &amp; Co", "the HTML part escapes data")
			assert.NotContains(t, r.HTML, "<Клиника>")
			assert.Contains(t, r.HTML, `<html lang="`+tt.locale+`">`)
			// The plural phrase in HTML matches the text part.
			for _, w := range tt.wantText {
				if strings.Contains(w, "минут") || strings.Contains(w, "minute") {
					assert.Contains(t, r.HTML, strings.TrimSuffix(strings.TrimPrefix(w, "Срок действия кода — "), "."))
				}
			}
		})
	}
}

func TestTemplatesPluralInText(t *testing.T) {
	tpl := newTemplates(t)
	tests := []struct {
		locale string
		ttl    int
		want   string
	}{
		{"ru", 1, "1 минута"}, {"ru", 2, "2 минуты"}, {"ru", 5, "5 минут"}, {"ru", 10, "10 минут"},
		{"ru", 11, "11 минут"}, {"ru", 21, "21 минута"}, {"ru", 22, "22 минуты"}, {"ru", 111, "111 минут"},
		{"en", 1, "1 minute."}, {"en", 2, "2 minutes"}, {"en", 10, "10 minutes"},
		// An unknown locale uses the default (ru) file, and so ru rules.
		{"de", 21, "21 минута"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			r, err := tpl.Render(notify.KindCode, tt.locale, notify.ChannelEmail, codeData(tt.locale, notify.PurposeSignIn, tt.ttl))
			require.NoError(t, err)
			assert.Contains(t, r.Text, tt.want)
		})
	}
}

func TestTemplatesLocaleFallback(t *testing.T) {
	tests := []struct {
		defaultLocale, locale string
		wantPrefix            string
	}{
		{"", "ru", "482913 — код"},
		{"", "en", "482913 is your"},
		{"", "en-US", "482913 is your"},
		{"", "EN_gb", "482913 is your"},
		{"", "ru-RU", "482913 — код"},
		{"", "de", "482913 — код"},
		{"", "", "482913 — код"},
		{"en", "de", "482913 is your"},
		{"EN", "fr-CA", "482913 is your"},
	}
	for _, tt := range tests {
		t.Run(tt.defaultLocale+"→"+tt.locale, func(t *testing.T) {
			tpl, err := notify.NewTemplates(nil, tt.defaultLocale)
			require.NoError(t, err)
			r, err := tpl.Render(notify.KindCode, tt.locale, notify.ChannelSMS, codeData(tt.locale, notify.PurposeSignIn, 5))
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(r.Text, tt.wantPrefix), r.Text)
		})
	}
}

func TestTemplatesRenderErrors(t *testing.T) {
	tpl := newTemplates(t)
	tests := []struct {
		name    string
		kind    string
		channel notify.Channel
		data    any
		wantErr string
	}{
		{name: "unknown kind", kind: "birthday", channel: notify.ChannelSMS, data: codeData("ru", "", 5), wantErr: `unknown template kind "birthday"`},
		{name: "no push template", kind: notify.KindCode, channel: notify.ChannelPush, data: codeData("ru", "", 5), wantErr: `no "push" channel`},
		{name: "wrong data", kind: notify.KindCode, channel: notify.ChannelSMS, data: struct{ Secret string }{"hunter2"}, wantErr: "notify: render"},
		{name: "missing map key", kind: notify.KindCode, channel: notify.ChannelEmail, data: map[string]any{"Code": "hunter2"}, wantErr: "notify: render"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tpl.Render(tt.kind, "ru", tt.channel, tt.data)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), "hunter2", "errors name the template, not the data")
		})
	}
}

func TestTemplatesOverride(t *testing.T) {
	override := fstest.MapFS{
		"code.ru.sms.tmpl":        {Data: []byte("{{.Code}} — ваш код. {{.ClinicName}}\n")},
		"birthday.ru.sms.tmpl":    {Data: []byte("С днём рождения: {{.}}")},
		"birthday.en.sms.tmpl":    {Data: []byte("Happy birthday: {{.}}")},
		"code.de.sms.tmpl":        {Data: []byte("{{.Code}} ist Ihr Code.")},
		"code.de.email.tmpl":      {Data: []byte(`{{define "subject"}}Ihr Code{{end}}{{define "text"}}Code {{.Code}}, {{.TTLMinutes}} {{plural .TTLMinutes "Minute" "Minuten"}}{{end}}`)},
		"README.md":               {Data: []byte("ignored: not a template")},
		"drafts/code.ru.sms.tmpl": {Data: []byte("ignored: only files at the root count")},
		"code.en.email.html":      {Data: []byte(`<p>{{.Code}} / {{.ClinicName}}</p>`)},
	}
	tpl, err := notify.NewTemplates(override, "")
	require.NoError(t, err)

	tests := []struct {
		name     string
		kind     string
		locale   string
		channel  notify.Channel
		data     any
		wantText string
		wantHTML string
	}{
		{name: "override replaces embedded file", kind: notify.KindCode, locale: "ru", channel: notify.ChannelSMS, data: codeData("ru", "", 5), wantText: "482913 — ваш код. Клиника Здоровье"},
		{name: "other files stay embedded", kind: notify.KindCode, locale: "en", channel: notify.ChannelSMS, data: codeData("en", "", 5), wantText: "482913 is your Клиника Здоровье sign-in code. Do not share it."},
		{name: "new kind", kind: "birthday", locale: "en", channel: notify.ChannelSMS, data: "Anna", wantText: "Happy birthday: Anna"},
		{name: "new locale", kind: notify.KindCode, locale: "de-AT", channel: notify.ChannelSMS, data: codeData("de", "", 5), wantText: "482913 ist Ihr Code."},
		{name: "new locale uses its own plural rules", kind: notify.KindCode, locale: "de", channel: notify.ChannelEmail, data: codeData("de", "", 1), wantText: "Code 482913, 1 Minute"},
		{name: "html override keeps embedded text part", kind: notify.KindCode, locale: "en", channel: notify.ChannelEmail, data: codeData("en", "", 5),
			wantHTML: "<p>482913 / Клиника Здоровье</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tpl.Render(tt.kind, tt.locale, tt.channel, tt.data)
			require.NoError(t, err)
			if tt.wantText != "" {
				assert.Equal(t, tt.wantText, r.Text)
			}
			if tt.wantHTML != "" {
				assert.Equal(t, tt.wantHTML, r.HTML)
				assert.Contains(t, r.Text, "Your code to sign in", "text part still from the embedded file")
			}
		})
	}
}

func TestTemplatesBrokenOverride(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string
	}{
		{name: "parse error", files: fstest.MapFS{"code.ru.sms.tmpl": {Data: []byte("{{.Code")}}, wantErr: "code.ru.sms.tmpl"},
		{name: "html parse error", files: fstest.MapFS{"code.ru.email.html": {Data: []byte("<p>{{if .Code}}</p>")}}, wantErr: "code.ru.email.html"},
		{name: "unknown function", files: fstest.MapFS{"code.ru.sms.tmpl": {Data: []byte("{{shout .Code}}")}}, wantErr: "code.ru.sms.tmpl"},
		{name: "misnamed file", files: fstest.MapFS{"code-ru.sms.tmpl": {Data: []byte("x")}}, wantErr: "code-ru.sms.tmpl"},
		{name: "upper-case locale", files: fstest.MapFS{"code.RU.sms.tmpl": {Data: []byte("x")}}, wantErr: "code.RU.sms.tmpl"},
		{name: "unknown channel", files: fstest.MapFS{"code.ru.fax.tmpl": {Data: []byte("x")}}, wantErr: `unknown channel "fax"`},
		{name: "email without subject", files: fstest.MapFS{"code.ru.email.tmpl": {Data: []byte(`{{define "text"}}x{{end}}`)}}, wantErr: `must define "subject"`},
		{name: "html without text part", files: fstest.MapFS{"code.ru.push.html": {Data: []byte(`<p>x</p>`)}}, wantErr: "code.ru.push.tmpl, its text part, is missing"},
		{name: "new kind without default locale", files: fstest.MapFS{"birthday.en.sms.tmpl": {Data: []byte("x")}}, wantErr: "birthday.ru.sms.tmpl is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := notify.NewTemplates(tt.files, "")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Nil(t, tpl)
		})
	}
}

func TestNewTemplatesDefaultLocale(t *testing.T) {
	_, err := notify.NewTemplates(nil, "de")
	require.Error(t, err, "the embedded templates have no German, so German cannot be the default")
	assert.Regexp(t, `template [a-z_]+\.de\.[a-z]+\.tmpl is missing`, err.Error(), "the first missing file, in name order")

	_, err = notify.NewTemplates(nil, "not a locale")
	require.Error(t, err)
}

// gsm7 is the GSM 03.38 basic character set; a text made only of these
// fits 160 characters in one SMS, anything else makes it UCS-2 with 70.
const gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// smsSegmentBudget returns the encoding an SMS would use, the length that
// counts for it, and the single-segment limit.
func smsSegmentBudget(text string) (encoding string, length, limit int) {
	for _, r := range text {
		if !strings.ContainsRune(gsm7, r) {
			return "UCS-2", len(utf16.Encode([]rune(text))), 70
		}
	}
	return "GSM-7", len([]rune(text)), 160
}

// The code SMS fits one segment for clinic names up to 20 characters, in
// every locale and purpose; English stays in GSM-7 for an ASCII name.
func TestTemplatesSMSLengthBudget(t *testing.T) {
	tpl := newTemplates(t)
	tests := []struct {
		locale, clinic string
		wantEncoding   string
	}{
		{"ru", "Клиника Здоровье", "UCS-2"},
		{"ru", "Клиника доктора Лесн", "UCS-2"}, // 20 characters
		{"ru", "Dr Smith Clinic", "UCS-2"},
		{"en", "Dr Smith Clinic", "GSM-7"},
		{"en", "St Mary Medical Cent", "GSM-7"}, // 20 characters
		{"en", "Клиника Здоровье", "UCS-2"},
	}
	for _, tt := range tests {
		for _, purpose := range []string{notify.PurposeSignIn, notify.PurposeAddIdentifier} {
			t.Run(tt.locale+" "+purpose+" "+tt.clinic, func(t *testing.T) {
				data := notify.CodeData{Code: "482913", ClinicName: tt.clinic, TTLMinutes: 5, Locale: tt.locale, Purpose: purpose}
				r, err := tpl.Render(notify.KindCode, tt.locale, notify.ChannelSMS, data)
				require.NoError(t, err)
				enc, n, limit := smsSegmentBudget(r.Text)
				assert.Equal(t, tt.wantEncoding, enc, r.Text)
				assert.LessOrEqual(t, n, limit, "%q is %d long, over one %s segment", r.Text, n, enc)
			})
		}
	}
}

func TestTemplatesConcurrentRender(t *testing.T) {
	tpl := newTemplates(t)
	t.Run("group", func(t *testing.T) {
		for i := range 8 {
			t.Run(string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				for range 50 {
					_, err := tpl.Render(notify.KindCode, "ru", notify.ChannelEmail, codeData("ru", "", i))
					assert.NoError(t, err)
				}
			})
		}
	})
}
