package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// orderRoutes are the card's endpoints of the products catalog, orders,
// purchases, visits and the plan.
func (s *server) orderRoutes() []route {
	return []route{
		{"GET /api/v1/products", s.handle(s.products)},
		{"GET /api/v1/products/{id}", s.handle(s.product)},
		{"GET /api/v1/staff/products", s.authed(s.staffProducts)},
		{"PUT /api/v1/staff/products/{id}", s.authed(s.putProduct)},
		{"PUT /api/v1/staff/products/{id}/stock", s.authed(s.changeStock)},

		{"POST /api/v1/me/orders", s.authed(s.placeOrder)},
		{"GET /api/v1/me/orders", s.authed(s.myOrders)},
		{"GET /api/v1/me/orders/{id}", s.authed(s.orderGet(false))},
		{"POST /api/v1/me/orders/{id}/cancel", s.authed(s.cancelOrder)},
		{"GET /api/v1/me/purchases", s.authed(s.purchasesGet(false))},
		{"GET /api/v1/me/visits", s.authed(s.visitsGet(false))},
		{"GET /api/v1/me/plan", s.authed(s.carePlan)},

		{"GET /api/v1/staff/orders", s.authed(s.branchOrders)},
		{"GET /api/v1/staff/orders/{id}", s.authed(s.orderGet(true))},
		{"POST /api/v1/staff/orders/{id}/status", s.authed(s.orderStatus)},
		{"POST /api/v1/staff/clients/{id}/orders", s.authed(s.recordPurchase)},
		{"GET /api/v1/staff/clients/{id}/orders", s.authed(s.clientOrders)},
		{"GET /api/v1/staff/clients/{id}/purchases", s.authed(s.purchasesGet(true))},
		{"GET /api/v1/staff/clients/{id}/visits", s.authed(s.visitsGet(true))},
		{"PUT /api/v1/staff/appointments/{id}/visit-note", s.authed(s.writeVisitNote)},
	}
}

// orderError records a staff action the card refused (403) in the audit
// trail, as the other staff endpoints do.
func (s *server) orderError(r *http.Request, who auth.Identity, err error) error {
	if errors.Is(err, card.ErrForbidden) {
		_ = s.denied(r, who, auth.ErrForbidden)
	}
	return err
}

// ---- catalog ---------------------------------------------------------------

type stockJSON struct {
	BranchID  string     `json:"branch_id"`
	InStock   bool       `json:"in_stock"`
	Quantity  *int       `json:"quantity,omitempty"`   // staff views
	UpdatedAt *time.Time `json:"updated_at,omitempty"` // staff views
}

type productJSON struct {
	ID                string                  `json:"id"`
	Brand             string                  `json:"brand"`
	Line              string                  `json:"line,omitempty"`
	Name              string                  `json:"name"`
	Category          card.ProductCategory    `json:"category"`
	Description       string                  `json:"description,omitempty"`
	Volume            int                     `json:"volume,omitempty"`
	Unit              card.Unit               `json:"unit,omitempty"`
	DailyUse          float64                 `json:"daily_use,omitempty"`
	LastsDays         int                     `json:"lasts_days,omitempty"`
	Price             booking.Money           `json:"price"`
	SkinTypes         []card.SkinType         `json:"skin_types"`
	Concerns          []card.ConcernCode      `json:"concerns"`
	Contraindications []card.Contraindication `json:"contraindications"`
	Tags              []string                `json:"tags"`
	Stock             []stockJSON             `json:"stock"`
	InStock           *bool                   `json:"in_stock,omitempty"` // with ?branch_id=: at that branch
	Active            *bool                   `json:"active,omitempty"`   // staff views
	CreatedAt         *time.Time              `json:"created_at,omitempty"`
	UpdatedAt         *time.Time              `json:"updated_at,omitempty"`
}

func ordersNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// toProductJSON renders a catalog item: stock as in-stock flags, and for
// staff with quantities, the active flag and times. With branchID, InStock
// says whether that branch has it.
func toProductJSON(it card.CatalogItem, branchID string, staff bool) productJSON {
	p := it.Product
	out := productJSON{ID: p.ID, Brand: p.Brand, Line: p.Line, Name: p.Name, Category: p.Category, Description: p.Description,
		Volume: p.Volume, Unit: p.Unit, DailyUse: p.DailyUse, LastsDays: p.LastsDays(), Price: p.Price,
		SkinTypes: ordersNonNil(p.SkinTypes), Concerns: ordersNonNil(p.Concerns), Contraindications: ordersNonNil(p.Contraindications),
		Tags: ordersNonNil(p.Tags), Stock: make([]stockJSON, 0, len(it.Stock))}
	for _, st := range it.Stock {
		x := stockJSON{BranchID: st.BranchID, InStock: st.Quantity > 0}
		if staff {
			q, at := st.Quantity, st.UpdatedAt.UTC()
			x.Quantity, x.UpdatedAt = &q, &at
		}
		out.Stock = append(out.Stock, x)
	}
	if branchID != "" {
		in := it.Available(branchID) > 0
		out.InStock = &in
	}
	if staff {
		active, created, updated := p.Active, p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		out.Active, out.CreatedAt, out.UpdatedAt = &active, &created, &updated
	}
	return out
}

// products: GET /api/v1/products[?branch_id=&category=] — the public
// catalog: active products, in stock or not at each branch.
func (s *server) products(w http.ResponseWriter, r *http.Request) error {
	return s.writeCatalog(w, r, false)
}

// staffProducts: GET /api/v1/staff/products[?branch_id=&category=] — every
// product, the inactive too, with quantities.
func (s *server) staffProducts(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	if err := s.staffOnly(r, who); err != nil {
		return err
	}
	return s.writeCatalog(w, r, true)
}

func (s *server) writeCatalog(w http.ResponseWriter, r *http.Request, staff bool) error {
	q := r.URL.Query()
	f := card.CatalogFilter{BranchID: q.Get("branch_id"), Category: card.ProductCategory(q.Get("category")), IncludeInactive: staff}
	items, err := s.card.Catalog(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]productJSON, 0, len(items))
	for _, it := range items {
		out = append(out, toProductJSON(it, f.BranchID, staff))
	}
	writeJSON(w, http.StatusOK, map[string]any{"products": out})
	return nil
}

// product: GET /api/v1/products/{id}.
func (s *server) product(w http.ResponseWriter, r *http.Request) error {
	it, err := s.card.CatalogProduct(r.Context(), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toProductJSON(it, "", false))
	return nil
}

type productInputJSON struct {
	Brand             string                  `json:"brand"`
	Line              string                  `json:"line"`
	Name              string                  `json:"name"`
	Category          card.ProductCategory    `json:"category"`
	Description       string                  `json:"description"`
	Volume            int                     `json:"volume"`
	Unit              card.Unit               `json:"unit"`
	DailyUse          float64                 `json:"daily_use"`
	Price             booking.Money           `json:"price"`
	SkinTypes         []card.SkinType         `json:"skin_types"`
	Concerns          []card.ConcernCode      `json:"concerns"`
	Contraindications []card.Contraindication `json:"contraindications"`
	Tags              []string                `json:"tags"`
	Active            *bool                   `json:"active"` // default true
}

// putProduct: PUT /api/v1/staff/products/{id} (admins) — 201 when new.
func (s *server) putProduct(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	var in productInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := card.Product{ID: r.PathValue("id"), Brand: in.Brand, Line: in.Line, Name: in.Name, Category: in.Category,
		Description: in.Description, Volume: in.Volume, Unit: in.Unit, DailyUse: in.DailyUse, Price: in.Price,
		SkinTypes: in.SkinTypes, Concerns: in.Concerns, Contraindications: in.Contraindications, Tags: in.Tags,
		Active: in.Active == nil || *in.Active}
	p, created, err := s.card.PutProduct(r.Context(), actor, p)
	if err != nil {
		return s.orderError(r, who, err)
	}
	it, err := s.card.CatalogProduct(r.Context(), p.ID, true)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, toProductJSON(it, "", true))
	return nil
}

type stockChangeJSON struct {
	BranchID string `json:"branch_id"`
	Quantity *int   `json:"quantity"` // the counted quantity
	Add      *int   `json:"add"`      // a delivery (+) or write-off (−)
}

// changeStock: PUT /api/v1/staff/products/{id}/stock (admins, managers of
// the branch).
func (s *server) changeStock(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	var in stockChangeJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.card.ChangeStock(r.Context(), actor, card.StockChange{ProductID: r.PathValue("id"), BranchID: in.BranchID,
		Set: in.Quantity, Add: in.Add})
	if err != nil {
		return s.orderError(r, who, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"product_id": st.ProductID, "branch_id": st.BranchID,
		"quantity": st.Quantity, "in_stock": st.Quantity > 0, "updated_at": st.UpdatedAt.UTC()})
	return nil
}

