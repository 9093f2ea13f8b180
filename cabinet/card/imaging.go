package card

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"

	"github.com/kabinet-dev/kabinet/booking"
)

// Processing an uploaded photo, in this order:
//
//  1. The format is recognised from the first bytes (never the file name or
//     the Content-Type): JPEG, PNG or WebP; anything else is a
//     *UnsupportedMediaError that names what it looks like (HEIC, AVIF, GIF,
//     PDF…).
//  2. The header alone (image.DecodeConfig) gives the size; more pixels than
//     Config.MaxPhotoPixels is ErrImageTooLarge, before any pixel buffer is
//     allocated — so a small file declaring 50000×50000 costs nothing.
//  3. The EXIF orientation (and the date taken) are read from the metadata
//     by a small bounds-checked parser (exif.go).
//  4. Under the Service's semaphore (Config.PhotoProcessing at a time, which
//     bounds peak memory): decode; lay transparency on white; turn the
//     picture upright; encode it again as JPEG (quality 90) — the new file
//     carries none of the old one's metadata blocks (EXIF with GPS, XMP, ICC
//     profiles, comments) nor anything appended after the image (polyglot
//     tails); then the medium size (longer side 1280) and the thumbnail
//     (320), each shrunk by area averaging, as JPEG (quality 85).
//
// Memory: a typical 12-megapixel phone JPEG (4:2:0) decodes to 18 MB; turning
// it upright copies it once; the smaller sizes need buffers of their own size
// only (shrink keeps O(width) accumulators — golang.org/x/image/draw's
// kernels would allocate a float64 buffer of destination width × source
// height, 120 MB for 12 MP → 1280). A progressive JPEG at the 40 MP cap needs
// about 8 bytes per pixel while decoding; the semaphore is what keeps the
// total bounded.

// ImageFormat is an image format recognised from a file's bytes.
type ImageFormat string

// The accepted formats.
const (
	FormatJPEG ImageFormat = "jpeg"
	FormatPNG  ImageFormat = "png"
	FormatWebP ImageFormat = "webp"
)

// UnsupportedMediaError is ErrUnsupportedMedia with what the file looks
// like, for a helpful message: "HEIC", "AVIF", "GIF", "PDF", … or "" when
// unknown.
type UnsupportedMediaError struct {
	Detected string
}

func (e *UnsupportedMediaError) Error() string {
	if e.Detected == "" {
		return "card: unsupported image format (JPEG, PNG and WebP are accepted)"
	}
	return "card: unsupported image format " + e.Detected + " (JPEG, PNG and WebP are accepted)"
}

func (e *UnsupportedMediaError) Unwrap() error { return ErrUnsupportedMedia }

// DetectImageFormat recognises JPEG, PNG and WebP from the first bytes of
// b. Anything else is a *UnsupportedMediaError naming the format when it is
// a known one.
func DetectImageFormat(b []byte) (ImageFormat, error) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return FormatJPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return FormatPNG, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return FormatWebP, nil
	}
	return "", &UnsupportedMediaError{Detected: sniffOther(b)}
}

// sniffOther names a few formats people try to upload instead.
func sniffOther(b []byte) string {
	if len(b) >= 12 && string(b[4:8]) == "ftyp" {
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1":
			return "HEIC"
		case "avif", "avis":
			return "AVIF"
		case "qt  ", "isom", "iso2", "mp41", "mp42", "M4V ", "3gp4", "3gp5":
			return "video"
		}
	}
	for _, m := range []struct{ magic, name string }{
		{"GIF87a", "GIF"}, {"GIF89a", "GIF"}, {"%PDF-", "PDF"}, {"BM", "BMP"},
		{"II*\x00", "TIFF"}, {"MM\x00*", "TIFF"}, {"\xff\x0a", "JPEG XL"}, {"\x00\x00\x00\x0cJXL ", "JPEG XL"},
		{"8BPS", "PSD"}, {"\x00\x00\x01\x00", "ICO"},
	} {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			return m.name
		}
	}
	trimmed := bytes.TrimLeft(b[:min(len(b), 512)], " \t\r\n\xef\xbb\xbf")
	if bytes.HasPrefix(trimmed, []byte("<")) {
		return "HTML/SVG"
	}
	return ""
}

// encodedImage is one output file.
type encodedImage struct {
	data          []byte
	width, height int
}

// processedPhoto is what processPhoto makes of an upload.
type processedPhoto struct {
	format                  ImageFormat
	original, medium, thumb encodedImage
	taken                   booking.Date // from EXIF; zero when absent
}

// JPEG qualities of the stored sizes.
const (
	originalQuality = 90
	smallQuality    = 85
)

