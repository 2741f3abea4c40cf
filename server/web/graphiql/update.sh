#!/usr/bin/env bash
# update.sh re-vendors the third-party GraphiQL assets of this package from the
# npm registry. The versions are pinned on purpose: bump them here, run the
# script, run `go test ./server/web/...`, update SOURCE.md (versions, sha256
# printed below) and commit the changed files together.
#
# Only the prebuilt UMD bundles are copied, byte for byte; nothing is built.
# GraphiQL's UMD bundle already contains graphql-js, CodeMirror and the
# graphql-ws client, and expects React and ReactDOM as globals.
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1

here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# npm pack checks each tarball against the integrity hash of the registry.
(cd "$tmp" && npm pack --silent \
	"graphiql@${GRAPHIQL_VERSION}" \
	"react@${REACT_VERSION}" \
	"react-dom@${REACT_DOM_VERSION}" >/dev/null)

for pkg in "graphiql-${GRAPHIQL_VERSION}" "react-${REACT_VERSION}" "react-dom-${REACT_DOM_VERSION}"; do
	mkdir -p "$tmp/$pkg"
	tar -xzf "$tmp/$pkg.tgz" -C "$tmp/$pkg"
done

assets="$here/assets"
licenses="$here/licenses"
mkdir -p "$assets" "$licenses"

cp "$tmp/graphiql-${GRAPHIQL_VERSION}/package/graphiql.min.js" "$assets/graphiql.min.js"
cp "$tmp/graphiql-${GRAPHIQL_VERSION}/package/graphiql.min.css" "$assets/graphiql.min.css"
cp "$tmp/react-${REACT_VERSION}/package/umd/react.production.min.js" "$assets/react.production.min.js"
cp "$tmp/react-dom-${REACT_DOM_VERSION}/package/umd/react-dom.production.min.js" "$assets/react-dom.production.min.js"

cp "$tmp/graphiql-${GRAPHIQL_VERSION}/package/LICENSE" "$licenses/graphiql.LICENSE"
cp "$tmp/react-${REACT_VERSION}/package/LICENSE" "$licenses/react.LICENSE"
cp "$tmp/react-dom-${REACT_DOM_VERSION}/package/LICENSE" "$licenses/react-dom.LICENSE"

echo "vendored graphiql ${GRAPHIQL_VERSION}, react ${REACT_VERSION}, react-dom ${REACT_DOM_VERSION}; sha256 for SOURCE.md:"
(cd "$here" && sha256sum assets/graphiql.min.js assets/graphiql.min.css \
	assets/react.production.min.js assets/react-dom.production.min.js)
