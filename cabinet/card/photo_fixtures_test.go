package card

// Real images for the photo tests, made here rather than checked in: a
// picture of four coloured quadrants, encoded by the standard library;
// EXIF with GPS, XMP, an ICC profile and a comment spliced into a JPEG byte
// by byte; decompression bombs made by patching a tiny file's header; and
// a lossless WebP written bit by bit (there is no WebP encoder in Go).
// Exported for the card_test package only (this is a _test file).

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Markers that must never come out of processing: each sits in one of
// the metadata blocks (or the tail) PhotoFixtureWithMetadata adds.
var PhotoFixtureMarkers = []string{
	"Exif", "KABINET-GPS-MARKER", "KABINET-XMP-MARKER", "http://ns.adobe.com/xap", "ICC_PROFILE",
	"KABINET-ICC-MARKER", "KABINET-COMMENT-MARKER", "KABINET-TAIL-MARKER", "2026:11:20",
}

// The quadrant colours.
var (
	QuadTL = color.RGBA{220, 30, 30, 255}   // red
	QuadTR = color.RGBA{30, 200, 30, 255}   // green
	QuadBL = color.RGBA{30, 30, 220, 255}   // blue
	QuadBR = color.RGBA{240, 240, 240, 255} // white
)

// PhotoFixtureQuadrants is a w×h picture: red top-left, green top-right,
// blue bottom-left, white bottom-right.
func PhotoFixtureQuadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := QuadTL
			switch {
			case x >= w/2 && y < h/2:
				c = QuadTR
			case x < w/2 && y >= h/2:
				c = QuadBL
			case x >= w/2 && y >= h/2:
				c = QuadBR
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// PhotoFixtureJPEG encodes img.
func PhotoFixtureJPEG(img image.Image, quality int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PhotoFixturePNG encodes img.
func PhotoFixturePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PhotoFixtureTIFF is an EXIF TIFF structure (little-endian): IFD0 with
// Orientation (0: none), a pointer to the Exif IFD with DateTimeOriginal
// 2026:11:20 14:33:00, and a pointer to a GPS IFD with a latitude and a
// GPSMapDatum holding KABINET-GPS-MARKER.
func PhotoFixtureTIFF(orientation int) []byte {
	le := binary.LittleEndian
	var b []byte
	u16 := func(v uint16) { b = le.AppendUint16(b, v) }
	u32 := func(v uint32) { b = le.AppendUint32(b, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }
	// Layout: header 8; IFD0 at 8 (3 entries: 42 bytes); Exif IFD at 50
	// (1 entry: 18); GPS IFD at 68 (4 entries: 54); data from 122.
	const ifd0, exifIFD, gpsIFD, data = 8, 50, 68, 122
	date := []byte("2026:11:20 14:33:00\x00")
	lat := make([]byte, 24)
	for i, v := range []uint32{55, 1, 45, 1, 0, 1} {
		le.PutUint32(lat[4*i:], v)
	}
	marker := []byte("KABINET-GPS-MARKER\x00")
	b = append(b, "II*\x00"...)
	u32(ifd0)
	u16(3)
	orientTag := uint16(0x0112)
	if orientation == 0 {
		orientTag = 0x0131 // Software: an entry that is not the orientation
	}
	entry(orientTag, 3, 1, uint32(orientation))
	entry(0x8769, 4, 1, exifIFD)
	entry(0x8825, 4, 1, gpsIFD)
	u32(0)
	u16(1)
	entry(0x9003, 2, uint32(len(date)), data)
	u32(0)
	u16(4)
	entry(0x0000, 1, 4, 0x00000202)                                                // GPSVersionID 2.2.0.0
	entry(0x0001, 2, 2, uint32('N'))                                               // GPSLatitudeRef "N"
	entry(0x0002, 5, 3, data+uint32(len(date)))                                    // GPSLatitude
	entry(0x0012, 2, uint32(len(marker)), data+uint32(len(date))+uint32(len(lat))) // GPSMapDatum
	u32(0)
	if len(b) != data {
		panic("PhotoFixtureTIFF: layout")
	}
	b = append(b, date...)
	b = append(b, lat...)
	return append(b, marker...)
}

func jpegSegment(marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// PhotoFixtureWithMetadata splices into a JPEG, after its SOI: an APP1 Exif
// segment (orientation, date, GPS), an APP1 XMP packet, an APP2 ICC
// profile and a comment; and appends a tail after the image (a polyglot's
// trick). Orientation 0 leaves the orientation tag out.
func PhotoFixtureWithMetadata(jpg []byte, orientation int) []byte {
	out := append([]byte(nil), jpg[:2]...)
	out = append(out, jpegSegment(0xE1, append([]byte("Exif\x00\x00"), PhotoFixtureTIFF(orientation)...))...)
	out = append(out, jpegSegment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><rdf:Description exif:GPSLatitude=\"55,45N\">KABINET-XMP-MARKER</rdf:Description></x:xmpmeta>"))...)
	out = append(out, jpegSegment(0xE2, []byte("ICC_PROFILE\x00\x01\x01KABINET-ICC-MARKER"))...)
	out = append(out, jpegSegment(0xFE, []byte("KABINET-COMMENT-MARKER"))...)
	out = append(out, jpg[2:]...)
	return append(out, "<html>KABINET-TAIL-MARKER</html>"...)
}

// PhotoFixtureBombPNG is a valid 1×1 PNG whose header says w×h.
func PhotoFixtureBombPNG(w, h int) []byte {
	b := PhotoFixturePNG(image.NewGray(image.Rect(0, 0, 1, 1)))
	// IHDR: length at 8, type at 12, width at 16, height at 20, CRC at 29.
	binary.BigEndian.PutUint32(b[16:], uint32(w))
	binary.BigEndian.PutUint32(b[20:], uint32(h))
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// PhotoFixtureBombJPEG is a valid 8×8 JPEG whose SOF0 says w×h (each at
// most 65535).
func PhotoFixtureBombJPEG(w, h int) []byte {
	b := PhotoFixtureJPEG(image.NewGray(image.Rect(0, 0, 8, 8)), 75)
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(b[i+5:], uint16(h))
	binary.BigEndian.PutUint16(b[i+7:], uint16(w))
	return b
}

// PhotoFixtureWebP is a lossless WebP of one colour, w×h (each at most
// 16384): a VP8L stream whose five prefix codes each have one symbol, so
// the pixels take no bits at all. With orientation 1–8 the file is an
// extended WebP (VP8X) with an EXIF chunk.
func PhotoFixtureWebP(w, h int, c color.NRGBA, orientation int) []byte {
	var bits uint64
	var n uint
	var stream []byte
	put := func(v uint64, width uint) {
		bits |= v << n
		n += width
		for n >= 8 {
			stream = append(stream, byte(bits))
			bits >>= 8
			n -= 8
		}
	}
	alpha := uint64(0)
	if c.A != 0xff {
		alpha = 1
	}
	put(uint64(w-1), 14)
	put(uint64(h-1), 14)
	put(alpha, 1)
	put(0, 3) // version
	put(0, 1) // no transform
	put(0, 1) // no colour cache
	put(0, 1) // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		put(1, 1) // a simple code
		put(0, 1) // of one symbol
		put(1, 1) // of 8 bits
		put(uint64(sym), 8)
	}
	if n > 0 {
		stream = append(stream, byte(bits))
	}
	chunk := func(fourcc string, data []byte) []byte {
		out := append([]byte(fourcc), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(out[4:], uint32(len(data)))
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
		return out
	}
	body := []byte("WEBP")
	if orientation >= 1 && orientation <= 8 {
		vp8x := make([]byte, 10)
		vp8x[0] = 0x08 // EXIF
		if alpha == 1 {
			vp8x[0] |= 0x10
		}
		put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
		put24(vp8x[4:], w-1)
		put24(vp8x[7:], h-1)
		body = append(body, chunk("VP8X", vp8x)...)
		body = append(body, chunk("VP8L", append([]byte{0x2f}, stream...))...)
		body = append(body, chunk("EXIF", PhotoFixtureTIFF(orientation))...)
	} else {
		body = append(body, chunk("VP8L", append([]byte{0x2f}, stream...))...)
	}
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}

// PhotoFixturePNGWithExif is a PNG with an eXIf chunk (orientation, GPS)
// before its image data.
func PhotoFixturePNGWithExif(img image.Image, orientation int) []byte {
	b := PhotoFixturePNG(img)
	tiff := PhotoFixtureTIFF(orientation)
	c := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	c = append(c, "eXIf"...)
	c = append(c, tiff...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	const afterIHDR = 8 + 25
	out := append([]byte(nil), b[:afterIHDR]...)
	out = append(out, c...)
	return append(out, b[afterIHDR:]...)
}

// PhotoFixtureCamera is a w×h JPEG (quality 92, 4:2:0) that compresses
// like a camera's photo rather than a drawing: smooth gradients, a few
// soft shapes and sensor-like noise. Orientation 1–8 adds an EXIF block
// with it (and GPS) as a phone would.
func PhotoFixtureCamera(w, h, orientation int) []byte {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(2463534242)
	noise := func() int { // xorshift32: deterministic, fast
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		return int(seed%25) - 12
	}
	for y := range h {
		for x := range w {
			dx, dy := x-w/2, y-h/2
			v := 60 + 120*x/w + 40*y/h
			if dx*dx+dy*dy < (h/3)*(h/3) { // a face-sized disc
				v += 35
			}
			m.Y[y*m.YStride+x] = uint8(min(max(v+noise(), 0), 255))
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			m.Cb[y*m.CStride+x] = uint8(110 + 20*x/((w+1)/2) + noise()/3)
			m.Cr[y*m.CStride+x] = uint8(150 - 15*y/((h+1)/2) + noise()/3)
		}
	}
	b := PhotoFixtureJPEG(m, 92)
	if orientation >= 1 && orientation <= 8 {
		b = PhotoFixtureWithMetadata(b, orientation)
	}
	return b
}
