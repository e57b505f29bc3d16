// The check-in scanner (EX-2; issue 10 points 1, 3 and 4): camera, photo of a QR, hardware scanner or
// ticket code, search by name / pinyin / initials / phone tail; the ticket's Ed25519 signature verified here
// with the event's public key; the staff member confirms the guest and the kit; the server answers.
// Without the network: the offline pack (IndexedDB) answers, scans are queued on disk and sent in one batch
// when the network returns. A service worker (scanner-sw.js) keeps the page for a reload offline.
//
// jsQR is a classic script (window.jsQR); @noble/ed25519 and scanner-store.js are ES modules imported from
// the URLs the page gives (data-config), all served by the app.

const root = document.getElementById("scanner");
const CONFIG = JSON.parse(root.dataset.config);
const T = JSON.parse(root.dataset.strings);
const $ = (sel) => root.querySelector(sel);
const EVENT = CONFIG.event_id;
const DEVICE_KEY = `huodong.checkin.device.${EVENT}`;
const PACK_EVERY_MS = 60_000;
const SYNC_RETRY_MS = 15_000;
const PACK_RETRY_MS = 3_000;

let store; // scanner-store.js
let ed; // @noble/ed25519
let pack = null; // the offline pack: {event_id, key_id, public_key, guests, kit, gates, opens_at, closes_at, …}
let packAt = null; // when it was downloaded
let byId = new Map();
let byCode = new Map();
let publicKey = null;
let queue = []; // offline scans waiting for the network
let seen = {}; // guest id → {at, gate}: check-ins this device made (online or queued)
let reachable = true; // the last request reached the server
let syncing = false;
let pending = null; // the scan waiting for the staff member's confirmation

// ------------------------------------------------------------------ small helpers
function fmt(text, params) {
  return String(text).replace(/%\((\w+)\)s/g, (_m, k) => (params && k in params ? String(params[k]) : ""));
}

function uuid() {
  if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function b64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("malformed");
  let s = text.replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) s += "=";
  const bin = atob(s);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function timeOf(iso) {
  if (!iso) return "";
  try {
    return new Intl.DateTimeFormat(CONFIG.lang, {
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
      timeZone: (pack && pack.time_zone) || undefined,
    }).format(new Date(iso));
  } catch (_e) {
    return new Date(iso).toLocaleTimeString();
  }
}

// The doors' times carry the date, as the server says them ("12-02 07:46"): they may be another day.
function dayTimeOf(iso) {
  if (!iso) return "";
  try {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-GB", {
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
      timeZone: (pack && pack.time_zone) || undefined,
    });
    for (const p of format.formatToParts(new Date(iso))) parts[p.type] = p.value;
    return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  } catch (_e) {
    return timeOf(iso);
  }
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : root.dataset.csrf;
}

function online() {
  return navigator.onLine !== false;
}

let busy = 0; // requests in flight (data-busy: the tests wait for a quiet page)

async function api(url, body) {
  busy += 1;
  root.dataset.busy = String(busy);
  try {
    return await request(url, body);
  } finally {
    busy -= 1;
    root.dataset.busy = String(busy);
  }
}

async function request(url, body) {
  const response = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": csrf(),
      "Accept-Language": CONFIG.lang,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  reachable = true;
  let data = null;
  try {
    data = await response.json();
  } catch (_e) {
    data = null;
  }
  return { status: response.status, data };
}

