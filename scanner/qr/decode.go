package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // DecodeBytes sniffs JPEG
	_ "image/png"  // and PNG

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNotFound means no readable QR code was found in the picture. Wrapped
// errors carry gozxing's last complaint for logs.
var ErrNotFound = errors.New("qr: no QR code found")

// MaxPixels bounds the images DecodeBytes accepts (50 megapixels, more than
// phone cameras take), so a hostile file cannot make the device allocate
// gigabytes: the size is read from the header before any pixel is decoded.
const MaxPixels = 50_000_000

// Decode reads the QR code in img and returns its text.
//
// Fallback chain, cheapest first, stopping at the first success:
//  1. plain detection (finder patterns), the fast path for camera frames;
//  2. PURE_BARCODE: the picture is just the code and its margin. About 1 %
//     of clean generated codes defeat gozxing's finder-pattern search
//     (gozxing issue #14, ZXing alike) and this reads all of them;
//  3. TRY_HARDER: scan every row for finder patterns (helps blurred or
//     small codes in big photos);
//  4. one global threshold instead of the local (hybrid) one: not in the
//     architecture's chain, added because it reads 5 of the 10 ZXing
//     photographs the hybrid binariser misses (uneven light, glare), see
//     TestDecodeRealPhotographs;
//  5. inverted luminance: light-on-dark codes (gozxing ignores the
//     ALSO_INVERTED hint, so the source is wrapped instead);
//  6. the bitmaps of steps 1 and 5 turned a quarter: gozxing looks for
//     finder patterns along rows, and the turned image offers other rows.
//     This reads the ~1 % of clean codes plain detection misses inside
//     camera frames (where PURE_BARCODE cannot help: the code is not
//     alone) and a share of tilted, tiny or blurred ones; see
//     TestDecodeDistortedCameraFrames.
//
// Steps 1–3 share one binarised bitmap. Each call uses its own reader:
// gozxing readers are not safe for concurrent use, calls to Decode are.
func Decode(img image.Image) (string, error) {
	if img == nil {
		return "", fmt.Errorf("%w: nil image", ErrNotFound)
	}
	src, err := luminance(img)
	if err != nil {
		return "", err
	}
	return decodeSource(src)
}

// DecodeBytes decodes a PNG or JPEG file (the format is sniffed) and reads
// the QR code in it.
func DecodeBytes(b []byte) (string, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("qr: not a PNG or JPEG image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return "", fmt.Errorf("qr: image %d×%d is empty or larger than %d pixels", cfg.Width, cfg.Height, MaxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("qr: decode image: %w", err)
	}
	return Decode(img)
}

// DecodeGray reads the QR code in a raw 8-bit grey frame of width×height
// pixels, row after row without padding. pix is read, never modified or kept.
func DecodeGray(width, height int, pix []byte) (string, error) {
	if width <= 0 || height <= 0 || len(pix) < width*height {
		return "", fmt.Errorf("qr: grey frame %d×%d needs %d bytes, got %d", width, height, max(width*height, 0), len(pix))
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(pix, width, height, 0, 0, width, height, false)
	if err != nil {
		return "", fmt.Errorf("qr: grey frame: %w", err)
	}
	return decodeSource(src)
}

// DecodeYUV reads the QR code in a planar or semi-planar YUV 4:2:0 camera
// frame (Android NV21 and YUV_420_888 with packed Y, I420, NV12): the first
// width×height bytes are the Y (luma) plane, which is all a QR decoder needs.
func DecodeYUV(width, height int, frame []byte) (string, error) {
	if width <= 0 || height <= 0 || len(frame) < width*height {
		return "", fmt.Errorf("qr: YUV frame %d×%d needs at least %d bytes, got %d", width, height, max(width*height, 0), len(frame))
	}
	return DecodeGray(width, height, frame[:width*height])
}

var (
	hintsPure      = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
	hintsTryHarder = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
)

func decodeSource(src gozxing.LuminanceSource) (string, error) {
	reader := zxqr.NewQRCodeReader()
	hybrid, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var last error
	for _, hints := range []map[gozxing.DecodeHintType]interface{}{nil, hintsPure, hintsTryHarder} {
		text, err := try(reader, hybrid, hints)
		if err == nil {
			return text, nil
		}
		last = err
	}
	global, _ := gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(src))
	if text, err := try(reader, global, nil); err == nil {
		return text, nil
	}
	inverted, _ := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewInvertedLuminanceSource(src)))
	if text, err := try(reader, inverted, nil); err == nil {
		return text, nil
	}
	// Last, the hybrid bitmaps turned a quarter. Rotating a cached bit
	// matrix in place is safe because its bitmap is not used after this,
	// and it saves binarising again.
	for _, bmp := range []*gozxing.BinaryBitmap{hybrid, inverted} {
		m, err := bmp.GetBlackMatrix()
		if err != nil {
			continue
		}
		m.Rotate90()
		turned, _ := gozxing.NewBinaryBitmap(fixedBinarizer{m, src})
		if text, err := try(reader, turned, nil); err == nil {
			return text, nil
		}
	}
	return "", fmt.Errorf("%w: %w", ErrNotFound, last)
}

