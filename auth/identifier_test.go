package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/auth"
)

func TestParseIdentifierPhones(t *testing.T) {
	tests := []struct {
		raw, value, region string
	}{
		{"8 (912) 345-67-89", "+79123456789", "RU"},
		{"+7 912 345 67 89", "+79123456789", "RU"},
		{"89123456789", "+79123456789", "RU"},
		{"+7(912)345-67-89", "+79123456789", "RU"},
		{"  +7 912 345 67 89  ", "+79123456789", "RU"},
		{"9123456789", "+79123456789", "RU"},
		{"+7 701 123 45 67", "+77011234567", "KZ"},
		{"+375 29 123-45-67", "+375291234567", "BY"},
		{"+44 7400 123456", "+447400123456", "GB"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			id, err := auth.ParseIdentifier(tt.raw, "RU")
			require.NoError(t, err)
			assert.Equal(t, auth.Identifier{Channel: auth.ChannelSMS, Value: tt.value, Region: tt.region}, id)
		})
	}
}

func TestParseIdentifierEmails(t *testing.T) {
	tests := []struct {
		raw, value string
	}{
		{"Anna@Example.COM", "anna@example.com"},
		{"anna@example.com", "anna@example.com"},
		{" anna.petrova+spa@mail.example.ru ", "anna.petrova+spa@mail.example.ru"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			id, err := auth.ParseIdentifier(tt.raw, "RU")
			require.NoError(t, err)
			assert.Equal(t, auth.Identifier{Channel: auth.ChannelEmail, Value: tt.value}, id)
		})
	}
}

func TestParseIdentifierRefused(t *testing.T) {
	tests := []struct {
		name, raw string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"Moscow landline", "+7 495 123-45-67"},
		{"Moscow landline national", "8 (495) 123-45-67"},
		{"garbage", "hello"},
		{"letters in a number", "+7 912 345 67 8a"},
		{"too few digits", "+7 12"},
		{"one digit too many", "+7 912 345 67 89 1"},
		{"far too many digits", "+7 912 345 67 89 12345 67890"},
		{"NUL inside", "+7912\x00345 67 89"},
		{"newline inside", "+7912\n3456789"},
		{"escape in e-mail", "anna\x1b@example.com"},
		{"DEL", "anna\x7f@example.com"},
		{"invalid UTF-8", "anna\xff@example.com"},
		{"too long e-mail", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com"},
		{"too long anything", strings.Repeat("1", 300)},
		{"no dot in domain", "anna@localhost"},
		{"display name", "Anna <a@b.c>"},
		{"domain literal", "a@[1.2.3.4]"},
		{"IP address as domain", "a@127.0.0.1"},
		{"no local part", "@example.com"},
		{"trailing dot", "anna@example.com."},
		{"two at signs", "anna@@example.com"},
		{"local part over 64", strings.Repeat("a", 65) + "@example.com"},
		{"quoted local part", `"anna petrova"@example.com`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := auth.ParseIdentifier(tt.raw, "RU")
			require.ErrorIs(t, err, auth.ErrInvalidIdentifier)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "identifier", ve.Field)
			assert.NotEmpty(t, ve.Message)
			assert.True(t, id.IsZero())
		})
	}
}

func TestParseIdentifierLengthBoundary(t *testing.T) {
	local := strings.Repeat("a", 64)
	domain := strings.Repeat("b", 185) + ".com" // 64 + 1 + 189 = 254
	id, err := auth.ParseIdentifier(local+"@"+domain, "")
	require.NoError(t, err)
	assert.Len(t, id.Value, 254)

	_, err = auth.ParseIdentifier(local+"@b"+domain, "")
	assert.ErrorIs(t, err, auth.ErrInvalidIdentifier)
}

func TestParseIdentifierDefaultRegion(t *testing.T) {
	// Without a country code the number is read in the default region; an
	// empty region means Russia.
	ru, err := auth.ParseIdentifier("912 345 67 89", "")
	require.NoError(t, err)
	assert.Equal(t, "+79123456789", ru.Value)

	by, err := auth.ParseIdentifier("29 123 45 67", "by")
	require.NoError(t, err)
	assert.Equal(t, "+375291234567", by.Value)
	assert.Equal(t, "BY", by.Region)
}

