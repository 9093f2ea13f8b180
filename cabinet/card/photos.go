package card

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// Photos: before / after / progress pictures of an area of the face or
// body, uploaded by the client or by staff. The bytes go through
// processPhoto (imaging.go) — format detected from the bytes, size and
// pixel caps, EXIF orientation applied, every metadata block dropped by
// re-encoding — and are stored as three JPEG files (the original size, a
// medium one and a thumbnail) in a BlobStore under unguessable keys; the
// metadata goes to the PhotoStore. A photo is stored only while the
// client's photos consent is given, and is served only to the client and
// to staff who may see their card.

// PhotoKind says what a photo documents.
type PhotoKind string

// Kinds of photos.
const (
	PhotoBefore   PhotoKind = "before"   // before a procedure or a course
	PhotoAfter    PhotoKind = "after"    // after it
	PhotoProgress PhotoKind = "progress" // in between, or just to follow the skin
)

// PhotoKinds are the known kinds.
func PhotoKinds() []PhotoKind { return []PhotoKind{PhotoBefore, PhotoAfter, PhotoProgress} }

// PhotoArea is the area of the face or body a photo shows.
type PhotoArea string

// Areas.
const (
	AreaFace      PhotoArea = "face"
	AreaForehead  PhotoArea = "forehead"
	AreaCheeks    PhotoArea = "cheeks"
	AreaChin      PhotoArea = "chin"
	AreaNeck      PhotoArea = "neck"
	AreaDecollete PhotoArea = "decollete"
	AreaHands     PhotoArea = "hands"
	AreaBody      PhotoArea = "body"
)

// PhotoAreas are the known areas, in the order pairs and reports list them.
func PhotoAreas() []PhotoArea {
	return []PhotoArea{AreaFace, AreaForehead, AreaCheeks, AreaChin, AreaNeck, AreaDecollete, AreaHands, AreaBody}
}

// PhotoSize names one of the stored files of a photo.
type PhotoSize string

// Sizes. Every size is a JPEG without metadata.
const (
	SizeOriginal PhotoSize = "original" // the uploaded picture at its own size, upright
	SizeMedium   PhotoSize = "medium"   // the longer side at most MediumSide pixels
	SizeThumb    PhotoSize = "thumb"    // the longer side at most ThumbSide pixels
)

// The longer side of the smaller sizes, in pixels. A picture is never
// enlarged: a small one keeps its size.
const (
	MediumSide = 1280
	ThumbSide  = 320
)

// PhotoFile is one stored size of a photo.
type PhotoFile struct {
	Key           string // the BlobStore key: 32 random hex digits, unrelated to the photo's ID
	Bytes         int64
	Width, Height int
}

// Photo is a photo's metadata. Every file is a JPEG (ContentType).
type Photo struct {
	ID            string
	ClientID      string
	Kind          PhotoKind
	Area          PhotoArea
	TakenOn       booking.Date // the day it was taken
	AppointmentID string       // the visit it belongs to; optional
	UploadedBy    string       // user ID of the client or the member of staff
	ByStaff       bool         // uploaded by staff
	SourceFormat  ImageFormat  // what was uploaded (jpeg, png, webp)
	Original      PhotoFile    // Width and Height are the photo's, upright
	Medium        PhotoFile
	Thumb         PhotoFile
	CreatedAt     time.Time
}

// ContentType is the media type of every file of a photo.
const ContentType = "image/jpeg"

// File returns the stored file of size; false for an unknown size.
func (p Photo) File(size PhotoSize) (PhotoFile, bool) {
	switch size {
	case SizeOriginal:
		return p.Original, true
	case SizeMedium:
		return p.Medium, true
	case SizeThumb:
		return p.Thumb, true
	}
	return PhotoFile{}, false
}

