package card_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kabinet-dev/kabinet/auth"
	"github.com/kabinet-dev/kabinet/booking"
	"github.com/kabinet-dev/kabinet/cabinet/card"
	"github.com/kabinet-dev/kabinet/store/sqlite"
)

// A client uploads a photo: it waits for the photos consent, and is
// stored as three metadata-free JPEGs under random keys.
func ExampleService_UploadPhoto() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "card-photo-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "clinic.db"))
	if err != nil {
		panic(err)
	}
	defer st.Close()
	blobs, err := card.NewDiskBlobs(filepath.Join(dir, "photos")) // outside any web root
	if err != nil {
		panic(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	if err := st.CreateUser(ctx, auth.User{ID: "anna", Roles: []auth.Role{auth.RoleClient}, CreatedAt: now()}); err != nil {
		panic(err)
	}
	sched, err := booking.New(booking.Config{Store: st, Now: now})
	if err != nil {
		panic(err)
	}
	svc, err := card.New(card.Config{Store: st, Booking: sched, Blobs: blobs, Now: now,
		Audit: func(context.Context, auth.AuditEntry) error { return nil }})
	if err != nil {
		panic(err)
	}

	// A 1300×975 PNG, as a browser would send it.
	img := image.NewRGBA(image.Rect(0, 0, 1300, 975))
	for i := range img.Pix {
		img.Pix[i] = 0xc0
	}
	var file bytes.Buffer
	if err := png.Encode(&file, img); err != nil {
		panic(err)
	}

	anna := card.Actor{UserID: "anna", Role: booking.RoleClient}
	upload := card.PhotoUpload{Kind: card.PhotoBefore, Area: card.AreaFace, File: bytes.NewReader(file.Bytes())}
	_, err = svc.UploadPhoto(ctx, anna, "anna", upload)
	fmt.Println("without consent:", errors.Is(err, card.ErrConsentRequired))

	if _, err := svc.RecordConsent(ctx, anna, "anna", card.ConsentInput{Type: card.ConsentPhotos, Granted: true, TextVersion: "2026-01"}); err != nil {
		panic(err)
	}
	upload.File = bytes.NewReader(file.Bytes())
	p, err := svc.UploadPhoto(ctx, anna, "anna", upload)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Kind, p.Area, p.TakenOn, "from", p.SourceFormat)
	for _, size := range []card.PhotoSize{card.SizeOriginal, card.SizeMedium, card.SizeThumb} {
		f, _ := p.File(size)
		fmt.Printf("%s: %d×%d %s\n", size, f.Width, f.Height, card.ContentType)
	}

	// A GIF renamed photo.jpg is still a GIF.
	upload.File = strings.NewReader("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	_, err = svc.UploadPhoto(ctx, anna, "anna", upload)
	fmt.Println(err)
	// Output:
	// without consent: true
	// before face 2026-11-25 from png
	// original: 1300×975 image/jpeg
	// medium: 1280×960 image/jpeg
	// thumb: 320×240 image/jpeg
	// card: unsupported image format GIF (JPEG, PNG and WebP are accepted)
}

// The default BlobStore: a directory of private files under random keys.
func ExampleNewDiskBlobs() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "blobs-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	blobs, err := card.NewDiskBlobs(dir)
	if err != nil {
		panic(err)
	}
	const key = "6f1c3a0e9b2d4c58a7e1f0d3b5c79a24" // the card makes these: 128 random bits
	if err := blobs.Put(ctx, key, strings.NewReader("jpeg bytes")); err != nil {
		panic(err)
	}
	rc, err := blobs.Open(ctx, key)
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	fi, _ := os.Stat(filepath.Join(dir, key[:2], key))
	fmt.Println(string(b), fi.Mode().Perm())

	fmt.Println(blobs.Put(ctx, "../../etc/passwd", strings.NewReader("x")))
	fmt.Println(blobs.Delete(ctx, key), blobs.Delete(ctx, key))
	_, err = blobs.Open(ctx, key)
	fmt.Println(err)
	// Output:
	// jpeg bytes -rw-------
	// card: invalid blob key
	// <nil> <nil>
	// card: blob not found
}
