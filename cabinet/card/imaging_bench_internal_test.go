package card

import (
	"context"
	"sync"
	"testing"
)

var camera12MPInternal = sync.OnceValue(func() []byte { return PhotoFixtureCamera(4000, 3000, 6) })

// BenchmarkProcessPhoto12MP is the processing alone (no disk, no
// database) of a 12-MP portrait JPEG: decode, turn upright, encode the
// original, the medium size and the thumbnail.
//
//	go test ./cabinet/card -run '^$' -bench ProcessPhoto -benchmem
func BenchmarkProcessPhoto12MP(b *testing.B) {
	data := camera12MPInternal()
	s := imagingService(40_000_000, 1)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.processPhoto(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}
