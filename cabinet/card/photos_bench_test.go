package card_test

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/cabinet/card"
)

// Benchmarks of photo uploads, end to end through card.Service: reading
// the upload, checking, decoding, turning upright, encoding the three
// sizes, writing them to a DiskBlobs directory (fsync included) and the
// metadata to SQLite. Run with
//
//	go test ./cabinet/card -run '^$' -bench 'UploadPhoto' -benchmem
//
// The photo is a 12-megapixel (4000×3000) camera-like JPEG, made once.

var camera12MP = sync.OnceValues(func() ([]byte, []byte) {
	return card.PhotoFixtureCamera(4000, 3000, 1), card.PhotoFixtureCamera(4000, 3000, 6)
})

// BenchmarkUploadPhoto12MP: one upload at a time; ns/op and B/op are per
// photo. "portrait" carries EXIF orientation 6, as a phone held upright
// writes it, so the picture is turned as well.
func BenchmarkUploadPhoto12MP(b *testing.B) {
	landscape, portrait := camera12MP()
	for _, bc := range []struct {
		name string
		data []byte
	}{{"landscape", landscape}, {"portrait", portrait}} {
		b.Run(bc.name, func(b *testing.B) {
			e := newPhotoEnv(b)
			e.consent(phAnna, card.ConsentPhotos, true)
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_, err := e.svc.UploadPhoto(b.Context(), phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore,
					Area: card.AreaFace, File: bytes.NewReader(bc.data)})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUploadPhotoPeakMemory: 8 uploads of the 12-MP photo at once,
// with the default 2 processing slots and, for comparison, 1 and 8 (no
// effective limit). The peak is measured by sampling
// runtime.ReadMemStats().HeapInuse every 2 ms during the uploads, minus
// HeapInuse after a GC before them; peak-heap-MB is the highest over the
// iterations. HeapInuse counts garbage not yet collected too, so with the
// default GOGC=100 it runs up to about twice the live set.
func BenchmarkUploadPhotoPeakMemory(b *testing.B) {
	_, portrait := camera12MP()
	for _, slots := range []int{1, 2, 8} {
		b.Run(fmt.Sprintf("8 uploads, %d slots", slots), func(b *testing.B) {
			e := newPhotoEnv(b, func(c *card.Config) { c.PhotoProcessing = slots })
			e.consent(phAnna, card.ConsentPhotos, true)
			var peakHeap uint64
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				var peak atomic.Uint64
				done := make(chan struct{})
				sampled := make(chan struct{})
				go func() {
					defer close(sampled)
					t := time.NewTicker(2 * time.Millisecond)
					defer t.Stop()
					for {
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						if m.HeapInuse > peak.Load() {
							peak.Store(m.HeapInuse)
						}
						select {
						case <-done:
							return
						case <-t.C:
						}
					}
				}()
				b.StartTimer()
				var wg sync.WaitGroup
				for range 8 {
					wg.Go(func() {
						_, err := e.svc.UploadPhoto(b.Context(), phAnna, "ph-anna", card.PhotoUpload{Kind: card.PhotoBefore,
							Area: card.AreaFace, File: bytes.NewReader(portrait)})
						require.NoError(b, err)
					})
				}
				wg.Wait()
				b.StopTimer()
				close(done)
				<-sampled
				peakHeap = max(peakHeap, peak.Load()-min(peak.Load(), base.HeapInuse))
				b.StartTimer()
			}
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
		})
	}
}
