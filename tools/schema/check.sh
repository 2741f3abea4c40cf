#!/usr/bin/env bash
# The schema guards of `make test` (docs/API.md, « Evolution »):
#  1. graphql-inspector diffs the served schema (graph/schema.snapshot.graphql,
#     kept fresh by .ci/check-generated.sh) against the last release's
#     (graph/schema.released.graphql, a copy of the snapshot made at release
#     time): a breaking change fails unless docs/API-CHANGES.md lists it under
#     « ## Unreleased » (accepted-changes.cjs);
#  2. graphql-eslint lints the snapshot against the naming and description
#     rules; only violations missing from lint-baseline.txt fail (lint.mjs);
#  3. the figures left to fix: …Id names, mutation shapes, descriptions (stats.mjs).
# Both read files of the repository only, so a fresh clone checks the same.
# SNAPSHOT, RELEASED, OFHUB_API_CHANGES and LINT_BASELINE point elsewhere, and
# SCHEMA_GUARDS="diff" (or lint, stats) runs some only (the guards' own tests
# in tools/schemaprint).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
snapshot="${SNAPSHOT:-$root/graph/schema.snapshot.graphql}"
released="${RELEASED:-$root/graph/schema.released.graphql}"
baseline="${LINT_BASELINE:-$here/lint-baseline.txt}"

if ! command -v npm >/dev/null 2>&1; then
  msg="npm not found: the schema's breaking-change diff and lint are skipped (install nodejs and npm)"
  if [ "${OFHUB_TEST_STRICT:-}" = 1 ]; then echo "$msg; required under OFHUB_TEST_STRICT=1" >&2; exit 1; fi
  echo "$msg"; exit 0
fi
# npm ci (pinned in package-lock.json) once per lock, not on every run.
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.ofhub-installed-lock" 2>/dev/null; then
  npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
  cp "$here/package-lock.json" "$here/node_modules/.ofhub-installed-lock"
fi

guards=" ${SCHEMA_GUARDS:-diff lint stats} " # a test runs one guard alone
status=0
if [[ $guards == *" diff "* ]]; then
  echo "schema diff: $(basename "$released") → $(basename "$snapshot")"
  (cd "$here" && node_modules/.bin/graphql-inspector diff "$released" "$snapshot" --rule ./accepted-changes.cjs) || {
    echo "schema diff: breaking change not listed in docs/API-CHANGES.md (see above); list it there with why and what clients do instead, or keep the old name as @deprecated" >&2
    status=1
  }
fi
if [[ $guards == *" lint "* ]]; then node "$here/lint.mjs" --baseline "$baseline" "$snapshot" || status=1; fi
if [[ $guards == *" stats "* ]]; then node "$here/stats.mjs" "$snapshot" || status=1; fi
exit $status
