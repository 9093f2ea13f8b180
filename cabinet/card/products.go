package card

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kabinet-dev/kabinet/booking"
)

// The products catalog: the cosmetics the clinic sells, with what the
// recommendation engine matches on (the skin types and concerns a product
// suits, the contraindications it has, its category and free tags such as
// its actives) and what replenishment reminders need (volume and daily use).
// Stock is kept per branch; orders reserve it (orders.go).

// ProductCategory is what a product is for. The constants are the demo
// catalog's and the default rule set's; a clinic may use other lower-case
// codes.
type ProductCategory string

// Product categories.
const (
	CategoryCleanser    ProductCategory = "cleanser"    // gels, foams, micellar water
	CategoryToner       ProductCategory = "toner"       // toners, essences
	CategoryExfoliant   ProductCategory = "exfoliant"   // AHA/BHA/PHA at home
	CategorySerum       ProductCategory = "serum"       // vitamin C, niacinamide, hyaluronic acid…
	CategoryMoisturizer ProductCategory = "moisturizer" // day and night creams
	CategoryEyeCare     ProductCategory = "eye_care"
	CategorySPF         ProductCategory = "spf" // sunscreen
	CategoryMask        ProductCategory = "mask"
	CategoryRecovery    ProductCategory = "recovery" // after procedures: barrier repair, soothing
	CategoryBody        ProductCategory = "body"
)

// ProductCategories are the categories the constants name, in the order a
// routine uses them.
func ProductCategories() []ProductCategory {
	return []ProductCategory{CategoryCleanser, CategoryToner, CategoryExfoliant, CategorySerum, CategoryMoisturizer,
		CategoryEyeCare, CategorySPF, CategoryMask, CategoryRecovery, CategoryBody}
}

// Unit is the unit of a product's volume and daily use.
type Unit string

// Units.
const (
	UnitML     Unit = "ml"  // millilitres
	UnitG      Unit = "g"   // grams
	UnitPieces Unit = "pcs" // sheet masks, patches, ampoules
)