// processPhoto turns the bytes of an upload into the three stored files
// (see the top of this file). Errors: *UnsupportedMediaError,
// ErrImageTooLarge, ErrInvalidImage, or ctx's error while waiting for a
// processing slot.
func (s *Service) processPhoto(ctx context.Context, data []byte) (processedPhoto, error) {
	format, err := DetectImageFormat(data)
	if err != nil {
		return processedPhoto{}, err
	}
	cfg, err := decodeConfig(data, format)
	if err != nil {
		return processedPhoto{}, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return processedPhoto{}, fmt.Errorf("%w: empty picture", ErrInvalidImage)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(s.cfg.MaxPhotoPixels) {
		return processedPhoto{}, ErrImageTooLarge
	}
	meta := readImageMeta(data, format)

	select {
	case s.photoSem <- struct{}{}:
	case <-ctx.Done():
		return processedPhoto{}, ctx.Err()
	}
	defer func() { <-s.photoSem }()

	img, err := decodeImage(data, format)
	if err != nil {
		return processedPhoto{}, err
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return processedPhoto{}, fmt.Errorf("%w: the header and the picture disagree on its size", ErrInvalidImage)
	}
	img = orient(normalize(img), meta.orientation)
	out := processedPhoto{format: format, taken: meta.taken}
	if out.original, err = encodeJPEG(img, originalQuality); err != nil {
		return processedPhoto{}, err
	}
	if err := ctx.Err(); err != nil {
		return processedPhoto{}, err
	}
	medium := shrink(img, MediumSide)
	img = nil // the full-size picture may go now
	if out.medium, err = encodeJPEG(medium, smallQuality); err != nil {
		return processedPhoto{}, err
	}
	if out.thumb, err = encodeJPEG(shrink(medium, ThumbSide), smallQuality); err != nil {
		return processedPhoto{}, err
	}
	return out, nil
}

// decodeConfig reads the size from the header only.
func decodeConfig(data []byte, f ImageFormat) (cfg image.Config, err error) {
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("%w: the header does not decode", ErrInvalidImage)
		}
	}()
	r := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case FormatPNG:
		cfg, err = png.DecodeConfig(r)
	case FormatWebP:
		cfg, err = webp.DecodeConfig(r)
	}
	if err != nil {
		return image.Config{}, fmt.Errorf("%w: %v", ErrInvalidImage, err)
	}
	return cfg, nil
}

// decodeImage decodes data, whose header was checked. A decoder's panic on
// hostile input is an invalid image, not a crash.
func decodeImage(data []byte, f ImageFormat) (img image.Image, err error) {
	defer func() {
		if recover() != nil {
			img, err = nil, fmt.Errorf("%w: the picture does not decode", ErrInvalidImage)
		}
	}()
	r := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		img, err = jpeg.Decode(r)
	case FormatPNG:
		img, err = png.Decode(r)
	case FormatWebP:
		img, err = webp.Decode(r)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidImage, err)
	}
	return img, nil
}

// encodeJPEG encodes img (one of normalize's types) as a JPEG with no
// metadata at all: image/jpeg writes only the image itself.
func encodeJPEG(img image.Image, quality int) (encodedImage, error) {
	b := img.Bounds()
	var buf bytes.Buffer
	buf.Grow(b.Dx() * b.Dy() / 3) // about what quality 85–90 needs for a photo
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return encodedImage{}, fmt.Errorf("card: encode photo: %w", err)
	}
	return encodedImage{data: buf.Bytes(), width: b.Dx(), height: b.Dy()}, nil
}

// normalize returns img as one of three types, opaque and anchored at
// (0, 0): *image.YCbCr (most JPEGs and lossy WebPs, kept as decoded, in a
// subsampling orient can turn), *image.Gray, or *image.RGBA.
// Transparent pixels are laid on white, since a JPEG has no alpha; decoded
// NRGBA and RGBA pictures are changed in place.
func normalize(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.YCbCr:
		if m.Rect.Min == (image.Point{}) {
			switch m.SubsampleRatio {
			case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
				image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440:
				return m
			}
		}
	case *image.Gray:
		if m.Rect.Min == (image.Point{}) {
			return m
		}
	case *image.NRGBA:
		if m.Rect.Min == (image.Point{}) {
			flatten(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), false)
			return &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	case *image.RGBA:
		if m.Rect.Min == (image.Point{}) {
			flatten(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), true)
			return m
		}
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Over)
	return dst
}

// flatten lays 8-bit RGBA pixels (premultiplied or not) on white and makes
// them opaque, in place.
func flatten(pix []byte, stride, w, h int, premultiplied bool) {
	for y := range h {
		row := pix[y*stride : y*stride+4*w]
		for i := 0; i < len(row); i += 4 {
			a := uint32(row[i+3])
			if a == 0xff {
				continue
			}
			for c := range 3 {
				v := uint32(row[i+c])
				if premultiplied {
					v = min(v+0xff-a, 0xff)
				} else {
					v = (v*a + 0xff*(0xff-a) + 0x7f) / 0xff
				}
				row[i+c] = uint8(v)
			}
			row[i+3] = 0xff
		}
	}
}

