package recommend

import (
	"fmt"
	"strings"
)

// The engine's own exclusions: they hold whatever the rules say. Each has
// an ID (the RuleID of the Exclusion that Explain reports) and applies to
// the items carrying one of its tags or categories (procedures only, for
// those that name it).
const (
	RuleContraindication = "builtin.contraindication" // the item has one of the client's contraindications
	RulePregnancy        = "builtin.pregnancy"        // pregnancy or breastfeeding
	RuleDarkPhototype    = "builtin.dark_phototype"   // phototype V–VI and a light-skin-only laser
	RuleSunburn          = "builtin.sunburn"          // recent sunburn
	RuleSkinBarrier      = "builtin.skin_barrier"     // active herpes or a skin infection
	RuleIsotretinoin     = "builtin.isotretinoin"     // isotretinoin within 6 months
	RulePacemaker        = "builtin.pacemaker"        // a pacemaker
	RuleSeason           = "builtin.season"           // a deep peel in a high-sun month
	RuleCooldown         = "builtin.cooldown"         // the procedure was done within its cool-down
	RuleSkinType         = "builtin.skin_type"        // the item names skin types, not the client's
	RuleInSupply         = "builtin.in_supply"        // the client's last one lasts a while yet
	RuleCourse           = "builtin.course"           // (a reason) the next session of a due course
)

// guard is one of the engine's safety exclusions.
type guard struct {
	id         string
	procedures bool // only items of kind procedure
	tags       []string
	categories []string
}

var (
	guardPregnancy = guard{id: RulePregnancy,
		tags:       []string{"chemical_peel", "deep_peel", "retinoid", "injectable", "laser", "energy_based", "microcurrent", "radiofrequency"},
		categories: []string{"peel", "injection", "laser"}}
	guardDarkPhototype = guard{id: RuleDarkPhototype, tags: []string{"laser_light_skin_only"}}
	guardSunburn       = guard{id: RuleSunburn,
		tags:       []string{"chemical_peel", "deep_peel", "exfoliating", "aha", "bha", "retinoid", "laser"},
		categories: []string{"peel", "exfoliant", "laser"}}
	guardSkinBarrier = guard{id: RuleSkinBarrier, procedures: true,
		tags:       []string{"chemical_peel", "deep_peel", "injectable", "laser", "mechanical_cleansing", "barrier_disrupting", "microneedling"},
		categories: []string{"peel", "cleansing", "injection", "laser"}}
	guardIsotretinoin = guard{id: RuleIsotretinoin,
		tags:       []string{"chemical_peel", "deep_peel", "laser", "exfoliating", "aha", "bha", "mechanical_cleansing"},
		categories: []string{"peel", "exfoliant", "laser"}}
	guardPacemaker = guard{id: RulePacemaker, procedures: true,
		tags:       []string{"microcurrent", "radiofrequency", "electrical", "energy_based"},
		categories: []string{"microcurrent"}}
	guardSeason = guard{id: RuleSeason, tags: []string{"deep_peel"}}
)

func (g *guard) applies(it *Item) bool {
	if g.procedures && it.Kind != KindProcedure {
		return false
	}
	return intersects(it.Tags, g.tags) || (it.Category != "" && contains(g.categories, it.Category))
}

// activeGuard is a guard that applies to this client, with its text.
type activeGuard struct {
	*guard
	text Text
}

// guards returns the safety exclusions that apply to the client.
func (s *state) guards() []activeGuard {
	var out []activeGuard
	has := func(c string) bool { return contains(s.f.Contraindications, c) }
	switch {
	case has("pregnancy") && has("breastfeeding"):
		out = append(out, activeGuard{&guardPregnancy, Text{
			RU: "Не рекомендуется при беременности и грудном вскармливании.",
			EN: "Not recommended during pregnancy and breastfeeding."}})
	case has("pregnancy"):
		out = append(out, activeGuard{&guardPregnancy, Text{
			RU: "Не рекомендуется при беременности.", EN: "Not recommended during pregnancy."}})
	case has("breastfeeding"):
		out = append(out, activeGuard{&guardPregnancy, Text{
			RU: "Не рекомендуется при грудном вскармливании.", EN: "Not recommended while breastfeeding."}})
	}
	if s.f.Phototype >= 5 {
		out = append(out, activeGuard{&guardDarkPhototype, Text{
			RU: "Этот лазер не подходит для тёмной кожи (фототип V–VI).",
			EN: "This laser is not suitable for dark skin (phototype V–VI)."}})
	}
	if has("sunburn") {
		out = append(out, activeGuard{&guardSunburn, Text{
			RU: "Не рекомендуется после недавнего солнечного ожога.", EN: "Not recommended after a recent sunburn."}})
	}
	if has("active_herpes") || has("skin_infection") {
		out = append(out, activeGuard{&guardSkinBarrier, Text{
			RU: "Процедуры, нарушающие барьер кожи, нельзя проводить при активном герпесе или инфекции кожи.",
			EN: "Procedures that break the skin barrier are not done with active herpes or a skin infection."}})
	}
	if has("isotretinoin") {
		out = append(out, activeGuard{&guardIsotretinoin, Text{
			RU: "Не рекомендуется в течение 6 месяцев после приёма изотретиноина.",
			EN: "Not recommended within 6 months of taking isotretinoin."}})
	}
	if has("pacemaker") {
		out = append(out, activeGuard{&guardPacemaker, Text{
			RU: "Аппаратные процедуры с током и энергией не проводят при кардиостимуляторе.",
			EN: "Energy-based and electrical procedures are not done with a pacemaker."}})
	}
	if s.e.highSun&(1<<s.month) != 0 {
		out = append(out, activeGuard{&guardSeason, Text{
			RU: "Глубокие пилинги не делают в солнечные месяцы: высок риск пигментации.",
			EN: "Deep peels are not done in the sunny months: the risk of pigmentation is high."}})
	}
	return out
}

// contraNames are the questionnaire's contraindications in words.
var contraNames = map[string]Text{
	"pregnancy":       {RU: "беременность", EN: "pregnancy"},
	"breastfeeding":   {RU: "грудное вскармливание", EN: "breastfeeding"},
	"isotretinoin":    {RU: "приём изотретиноина", EN: "isotretinoin"},
	"active_herpes":   {RU: "активный герпес", EN: "active herpes"},
	"skin_infection":  {RU: "инфекция кожи", EN: "a skin infection"},
	"sunburn":         {RU: "недавний солнечный ожог", EN: "a recent sunburn"},
	"anticoagulants":  {RU: "приём антикоагулянтов", EN: "anticoagulants"},
	"pacemaker":       {RU: "кардиостимулятор", EN: "a pacemaker"},
	"keloid_tendency": {RU: "склонность к келоидам", EN: "a tendency to keloids"},
}

// contraText says which of the client's contraindications the item has.
func contraText(codes []string) Text {
	ru := make([]string, len(codes))
	en := make([]string, len(codes))
	for i, c := range codes {
		n, ok := contraNames[c]
		if !ok {
			n = Text{RU: strings.ReplaceAll(c, "_", " "), EN: strings.ReplaceAll(c, "_", " ")}
		}
		ru[i], en[i] = n.RU, n.EN
	}
	return Text{
		RU: fmt.Sprintf("Противопоказано: %s.", strings.Join(ru, ", ")),
		EN: fmt.Sprintf("Contraindicated: %s.", strings.Join(en, ", ")),
	}
}
