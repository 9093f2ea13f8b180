package card

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/kabinet-dev/kabinet/booking"
)

// Reading the two things Kabinet takes from a photo's metadata before
// throwing all of it away: the EXIF Orientation (tag 0x0112 of IFD0) and
// the date taken (DateTimeOriginal, tag 0x9003 of the Exif IFD).
//
// A parser of our own rather than a library: it is two tags, the input is
// hostile, and the maintained EXIF libraries for Go are large (full tag
// databases, makernotes, writers) or unmaintained with panics on malformed
// input on record. This one only reads within bounds — every offset is
// checked against the slice, IFDs are capped in size, nothing is followed
// twice — and FuzzReadImageMeta runs it on arbitrary bytes.

// imageMeta is what is read from a photo's metadata.
type imageMeta struct {
	orientation int          // 1–8; 1 when absent or invalid
	taken       booking.Date // DateTimeOriginal's day; zero when absent or invalid
}

// EXIF tags and types read here.
const (
	tagOrientation      = 0x0112
	tagExifIFD          = 0x8769
	tagDateTimeOriginal = 0x9003

	typeShort = 3
	typeLong  = 4
	typeASCII = 2

	maxIFDEntries = 1024
)

// readImageMeta finds the EXIF block of a JPEG (APP1 "Exif"), a PNG (eXIf
// chunk before the image data) or a WebP (EXIF chunk) and reads it.
func readImageMeta(data []byte, f ImageFormat) imageMeta {
	var tiff []byte
	switch f {
	case FormatJPEG:
		tiff = jpegExif(data)
	case FormatPNG:
		tiff = pngExif(data)
	case FormatWebP:
		tiff = webpExif(data)
	}
	return parseExif(tiff)
}

// jpegExif returns the TIFF structure inside the first APP1 Exif segment,
// which comes before the first scan.
func jpegExif(b []byte) []byte {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil
	}
	for i := 2; i+2 <= len(b); {
		if b[i] != 0xFF {
			return nil
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD8 || m == 0x01 || m >= 0xD0 && m <= 0xD7: // no length
			i += 2
			continue
		case m == 0xDA || m == 0xD9: // start of scan, end of image
			return nil
		}
		if i+4 > len(b) {
			return nil
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if m == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngExif returns the eXIf chunk, which must come before the image data.
func pngExif(b []byte) []byte {
	const sig = 8
	for i := sig; i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || n > len(b)-i-12 {
			return nil
		}
		switch typ {
		case "eXIf":
			return b[i+8 : i+8+n]
		case "IDAT", "IEND":
			return nil
		}
		i += 12 + n
	}
	return nil
}

// webpExif returns the EXIF chunk of an extended WebP.
func webpExif(b []byte) []byte {
	for i := 12; i+8 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		if n < 0 || n > len(b)-i-8 {
			return nil
		}
		if string(b[i:i+4]) == "EXIF" {
			// Some writers keep the JPEG segment's "Exif\0\0" prefix.
			return bytes.TrimPrefix(b[i+8:i+8+n], []byte("Exif\x00\x00"))
		}
		i += 8 + n + n&1
	}
	return nil
}

// parseExif reads the orientation and the date taken from a TIFF
// structure.
func parseExif(t []byte) imageMeta {
	meta := imageMeta{orientation: 1}
	if len(t) < 8 {
		return meta
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return meta
	}
	ifd0 := bo.Uint32(t[4:])
	if typ, count, val, ok := exifTag(t, bo, ifd0, tagOrientation); ok && count == 1 {
		var o uint32
		switch typ {
		case typeShort:
			o = uint32(bo.Uint16(val))
		case typeLong:
			o = bo.Uint32(val)
		}
		if o >= 1 && o <= 8 {
			meta.orientation = int(o)
		}
	}
	if typ, count, val, ok := exifTag(t, bo, ifd0, tagExifIFD); ok && count == 1 && typ == typeLong {
		if sub := bo.Uint32(val); sub != ifd0 {
			if typ, count, val, ok := exifTag(t, bo, sub, tagDateTimeOriginal); ok && typ == typeASCII && count >= 11 {
				off := bo.Uint32(val) // more than 4 bytes: the value is elsewhere
				if uint64(off)+10 <= uint64(len(t)) {
					// "YYYY:MM:DD HH:MM:SS": the camera's local time; its day is what counts.
					if d, err := time.Parse("2006:01:02", string(t[off:off+10])); err == nil {
						meta.taken = booking.DateOf(d, time.UTC)
					}
				}
			}
		}
	}
	return meta
}

// exifTag finds tag in the IFD at off and returns its type, count and the
// 4-byte value field (the value itself when it fits, else its offset).
func exifTag(t []byte, bo binary.ByteOrder, off uint32, tag uint16) (typ uint16, count uint32, val []byte, ok bool) {
	if uint64(off)+2 > uint64(len(t)) {
		return 0, 0, nil, false
	}
	n := int(bo.Uint16(t[off:]))
	if n > maxIFDEntries {
		return 0, 0, nil, false
	}
	for i := range n {
		e := uint64(off) + 2 + uint64(i)*12
		if e+12 > uint64(len(t)) {
			return 0, 0, nil, false
		}
		entry := t[e : e+12]
		if bo.Uint16(entry) == tag {
			return bo.Uint16(entry[2:]), bo.Uint32(entry[4:]), entry[8:12], true
		}
	}
	return 0, 0, nil, false
}