// orient turns a picture of normalize's types upright according to the
// EXIF orientation o (1–8; anything else leaves it as it is). Each plane is
// copied once; a 4:2:2 picture turned by 90° becomes 4:4:0 and back.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	switch m := img.(type) {
	case *image.YCbCr:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		cw, ch := chromaSize(m.SubsampleRatio, w, h)
		ratio := m.SubsampleRatio
		if o >= 5 {
			switch ratio {
			case image.YCbCrSubsampleRatio422:
				ratio = image.YCbCrSubsampleRatio440
			case image.YCbCrSubsampleRatio440:
				ratio = image.YCbCrSubsampleRatio422
			}
		}
		// With an odd width (or height) the chroma samples of a mirrored
		// picture pair up with their pixels one luma pixel off: invisible.
		out := &image.YCbCr{SubsampleRatio: ratio}
		var ow, oh int
		out.Y, out.YStride, ow, oh = orientPlane(m.Y, m.YStride, w, h, 1, o)
		out.Cb, out.CStride, _, _ = orientPlane(m.Cb, m.CStride, cw, ch, 1, o)
		out.Cr, _, _, _ = orientPlane(m.Cr, m.CStride, cw, ch, 1, o)
		out.Rect = image.Rect(0, 0, ow, oh)
		return out
	case *image.Gray:
		pix, stride, ow, oh := orientPlane(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 1, o)
		return &image.Gray{Pix: pix, Stride: stride, Rect: image.Rect(0, 0, ow, oh)}
	case *image.RGBA:
		pix, stride, ow, oh := orientPlane(m.Pix, m.Stride, m.Rect.Dx(), m.Rect.Dy(), 4, o)
		return &image.RGBA{Pix: pix, Stride: stride, Rect: image.Rect(0, 0, ow, oh)}
	}
	return img
}

// chromaSize is the size of the Cb and Cr planes of a w×h picture.
func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	}
	return w, h
}

// orientPlane copies a w×h plane of bpp-byte pixels transformed by the EXIF
// orientation o (2–8): 2 mirrors left–right, 3 turns by 180°, 4 mirrors
// top–bottom, 5 transposes, 6 turns clockwise by 90°, 7 transverses, 8
// turns counter-clockwise by 90°; 5–8 swap width and height. Output pixel
// (X, Y) is source byte base + X·dx + Y·dy; the copy goes in 64×64 tiles, so
// that the turns, which walk the source down its columns, stay in cache.
func orientPlane(src []byte, stride, w, h, bpp, o int) (dst []byte, dstStride, ow, oh int) {
	ow, oh = w, h
	if o >= 5 {
		ow, oh = h, w
	}
	var base, dx, dy int
	switch o {
	case 2: // x = w-1-X, y = Y
		base, dx, dy = (w-1)*bpp, -bpp, stride
	case 3: // x = w-1-X, y = h-1-Y
		base, dx, dy = (h-1)*stride+(w-1)*bpp, -bpp, -stride
	case 4: // x = X, y = h-1-Y
		base, dx, dy = (h-1)*stride, bpp, -stride
	case 5: // x = Y, y = X
		base, dx, dy = 0, stride, bpp
	case 6: // x = Y, y = h-1-X
		base, dx, dy = (h-1)*stride, -stride, bpp
	case 7: // x = w-1-Y, y = h-1-X
		base, dx, dy = (h-1)*stride+(w-1)*bpp, -stride, -bpp
	case 8: // x = w-1-Y, y = X
		base, dx, dy = (w-1)*bpp, stride, -bpp
	}
	dstStride = ow * bpp
	dst = make([]byte, dstStride*oh)
	const tile = 64
	for ty := 0; ty < oh; ty += tile {
		for tx := 0; tx < ow; tx += tile {
			xEnd := min(tx+tile, ow)
			for y := ty; y < min(ty+tile, oh); y++ {
				off := base + y*dy + tx*dx
				row := dst[y*dstStride+tx*bpp : y*dstStride+xEnd*bpp]
				if bpp == 1 {
					for x := range row {
						row[x] = src[off]
						off += dx
					}
					continue
				}
				for x := 0; x < len(row); x += bpp {
					copy(row[x:x+bpp], src[off:off+bpp])
					off += dx
				}
			}
		}
	}
	return dst, dstStride, ow, oh
}

// fitSize is the size of a w×h picture shrunk so that its longer side is at
// most side; never larger than w×h, never 0.
func fitSize(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int((int64(h)*int64(side)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(side)+int64(h)/2)/int64(h))), side
}