func (p Photo) keys() []string {
	var keys []string
	for _, f := range []PhotoFile{p.Original, p.Medium, p.Thumb} {
		if f.Key != "" {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// PhotoFilter selects a client's photos. Empty fields match everything;
// From and To (taken on, inclusive) may each be zero.
type PhotoFilter struct {
	ClientID       string // required
	Kind           PhotoKind
	Area           PhotoArea
	AppointmentIDs []string // any of these visits; nil: any photo, linked or not
	From, To       booking.Date
	Descending     bool // newest first
}

// PhotoStore keeps photo metadata (the bytes are in a BlobStore).
type PhotoStore interface {
	// CreatePhoto stores p in one transaction that first checks that the
	// newest consent record of each type in requires is a grant (else a
	// *ConsentError for the first that is not; nothing is stored) and,
	// when quota > 0, that the client holds fewer than quota photos (else
	// ErrPhotoQuota) — atomically: concurrent creates for one client never
	// take it past the quota. ErrNotFound: no such user (p.ClientID). p
	// needs ID, ClientID, Kind, Area, TakenOn, UploadedBy, the three files'
	// keys and CreatedAt (else an error that is none of these); a taken ID
	// is an error.
	CreatePhoto(ctx context.Context, p Photo, quota int, requires ...ConsentType) error
	// PhotoByID returns the photo, or ErrNotFound.
	PhotoByID(ctx context.Context, id string) (Photo, error)
	// Photos returns the photos matching f ordered by TakenOn, then
	// CreatedAt, then ID (Descending: the reverse); an empty list when
	// none match. f.ClientID is required.
	Photos(ctx context.Context, f PhotoFilter) ([]Photo, error)
	// DeletePhoto removes the photo and its links from journal entries, and
	// returns it as it was (its file keys, for the BlobStore). ErrNotFound
	// when there is no such photo.
	DeletePhoto(ctx context.Context, id string) (Photo, error)
}

// BlobStore keeps the bytes of photos under keys the card makes: 32
// lowercase hex digits from crypto/rand, never derived from a photo's ID or
// the client's. Implementations must be safe for concurrent use; NewDiskBlobs
// is the default. Blobs are personal (face photos): a store never serves
// them publicly — the card reads them only after its authorization check.
type BlobStore interface {
	// Put stores everything r yields under key, atomically: a reader sees
	// the whole blob or none, and a Put that fails (r's error, ctx ended,
	// a full disk) leaves nothing behind. A blob already under key is
	// replaced. ErrInvalidBlobKey for a key the store cannot hold.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open returns the blob's bytes; the caller closes it. ErrBlobNotFound
	// when there is none; ErrInvalidBlobKey for a malformed key.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the blob. A key with no blob is not an error, so a
	// delete that failed halfway can simply be repeated. ErrInvalidBlobKey
	// for a malformed key.
	Delete(ctx context.Context, key string) error
}

// Errors of BlobStore implementations, and of photo features without one.
var (
	// ErrBlobNotFound: no blob under the key.
	ErrBlobNotFound = errors.New("card: blob not found")
	// ErrInvalidBlobKey: the key is not one the card makes (32 lowercase
	// hex digits); a store refuses it rather than build a path from it.
	ErrInvalidBlobKey = errors.New("card: invalid blob key")
	// ErrPhotosUnavailable: the card has no BlobStore (Config.Blobs), so
	// photos can be neither stored nor served (HTTP 503).
	ErrPhotosUnavailable = errors.New("card: photo storage is not configured")
)

// newBlobKey returns a fresh key: 128 random bits in hex.
func newBlobKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return hex.EncodeToString(b[:])
}

// PhotoUpload is a photo to store.
type PhotoUpload struct {
	Kind          PhotoKind
	Area          PhotoArea
	TakenOn       booking.Date // zero: the date the camera recorded (EXIF), else the visit's, else today (UTC)
	AppointmentID string       // optional: one of the client's appointments
	// File is the image: JPEG, PNG or WebP, recognised from its bytes. At
	// most Config.MaxPhotoBytes are read (ErrTooLarge beyond). A
	// *bytes.Buffer is used in place, without a copy.
	File io.Reader
}

// UploadPhoto checks, processes and stores a photo of the client, made by
// actor: the client, or staff who may see the client's card (audited).
// The photos consent must be given, also for staff uploads. Processing
// (decoding, orientation, re-encoding, the smaller sizes) runs at most
// Config.PhotoProcessing at a time; others wait, or give up when ctx ends.
// Whatever fails, nothing is left behind: no file, no row.
//
// Errors: ErrNotFound (no such client, or not one the actor may see);
// *ValidationError (kind, area, taken_at, appointment_id, file: missing or
// empty); *ConsentError (photos); ErrTooLarge (more than MaxPhotoBytes);
// ErrUnsupportedMedia (a *UnsupportedMediaError: not JPEG, PNG or WebP);
// ErrImageTooLarge (more than MaxPhotoPixels by the header, found before
// decoding); ErrInvalidImage (does not decode); ErrPhotoQuota (the client
// keeps MaxPhotosPerClient photos); ErrPhotosUnavailable (no BlobStore).
func (s *Service) UploadPhoto(ctx context.Context, actor Actor, clientID string, in PhotoUpload) (Photo, error) {
	if s.cfg.Blobs == nil {
		return Photo{}, ErrPhotosUnavailable
	}
	if err := s.authorize(ctx, actor, clientID, "photo upload", true); err != nil {
		return Photo{}, err
	}
	if err := checkKindArea(in.Kind, in.Area); err != nil {
		return Photo{}, err
	}
	if err := s.checkPhotoDate("taken_at", in.TakenOn); err != nil {
		return Photo{}, err
	}
	if in.File == nil {
		return Photo{}, invalid("file", "A photo file is required.", "Приложите файл фотографии.")
	}
	// A clear answer before the bytes are read; the store checks again with
	// the write, so a withdrawal meanwhile still wins.
	if err := s.requireConsent(ctx, clientID, ConsentPhotos); err != nil {
		return Photo{}, err
	}
	// The quota too, before the work of processing (and again with the write).
	if held, err := s.cfg.Store.Photos(ctx, PhotoFilter{ClientID: clientID}); err != nil {
		return Photo{}, err
	} else if len(held) >= s.cfg.MaxPhotosPerClient {
		return Photo{}, ErrPhotoQuota
	}
	var appt booking.Appointment
	if in.AppointmentID != "" {
		var err error
		if appt, err = s.clientAppointment(ctx, clientID, in.AppointmentID); err != nil {
			return Photo{}, err
		}
	}
	data, err := readCapped(in.File, s.cfg.MaxPhotoBytes)
	if err != nil {
		return Photo{}, err
	}
	out, err := s.processPhoto(ctx, data)
	if err != nil {
		return Photo{}, err
	}

	p := Photo{
		ID: s.cfg.NewID(), ClientID: clientID, Kind: in.Kind, Area: in.Area, TakenOn: in.TakenOn,
		AppointmentID: in.AppointmentID, UploadedBy: actor.UserID, ByStaff: actor.Staff(),
		SourceFormat: out.format, CreatedAt: s.now(),
	}
	if p.TakenOn.IsZero() {
		p.TakenOn = s.defaultTakenOn(ctx, out.taken, appt)
	}
	files := []struct {
		dst *PhotoFile
		img encodedImage
	}{{&p.Original, out.original}, {&p.Medium, out.medium}, {&p.Thumb, out.thumb}}
	// Cleanup runs even when the request's context has ended: files must
	// not outlive a failed upload.
	cleanup := context.WithoutCancel(ctx)
	for _, f := range files {
		key := newBlobKey()
		if err := s.cfg.Blobs.Put(ctx, key, bytes.NewReader(f.img.data)); err != nil {
			// The failed key too: a store may not be as careful as DiskBlobs.
			s.deleteBlobs(cleanup, append(p.keys(), key))
			return Photo{}, fmt.Errorf("card: store photo file: %w", err)
		}
		*f.dst = PhotoFile{Key: key, Bytes: int64(len(f.img.data)), Width: f.img.width, Height: f.img.height}
	}
	if err := s.cfg.Store.CreatePhoto(ctx, p, s.cfg.MaxPhotosPerClient, ConsentPhotos); err != nil {
		s.deleteBlobs(cleanup, p.keys())
		return Photo{}, err
	}
	return p, nil
}

// deleteBlobs removes blobs after a failure, logging what it cannot.
func (s *Service) deleteBlobs(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := s.cfg.Blobs.Delete(ctx, k); err != nil {
			s.log.ErrorContext(ctx, "card: photo file left behind", "err", err)
		}
	}
}

// readCapped reads r whole, at most limit bytes: ErrTooLarge beyond.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	var data []byte
	if b, ok := r.(*bytes.Buffer); ok {
		if int64(b.Len()) > limit {
			return nil, ErrTooLarge
		}
		data = b.Next(b.Len())
	} else {
		var buf bytes.Buffer
		if l, ok := r.(interface{ Len() int }); ok && int64(l.Len()) <= limit {
			buf.Grow(l.Len() + bytes.MinRead) // ReadFrom wants MinRead spare bytes before each read
		}
		if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
			return nil, fmt.Errorf("card: read photo: %w", err)
		}
		if int64(buf.Len()) > limit {
			return nil, ErrTooLarge
		}
		data = buf.Bytes()
	}
	if len(data) == 0 {
		return nil, invalid("file", "The file is empty.", "Файл пустой.")
	}
	return data, nil
}

func checkKindArea(k PhotoKind, a PhotoArea) error {
	if !slices.Contains(PhotoKinds(), k) {
		return invalid("kind", "kind must be before, after or progress.", "Вид фото: допустимо before, after или progress.")
	}
	if !slices.Contains(PhotoAreas(), a) {
		return invalid("area", "area must be face, forehead, cheeks, chin, neck, decollete, hands or body.",
			"Зона: допустимо face, forehead, cheeks, chin, neck, decollete, hands или body.")
	}
	return nil
}

// earliestDate bounds the dates of photos and journal entries.
var earliestDate = booking.Date{Year: 1990, Month: time.January, Day: 1}

// today is the latest calendar day anywhere on Earth (UTC+14): a date the
// client calls today is never refused as "in the future".
func (s *Service) today() booking.Date { return booking.DateOf(s.now().Add(14*time.Hour), time.UTC) }

// checkPhotoDate refuses a date in the future or before 1990; zero passes.
func (s *Service) checkPhotoDate(field string, d booking.Date) error {
	switch {
	case d.IsZero():
		return nil
	case d.Before(earliestDate):
		return invalid(field, "The date cannot be before 1990.", "Дата не может быть раньше 1990 года.")
	case s.today().Before(d):
		return invalid(field, "The date cannot be in the future.", "Дата не может быть в будущем.")
	}
	return nil
}

