/*
 * LeadPulse website snippet (MIT). Readable source of the served /sdk/ls.js
 * (rebuild the minified file with scripts/build-sdk.sh).
 *
 * Install (the endpoint defaults to the origin this script is loaded from):
 *
 *   <script async src="https://HOST/sdk/ls.js" data-api-key="pk_..."></script>
 *
 * Calls made before the script has loaded are queued by this one-line stub and replayed:
 *
 *   <script>window.LS=window.LS||{q:[]};"init track page identify reset flush".split(" ").forEach(function(m){LS[m]=LS[m]||function(){LS.q.push([m,[].slice.call(arguments)])}})</script>
 *
 * Or configure it in code (every option but apiKey has a default):
 *
 *   LS.init({apiKey: "pk_...", endpoint: "https://HOST", autoPageview: true,
 *            flushInterval: 5000, maxBatch: 20, trackClicks: false, trackForms: true,
 *            respectDoNotTrack: false});
 *   LS.track("signup", {plan: "pro"});  LS.page();  LS.identify("ada@example.com", {name: "Ada"});
 *   LS.reset();  // e.g. on sign-out: new anonymousId and session
 *   LS.flush();  // send now; returns a Promise
 *
 * Delivery: every event gets a client eventId (UUIDv7) and its own timestamp; a batch gets
 * sentAt when it is sent, so the server can correct clock skew. The queue lives in
 * localStorage (bounded, oldest dropped) and is retried with exponential backoff and jitter on
 * network errors, 429 (honouring Retry-After) and 5xx, kept while offline, and flushed with
 * sendBeacon when the page is hidden. Form submits report field NAMES only, never values.
 * No entry point ever throws into the host page.
 */
