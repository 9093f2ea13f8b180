package card

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
)

// Erasure of a client's data (GDPR Art. 17, 152-FZ Art. 21): the client
// deletes their account after confirming it with a fresh code (auth's
// ConfirmErase), and everything the cabinet holds about them goes, but for
// what the clinic must keep — completed visits and sales — which stays
// under a pseudonym, "erased-" and 32 random hex digits, unrelated to the
// client's ID and the same everywhere: in the appointments, the orders, the
// event log and the audit trail, so that the trail still tells what
// happened to one (now anonymous) person.
//
// EraseClient runs these steps, in this order; each is safe to repeat, so
// an erasure interrupted anywhere is finished by running it again:
//
//  1. Future appointments (pending or confirmed, starting after now) are
//     cancelled through booking, with reason EraseCancelReason: the
//     cancellation is in the event log and the staff's agenda like any
//     other. (A second run finds none left; and a visit booked from another
//     session while the erasure runs is cancelled after step 2, under the
//     pseudonym.)
//  2. One store transaction (EraseStore.EraseClient) does the rest of the
//     database: the user's messages (queued ones included, so nothing more
//     is sent), push subscriptions and notification settings, photos'
//     rows, questionnaire versions, consents, journal entries, visit notes,
//     sessions, challenges, the rate-limit events of their phone and e-mail
//     and the user row itself are deleted; appointments, their history,
//     treatment plans, orders, their history and the client's events are
//     kept under the pseudonym, without the client's free texts (their
//     notes and reasons) or the staff's notes about them; the audit trail's
//     entries by or about the client name the pseudonym; and one entry
//     ActionDataErased is appended. The photos' file keys are recorded as
//     pending blob deletions in the same transaction. Either all of it
//     happens or none (then step 2 runs again on the next attempt).
//  3. The photos' files are deleted from the BlobStore, after the commit
//     (a file is never deleted while its row could still come back). A key
//     whose file is deleted is forgotten; one that fails stays pending and
//     is retried by PurgeErasedBlobs, which every erasure calls and the
//     host's background work may call too.
//
// The phone and the e-mail are then free: signing in with them creates a
// new, empty account.

// EraseCancelReason is the reason of the appointments an erasure cancels.
const EraseCancelReason = "account deleted"

// PseudonymPrefix starts every pseudonym of an erased client.
const PseudonymPrefix = "erased-"

// Erasure is what EraseStore.EraseClient needs.
type Erasure struct {
	ClientID  string
	Pseudonym string    // PseudonymPrefix + random: never derived from ClientID
	At        time.Time // when
	// CancelReason is the reason given to the appointments the erasure
	// cancelled: it is kept (staff must see why they were cancelled);
	// every other reason the client wrote is cleared.
	CancelReason string
	// Audit is appended to the audit trail in the transaction, after the
	// client's entries were rewritten (ActionDataErased, naming the
	// pseudonym).
	Audit auth.AuditEntry
}

// Erased reports what an erasure did.
type Erased struct {
	Pseudonym    string
	Cancelled    int // future appointments cancelled
	Photos       int // photo files (all sizes) deleted
	PhotosFailed int // photo files left pending (retried by PurgeErasedBlobs)
}

// HealthErasure reports what EraseHealthData did.
type HealthErasure struct {
	Versions       int // questionnaire versions whose health answers were removed
	JournalEntries int // journal entries deleted
}

// EraseStore is the storage of erasure. Each method is one transaction.
type EraseStore interface {
	// EraseClient erases e.ClientID as the steps above describe (step 2)
	// and returns the BlobStore keys of every file of the photos it
	// deleted, which it has also recorded as pending blob deletions. It
	// returns ErrNotFound, changing nothing, when there is no such user
	// (erased already); ErrForbidden when the user holds a staff role;
	// ErrInvalidInput (an error wrapping it) when ClientID, Pseudonym or At
	// is missing or the pseudonym equals the client's ID.
	EraseClient(ctx context.Context, e Erasure) ([]string, error)
	// EraseHealthData removes the health part of the client's card: the
	// health answers from every questionnaire version (the personal
	// answers stay, and so do the versions' numbers, times and authors),
	// and every journal entry. ErrNotFound: no such user.
	EraseHealthData(ctx context.Context, clientID string) (HealthErasure, error)
	// PendingBlobDeletions returns up to limit (1…1000) keys recorded by
	// EraseClient and not yet forgotten, oldest first.
	PendingBlobDeletions(ctx context.Context, limit int) ([]string, error)
	// ForgetBlobDeletions forgets keys whose files are gone. Unknown keys
	// are ignored.
	ForgetBlobDeletions(ctx context.Context, keys []string) error
}

