// Service worker of the ofhub scanning app: keeps the app shell, the
// WebAssembly engine and its loader in a cache, so that the app starts and
// scans without network once it has been opened. The server writes the
// app's build hash below: a new build is a new worker, which replaces the
// cache. GraphQL (outside this scope) is never cached.
'use strict';

const VERSION = '__OFHUB_PWA_VERSION__';
const CACHE = 'ofhub-scan-' + VERSION;
const SHELL = ['./', 'app.js', 'app.css', 'decoder.js', 'wasm_exec.js', 'scanner.wasm',
  'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const k of await caches.keys()) {
      if (k.startsWith('ofhub-scan-') && k !== CACHE) await caches.delete(k);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  // Cache first: the shell only changes with a new worker. Navigations
  // (/scan/?server=…&site=…) all get the one page.
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = req.mode === 'navigate' ? './' : req;
    const hit = await cache.match(key, { ignoreSearch: true });
    if (hit) return hit;
    return fetch(req);
  })());
});
