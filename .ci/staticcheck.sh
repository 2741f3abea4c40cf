#!/usr/bin/env bash
# staticcheck (pinned) on the hand-written code: the ent package itself is
# generated (its gql_collection.go keeps values entgql never reads).
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
pkgs=$($GO list ./... | grep -v '^github.com/ofhub/ofhub/ent$')
# shellcheck disable=SC2086
$GO run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $pkgs