function errorText(data, status) {
  if (data && data.errors) {
    const parts = Object.values(data.errors).flat();
    if (parts.length) return parts.join(" ");
  }
  if (data && data.message) return data.message;
  return `HTTP ${status}`;
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ------------------------------------------------------------------ the device and its gate
function device() {
  try {
    return JSON.parse(localStorage.getItem(DEVICE_KEY) || "null");
  } catch (_e) {
    return null;
  }
}

function saveDevice(d) {
  localStorage.setItem(DEVICE_KEY, JSON.stringify(d));
}

function showGate() {
  const d = device();
  $("[data-gate-label]").textContent = d ? d.gate_name : "—";
  root.dataset.registered = d && d.registered ? "1" : "0";
  $('[data-testid="gate-picker"]').hidden = !!d;
}

async function registerDevice() {
  const d = device();
  if (!d || d.registered || !online()) return;
  try {
    const { status, data } = await api(CONFIG.devices_url, { device: d.key, gate_id: d.gate_id });
    if (status === 200) {
      saveDevice({ ...d, registered: true, gate_name: d.gate_id ? data.gate : d.gate_name });
      showGate();
    } else if (status >= 500) {
      // the server is busy or down: tried again with the next sync (every scan also names its gate)
    } else {
      showResult("bad", fmt(T.error, { message: errorText(data, status) }));
      $('[data-testid="gate-picker"]').hidden = false;
    }
  } catch (_e) {
    reachable = false;
    renderBanner();
  }
}

function pickGate(button) {
  const previous = device();
  const gateId = button.dataset.gateId ? Number(button.dataset.gateId) : null;
  saveDevice({
    key: previous ? previous.key : uuid(),
    gate_id: gateId,
    gate_name: button.dataset.gateName,
    registered: false,
  });
  showGate();
  showResult("info", fmt(online() ? T.gate_saved : T.gate_offline, { gate: button.dataset.gateName }));
  registerDevice();
}

// ------------------------------------------------------------------ the offline pack
function usePack(p, at) {
  pack = p;
  packAt = at;
  byId = new Map(p.guests.map((g) => [g.id, g]));
  byCode = new Map(p.guests.filter((g) => g.code).map((g) => [g.code, g]));
  publicKey = b64url(p.public_key);
  root.dataset.ready = "1";
  renderKit();
  renderPackStatus(false);
}

function renderPackStatus(failed) {
  const node = $('[data-testid="pack-status"]');
  if (!pack) {
    node.textContent = T.pack_none;
    return;
  }
  const time = timeOf(packAt);
  node.textContent = failed ? fmt(T.pack_failed, { time }) : fmt(T.pack_at, { n: pack.guests.length, time });
}

async function refreshPack() {
  if (!online() || busy) return; // not beside a scan or a sync in flight (it refreshes the pack itself)
  try {
    const { status, data } = await api(CONFIG.pack_url);
    if (status === 200 && data) {
      const at = new Date().toISOString();
      usePack(data, at);
      await store.set(`pack:${EVENT}`, { pack: data, at });
    } else if (pack) {
      renderPackStatus(true);
    } else {
      setTimeout(refreshPack, PACK_RETRY_MS); // no list at all yet: try again soon
    }
  } catch (_e) {
    reachable = false;
    if (pack) renderPackStatus(true);
  }
  root.dataset.ready = pack ? "1" : "0";
  renderBanner();
}

function renderKit() {
  const box = $('[data-testid="kit"] .kit-items');
  box.replaceChildren();
  for (const item of (pack && pack.kit) || []) {
    const label = el("label", { class: "kit-item" });
    const input = el("input", { type: "checkbox", value: item.code, "data-kit": item.code });
    input.checked = true;
    label.append(input, document.createTextNode(" " + item.label));
    box.append(label);
  }
  $('[data-testid="kit"]').hidden = !((pack && pack.kit) || []).length;
}

// ------------------------------------------------------------------ queue and banner
async function saveQueue() {
  await store.set(`queue:${EVENT}`, queue);
  await store.set(`seen:${EVENT}`, seen);
}

function renderBanner() {
  const banner = $('[data-testid="offline-banner"]');
  const offline = !online() || !reachable;
  banner.replaceChildren();
  root.dataset.queued = String(queue.length);
  banner.classList.toggle("offline", offline);
  if (!offline && !queue.length) {
    banner.hidden = true;
    return;
  }
  banner.hidden = false;
  const text = offline ? (queue.length ? T.offline : T.offline_none) : syncing ? T.syncing : T.queued_online;
  const [before, after] = text.split("%(n)s");
  banner.append(document.createTextNode(before));
  if (after !== undefined) {
    banner.append(el("strong", { "data-testid": "queue-count" }, String(queue.length)), document.createTextNode(after));
  }
}

// ------------------------------------------------------------------ results
function showResult(kind, text, detail) {
  const box = $('[data-testid="result"]');
  box.hidden = false;
  box.className = `result result-${kind}`;
  box.dataset.kind = kind;
  $('[data-testid="result-text"]').textContent = text;
  $('[data-testid="result-detail"]').textContent = detail || "";
  for (const node of box.querySelectorAll(".result-actions")) node.remove();
  box.scrollIntoView({ block: "nearest" });
}

function showOutcome(data) {
  const kind = data.result === "accepted" ? "ok" : data.result === "duplicate" ? "warn" : "bad";
  const g = data.guest;
  const detail = g ? [g.company, g.title, g.phone].filter(Boolean).join(" · ") : "";
  showResult(kind, data.message, detail);
  // The guest is at the desk: their badge, printed one at a time (issue 10 point 5).
  if (g && g.id && CONFIG.badge_url && (data.result === "accepted" || data.result === "duplicate")) {
    const href = `${CONFIG.badge_url}?layout=label&guest=${encodeURIComponent(g.id)}`;
    const link = el("a", { class: "btn secondary", href, target: "_blank", "data-testid": "print-badge" }, T.print_badge);
    const actions = el("p", { class: "result-actions" });
    actions.append(link);
    $('[data-testid="result"]').append(actions);
  }
}

// ------------------------------------------------------------------ what a scan names
// A ticket token checked with the event's public key, without the network: {guest, version} or {reason}.
async function claimToken(token) {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts[0] !== "HD1") return { reason: "not_ticket" };
  let payload, signature;
  try {
    payload = b64url(parts[1]);
    signature = b64url(parts[2]);
  } catch (_e) {
    return { reason: "not_ticket" };
  }
  if (payload.length !== 14 || signature.length !== 64) return { reason: "not_ticket" };
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const keyId = view.getUint16(0);
  const eventId = view.getUint32(2);
  const guestId = view.getUint32(6);
  const version = view.getUint32(10);
  if (eventId !== pack.event_id) return { reason: "other_event" };
  if (keyId !== pack.key_id) return { reason: "forged" };
  const message = new Uint8Array(4 + payload.length);
  message.set([72, 68, 49, 46]); // "HD1."
  message.set(payload, 4);
  let valid;
  try {
    valid = await ed.verifyAsync(signature, message, publicKey, { zip215: false });
  } catch (_e) {
    // No WebCrypto (a page not served over HTTPS): the signature cannot be checked here.
    return { reason: self.crypto && crypto.subtle ? "forged" : "unverifiable" };
  }
  if (!valid) return { reason: "forged" };
  return { guestId, version, guest: byId.get(guestId) || null };
}

