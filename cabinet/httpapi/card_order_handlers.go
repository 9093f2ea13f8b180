package httpapi

// orderRoutes are the card's order endpoints. (Filled in with the card work.)
func (s *server) orderRoutes() []route { return nil }
