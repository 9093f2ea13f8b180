package cabinet

import "context"

// profileLocale is the language the client chose in their questionnaire, or
// "" when they did not: messages go out in it. (Filled in with the
// questionnaire work.)
func profileLocale(ctx context.Context, st Store, userID string) string { return "" }
