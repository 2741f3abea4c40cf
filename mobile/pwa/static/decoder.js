// Decoding worker of the ofhub scanning app: camera frames (RGBA) in, QR
// text (or null) out, with the Go decoder of scanner/qr compiled to
// WebAssembly, so that a slow frame never freezes the page.
'use strict';
importScripts('wasm_exec.js');

const ready = (async () => {
  // main calls ofhubOnReady once ofhubDecode exists (the runtime may yield
  // to JavaScript before main runs).
  const started = new Promise((resolve) => { self.ofhubOnReady = resolve; });
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(fetch('scanner.wasm'), go.importObject);
  go.run(instance);
  if (!self.ofhubReady) await started;
})();

let grey = null;

self.onmessage = async (e) => {
  const { id, rgba, width, height } = e.data;
  let text = null;
  try {
    await ready;
    const n = width * height;
    if (!grey || grey.length !== n) grey = new Uint8Array(n);
    const px = new Uint8ClampedArray(rgba);
    // ITU-R BT.601 luma, as scanner/qr computes it.
    for (let i = 0, j = 0; i < n; i++, j += 4) grey[i] = (299 * px[j] + 587 * px[j + 1] + 114 * px[j + 2] + 500) / 1000;
    text = self.ofhubDecode(grey, width, height);
  } catch (err) {
    text = null;
  }
  self.postMessage({ id, text });
};