// defaultTakenOn is the day of a photo uploaded without one: the camera's
// (EXIF DateTimeOriginal) when plausible, else the visit's day in its
// branch's zone, else today in UTC.
func (s *Service) defaultTakenOn(ctx context.Context, exif booking.Date, appt booking.Appointment) booking.Date {
	if !exif.IsZero() && s.checkPhotoDate("", exif) == nil {
		return exif
	}
	if appt.ID != "" {
		loc := time.UTC
		if b, err := s.cfg.Booking.Store().BranchByID(ctx, appt.BranchID); err == nil {
			if l, err := time.LoadLocation(b.TimeZone); err == nil {
				loc = l
			}
		}
		if d := booking.DateOf(appt.Start, loc); !s.today().Before(d) {
			return d
		}
	}
	return booking.DateOf(s.now(), time.UTC)
}

// clientAppointment returns the client's appointment id; another client's
// or a missing one is a *ValidationError on appointment_id.
func (s *Service) clientAppointment(ctx context.Context, clientID, id string) (booking.Appointment, error) {
	a, err := s.cfg.Booking.Store().AppointmentByID(ctx, id)
	if errors.Is(err, booking.ErrNotFound) || err == nil && a.ClientID != clientID {
		return booking.Appointment{}, invalid("appointment_id", "There is no such appointment of this client.",
			"У клиента нет такой записи.")
	}
	return a, err
}

// Photos lists the client's photos matching f (f.ClientID is ignored), in
// the order the PhotoStore documents. Staff reads are audited.
//
// Errors: ErrNotFound; *ValidationError (kind, area).
func (s *Service) Photos(ctx context.Context, actor Actor, clientID string, f PhotoFilter) ([]Photo, error) {
	if err := s.authorize(ctx, actor, clientID, "photos", false); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(PhotoKinds(), f.Kind) {
		return nil, checkKindArea(f.Kind, AreaFace)
	}
	if f.Area != "" && !slices.Contains(PhotoAreas(), f.Area) {
		return nil, checkKindArea(PhotoBefore, f.Area)
	}
	f.ClientID = clientID
	return s.cfg.Store.Photos(ctx, f)
}

// Photo returns one of the client's photos. Staff reads are audited
// ("photo <id>").
//
// Errors: ErrNotFound (also for another client's photo).
func (s *Service) Photo(ctx context.Context, actor Actor, clientID, photoID string) (Photo, error) {
	if err := s.authorize(ctx, actor, clientID, "photo "+auditID(photoID), false); err != nil {
		return Photo{}, err
	}
	return s.clientPhoto(ctx, clientID, photoID)
}

