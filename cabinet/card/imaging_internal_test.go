package card

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet-dev/kabinet/booking"
)

// imagingService is a Service with only what processPhoto uses.
func imagingService(maxPixels, slots int) *Service {
	return &Service{cfg: Config{MaxPhotoPixels: maxPixels}, photoSem: make(chan struct{}, slots)}
}

func TestDetectImageFormat(t *testing.T) {
	jpg := PhotoFixtureJPEG(PhotoFixtureQuadrants(8, 8), 80)
	for _, tc := range []struct {
		name     string
		data     []byte
		want     ImageFormat
		detected string // of the *UnsupportedMediaError when want is ""
	}{
		{"jpeg", jpg, FormatJPEG, ""},
		{"png", PhotoFixturePNG(PhotoFixtureQuadrants(8, 8)), FormatPNG, ""},
		{"webp", PhotoFixtureWebP(4, 4, color.NRGBA{1, 2, 3, 255}, 0), FormatWebP, ""},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "", "HEIC"},
		{"heif mif1", []byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"), "", "HEIC"},
		{"avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1"), "", "AVIF"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", "GIF"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "", "PDF"},
		{"html named .jpg", []byte("  <!doctype html><script>alert(1)</script>"), "", "HTML/SVG"},
		{"svg", []byte("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "", "HTML/SVG"},
		{"bmp", []byte("BM\x00\x00"), "", "BMP"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), "", "TIFF"},
		{"riff but not webp", []byte("RIFF\x00\x00\x00\x00WAVEfmt "), "", ""},
		{"jpeg prefix only", []byte{0xFF, 0xD8}, "", ""},
		{"empty", nil, "", ""},
		{"random", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DetectImageFormat(tc.data)
			if tc.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.ErrorIs(t, err, ErrUnsupportedMedia)
			var ume *UnsupportedMediaError
			require.ErrorAs(t, err, &ume)
			assert.Equal(t, tc.detected, ume.Detected)
		})
	}
}

// naiveOrient is the reference: the picture turned upright pixel by pixel
// from the EXIF definitions.
func naiveOrient(src image.Image, o int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for Y := range oh {
		for X := range ow {
			x, y := X, Y
			switch o {
			case 2:
				x = w - 1 - X
			case 3:
				x, y = w-1-X, h-1-Y
			case 4:
				y = h - 1 - Y
			case 5:
				x, y = Y, X
			case 6:
				x, y = Y, h-1-X
			case 7:
				x, y = w-1-Y, h-1-X
			case 8:
				x, y = w-1-Y, X
			}
			dst.Set(X, Y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

func TestOrientMatchesTheDefinitions(t *testing.T) {
	// Distinct pixels, odd sizes.
	src := image.NewRGBA(image.Rect(0, 0, 7, 5))
	gray := image.NewGray(image.Rect(0, 0, 7, 5))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 3)
	}
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			got := orient(src, o).(*image.RGBA)
			assert.Equal(t, naiveOrient(src, o).Pix, got.Pix)
			g := orient(gray, o).(*image.Gray)
			want := naiveOrient(gray, o)
			for i, v := range g.Pix {
				require.Equal(t, want.Pix[4*i], v)
			}
		})
	}
}

func TestOrientYCbCr(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440} {
		// Even sizes, chroma constant over each subsampling block: turning
		// the picture must give exactly the reference.
		m := image.NewYCbCr(image.Rect(0, 0, 8, 4), ratio)
		for i := range m.Y {
			m.Y[i] = uint8(i * 5)
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = uint8(100+i*3), uint8(200-i*3)
		}
		for o := 1; o <= 8; o++ {
			got := orient(m, o)
			want := naiveOrient(m, o)
			require.Equal(t, want.Bounds(), got.Bounds(), "%v %d", ratio, o)
			for y := range want.Rect.Dy() {
				for x := range want.Rect.Dx() {
					require.Equal(t, want.At(x, y), color.RGBAModel.Convert(got.At(x, y)), "%v o=%d (%d,%d)", ratio, o, x, y)
				}
			}
			if o >= 5 && ratio == image.YCbCrSubsampleRatio422 {
				assert.Equal(t, image.YCbCrSubsampleRatio440, got.(*image.YCbCr).SubsampleRatio)
			}
		}
	}
}

