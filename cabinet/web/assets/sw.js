// The service worker: shows Web Push notifications and opens the cabinet's
// page a notification is about. It caches nothing: the cabinet's pages show
// health data and are never kept on the device.

self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || 'Kabinet', {
    body: data.body || '',
    data: { url: data.url || '' },
    icon: new URL('assets/icon.svg', self.registration.scope).href,
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  // Only a page of the cabinet: a URL that resolves anywhere else (an
  // absolute one, "//host", control characters) opens the cabinet's home.
  let target = self.registration.scope;
  try {
    const url = new URL((event.notification.data && event.notification.data.url || '').replace(/^\//, ''), self.registration.scope).href;
    if (url.startsWith(self.registration.scope)) target = url;
  } catch { /* not a URL: home */ }
  event.waitUntil((async () => {
    const all = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of all) {
      if (c.url.startsWith(self.registration.scope) && 'navigate' in c) { await c.focus(); return c.navigate(target); }
    }
    return self.clients.openWindow(target);
  })());
});