function normaliseCode(raw) {
  return raw
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
}

// Why the pack says this guest cannot come in now ("" when they can).
function localProblem(guest, method, version) {
  if (!guest) return { reason: online() ? "" : "unknown_offline" };
  const name = guest.name;
  const mine = seen[guest.id];
  if (guest.status === "checked_in" || guest.checked_in_at || mine) {
    const at = mine ? mine.at : guest.checked_in_at;
    const gate = mine ? mine.gate : guest.checked_in_gate || T.gate_none;
    return { reason: "duplicate", text: fmt(T.duplicate_local, { name, time: timeOf(at), gate }) };
  }
  if (guest.status === "cancelled") return { reason: "cancelled", text: fmt(T.cancelled, { name }) };
  const ticketMethod = method === "qr" || method === "code";
  if (ticketMethod && (guest.version === null || (version !== null && version !== guest.version))) {
    if (guest.status === "registered") return { reason: "superseded", text: T.superseded };
  }
  const allowed = ticketMethod ? ["registered"] : ["registered", "invited"];
  if (!allowed.includes(guest.status)) return { reason: "not_registered", text: fmt(T.not_registered, { name }) };
  const now = Date.now();
  if (pack.opens_at && now < Date.parse(pack.opens_at)) {
    return { reason: "not_open", text: fmt(T.not_open, { time: dayTimeOf(pack.opens_at) }) };
  }
  if (pack.closes_at && now > Date.parse(pack.closes_at)) {
    return { reason: "closed", text: fmt(T.closed, { time: dayTimeOf(pack.closes_at) }) };
  }
  return { reason: "" };
}

