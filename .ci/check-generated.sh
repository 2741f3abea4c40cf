#!/usr/bin/env bash
# Regenerates ent, entgql and gqlgen code and the served schema's snapshot
# (graph/schema.snapshot.graphql), and checks migrations; fails when
# anything committed differs from what the generators produce.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(git status --porcelain -- ent graph gqlgen.yml)
(cd ent && go run -mod=mod entc.go)
go run -mod=mod github.com/99designs/gqlgen
go run ./tools/schemaprint > graph/schema.snapshot.graphql.tmp && mv graph/schema.snapshot.graphql.tmp graph/schema.snapshot.graphql
after=$(git status --porcelain -- ent graph gqlgen.yml)
if [ "$before" != "$after" ] || ! git diff --quiet -- ent graph; then
  if [ "$before" != "$after" ]; then
    echo "generated code is stale: run 'make generate' and commit the result" >&2
    git status --porcelain -- ent graph >&2
    git diff --stat -- ent graph >&2
    exit 1
  fi
fi
pg="${OFHUB_DEV_POSTGRES_URL:-${OFHUB_TEST_POSTGRES_URL:-}}"
go run ./ent/migrations/gen -check -postgres "$pg"
echo "generated code and migrations are up to date"
