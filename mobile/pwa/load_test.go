package pwa

// Tests read the loaded files directly.
func init() { load() }