// One entry point for every input: {token} | {code} | {guestId}, with the method.
async function handle(input) {
  hideConfirm();
  $('[data-testid="sync-report"]').hidden = true;
  if (!pack) {
    showResult("bad", T.pack_none);
    return;
  }
  if (!device()) {
    $('[data-testid="gate-picker"]').hidden = false;
    $('[data-testid="gate-picker"]').scrollIntoView({ block: "nearest" });
    return;
  }
  let guest = null;
  let version = null;
  const entry = { method: input.method };
  if (input.token) {
    entry.token = input.token.trim();
    const claim = await claimToken(entry.token);
    if (claim.reason) {
      // Refused here. With the network the server answers too (it is the authority and logs the attempt).
      if (online()) return send(entry, null);
      return showResult("bad", T[claim.reason]);
    }
    guest = claim.guest;
    version = claim.version;
  } else if (input.code) {
    entry.code = normaliseCode(input.code);
    guest = byCode.get(entry.code) || null;
    version = guest ? guest.version : null;
  } else {
    entry.guest_id = input.guestId;
    guest = byId.get(input.guestId) || null;
  }
  const problem = localProblem(guest, entry.method, version);
  if (problem.reason) {
    if (online()) return send(entry, guest);
    return showResult(problem.reason === "duplicate" ? "warn" : "bad", problem.text || T[problem.reason]);
  }
  if (!guest) return send(entry, null); // not in this pack yet: the server knows
  showConfirm(entry, guest);
}

// ------------------------------------------------------------------ confirming
function showConfirm(entry, guest) {
  pending = { entry, guest };
  const card = $('[data-testid="confirm"]');
  $('[data-testid="confirm-name"]').textContent = guest.name;
  const values = {
    company: guest.company,
    title: guest.title,
    category: (CONFIG.categories || {})[guest.category] || guest.category,
    phone: guest.phone,
    code: guest.code || T.no_ticket,
    method: T[`method_${entry.method}`] || entry.method,
  };
  for (const [k, v] of Object.entries(values)) {
    card.querySelector(`[data-field="${k}"]`).textContent = v || "—";
  }
  for (const box of card.querySelectorAll("[data-kit]")) box.checked = true;
  card.querySelector('[data-action="confirm"]').textContent = entry.method === "paper" ? T.confirm_paper : T.confirm;
  card.dataset.method = entry.method;
  card.hidden = false;
  $('[data-testid="result"]').hidden = true;
  card.scrollIntoView({ block: "start" });
  card.querySelector('[data-action="confirm"]').focus({ preventScroll: true });
}

function hideConfirm() {
  pending = null;
  $('[data-testid="confirm"]').hidden = true;
}

async function confirmPending() {
  if (!pending) return;
  const { entry, guest } = pending;
  entry.kit = Array.from(root.querySelectorAll("[data-kit]:checked"), (b) => b.value);
  hideConfirm();
  await send(entry, guest);
}

// ------------------------------------------------------------------ sending, or queueing
async function queueScan(entry, guest, note) {
  queue.push(entry);
  if (guest) seen[guest.id] = { at: entry.scanned_at, gate: device().gate_name };
  await saveQueue();
  renderBanner();
  showResult("queued", note || fmt(T.queued, { name: guest ? guest.name : entry.code || entry.guest_id || "" }));
}

async function send(entry, guest) {
  const d = device();
  entry.client_id = uuid();
  entry.scanned_at = new Date().toISOString();
  entry.gate_id = d.gate_id;
  entry.kit = entry.kit || [];
  if (!online()) return queueScan(entry, guest);
  let answer;
  try {
    answer = await api(CONFIG.scan_url, { ...entry, device: d.key });
  } catch (_e) {
    reachable = false; // the request did not reach the server: the scan is queued, not lost
    return queueScan(entry, guest);
  }
  const { status, data } = answer;
  if (status === 200 && data) {
    showOutcome(data);
    if (data.result === "accepted" && data.guest) {
      seen[data.guest.id] = { at: entry.scanned_at, gate: d.gate_name };
      await saveQueue();
    }
    if (queue.length) await syncQueue();
    return;
  }
  if (status >= 500 || status === 0) {
    return queueScan(entry, guest, fmt(T.server_error, { status }));
  }
  if (status === 401) return queueScan(entry, guest, T.sign_in_again); // signed out: kept for after sign-in
  showResult("bad", fmt(T.error, { message: errorText(data, status) }));
  if (data && data.errors && (data.errors.gate || data.errors.device)) $('[data-testid="gate-picker"]').hidden = false;
}