// fixedBinarizer hands an already binarised matrix to the QR reader, which
// only calls GetBlackMatrix.
type fixedBinarizer struct {
	m   *gozxing.BitMatrix
	src gozxing.LuminanceSource
}

func (f fixedBinarizer) GetLuminanceSource() gozxing.LuminanceSource { return f.src }
func (f fixedBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) { return f.m, nil }
func (f fixedBinarizer) GetWidth() int                               { return f.m.GetWidth() }
func (f fixedBinarizer) GetHeight() int                              { return f.m.GetHeight() }
func (f fixedBinarizer) CreateBinarizer(src gozxing.LuminanceSource) gozxing.Binarizer {
	return gozxing.NewHybridBinarizer(src)
}
func (f fixedBinarizer) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	return nil, errors.New("qr: row access unsupported on a rotated matrix")
}

// try runs one decode attempt. gozxing is a port of Java code that signals
// some corrupt inputs with index panics; a scanner must report "not found"
// for a bad frame, not crash, so panics become errors.
func try(reader gozxing.Reader, bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gozxing panicked: %v", r)
		}
	}()
	res, err := reader.Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// luminance makes a gozxing source from img without copying when the pixels
// already are luma (grey images, the Y plane of JPEG photos), and with one
// tight loop for the common RGBA kinds; only exotic types go through At.
func luminance(img image.Image) (gozxing.LuminanceSource, error) {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: empty image", ErrNotFound)
	}
	switch m := img.(type) {
	case *image.Gray:
		// Pix starts at Bounds().Min; rows are Stride apart.
		return gozxing.NewPlanarYUVLuminanceSource(m.Pix, m.Stride, h, 0, 0, w, h, false)
	case *image.YCbCr:
		off := m.YOffset(r.Min.X, r.Min.Y)
		return gozxing.NewPlanarYUVLuminanceSource(m.Y[off:], m.YStride, h, 0, 0, w, h, false)
	}
	lum := make([]byte, w*h)
	switch m := img.(type) {
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			out := lum[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: composite over white by adding 255-alpha.
				out[x] = byte(luma(uint32(p[0]), uint32(p[1]), uint32(p[2])) + 255 - uint32(p[3]))
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			out := lum[y*w : (y+1)*w]
			for x := range out {
				p := row[4*x : 4*x+4 : 4*x+4]
				a := uint32(p[3])
				out[x] = byte((luma(uint32(p[0]), uint32(p[1]), uint32(p[2]))*a + 255*(255-a)) / 255)
			}
		}
	case *image.Paletted:
		// Encode writes 1-bit palette PNGs: one lookup per pixel.
		var table [256]byte
		for i, c := range m.Palette {
			table[i] = grey(c)
		}
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):]
			out := lum[y*w : (y+1)*w]
			for x := range out {
				out[x] = table[row[x]]
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				lum[y*w+x] = grey(img.At(r.Min.X+x, r.Min.Y+y))
			}
		}
	}
	return gozxing.NewPlanarYUVLuminanceSource(lum, w, h, 0, 0, w, h, false)
}

// grey is the luma of c composited over white.
func grey(c color.Color) byte {
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	l := luma(uint32(n.R>>8), uint32(n.G>>8), uint32(n.B>>8))
	a := uint32(n.A >> 8)
	return byte((l*a + 255*(255-a)) / 255)
}

// luma is ITU-R BT.601 luma of 8-bit components, as JPEG and cameras use.
func luma(r, g, b uint32) uint32 { return (299*r + 587*g + 114*b + 500) / 1000 }
