package format

import (
	"encoding/json"
	"fmt"

	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// profileJSON is how a questionnaire is stored.
type profileJSON struct {
	Name              string        `json:"name"`
	BirthDate         string        `json:"birth_date"`
	Gender            string        `json:"gender"`
	Locale            string        `json:"locale"`
	PreferredBranchID string        `json:"preferred_branch_id"`
	SkinType          string        `json:"skin_type"`
	Phototype         int           `json:"phototype"`
	Concerns          []concernJSON `json:"concerns"`
	Allergies         []string      `json:"allergies"`
	Contraindications []string      `json:"contraindications"`
	HomeCare          []string      `json:"home_care"`
}

type concernJSON struct {
	Code     string `json:"code"`
	Severity int    `json:"severity"`
}

// convertList maps a list keeping nil (unanswered) apart from empty (none).
func convertList[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// EncodeProfile is p as stored.
func EncodeProfile(p card.Profile) ([]byte, error) {
	j := profileJSON{
		Name: p.Name, Gender: string(p.Gender), Locale: p.Locale, PreferredBranchID: p.PreferredBranchID,
		SkinType: string(p.SkinType), Phototype: p.Phototype,
		Concerns: convertList(p.Concerns, func(c card.Concern) concernJSON {
			return concernJSON{Code: string(c.Code), Severity: c.Severity}
		}),
		Allergies:         convertList(p.Allergies, func(s string) string { return s }),
		Contraindications: convertList(p.Contraindications, func(c card.Contraindication) string { return string(c) }),
		HomeCare:          convertList(p.HomeCare, func(s string) string { return s }),
	}
	if !p.BirthDate.IsZero() {
		j.BirthDate = p.BirthDate.String()
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("format: encode questionnaire: %w", err)
	}
	return b, nil
}

// DecodeProfile reads a stored questionnaire.
func DecodeProfile(b []byte) (card.Profile, error) {
	var j profileJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return card.Profile{}, fmt.Errorf("format: stored questionnaire: %w", err)
	}
	p := card.Profile{
		Name: j.Name, Gender: card.Gender(j.Gender), Locale: j.Locale, PreferredBranchID: j.PreferredBranchID,
		SkinType: card.SkinType(j.SkinType), Phototype: j.Phototype,
		Concerns: convertList(j.Concerns, func(c concernJSON) card.Concern {
			return card.Concern{Code: card.ConcernCode(c.Code), Severity: c.Severity}
		}),
		Allergies:         j.Allergies,
		Contraindications: convertList(j.Contraindications, func(c string) card.Contraindication { return card.Contraindication(c) }),
		HomeCare:          j.HomeCare,
	}
	if j.BirthDate != "" {
		d, err := booking.ParseDate(j.BirthDate)
		if err != nil {
			return card.Profile{}, fmt.Errorf("format: stored questionnaire: %w", err)
		}
		p.BirthDate = d
	}
	return p, nil
}
