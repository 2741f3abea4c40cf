package pwa

import (
	"encoding/base64"
	"encoding/json"
	"image"
	"image/draw"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/testtool"
	"github.com/ofhub/ofhub/scanner/ticket"
)

// BenchmarkWasmDecode640x480 measures the committed WebAssembly decoder
// (what the scanning PWA runs in a phone's browser) in Node's V8: a
// 640×480 grey camera frame holding a ticket, decoded 200 times; it reports
// the median and the 99th percentile per frame, to compare with the native
// BenchmarkDecode640x480 of scanner/qr.
func BenchmarkWasmDecode640x480(b *testing.B) {
	node := testtool.Require(b, "node", "apt-get install nodejs")
	_, _, priv := ticket.GenerateKey()
	code, err := ticket.Issue(ticket.Ticket{RegistrationID: 4242, ActivityID: 77, IssuedAt: time.Now()}, priv)
	if err != nil {
		b.Fatal(err)
	}
	img, err := qr.EncodeImage(code, qr.WithModuleSize(6))
	if err != nil {
		b.Fatal(err)
	}
	frame := image.NewGray(image.Rect(0, 0, 640, 480))
	draw.Draw(frame, frame.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(frame, img.Bounds().Add(image.Pt(160, 40)), img, img.Bounds().Min, draw.Src)
	in := filepath.Join(b.TempDir(), "frame.b64")
	if err := os.WriteFile(in, []byte(base64.StdEncoding.EncodeToString(frame.Pix)), 0o644); err != nil {
		b.Fatal(err)
	}
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	script := `
const fs = require("fs");
require(process.argv[1]);
const frame = new Uint8Array(Buffer.from(fs.readFileSync(process.argv[3], "utf8"), "base64"));
const go = new Go();
const started = new Promise((resolve) => { globalThis.ofhubOnReady = resolve; });
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject).then(async (r) => {
  go.run(r.instance);
  await started;
  for (let i = 0; i < 20; i++) globalThis.ofhubDecode(frame, 640, 480); // warm-up (JIT)
  const ms = [];
  let text = null;
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    text = globalThis.ofhubDecode(frame, 640, 480);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({text, median: ms[100], p99: ms[197]}));
  process.exit(0);
});`
	for i := 0; i < b.N; i++ {
		out, err := exec.Command(node, "-e", script, abs("static/wasm_exec.js"), abs("static/scanner.wasm"), in).Output()
		if err != nil {
			b.Fatalf("node: %v", err)
		}
		var r struct {
			Text        string
			Median, P99 float64
		}
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("node output %s: %v", out, err)
		}
		if r.Text != code {
			b.Fatalf("wasm decoded %q, want the ticket", r.Text)
		}
		b.ReportMetric(r.Median, "median-ms/frame")
		b.ReportMetric(r.P99, "p99-ms/frame")
	}
}
