#!/usr/bin/env node
// GraphQL-over-HTTP conformance audit of a running server, with the
// graphql-http package's own audit suite (auditServer).
//
//   node e2e/audit.mjs http://127.0.0.1:8080/graphql
//
// Prints one line per audit, "STATUS<TAB>ID<TAB>NAME[<TAB>REASON]" (STATUS is
// ok, notice, warn or error), then a summary "N ok, N warn, N notice,
// N error". Exits 1 when an audit is an error (a MUST of the spec that the
// server breaks), 2 when the audit could not run at all.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url || process.argv.length > 3) {
  console.error('usage: node audit.mjs URL   (the server\'s GraphQL endpoint, e.g. http://127.0.0.1:8080/graphql)');
  process.exit(2);
}

let results;
try {
  results = await auditServer({ url });
} catch (err) {
  console.error(`audit could not run against ${url}: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
}

const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
for (const r of results) {
  counts[r.status] = (counts[r.status] ?? 0) + 1;
  const cols = [r.status, r.id, r.name];
  if (r.status !== 'ok') {
    let status = '';
    try { status = ` [HTTP ${r.response.status} ${r.response.headers.get('content-type') ?? 'no content-type'}]`; } catch { /* no response */ }
    cols.push(String(r.reason).replace(/\s+/g, ' ') + status);
  }
  console.log(cols.join('\t'));
}
console.log(`${counts.ok} ok, ${counts.warn} warn, ${counts.notice} notice, ${counts.error} error`);
process.exit(counts.error > 0 ? 1 : 0);
