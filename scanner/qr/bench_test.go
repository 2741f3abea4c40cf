package qr_test

import (
	"image"
	"image/draw"
	"math/rand/v2"
	"testing"

	"github.com/ofhub/ofhub/scanner/qr"
)

func BenchmarkEncode(b *testing.B) {
	_, code := newSigner(9).next(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qr.Encode(code); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBytesPNG(b *testing.B) {
	_, code := newSigner(9).next(b)
	png, err := qr.Encode(code)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qr.DecodeBytes(png); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode640x480 decodes one camera-sized grey frame (VGA, what
// phone preview streams and handheld imagers deliver) holding a ticket
// printed at 6 px per module, and one frame without any code, which runs
// the whole fallback chain: most frames of a live preview are like it.
func BenchmarkDecode640x480(b *testing.B) {
	_, code := newSigner(9).next(b)
	g := codeImage(b, code, qr.MinModuleSize)
	frame := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range frame.Pix {
		frame.Pix[i] = 0x60
	}
	r := g.Bounds()
	draw.Draw(frame, r.Add(image.Pt((640-r.Dx())/2, (480-r.Dy())/2)), g, r.Min, draw.Src)
	b.Run("ticket", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qr.DecodeGray(640, 480, frame.Pix); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A desk under a lamp: smooth light falloff plus sensor noise.
	empty := image.NewGray(frame.Rect)
	rng := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			empty.Pix[y*640+x] = clamp(160 - float64(x+y)/8 + 4*rng.NormFloat64())
		}
	}
	b.Run("no code", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qr.DecodeGray(640, 480, empty.Pix); err == nil {
				b.Fatal("found a code in an empty frame")
			}
		}
	})
}