// ------------------------------------------------------------------ the batch when the network returns
async function syncQueue() {
  if (syncing || !queue.length || !online()) return;
  const d = device();
  if (!d) return;
  syncing = true;
  const batch = queue.slice();
  renderBanner();
  try {
    const { status, data } = await api(CONFIG.sync_url, { device: d.key, scans: batch });
    if (status === 200 && data) {
      const sent = new Set(batch.map((e) => e.client_id));
      queue = queue.filter((e) => !sent.has(e.client_id));
      await saveQueue();
      showReport(data);
      syncing = false;
      await refreshPack();
    } else {
      showResult("bad", fmt(T.sync_failed, { message: errorText(data, status) }));
    }
  } catch (_e) {
    reachable = false;
  } finally {
    syncing = false;
    renderBanner();
  }
}

function showReport(data) {
  const box = $('[data-testid="sync-report"]');
  box.hidden = false;
  $('[data-testid="sync-summary"]').textContent = fmt(T.sync_done, data);
  const conflicts = $('[data-testid="sync-conflicts"]');
  conflicts.replaceChildren();
  for (const c of data.conflicts) {
    conflicts.append(
      el(
        "li",
        { class: "conflict", "data-testid": "sync-conflict" },
        fmt(T.conflict, { ...c, kept_at: timeOf(c.kept_at), other_at: timeOf(c.other_at) }),
      ),
    );
  }
  const problems = $('[data-testid="sync-problems"]');
  problems.replaceChildren();
  for (const r of data.results) {
    if (r.result === "accepted") continue;
    problems.append(el("li", { class: `sync-${r.result}`, "data-testid": `sync-${r.result}` }, r.message));
  }
  box.scrollIntoView({ block: "nearest" });
}

// ------------------------------------------------------------------ search
function search(text) {
  const list = $('[data-testid="search-results"]');
  list.replaceChildren();
  const q = text.trim().toLowerCase();
  if (!q || !pack) return;
  const digits = /^\d{3,4}$/.test(q);
  const hits = pack.guests.filter((g) =>
    digits
      ? g.tail.endsWith(q)
      : g.name.toLowerCase().includes(q) ||
        g.pinyin.split(" ").some((w) => w.startsWith(q.replace(/\s+/g, ""))) ||
        (g.company || "").toLowerCase().includes(q),
  );
  if (!hits.length) {
    list.append(el("li", { class: "muted" }, T.no_results));
    return;
  }
  for (const g of hits.slice(0, 20)) {
    const li = el("li");
    const button = el("button", { type: "button", class: "search-hit", "data-guest": String(g.id), "data-testid": "search-hit" });
    const state = g.checked_in_at || seen[g.id] ? T.checked_in : T[`status_${g.status}`] || g.status;
    button.append(
      el("strong", {}, g.name),
      el("span", { class: "muted" }, [g.company, g.phone].filter(Boolean).join(" · ")),
      // A revoked ticket keeps its code but not its version: no valid ticket (checked in as 纸质签到).
      el("span", { class: "tag" }, g.code && g.version !== null ? state : `${state} · ${T.no_ticket}`),
    );
    li.append(button);
    list.append(li);
  }
  if (hits.length > 20) list.append(el("li", { class: "muted" }, fmt(T.more_results, { n: hits.length - 20 })));
}

function pickSearchHit(button) {
  const guest = byId.get(Number(button.dataset.guest));
  if (!guest) return;
  $('[data-testid="search-results"]').replaceChildren();
  $('[data-testid="search-input"]').value = "";
  handle({ guestId: guest.id, method: guest.code && guest.version !== null ? "search" : "paper" });
}

// ------------------------------------------------------------------ QR codes: photo and camera
function decode(canvas, ctx) {
  const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return self.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
}

