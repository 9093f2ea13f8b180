package postgres

import (
	"context"

	"github.com/kabinet-dev/kabinet/booking"
)

// SetWorkingPlan inserts p or replaces the plan with its ID. ErrNotFound if
// its specialist or branch does not exist.
func (s *Store) SetWorkingPlan(ctx context.Context, p booking.WorkingPlan) error {
	if p.ID == "" {
		return invalid("ID", "is required")
	}
	if !p.From.IsZero() && !p.To.IsZero() && p.To.Before(p.From) {
		return invalid("To", "is before From")
	}
	week, err := encodeWeek(p.Week)
	if err != nil {
		return err
	}
	_, err = s.execWrite(ctx, "set working plan", `
		INSERT INTO working_plans (id, specialist_id, branch_id, week, valid_from, valid_to)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET specialist_id = excluded.specialist_id,
			branch_id = excluded.branch_id, week = excluded.week, valid_from = excluded.valid_from,
			valid_to = excluded.valid_to`,
		p.ID, p.SpecialistID, p.BranchID, week, encodeDate(p.From), encodeDate(p.To))
	return bookingError(err)
}

// DeleteWorkingPlan removes the plan; ErrNotFound if there is none.
func (s *Store) DeleteWorkingPlan(ctx context.Context, id string) error {
	n, err := s.execWrite(ctx, "delete working plan", `DELETE FROM working_plans WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return booking.ErrNotFound
	}
	return nil
}

const workingPlanColumns = `id, specialist_id, branch_id, week, valid_from, valid_to`

func workingPlanDest(p *booking.WorkingPlan) []any {
	return []any{&p.ID, &p.SpecialistID, &p.BranchID, weekDest{&p.Week}, dateDest{&p.From}, dateDest{&p.To}}
}

// WorkingPlans returns the plans of the specialists (all if empty) in the
// branch (all if empty) valid on some day in [from, to]; a zero from or to
// leaves that side unbounded. Ordered by specialist, then From (open-ended
// first), then ID.
func (s *Store) WorkingPlans(ctx context.Context, specialistIDs []string, branchID string, from, to booking.Date) ([]booking.WorkingPlan, error) {
	var w where
	if len(specialistIDs) > 0 {
		w.add(`specialist_id = ANY(?)`, specialistIDs)
	}
	if branchID != "" {
		w.add(`branch_id = ?`, branchID)
	}
	if !to.IsZero() {
		w.add(`(valid_from IS NULL OR valid_from <= ?::date)`, to.String())
	}
	if !from.IsZero() {
		w.add(`(valid_to IS NULL OR valid_to >= ?::date)`, from.String())
	}
	return queryRead(ctx, s, "list working plans", workingPlanDest,
		`SELECT `+workingPlanColumns+` FROM working_plans`+w.clause()+
			` ORDER BY specialist_id, valid_from NULLS FIRST, id`, w.args...)
}

// AddException inserts e, or replaces the exception with its ID (so a
// retried call is harmless). From and To are required. ErrNotFound if its
// specialist or branch does not exist.
func (s *Store) AddException(ctx context.Context, e booking.Exception) error {
	switch {
	case e.ID == "":
		return invalid("ID", "is required")
	case e.From.IsZero():
		return invalid("From", "is required")
	case e.To.IsZero():
		return invalid("To", "is required")
	case e.To.Before(e.From):
		return invalid("To", "is before From")
	}
	intervals, err := encodeList(e.Intervals)
	if err != nil {
		return err
	}
	_, err = s.execWrite(ctx, "add exception", `
		INSERT INTO schedule_exceptions (id, specialist_id, branch_id, kind, from_date, to_date, intervals, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET specialist_id = excluded.specialist_id,
			branch_id = excluded.branch_id, kind = excluded.kind, from_date = excluded.from_date,
			to_date = excluded.to_date, intervals = excluded.intervals, note = excluded.note`,
		e.ID, e.SpecialistID, nullString(e.BranchID), string(e.Kind), e.From.String(), e.To.String(),
		intervals, e.Note)
	return bookingError(err)
}

// DeleteException removes the exception; ErrNotFound if there is none.
func (s *Store) DeleteException(ctx context.Context, id string) error {
	n, err := s.execWrite(ctx, "delete exception", `DELETE FROM schedule_exceptions WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return booking.ErrNotFound
	}
	return nil
}

const exceptionColumns = `id, specialist_id, branch_id, kind, from_date, to_date, intervals, note`

func exceptionDest(e *booking.Exception) []any {
	return []any{&e.ID, &e.SpecialistID, nullDest{&e.BranchID}, (*string)(&e.Kind), dateDest{&e.From},
		dateDest{&e.To}, listDest[booking.Interval]{&e.Intervals}, &e.Note}
}

// Exceptions returns the specialists' exceptions (all if empty) touching a
// day in [from, to]; a zero from or to leaves that side unbounded. Ordered by
// specialist, then From, then ID.
func (s *Store) Exceptions(ctx context.Context, specialistIDs []string, from, to booking.Date) ([]booking.Exception, error) {
	var w where
	if len(specialistIDs) > 0 {
		w.add(`specialist_id = ANY(?)`, specialistIDs)
	}
	if !to.IsZero() {
		w.add(`from_date <= ?::date`, to.String())
	}
	if !from.IsZero() {
		w.add(`to_date >= ?::date`, from.String())
	}
	return queryRead(ctx, s, "list exceptions", exceptionDest,
		`SELECT `+exceptionColumns+` FROM schedule_exceptions`+w.clause()+
			` ORDER BY specialist_id, from_date, id`, w.args...)
}
