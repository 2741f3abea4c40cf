// ofhub scanning app (PWA). Online first, offline when it must: a scan goes
// to the server's checkIn with a short timeout; on a network failure (or
// when the browser says it is offline) the same scan — same client scan id —
// is decided here with the Go engine compiled to WebAssembly (ticket
// signature, then the roster kept in IndexedDB), written to the local queue,
// and only then shown. The queue is uploaded with syncCheckIns when the
// network returns. See docs/CHECKIN.md and mobile/pwa/pwa.go.
'use strict';

(() => {
  // ---------------------------------------------------------------- words
  // The first of French or English among the browser's languages, in its
  // order of preference (as the API reads Accept-Language); French, the
  // product's language, when neither is there.
  const LANG = (() => {
    const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (const l of prefs) {
      const base = String(l).toLowerCase().split('-')[0];
      if (base === 'fr' || base === 'en') return base;
    }
    return 'fr';
  })();
  const WORDS = {
    fr: {
      online: 'En ligne', offline: 'Hors ligne', queue: 'File', lastSync: 'Synchro', loading: 'Chargement…',
      setupTitle: 'Déclarer cet appareil', server: 'Serveur', siteCode: 'Code site',
      idCode: "Code d'identification de l'appareil", register: "Enregistrer l'appareil",
      chooseActivity: "Choisir l'activité", noActivity: 'Aucune activité à pointer pour le moment.',
      downloading: 'Téléchargement de la liste…', registrations: 'inscriptions', retry: 'Réessayer',
      cameraOff: 'Caméra arrêtée', start: 'Démarrer le scan', stop: 'Arrêter', check: 'Vérifier',
      manualPlaceholder: 'Code du billet (lecteur ou saisie)', menu: 'Menu', syncNow: 'Synchroniser',
      changeActivity: "Changer d'activité", reset: 'Effacer cet appareil', revokedTitle: 'Appareil révoqué',
      revokedWiped: 'Les données locales ont été effacées.', setupAgain: 'Déclarer à nouveau',
      decidedOffline: 'Décidé hors ligne', unreachable: 'Serveur injoignable. Vérifiez le réseau puis réessayez.',
      otherServer: 'Ce lien désigne un autre serveur ({0}). Cette application ne parle qu’au serveur qui l’a servie : ouvrez {1}.',
      cameraError: 'Caméra indisponible : {0}', resetConfirm: 'Effacer la liste, la file et le jeton de cet appareil ?',
      unsyncedConfirm: '{0} pointage(s) pas encore envoyé(s) seront perdus. Effacer quand même ?',
      reRegister: 'Appareil non reconnu par le serveur : déclarez-le à nouveau (la file est conservée).',
      speakerOffline: 'KO, hors ligne : le lien intervenant ne pointe qu’en ligne',
      speakerMode: 'Lien intervenant', decoderWasm: 'décodeur Go/WebAssembly', decoderNative: 'décodeur du navigateur',
      duplicates: '{0} doublon(s) hors ligne signalé(s) par le serveur', scanning: 'Scan en cours…',
    },
    en: {
      online: 'Online', offline: 'Offline', queue: 'Queue', lastSync: 'Sync', loading: 'Loading…',
      setupTitle: 'Register this device', server: 'Server', siteCode: 'Site code',
      idCode: 'Device identification code', register: 'Register the device',
      chooseActivity: 'Choose the activity', noActivity: 'No activity to check in for now.',
      downloading: 'Downloading the list…', registrations: 'registrations', retry: 'Retry',
      cameraOff: 'Camera stopped', start: 'Start scanning', stop: 'Stop', check: 'Check',
      manualPlaceholder: 'Ticket code (scanner or typed)', menu: 'Menu', syncNow: 'Synchronise',
      changeActivity: 'Change activity', reset: 'Wipe this device', revokedTitle: 'Device revoked',
      revokedWiped: 'Local data has been wiped.', setupAgain: 'Register again',
      decidedOffline: 'Decided offline', unreachable: 'Server unreachable. Check the network and try again.',
      otherServer: 'This link names another server ({0}). This app only talks to the server that served it: open {1}.',
      cameraError: 'Camera unavailable: {0}', resetConfirm: "Wipe this device's list, queue and token?",
      unsyncedConfirm: '{0} check-in(s) not sent yet will be lost. Wipe anyway?',
      reRegister: 'The server does not know this device: register it again (the queue is kept).',
      speakerOffline: "KO, offline: a speaker's link checks in online only",
      speakerMode: "Speaker's link", decoderWasm: 'Go/WebAssembly decoder', decoderNative: "browser's decoder",
      duplicates: '{0} offline duplicate(s) reported by the server', scanning: 'Scanning…',
    },
  };
  const t = (k, ...args) => (WORDS[LANG][k] ?? WORDS.fr[k] ?? k).replace(/\{(\d)\}/g, (_, i) => args[i] ?? '');
  const $ = (id) => document.getElementById(id);

  // How long a scan waits for the server before deciding here: a second at
  // most by default (a longer wait is a queue at the door). A setting: the
  // 'onlineTimeoutMs' key of the meta store (100–10000 ms), e.g. for a door
  // on a slow but reliable link.
  const DEFAULT_ONLINE_TIMEOUT_MS = 1000;
  const onlineTimeoutMs = () => {
    const v = Number(state.onlineTimeoutMs);
    return Number.isFinite(v) && v >= 100 && v <= 10000 ? v : DEFAULT_ONLINE_TIMEOUT_MS;
  };
  const DEBOUNCE_MS = 3000; // the same code again within 3 s is ignored (handhelds read twice)
  // Back online quickly, as the device library (scanner/device) does:
  // while offline the app asks GET /healthz every PROBE_MS (a few bytes, no
  // database, no token); PROBE_SUCCESSES answers in a row switch it online
  // and sync at once. After one answer a scan tries the server again, and
  // its answer switches the app online too; before that a scan is decided
  // here at once, without waiting for a dead network. The full sync retries
  // with a back-off (SYNC_MIN_BACKOFF_MS doubling to SYNC_MAX_BACKOFF_MS)
  // that only a successful sync resets — never a scan: restarting it at
  // every scan kept a busy door offline (issue 11 #8).
  const PROBE_MS = 500;
  const PROBE_SUCCESSES = 2;
  const SYNC_MIN_BACKOFF_MS = 500;
  const SYNC_MAX_BACKOFF_MS = 30000;
  const SYNC_RETRY_MS = 5000;
  // A phone in a basement often says it is online while nothing gets
  // through: the queue is retried whatever the browser says, the roster
  // refreshed less often.
  const TICK_MS = 250;
  const ROSTER_EVERY_MS = 30000;
  const ROSTER_PAGE = 1000;
  const SYNC_BATCH = 200;

  // ------------------------------------------------------------- IndexedDB
  // meta: settings and cursors (key → value); roster: one entry per
  // registration; queue: scans not yet acknowledged by the server.
  const DB_NAME = 'ofhub-scan';
  let dbPromise = null;

  function openDB() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore('meta');
          db.createObjectStore('roster', { keyPath: 'registrationId' }).createIndex('activityId', 'activityId');
          db.createObjectStore('queue', { keyPath: 'clientScanId' }).createIndex('seq', 'seq');
        };
        req.onsuccess = () => {
          const db = req.result;
          db.onversionchange = () => db.close();
          resolve(db);
        };
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }

  // tx runs fn(stores) in one transaction and resolves with fn's result once
  // the transaction has committed. Writes are 'strict': on disk before the
  // promise resolves, so a scan shown green survives a killed app.
  async function tx(names, mode, fn) {
    const db = await openDB();
    return new Promise((resolve, reject) => {
      const opts = mode === 'readwrite' ? { durability: 'strict' } : undefined;
      const tr = db.transaction(names, mode, opts);
      const stores = {};
      for (const n of names) stores[n] = tr.objectStore(n);
      let out;
      Promise.resolve(fn(stores, tr)).then((v) => { out = v; }, (e) => { try { tr.abort(); } catch (_) { /* done */ } reject(e); });
      tr.oncomplete = () => resolve(out);
      tr.onerror = () => reject(tr.error);
      tr.onabort = () => reject(tr.error || new Error('transaction aborted'));
    });
  }
  const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

  const meta = {
    get: (k) => tx(['meta'], 'readonly', (s) => req(s.meta.get(k))),
    set: (k, v) => tx(['meta'], 'readwrite', (s) => { s.meta.put(v, k); }),
    del: (k) => tx(['meta'], 'readwrite', (s) => { s.meta.delete(k); }),
  };

  async function wipeAll() {
    if (dbPromise) {
      (await dbPromise).close();
      dbPromise = null;
    }
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase(DB_NAME);
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
    try { localStorage.clear(); sessionStorage.clear(); } catch (_) { /* none */ }
  }

  // ----------------------------------------------------------------- state
  const state = {
    server: location.origin,
    token: null, // ofd_… (device) or ofs_… (speaker's link)
    mode: 'device',
    deviceName: '',
    site: '',
    activities: [],
    activityId: null,
    keysJSON: '[]',
    lastSync: null,
    queueLength: 0,
    rosterSize: 0,
    online: navigator.onLine !== false,
    reachable: false, // offline, but the last probe was answered
    duplicates: 0,
    syncBackoffMs: SYNC_MIN_BACKOFF_MS,
    nextSyncAt: 0, // after a failed sync: not before (ms since the epoch)
  };

  async function loadState() {
    for (const k of ['token', 'mode', 'deviceName', 'site', 'activities', 'activityId', 'keysJSON', 'lastSync', 'onlineTimeoutMs']) {
      const v = await meta.get(k);
      if (v !== undefined) state[k] = v;
    }
    await refreshCounts();
  }

  async function refreshCounts() {
    const [q, r] = await tx(['queue', 'roster'], 'readonly', async (s) => {
      const q = await req(s.queue.count());
      const r = state.activityId ? await req(s.roster.index('activityId').count(state.activityId)) : 0;
      return [q, r];
    });
    state.queueLength = q;
    state.rosterSize = r;
    renderStatus();
  }

  // --------------------------------------------------------------- GraphQL
  class NetError extends Error {}
  class GqlError extends Error {
    constructor(code, message) { super(message); this.code = code; }
  }

  const Q = {
    register: `mutation($in:RegisterDeviceInput!){registerDevice(input:$in){token device{id name} activities{id title startsAt} publicKeys{keyID publicKey} serverTime}}`,
    activities: `{deviceActivities{id title startsAt}}`,
    checkIn: `mutation($in:CheckInInput!){checkIn(input:$in){status message color participants{lastName firstName} firstCheckedInAt registrationID duplicate}}`,
    sync: `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){serverTime clockSkewMs results{clientScanID status duplicate firstCheckedInAt}}}`,
  };

  // gql posts one operation. A network failure, a timeout or a gateway's
  // non-JSON answer is a NetError (decide offline); a GraphQL error is a
  // GqlError with extensions.code; DEVICE_REVOKED wipes the device.
  async function gql(query, variables, timeoutMs) {
    return call('/graphql', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }),
    }, timeoutMs);
  }

  // getJSON reads one of the server's JSON endpoints that answer in
  // GraphQL's shape ({data} or {errors}, same error handling as gql): GET
  // /devices/roster serves deviceRoster's pages without the GraphQL
  // machinery, several times faster for a large roster.
  async function getJSON(path, params, timeoutMs) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== null && v !== undefined) q.set(k, String(v));
    }
    return call(path + '?' + q.toString(), { method: 'GET', headers: {} }, timeoutMs);
  }

  async function call(path, init, timeoutMs) {
    const ctrl = new AbortController();
    const timer = timeoutMs ? setTimeout(() => ctrl.abort(), timeoutMs) : null;
    let body;
    try {
      const headers = Object.assign({ 'Accept-Language': LANG }, init.headers);
      if (state.token) headers.Authorization = 'Bearer ' + state.token;
      const resp = await fetch(state.server + path, Object.assign({}, init, {
        headers, signal: ctrl.signal, cache: 'no-store', credentials: 'omit',
      }));
      try {
        body = await resp.json();
      } catch (e) {
        throw new NetError('HTTP ' + resp.status);
      }
      if (!body || (!body.data && !body.errors)) throw new NetError('HTTP ' + resp.status);
    } catch (e) {
      if (e instanceof NetError) throw e;
      throw new NetError(e && e.name === 'AbortError' ? 'timeout' : String(e));
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (body.errors && body.errors.length) {
      const e = body.errors[0];
      const code = (e.extensions && e.extensions.code) || '';
      if (code === 'DEVICE_REVOKED') {
        await revoked(e.message);
      }
      throw new GqlError(code, e.message);
    }
    setOnline(true);
    return body.data;
  }

  // ------------------------------------------------------------ WebAssembly
  // The page's own instance verifies tickets and words results; the worker
  // (decoder.js) has another for decoding camera frames off the main thread.
  // The Go runtime may yield to JavaScript before main runs: main calls
  // ofhubOnReady once the functions are defined.
  const wasmReady = (async () => {
    const started = new Promise((resolve) => { globalThis.ofhubOnReady = resolve; });
    const go = new Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch('scanner.wasm'), go.importObject);
    go.run(instance).catch((e) => console.error('scanner.wasm exited', e));
    if (!globalThis.ofhubReady) await started;
  })();

  function message(status, people, firstAt) {
    return globalThis.ofhubMessage(LANG, status, JSON.stringify(people || []), firstAt || '');
  }

  // ------------------------------------------------------------- decoding
  let worker = null;
  let workerBroken = false;
  let barcodeDetector = null;
  const pending = new Map();
  let nextJob = 1;

  function startDecoders() {
    try {
      worker = new Worker('decoder.js');
      worker.onmessage = (e) => {
        const p = pending.get(e.data.id);
        if (p) { pending.delete(e.data.id); p.resolve(e.data.text || null); }
      };
      worker.onerror = (e) => {
        console.warn('decoder worker failed, decoding on the page', e.message);
        workerBroken = true;
        for (const p of pending.values()) p.resolve(null);
        pending.clear();
      };
    } catch (e) {
      workerBroken = true;
    }
    if ('BarcodeDetector' in globalThis) {
      globalThis.BarcodeDetector.getSupportedFormats().then((f) => {
        if (f.includes('qr_code')) {
          barcodeDetector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
          renderDecoder();
        }
      }).catch(() => {});
    }
    renderDecoder();
  }

  function renderDecoder() {
    $('decoder-name').textContent = barcodeDetector ? t('decoderNative') : t('decoderWasm');
  }

  const canvas = $('frame');
  const ctx2d = canvas.getContext('2d', { willReadFrequently: true });
  const MAX_FRAME_WIDTH = 960;

  async function detect(video) {
    if (barcodeDetector) {
      try {
        const codes = await barcodeDetector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      } catch (e) {
        barcodeDetector = null; // fall back to the Go decoder for good
        renderDecoder();
      }
    }
    const vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh) return null;
    const w = Math.min(vw, MAX_FRAME_WIDTH);
    const h = Math.round(vh * w / vw);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    ctx2d.drawImage(video, 0, 0, w, h);
    const img = ctx2d.getImageData(0, 0, w, h);
    if (worker && !workerBroken) {
      const id = nextJob++;
      return new Promise((resolve) => {
        pending.set(id, { resolve });
        worker.postMessage({ id, rgba: img.data.buffer, width: w, height: h }, [img.data.buffer]);
      });
    }
    await wasmReady;
    return globalThis.ofhubDecode(toGrey(img.data, w * h), w, h);
  }

  // toGrey: ITU-R BT.601 luma, as scanner/qr computes it.
  function toGrey(rgba, n) {
    const g = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 4) g[i] = (299 * rgba[j] + 587 * rgba[j + 1] + 114 * rgba[j + 2] + 500) / 1000;
    return g;
  }

  // ---------------------------------------------------------------- camera
  let stream = null;
  let scanning = false;

  async function startCamera() {
    ensureAudio();
    if (scanning) return;
    const video = $('video');
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
      });
    } catch (e) {
      $('camera-hint').textContent = t('cameraError', e.message || e.name);
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    scanning = true;
    $('start').hidden = true;
    $('stop').hidden = false;
    $('camera-hint').textContent = t('scanning');
    scanLoop();
  }

  function stopCamera() {
    scanning = false;
    if (stream) stream.getTracks().forEach((tr) => tr.stop());
    stream = null;
    $('video').srcObject = null;
    $('start').hidden = false;
    $('stop').hidden = true;
    $('camera-hint').textContent = t('cameraOff');
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function scanLoop() {
    const video = $('video');
    while (scanning) {
      if (video.readyState >= 2 && !document.hidden) {
        let text = null;
        try { text = await detect(video); } catch (e) { console.warn('decode', e); }
        if (text && scanning) await handleCode(text);
      }
      await sleep(document.hidden ? 500 : 50);
    }
  }

  // ------------------------------------------------------------ one scan
  const recent = new Map(); // code → time its last handling ended
  let chain = Promise.resolve();

  function handleCode(raw) {
    const code = String(raw).trim();
    if (!code) return Promise.resolve();
    const p = chain.then(async () => {
      const last = recent.get(code);
      if (last && Date.now() - last < DEBOUNCE_MS) return;
      try {
        const res = await checkCode(code);
        if (res) showResult(res);
      } catch (e) {
        console.error('scan', e);
      } finally {
        recent.set(code, Date.now());
        for (const [c, at] of recent) if (Date.now() - at > 60000) recent.delete(c);
      }
    });
    chain = p.catch(() => {});
    return p;
  }

  function uuid() {
    if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
    // Not a secure context (plain http on a LAN): RFC 4122 v4 by hand.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // wireScan spells a scan as the server reads it (activityID, clientScanID:
  // the API's …ID names); the scans this app stores locally (queue, IndexedDB
  // key paths) keep their own names, so a queue written by the previous
  // release syncs unchanged.
  function wireScan({ clientScanId, code, scannedAt, activityId }) {
    return { clientScanID: clientScanId, code, scannedAt, activityID: activityId };
  }

  async function checkCode(code) {
    await wasmReady;
    const scan = { clientScanId: uuid(), code, scannedAt: new Date().toISOString(), activityId: state.activityId };
    if (state.mode === 'speaker') {
      // A speaker's link holds no keys nor roster: the ticket names the
      // activity (unverified here; the server verifies) and only the
      // server decides.
      const p = globalThis.ofhubParse(code);
      scan.activityId = p.ok ? p.activityId : null;
      if (!scan.activityId) return { status: 'INVALID_CODE', color: 'RED', message: message('INVALID_CODE'), participants: [] };
    }
    if (navigator.onLine !== false && (state.online || state.reachable)) {
      try {
        const d = await gql(Q.checkIn, { in: wireScan(scan) }, onlineTimeoutMs());
        const r = d.checkIn;
        await learnOnline(r, scan);
        if (state.queueLength > 0) sync();
        return { ...r, offline: false };
      } catch (e) {
        if (e instanceof GqlError) {
          if (e.code === 'DEVICE_REVOKED') return null;
          if (e.code === 'UNAUTHENTICATED' && state.mode === 'device') {
            await meta.del('token');
            state.token = null;
            stopCamera();
            show('setup');
            setupError(t('reRegister'));
            return null;
          }
          return { status: e.code || 'ERROR', color: 'RED', message: e.message, participants: [], offline: false };
        }
        // Abandoned: if the request reaches the server later, the sync of
        // this scan (same client scan id, shownStatus) replaces it with the
        // decision shown here (issue 11 #9).
        setOnline(false);
      }
    } else {
      setOnline(false);
    }
    if (state.mode === 'speaker') {
      return { status: 'OFFLINE', color: 'RED', message: t('speakerOffline'), participants: [], offline: true };
    }
    return decideOffline(scan);
  }

  // learnOnline applies the server's answer to the local roster, so that the
  // device keeps refusing a second entry after it loses the network.
  async function learnOnline(r, scan) {
    if (!r.registrationID || (r.status !== 'ACCESS_OK' && r.status !== 'ALREADY_CHECKED_IN')) return;
    const at = r.status === 'ACCESS_OK' ? new Date().toISOString() : r.firstCheckedInAt;
    if (!at) return;
    await tx(['roster'], 'readwrite', async (s) => {
      const e = await req(s.roster.get(String(r.registrationID)));
      if (!e) return;
      if (!e.localAt || e.localAt > at) e.localAt = at;
      s.roster.put(e);
    });
  }

  function firstCheckIn(e) {
    let first = e.localAt || null;
    for (const c of e.checkIns || []) if (!first || c.at < first) first = c.at;
    return first;
  }

  // decideOffline: the engine's decision with what the device knows, then
  // the scan is written to the queue (and the registration marked) in one
  // durable transaction, and only then returned for display.
  async function decideOffline(scan) {
    const v = globalThis.ofhubVerify(scan.code, state.keysJSON);
    return tx(['queue', 'roster', 'meta'], 'readwrite', async (s) => {
      let status, people = [], first = null, entry = null;
      if (!v.ok) {
        status = 'INVALID_CODE';
      } else if (String(v.activityId) !== String(state.activityId)) {
        status = 'WRONG_ACTIVITY';
      } else {
        entry = await req(s.roster.get(String(v.registrationId)));
        if (!entry || String(entry.activityId) !== String(state.activityId)) {
          status = 'UNKNOWN_REGISTRATION';
          entry = null;
        } else {
          people = entry.participants || [];
          first = firstCheckIn(entry);
          if (entry.state === 'CANCELLED') status = 'CANCELLED';
          else if (first) status = 'ALREADY_CHECKED_IN';
          else status = 'ACCESS_OK';
        }
      }
      const seq = ((await req(s.meta.get('seq'))) || 0) + 1;
      s.meta.put(seq, 'seq');
      s.queue.put({ ...scan, seq, status });
      if (status === 'ACCESS_OK') {
        entry.localAt = scan.scannedAt;
        s.roster.put(entry);
      }
      state.queueLength++;
      return {
        status, color: status === 'ACCESS_OK' ? 'GREEN' : 'RED', participants: people, firstCheckedInAt: first,
        message: message(status, people, first), offline: true,
      };
    }).finally(renderStatus);
  }

  // ------------------------------------------------------------ result UI
  let hideTimer = null;

  function showResult(r) {
    const ok = r.color === 'GREEN';
    const box = $('result');
    box.className = ok ? 'ok' : 'ko';
    box.dataset.status = r.status;
    box.dataset.offline = r.offline ? 'true' : 'false';
    $('result-message').textContent = r.message;
    const names = $('result-names');
    names.textContent = '';
    if (!ok) { // the green message already names everyone
      for (const p of r.participants || []) {
        const li = document.createElement('li');
        li.textContent = `${(p.lastName || '').toUpperCase()} ${p.firstName || ''}`.trim();
        names.appendChild(li);
      }
    }
    $('result-offline').hidden = !r.offline;
    box.hidden = false;
    beep(ok);
    if (navigator.vibrate) navigator.vibrate(ok ? 120 : [200, 100, 200]);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { box.hidden = true; }, ok ? 2000 : 2500);
  }

  let audio = null;
  function ensureAudio() {
    try {
      if (!audio) audio = new (globalThis.AudioContext || globalThis.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume();
    } catch (_) { audio = null; }
  }

  function beep(ok) {
    if (!audio) return;
    const tones = ok ? [[1046, 0.16]] : [[440, 0.18], [311, 0.28]]; // refusals: two falling tones
    let at = audio.currentTime + 0.01;
    for (const [f, d] of tones) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.type = 'square';
      o.frequency.value = f;
      g.gain.setValueAtTime(0.18, at);
      g.gain.exponentialRampToValueAtTime(0.001, at + d);
      o.connect(g).connect(audio.destination);
      o.start(at);
      o.stop(at + d);
      at += d + 0.06;
    }
  }

  // ------------------------------------------------------------ status bar
  function setOnline(on) {
    if (!on) state.reachable = false;
    if (state.online !== on) {
      state.online = on;
      renderStatus();
      if (on) {
        state.nextSyncAt = 0;
        if (state.token) sync();
      }
    }
  }

  // ------------------------------------------------------------ clock
  // The server's clock, measured NTP-style from round trips (issue 11 #10):
  // offset = server − (sent + received) / 2, right within half the round
  // trip; of the last samples, the one with the smallest round trip goes
  // with each sync (clockSkewMs), instead of the server counting the
  // batch's transit time. /healthz answers the server's clock in a header.
  const clockSamples = [];
  const CLOCK_SAMPLES = 8, CLOCK_MAX_AGE_MS = 10 * 60000;
  function clockSample(t0, serverTime, t3) {
    const s = Date.parse(serverTime || '');
    if (!Number.isFinite(s) || t3 < t0) return;
    clockSamples.push({ offset: s - (t0 + t3) / 2, rtt: t3 - t0, at: t3 });
    if (clockSamples.length > CLOCK_SAMPLES) clockSamples.shift();
  }
  function bestClock() {
    const now = Date.now();
    let best = null;
    for (const c of clockSamples) {
      if (now - c.at < 0 || now - c.at > CLOCK_MAX_AGE_MS) continue;
      if (!best || c.rtt < best.rtt) best = c;
    }
    return best;
  }

  // health asks GET /healthz once, within the online timeout: true when
  // answered (and the answer's clock is a sample).
  async function health() {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), onlineTimeoutMs());
    try {
      const t0 = Date.now();
      const resp = await fetch(state.server + '/healthz', { cache: 'no-store', credentials: 'omit', signal: ctrl.signal });
      const t3 = Date.now();
      await resp.text();
      if (!resp.ok) return false;
      clockSample(t0, resp.headers.get('X-Ofhub-Server-Time'), t3);
      return true;
    } catch (_) {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  // probe runs every PROBE_MS; only while offline does it ask the server.
  let probing = false, probeOK = 0;
  async function probe() {
    if (state.online) { probeOK = 0; return; }
    if (probing) return;
    probing = true;
    try {
      if (await health()) {
        state.reachable = true;
        if (++probeOK >= PROBE_SUCCESSES) {
          probeOK = 0;
          setOnline(true);
        }
      } else {
        probeOK = 0;
        state.reachable = false;
      }
    } finally {
      probing = false;
    }
  }

  function renderStatus() {
    const on = state.online && navigator.onLine !== false;
    const net = $('net');
    net.dataset.state = on ? 'online' : 'offline';
    net.querySelector('b').textContent = on ? t('online') : t('offline');
    $('queue').textContent = String(state.queueLength);
    $('last-sync').textContent = state.lastSync ? new Date(state.lastSync).toLocaleTimeString(LANG === 'en' ? 'en-GB' : 'fr-FR') : '—';
    $('roster-size').textContent = String(state.rosterSize);
    const act = state.activities.find((a) => String(a.id) === String(state.activityId));
    $('activity-title').textContent = state.mode === 'speaker' ? t('speakerMode') : (act ? act.title : '');
    $('bar').title = state.duplicates ? t('duplicates', state.duplicates) : '';
  }

  // ------------------------------------------------------------ sync
  let syncing = null;
  function sync() {
    if (!syncing) {
      syncing = doSync().then(() => {
        state.syncBackoffMs = SYNC_MIN_BACKOFF_MS;
        // Scans the server did not acknowledge: again in a few seconds.
        state.nextSyncAt = state.queueLength > 0 ? Date.now() + SYNC_RETRY_MS : 0;
      }, (e) => {
        // Retried after the back-off (which a scan does not restart), or
        // at once when the probe or a scan's answer says the server is back.
        state.nextSyncAt = Date.now() + state.syncBackoffMs;
        state.syncBackoffMs = Math.min(state.syncBackoffMs * 2, SYNC_MAX_BACKOFF_MS);
        if (e instanceof NetError) setOnline(false); else console.warn('sync', e);
      }).finally(() => { syncing = null; });
    }
    return syncing;
  }

  async function doSync() {
    if (!state.token || navigator.onLine === false) return;
    if (state.mode === 'device') {
      for (;;) {
        const batch = await tx(['queue'], 'readonly', (s) => new Promise((resolve, reject) => {
          const out = [];
          const r = s.queue.index('seq').openCursor();
          r.onsuccess = () => {
            const c = r.result;
            if (!c || out.length >= SYNC_BATCH) return resolve(out);
            out.push(c.value);
            c.continue();
          };
          r.onerror = () => reject(r.error);
        }));
        if (!batch.length) break;
        // A batch carries the skew of the quickest recent round trip; one
        // more sample first (a few bytes) when none is a minute old (the
        // probe takes them while offline).
        const last = clockSamples[clockSamples.length - 1];
        if (!last || Date.now() - last.at > 60000) await health();
        const clock = bestClock();
        const d = await gql(Q.sync, { in: {
          deviceClock: new Date().toISOString(),
          ...(clock ? { clockSkewMs: Math.round(clock.offset), clockRoundTripMs: Math.round(clock.rtt) } : {}),
          // shownStatus: what this app showed (issue 11 #13): a refusal is
          // never counted as someone let in twice.
          scans: batch.map(({ clientScanId, code, scannedAt, activityId, status }) => ({
            ...wireScan({ clientScanId, code, scannedAt, activityId }), ...(status ? { shownStatus: status } : {}),
          })),
        } }, 20000);
        const done = new Set(d.syncCheckIns.results.map((r) => r.clientScanID));
        state.duplicates += d.syncCheckIns.results.filter((r) => r.duplicate).length;
        await tx(['queue'], 'readwrite', (s) => { for (const id of done) s.queue.delete(id); });
        if (!batch.some((b) => done.has(b.clientScanId))) break; // nothing acknowledged: try later
      }
      if (state.activityId) await downloadRoster(null);
    }
    state.lastSync = new Date().toISOString();
    await meta.set('lastSync', state.lastSync);
    await refreshCounts();
  }

  // downloadRoster fetches the activity's roster: every page on the first
  // pass, then only what changed since the stored cursor. Each page and its
  // cursor are stored in one transaction, so an interrupted pass resumes.
  async function downloadRoster(progress) {
    const aid = String(state.activityId);
    let after = (await meta.get('cursor:' + aid)) || null;
    let n = 0;
    for (;;) {
      const d = await getJSON('/devices/roster', { activityID: aid, after, first: ROSTER_PAGE }, 30000);
      const page = d.deviceRoster;
      await tx(['roster', 'meta'], 'readwrite', async (s) => {
        for (const e of page.entries) {
          const id = String(e.registrationID);
          const old = await req(s.roster.get(id));
          s.roster.put({
            registrationId: id, activityId: aid, state: e.state, participants: e.participants,
            checkIns: e.checkIns, localAt: old ? old.localAt : undefined,
          });
        }
        s.meta.put(page.cursor, 'cursor:' + aid);
      });
      n += page.entries.length;
      if (progress) progress(n);
      after = page.cursor;
      if (!page.hasMore) break;
    }
    await refreshCounts();
  }

  // ------------------------------------------------------------ screens
  const SCREENS = ['loading', 'setup', 'activity', 'download', 'scan', 'revoked'];
  function show(name) {
    for (const s of SCREENS) $('screen-' + s).hidden = s !== name;
    document.body.dataset.screen = name;
  }

  function setupError(msg) {
    const e = $('setup-error');
    e.textContent = msg || '';
    e.hidden = !msg;
  }

  async function register(ev) {
    ev.preventDefault();
    setupError('');
    const btn = $('register');
    btn.disabled = true;
    try {
      const siteCode = $('site').value.trim();
      const identificationCode = $('idcode').value.trim();
      const d = await gql(Q.register, { in: { siteCode, identificationCode, deviceInfo: ('ofhub PWA; ' + navigator.userAgent).slice(0, 250) } }, 15000);
      const r = d.registerDevice;
      Object.assign(state, {
        token: r.token, mode: 'device', deviceName: r.device.name, site: siteCode, activities: r.activities,
        keysJSON: JSON.stringify(r.publicKeys),
      });
      await tx(['meta'], 'readwrite', (s) => {
        for (const k of ['token', 'mode', 'deviceName', 'site', 'activities', 'keysJSON']) s.meta.put(state[k], k);
      });
      $('idcode').value = '';
      if (state.queueLength > 0) sync();
      await chooseActivity(false);
    } catch (e) {
      setupError(e instanceof NetError ? t('unreachable') : e.message);
    } finally {
      btn.disabled = false;
    }
  }

  async function chooseActivity(refresh) {
    if (refresh && navigator.onLine !== false) {
      try {
        state.activities = (await gql(Q.activities, {}, 10000)).deviceActivities;
        await meta.set('activities', state.activities);
      } catch (e) { /* keep the known list */ }
    }
    const list = $('activities');
    list.textContent = '';
    $('activity-empty').hidden = state.activities.length > 0;
    if (state.activities.length === 1 && !refresh) return selectActivity(state.activities[0].id);
    for (const a of state.activities) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.id = a.id;
      b.textContent = a.title + (a.startsAt ? ' — ' + new Date(a.startsAt).toLocaleDateString(LANG === 'en' ? 'en-GB' : 'fr-FR') : '');
      b.onclick = () => selectActivity(a.id);
      li.appendChild(b);
      list.appendChild(li);
    }
    show('activity');
  }

  async function selectActivity(id) {
    state.activityId = String(id);
    await meta.set('activityId', state.activityId);
    renderStatus();
    show('download');
    $('download-error').hidden = true;
    $('download-retry').hidden = true;
    try {
      await downloadRoster((n) => { $('download-count').textContent = String(n); });
    } catch (e) {
      if (e instanceof GqlError && e.code === 'DEVICE_REVOKED') return;
      const have = await tx(['roster'], 'readonly', (s) => req(s.roster.index('activityId').count(state.activityId)));
      if (!have) {
        $('download-error').textContent = e instanceof NetError ? t('unreachable') : e.message;
        $('download-error').hidden = false;
        $('download-retry').hidden = false;
        return;
      }
    }
    state.lastSync = new Date().toISOString();
    await meta.set('lastSync', state.lastSync);
    await refreshCounts();
    show('scan');
  }

  async function revoked(msg) {
    stopCamera();
    await wipeAll();
    Object.assign(state, { token: null, activityId: null, activities: [], keysJSON: '[]', queueLength: 0, rosterSize: 0, lastSync: null });
    $('result').hidden = true;
    $('revoked-message').textContent = msg || '';
    renderStatus();
    show('revoked');
  }

  async function resetDevice() {
    const q = state.queueLength;
    if (!confirm(q > 0 ? t('unsyncedConfirm', q) : t('resetConfirm'))) return;
    stopCamera();
    await wipeAll();
    location.replace('./');
  }

  // checkServer: the app talks only to the server that served it (CSP
  // connect-src 'self'). A link naming another server is not followed
  // silently — it could be a look-alike collecting identification codes —
  // but shown, with a link to that server's own app.
  function checkServer(param) {
    if (!param) return;
    let u;
    try { u = new URL(param); } catch (_) { return; }
    if (u.origin === location.origin) return;
    const other = u.origin + '/scan/';
    const w = $('server-warning');
    w.textContent = '';
    const parts = t('otherServer', u.origin, '\u0000').split('\u0000');
    w.append(parts[0]);
    const a = document.createElement('a');
    a.href = other;
    a.textContent = other;
    a.rel = 'noreferrer';
    w.append(a, parts[1] || '');
    w.hidden = false;
  }

  function translate() {
    document.documentElement.lang = LANG;
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    for (const el of document.querySelectorAll('[data-tp]')) el.placeholder = t(el.dataset.tp);
  }

  // ------------------------------------------------------------ start
  async function boot() {
    translate();
    $('server-name').textContent = location.origin;
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('sw.js').catch((e) => console.warn('service worker', e));
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    startDecoders();

    const params = new URLSearchParams(location.search);
    checkServer(params.get('server'));
    await loadState();
    const speaker = params.get('speaker');
    if (speaker && speaker !== state.token) {
      Object.assign(state, { token: speaker, mode: 'speaker', activityId: null });
      await tx(['meta'], 'readwrite', (s) => { s.meta.put(speaker, 'token'); s.meta.put('speaker', 'mode'); s.meta.delete('activityId'); });
    }
    // ?onlineTimeoutMs=800 in the set-up link sets (and keeps) the wait.
    if (params.has('onlineTimeoutMs')) await setOnlineTimeout(params.get('onlineTimeoutMs'));
    if (params.get('site') && !state.token) $('site').value = params.get('site');
    else if (state.site) $('site').value = state.site;
    // The token must not stay in the address bar or the history.
    if (params.has('speaker')) history.replaceState(null, '', location.pathname);

    $('setup-form').addEventListener('submit', register);
    $('start').addEventListener('click', startCamera);
    $('stop').addEventListener('click', stopCamera);
    $('manual-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      ensureAudio();
      const v = $('manual-code').value;
      $('manual-code').value = '';
      recent.delete(v.trim()); // typed on purpose: no debounce
      handleCode(v);
    });
    $('result').addEventListener('click', () => { $('result').hidden = true; });
    $('sync-now').addEventListener('click', () => sync());
    $('change-activity').addEventListener('click', () => { stopCamera(); chooseActivity(true); });
    $('reset').addEventListener('click', resetDevice);
    $('revoked-reset').addEventListener('click', () => location.replace('./'));
    $('download-retry').addEventListener('click', () => selectActivity(state.activityId));
    window.addEventListener('online', () => { setOnline(true); sync(); });
    window.addEventListener('offline', () => setOnline(false));
    setInterval(probe, PROBE_MS);
    setInterval(() => {
      if (navigator.onLine === false || !state.token || syncing) return;
      if (Date.now() < state.nextSyncAt) return; // backing off
      const age = state.lastSync ? Date.now() - Date.parse(state.lastSync) : Infinity;
      if (state.queueLength > 0 || !state.online || age >= ROSTER_EVERY_MS) sync();
    }, TICK_MS);

    renderStatus();
    if (!state.token) {
      show('setup');
    } else if (state.mode === 'speaker') {
      show('scan');
    } else if (!state.activityId) {
      await chooseActivity(true);
    } else {
      show('scan');
      sync();
    }
    try {
      await wasmReady;
    } catch (e) {
      console.error('scanner.wasm', e);
    }
    document.body.dataset.ready = 'true';
  }

  // setOnlineTimeout keeps the online wait (ms) in the meta store; a value
  // out of 100–10000 ms, or empty, restores the default.
  async function setOnlineTimeout(ms) {
    const v = Number(ms);
    if (ms !== null && ms !== '' && Number.isFinite(v) && v >= 100 && v <= 10000) {
      state.onlineTimeoutMs = v;
      await meta.set('onlineTimeoutMs', v);
    } else {
      delete state.onlineTimeoutMs;
      await meta.del('onlineTimeoutMs');
    }
    return onlineTimeoutMs();
  }

  // For tests and support: what the app holds (no token).
  globalThis.ofhubApp = {
    get state() { const { token, ...rest } = state; return rest; },
    sync, handleCode, setOnlineTimeout, onlineTimeoutMs,
  };

  boot().catch((e) => {
    console.error('boot', e);
    setupError(String(e));
    show('setup');
  });
})();