// shrink returns a picture of normalize's types (anchored at (0, 0)) made
// smaller, so that its longer side is at most side, by area averaging:
// every output pixel is the exact mean of the source area it covers — the
// right filter for reduction, with no aliasing. The weights are integers
// (source pixels are split between at most two output pixels in each
// direction), and only two rows of accumulators are kept, so the extra
// memory is O(output width). A picture already small enough is copied.
func shrink(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := fitSize(sw, sh, side)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	fill := rowFiller(src)

	// Along x, source pixel x covers [x·dw, (x+1)·dw) and output pixel j
	// covers [j·sw, (j+1)·sw), in units of 1/(sw·dw) of the picture's width.
	type split struct {
		j      int
		w0, w1 uint64 // weights for j and j+1
	}
	xs := make([]split, sw)
	for x := range sw {
		lo, hi := x*dw, (x+1)*dw
		j := lo / sw
		edge := (j + 1) * sw
		if hi <= edge {
			xs[x] = split{j, uint64(dw), 0}
		} else {
			xs[x] = split{j, uint64(edge - lo), uint64(hi - edge)}
		}
	}
	line := make([]byte, 3*sw)
	row := make([]uint64, 3*(dw+1)) // one source row, shrunk along x
	acc := make([]uint64, 3*dw)     // the output row being summed
	total := uint64(sw) * uint64(sh)
	for y := range sh {
		fill(y, line)
		clear(row)
		for x, sp := range xs {
			r, g, bl := uint64(line[3*x]), uint64(line[3*x+1]), uint64(line[3*x+2])
			i := 3 * sp.j
			row[i] += r * sp.w0
			row[i+1] += g * sp.w0
			row[i+2] += bl * sp.w0
			if sp.w1 != 0 {
				row[i+3] += r * sp.w1
				row[i+4] += g * sp.w1
				row[i+5] += bl * sp.w1
			}
		}
		// Along y, the same split of source row y between output rows.
		lo, hi := y*dh, (y+1)*dh
		for lo < hi {
			j := lo / sh
			end := min(hi, (j+1)*sh)
			wt := uint64(end - lo)
			for i := range acc {
				acc[i] += row[i] * wt
			}
			lo = end
			if end == (j+1)*sh {
				out := dst.Pix[j*dst.Stride : j*dst.Stride+4*dw]
				for x := range dw {
					out[4*x] = uint8((acc[3*x] + total/2) / total)
					out[4*x+1] = uint8((acc[3*x+1] + total/2) / total)
					out[4*x+2] = uint8((acc[3*x+2] + total/2) / total)
					out[4*x+3] = 0xff
				}
				clear(acc)
			}
		}
	}
	return dst
}

// rowFiller returns a function that writes row y of src as RGB bytes.
func rowFiller(src image.Image) func(y int, rgb []byte) {
	switch m := src.(type) {
	case *image.YCbCr:
		// normalize's subsamplings: chroma halved across for 4:2:2 and
		// 4:2:0, down for 4:2:0 and 4:4:0.
		xShift, yShift := 0, 0
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422:
			xShift = 1
		case image.YCbCrSubsampleRatio420:
			xShift, yShift = 1, 1
		case image.YCbCrSubsampleRatio440:
			yShift = 1
		}
		return func(y int, rgb []byte) {
			yRow := m.Y[y*m.YStride : y*m.YStride+m.Rect.Dx()]
			c := (y >> yShift) * m.CStride
			cb, cr := m.Cb[c:], m.Cr[c:]
			for x, lum := range yRow {
				r, g, b := color.YCbCrToRGB(lum, cb[x>>xShift], cr[x>>xShift])
				rgb[3*x], rgb[3*x+1], rgb[3*x+2] = r, g, b
			}
		}
	case *image.Gray:
		return func(y int, rgb []byte) {
			for x, v := range m.Pix[y*m.Stride : y*m.Stride+m.Rect.Dx()] {
				rgb[3*x], rgb[3*x+1], rgb[3*x+2] = v, v, v
			}
		}
	case *image.RGBA:
		return func(y int, rgb []byte) {
			p := m.Pix[y*m.Stride : y*m.Stride+4*m.Rect.Dx()]
			for x := range m.Rect.Dx() {
				rgb[3*x], rgb[3*x+1], rgb[3*x+2] = p[4*x], p[4*x+1], p[4*x+2]
			}
		}
	}
	b := src.Bounds()
	return func(y int, rgb []byte) {
		for x := range b.Dx() {
			r, g, bl, _ := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
			rgb[3*x], rgb[3*x+1], rgb[3*x+2] = uint8(r>>8), uint8(g>>8), uint8(bl>>8)
		}
	}
}