// NewPseudonym returns a fresh pseudonym: PseudonymPrefix and 128 random
// bits in hex.
func NewPseudonym() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return PseudonymPrefix + hex.EncodeToString(b[:])
}

// EraseClient erases the client's account and data (the package comment of
// this file lists the steps). Only the client may erase themself — actor
// is the client, already re-authenticated with a fresh code by the caller
// (auth.Service.ConfirmErase) — and staff accounts are not erased this
// way. After an error, calling it again finishes the job; once it has
// succeeded the client is gone and a new call is ErrNotFound.
//
// Errors: ErrNotFound (actor is not a client acting for themself, or
// there is no such client: erased already); ErrForbidden (the user holds a
// staff role).
func (s *Service) EraseClient(ctx context.Context, actor Actor) (Erased, error) {
	clientID := actor.UserID
	if clientID == "" || actor.Staff() {
		return Erased{}, ErrNotFound
	}
	now := s.now()
	out := Erased{Pseudonym: NewPseudonym()}
	var err error

	// 1. Future appointments, cancelled through booking so that the
	// cancellation is what staff and the event log see.
	if out.Cancelled, err = s.cancelFuture(ctx, clientID, now); err != nil {
		return Erased{}, err
	}

	// 2. The database, in one transaction.
	keys, err := s.cfg.Store.EraseClient(ctx, Erasure{
		ClientID: clientID, Pseudonym: out.Pseudonym, At: now, CancelReason: EraseCancelReason,
		Audit: auth.AuditEntry{ID: s.cfg.NewID(), At: now, ActorID: out.Pseudonym, Action: ActionDataErased,
			Subject: out.Pseudonym, IP: actor.IP, Detail: fmt.Sprintf("account; appointments cancelled=%d", out.Cancelled)},
	})
	if err != nil {
		return Erased{}, err
	}
	// A visit booked from another session between steps 1 and 2 is now
	// the pseudonym's: it is cancelled too.
	ctx = context.WithoutCancel(ctx) // the erasure is committed: finish it
	if n, err := s.cancelFuture(ctx, out.Pseudonym, now); err != nil {
		s.log.ErrorContext(ctx, "card: erase: cancelling a visit booked meanwhile failed", "err", err)
	} else {
		out.Cancelled += n
	}

	// 3. The files, now that their rows are gone for good.
	out.Photos, out.PhotosFailed = s.deleteErasedBlobs(ctx, keys)
	if _, err := s.PurgeErasedBlobs(ctx); err != nil {
		s.log.ErrorContext(ctx, "card: purging files of earlier erasures failed", "err", err)
	}
	return out, nil
}

// cancelFuture cancels the client's active appointments that start after
// now, through booking, as the clinic would: the client's change deadline
// does not hold here. The history and the event log name clientID as who
// cancelled, with EraseCancelReason.
func (s *Service) cancelFuture(ctx context.Context, clientID string, now time.Time) (int, error) {
	upcoming, err := s.cfg.Booking.Store().Appointments(ctx, booking.AppointmentFilter{ClientID: clientID, From: now,
		Statuses: []booking.Status{booking.StatusPending, booking.StatusConfirmed}})
	if err != nil {
		return 0, fmt.Errorf("card: erase: appointments: %w", err)
	}
	canceller := booking.Actor{UserID: clientID, Role: booking.RoleAdmin}
	n := 0
	for _, a := range upcoming {
		if !a.Start.After(now) {
			continue // under way: kept, de-personalised, as visits are
		}
		_, err := s.cfg.Booking.Cancel(ctx, canceller, a.ID, EraseCancelReason)
		switch {
		case err == nil:
			n++
		case errors.Is(err, booking.ErrInvalidTransition) || errors.Is(err, booking.ErrNotFound):
			// Cancelled or completed meanwhile.
		default:
			return n, fmt.Errorf("card: erase: cancel appointment: %w", err)
		}
	}
	return n, nil
}

