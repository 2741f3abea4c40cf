#!/usr/bin/env node
// A real graphql-ws client (protocol graphql-transport-ws, over the ws
// package) for end-to-end tests of subscriptions.
//
//   OFHUB_TOKEN=… node e2e/subscribe.mjs --url ws://127.0.0.1:8080/graphql \
//       --query 'subscription { historyRecorded { action } }' [--variables '{"id":"1"}'] \
//       [--count 1] [--timeout-ms 10000]
//
// The token (OFHUB_TOKEN, or --token) goes in connection_init as
// connectionParams {authToken}; without one the connection is anonymous.
//
// stdout: one JSON line per event, the event's payload ({"data":…} and
// possibly "errors"), nothing else.
// stderr: progress lines: "connected" once the server acknowledged the
// connection, "closed CODE REASON" whenever the socket closes, then "done",
// "timeout" or the error.
//
// Exit status: 0 after --count events (0 = no limit: run until the timeout
// or SIGTERM), or on SIGTERM/SIGINT; 1 on a connection or subscription
// error, or when the server completes the subscription early; 2 on bad
// arguments; 3 when the timeout passes before --count events arrived.
import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      url: { type: 'string' },
      query: { type: 'string' },
      variables: { type: 'string' },
      token: { type: 'string' },
      count: { type: 'string', default: '1' },
      'timeout-ms': { type: 'string', default: '10000' },
    },
    strict: true,
  }));
} catch (err) {
  usage(err.message);
}
if (!opts.url || !opts.query) usage('--url and --query are required');
const count = Number(opts.count);
const timeoutMs = Number(opts['timeout-ms']);
if (!Number.isInteger(count) || count < 0) usage('--count must be an integer ≥ 0');
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) usage('--timeout-ms must be > 0');
let variables;
if (opts.variables) {
  try { variables = JSON.parse(opts.variables); } catch (err) { usage(`--variables is not JSON: ${err.message}`); }
}
const token = opts.token ?? process.env.OFHUB_TOKEN ?? '';

function usage(msg) {
  console.error(`subscribe.mjs: ${msg}\nusage: [OFHUB_TOKEN=…] node subscribe.mjs --url ws://HOST/graphql --query 'subscription {…}' [--variables JSON] [--count N] [--timeout-ms MS]`);
  process.exit(2);
}

const client = createClient({
  url: opts.url,
  webSocketImpl: WebSocket,
  connectionParams: token ? { authToken: token } : {},
  retryAttempts: 0,
  lazy: false,
  on: {
    connected: () => console.error('connected'),
    closed: (ev) => console.error(`closed ${ev?.code ?? ''} ${ev?.reason ?? ''}`.trim()),
  },
  onNonLazyError: (err) => finish(1, `connection error: ${describe(err)}`),
});

let received = 0;
let finished = false;

function describe(err) {
  if (err && typeof err === 'object' && 'code' in err && 'reason' in err) return `closed ${err.code} ${err.reason}`;
  if (Array.isArray(err)) return JSON.stringify(err);
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object') {
    if (err.error instanceof Error) return err.error.message; // ws ErrorEvent
    if (typeof err.message === 'string') return err.message;
    try { return JSON.stringify(err); } catch { /* cyclic */ }
  }
  return String(err);
}

function finish(code, msg) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  console.error(msg);
  unsubscribe();
  // Let stdout drain and the close frame go out before leaving.
  Promise.resolve(client.dispose()).finally(() => process.stdout.write('', () => process.exit(code)));
}

const timer = setTimeout(() => {
  if (count === 0) finish(0, `timeout after ${timeoutMs} ms: ${received} events`);
  else finish(3, `timeout after ${timeoutMs} ms: got ${received} of ${count} events`);
}, timeoutMs);

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => finish(0, `stopped by ${sig}: ${received} events`));
}

const unsubscribe = client.subscribe(
  { query: opts.query, variables },
  {
    next: (result) => {
      if (finished) return;
      received++;
      process.stdout.write(JSON.stringify(result) + '\n');
      if (count > 0 && received >= count) finish(0, 'done');
    },
    error: (err) => finish(1, `subscription error: ${describe(err)}`),
    complete: () => finish(count === 0 || received >= count ? 0 : 1, `server completed the subscription after ${received} events`),
  },
);
