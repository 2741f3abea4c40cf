// Package scanner is the device-side engine of ofhub's check-in: ticket
// format and signature check (scanner/ticket), QR decoding (scanner/qr),
// and, beside them, the offline store, the sync client and the result
// messages. Phones, tablets, handheld scanners and the WebAssembly PWA are
// built from it, so nothing under scanner may depend on the backend
// (server, graph, ent); boundary_test.go enforces that.
package scanner