// deleteErasedBlobs deletes the files of keys and forgets those deleted;
// it returns how many were deleted and how many are left pending.
func (s *Service) deleteErasedBlobs(ctx context.Context, keys []string) (deleted, failed int) {
	if len(keys) == 0 {
		return 0, 0
	}
	if s.cfg.Blobs == nil {
		s.log.ErrorContext(ctx, "card: erased photos' files left pending: no BlobStore configured", "files", len(keys))
		return 0, len(keys)
	}
	var done []string
	var lastErr error
	for _, k := range keys {
		err := s.cfg.Blobs.Delete(ctx, k)
		switch {
		case err == nil, errors.Is(err, ErrBlobNotFound), errors.Is(err, ErrInvalidBlobKey):
			// Gone, or a key no file can have: nothing left to delete.
			done = append(done, k)
		default:
			lastErr = err
		}
	}
	if lastErr != nil {
		s.log.ErrorContext(ctx, "card: erased photos' files not deleted; left pending for PurgeErasedBlobs",
			"files", len(keys)-len(done), "err", lastErr)
	}
	if err := s.cfg.Store.ForgetBlobDeletions(ctx, done); err != nil {
		// They are deleted; deleting them again later is harmless.
		s.log.ErrorContext(ctx, "card: forgetting deleted files failed", "err", err)
	}
	return len(done), len(keys) - len(done)
}

// purgeBatch is how many pending files PurgeErasedBlobs takes at a time.
const purgeBatch = 500

// PurgeErasedBlobs deletes the files that earlier erasures could not (a
// BlobStore that failed, a process that died after the commit) and returns
// how many it deleted. It is idempotent and safe to run concurrently with
// itself and with erasures; run it from background work now and then.
// It stops at the first batch that made no progress.
func (s *Service) PurgeErasedBlobs(ctx context.Context) (int, error) {
	if s.cfg.Blobs == nil {
		return 0, nil
	}
	total := 0
	for {
		keys, err := s.cfg.Store.PendingBlobDeletions(ctx, purgeBatch)
		if err != nil {
			return total, err
		}
		n, _ := s.deleteErasedBlobs(ctx, keys)
		total += n
		if len(keys) < purgeBatch || n == 0 {
			return total, nil
		}
	}
}

// ErasePhotos deletes every photo of the client, files and rows, as
// DeleteAllPhotos does — the deletion a client asks for with (or after)
// withdrawing the photos consent — and records it in the audit trail. It
// returns how many photos were deleted; after an error, calling it again
// finishes the job.
//
// Errors: ErrNotFound (not a client the actor may see);
// ErrPhotosUnavailable.
func (s *Service) ErasePhotos(ctx context.Context, actor Actor, clientID string) (int, error) {
	n, err := s.DeleteAllPhotos(ctx, actor, clientID)
	if err != nil {
		return n, err
	}
	if err := s.auditErased(ctx, actor, clientID, fmt.Sprintf("photos=%d", n)); err != nil {
		return n, err
	}
	return n, nil
}

// EraseHealthData deletes the health part of the client's card — the
// health answers of every questionnaire version and every journal entry,
// the client's and the specialists' — the deletion a client asks for with
// (or after) withdrawing the health_data consent. The personal answers and
// the photos stay (ErasePhotos deletes those). It is recorded in the audit
// trail; repeating it is harmless.
//
// Errors: ErrNotFound (not a client the actor may see).
func (s *Service) EraseHealthData(ctx context.Context, actor Actor, clientID string) (HealthErasure, error) {
	if err := s.authorize(ctx, actor, clientID, "health data erasure", true); err != nil {
		return HealthErasure{}, err
	}
	out, err := s.cfg.Store.EraseHealthData(ctx, clientID)
	if err != nil {
		return HealthErasure{}, err
	}
	detail := fmt.Sprintf("health data; versions=%d journal=%d", out.Versions, out.JournalEntries)
	if err := s.auditErased(ctx, actor, clientID, detail); err != nil {
		return out, err
	}
	return out, nil
}

// auditErased records a partial erasure (ActionDataErased; the subject is
// the client, who stays).
func (s *Service) auditErased(ctx context.Context, actor Actor, clientID, detail string) error {
	err := s.cfg.Audit(context.WithoutCancel(ctx), auth.AuditEntry{At: s.now(), ActorID: actor.UserID,
		Action: ActionDataErased, Subject: clientID, IP: actor.IP, Detail: detail})
	if err != nil {
		return fmt.Errorf("card: audit: %w", err)
	}
	return nil
}

// IsPseudonym reports whether id is the pseudonym of an erased client.
func IsPseudonym(id string) bool { return strings.HasPrefix(id, PseudonymPrefix) }
