package recommend_test

import (
	"time"

	"github.com/kabinet-dev/kabinet/recommend"
)

// The questionnaire's vocabulary, as cabinet/card declares it (the engine
// itself does not know it).
var (
	skinTypes         = []string{"normal", "dry", "oily", "combination", "sensitive"}
	concernCodes      = []string{"acne", "post_acne", "pigmentation", "rosacea", "wrinkles", "loss_of_firmness", "dehydration", "enlarged_pores", "dullness", "sensitivity"}
	contraindications = []string{"pregnancy", "breastfeeding", "isotretinoin", "active_herpes", "skin_infection", "sunburn", "anticoagulants", "pacemaker", "keloid_tendency"}
)

// demoCatalog is the example server's demo catalog as the cabinet would
// hand it to the engine: the twelve services (their skin-type and concern
// tags moved into SkinTypes and Concerns, contraindications added, and the
// tags the default rules expect: dermatologist, mechanical_cleansing,
// microcurrent, laser_light_skin_only, ablative, superficial_peel), the
// twenty products, and three home-care steps.
func demoCatalog() []recommend.Item {
	type L = []string
	all := L{"normal", "dry", "oily", "combination", "sensitive"}
	proc := func(id, name, category string, cooldown int, skins, concerns, contra L, tags ...string) recommend.Item {
		return recommend.Item{ID: id, Kind: recommend.KindProcedure, Name: recommend.Text{RU: name, EN: id}, Category: category,
			SkinTypes: skins, Concerns: concerns, Contraindications: contra, Tags: tags, CooldownDays: cooldown}
	}
	prod := func(id, name, category string, skins, concerns, contra L, tags ...string) recommend.Item {
		return recommend.Item{ID: id, Kind: recommend.KindProduct, Name: recommend.Text{RU: name, EN: id}, Category: category,
			SkinTypes: skins, Concerns: concerns, Contraindications: contra, Tags: tags}
	}
	retinoid := L{"pregnancy", "breastfeeding", "isotretinoin", "sunburn", "skin_infection"}
	acids := L{"isotretinoin", "sunburn", "skin_infection", "active_herpes"}
	barrier := L{"active_herpes", "skin_infection"}
	return []recommend.Item{
		proc("svc-consultation", "Консультация косметолога", "consultation", 0, nil, nil, nil),
		proc("svc-derm-consultation", "Консультация дерматолога", "consultation", 0, nil, L{"acne", "rosacea", "pigmentation"}, nil, "dermatologist"),
		proc("svc-cleansing", "Комбинированная чистка лица", "cleansing", 21, L{"oily", "combination"}, L{"acne", "enlarged_pores"},
			append(L{"sunburn"}, barrier...), "mechanical_cleansing"),
		proc("svc-peel-almond", "Миндальный пилинг", "peel", 10, all, L{"dullness", "pigmentation"},
			append(L{"sunburn", "isotretinoin"}, barrier...), "chemical_peel", "superficial_peel"),
		proc("svc-peel-tca", "Срединный пилинг TCA", "peel", 90, L{"normal", "dry", "oily", "combination"}, L{"wrinkles", "post_acne", "pigmentation"},
			append(L{"pregnancy", "breastfeeding", "isotretinoin", "sunburn", "keloid_tendency"}, barrier...), "chemical_peel", "deep_peel"),
		proc("svc-biorevitalization", "Биоревитализация", "injection", 14, nil, L{"dehydration", "wrinkles", "loss_of_firmness"},
			append(L{"pregnancy", "breastfeeding", "anticoagulants"}, barrier...), "injectable"),
		proc("svc-botox", "Ботулинотерапия", "injection", 90, nil, L{"wrinkles"},
			append(L{"pregnancy", "breastfeeding", "anticoagulants"}, barrier...), "injectable"),
		proc("svc-laser-hair", "Лазерная эпиляция", "laser", 42, nil, nil,
			L{"pregnancy", "sunburn", "isotretinoin"}, "laser", "energy_based", "laser_light_skin_only"),
		proc("svc-laser-rejuvenation", "Лазерное омоложение", "laser", 30, nil, L{"wrinkles", "pigmentation"},
			append(L{"pregnancy", "breastfeeding", "isotretinoin", "sunburn", "keloid_tendency"}, barrier...), "laser", "energy_based", "ablative", "laser_light_skin_only"),
		proc("svc-microcurrent", "Микротоковая терапия", "hardware", 7, nil, L{"loss_of_firmness", "dullness"},
			L{"pacemaker", "pregnancy"}, "energy_based", "microcurrent"),
		proc("svc-massage", "Массаж лица", "massage", 7, nil, L{"loss_of_firmness"}, nil),
		proc("svc-mask-hydration", "Увлажняющий уход с альгинатной маской", "care", 0, L{"dry", "sensitive", "normal", "combination"}, L{"dehydration"}, nil),

		prod("prd-cleansing-gel", "Очищающий гель с цинком", "cleanser", L{"oily", "combination"}, L{"acne", "enlarged_pores"}, nil, "zinc", "sulfate_free"),
		prod("prd-micellar", "Мицеллярная вода", "cleanser", all, L{"sensitivity", "rosacea"}, nil, "fragrance_free", "micellar"),
		prod("prd-hydra-toner", "Увлажняющий тоник", "toner", L{"normal", "dry", "combination", "sensitive"}, L{"dehydration", "dullness"}, nil, "hyaluronic_acid", "fragrance_free"),
		prod("prd-calming-toner", "Успокаивающий тоник", "toner", L{"sensitive", "dry", "normal"}, L{"sensitivity", "rosacea"}, nil, "centella", "fragrance_free"),
		prod("prd-aha-bha-toner", "Тоник AHA + BHA", "exfoliant", L{"oily", "combination", "normal"}, L{"post_acne", "enlarged_pores", "dullness", "acne"},
			append(L{"pregnancy"}, acids...), "aha", "bha", "exfoliating"),
		prod("prd-vitamin-c", "Сыворотка с витамином C", "serum", L{"normal", "combination", "oily", "dry"}, L{"pigmentation", "dullness", "wrinkles"}, nil, "vitamin_c", "antioxidant"),
		prod("prd-niacinamide", "Сыворотка с ниацинамидом", "serum", L{"oily", "combination", "normal"}, L{"acne", "post_acne", "enlarged_pores"}, nil, "niacinamide", "zinc"),
		prod("prd-hyaluronic", "Сыворотка с гиалуроновой кислотой", "serum", all, L{"dehydration", "wrinkles"}, nil, "hyaluronic_acid", "fragrance_free"),
		prod("prd-peptide", "Сыворотка с пептидами", "serum", L{"normal", "dry", "combination"}, L{"loss_of_firmness", "wrinkles"}, nil, "peptides"),
		prod("prd-azelaic", "Гель с азелаиновой кислотой", "serum", L{"sensitive", "oily", "combination"}, L{"rosacea", "acne", "pigmentation"}, L{"sunburn"}, "azelaic_acid"),
		prod("prd-retinol-night", "Ночной крем с ретинолом", "moisturizer", L{"normal", "combination", "oily"}, L{"wrinkles", "post_acne", "pigmentation", "loss_of_firmness"}, retinoid, "retinoid", "night"),
		prod("prd-barrier-cream", "Крем с церамидами", "moisturizer", L{"dry", "sensitive", "normal"}, L{"dehydration", "sensitivity"}, nil, "ceramides", "fragrance_free"),
		prod("prd-light-gel-cream", "Гель-крем для жирной кожи", "moisturizer", L{"oily", "combination"}, L{"dehydration", "enlarged_pores"}, nil, "non_comedogenic", "niacinamide"),
		prod("prd-eye-cream", "Крем для век с кофеином", "eye_care", all, L{"wrinkles", "loss_of_firmness"}, nil, "caffeine", "peptides"),
		prod("prd-spf50-fluid", "Флюид SPF 50", "spf", all, L{"pigmentation", "wrinkles"}, nil, "spf", "uv_filter"),
		prod("prd-spf50-mineral", "Минеральный крем SPF 50", "spf", L{"sensitive", "dry", "normal"}, L{"rosacea", "sensitivity", "pigmentation"}, nil, "spf", "mineral_filter", "fragrance_free"),
		prod("prd-clay-mask", "Маска с глиной", "mask", L{"oily", "combination"}, L{"acne", "enlarged_pores"}, nil, "clay", "sulfur"),
		prod("prd-sheet-masks", "Тканевые маски", "mask", all, L{"dehydration", "dullness"}, nil, "hyaluronic_acid", "sheet_mask"),
		prod("prd-cica-recovery", "Крем с центеллой после процедур", "recovery", all, L{"sensitivity", "rosacea"}, nil, "post_procedure", "centella", "fragrance_free"),
		prod("prd-panthenol-balm", "Бальзам с декспантенолом", "recovery", all, L{"sensitivity", "dehydration"}, nil, "post_procedure", "panthenol", "fragrance_free"),

		{ID: "hc-spf-daily", Kind: recommend.KindHomeCare, Name: recommend.Text{RU: "SPF каждое утро", EN: "SPF every morning"},
			Category: "routine", Concerns: L{"pigmentation", "wrinkles"}, Tags: L{"spf"}},
		{ID: "hc-barrier-routine", Kind: recommend.KindHomeCare, Name: recommend.Text{RU: "Щадящий уход для барьера", EN: "A gentle barrier routine"},
			Category: "routine", Concerns: L{"sensitivity", "dehydration"}, Tags: L{"ceramides", "fragrance_free"}},
		{ID: "hc-acid-night", Kind: recommend.KindHomeCare, Name: recommend.Text{RU: "Кислоты 2 вечера в неделю", EN: "Acids two evenings a week"},
			Category: "routine", Concerns: L{"dullness", "post_acne"}, Contraindications: acids, Tags: L{"aha", "exfoliating"}},
	}
}

// day is a date at noon UTC.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// ids lists the item IDs of recommendations, in order.
func ids(recs []recommend.Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ItemID
	}
	return out
}

func itemByID(catalog []recommend.Item, id string) recommend.Item {
	for _, it := range catalog {
		if it.ID == id {
			return it
		}
	}
	panic("no item " + id)
}