// Product is one item of the catalog. Prices are in minor units.
type Product struct {
	ID          string
	Brand       string
	Line        string // the brand's series; may be empty
	Name        string
	Category    ProductCategory
	Description string
	// Volume is the content of one unit sold, in Unit (50 ml, 75 g, 5 pcs);
	// 0: not given. DailyUse is how much a client uses a day, in the same
	// unit (a 30 ml serum at 0.5 ml a day lasts 60 days); 0: unknown, and
	// no replenishment reminder is planned.
	Volume   int
	Unit     Unit
	DailyUse float64
	Price    booking.Money
	// What the recommendation engine matches on: the questionnaire's codes
	// of the skin types and concerns the product suits and of the
	// contraindications it has (a retinoid: pregnancy, breastfeeding,
	// isotretinoin), and free lower-case tags ("retinoid", "vitamin_c",
	// "fragrance_free").
	SkinTypes         []SkinType
	Concerns          []ConcernCode
	Contraindications []Contraindication
	Tags              []string
	Active            bool // offered; an inactive product stays in orders and history
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// LastsDays is how many days one unit lasts at the expected daily use,
// rounded down; 0 when volume or daily use is not given.
func (p Product) LastsDays() int { return lastsDays(1, p.Volume, p.DailyUse) }

// Suits reports whether the product is for the skin type (a product that
// names none suits every type).
func (p Product) Suits(t SkinType) bool {
	return len(p.SkinTypes) == 0 || slices.Contains(p.SkinTypes, t)
}

// ContraindicatedFor reports the first of the client's contraindications the
// product has, and whether there is one.
func (p Product) ContraindicatedFor(client []Contraindication) (Contraindication, bool) {
	for _, c := range p.Contraindications {
		if slices.Contains(client, c) {
			return c, true
		}
	}
	return "", false
}

func lastsDays(quantity, volume int, daily float64) int {
	if quantity <= 0 || volume <= 0 || daily <= 0 {
		return 0
	}
	return int(math.Floor(float64(quantity*volume)/daily + 1e-9))
}

// Stock is how many units of a product a branch has available: on the shelf
// and not reserved by an open order.
type Stock struct {
	ProductID string
	BranchID  string
	Quantity  int
	UpdatedAt time.Time
}

// ProductFilter selects products; empty fields match everything.
type ProductFilter struct {
	IDs        []string
	Category   ProductCategory
	ActiveOnly bool
}

// StockFilter selects stock rows; empty fields match everything.
type StockFilter struct {
	ProductIDs []string
	BranchID   string
}

// CatalogStore keeps the products and their stock.
type CatalogStore interface {
	// UpsertProduct inserts p or replaces the product with its ID, keeping
	// the stored CreatedAt on a replace; it reports whether p was new. p
	// needs an ID (else an error wrapping ErrInvalidInput).
	UpsertProduct(ctx context.Context, p Product) (created bool, err error)
	// ProductByID returns ErrNotFound for an unknown ID.
	ProductByID(ctx context.Context, id string) (Product, error)
	// Products returns the matching products ordered by category, brand,
	// name, ID.
	Products(ctx context.Context, f ProductFilter) ([]Product, error)
	// SetStock sets the available quantity (≥ 0) of a product at a branch.
	// ErrNotFound: no such product or branch.
	SetStock(ctx context.Context, productID, branchID string, quantity int, at time.Time) (Stock, error)
	// AddStock adds delta (negative: a write-off) to the available
	// quantity, atomically; ErrOutOfStock (nothing changed) when the result
	// would be negative. ErrNotFound: no such product or branch.
	AddStock(ctx context.Context, productID, branchID string, delta int, at time.Time) (Stock, error)
	// Stock returns the matching stock rows ordered by product, branch. A
	// product never stocked at a branch has no row (none available).
	Stock(ctx context.Context, f StockFilter) ([]Stock, error)
}

// CatalogItem is a product with its stock per branch.
type CatalogItem struct {
	Product Product
	Stock   []Stock // the branches that ever stocked it, ordered by branch
}

// Available is the quantity available at a branch.
func (c CatalogItem) Available(branchID string) int {
	for _, s := range c.Stock {
		if s.BranchID == branchID {
			return s.Quantity
		}
	}
	return 0
}

// CatalogFilter selects catalog items.
type CatalogFilter struct {
	BranchID        string          // only stock at this branch (all branches if empty); an unknown branch is ErrNotFound
	Category        ProductCategory // empty: all
	IncludeInactive bool            // staff: also products no longer offered
}

// Catalog returns the products offered (the active ones; with
// IncludeInactive, all) with their stock — the public catalog. Anyone may
// read it.
//
// Errors: ErrNotFound for an unknown branch; *ValidationError for a
// malformed category.
func (s *Service) Catalog(ctx context.Context, f CatalogFilter) ([]CatalogItem, error) {
	if f.Category != "" && !productCode.MatchString(string(f.Category)) {
		return nil, invalid("category", "Not a product category.", "Такой категории товаров нет.")
	}
	if f.BranchID != "" {
		if err := s.knownBranch(ctx, f.BranchID); err != nil {
			return nil, err
		}
	}
	products, err := s.cfg.Store.Products(ctx, ProductFilter{Category: f.Category, ActiveOnly: !f.IncludeInactive})
	if err != nil {
		return nil, err
	}
	if len(products) == 0 {
		return []CatalogItem{}, nil
	}
	ids := make([]string, len(products))
	for i, p := range products {
		ids[i] = p.ID
	}
	stock, err := s.cfg.Store.Stock(ctx, StockFilter{ProductIDs: ids, BranchID: f.BranchID})
	if err != nil {
		return nil, err
	}
	byProduct := map[string][]Stock{}
	for _, st := range stock {
		byProduct[st.ProductID] = append(byProduct[st.ProductID], st)
	}
	out := make([]CatalogItem, len(products))
	for i, p := range products {
		out[i] = CatalogItem{Product: p, Stock: byProduct[p.ID]}
	}
	return out, nil
}

// CatalogProduct returns one product with its stock. An inactive product is
// ErrNotFound unless includeInactive (staff).
func (s *Service) CatalogProduct(ctx context.Context, id string, includeInactive bool) (CatalogItem, error) {
	p, err := s.cfg.Store.ProductByID(ctx, id)
	if err != nil {
		return CatalogItem{}, err
	}
	if !p.Active && !includeInactive {
		return CatalogItem{}, ErrNotFound
	}
	stock, err := s.cfg.Store.Stock(ctx, StockFilter{ProductIDs: []string{id}})
	if err != nil {
		return CatalogItem{}, err
	}
	return CatalogItem{Product: p, Stock: stock}, nil
}

// PutProduct creates or replaces a product of the catalog (admins only) and
// reports whether it was new. Stock is set separately (SetStock).
//
// Errors: ErrForbidden for anyone but an admin; *ValidationError naming the
// field.
func (s *Service) PutProduct(ctx context.Context, actor Actor, p Product) (Product, bool, error) {
	if actor.Role != booking.RoleAdmin {
		return Product{}, false, ErrForbidden
	}
	if err := normalizeProduct(&p); err != nil {
		return Product{}, false, err
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	created, err := s.cfg.Store.UpsertProduct(ctx, p)
	if err != nil {
		return Product{}, false, err
	}
	stored, err := s.cfg.Store.ProductByID(ctx, p.ID)
	if err != nil {
		return Product{}, false, err
	}
	return stored, created, nil
}

// StockChange is a change of one product's stock at one branch: Set to a
// counted quantity, or Add a delivery (positive) or a write-off (negative).
// Exactly one of them is given.
type StockChange struct {
	ProductID string
	BranchID  string
	Set       *int
	Add       *int
}

// MaxStock bounds a counted quantity and a delivery or write-off.
const MaxStock = 100_000

// ChangeStock changes a product's stock at a branch: admins anywhere,
// managers in their branches.
//
// Errors: ErrForbidden (other staff, a manager of another branch);
// ErrNotFound (no such product or branch); ErrOutOfStock (a write-off of
// more than is available); *ValidationError.
func (s *Service) ChangeStock(ctx context.Context, actor Actor, ch StockChange) (Stock, error) {
	if !manages(actor, ch.BranchID) {
		return Stock{}, ErrForbidden
	}
	switch {
	case ch.BranchID == "":
		return Stock{}, invalid("branch_id", "Choose a branch.", "Выберите филиал.")
	case (ch.Set == nil) == (ch.Add == nil):
		return Stock{}, invalid("quantity", `Give either "quantity" or "add".`, `Укажите либо "quantity", либо "add".`)
	case ch.Set != nil && (*ch.Set < 0 || *ch.Set > MaxStock):
		return Stock{}, invalid("quantity", fmt.Sprintf("Must be from 0 to %d.", MaxStock), fmt.Sprintf("Должно быть от 0 до %d.", MaxStock))
	case ch.Add != nil && (*ch.Add == 0 || *ch.Add < -MaxStock || *ch.Add > MaxStock):
		return Stock{}, invalid("add", fmt.Sprintf("Must be a non-zero number from -%d to %d.", MaxStock, MaxStock),
			fmt.Sprintf("Должно быть ненулевым числом от -%d до %d.", MaxStock, MaxStock))
	}
	if _, err := s.cfg.Store.ProductByID(ctx, ch.ProductID); err != nil {
		return Stock{}, err
	}
	if err := s.knownBranch(ctx, ch.BranchID); err != nil {
		return Stock{}, err
	}
	if ch.Set != nil {
		return s.cfg.Store.SetStock(ctx, ch.ProductID, ch.BranchID, *ch.Set, s.now())
	}
	return s.cfg.Store.AddStock(ctx, ch.ProductID, ch.BranchID, *ch.Add, s.now())
}

// manages reports whether the actor runs the branch: an admin, or a
// manager of it.
func manages(a Actor, branchID string) bool {
	return a.Role == booking.RoleAdmin || a.Role == booking.RoleManager && slices.Contains(a.Branches, branchID)
}

// knownBranch is nil for an existing branch, else ErrNotFound.
func (s *Service) knownBranch(ctx context.Context, id string) error {
	_, err := s.cfg.Booking.Store().BranchByID(ctx, id)
	if errors.Is(err, booking.ErrNotFound) {
		return fmt.Errorf("card: branch %q: %w", id, ErrNotFound)
	}
	return err
}

// Limits of the catalog's texts and lists.
const (
	maxProductID        = 64
	maxProductText      = 120
	maxProductDesc      = 2000
	maxProductTags      = 30
	maxProductVolume    = 100_000
	maxProductPrice     = 100_000_000_00 // a hundred million in minor units
	defaultCurrencyCode = "RUB"
)

var (
	productCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	productID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	currency    = regexp.MustCompile(`^[A-Z]{3}$`)
)

// skinTypes are the questionnaire's skin types.
var skinTypes = []SkinType{SkinNormal, SkinDry, SkinOily, SkinCombination, SkinSensitive}

// ValidateProduct checks a product as PutProduct does — for a host that
// loads a catalog into the store itself (an import, demo data) — and returns
// it normalised: texts trimmed, the currency defaulted to RUB.
//
// Errors: *ValidationError naming the field.
func ValidateProduct(p Product) (Product, error) {
	err := normalizeProduct(&p)
	return p, err
}

// normalizeProduct trims p's texts, checks every field and fills defaults.
func normalizeProduct(p *Product) error {
	p.ID = strings.TrimSpace(p.ID)
	if !productID.MatchString(p.ID) {
		return invalid("id", "An ID is 1–64 letters, digits, dots, dashes or underscores.",
			"Идентификатор — от 1 до 64 латинских букв, цифр, точек, дефисов или подчёркиваний.")
	}
	for _, f := range []struct {
		field, en, ru string
		v             *string
		max           int
		required      bool
	}{
		{"brand", "The brand", "Бренд", &p.Brand, maxProductText, true},
		{"line", "The line", "Линейка", &p.Line, maxProductText, false},
		{"name", "The name", "Название", &p.Name, maxProductText, true},
		{"description", "The description", "Описание", &p.Description, maxProductDesc, false},
	} {
		*f.v = strings.TrimSpace(*f.v)
		if f.required && *f.v == "" {
			return invalid(f.field, f.en+" is required.", f.ru+": обязательное поле.")
		}
		if err := productText(f.field, *f.v, f.max, f.en, f.ru, f.field == "description"); err != nil {
			return err
		}
	}
	if !productCode.MatchString(string(p.Category)) {
		return invalid("category", "The category is a lower-case code such as serum or spf.",
			"Категория — код латиницей в нижнем регистре, например serum или spf.")
	}
	switch {
	case p.Volume < 0 || p.Volume > maxProductVolume:
		return invalid("volume", fmt.Sprintf("The volume must be from 0 to %d.", maxProductVolume),
			fmt.Sprintf("Объём должен быть от 0 до %d.", maxProductVolume))
	case p.Volume > 0 && p.Unit != UnitML && p.Unit != UnitG && p.Unit != UnitPieces:
		return invalid("unit", `The unit is "ml", "g" or "pcs".`, `Единица — "ml", "g" или "pcs".`)
	case p.Volume == 0 && p.Unit != "":
		return invalid("unit", "A unit needs a volume.", "Единица указывается вместе с объёмом.")
	case math.IsNaN(p.DailyUse) || p.DailyUse < 0 || p.DailyUse > float64(p.Volume):
		return invalid("daily_use", "The daily use is from 0 to the volume.", "Расход в день — от 0 до объёма.")
	case p.DailyUse > 0 && float64(p.Volume)/p.DailyUse > 3650:
		return invalid("daily_use", "At that daily use the product would last more than ten years.",
			"При таком расходе средства хватило бы больше чем на десять лет.")
	}
	if p.Price.Currency == "" {
		p.Price.Currency = defaultCurrencyCode
	}
	switch {
	case p.Price.Amount < 0 || p.Price.Amount > maxProductPrice:
		return invalid("price.amount", "The price is out of range.", "Цена вне допустимого диапазона.")
	case !currency.MatchString(p.Price.Currency):
		return invalid("price.currency", "The currency is an ISO 4217 code such as RUB.", "Валюта — код ISO 4217, например RUB.")
	}
	var err error
	if p.SkinTypes, err = productCodes("skin_types", p.SkinTypes, skinTypes); err != nil {
		return err
	}
	if p.Concerns, err = productCodes("concerns", p.Concerns, ConcernCodes()); err != nil {
		return err
	}
	if p.Contraindications, err = productCodes("contraindications", p.Contraindications, Contraindications()); err != nil {
		return err
	}
	if len(p.Tags) > maxProductTags {
		return invalid("tags", fmt.Sprintf("At most %d tags.", maxProductTags), fmt.Sprintf("Не больше %d тегов.", maxProductTags))
	}
	tags := make([]string, 0, len(p.Tags))
	for i, t := range p.Tags {
		if !productCode.MatchString(t) {
			return invalid(fmt.Sprintf("tags[%d]", i), "A tag is a lower-case code: letters, digits and underscores.",
				"Тег — код латиницей в нижнем регистре: буквы, цифры и подчёркивания.")
		}
		if slices.Contains(tags, t) {
			return invalid(fmt.Sprintf("tags[%d]", i), "The tag is given twice.", "Тег указан дважды.")
		}
		tags = append(tags, t)
	}
	p.Tags = tags
	return nil
}

// productCodes checks a list of the questionnaire's codes: known, each once.
func productCodes[T ~string](field string, list, known []T) ([]T, error) {
	out := make([]T, 0, len(list))
	for i, c := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !slices.Contains(known, c) {
			return nil, invalid(f, fmt.Sprintf("%q is not a known code.", string(c)), "Неизвестный код.")
		}
		if slices.Contains(out, c) {
			return nil, invalid(f, "The code is given twice.", "Код указан дважды.")
		}
		out = append(out, c)
	}
	return out, nil
}

// productText refuses invalid UTF-8, control characters (newlines and tabs
// allowed where multiline is) and texts longer than max characters.
func productText(field, s string, max int, en, ru string, multiline bool) error {
	bad := func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))
	}
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, bad):
		return invalid(field, en+" contains characters that are not allowed.", ru+": недопустимые символы.")
	case utf8.RuneCountInString(s) > max:
		return invalid(field, fmt.Sprintf("%s is too long: at most %d characters.", en, max),
			fmt.Sprintf("%s: слишком длинно, не больше %d символов.", ru, max))
	}
	return nil
}