func TestServiceParseIdentifierAllowList(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		allowed []string // nil: the default RU, KZ, BY
		ok      bool
	}{
		{"Russia by default", "+7 912 345 67 89", nil, true},
		{"Kazakhstan by default", "+7 701 123 45 67", nil, true},
		{"Belarus by default", "+375 29 123 45 67", nil, true},
		{"UK refused by default", "+44 7400 123456", nil, false},
		{"e-mail is never region-limited", "anna@example.co.uk", nil, true},
		{"UK with a wildcard", "+44 7400 123456", []string{"*"}, true},
		{"UK when listed, lower case", "+44 7400 123456", []string{"gb"}, true},
		{"Russia when only GB is listed", "+7 912 345 67 89", []string{"GB"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *auth.Config) { c.AllowedRegions = tt.allowed })
			_, err := e.svc.ParseIdentifier(tt.raw)
			_, reqErr := e.svc.RequestCode(e.ctx, auth.CodeRequest{Identifier: tt.raw, IP: testIP})
			if tt.ok {
				assert.NoError(t, err)
				assert.NoError(t, reqErr)
				assert.Equal(t, 1, e.sender.Count())
				return
			}
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "identifier", ve.Field)
			assert.ErrorIs(t, err, auth.ErrInvalidIdentifier)
			assert.ErrorIs(t, reqErr, auth.ErrInvalidIdentifier)
			assert.Zero(t, e.sender.Count(), "the provider must not be called for a refused country")
		})
	}
}

func TestNewDoesNotAliasAllowedRegions(t *testing.T) {
	regions := []string{"ru", "kz"}
	e := newEnv(t, func(c *auth.Config) { c.AllowedRegions = regions })
	assert.Equal(t, []string{"ru", "kz"}, regions, "New must not rewrite the caller's slice")

	regions[0] = "GB" // a later change by the caller must not change the service
	_, err := e.svc.ParseIdentifier("+44 7400 123456")
	assert.ErrorIs(t, err, auth.ErrInvalidIdentifier)
	_, err = e.svc.ParseIdentifier("+7 912 345 67 89")
	assert.NoError(t, err)
}

func TestIdentifierMasked(t *testing.T) {
	tests := []struct {
		id   auth.Identifier
		want string
	}{
		{auth.Identifier{Channel: auth.ChannelSMS, Value: "+79123456789"}, "+7912*****89"},
		{auth.Identifier{Channel: auth.ChannelSMS, Value: "+375291234567"}, "+3752******67"},
		{auth.Identifier{Channel: auth.ChannelEmail, Value: "anna@example.com"}, "a***@example.com"},
		{auth.Identifier{Channel: auth.ChannelEmail, Value: "я@example.com"}, "я***@example.com"},
		{auth.Identifier{}, "***"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := tt.id.Masked()
			assert.Equal(t, tt.want, got)
			if tt.id.Channel == auth.ChannelSMS {
				assert.NotContains(t, got, tt.id.Value[5:len(tt.id.Value)-2], "the middle is hidden")
			}
		})
	}
}

// identifierSeeds are the inputs of the tests above, as the fuzz corpus.
var identifierSeeds = []string{
	"8 (912) 345-67-89", "+7 912 345 67 89", "89123456789", "+7(912)345-67-89",
	"+7 495 123-45-67", "+7 701 123 45 67", "+375 29 123-45-67", "+44 7400 123456",
	"+7 912 345 67 89 1", "+7912\x00345 67 89", "hello", strings.Repeat("1", 300),
	"Anna@Example.COM", "anna@localhost", "Anna <a@b.c>", "a@[1.2.3.4]", `"a b"@example.com`,
	"anna\xff@example.com", "", "+", "Ⱥ@example.com", strings.Repeat("Ⱥ", 32) + "@example.com",
	"a@" + strings.Repeat("Ⱥ", 120) + ".com", "İ@example.com",
}

func FuzzParseIdentifier(f *testing.F) {
	for _, s := range identifierSeeds {
		f.Add(s, "RU")
	}
	f.Add("29 123 45 67", "BY")
	f.Add("7400 123456", "gb")
	f.Add("912 345 67 89", "")
	f.Add("912 345 67 89", "??")

	f.Fuzz(func(t *testing.T, raw, region string) {
		id, err := auth.ParseIdentifier(raw, region)
		if err != nil {
			require.ErrorIs(t, err, auth.ErrInvalidIdentifier)
			var ve *auth.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "identifier", ve.Field)
			require.True(t, id.IsZero())
			return
		}
		require.LessOrEqual(t, len(id.Value), 254)
		require.True(t, utf8.ValidString(id.Value))
		switch id.Channel {
		case auth.ChannelSMS:
			require.Regexp(t, `^\+[1-9][0-9]{1,14}$`, id.Value, "E.164")
			require.LessOrEqual(t, len(id.Value), 16)
			require.NotEmpty(t, id.Region)
		case auth.ChannelEmail:
			require.Equal(t, strings.ToLower(id.Value), id.Value)
			require.Empty(t, id.Region)
		default:
			require.Failf(t, "unknown channel", "%q", id.Channel)
		}

		// Normalisation is idempotent: the value parses to itself, in any
		// default region.
		again, err := auth.ParseIdentifier(id.Value, region)
		require.NoError(t, err, "re-parsing %q", id.Value)
		require.Equal(t, id, again)
		_ = id.Masked()
	})
}