// ---- orders ----------------------------------------------------------------

type orderItemJSON struct {
	ProductID string               `json:"product_id"`
	Brand     string               `json:"brand"`
	Line      string               `json:"line,omitempty"`
	Name      string               `json:"name"`
	Category  card.ProductCategory `json:"category"`
	Volume    int                  `json:"volume,omitempty"`
	Unit      card.Unit            `json:"unit,omitempty"`
	Quantity  int                  `json:"quantity"`
	UnitPrice booking.Money        `json:"unit_price"`
	Subtotal  booking.Money        `json:"subtotal"`
}

type orderHistoryJSON struct {
	From    card.OrderStatus `json:"from,omitempty"`
	To      card.OrderStatus `json:"to"`
	At      time.Time        `json:"at"`
	By      string           `json:"by,omitempty"` // staff views
	ByStaff bool             `json:"by_staff"`
	Reason  string           `json:"reason,omitempty"`
}

type orderJSON struct {
	ID           string             `json:"id"`
	Number       int64              `json:"number"`
	Status       card.OrderStatus   `json:"status"`
	Source       card.OrderSource   `json:"source"`
	BranchID     string             `json:"branch_id"`
	ClientID     string             `json:"client_id,omitempty"` // staff views
	Items        []orderItemJSON    `json:"items"`
	Total        booking.Money      `json:"total"`
	Note         string             `json:"note,omitempty"`
	CancelReason string             `json:"cancel_reason,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
	UpdatedAt    time.Time          `json:"updated_at"`
	CompletedAt  *time.Time         `json:"completed_at,omitempty"`
	History      []orderHistoryJSON `json:"history,omitempty"` // single-order views
}

func toOrderJSON(o card.Order, staff bool) orderJSON {
	out := orderJSON{ID: o.ID, Number: o.Number, Status: o.Status, Source: o.Source, BranchID: o.BranchID,
		Items: make([]orderItemJSON, 0, len(o.Items)), Total: o.Total, Note: o.Note, CancelReason: o.CancelReason,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
	if staff {
		out.ClientID = o.ClientID
	}
	if !o.CompletedAt.IsZero() {
		t := o.CompletedAt.UTC()
		out.CompletedAt = &t
	}
	for _, it := range o.Items {
		out.Items = append(out.Items, orderItemJSON{ProductID: it.ProductID, Brand: it.Brand, Line: it.Line, Name: it.Name,
			Category: it.Category, Volume: it.Volume, Unit: it.Unit, Quantity: it.Quantity, UnitPrice: it.UnitPrice,
			Subtotal: it.Subtotal()})
	}
	return out
}

func toOrdersJSON(list []card.Order, staff bool) []orderJSON {
	out := make([]orderJSON, 0, len(list))
	for _, o := range list {
		out = append(out, toOrderJSON(o, staff))
	}
	return out
}

type orderLineJSON struct {
	ProductID string `json:"product_id"`
	Quantity  int    `json:"quantity"`
}

type orderInputJSON struct {
	BranchID string          `json:"branch_id"`
	Items    []orderLineJSON `json:"items"`
	Note     string          `json:"note"`
}

func (in orderInputJSON) input(r *http.Request) card.OrderInput {
	out := card.OrderInput{BranchID: in.BranchID, Note: in.Note, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	for _, l := range in.Items {
		out.Lines = append(out.Lines, card.OrderLine{ProductID: l.ProductID, Quantity: l.Quantity})
	}
	return out
}

// placeOrder: POST /api/v1/me/orders — 201, or 200 for a retry with the
// same Idempotency-Key.
func (s *server) placeOrder(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	var in orderInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, created, err := s.card.PlaceOrder(r.Context(), actor, in.input(r))
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, toOrderJSON(o, false))
	return nil
}

// orderStatuses reads ?status=: one status, or "open" (new, confirmed,
// ready); empty: all.
func orderStatuses(r *http.Request) ([]card.OrderStatus, error) {
	v := r.URL.Query().Get("status")
	switch {
	case v == "":
		return nil, nil
	case v == "open":
		return []card.OrderStatus{card.OrderNew, card.OrderConfirmed, card.OrderReady}, nil
	}
	for _, st := range card.OrderStatuses() {
		if string(st) == v {
			return []card.OrderStatus{st}, nil
		}
	}
	return nil, &fieldError{field: "status", err: errMalformedParam}
}

// myOrders: GET /api/v1/me/orders[?status=].
func (s *server) myOrders(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	statuses, err := orderStatuses(r)
	if err != nil {
		return err
	}
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	list, err := s.card.Orders(r.Context(), actor, who.User.ID, statuses...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": toOrdersJSON(list, false)})
	return nil
}

// clientOrders: GET /api/v1/staff/clients/{id}/orders[?status=].
func (s *server) clientOrders(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	statuses, err := orderStatuses(r)
	if err != nil {
		return err
	}
	list, err := s.card.Orders(r.Context(), actor, r.PathValue("id"), statuses...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": toOrdersJSON(list, true)})
	return nil
}

// branchOrders: GET /api/v1/staff/orders[?branch_id=&status=] — the front
// desk's list (admins; managers, their branches).
func (s *server) branchOrders(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	statuses, err := orderStatuses(r)
	if err != nil {
		return err
	}
	f := card.OrderFilter{Statuses: statuses}
	if b := r.URL.Query().Get("branch_id"); b != "" {
		f.BranchIDs = []string{b}
	}
	list, err := s.card.BranchOrders(r.Context(), actor, f)
	if err != nil {
		return s.orderError(r, who, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": toOrdersJSON(list, true)})
	return nil
}

// orderGet: GET /api/v1/me/orders/{id} and /staff/orders/{id}, with history.
func (s *server) orderGet(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.cardActor(r, who, staff)
		if err != nil {
			return err
		}
		o, hist, err := s.card.Order(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			return err
		}
		out := toOrderJSON(o, staff)
		out.History = make([]orderHistoryJSON, 0, len(hist))
		for _, h := range hist {
			x := orderHistoryJSON{From: h.From, To: h.To, At: h.At.UTC(), ByStaff: h.ByStaff, Reason: h.Reason}
			if staff {
				x.By = h.By
			}
			out.History = append(out.History, x)
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

// cancelOrder: POST /api/v1/me/orders/{id}/cancel — while the order is new.
func (s *server) cancelOrder(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	var in reasonJSON
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	o, err := s.card.CancelOrder(r.Context(), actor, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o, false))
	return nil
}

type orderStatusJSON struct {
	Status card.OrderStatus `json:"status"`
	Reason string           `json:"reason"`
}

// orderStatus: POST /api/v1/staff/orders/{id}/status {status, reason}.
func (s *server) orderStatus(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	var in orderStatusJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := s.card.SetOrderStatus(r.Context(), actor, r.PathValue("id"), in.Status, in.Reason)
	if err != nil {
		return s.orderError(r, who, err)
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o, true))
	return nil
}

// recordPurchase: POST /api/v1/staff/clients/{id}/orders — a purchase at
// the desk, completed at once.
func (s *server) recordPurchase(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	var in orderInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	clientID := r.PathValue("id")
	if _, err := s.auth.User(r.Context(), who.Principal(), clientID); err != nil {
		if errors.Is(err, auth.ErrNotFound) {
			return card.ErrNotFound
		}
		return s.orderError(r, who, err)
	}
	in2 := in.input(r)
	in2.IdempotencyKey = ""
	o, err := s.card.RecordPurchase(r.Context(), actor, clientID, in2)
	if err != nil {
		return s.orderError(r, who, err)
	}
	writeJSON(w, http.StatusCreated, toOrderJSON(o, true))
	return nil
}

type purchaseJSON struct {
	ProductID     string               `json:"product_id"`
	Brand         string               `json:"brand"`
	Line          string               `json:"line,omitempty"`
	Name          string               `json:"name"`
	Category      card.ProductCategory `json:"category"`
	Volume        int                  `json:"volume,omitempty"`
	Unit          card.Unit            `json:"unit,omitempty"`
	Quantity      int                  `json:"quantity"`
	Times         int                  `json:"times"`
	LastPrice     booking.Money        `json:"last_price"`
	FirstBoughtAt time.Time            `json:"first_bought_at"`
	LastBoughtAt  time.Time            `json:"last_bought_at"`
	LastOrderID   string               `json:"last_order_id"`
	LastBranchID  string               `json:"last_branch_id"`
	LastsDays     int                  `json:"lasts_days,omitempty"`
	RunsOutAround string               `json:"runs_out_around,omitempty"` // YYYY-MM-DD in the branch's zone
}

// purchasesGet: GET /api/v1/me/purchases and /staff/clients/{id}/purchases.
func (s *server) purchasesGet(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.cardActor(r, who, staff)
		if err != nil {
			return err
		}
		clientID := who.User.ID
		if staff {
			clientID = r.PathValue("id")
		}
		list, err := s.card.Purchases(r.Context(), actor, clientID)
		if err != nil {
			return err
		}
		out := make([]purchaseJSON, 0, len(list))
		for _, p := range list {
			x := purchaseJSON{ProductID: p.ProductID, Brand: p.Brand, Line: p.Line, Name: p.Name, Category: p.Category,
				Volume: p.Volume, Unit: p.Unit, Quantity: p.Quantity, Times: p.Times, LastPrice: p.LastPrice,
				FirstBoughtAt: p.FirstBought.UTC(), LastBoughtAt: p.LastBought.UTC(), LastOrderID: p.LastOrderID,
				LastBranchID: p.LastBranchID, LastsDays: p.LastsDays}
			if !p.RunsOutAround.IsZero() {
				x.RunsOutAround = booking.DateOf(p.RunsOutAround, s.branchLocation(r, p.LastBranchID)).String()
			}
			out = append(out, x)
		}
		writeJSON(w, http.StatusOK, map[string]any{"purchases": out})
		return nil
	}
}

// ---- visits and the plan ---------------------------------------------------------

type visitRecommendationJSON struct {
	Kind   card.RecommendationKind `json:"kind"`
	ItemID string                  `json:"item_id,omitempty"`
	Name   string                  `json:"name,omitempty"`
	Text   string                  `json:"text,omitempty"`
}

func toVisitRecommendationsJSON(in []card.Recommendation) []visitRecommendationJSON {
	out := make([]visitRecommendationJSON, 0, len(in))
	for _, x := range in {
		out = append(out, visitRecommendationJSON{Kind: x.Kind, ItemID: x.ItemID, Name: x.Name, Text: x.Text})
	}
	return out
}

type visitJSON struct {
	AppointmentID   string                    `json:"appointment_id"`
	Start           time.Time                 `json:"start"`
	End             time.Time                 `json:"end"`
	ServiceID       string                    `json:"service_id"`
	ServiceName     string                    `json:"service_name"`
	SpecialistID    string                    `json:"specialist_id"`
	SpecialistName  string                    `json:"specialist_name"`
	BranchID        string                    `json:"branch_id"`
	BranchName      string                    `json:"branch_name"`
	Price           booking.Money             `json:"price"`
	PlanID          string                    `json:"plan_id,omitempty"`
	Notes           string                    `json:"notes,omitempty"`
	Recommendations []visitRecommendationJSON `json:"recommendations"`
	NoteUpdatedAt   *time.Time                `json:"note_updated_at,omitempty"`
}

// visitsGet: GET /api/v1/me/visits and /staff/clients/{id}/visits.
func (s *server) visitsGet(staff bool) func(http.ResponseWriter, *http.Request, auth.Identity) error {
	return func(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
		actor, err := s.cardActor(r, who, staff)
		if err != nil {
			return err
		}
		clientID := who.User.ID
		if staff {
			clientID = r.PathValue("id")
		}
		list, err := s.card.Visits(r.Context(), actor, clientID)
		if err != nil {
			return err
		}
		out := make([]visitJSON, 0, len(list))
		for _, v := range list {
			a := v.Appointment
			loc := s.branchLocation(r, a.BranchID)
			x := visitJSON{AppointmentID: a.ID, Start: a.Start.In(loc), End: a.End.In(loc), ServiceID: a.ServiceID,
				ServiceName: v.ServiceName, SpecialistID: a.SpecialistID, SpecialistName: v.SpecialistName,
				BranchID: a.BranchID, BranchName: v.BranchName, Price: a.Price, PlanID: a.PlanID, Notes: v.Note.Notes,
				Recommendations: toVisitRecommendationsJSON(v.Note.Recommendations)}
			if !v.Note.UpdatedAt.IsZero() {
				t := v.Note.UpdatedAt.UTC()
				x.NoteUpdatedAt = &t
			}
			out = append(out, x)
		}
		writeJSON(w, http.StatusOK, map[string]any{"visits": out})
		return nil
	}
}

type visitNoteInputJSON struct {
	Notes           string `json:"notes"`
	Recommendations []struct {
		Kind   card.RecommendationKind `json:"kind"`
		ItemID string                  `json:"item_id"`
		Text   string                  `json:"text"`
	} `json:"recommendations"`
}

// writeVisitNote: PUT /api/v1/staff/appointments/{id}/visit-note.
func (s *server) writeVisitNote(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, true)
	if err != nil {
		return err
	}
	var in visitNoteInputJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	recs := make([]card.Recommendation, 0, len(in.Recommendations))
	for _, x := range in.Recommendations {
		recs = append(recs, card.Recommendation{Kind: x.Kind, ItemID: x.ItemID, Text: x.Text})
	}
	n, err := s.card.WriteVisitNote(r.Context(), actor, r.PathValue("id"), in.Notes, recs)
	if err != nil {
		return s.orderError(r, who, err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"appointment_id": n.AppointmentID, "client_id": n.ClientID,
		"notes": n.Notes, "recommendations": toVisitRecommendationsJSON(n.Recommendations), "written_by": n.WrittenBy,
		"created_at": n.CreatedAt.UTC(), "updated_at": n.UpdatedAt.UTC()})
	return nil
}

type plannedVisitJSON struct {
	appointmentJSON
	ServiceName    string `json:"service_name"`
	SpecialistName string `json:"specialist_name"`
	BranchName     string `json:"branch_name"`
}

type courseJSON struct {
	PlanID         string             `json:"plan_id"`
	ServiceID      string             `json:"service_id"`
	ServiceName    string             `json:"service_name"`
	SpecialistID   string             `json:"specialist_id,omitempty"`
	SpecialistName string             `json:"specialist_name,omitempty"`
	BranchID       string             `json:"branch_id,omitempty"`
	BranchName     string             `json:"branch_name,omitempty"`
	Sessions       int                `json:"sessions"`
	IntervalDays   int                `json:"interval_days"`
	Completed      int                `json:"completed"`
	Booked         []plannedVisitJSON `json:"booked"`
	Remaining      int                `json:"remaining"`
	NextFrom       string             `json:"next_from"` // YYYY-MM-DD in the branch's zone
	Notes          string             `json:"notes,omitempty"`
}

// carePlan: GET /api/v1/me/plan — upcoming visits and what remains of the
// client's courses.
func (s *server) carePlan(w http.ResponseWriter, r *http.Request, who auth.Identity) error {
	actor, err := s.cardActor(r, who, false)
	if err != nil {
		return err
	}
	plan, err := s.card.Plan(r.Context(), actor, who.User.ID)
	if err != nil {
		return err
	}
	planned := func(a booking.Appointment, service, specialist, branch string) plannedVisitJSON {
		return plannedVisitJSON{appointmentJSON: s.toAppointmentJSON(r, a, false), ServiceName: service,
			SpecialistName: specialist, BranchName: branch}
	}
	upcoming := make([]plannedVisitJSON, 0, len(plan.Upcoming))
	for _, v := range plan.Upcoming {
		upcoming = append(upcoming, planned(v.Appointment, v.ServiceName, v.SpecialistName, v.BranchName))
	}
	courses := make([]courseJSON, 0, len(plan.Courses))
	for _, c := range plan.Courses {
		p := c.Plan
		x := courseJSON{PlanID: p.ID, ServiceID: p.ServiceID, ServiceName: c.ServiceName, SpecialistID: p.SpecialistID,
			SpecialistName: c.SpecialistName, BranchID: p.BranchID, BranchName: c.BranchName, Sessions: p.Sessions,
			IntervalDays: int(p.Interval / (24 * time.Hour)), Completed: c.Completed, Booked: []plannedVisitJSON{},
			Remaining: c.Remaining, NextFrom: booking.DateOf(c.NextFrom, s.branchLocation(r, p.BranchID)).String(),
			Notes: strings.TrimSpace(p.Notes)}
		for _, a := range c.Booked {
			specialist := c.SpecialistName
			if a.SpecialistID != p.SpecialistID {
				specialist = "" // another specialist than the course's: see the appointment
			}
			x.Booked = append(x.Booked, planned(a, c.ServiceName, specialist, c.BranchName))
		}
		courses = append(courses, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"upcoming": upcoming, "courses": courses})
	return nil
}
