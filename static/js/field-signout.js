/* Signing out deletes what the field screens kept on this device: the offline lists, the queue,
 * the cached shell and the service worker. It asks first when saves have not reached the server. */
(function () {
  "use strict";

  const DB_NAME = "orienta-field";

  function waitingCount() {
    return new Promise((resolve) => {
      if (!window.indexedDB || !indexedDB.databases) return resolve(0);
      indexedDB.databases().then((list) => {
        if (!list.some((d) => d.name === DB_NAME)) return resolve(0);
        const open = indexedDB.open(DB_NAME);
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          try {
            const request = db.transaction("queue").objectStore("queue").index("status").count("waiting");
            request.onsuccess = () => {
              db.close();
              resolve(request.result);
            };
            request.onerror = () => {
              db.close();
              resolve(0);
            };
          } catch (_error) {
            db.close();
            resolve(0);
          }
        };
      }, () => resolve(0));
    });
  }

  function deleteDatabase() {
    return new Promise((resolve) => {
      if (!window.indexedDB) return resolve();
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = () => resolve();
      // Blocked by a connection still open (the service worker's): it closes on this request, so
      // wait for the deletion, a little.
      request.onblocked = () => setTimeout(resolve, 2000);
    });
  }

  async function wipe() {
    await deleteDatabase();
    try {
      window.localStorage.removeItem(FLAG);
    } catch (_error) {
      // storage unavailable: nothing to remove
    }
    if (window.caches) {
      for (const name of await caches.keys()) if (name.startsWith("orienta-field")) await caches.delete(name);
    }
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        if (new URL(registration.scope).pathname.startsWith("/field/")) await registration.unregister();
      }
    }
  }

  // Set by the field screens when they keep something (no data in it): a user who never opened
  // them signs out at once, without waiting for the browser's storage.
  const FLAG = "orienta-field-kept";

  function kept() {
    try {
      return window.localStorage.getItem(FLAG) === "1";
    } catch (_error) {
      return true;
    }
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[data-sign-out]") || form.dataset.wiped || !kept()) return;
    event.preventDefault();
    const count = await waitingCount();
    if (count && !window.confirm((form.dataset.fieldConfirm || "%(count)s").replace("%(count)s", count))) return;
    try {
      await wipe();
    } finally {
      form.dataset.wiped = "1";
      form.submit();
    }
  });
})();
