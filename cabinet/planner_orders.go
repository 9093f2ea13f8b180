package cabinet

import "context"

// runOrdersOnce plans the messages of order events (status updates,
// replenishment reminders). (Filled in with the orders work.)
func (p *planner) runOrdersOnce(ctx context.Context) (int, error) { return 0, nil }
