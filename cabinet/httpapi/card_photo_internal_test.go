package httpapi

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// FuzzPhotoForm throws arbitrary bodies at the upload form parser: it
// returns the upload or one of the errors the API maps to a 4xx, never
// anything else, never a panic, and never more than the cap of file bytes.
func FuzzPhotoForm(f *testing.F) {
	const boundary = "kabinetboundary"
	part := func(name, value string) string {
		return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"
	}
	file := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0JFIF\r\n"
	end := "--" + boundary + "--\r\n"
	for _, seed := range []string{
		part("kind", "before") + part("area", "face") + file + end,
		file + part("taken_at", "2026-11-20") + part("appointment_id", "a1") + end,
		part("kind", "before") + part("kind", "after") + end,
		part("taken_at", "20.11.2026") + end,
		part("client_id", "x") + end,
		part("kind", strings.Repeat("x", 300)) + end,
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + strings.Repeat("A", 2000) + "\r\n" + end,
		"", "--" + boundary, "garbage",
	} {
		f.Add([]byte(seed))
	}
	const limit = 1000
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/me/photos", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		in, err := readPhotoForm(httptest.NewRecorder(), r, limit)
		if err != nil {
			for _, known := range []error{card.ErrTooLarge, errMalformedForm, errMalformedParam, errUnknownField} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("unexpected error %v", err)
		}
		if b, ok := in.File.(*bytes.Buffer); ok && b.Len() > limit {
			t.Fatalf("a file of %d bytes passed a cap of %d", b.Len(), limit)
		}
	})
}