func (s *Service) clientPhoto(ctx context.Context, clientID, photoID string) (Photo, error) {
	p, err := s.cfg.Store.PhotoByID(ctx, photoID)
	if err != nil {
		return Photo{}, err
	}
	if p.ClientID != clientID {
		return Photo{}, ErrNotFound
	}
	return p, nil
}

// OpenPhoto returns one of the client's photos with the bytes of one size
// (SizeOriginal when size is empty), a JPEG of f.Bytes bytes; the caller
// closes rc. Staff reads are audited ("photo <id>").
//
// Errors: ErrNotFound (also for another client's photo, or a file that is
// missing); *ValidationError (size); ErrPhotosUnavailable.
func (s *Service) OpenPhoto(ctx context.Context, actor Actor, clientID, photoID string, size PhotoSize) (p Photo, f PhotoFile, rc io.ReadCloser, err error) {
	if s.cfg.Blobs == nil {
		return Photo{}, PhotoFile{}, nil, ErrPhotosUnavailable
	}
	if size == "" {
		size = SizeOriginal
	}
	if _, ok := (Photo{}).File(size); !ok {
		return Photo{}, PhotoFile{}, nil, invalid("size", "size must be original, medium or thumb.",
			"Размер: допустимо original, medium или thumb.")
	}
	if p, err = s.Photo(ctx, actor, clientID, photoID); err != nil {
		return Photo{}, PhotoFile{}, nil, err
	}
	f, _ = p.File(size)
	rc, err = s.cfg.Blobs.Open(ctx, f.Key)
	if errors.Is(err, ErrBlobNotFound) {
		// Deleted meanwhile, or a delete that failed halfway: gone either way.
		return Photo{}, PhotoFile{}, nil, fmt.Errorf("%w: the photo's file is missing", ErrNotFound)
	} else if err != nil {
		return Photo{}, PhotoFile{}, nil, err
	}
	return p, f, rc, nil
}

// DeletePhoto deletes one of the client's photos: its files first, then
// its row (and its links from journal entries). If it fails halfway, the
// photo is still listed and deleting it again finishes the job; no file
// outlives its row. Staff deletions are audited.
//
// Errors: ErrNotFound (also another client's photo); ErrPhotosUnavailable.
func (s *Service) DeletePhoto(ctx context.Context, actor Actor, clientID, photoID string) error {
	if s.cfg.Blobs == nil {
		return ErrPhotosUnavailable
	}
	if err := s.authorize(ctx, actor, clientID, "photo "+auditID(photoID), true); err != nil {
		return err
	}
	p, err := s.clientPhoto(ctx, clientID, photoID)
	if err != nil {
		return err
	}
	for _, k := range p.keys() {
		if err := s.cfg.Blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("card: delete photo file: %w", err)
		}
	}
	_, err = s.cfg.Store.DeletePhoto(ctx, p.ID)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted meanwhile by another request: done
	}
	return err
}

// auditID is an ID from a request as it may go to the audit trail: at most
// 64 characters of letters, digits, '-' and '_'; anything else is replaced,
// so a crafted ID cannot forge or flood an audit line.
func auditID(id string) string {
	if len(id) > 64 {
		id = id[:64]
	}
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// DeleteAllPhotos deletes every photo of the client, files first, as
// DeletePhoto does one: for the client's erasure, or after the photos
// consent is withdrawn and the client asks for their photos to go. It
// returns how many were deleted; after an error, calling it again finishes
// the job. Staff deletions are audited.
//
// Errors: ErrNotFound (not a client the actor may see);
// ErrPhotosUnavailable.
func (s *Service) DeleteAllPhotos(ctx context.Context, actor Actor, clientID string) (int, error) {
	if s.cfg.Blobs == nil {
		return 0, ErrPhotosUnavailable
	}
	if err := s.authorize(ctx, actor, clientID, "all photos", true); err != nil {
		return 0, err
	}
	photos, err := s.cfg.Store.Photos(ctx, PhotoFilter{ClientID: clientID})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range photos {
		for _, k := range p.keys() {
			if err := s.cfg.Blobs.Delete(ctx, k); err != nil {
				return n, fmt.Errorf("card: delete photo file: %w", err)
			}
		}
		if _, err := s.cfg.Store.DeletePhoto(ctx, p.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return n, err
		}
		n++
	}
	return n, nil
}