func TestFitSize(t *testing.T) {
	for _, tc := range []struct{ w, h, side, ww, wh int }{
		{4000, 3000, 1280, 1280, 960},
		{3000, 4000, 1280, 960, 1280},
		{1280, 1280, 1280, 1280, 1280},
		{100, 50, 1280, 100, 50},
		{40000, 1, 320, 320, 1},
		{1, 40000, 320, 1, 320},
	} {
		w, h := fitSize(tc.w, tc.h, tc.side)
		assert.Equal(t, [2]int{tc.ww, tc.wh}, [2]int{w, h}, "%dx%d→%d", tc.w, tc.h, tc.side)
	}
}

func TestShrinkAveragesAreas(t *testing.T) {
	// 4×2 → 2×1 (side 2): each output pixel is the mean of a 2×2 block.
	src := image.NewRGBA(image.Rect(0, 0, 4, 2))
	vals := []uint8{0, 100, 200, 40, 10, 30, 60, 255}
	for i, v := range vals {
		src.SetRGBA(i%4, i/4, color.RGBA{v, v, v, 255})
	}
	got := shrink(src, 2)
	require.Equal(t, image.Rect(0, 0, 2, 1), got.Rect)
	assert.Equal(t, uint8((0+100+10+30+2)/4), got.Pix[0])
	assert.Equal(t, uint8((200+40+60+255+2)/4), got.Pix[4])

	// 3 → 2: the middle source pixel is split half and half.
	src3 := image.NewGray(image.Rect(0, 0, 3, 1))
	copy(src3.Pix, []uint8{0, 90, 180})
	got = shrink(src3, 2)
	assert.Equal(t, []uint8{30, 30, 30, 255, 150, 150, 150, 255}, got.Pix[:8], "(0·1+90·½)/1½ and (90·½+180·1)/1½")

	// A uniform picture stays that colour, whatever the ratio.
	q := PhotoFixtureQuadrants(997, 611)
	small := shrink(q, 97)
	assert.Equal(t, QuadTL, small.RGBAAt(2, 2))
	assert.Equal(t, QuadBR, small.RGBAAt(small.Rect.Dx()-3, small.Rect.Dy()-3))
}

func TestReadImageMeta(t *testing.T) {
	jpg := PhotoFixtureJPEG(PhotoFixtureQuadrants(16, 8), 80)
	day := booking.Date{Year: 2026, Month: 11, Day: 20}
	for o := 0; o <= 8; o++ {
		want := max(o, 1)
		assert.Equal(t, imageMeta{orientation: want, taken: day}, readImageMeta(PhotoFixtureWithMetadata(jpg, o), FormatJPEG), "jpeg %d", o)
		assert.Equal(t, want, readImageMeta(PhotoFixturePNGWithExif(PhotoFixtureQuadrants(4, 4), o), FormatPNG).orientation, "png %d", o)
		assert.Equal(t, want, readImageMeta(PhotoFixtureWebP(4, 4, color.NRGBA{1, 2, 3, 255}, max(o, 1)), FormatWebP).orientation, "webp %d", o)
	}
	assert.Equal(t, imageMeta{orientation: 1}, readImageMeta(jpg, FormatJPEG), "no EXIF")
	// Big-endian, and out-of-range values ignored.
	be := []byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	assert.Equal(t, 6, parseExif(be).orientation)
	be[19] = 9
	assert.Equal(t, 1, parseExif(be).orientation)
}

func FuzzReadImageMeta(f *testing.F) {
	jpg := PhotoFixtureJPEG(PhotoFixtureQuadrants(16, 8), 80)
	f.Add(PhotoFixtureWithMetadata(jpg, 6), 0)
	f.Add(PhotoFixturePNGWithExif(PhotoFixtureQuadrants(4, 4), 3), 1)
	f.Add(PhotoFixtureWebP(4, 4, color.NRGBA{1, 2, 3, 255}, 8), 2)
	f.Add(PhotoFixtureTIFF(5), 3)
	f.Fuzz(func(t *testing.T, data []byte, which int) {
		var m imageMeta
		switch which % 4 {
		case 0:
			m = readImageMeta(data, FormatJPEG)
		case 1:
			m = readImageMeta(data, FormatPNG)
		case 2:
			m = readImageMeta(data, FormatWebP)
		default:
			m = parseExif(data)
		}
		if m.orientation < 1 || m.orientation > 8 {
			t.Fatalf("orientation %d", m.orientation)
		}
	})
}

