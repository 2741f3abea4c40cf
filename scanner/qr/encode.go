// Package qr renders ticket codes as QR images and reads them back from
// pictures and camera frames.
//
// Encoding uses github.com/yeqown/go-qrcode/v2 with its standard writer,
// always at error correction M, square modules of at least 6 px, a 4-module
// quiet zone and PNG output: the writer's default is JPEG, whose artefacts
// blur module edges, and its circle shapes are never used (neither gozxing
// nor zbar reads them).
//
// Decoding uses github.com/makiuchi-d/gozxing with a fallback chain (plain,
// PURE_BARCODE, TRY_HARDER, inverted) because each step rescues codes the
// previous one misses; see Decode.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	qrcode "github.com/yeqown/go-qrcode/v2"
	"github.com/yeqown/go-qrcode/writer/standard"
)

const (
	// MinModuleSize is the smallest module (one QR "pixel") accepted, in
	// image pixels: below it printers and phone screens smear the code.
	MinModuleSize = 6
	// DefaultModuleSize is used when no WithModuleSize option is given.
	DefaultModuleSize = 8
	// DefaultQuietZone is the margin around the code in modules, the
	// minimum ISO/IEC 18004 asks for.
	DefaultQuietZone = 4
	// maxModuleSize bounds the writer's uint8 option.
	maxModuleSize = 255
)

// Option tunes Encode and EncodeImage.
type Option func(*settings)

type settings struct {
	moduleSize int
	quietZone  int
}

// WithModuleSize sets the size of one module in pixels (MinModuleSize..255).
func WithModuleSize(px int) Option { return func(s *settings) { s.moduleSize = px } }

// WithQuietZone sets the white margin in modules (at least DefaultQuietZone).
func WithQuietZone(modules int) Option { return func(s *settings) { s.quietZone = modules } }

func newSettings(opts []Option) (settings, error) {
	s := settings{moduleSize: DefaultModuleSize, quietZone: DefaultQuietZone}
	for _, o := range opts {
		o(&s)
	}
	if s.moduleSize < MinModuleSize || s.moduleSize > maxModuleSize {
		return s, fmt.Errorf("qr: module size %d px outside %d..%d", s.moduleSize, MinModuleSize, maxModuleSize)
	}
	if s.quietZone < DefaultQuietZone || s.quietZone > 64 {
		return s, fmt.Errorf("qr: quiet zone %d modules outside %d..64", s.quietZone, DefaultQuietZone)
	}
	return s, nil
}

// build makes the symbol at error correction M; the mode (alphanumeric for
// tickets) and the smallest fitting version are chosen by the library.
func build(text string) (*qrcode.QRCode, error) {
	if text == "" {
		return nil, errors.New("qr: empty text")
	}
	c, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("qr: encode %d characters: %w", len(text), err)
	}
	return c, nil
}

// Version reports the QR version (1..40) Encode uses for text: the symbol is
// 17+4×version modules wide. Tickets must stay at 8 or below.
func Version(text string) (int, error) {
	c, err := build(text)
	if err != nil {
		return 0, err
	}
	return (c.Dimension() - 17) / 4, nil
}

// Encode renders text as a PNG QR code: black on white, 1-bit palette
// (a ticket is about 400 bytes at the default size).
func Encode(text string, opts ...Option) ([]byte, error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	c, err := build(text)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := c.Save(s.writer(nopCloser{&buf}, standard.WithCustomImageEncoder(bilevelPNG{}))); err != nil {
		return nil, fmt.Errorf("qr: render PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// EncodeImage renders text as an image (the one Encode would compress to
// PNG), for callers that compose it into a PDF or a bigger picture.
func EncodeImage(text string, opts ...Option) (image.Image, error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	c, err := build(text)
	if err != nil {
		return nil, err
	}
	var keep captureEncoder
	if err := c.Save(s.writer(nopCloser{io.Discard}, standard.WithCustomImageEncoder(&keep))); err != nil {
		return nil, fmt.Errorf("qr: render image: %w", err)
	}
	return keep.img, nil
}

func (s settings) writer(w io.WriteCloser, format standard.ImageOption) *standard.Writer {
	border := s.quietZone * s.moduleSize
	return standard.NewWithWriter(w,
		format,
		standard.WithQRWidth(uint8(s.moduleSize)),
		standard.WithBorderWidth(border),
		// Explicit, so a change of library default cannot invert or tint codes.
		standard.WithBgColorRGBHex("#ffffff"),
		standard.WithFgColorRGBHex("#000000"),
	)
}

// bilevelPNG is the PNG encoder Encode gives the standard writer instead of
// its built-in one (standard.PNG_FORMAT), which writes 32-bit RGBA: a QR
// code has two colours, and a 1-bit palette PNG is about 3× smaller (e-mail
// attachments, PDF) and twice as fast to produce. Pixels are thresholded at
// mid-grey; the writer draws axis-aligned squares on whole pixels, so no
// anti-aliased edge is lost.
type bilevelPNG struct{}

var bilevel = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0}}

func (bilevelPNG) Encode(w io.Writer, img image.Image) error {
	r := img.Bounds()
	p := image.NewPaletted(r, bilevel)
	rgba, _ := img.(*image.RGBA)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			var lum uint32
			if rgba != nil {
				i := rgba.PixOffset(x, y)
				lum = uint32(rgba.Pix[i]) + 2*uint32(rgba.Pix[i+1]) + uint32(rgba.Pix[i+2])
			} else {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				lum = (cr + 2*cg + cb) >> 8
			}
			if lum < 2*255 {
				p.Pix[p.PixOffset(x, y)] = 1
			}
		}
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	return enc.Encode(w, p)
}

// captureEncoder is a standard.ImageEncoder that keeps the drawn image
// instead of compressing it.
type captureEncoder struct{ img image.Image }

func (c *captureEncoder) Encode(_ io.Writer, img image.Image) error {
	c.img = img
	return nil
}

// nopCloser adapts a writer to the io.WriteCloser the standard writer wants
// (QRCode.Save closes it).
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