async function scanImage(file) {
  const canvas = $(".camera canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (_e) {
    showResult("bad", T.image_failed);
    return;
  }
  const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const found = decode(canvas, ctx);
  if (!found || !found.data) {
    showResult("bad", T.image_none);
    return;
  }
  handle({ token: found.data, method: "qr" });
}

let stream = null;
let lastFrame = 0;

function stopCamera() {
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  $('[data-testid="camera"]').hidden = true;
  $('[data-action="camera"]').textContent = T.camera_start;
}

async function startCamera() {
  if (stream) return stopCamera();
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showResult("bad", fmt(T.camera_failed, { message: "" }));
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    showResult("bad", fmt(T.camera_failed, { message: e && e.message ? e.message + "." : "" }));
    return;
  }
  const video = $(".camera video");
  video.srcObject = stream;
  $('[data-testid="camera"]').hidden = false;
  $('[data-action="camera"]').textContent = T.camera_stop;
  await video.play().catch(() => {});
  const canvas = $(".camera canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const tick = (now) => {
    if (!stream) return;
    if (now - lastFrame > 120 && video.readyState >= 2 && video.videoWidth) {
      lastFrame = now;
      const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const found = decode(canvas, ctx);
      if (found && found.data) {
        stopCamera();
        handle({ token: found.data, method: "qr" });
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

// ------------------------------------------------------------------ wiring
function scanField(value) {
  const text = value.trim();
  if (!text) return;
  if (text.startsWith("HD1.")) return handle({ token: text, method: "qr" });
  if (/^[0-9A-Za-z\s-]{6,14}$/.test(text)) return handle({ code: text, method: "code" });
  return handle({ token: text, method: "qr" });
}

function wire() {
  root.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target || !root.contains(target)) return;
    if (target.dataset.gateId !== undefined && target.closest('[data-testid="gate-picker"]')) return pickGate(target);
    if (target.dataset.guest) return pickSearchHit(target);
    const action = target.dataset.action;
    if (action === "change-gate") {
      const picker = $('[data-testid="gate-picker"]');
      picker.hidden = !picker.hidden;
    } else if (action === "confirm") {
      confirmPending();
    } else if (action === "cancel") {
      hideConfirm();
    } else if (action === "camera") {
      startCamera();
    }
  });
  $('[data-testid="scan-form"]').addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $('[data-testid="scan-input"]');
    const value = input.value;
    input.value = "";
    scanField(value);
  });
  $('[data-testid="image-input"]').addEventListener("change", (event) => {
    const file = event.target.files && event.target.files[0];
    event.target.value = "";
    if (file) scanImage(file);
  });
  $('[data-testid="search-input"]').addEventListener("input", (event) => search(event.target.value));
  // One request after the other: a phone on a poor network, and a server that is not flooded on reconnect.
  window.addEventListener("online", async () => {
    reachable = true;
    renderBanner();
    await registerDevice();
    if (queue.length) await syncQueue();
    else await refreshPack();
  });
  window.addEventListener("offline", renderBanner);
  window.addEventListener("focus", () => refreshPack());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshPack();
  });
  setInterval(refreshPack, PACK_EVERY_MS);
  setInterval(async () => {
    if (!pack) await refreshPack();
    await registerDevice();
    if (queue.length) await syncQueue();
  }, SYNC_RETRY_MS);
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(CONFIG.sw_url, { scope: CONFIG.scope });
    await navigator.serviceWorker.ready;
    root.dataset.offlineReady = "1";
  } catch (_e) {
    // Without a service worker the page still works; only a reload without the network would fail.
  }
}

async function start() {
  [store, ed] = await Promise.all([import(CONFIG.store), import(CONFIG.ed25519)]);
  queue = (await store.get(`queue:${EVENT}`)) || [];
  seen = (await store.get(`seen:${EVENT}`)) || {};
  const saved = await store.get(`pack:${EVENT}`);
  if (saved && saved.pack) usePack(saved.pack, saved.at);
  else renderPackStatus(false);
  showGate();
  wire();
  renderBanner();
  await refreshPack();
  if (window.matchMedia && window.matchMedia("(pointer: fine)").matches) $('[data-testid="scan-input"]').focus();
  await registerDevice();
  await syncQueue();
  await registerWorker();
}

start();