(() => {
  "use strict";
  const w = window;
  const d = document;
  const nav = navigator;
  if (w.LS && w.LS._loaded) return; // the script was included twice

  const PREFIX = "ls_";
  const MAX_QUEUE = 1000; // events kept in storage; the oldest are dropped beyond it
  const SESSION_MS = 30 * 60 * 1000; // a session ends after 30 minutes without events
  const MAX_BACKOFF_MS = 60 * 1000;
  const BEACON_BYTES = 60000; // browsers cap in-flight beacon/keepalive bodies at 64 KiB
  const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
  const DEFAULTS = { autoPageview: true, flushInterval: 5000, maxBatch: 20, trackClicks: false };
  Object.assign(DEFAULTS, { trackForms: true, respectDoNotTrack: false });
  const script =
    d.currentScript || d.querySelector('script[src*="/sdk/ls.js"],script[src*="/sdk/ls.src.js"]');

  let cfg = null;
  let off = false; // Do-Not-Track honoured: capture nothing
  let early = []; // events tracked before init()
  let memQueue = []; // used when localStorage is unavailable
  const mem = {};
  let sending = null; // the Promise of the request in flight
  let attempt = 0;
  let retryAt = 0;
  let retryTimer = 0;
  let limit = 0; // batch size after a 413 (0: maxBatch)
  let lastPath = "";
  let lastUrl = d.referrer;

  const debug = (...args) => {
    try {
      console.debug("[LeadPulse]", ...args);
    } catch (e) {
      /* no console */
    }
  };
  const safe =
    (fn) =>
    (...args) => {
      try {
        return fn(...args);
      } catch (e) {
        debug(e);
      }
    };

  // --- storage: localStorage, cookie fallback for the ids, memory as a last resort ---------
  const local = (key, value) => {
    try {
      const s = w.localStorage;
      if (value === undefined) return s.getItem(PREFIX + key);
      if (value === null) s.removeItem(PREFIX + key);
      else s.setItem(PREFIX + key, value);
      return true;
    } catch (e) {
      return undefined;
    }
  };
  const cookie = (key, value) => {
    try {
      const name = PREFIX + key;
      if (value === undefined) {
        const hit = d.cookie.split("; ").find((c) => c.startsWith(name + "="));
        return hit ? decodeURIComponent(hit.slice(name.length + 1)) : null;
      }
      const age = value === null ? 0 : 31536000;
      d.cookie = `${name}=${encodeURIComponent(value || "")};path=/;max-age=${age};SameSite=Lax`;
    } catch (e) {
      /* cookies disabled */
    }
    return null;
  };
  const read = (key) => {
    const v = local(key);
    return v === undefined || v === null ? cookie(key) || mem[key] || null : v;
  };
  const write = (key, value) => {
    mem[key] = value;
    if (local(key, value) !== true || value === null) cookie(key, value);
  };

  // --- identity ----------------------------------------------------------------------------
  const uuid = () => {
    // UUIDv7: 48-bit millisecond timestamp, then random bits (eventIds sort by creation time)
    const b = crypto.getRandomValues(new Uint8Array(16));
    let t = Date.now();
    for (let i = 5; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256;
    b[6] = (b[6] & 15) | 112;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const anonymousId = () => read("aid") || (write("aid", uuid()), read("aid"));
  const sessionId = () => {
    const now = Date.now();
    let id = read("sid");
    if (!id || now - Number(read("sts") || 0) > SESSION_MS) write("sid", (id = uuid()));
    write("sts", String(now));
    return id;
  };

  // --- the queue ---------------------------------------------------------------------------
  const load = () => {
    const raw = local("q");
    if (typeof raw !== "string") return memQueue;
    try {
      return JSON.parse(raw);
    } catch (e) {
      return [];
    }
  };
  const save = (events) => {
    memQueue = events;
    if (local("q", JSON.stringify(events)) !== true) local("q", null); // full: memory only
  };
  const drop = (ids) => save(load().filter((e) => !ids.has(e.eventId)));

  const enqueue = (event) => {
    if (!cfg) return void (early = early.concat(event).slice(-MAX_QUEUE));
    const events = load();
    events.push(event);
    save(events.slice(-MAX_QUEUE));
    if (events.length >= cfg.maxBatch) send(false);
  };

  const build = (event, extra) => {
    if (off) return;
    if (!EVENT_NAME.test(event)) {
      debug("invalid event name (1-64 chars of A-Z a-z 0-9 _ . : -):", event);
      return;
    }
    enqueue({
      event,
      anonymousId: anonymousId(),
      sessionId: sessionId(),
      eventId: uuid(),
      timestamp: new Date().toISOString(),
      ...extra,
    });
  };

  // --- delivery ----------------------------------------------------------------------------
  const endpoint = () => `${cfg.endpoint}/api/ingest/batch`;
  const body = (events) =>
    JSON.stringify({ apiKey: cfg.apiKey, sentAt: new Date().toISOString(), events });

  const backoff = (retryAfter) => {
    const seconds = parseFloat(retryAfter); // absent or an HTTP date: NaN, use our own
    const delay =
      seconds >= 0
        ? seconds * 1000
        : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    attempt += 1;
    retryAt = Date.now() + delay;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => send(true), delay);
  };

  // 422 names the offending items (loc "events.3.event"): drop those, keep the rest
  const rejectedIndexes = async (response) => {
    try {
      const problem = await response.json();
      return (problem.errors || [])
        .map((e) => String(e.loc).split(/[.,]/))
        .map((parts) => parts[parts.indexOf("events") + 1])
        .filter((i) => /^\d+$/.test(i))
        .map(Number);
    } catch (e) {
      return [];
    }
  };

  const settle = async (response, batch) => {
    const status = response.status;
    if (status === 429 || status >= 500) return backoff(response.headers.get("Retry-After"));
    if (status === 413 && batch.length > 1) return (limit = batch.length >> 1), true; // split
    attempt = 0;
    retryAt = 0;
    let gone = batch;
    if (status < 300) {
      limit = 0;
      const result = await response.json().catch(() => ({}));
      const rejected = (result.results || []).filter((r) => r.errors);
      if (rejected.length) debug("events rejected by validation", rejected);
    } else {
      const bad = status === 422 ? await rejectedIndexes(response) : [];
      if (bad.length) gone = batch.filter((_, i) => bad.includes(i));
      debug(`ingest answered ${status}; dropped ${gone.length} event(s)`, gone);
    }
    drop(new Set(gone.map((e) => e.eventId)));
    return load().length > 0; // more to drain
  };

  const send = (force) => {
    if (!cfg || sending) return sending || Promise.resolve();
    if (nav.onLine === false || (!force && Date.now() < retryAt)) return Promise.resolve();
    const batch = load().slice(0, limit || cfg.maxBatch);
    if (!batch.length) return Promise.resolve();
    const payload = body(batch);
    sending = fetch(endpoint(), {
      method: "POST",
      body: payload,
      headers: { "Content-Type": "text/plain" }, // a "simple" request: no CORS preflight
      credentials: "omit",
      keepalive: payload.length < BEACON_BYTES,
    })
      .then((response) => settle(response, batch), () => backoff())
      .catch(debug)
      .then((more) => {
        sending = null;
        if (more) return send(false);
      });
    return sending;
  };

  const flush = () => {
    clearTimeout(retryTimer);
    return send(true);
  };

  // The page is going away: a beacon survives it. Its outcome is unknowable, so once the
  // browser accepts it the events leave the queue; offline, they stay for the next page.
  const beacon = () => {
    if (!cfg || !nav.sendBeacon || nav.onLine === false) return;
    let events = load();
    while (events.length) {
      const batch = events.slice(0, cfg.maxBatch);
      const blob = new Blob([body(batch)], { type: "text/plain" });
      if (blob.size > BEACON_BYTES || !nav.sendBeacon(endpoint(), blob)) return;
      drop(new Set(batch.map((e) => e.eventId)));
      events = events.slice(batch.length);
    }
  };

  // --- automatic capture -------------------------------------------------------------------
  const page = (properties) =>
    build("page_view", {
      properties: {
        url: location.href,
        path: location.pathname,
        title: d.title,
        referrer: lastUrl || "",
        ...properties,
      },
    });

  const autoPage = () => {
    const path = location.pathname + location.search;
    if (path === lastPath) return;
    lastPath = path;
    page();
    lastUrl = location.href;
  };

  const patchHistory = () => {
    for (const name of ["pushState", "replaceState"]) {
      const original = history[name];
      history[name] = function (...args) {
        const result = original.apply(this, args);
        setTimeout(safe(autoPage)); // after the app has had a chance to set the title
        return result;
      };
    }
    w.addEventListener("popstate", safe(autoPage));
  };

  const onClick = (e) => {
    const el = e.target && e.target.closest && e.target.closest("[data-ls-event]");
    if (!el) return;
    const properties = {};
    for (const { name } of el.attributes) {
      if (name.startsWith("data-ls-") && name !== "data-ls-event") {
        properties[name.slice(8)] = el.getAttribute(name);
      }
    }
    build(el.getAttribute("data-ls-event"), { properties });
  };

  const onSubmit = (e) => {
    const form = e.target;
    if (!form || form.nodeName !== "FORM" || form.hasAttribute("data-ls-ignore")) return;
    // Field NAMES only: values (passwords, card numbers, messages) never leave the page.
    const names = Array.from(form.querySelectorAll("[name]"), (el) => el.getAttribute("name"));
    build("form_submit", {
      properties: {
        formId: form.getAttribute("id") || null,
        formName: form.getAttribute("name") || null,
        action: form.getAttribute("action") || location.pathname,
        fields: [...new Set(names)],
      },
    });
  };

  // --- the public API ----------------------------------------------------------------------
  const doNotTrack = () =>
    [nav.doNotTrack, w.doNotTrack, nav.msDoNotTrack].some((v) => v === "1" || v === "yes") ||
    nav.globalPrivacyControl === true;

  const scriptOrigin = () => {
    try {
      return new URL(script.src).origin;
    } catch (e) {
      return location.origin;
    }
  };

  const init = (options) => {
    if (cfg) return debug("init() called twice; ignored");
    const o = { ...DEFAULTS, endpoint: scriptOrigin(), ...options };
    if (!o.apiKey) return debug("init() needs an apiKey");
    if (o.respectDoNotTrack && doNotTrack()) {
      off = true;
      early = [];
      return debug("Do-Not-Track: not tracking");
    }
    o.endpoint = String(o.endpoint).replace(/\/+$/, "");
    o.maxBatch = Math.max(1, Math.min(500, o.maxBatch | 0 || DEFAULTS.maxBatch));
    cfg = o;
    const pending = early;
    early = [];
    pending.forEach(enqueue);
    setInterval(safe(() => send(false)), Math.max(250, Number(o.flushInterval) || 5000));
    w.addEventListener("online", safe(() => flush()));
    w.addEventListener("pagehide", safe(beacon));
    d.addEventListener("visibilitychange", safe(() => d.visibilityState === "hidden" && beacon()));
    if (o.trackClicks) d.addEventListener("click", safe(onClick), true);
    if (o.trackForms) d.addEventListener("submit", safe(onSubmit), true);
    if (o.autoPageview) {
      patchHistory();
      autoPage();
    }
    send(false);
  };

  const reset = () => {
    for (const key of ["aid", "sid", "sts"]) write(key, null);
  };

  const api = {
    _loaded: true,
    init: safe(init),
    track: safe((event, properties) => build(String(event), { properties: properties || {} })),
    page: safe((properties) => page(properties)),
    identify: safe((email, traits) => build("identify", { email, traits: traits || {} })),
    reset: safe(reset),
    flush: safe(() => flush()),
  };

  // Replace the stub, configure from the script tag, then replay the calls it queued.
  const stub = w.LS;
  w.LS = api;
  safe(() => {
    const queued = Array.from((stub && stub.q) || []);
    const attrs = (script && script.dataset) || {};
    if (attrs.apiKey && !queued.some((call) => call[0] === "init")) {
      const options = { apiKey: attrs.apiKey };
      if (attrs.endpoint) options.endpoint = attrs.endpoint;
      if (attrs.autoPageview) options.autoPageview = attrs.autoPageview !== "false";
      if (attrs.trackClicks) options.trackClicks = attrs.trackClicks !== "false";
      api.init(options);
    }
    for (const [name, args] of queued) {
      if (typeof api[name] === "function") api[name](...Array.from(args || []));
    }
  })();
})();
