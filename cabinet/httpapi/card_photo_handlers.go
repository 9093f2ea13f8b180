package httpapi

// photoRoutes are the card's photo endpoints. (Filled in with the card work.)
func (s *server) photoRoutes() []route { return nil }
