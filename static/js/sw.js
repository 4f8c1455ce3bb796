// Offline after one visit (served at /sw.js: its scope is the site). Keeps only what was opened;
// never the dashboard, sign-in, /ra/, what someone typed (search, finder), non-GETs, no-store.
const PAGES = "pages-v1", STATIC = "static-v1", OFFLINE = "offline-v1", LIMIT = 60;
const SCOPE = new URL(self.registration.scope).pathname;
const NEVER_KEPT = /^([a-z]{2,3}\/)?(xa\/[^/]+\/)?(thong-ke|ra|tim-kiem|tim-xa)(\/|$)/;
const HASHED = /\.[0-9a-f]{10}\.\w+$/; // named by their bytes: never stale
const TAGS = /^(utm_.*|_.*|fbclid|gclid|zarsrc|src)$/; // where a link came from

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) if (![PAGES, STATIC, OFFLINE].includes(name)) await caches.delete(name);
  await self.clients.claim();
})()));

// "en/huong-dan/x", or null for another site
const local = (url) => url.origin === location.origin && url.pathname.startsWith(SCOPE) ? url.pathname.slice(SCOPE.length) : null;

function pageKey(url) { // one copy per page, whatever its tags
  const key = new URL(url);
  key.hash = "";
  for (const name of [...key.searchParams.keys()]) if (TAGS.test(name)) key.searchParams.delete(name);
  return key.href;
}

const keepable = (response) => response.ok && response.type === "basic" && !response.redirected &&
  (response.headers.get("Content-Type") || "").startsWith("text/html") &&
  !/no-store/i.test(response.headers.get("Cache-Control") || "");

async function put(name, key, response) {
  try {
    const cache = await caches.open(name);
    await cache.put(key, response);
    const keys = await cache.keys(); // oldest first
    for (const old of keys.slice(0, Math.max(0, keys.length - LIMIT))) await cache.delete(old);
  } catch (full) {}
}

const kept = (name, key) => caches.open(name).then((cache) => cache.match(key, { ignoreVary: true }));

// The offline notice with the longest language prefix ("/en/", "/") that starts this path
async function offlineNotice(url) {
  const cache = await caches.open(OFFLINE);
  let best = null;
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname, prefix = path.slice(0, path.lastIndexOf("/") + 1);
    if (url.pathname.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { request, prefix };
  }
  return best ? cache.match(best.request) : Response.error();
}

async function page(request, url, keep) {
  try {
    const response = await fetch(request);
    if (keep && keepable(response)) put(PAGES, pageKey(url), response.clone());
    return response;
  } catch (offline) {
    const copy = keep && await kept(PAGES, pageKey(url));
    if (!copy) return offlineNotice(url);
    const html = (await copy.text()).replace('id="stale-notice" hidden', 'id="stale-notice"');
    const headers = new Headers(copy.headers); // its security headers still hold
    headers.delete("Content-Encoding");
    headers.delete("Content-Length");
    return new Response(html, { headers });
  }
}

async function staticFile(href, hashed) {
  const copy = await kept(STATIC, href);
  if (copy && hashed) return copy;
  try {
    const response = await fetch(href);
    if (response.ok) put(STATIC, href, response.clone());
    return response;
  } catch (offline) {
    return copy || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request, url = new URL(request.url), path = local(url);
  if (request.method !== "GET" || path === null) return;
  if (path.startsWith("static/")) event.respondWith(staticFile(url.href, HASHED.test(path)));
  else if (request.mode === "navigate") event.respondWith(page(request, url, !NEVER_KEPT.test(path)));
  // htmx's requests (parts of pages) go to the network
});

// From site.js: a page the worker did not fetch, its files, the offline notice in its language
// (a prefetch: the tallies counted the page already)
async function keep({ keep: urls = [], offline }) {
  const prefetch = { headers: { Purpose: "prefetch" } };
  for (const href of urls.slice(0, 50)) {
    const url = new URL(href, location), path = local(url);
    if (path === null || NEVER_KEPT.test(path)) continue;
    if (path.startsWith("static/")) { await staticFile(url.href, true); continue; }
    const response = await fetch(url.href, prefetch).catch(() => null);
    if (response && keepable(response)) await put(PAGES, pageKey(url), response);
  }
  const notice = offline && new URL(offline, location);
  if (notice && local(notice) !== null && !(await kept(OFFLINE, notice.href))) {
    const response = await fetch(notice.href, prefetch);
    if (keepable(response)) await put(OFFLINE, notice.href, response);
  }
}
self.addEventListener("message", (event) => event.waitUntil(keep(event.data || {}).catch(() => {})));
