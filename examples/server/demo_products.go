package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// demoProducts is the demo clinic's shelf: 20 cosmetic products of
// fictional brands, a home-care routine from cleanser to SPF plus what a
// clinic sells after procedures. Each is tagged for the recommendation
// engine — the skin types and concerns it suits (the questionnaire's codes),
// the contraindications it has (retinoids and strong acids: pregnancy,
// breastfeeding, isotretinoin; acids and retinoids also not on sunburnt or
// infected skin) and its actives — and has a volume and a daily use, so a
// purchase gets a reminder before it runs out.
func demoProducts() []card.Product {
	type (
		skin = card.SkinType
		con  = card.ConcernCode
		ci   = card.Contraindication
	)
	const (
		normal, dry, oily, combination, sensitive = card.SkinNormal, card.SkinDry, card.SkinOily, card.SkinCombination, card.SkinSensitive
	)
	all := []skin{normal, dry, oily, combination, sensitive}
	retinoid := []ci{card.ContraPregnancy, card.ContraBreastfeeding, card.ContraIsotretinoin, card.ContraSunburn, card.ContraSkinInfection}
	acids := []ci{card.ContraIsotretinoin, card.ContraSunburn, card.ContraSkinInfection, card.ContraActiveHerpes}
	p := func(id, brand, line, name string, category card.ProductCategory, volume int, unit card.Unit, daily float64, price int64,
		skins []skin, concerns []con, contra []ci, description string, tags ...string) card.Product {
		return card.Product{ID: id, Brand: brand, Line: line, Name: name, Category: category, Description: description,
			Volume: volume, Unit: unit, DailyUse: daily, Price: rub(price), SkinTypes: skins, Concerns: concerns,
			Contraindications: contra, Tags: tags, Active: true}
	}
	return []card.Product{
		// Cleansing.
		p("prd-cleansing-gel", "Derma Lab", "Balance", "Мягкий очищающий гель с цинком", card.CategoryCleanser, 200, card.UnitML, 2, 1450,
			[]skin{oily, combination}, []con{card.ConcernAcne, card.ConcernEnlargedPores}, nil,
			"Гель для умывания утром и вечером: убирает излишки себума, не пересушивая кожу.", "zinc", "sulfate_free"),
		p("prd-micellar", "Aqua Veil", "Sensitive", "Мицеллярная вода для чувствительной кожи", card.CategoryCleanser, 400, card.UnitML, 4, 1200,
			all, []con{card.ConcernSensitivity, card.ConcernRosacea}, nil,
			"Снимает макияж и SPF без трения; подходит для кожи после процедур.", "fragrance_free", "micellar"),
		// Toners and exfoliation.
		p("prd-hydra-toner", "Aqua Veil", "Hydra", "Увлажняющий тоник с гиалуроновой кислотой", card.CategoryToner, 200, card.UnitML, 2, 1650,
			[]skin{normal, dry, combination, sensitive}, []con{card.ConcernDehydration, card.ConcernDullness}, nil,
			"Восстанавливает pH после умывания и готовит кожу к сыворотке.", "hyaluronic_acid", "fragrance_free"),
		p("prd-calming-toner", "Skin Ritual", "Calm", "Успокаивающий тоник с центеллой", card.CategoryToner, 150, card.UnitML, 1.5, 1550,
			[]skin{sensitive, dry, normal}, []con{card.ConcernSensitivity, card.ConcernRosacea}, nil,
			"Снимает покраснение и ощущение стянутости.", "centella", "fragrance_free"),
		p("prd-aha-bha-toner", "Derma Lab", "Renew", "Отшелушивающий тоник AHA 7% + BHA 2%", card.CategoryExfoliant, 150, card.UnitML, 0.7, 2100,
			[]skin{oily, combination, normal}, []con{card.ConcernPostAcne, card.ConcernEnlargedPores, card.ConcernDullness, card.ConcernAcne},
			append([]ci{card.ContraPregnancy}, acids...),
			"Гликолевая и салициловая кислоты: 2–3 вечера в неделю, утром обязательно SPF.", "aha", "bha", "exfoliating"),
		// Serums.
		p("prd-vitamin-c", "Derma Lab", "Bright", "Сыворотка с витамином C 15%", card.CategorySerum, 30, card.UnitML, 0.5, 3900,
			[]skin{normal, combination, oily, dry}, []con{card.ConcernPigmentation, card.ConcernDullness, card.ConcernWrinkles}, nil,
			"Антиоксидантная защита и ровный тон; утром, под SPF.", "vitamin_c", "antioxidant"),
		p("prd-niacinamide", "Skin Ritual", "Clear", "Сыворотка с ниацинамидом 10% и цинком", card.CategorySerum, 30, card.UnitML, 0.5, 2400,
			[]skin{oily, combination, normal}, []con{card.ConcernAcne, card.ConcernPostAcne, card.ConcernEnlargedPores}, nil,
			"Сужает поры, выравнивает тон, уменьшает следы постакне.", "niacinamide", "zinc"),
		p("prd-hyaluronic", "Aqua Veil", "Hydra", "Сыворотка с гиалуроновой кислотой трёх весов", card.CategorySerum, 30, card.UnitML, 0.6, 2900,
			all, []con{card.ConcernDehydration, card.ConcernWrinkles}, nil,
			"Глубокое увлажнение; подходит после биоревитализации и пилингов.", "hyaluronic_acid", "fragrance_free"),
		p("prd-peptide", "Lumière Clinique", "Lift", "Сыворотка с пептидами для упругости", card.CategorySerum, 30, card.UnitML, 0.5, 5200,
			[]skin{normal, dry, combination}, []con{card.ConcernLossOfFirmness, card.ConcernWrinkles}, nil,
			"Пептидный комплекс поддерживает плотность кожи; утром и вечером.", "peptides"),
		p("prd-azelaic", "Derma Lab", "Calm", "Гель с азелаиновой кислотой 15%", card.CategorySerum, 30, card.UnitML, 0.4, 2700,
			[]skin{sensitive, oily, combination}, []con{card.ConcernRosacea, card.ConcernAcne, card.ConcernPigmentation}, []ci{card.ContraSunburn},
			"Уменьшает покраснение и воспаления; допустим при беременности по согласованию с врачом.", "azelaic_acid"),
		// Creams.
		p("prd-retinol-night", "Lumière Clinique", "Renew", "Ночной крем с ретинолом 0,3%", card.CategoryMoisturizer, 50, card.UnitML, 0.5, 4800,
			[]skin{normal, combination, oily}, []con{card.ConcernWrinkles, card.ConcernPostAcne, card.ConcernPigmentation, card.ConcernLossOfFirmness},
			retinoid, "Ретинол с инкапсуляцией: начинать с 2 вечеров в неделю; днём SPF 50.", "retinoid", "night"),
		p("prd-barrier-cream", "Skin Ritual", "Barrier", "Крем с церамидами для сухой кожи", card.CategoryMoisturizer, 50, card.UnitML, 1, 2600,
			[]skin{dry, sensitive, normal}, []con{card.ConcernDehydration, card.ConcernSensitivity}, nil,
			"Восстанавливает липидный барьер; утром и вечером.", "ceramides", "fragrance_free"),
		p("prd-light-gel-cream", "Aqua Veil", "Balance", "Лёгкий гель-крем для жирной кожи", card.CategoryMoisturizer, 50, card.UnitML, 0.8, 2200,
			[]skin{oily, combination}, []con{card.ConcernDehydration, card.ConcernEnlargedPores}, nil,
			"Увлажняет без жирного блеска, не забивает поры.", "non_comedogenic", "niacinamide"),
		p("prd-eye-cream", "Lumière Clinique", "Lift", "Крем для кожи вокруг глаз с кофеином", card.CategoryEyeCare, 15, card.UnitML, 0.2, 3100,
			all, []con{card.ConcernWrinkles, card.ConcernLossOfFirmness}, nil,
			"Уменьшает отёчность и тени; утром и вечером.", "caffeine", "peptides"),
		// Sun protection.
		p("prd-spf50-fluid", "Sun Shield", "Daily", "Невесомый флюид SPF 50 PA++++", card.CategorySPF, 50, card.UnitML, 1.5, 2300,
			all, []con{card.ConcernPigmentation, card.ConcernWrinkles}, nil,
			"Ежедневная защита, обязательна после пилингов и лазера; обновлять каждые 2–3 часа на солнце.", "spf", "uv_filter"),
		p("prd-spf50-mineral", "Sun Shield", "Sensitive", "Минеральный крем SPF 50 с оттенком", card.CategorySPF, 40, card.UnitML, 1.2, 2700,
			[]skin{sensitive, dry, normal}, []con{card.ConcernRosacea, card.ConcernSensitivity, card.ConcernPigmentation}, nil,
			"Оксид цинка и диоксид титана; подходит для реактивной кожи и после процедур.", "spf", "mineral_filter", "fragrance_free"),
		// Masks.
		p("prd-clay-mask", "Derma Lab", "Balance", "Маска с белой глиной и серой", card.CategoryMask, 75, card.UnitML, 0.6, 1900,
			[]skin{oily, combination}, []con{card.ConcernAcne, card.ConcernEnlargedPores}, nil,
			"1–2 раза в неделю на 10 минут.", "clay", "sulfur"),
		p("prd-sheet-masks", "Aqua Veil", "Hydra", "Увлажняющие тканевые маски, 5 шт.", card.CategoryMask, 5, card.UnitPieces, 0.3, 1500,
			all, []con{card.ConcernDehydration, card.ConcernDullness}, nil,
			"Экспресс-увлажнение перед событием или после перелёта.", "hyaluronic_acid", "sheet_mask"),
		// After procedures.
		p("prd-cica-recovery", "Skin Ritual", "Post-Care", "Восстанавливающий крем с центеллой после процедур", card.CategoryRecovery, 40, card.UnitML, 1, 2800,
			all, []con{card.ConcernSensitivity, card.ConcernRosacea}, nil,
			"Первые 7–10 дней после пилингов, лазера и чисток: успокаивает и восстанавливает барьер.", "post_procedure", "centella", "fragrance_free"),
		p("prd-panthenol-balm", "Skin Ritual", "Post-Care", "Бальзам с декспантенолом 5%", card.CategoryRecovery, 50, card.UnitML, 1, 1350,
			all, []con{card.ConcernSensitivity, card.ConcernDehydration}, nil,
			"Для шелушения и раздражения после процедур; подходит для губ.", "post_procedure", "panthenol", "fragrance_free"),
	}
}

