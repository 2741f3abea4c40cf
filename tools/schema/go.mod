// Not Go code: this file keeps tools/schema (npm packages, run by node) out of
// the ofhub module, so `go vet ./...` and `go test ./...` never walk into
// node_modules (flatted ships a .go file there).
module github.com/ofhub/ofhub/tools/schema/npm-only

go 1.24
