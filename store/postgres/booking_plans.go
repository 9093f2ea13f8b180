package postgres

import (
	"context"

	"github.com/kabinet-dev/kabinet/booking"
)

// CreatePlan stores p. ErrInvalidInput if its ID is taken; ErrNotFound if it
// refers to an unknown service, specialist or branch.
func (s *Store) CreatePlan(ctx context.Context, p booking.Plan) error {
	switch {
	case p.ID == "":
		return invalid("ID", "is required")
	case p.ClientID == "":
		return invalid("ClientID", "is required")
	case p.Status == "":
		return invalid("Status", "is required")
	}
	_, err := s.execWrite(ctx, "create plan", `
		INSERT INTO plans (id, client_id, specialist_id, service_id, branch_id, sessions, session_interval,
			status, notes, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ID, p.ClientID, nullString(p.SpecialistID), p.ServiceID, nullString(p.BranchID), p.Sessions,
		int64(p.Interval), string(p.Status), p.Notes, p.CreatedBy, utc(p.CreatedAt))
	return bookingError(err)
}

// UpdatePlanStatus sets the plan's status; ErrNotFound if there is no such
// plan.
func (s *Store) UpdatePlanStatus(ctx context.Context, id string, status booking.PlanStatus) error {
	if status == "" {
		return invalid("Status", "is required")
	}
	n, err := s.execWrite(ctx, "update plan status", `UPDATE plans SET status = $1 WHERE id = $2`, string(status), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return booking.ErrNotFound
	}
	return nil
}

const planColumns = `id, client_id, specialist_id, service_id, branch_id, sessions, session_interval,
	status, notes, created_by, created_at`

func planDest(p *booking.Plan) []any {
	return []any{&p.ID, &p.ClientID, nullDest{&p.SpecialistID}, &p.ServiceID, nullDest{&p.BranchID}, &p.Sessions,
		(*durationDest)(&p.Interval), (*string)(&p.Status), &p.Notes, &p.CreatedBy, timeDest{&p.CreatedAt}}
}

// PlanByID returns the plan, or ErrNotFound.
func (s *Store) PlanByID(ctx context.Context, id string) (booking.Plan, error) {
	return queryOne(ctx, s.db, "find plan", booking.ErrNotFound, planDest,
		`SELECT `+planColumns+` FROM plans WHERE id = $1`, id)
}

// Plans returns the client's plans, newest (by CreatedAt, then ID) first.
func (s *Store) Plans(ctx context.Context, clientID string) ([]booking.Plan, error) {
	return queryRead(ctx, s, "list plans", planDest,
		`SELECT `+planColumns+` FROM plans WHERE client_id = $1 ORDER BY created_at DESC, id DESC`, clientID)
}
