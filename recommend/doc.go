// Package recommend is Kabinet's rule engine: it turns facts about one
// client (questionnaire, skin journal, visits, courses, purchases,
// favourites) and the clinic's catalog into ranked, explained
// recommendations and personal offers. Rules are data — a versioned JSON
// document — and an embedded default rule set for skin care comes with the
// package. It imports no other Kabinet package: callers hand it plain
// Facts and Items.
//
// What it promises:
//
//   - Safety does not depend on the rules. An item whose contraindications
//     include one of the client's is never recommended, and neither is
//     anything the engine's built-in exclusions rule out (below); no rule
//     document can undo either, and Explain names the exclusion.
//   - Determinism. The same facts and catalog give the same list, whatever
//     the order of the catalog or of the history: ties are broken by item
//     ID, and reasons come in rule order.
//   - Explanations. Every recommendation carries every reason that fired
//     (rule ID and text in Russian and English); Explain says for any item
//     why it is or is not recommended.
//   - An Engine is immutable and safe for concurrent use; a call does no
//     I/O and reads no clock unless Facts.Now is zero.
//
// # Use
//
//	rules, err := recommend.Parse(doc) // or recommend.DefaultRules()
//	engine, err := recommend.New(recommend.Config{Rules: rules})
//	recs := engine.Recommend(facts, catalog, recommend.Options{Limit: 20})
//	why := engine.Explain(facts, catalog, "svc-peel-tca")
//	offers := engine.Offers(facts, catalog)
//
// # How items are ranked
//
// Each rule whose conditions hold runs its actions. A recommend action adds
// its weight (positive or negative) to every item it selects and records
// its reason; an exclude action rules the items it selects out. An item is
// recommended when its weights sum above zero and nothing excludes it. The
// list is ordered: first the next sessions of due courses (builtin.course),
// then by score, highest first, then by item ID. Category diversity then
// lets at most Options.MaxPerCategory items (default 2) of one category —
// per kind: a peel procedure and a peel product differ — into the first
// Options.DiversityTop places (default 6); the others follow in rank
// order. Items without a category, and due course sessions, are not
// limited. A rule's priority orders the reasons (highest first) and the
// offers; it does not change scores.
//
// # Built into the engine, and in the default rules
//
// The engine applies these exclusions itself, to every rule set (each is a
// Rule… constant, the RuleID of the Exclusion Explain reports). Tags and
// categories are matched on the catalog's items:
//
//   - builtin.contraindication: the item's Contraindications intersect the
//     client's.
//   - builtin.pregnancy: pregnancy or breastfeeding — items tagged
//     chemical_peel, deep_peel, retinoid, injectable, laser, energy_based,
//     microcurrent or radiofrequency, or of category peel, injection, laser.
//   - builtin.dark_phototype: phototype V–VI — items tagged
//     laser_light_skin_only.
//   - builtin.sunburn: a recent sunburn — chemical_peel, deep_peel,
//     exfoliating, aha, bha, retinoid, laser; categories peel, exfoliant,
//     laser.
//   - builtin.skin_barrier: active herpes or a skin infection — procedures
//     tagged chemical_peel, deep_peel, injectable, laser,
//     mechanical_cleansing, barrier_disrupting or microneedling, or of
//     category peel, cleansing, injection, laser.
//   - builtin.isotretinoin: isotretinoin within 6 months — chemical_peel,
//     deep_peel, laser, exfoliating, aha, bha, mechanical_cleansing;
//     categories peel, exfoliant, laser.
//   - builtin.pacemaker: a pacemaker — procedures tagged microcurrent,
//     radiofrequency, electrical or energy_based, or of category
//     microcurrent.
//   - builtin.season: deep_peel in a high-sun month (Config.HighSunMonths:
//     April–September in the northern hemisphere, October–March in the
//     southern one, by default).
//   - builtin.cooldown: a procedure the client had less than its
//     Item.CooldownDays ago.
//   - builtin.skin_type: an item that names skin types, not the client's.
//   - builtin.in_supply: a product the client bought whose supply lasts
//     beyond Config.RestockDays (14) from now.
//
// The first eight are hard; the last three are soft: the next session of a
// due course (a Plan whose NextDue is within Config.PlanDueAhead, 3 days,
// and not booked) is recommended despite them — the specialist planned it —
// and goes to the top of the list (builtin.course), but never despite a
// hard one.
//
// The default rules (default_rules.json, DefaultRules) hold what is advice
// rather than a safety floor, and what a clinic may want to tune: a rule for
// every skin type and every concern of the questionnaire (what treats it,
// which actives, when to see a dermatologist), journal scores and trends,
// care after peels, laser and injections (SPF, recovery, no home acids or
// retinoids for two weeks, no massage after injections), restocking,
// favourites, consultations for new clients and yearly, seasonal weights
// (SPF in summer, caution with laser in the sunny seasons, peels in autumn
// and winter), age and phototype, and exclusions for relative
// contraindications: under 18 (no injections, deep peels, laser,
// retinoids), anticoagulants (no injections), keloid tendency (no deep
// peels, ablative laser, microneedling), phototype V–VI (no deep peels),
// rosacea (no mechanical cleansing), inflamed acne (no massage). Its offers:
// come back after 90 days without a visit, birthday month, a course
// completed (maintenance), a favourite service, a first consultation.
//
// # The rule document
//
// A document is a JSON object {"version": 1, "rules": [...]}. Decoding is
// strict: an unknown or repeated field, a value of the wrong type or out of
// range is an error, a *ParseError naming the rule and the field, e.g.
// "rules[3] (peel-pregnancy): when.month: 13 is not a month". A rule:
//
//	{
//	  "id": "after-peel-spf",              // required; lower-case letters, digits, . _ -; unique; not "builtin…"
//	  "description": "SPF after a peel.",   // required; for staff
//	  "priority": 20,                       // optional; -1000 to 1000, default 0
//	  "when": {...},                        // optional; a condition, default: always
//	  "then": [{...}, ...]                  // required; 1 to 50 actions
//	}
//
// Codes (skin types, concerns, contraindications, tags, categories) are
// lower-case letters, digits and underscores; the engine does not check
// them against the questionnaire's lists, so new codes work as they come.
//
// # Conditions
//
// A condition is an object; every key given must hold ("{}" always holds).
// A condition about something unknown (no skin type, age 0…) is false.
//
//	"skin_type": ["oily", "combination"]          the client's skin type is one of these
//	"concern": {"code": "acne", "min_severity": 2} the client has the concern, severity ≥ min (1–3, default 1)
//	"age": {"min": 18, "max": 35}                  age within the range (0–150; either bound may be left out)
//	"phototype": {"min": 5}                        phototype within the range (1–6)
//	"contraindication": ["pregnancy"]              the client has at least one of these
//	"no_contraindication": ["isotretinoin"]        the client has none of these
//	"allergy": ["fragrance"]                       one of the client's allergies, ignoring case
//	"month": [4, 5, 6]                             the month of Now (1–12)
//	"season": ["summer"]                           the season of Now: winter, spring, summer, autumn (Config.Hemisphere)
//	"birthday_month": true                         Now is in the client's birth month
//	"score": {"concern": "acne", "min": 7}         the latest journal score (0–10) within min…max
//	"trend": {"concern": "acne", "direction": "worsening", "min_change": 1}
//	                                               the score changes by at least min_change (default 1) per 30 days,
//	                                               up (worsening) or down (improving)
//	"procedure": {"tag": "chemical_peel", "within_days": 30}
//	                                               a procedure matching item / category / tag (each optional) within N days;
//	                                               or "not_within_days": N (none in N days, also never),
//	                                               or "ever": true (any time) — exactly one of the three
//	"bought": {"tag": "retinoid", "within_days": 90}
//	                                               the same for purchases, plus "runs_out_within_days": N —
//	                                               the latest matching purchase's supply ends within N days
//	"plan": {"state": "due", "service": "svc-x"}   a treatment plan that is "active", "due" (its next session),
//	                                               or "completed" (optionally "within_days": N)
//	"favorite": {"kinds": ["procedure"]}           a favourite matching the selector (below); {}: any favourite
//	"all": [{...}, ...]                            every condition holds
//	"any": [{...}, ...]                            at least one holds
//	"not": {...}                                   the condition does not hold
//
// all / any / not nest up to 8 deep. A false flag ("ever": false) is
// refused: leave it out or use "not".
//
// # Actions and selectors
//
// Each action is an object with exactly one key:
//
//	{"recommend": {"tags": ["spf"], "weight": 3, "reason": {"ru": "…", "en": "…"}}}
//	{"exclude": {"categories": ["massage"], "reason": {"ru": "…", "en": "…"}}}
//	{"offer": {"id": "come-back-15", "title": {"ru": "…", "en": "…"}, "discount_percent": 15,
//	           "gift": {"ru": "…", "en": "…"}, "valid_days": 30, "per_client_limit": 1,
//	           "limit_period_days": 180, "applies_to": {"kinds": ["procedure"]}}}
//
// A weight is a non-zero number from -100 to 100; a reason has both
// languages. Recommend and exclude select items, and an offer may be tied to
// items (applies_to), with a selector: an item is selected when it meets
// every criterion given (within one list, any entry), and at least one must
// be given:
//
//	"ids": ["svc-botox"]        the item's ID
//	"tags": ["spf"]             one of its tags
//	"categories": ["peel"]      its category
//	"kinds": ["product"]        its kind: procedure, product, home_care
//	"concerns": ["acne"]        one of the concerns it treats
//	"skin_types": ["dry"]       one of the skin types it names
//	"favorites": true           it is one of the client's favourites
//	"running_out": true         a product the client bought that runs out within Config.RestockDays,
//	                            or ran out less than 60 days ago
//
// An offer needs discount_percent (1–100), a gift text, or both, and
// valid_days (1–366); per_client_limit defaults to 1 and counts the offers
// given within limit_period_days (default: ever, from Facts.OffersGiven).
// Offer IDs are unique in a document. Offers returns it valid from Now to
// the end of the valid_days-th day after, in Now's location; an offer tied
// to items names only those the client may have, and is not made if none
// is left.
//
// A complete example:
//
//	{
//	  "version": 1,
//	  "rules": [
//	    {
//	      "id": "rosacea-no-mechanical",
//	      "description": "Rosacea: no mechanical cleansing.",
//	      "when": {"concern": {"code": "rosacea"}},
//	      "then": [{"exclude": {"tags": ["mechanical_cleansing"],
//	                "reason": {"ru": "При розацеа механическая чистка травмирует сосуды.",
//	                           "en": "With rosacea, mechanical cleansing injures the vessels."}}}]
//	    },
//	    {
//	      "id": "acne-dermatologist",
//	      "description": "Marked acne or a high journal score: see a dermatologist.",
//	      "priority": 10,
//	      "when": {"any": [{"concern": {"code": "acne", "min_severity": 3}},
//	                       {"score": {"concern": "acne", "min": 7}}]},
//	      "then": [{"recommend": {"tags": ["dermatologist"], "weight": 4,
//	                "reason": {"ru": "При выраженных акне лечение подбирает дерматолог.",
//	                           "en": "Marked acne is treated by a dermatologist."}}}]
//	    },
//	    {
//	      "id": "offer-come-back",
//	      "description": "No visit for 90 days: a come-back discount.",
//	      "when": {"all": [{"procedure": {"ever": true}}, {"procedure": {"not_within_days": 90}}]},
//	      "then": [{"offer": {"id": "come-back-15", "title": {"ru": "Скучаем по вам: −15%", "en": "We miss you: 15% off"},
//	                "discount_percent": 15, "valid_days": 30, "limit_period_days": 180}}]}
//	  ]
//	}
//
// Limits: a document of at most 4 MiB (MaxDocumentSize) and 10,000 rules
// (MaxRules); lists of at most 200 entries; texts of at most 500
// characters (descriptions 1,000).
package recommend
