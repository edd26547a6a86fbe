// Service worker of the installable web app (served as /sw.js; the server writes CACHE and
// PRECACHE in front of this file). Only the offline page and hashed static files are kept:
// personal pages (办件, 证照, 消息) are never stored on the device.
/* global CACHE, PRECACHE */

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // credentials omitted: the stored offline page holds nobody's name
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { credentials: 'omit' }))))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith('yiwang-') && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (request.mode === 'navigate') {
    // pages always come from the network; without one, the offline page
    event.respondWith(fetch(request).catch(() => caches.match('/offline')))
    return
  }
  if (url.pathname.startsWith('/assets/')) {
    // hashed names never change content: the stored copy when there is one
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)))
  }
})
