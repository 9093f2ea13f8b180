// Package storetest is the conformance suite every storage backend runs: each
// promise that the domain packages' Store interfaces document (auth.Store,
// booking.Store, notify.Store and cabinet.Cursors today; card as it arrives)
// is a subtest here, the concurrent ones included — 50 parallel attempts on
// one challenge stop at
// its MaxAttempts, 20 parallel sign-ins with one challenge make exactly one
// session, 100 parallel TakeRate calls never exceed Max, 64 parallel bookings
// of one specialist's slot (or one room, or one client's hour) make exactly
// one appointment and one event, 64 retries with one idempotency key make one,
// 32 parallel moves into one slot let one win, dispatchers claiming 200
// messages side by side get each exactly once.
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
// Booking (booking.Store), where its comments leave a choice open:
//
//   - Empty lists come back nil (a Week's days, Holidays, BranchIDs,
//     ResourceIDs…); orders named by the interface are broken by ID.
//   - A service or specialist is in a branch when its BranchIDs list it: an
//     empty list matches no BranchID filter. ServiceFilter.SpecialistID
//     selects the services in the specialist's Services. Resources("")
//     returns every branch's.
//   - A reference to a row that does not exist (a resource's branch, a
//     plan's or an appointment's branch, service, specialist, resources or
//     plan, a working plan's or exception's specialist) is ErrNotFound; a
//     taken ID for CreateAppointment or CreatePlan, and a malformed value,
//     is ErrInvalidInput (a *ValidationError where the store checks it
//     itself).
//   - WorkingPlans and Exceptions treat a zero from or to as unbounded and
//     order by specialist ID, From (open-ended first), ID. AddException with
//     an existing ID replaces it, so a retried call is harmless; an
//     exception needs From and To, To not before From.
//   - An appointment's blocked time may not exceed MaxBlock, and must
//     contain the service time, which may not be empty (ErrInvalidInput):
//     the overlap checks rely on it. A resource may not be listed twice.
//   - An appointment created in an inactive status (an import of a past
//     visit) holds no time and is not checked for overlaps.
//   - An idempotent retry returns the appointment as it is now (cancelled
//     meanwhile, say), whatever the retried request holds. The key of a
//     create that failed is not kept.
//   - The store completes what only it knows, so callers need not read
//     before they write: an event gets AppointmentID, ClientID and
//     Appointment from the appointment as the change left it, At from the
//     change (CreatedAt for a booking) when zero, and for a move OldStart
//     when zero; ev.Type is required. A history line gets AppointmentID and
//     From (the status before); a move's line gets To = From and OldStart,
//     OldEnd. The booking's own line is {To: a.Status, At: a.CreatedAt,
//     By: a.CreatedBy}.
//   - MoveAppointment takes only SpecialistID, ResourceIDs, Start, End,
//     BlockStart, BlockEnd and UpdatedAt (change.At when zero) from moved.
//   - SetStatus with an empty from allows nothing. Leaving pending/confirmed
//     releases the specialist's and resources' time at once; coming back to
//     them (an undone no-show, if the caller's from allows it) checks for
//     overlaps first and fails with ErrSlotTaken. CancelledBy and
//     CancelReason are set only by a cancellation.
//   - Busy needs From and To (ErrInvalidInput); with neither specialists nor
//     resources it returns none; each appointment once, by BlockStart.
//     Appointments orders by Start then ID; either end of its range may be
//     zero. History of an unknown appointment is empty, not an error.
//   - EventsAfter with limit ≤ 0 returns up to 100, and only booking's
//     events: other packages' events may share the log, so Seqs may skip.
//
// The suite uses fixed instants and never sleeps; every subtest gets its own
// store and runs in parallel with the others.
package storetest
