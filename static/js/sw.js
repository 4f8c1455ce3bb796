// Offline after one visit (served at /sw.js: its scope is the site). Keeps only what was opened;
// never the dashboard, sign-in, /ra/, what someone typed (search, finder), non-GETs, no-store.
const PAGES = "pages-v1", STATIC = "static-v1", OFFLINE = "offline-v2", LIMIT = 60;
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

// Of the offline notices kept (one a language), the one whose prefix ("/en/", "/") starts this path
// the longest way: the notice in this path's language
function noticeFor(path, notices) {
  let best = null;
  for (const notice of notices) if (path.startsWith(notice.prefix) && (!best || notice.prefix.length > best.prefix.length)) best = notice;
  return best;
}

const escaped = (text) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const PLAN = /\/ket-qua(\?|$)/; // a wizard's outcome: the plan someone made

// The pages kept in the notice's language, as links, plans first then the latest opened: what
// opens without a network (the notice itself links to nothing else, or it would lead back here)
async function savedPages(notice, notices) {
  const cache = await caches.open(PAGES), items = [];
  for (const request of (await cache.keys()).reverse()) {
    const address = new URL(request.url);
    if (noticeFor(address.pathname, notices) !== notice) continue;
    const html = await (await cache.match(request)).text();
    const title = (html.match(/<title>([^<]*)<\/title>/) || [, address.pathname])[1];
    items.push({ plan: PLAN.test(address.pathname + address.search), html: `<li><a href="${escaped(address.pathname + address.search)}">${title}</a></li>` });
  }
  items.sort((a, b) => b.plan - a.plan); // stable: the latest first within plans and within pages
  return items.map((item) => item.html).join("");
}

async function offlineNotice(url) {
  const cache = await caches.open(OFFLINE);
  const notices = (await cache.keys()).map((request) => {
    const path = new URL(request.url).pathname;
    return { request, prefix: path.slice(0, path.lastIndexOf("/") + 1) };
  });
  const notice = noticeFor(url.pathname, notices);
  if (!notice) return Response.error();
  const copy = await cache.match(notice.request);
  const html = (await copy.text()).replace("<!-- saved pages -->", await savedPages(notice, notices));
  const headers = new Headers(copy.headers);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  return new Response(html, { headers });
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
