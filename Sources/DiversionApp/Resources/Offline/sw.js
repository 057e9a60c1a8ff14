/*
 * Diversion service worker: keeps the officer's offline capture page, its scripts, styles and the
 * bundle of the active policy and instrument wording, and the service directory of the officer's region,
 * so captures and referrals can be recorded without a network.
 * Pages and data are fetched from the network first and the kept copy is used only when it fails,
 * so an officer online always sees the current policy. Writes are never handled here: the page queues
 * them in IndexedDB and sends them itself, with an idempotency key.
 */
'use strict';

var CACHE = 'diversion-offline-v2';
var PAGE = '/contacts/offline';
var KEPT = [
  PAGE,
  '/contacts/offline/bundle.json',
  '/contacts/offline/services.json',
  '/css/site.css',
  '/css/offline.css',
  '/js/rules.js',
  '/js/services.js',
  '/js/offline.js',
  '/icons/icon.svg',
  '/manifest.webmanifest'
];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // One by one, so a single missing file does not leave the rest uncached.
    return Promise.all(KEPT.map(function (path) {
      return fetch(path, { credentials: 'same-origin', cache: 'no-store' }).then(function (response) {
        if (usable(response)) return cache.put(path, response);
      }).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('diversion-offline-') === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// A response worth keeping: a real answer, not a redirect to the sign-in page.
function usable(response) {
  return response && response.ok && !response.redirected && response.type === 'basic';
}

function kept(url) {
  return url.pathname === PAGE || KEPT.indexOf(url.pathname) >= 0;
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/logout') {
    // Pages about a named person are not kept past the session that opened them.
    event.waitUntil(forgetPeople());
    return;
  }
  if (request.method !== 'GET' || !kept(url)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (usable(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        // A page for a person not kept falls back to the blank capture page.
        return hit || (url.pathname === PAGE ? cache.match(PAGE) : undefined) || Response.error();
      });
    });
  }));
});

function forgetPeople() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) { return new URL(r.url).search !== ''; })
        .map(function (r) { return cache.delete(r); }));
    });
  });
}