// loadDemoProducts writes the demo products and their stock into an empty
// catalog and reports whether it did. Each branch gets stock of its own,
// a few products sold out at one of them, so the catalog shows both
// states. Every product is checked as the staff API would check it.
func loadDemoProducts(ctx context.Context, st card.CatalogStore, branchIDs []string) (bool, error) {
	existing, err := st.Products(ctx, card.ProductFilter{})
	if err != nil {
		return false, fmt.Errorf("demo products: %w", err)
	}
	if len(existing) > 0 {
		return false, nil
	}
	// Sold out at the first (1) or the second (2) branch.
	soldOut := map[string]int{"prd-clay-mask": 1, "prd-calming-toner": 2, "prd-sheet-masks": 2}
	now := time.Now().UTC()
	for i, p := range demoProducts() {
		p, err := card.ValidateProduct(p)
		if err != nil {
			return false, fmt.Errorf("demo product %s: %w", p.ID, err)
		}
		p.CreatedAt, p.UpdatedAt = now, now
		if _, err := st.UpsertProduct(ctx, p); err != nil {
			return false, fmt.Errorf("demo product %s: %w", p.ID, err)
		}
		for j, b := range branchIDs {
			qty := 3 + (i*5+j*7)%12 // 3–14 units
			if soldOut[p.ID] == j+1 {
				qty = 0
			}
			if _, err := st.SetStock(ctx, p.ID, b, qty, now); err != nil {
				return false, fmt.Errorf("demo stock %s at %s: %w", p.ID, b, err)
			}
		}
	}
	return true, nil
}
