package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kabinet-dev/kabinet/notify"
	"github.com/kabinet-dev/kabinet/notify/smsru"
	"github.com/kabinet-dev/kabinet/notify/twilio"
)

// The SMS providers the server can be configured with, by name.
const (
	smsSMSRU   = "smsru"
	smsTwilio  = "twilio"
	smsWebhook = "webhook"
)

// smsProvider is the SMS gateway chosen from the environment: exactly one
// of SMS.ru, Twilio and an HTTP webhook. Only the field of the chosen
// provider is set.
type smsProvider struct {
	name    string // smsSMSRU, smsTwilio or smsWebhook
	smsru   *smsru.Config
	twilio  *twilio.Config
	webhook *notify.WebhookSMSConfig
}

// smsProviderVars are the variables of each provider. Any of them set names
// the provider, so a half-configured one is reported, not ignored.
var smsProviderVars = []struct {
	name, label string
	vars        []string
}{
	{smsSMSRU, "SMS.ru", []string{"KABINET_SMSRU_API_KEY", "KABINET_SMSRU_FROM"}},
	{smsTwilio, "Twilio", []string{"KABINET_TWILIO_ACCOUNT_SID", "KABINET_TWILIO_AUTH_TOKEN", "KABINET_TWILIO_FROM",
		"KABINET_TWILIO_MESSAGING_SERVICE_SID"}},
	{smsWebhook, "webhook", []string{"KABINET_SMS_WEBHOOK_URL", "KABINET_SMS_WEBHOOK_TOKEN"}},
}

// smsProvidersHint tells an operator how to configure an SMS provider.
const smsProvidersHint = "KABINET_SMSRU_API_KEY for SMS.ru, KABINET_TWILIO_* for Twilio or KABINET_SMS_WEBHOOK_URL for a webhook"

// twilioSID is the shape of Twilio's SIDs: two letters naming the kind
// ("AC" an account, "MG" a Messaging Service) and 32 hex digits.
var twilioSID = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// smsFromEnv chooses the SMS provider; nil when none of their variables is
// set. Two providers at once, or one with a required variable missing, is
// an error naming the variables. Errors name variables, never their values.
func smsFromEnv(getenv func(string) string) (*smsProvider, error) {
	val := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var named []string // "Twilio (KABINET_TWILIO_ACCOUNT_SID, …)"
	chosen := ""
	for _, p := range smsProviderVars {
		var set []string
		for _, v := range p.vars {
			if val(v) != "" {
				set = append(set, v)
			}
		}
		if len(set) > 0 {
			named = append(named, p.label+" ("+strings.Join(set, ", ")+")")
			chosen = p.name
		}
	}
	switch len(named) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, fmt.Errorf("more than one SMS provider is configured: %s; set the variables of one only",
			joinAnd(named))
	}

	switch chosen {
	case smsSMSRU:
		key := val("KABINET_SMSRU_API_KEY")
		if key == "" {
			return nil, errors.New("KABINET_SMSRU_FROM is set but KABINET_SMSRU_API_KEY is not")
		}
		return &smsProvider{name: smsSMSRU, smsru: &smsru.Config{APIKey: key, From: val("KABINET_SMSRU_FROM")}}, nil
	case smsTwilio:
		cfg := &twilio.Config{
			AccountSID:          val("KABINET_TWILIO_ACCOUNT_SID"),
			AuthToken:           val("KABINET_TWILIO_AUTH_TOKEN"),
			From:                val("KABINET_TWILIO_FROM"),
			MessagingServiceSID: val("KABINET_TWILIO_MESSAGING_SERVICE_SID"),
		}
		var missing []string
		if cfg.AccountSID == "" {
			missing = append(missing, "KABINET_TWILIO_ACCOUNT_SID")
		}
		if cfg.AuthToken == "" {
			missing = append(missing, "KABINET_TWILIO_AUTH_TOKEN")
		}
		if cfg.From == "" && cfg.MessagingServiceSID == "" {
			missing = append(missing, "KABINET_TWILIO_FROM or KABINET_TWILIO_MESSAGING_SERVICE_SID")
		}
		switch {
		case len(missing) > 0:
			return nil, fmt.Errorf("Twilio SMS is half configured: set %s", joinAnd(missing))
		case !twilioSID.MatchString(cfg.AccountSID) || !strings.HasPrefix(cfg.AccountSID, "AC"):
			return nil, errors.New(`KABINET_TWILIO_ACCOUNT_SID: want "AC" and 32 hex digits`)
		case cfg.MessagingServiceSID != "" && (!twilioSID.MatchString(cfg.MessagingServiceSID) || !strings.HasPrefix(cfg.MessagingServiceSID, "MG")):
			return nil, errors.New(`KABINET_TWILIO_MESSAGING_SERVICE_SID: want "MG" and 32 hex digits`)
		}
		return &smsProvider{name: smsTwilio, twilio: cfg}, nil
	default:
		u, token := val("KABINET_SMS_WEBHOOK_URL"), val("KABINET_SMS_WEBHOOK_TOKEN")
		if u == "" {
			return nil, errors.New("KABINET_SMS_WEBHOOK_TOKEN is set but KABINET_SMS_WEBHOOK_URL is not")
		}
		cfg := &notify.WebhookSMSConfig{URL: u}
		if token != "" {
			cfg.Headers = map[string]string{"Authorization": "Bearer " + token}
		}
		return &smsProvider{name: smsWebhook, webhook: cfg}, nil
	}
}

// sender builds the provider's sender. Its checks name the variables;
// the adapters never repeat a key or token in an error.
func (p *smsProvider) sender() (notify.SMSSender, error) {
	switch p.name {
	case smsSMSRU:
		s, err := smsru.New(*p.smsru)
		if err != nil {
			return nil, fmt.Errorf("KABINET_SMSRU_*: %w", err)
		}
		return s, nil
	case smsTwilio:
		s, err := twilio.New(*p.twilio)
		if err != nil {
			return nil, fmt.Errorf("KABINET_TWILIO_*: %w", err)
		}
		return s, nil
	case smsWebhook:
		s, err := notify.NewWebhookSMS(*p.webhook)
		if err != nil {
			return nil, fmt.Errorf("KABINET_SMS_WEBHOOK_*: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown SMS provider %q", p.name)
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
