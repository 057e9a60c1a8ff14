/*
 * Diversion service worker: keeps the officer's offline capture page, its scripts, styles and the
 * bundle of the active policy and instrument wording, and the service directory of the officer's region,
 * so captures and referrals can be recorded without a network.
 * Pages and data are fetched from the network first and the kept copy is used only when it fails,
 * so an officer online always sees the current policy. Writes are never handled here: the page queues
 * them in IndexedDB and sends them itself, with an idempotency key.
 */
'use strict';

var CACHE = 'diversion-offline-v4';
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
    // Pages about a named person are not kept past the session that opened them, nor are records already sent.
    event.waitUntil(Promise.all([forgetPeople(), forgetSent()]));
    return;
  }
  if (request.method !== 'GET' || !kept(url)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (usable(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return keep(cache, request, copy, url.search !== ''); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        if (hit && url.search !== '' && expired(hit)) {
          cache.delete(request);
          hit = undefined;
        }
        // A page for a person not kept falls back to the blank capture page.
        return hit || (url.pathname === PAGE ? cache.match(PAGE) : undefined) || Response.error();
      });
    });
  }));
});

// A page about a named person is kept for one shift at most, even when nobody signs out: after that the device
// shows the blank capture page instead, so a lost or shared phone does not keep showing the person's details.
var PERSON_PAGE_HOURS = 12;

function keep(cache, request, response, aboutPerson) {
  if (!aboutPerson) return cache.put(request, response);
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set('X-Kept-At', String(Date.now()));
    return cache.put(request, new Response(body, { status: response.status, statusText: response.statusText, headers: headers }));
  });
}

function expired(response) {
  var keptAt = Number(response.headers.get('X-Kept-At'));
  return !keptAt || Date.now() - keptAt > PERSON_PAGE_HOURS * 3600 * 1000;
}

function forgetPeople() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (r) { return new URL(r.url).search !== ''; })
        .map(function (r) { return cache.delete(r); }));
    });
  });
}

// Records the server has are of no more use on the device: they are deleted at sign-out, and a record that needs
// attention keeps only its result and label, not the person's details and answers. Records still waiting stay.
function forgetSent() {
  return new Promise(function (resolve) {
    var open = indexedDB.open('diversion-offline', 1);
    open.onupgradeneeded = function () { open.transaction.abort(); };
    open.onerror = function () { resolve(); };
    open.onsuccess = function () {
      var db = open.result;
      if (!db.objectStoreNames.contains('captures')) { db.close(); resolve(); return; }
      var transaction = db.transaction('captures', 'readwrite');
      var store = transaction.objectStore('captures');
      store.getAll().onsuccess = function (e) {
        e.target.result.forEach(function (item) {
          if (item.state === 'synced') store.delete(item.key);
          else if (item.state === 'attention' && item.body) { delete item.body; store.put(item); }
        });
      };
      transaction.oncomplete = function () { db.close(); resolve(); };
      transaction.onerror = transaction.onabort = function () { db.close(); resolve(); };
    };
  });
}
