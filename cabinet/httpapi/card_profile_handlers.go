package httpapi

// profileRoutes are the card's profile endpoints. (Filled in with the card work.)
func (s *server) profileRoutes() []route { return nil }
