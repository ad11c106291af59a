{% load static %}/* Orienta's field screens: the service worker (Workbox).

It caches the app shell of the field screens and the static files it uses, nothing else: no page
outside {{ scope }} is ever controlled by it, and no data goes into its caches (the data lives in
IndexedDB, see field-store.js). Background Sync sends the queue when the browser has it. */
importScripts("{% static 'vendor/workbox/workbox-sw.js' %}");
importScripts("{% static 'vendor/dexie/dexie.min.js' %}");
importScripts("{% static 'js/field-store.js' %}");

workbox.setConfig({ modulePathPrefix: "{% static 'vendor/workbox/' %}", debug: false });
workbox.core.setCacheNameDetails({ prefix: "orienta-field", suffix: "v1" });

const SCOPE = "{{ scope }}";
const SHELL_CACHE = "orienta-field-shell-v1";
const STATIC_CACHE = "orienta-field-static-v1";
const STATIC_PREFIX = "{% get_static_prefix %}";
const SHELL_FILES = [
  "{% static 'vendor/bootstrap/bootstrap.min.css' %}",
  "{% static 'vendor/bootstrap-icons/bootstrap-icons.min.css' %}",
  "{% static 'vendor/bootstrap-icons/fonts/bootstrap-icons.woff2' %}",
  "{% static 'css/orienta.css' %}",
  "{% static 'img/favicon.svg' %}",
  "{% static 'img/field-icon.svg' %}",
  "{% static 'vendor/bootstrap/bootstrap.bundle.min.js' %}",
  "{% static 'vendor/htmx/htmx.min.js' %}",
  "{% static 'js/orienta.js' %}",
  "{% static 'js/field-signout.js' %}",
  "{% static 'vendor/dexie/dexie.min.js' %}",
  "{% static 'vendor/workbox/workbox-window.prod.umd.js' %}",
  "{% static 'js/field-store.js' %}",
  "{% static 'js/field-app.js' %}",
];

OrientaField.configure({ syncUrl: "{% url 'field:field_sync' %}", dataUrl: "{% url 'field:field_data' %}" });

// Only a complete, non-redirected answer goes into a cache (never a sign-in page or an error).
const onlyComplete = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected && response.type === "basic" ? response : null,
};

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL_CACHE);
      const answer = await fetch(SCOPE, { credentials: "same-origin", redirect: "follow" });
      if (answer.status === 200 && !answer.redirected) await shell.put(SCOPE, answer);
      const files = await caches.open(STATIC_CACHE);
      await files.addAll(SHELL_FILES);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, STATIC_CACHE]);
      for (const name of await caches.keys()) {
        if (name.startsWith("orienta-field") && !keep.has(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The shell: from the network when there is one (fresh lists for users who stay online), from the
// cache when not. Only the shell's own address is answered; the data and sync addresses, and
// everything outside the scope, go to the network untouched.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname === SCOPE,
  new workbox.strategies.NetworkFirst({
    cacheName: SHELL_CACHE,
    networkTimeoutSeconds: 4,
    plugins: [onlyComplete],
    // Django's pages vary on Cookie and Accept-Language, headers a navigation does not show here.
    matchOptions: { ignoreSearch: true, ignoreVary: true },
  }),
);

// The shell's static files: from the cache at once, refreshed in the background.
workbox.routing.registerRoute(
  ({ url, request }) =>
    url.origin === self.location.origin &&
    url.pathname.startsWith(STATIC_PREFIX) &&
    ["style", "script", "font", "image"].includes(request.destination),
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: STATIC_CACHE,
    plugins: [onlyComplete],
    matchOptions: { ignoreSearch: true, ignoreVary: true }, // the icon font is asked with a version query
  }),
);

// Background Sync: the browser wakes the worker when the connection returns, even with the page closed.
self.addEventListener("sync", (event) => {
  if (event.tag !== OrientaField.SYNC_TAG) return;
  event.waitUntil(
    OrientaField.sync().finally(async () => {
      // The open field screens redraw and show the notices of the answers (a newer version kept).
      for (const client of await self.clients.matchAll({ type: "window" })) {
        client.postMessage({ type: "orienta-field-synced" });
      }
    }),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "orienta-field-clear") {
    event.waitUntil(
      (async () => {
        for (const name of await caches.keys()) {
          if (name.startsWith("orienta-field")) await caches.delete(name);
        }
      })(),
    );
  }
});
