package card

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/recommend"
)

// Config configures a Service. Zero fields take the documented default.
type Config struct {
	// Store keeps the card (required).
	Store Store
	// Booking is the schedule: appointments decide which staff may see a
	// client, and visits and the plan come from it (required).
	Booking *booking.Scheduler
	// Blobs keeps photo files (required for photos): e.g. NewDiskBlobs.
	Blobs BlobStore
	// Audit records staff reads of a card and other sensitive access
	// (required): the cabinet passes auth's audit trail.
	Audit func(ctx context.Context, e auth.AuditEntry) error
	// OnMarketingConsent is called after a marketing consent was recorded
	// on the card (given or withdrawn; source "cabinet" or "front_desk",
	// version the text's), to keep the notification settings in step:
	// the cabinet passes notify's UpdateSettings. Optional. Its error is
	// returned to the caller; the consent record stays.
	OnMarketingConsent func(ctx context.Context, userID string, granted bool, source, version string) error
	// ConsentTexts are the texts clients agree to, per consent type, with
	// their versions; nil: DefaultConsentTexts(). A consent given records
	// the version the client saw.
	ConsentTexts []ConsentText
	// Recommend is the recommendation engine behind Recommendations,
	// Offers and Eligible; nil: recommend.New with the default rules.
	Recommend *recommend.Engine

	// Photos: the upload size cap (default 15 MB, enforced while
	// streaming), the pixel cap checked from the header before decoding
	// (default 40 megapixels), and how many uploads are processed at once
	// (default 2; the others wait), which bounds peak memory.
	MaxPhotoBytes   int64
	MaxPhotoPixels  int
	PhotoProcessing int
	// MaxPhotosPerClient is how many photos one client's card may hold
	// (default 1000): a quota, so that one account cannot fill the disk.
	MaxPhotosPerClient int

	Now    func() time.Time
	NewID  func() string
	Logger *slog.Logger
}

// Service is the client's card. It is safe for concurrent use.
type Service struct {
	cfg      Config
	log      *slog.Logger
	photoSem chan struct{}
}

// New checks cfg and returns the Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("card: Config.Store is required")
	case cfg.Booking == nil:
		return nil, errors.New("card: Config.Booking is required")
	case cfg.Audit == nil:
		return nil, errors.New("card: Config.Audit is required")
	case cfg.MaxPhotoBytes < 0 || cfg.MaxPhotoPixels < 0 || cfg.PhotoProcessing < 0 || cfg.MaxPhotosPerClient < 0:
		return nil, errors.New("card: Config photo limits must not be negative")
	}
	cfg.MaxPhotoBytes = cmp.Or(cfg.MaxPhotoBytes, 15<<20)
	cfg.MaxPhotoPixels = cmp.Or(cfg.MaxPhotoPixels, 40_000_000)
	cfg.PhotoProcessing = cmp.Or(cfg.PhotoProcessing, 2)
	cfg.MaxPhotosPerClient = cmp.Or(cfg.MaxPhotosPerClient, 1000)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ConsentTexts == nil {
		cfg.ConsentTexts = DefaultConsentTexts()
	}
	if err := checkConsentTexts(cfg.ConsentTexts); err != nil {
		return nil, fmt.Errorf("card: Config.%w", err)
	}
	if cfg.Recommend == nil {
		eng, err := recommend.New(recommend.Config{Now: cfg.Now})
		if err != nil {
			return nil, fmt.Errorf("card: Config.Recommend: %w", err)
		}
		cfg.Recommend = eng
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, log: log, photoSem: make(chan struct{}, cfg.PhotoProcessing)}, nil
}

// Config returns the configuration with defaults filled in.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }
