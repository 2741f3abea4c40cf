package qr_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/ticket"
)

const sampleText = "OF1:8W5 ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$%*+-./:"

func TestEncodeWritesPNGWithQuietZoneAndSquareModules(t *testing.T) {
	v, err := qr.Version(sampleText)
	if err != nil {
		t.Fatal(err)
	}
	modules := 17 + 4*v
	cases := []struct {
		name         string
		opts         []qr.Option
		module, zone int
	}{
		{"defaults", nil, qr.DefaultModuleSize, qr.DefaultQuietZone},
		{"smallest module", []qr.Option{qr.WithModuleSize(6)}, 6, 4},
		{"print size, wider margin", []qr.Option{qr.WithModuleSize(20), qr.WithQuietZone(6)}, 20, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := qr.Encode(sampleText, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatalf("not a PNG: % x", b[:8])
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			want := (modules + 2*c.zone) * c.module
			if r := img.Bounds(); r.Dx() != want || r.Dy() != want {
				t.Fatalf("image %v, want %d×%d (version %d, module %d px, zone %d)", r, want, want, v, c.module, c.zone)
			}
			g := toGray(img)
			q := c.zone * c.module
			for i := 0; i < q; i++ { // the whole quiet zone band is white
				for _, p := range []image.Point{{i, want / 2}, {want / 2, i}, {want - 1 - i, want / 2}, {want / 2, want - 1 - i}} {
					if g.GrayAt(p.X, p.Y).Y != 0xff {
						t.Fatalf("quiet zone pixel %v is %d", p, g.GrayAt(p.X, p.Y).Y)
					}
				}
			}
			// The top-left finder's outer ring is solid black: whole
			// square modules, not dots (circle shapes are unreadable).
			for y := q; y < q+7*c.module; y++ {
				for _, x := range []int{q, q + 7*c.module - 1} {
					if g.GrayAt(x, y).Y != 0 {
						t.Fatalf("finder pixel (%d,%d) is %d, want black", x, y, g.GrayAt(x, y).Y)
					}
				}
			}
			text, err := qr.DecodeBytes(b)
			if err != nil || text != sampleText {
				t.Fatalf("DecodeBytes = %q, %v", text, err)
			}
			t.Logf("%d×%d px, %d bytes of PNG", want, want, len(b))
		})
	}
}

func TestEncodeRefusesUnsafeSettings(t *testing.T) {
	cases := map[string]struct {
		text string
		opts []qr.Option
	}{
		"module below 6 px":  {sampleText, []qr.Option{qr.WithModuleSize(5)}},
		"module too large":   {sampleText, []qr.Option{qr.WithModuleSize(256)}},
		"quiet zone below 4": {sampleText, []qr.Option{qr.WithQuietZone(2)}},
		"empty text":         {"", nil},
		"beyond QR capacity": {strings.Repeat("A", 5000), nil},
	}
	for name, c := range cases {
		if _, err := qr.Encode(c.text, c.opts...); err == nil {
			t.Errorf("Encode: %s accepted", name)
		}
		if _, err := qr.EncodeImage(c.text, c.opts...); err == nil {
			t.Errorf("EncodeImage: %s accepted", name)
		}
	}
}

func TestVersionGrowsWithTextAtECCM(t *testing.T) {
	// Alphanumeric capacities at level M (ISO/IEC 18004 table 7).
	cases := []struct{ chars, version int }{{20, 1}, {38, 2}, {39, 3}, {122, 5}, {123, 6}, {154, 6}, {155, 7}, {213, 8}}
	for _, c := range cases {
		v, err := qr.Version(strings.Repeat("A", c.chars))
		if err != nil || v != c.version {
			t.Errorf("Version(%d alphanumeric chars) = %d, %v; want %d", c.chars, v, err, c.version)
		}
	}
}

// Every signed ticket rendered by Encode must read back: a code the door
// cannot read is a person in the queue. Rendering costs ~15 ms (the
// writer's vector rasteriser), so the work is spread over the CPUs; -short
// checks 60 tickets instead of 300.
func TestSignedTicketsRoundTripThroughPNG(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	s := newSigner(1)
	type item struct {
		tk      ticket.Ticket
		code    string
		version int
		got     string
		err     error
	}
	items := make([]item, n)
	for i := range items {
		items[i].tk, items[i].code = s.next(t)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				it := &items[i]
				it.version, it.err = qr.Version(it.code)
				var png []byte
				if it.err == nil {
					png, it.err = qr.Encode(it.code)
				}
				if it.err == nil {
					it.got, it.err = qr.DecodeBytes(png)
				}
			}
		})
	}
	wg.Wait()
	versions := map[int]int{}
	for i, it := range items {
		if it.err != nil {
			t.Errorf("ticket %d (%q): %v", i, it.code, it.err)
			continue
		}
		versions[it.version]++
		s.mustVerify(t, it.got, it.tk)
	}
	t.Logf("%d tickets decoded; QR versions used: %v", n, versions)
}

