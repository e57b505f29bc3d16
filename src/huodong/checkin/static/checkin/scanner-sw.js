// The scanner's service worker (issue 10 point 4): keeps the scanner page and its scripts so that a reload
// without the network still opens the page, with its queue of offline scans (kept in IndexedDB by the page).
// Loaded by the view checkin:scanner_sw, which sets self.SCANNER = {cache, page, assets} first and is served
// under the page's path, so its scope covers the page.
//
// The page: network first (the freshest page when online), the kept copy without the network.
// The scripts and styles: the kept copy at once, refreshed in the background.
// The API is never answered from here: the page itself decides what to do without the network.

const C = self.SCANNER;
const PREFIX = C.cache.replace(/-v[^-]*$/, "-v");

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(C.cache);
      // One by one: a missing optional asset does not stop the page from being kept.
      await Promise.all(C.assets.map((url) => cache.add(url).catch(() => undefined)));
      try {
        const page = await fetch(C.page, { credentials: "same-origin", redirect: "manual" });
        if (page.ok && page.type === "basic") await cache.put(C.page, page);
      } catch (_e) {
        // offline at install: the page is kept on its next load
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== C.cache).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

async function pageFirstFromNetwork(request) {
  const cache = await caches.open(C.cache);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(C.page, response.clone());
    }
    return response;
  } catch (_e) {
    const kept = await cache.match(C.page);
    return kept || Response.error();
  }
}

async function assetFromCache(event) {
  const cache = await caches.open(C.cache);
  const kept = await cache.match(event.request, { ignoreSearch: true });
  const fresh = fetch(event.request)
    .then(async (response) => {
      if (response.ok && response.type === "basic") await cache.put(event.request, response.clone());
      return response;
    })
    .catch(() => undefined);
  if (kept) {
    event.waitUntil(fresh);
    return kept;
  }
  return (await fresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname === C.page) {
    event.respondWith(pageFirstFromNetwork(request));
  } else if (C.assets.includes(url.pathname)) {
    event.respondWith(assetFromCache(event));
  }
});