// FuzzProcessPhoto: whatever the bytes, processing answers with a photo or
// one of its errors — never a panic, never an unexpected error.
func FuzzProcessPhoto(f *testing.F) {
	q := PhotoFixtureQuadrants(24, 16)
	f.Add(PhotoFixtureWithMetadata(PhotoFixtureJPEG(q, 80), 6))
	f.Add(PhotoFixturePNG(q))
	f.Add(PhotoFixtureWebP(5, 3, color.NRGBA{1, 2, 3, 128}, 6))
	f.Add(PhotoFixtureBombPNG(50000, 50000))
	s := imagingService(1<<20, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := s.processPhoto(context.Background(), data)
		if err != nil {
			if !errors.Is(err, ErrUnsupportedMedia) && !errors.Is(err, ErrImageTooLarge) && !errors.Is(err, ErrInvalidImage) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if _, err := jpeg.Decode(bytes.NewReader(out.original.data)); err != nil {
			t.Fatalf("the output does not decode: %v", err)
		}
	})
}

func TestProcessPhotoFormats(t *testing.T) {
	s := imagingService(40_000_000, 2)
	q := PhotoFixtureQuadrants(1300, 800)
	for _, tc := range []struct {
		name string
		data []byte
		w, h int
	}{
		{"jpeg", PhotoFixtureJPEG(q, 90), 1300, 800},
		{"png", PhotoFixturePNG(q), 1300, 800},
		{"png, orientation 6 in eXIf", PhotoFixturePNGWithExif(q, 6), 800, 1300},
		{"webp with alpha", PhotoFixtureWebP(300, 200, color.NRGBA{200, 10, 10, 0}, 0), 300, 200},
		{"webp, orientation 8 in EXIF", PhotoFixtureWebP(300, 200, color.NRGBA{10, 10, 200, 255}, 8), 200, 300},
		{"gray jpeg", PhotoFixtureJPEG(image.NewGray(image.Rect(0, 0, 50, 70)), 90), 50, 70},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.processPhoto(t.Context(), tc.data)
			require.NoError(t, err)
			for _, e := range []struct {
				img  encodedImage
				side int
			}{{out.original, max(tc.w, tc.h)}, {out.medium, MediumSide}, {out.thumb, ThumbSide}} {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(e.img.data))
				require.NoError(t, err, "every size is a JPEG")
				assert.Equal(t, [2]int{e.img.width, e.img.height}, [2]int{cfg.Width, cfg.Height})
				ww, wh := fitSize(tc.w, tc.h, e.side)
				assert.Equal(t, [2]int{ww, wh}, [2]int{cfg.Width, cfg.Height})
			}
		})
	}
	// Transparency is laid on white: a JPEG has no alpha, and black would
	// hide the skin.
	out, err := s.processPhoto(t.Context(), PhotoFixtureWebP(16, 16, color.NRGBA{200, 10, 10, 0}, 0))
	require.NoError(t, err)
	img, err := jpeg.Decode(bytes.NewReader(out.original.data))
	require.NoError(t, err)
	r, g, b, _ := img.At(8, 8).RGBA()
	assert.Greater(t, min(r, g, b)>>8, uint32(245), "white, not black")
}

// At its own size shrink is a colour conversion: each pixel as image/color
// converts it, for every subsampling normalize keeps.
func TestShrinkReadsEverySubsampling(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440} {
		m := image.NewYCbCr(image.Rect(0, 0, 9, 7), ratio)
		for i := range m.Y {
			m.Y[i] = uint8(i * 5)
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = uint8(60+i*7), uint8(220-i*5)
		}
		got := shrink(m, 100)
		for y := range 7 {
			for x := range 9 {
				require.Equal(t, color.RGBAModel.Convert(m.At(x, y)), got.RGBAAt(x, y), "%v (%d,%d)", ratio, x, y)
			}
		}
	}
}
