// Package storetest is the conformance suite every storage backend runs: each
// promise that the domain packages' Store interfaces document (auth.Store
// today; booking, notify and card as they arrive) is a subtest here, the
// concurrent ones included — 50 parallel attempts on one challenge stop at
// its MaxAttempts, 20 parallel sign-ins with one challenge make exactly one
// session, 100 parallel TakeRate calls never exceed Max.
//
// A backend calls Run from its own tests with a function that opens a new,
// empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) cabinet.Store {
//			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "kabinet.db"))
//			require.NoError(t, err)
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//	}
//
// What the suite expects beyond the interface comments, so that backends
// agree:
//
//   - Instants come back in UTC and equal to what was stored; the suite only
//     uses whole milliseconds, so a backend keeping microseconds passes.
//   - A challenge is consumed only for its own purpose: CompleteSignIn refuses
//     an add-identifier challenge and AttachIdentifier a sign-in one, with
//     ErrCodeExpired.
//   - CompleteSignIn and AttachIdentifier change nothing when they fail: after
//     ErrUnauthenticated (disabled user) or ErrIdentifierTaken the challenge is
//     still unconsumed.
//   - A rate window at now is (now−Window, now]: an event at a stops counting
//     at a+Window. RetryAfter is measured to the event whose leaving frees a
//     slot, rounded up to whole seconds, at least one. Limits sharing a key
//     record one event for that key.
//   - A challenge or session whose expiry equals now is expired (as
//     auth.Session.Live says), and DeleteExpiredSessions removes it; the
//     "before t" of DeleteChallengesBefore and DeleteRateEventsBefore is
//     strict.
//   - ListAudit's Since is inclusive; Limit 0 means 100.
//
// The suite uses fixed instants and never sleeps; every subtest gets its own
// store and runs in parallel with the others.
package storetest
