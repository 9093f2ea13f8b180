package cabinet

import "context"

// profileLocale is the language the client chose in their questionnaire, or
// "" when they did not (or it cannot be read now): messages go out in it,
// else in the account's language.
func profileLocale(ctx context.Context, st Store, userID string) string {
	v, err := st.LatestProfile(ctx, userID)
	if err != nil {
		return "" // the account's language will do; the message is not held up
	}
	return v.Profile.Locale
}
