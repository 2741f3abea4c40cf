#!/bin/sh
# Rebuilds the scanning PWA's WebAssembly engine (mobile/wasm) and copies the
# matching wasm_exec.js, both committed under mobile/pwa/static/.
#
# Reproducible: the same Go release, module graph and flags give the same
# bytes, which TestWasmUpToDate checks. -trimpath drops local paths,
# -buildvcs=false keeps the commit out of the binary (it would change the
# bytes at every commit), -ldflags=-s drops the symbol table. GOFLAGS and
# GOWASM are cleared so a developer's environment cannot change the output.
#
# Usage: mobile/pwa/build.sh   (from anywhere inside the repository)
set -eu

# The Go release the committed scanner.wasm was built with. wasm_exec.js
# belongs to one release: change both together.
GO_VERSION=go1.26.8

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

have=$(go env GOVERSION)
if [ "$have" != "$GO_VERSION" ]; then
	echo "build.sh: this needs $GO_VERSION (go is $have); install it or run with GOTOOLCHAIN=$GO_VERSION" >&2
	exit 1
fi

out=mobile/pwa/static
GOFLAGS= GOWASM= CGO_ENABLED=0 GOOS=js GOARCH=wasm \
	go build -trimpath -buildvcs=false -ldflags=-s -o "$out/scanner.wasm" ./mobile/wasm

goroot=$(go env GOROOT)
if [ -f "$goroot/lib/wasm/wasm_exec.js" ]; then
	cp "$goroot/lib/wasm/wasm_exec.js" "$out/wasm_exec.js"
else
	cp "$goroot/misc/wasm/wasm_exec.js" "$out/wasm_exec.js" # Go ≤ 1.23
fi
chmod 0644 "$out/scanner.wasm" "$out/wasm_exec.js"
ls -l "$out/scanner.wasm" "$out/wasm_exec.js"
