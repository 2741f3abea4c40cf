//go:build !unix

package store

// lockDir is a no-op where advisory locks do not exist (js/wasm, windows):
// there one process owns the store.
func lockDir(string) (func(), error) { return func() {}, nil }