// Decode must give the same answer whatever kind of image it is handed,
// including sub-images whose pixels do not start at (0,0).
func TestDecodeReadsEveryImageKind(t *testing.T) {
	s := newSigner(2)
	tk, code := s.next(t)
	g := codeImage(t, code, 6)
	r := g.Bounds()

	// A bigger canvas with the code off-centre, then cropped back: Pix and
	// Stride no longer match the bounds.
	big := image.NewGray(image.Rect(-30, -20, r.Dx()+70, r.Dy()+40))
	for i := range big.Pix {
		big.Pix[i] = 0x40
	}
	for y := 0; y < r.Dy(); y++ {
		copy(big.Pix[big.PixOffset(10, y+5):], g.Pix[g.PixOffset(0, y):g.PixOffset(0, y)+r.Dx()])
	}
	sub := big.SubImage(image.Rect(10, 5, 10+r.Dx(), 5+r.Dy()))

	rgba := image.NewRGBA(r)
	nrgba := image.NewNRGBA(r)
	pal := image.NewPaletted(r, color.Palette{color.White, color.Black})
	g16 := image.NewGray16(r)
	inv := image.NewGray(r)
	half := image.NewNRGBA(r) // dark modules drawn half-transparent over nothing
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			v := g.GrayAt(x, y).Y
			rgba.Set(x, y, color.Gray{v})
			nrgba.Set(x, y, color.Gray{v})
			pal.Set(x, y, color.Gray{v})
			g16.Set(x, y, color.Gray{v})
			inv.SetGray(x, y, color.Gray{255 - v})
			if v < 128 {
				half.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 200})
			}
		}
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, rgba, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	ycc, err := jpeg.Decode(bytes.NewReader(jb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ycc.(*image.YCbCr); !ok {
		t.Fatalf("JPEG decoded to %T, want *image.YCbCr to exercise the luma fast path", ycc)
	}

	cases := map[string]image.Image{
		"*image.Gray": g, "*image.Gray sub-image": sub, "*image.RGBA": rgba, "*image.NRGBA": nrgba,
		"*image.Paletted": pal, "*image.Gray16": g16, "*image.YCbCr (JPEG)": ycc,
		"light on dark": inv, "transparent background": half,
	}
	for name, img := range cases {
		got, err := qr.Decode(img)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		s.mustVerify(t, got, tk)
	}

	// Raw camera buffers: grey, and NV21 (Y plane then interleaved VU).
	pix := append([]byte(nil), g.Pix...)
	if got, err := qr.DecodeGray(r.Dx(), r.Dy(), pix); err != nil || got != code {
		t.Errorf("DecodeGray = %q, %v", got, err)
	}
	if !bytes.Equal(pix, g.Pix) {
		t.Error("DecodeGray modified the caller's buffer")
	}
	nv21 := append(append([]byte(nil), g.Pix...), bytes.Repeat([]byte{0x80}, r.Dx()*r.Dy()/2)...)
	if got, err := qr.DecodeYUV(r.Dx(), r.Dy(), nv21); err != nil || got != code {
		t.Errorf("DecodeYUV = %q, %v", got, err)
	}
}

func TestDecodeReportsNotFoundWithoutACode(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	noise := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.Uint32())
	}
	blank := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	for name, img := range map[string]image.Image{
		"white frame": blank, "noise": noise, "1×1": image.NewGray(image.Rect(0, 0, 1, 1)),
		"empty": image.NewGray(image.Rectangle{}), "nil": nil,
	} {
		if got, err := qr.Decode(img); !errors.Is(err, qr.ErrNotFound) {
			t.Errorf("%s: Decode = %q, %v; want ErrNotFound", name, got, err)
		}
	}
	if _, err := qr.DecodeGray(640, 480, noise.Pix); !errors.Is(err, qr.ErrNotFound) {
		t.Errorf("DecodeGray(noise): %v, want ErrNotFound", err)
	}
	for name, f := range map[string]func() error{
		"grey buffer too short": func() error { _, err := qr.DecodeGray(640, 480, make([]byte, 100)); return err },
		"negative size":         func() error { _, err := qr.DecodeGray(-1, 480, nil); return err },
		"YUV buffer too short":  func() error { _, err := qr.DecodeYUV(640, 480, make([]byte, 640)); return err },
		"not an image":          func() error { _, err := qr.DecodeBytes([]byte("hello")); return err },
		"truncated PNG":         func() error { b, _ := qr.Encode(sampleText); _, err := qr.DecodeBytes(b[:len(b)/2]); return err },
		"huge dimensions":       func() error { _, err := qr.DecodeBytes(pngHeader(100000, 100000)); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// pngHeader returns a PNG signature and IHDR claiming width×height, the
// start of a decompression bomb.
func pngHeader(width, height int) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	out := b.Bytes()
	// IHDR data begins at offset 16: width, height big-endian.
	put := func(off, v int) {
		out[off], out[off+1], out[off+2], out[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, width)
	put(20, height)
	return out
}

// Decode is called from several goroutines in the app (camera, gallery).
func TestDecodeIsSafeForConcurrentUse(t *testing.T) {
	s := newSigner(4)
	type item struct {
		code string
		img  *image.Gray
	}
	var items []item
	for i := 0; i < 8; i++ {
		_, code := s.next(t)
		items = append(items, item{code, codeImage(t, code, 6)})
	}
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		go func() {
			for i := 0; i < 8; i++ {
				it := items[(w+i)%len(items)]
				got, err := qr.Decode(it.img)
				if err == nil && got != it.code {
					err = errors.New("wrong text " + got)
				}
				errs <- err
			}
		}()
	}
	for i := 0; i < 64; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
