package qr_test

import (
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/scanner/qr"
)

// photoDir holds real photographs and scans from ZXing's black-box tests
// (see its SOURCE.txt), the closest thing to a phone camera we can commit.
// go test runs in the package directory.
const photoDir = "../../testdata/zxing-qrcode"

// TestDecodeRealPhotographs reports the decode rate on each ZXing set, as
// photographed and turned by 90°, 180° and 270° (a phone held any way),
// and fails below the floors measured when the decoder was written.
//
// Measured (2026-11, gozxing v0.1.1, the chain documented on Decode),
// decoded at rotation 0/90/180/270:
//
//	qrcode-1 (5 photos):   4  4  4  4 = 16/20
//	qrcode-2 (33 images): 31 30 29 29 = 119/132
//	qrcode-3 (42 photos): 40 40 39 40 = 159/168   all: 294/320 = 91.9 %
//
// With only plain → pure → try harder → inverted (the architecture's
// chain) the same sets gave 3/5, 30/33 and 38/42 at 0°; the global
// threshold step brought 0° to 4, 31 and 40; the quarter-turn step added
// one photo at 270° in set 1 and three at 180° in set 3. Decoding is
// deterministic, so these numbers only move when the decoder changes.
func TestDecodeRealPhotographs(t *testing.T) {
	root := photoDir
	// Floors: correct decodes over all four rotations, about 3 % under the
	// measured numbers above: a change of decoder may trade a photo or two,
	// not more without someone deciding it here.
	floors := map[string]int{"qrcode-1": 15, "qrcode-2": 115, "qrcode-3": 154}
	total, totalOK := 0, 0
	for _, set := range []string{"qrcode-1", "qrcode-2", "qrcode-3"} {
		files, err := filepath.Glob(filepath.Join(root, set, "*.png"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no photographs under %s (%v)", set, root, err)
		}
		type job struct {
			file string
			rot  int
		}
		jobs := make(chan job)
		type result struct {
			job
			ok  bool
			err error
		}
		results := make(chan result)
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			go func() {
				for j := range jobs {
					want, err := os.ReadFile(strings.TrimSuffix(j.file, ".png") + ".txt")
					if err != nil {
						results <- result{j, false, err}
						continue
					}
					b, err := os.ReadFile(j.file)
					if err != nil {
						results <- result{j, false, err}
						continue
					}
					var got string
					if j.rot == 0 {
						got, err = qr.DecodeBytes(b) // the real entry point, sniffing
					} else {
						var img image.Image
						if img, err = decodeImage(b); err == nil {
							got, err = qr.Decode(rotate(toGray(img), j.rot))
						}
					}
					results <- result{j, err == nil && got == string(want), err}
				}
			}()
		}
		go func() {
			for _, f := range files {
				for _, rot := range []int{0, 90, 180, 270} {
					jobs <- job{f, rot}
				}
			}
			close(jobs)
		}()
		perRot := map[int]int{}
		var missed []string
		ok := 0
		for range len(files) * 4 {
			r := <-results
			if r.ok {
				ok++
				perRot[r.rot]++
			} else if r.rot == 0 {
				missed = append(missed, filepath.Base(r.file))
			}
		}
		t.Logf("%s: %d of %d images; by rotation 0/90/180/270: %d %d %d %d; missed at 0°: %v",
			set, ok, len(files)*4, perRot[0], perRot[90], perRot[180], perRot[270], missed)
		if ok < floors[set] {
			t.Errorf("%s: %d decoded, below the measured floor %d", set, ok, floors[set])
		}
		total += len(files) * 4
		totalOK += ok
	}
	t.Logf("all sets: %d of %d (%.1f %%)", totalOK, total, 100*float64(totalOK)/float64(total))
}

// rotate turns g clockwise by a multiple of 90°.
func rotate(g *image.Gray, deg int) *image.Gray {
	r := g.Bounds()
	w, h := r.Dx(), r.Dy()
	var out *image.Gray
	if deg%180 == 0 {
		out = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		out = image.NewGray(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := g.Pix[g.PixOffset(r.Min.X+x, r.Min.Y+y)]
			switch deg % 360 {
			case 0:
				out.Pix[y*w+x] = v
			case 90:
				out.Pix[x*h+(h-1-y)] = v
			case 180:
				out.Pix[(h-1-y)*w+(w-1-x)] = v
			case 270:
				out.Pix[(w-1-x)*h+y] = v
			}
		}
	}
	return out
}
