/* Orienta's field screens: what the device keeps (Dexie over IndexedDB) and the queue's sync.
 *
 * Runs in the page and in the service worker (Background Sync), so it touches no DOM. Tables:
 *   meta      key/value: user, csrf token, when the data was fetched, its lifetime, last sync
 *   groups, people, sessions, marks   the user's offline data (field/selectors.py), replaced
 *             wholesale on each download and deleted when it expires or on sign-out
 *   queue     every save made on the device, keyed by a UUID made here: "waiting" until the
 *             server accepts it, "attention" (with the server's reason) when it refuses it
 */
(function (global) {
  "use strict";

  const DB_NAME = "orienta-field";
  const SYNC_TAG = "orienta-field-sync";
  const CHUNK = 200; // the server takes up to 200 at a time (field/actions.py MAX_BATCH): one round trip for 200
  const config = { syncUrl: "/field/sync/", dataUrl: "/field/data/" };

  const db = new Dexie(DB_NAME);
  db.version(1).stores({
    meta: "key",
    groups: "id",
    people: "id",
    sessions: "id, group, date",
    marks: "[session+person], session",
    queue: "key, status, user, createdAt",
  });

  function configure(options) {
    Object.assign(config, options || {});
  }

  function uuid() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    const bytes = global.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async function getMeta(key, fallback = null) {
    const row = await db.meta.get(key);
    return row ? row.value : fallback;
  }

  function setMeta(key, value) {
    return db.meta.put({ key, value });
  }

  const DATA_TABLES = () => [db.groups, db.people, db.sessions, db.marks];

  async function clearData() {
    await db.transaction("rw", DATA_TABLES(), async () => {
      for (const table of DATA_TABLES()) await table.clear();
    });
    await db.meta.bulkDelete(["fetchedAt", "expiresInDays", "outreachSites"]);
  }

  /** Whether the kept data is older than its lifetime; expired data is deleted here. */
  async function expireIfOld(now = Date.now()) {
    const fetchedAt = await getMeta("fetchedAt");
    const days = await getMeta("expiresInDays", 7);
    if (fetchedAt && now - Date.parse(fetchedAt) > days * 86400000) {
      await clearData();
      return true;
    }
    return false;
  }

  class SignedOut extends Error {}

  /** Signed in, but no longer allowed to keep the field lists (the role was removed). */
  class NotAllowed extends Error {}

  /** Download what this user may keep, replacing what the device held (the queue is kept). */
  async function refresh() {
    if (config.mayRecord === false) {
      // The page already knows the role is gone: no download to be refused, the lists go.
      await clearData();
      throw new NotAllowed();
    }
    const response = await fetch(config.dataUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (response.redirected || response.status === 401) throw new SignedOut();
    if (response.status === 403) {
      // Still signed in, no longer allowed: the lists go, the queue stays (its refusals included).
      await clearData();
      throw new NotAllowed();
    }
    if (!response.ok) throw new Error(`data ${response.status}`);
    const data = await response.json();
    const previous = await getMeta("user");
    const localSessions = (await db.sessions.toArray()).filter((s) => s.local);
    await db.transaction("rw", [db.meta, ...DATA_TABLES()], async () => {
      for (const table of DATA_TABLES()) await table.clear();
      await db.groups.bulkPut(data.groups);
      await db.people.bulkPut(data.people);
      await db.sessions.bulkPut(data.sessions);
      await db.marks.bulkPut(data.marks);
      // Sessions opened on the device that the server does not know yet stay until sent.
      for (const local of localSessions) {
        const known = data.sessions.find(
          (s) => s.group === local.group && s.date === local.date && s.activity === local.activity,
        );
        if (!known) await db.sessions.put(local);
      }
      await setMeta("user", data.user);
      await setMeta("csrf", data.csrf_token);
      await setMeta("fetchedAt", data.generated_at);
      await setMeta("today", data.today);
      await setMeta("expiresInDays", data.expires_in_days);
      await setMeta("outreachSites", data.outreach_sites || []);
    });
    if (previous !== null && previous !== data.user) await setMeta("lastSync", null);
    return data;
  }

  /** Put a save in the queue; ``payload`` is what the server gets (its key is added here). */
  async function enqueue(kind, payload, label) {
    const user = await getMeta("user");
    const key = uuid();
    const item = {
      key,
      kind,
      user,
      status: "waiting",
      createdAt: new Date().toISOString(),
      label,
      payload: { ...payload, key, kind, made_at: new Date().toISOString() },
    };
    await db.queue.add(item);
    return item;
  }

  /** Drop the waiting items of a kind that ``matches`` (a newer save replaces them whole). */
  async function dropWaiting(kind, matches) {
    for (const item of await queueFor("waiting")) {
      if (item.kind === kind && matches(item.payload)) await db.queue.delete(item.key);
    }
  }

  async function queueFor(status) {
    const user = await getMeta("user");
    return (await db.queue.where("status").equals(status).sortBy("createdAt")).filter((i) => i.user === user);
  }

  async function post(chunk, token) {
    return fetch(config.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token || "" },
      body: JSON.stringify({ submissions: chunk.map((i) => i.payload) }),
    });
  }

  /** Apply the server's answers; returns the notices it gave (a mark kept as someone else's, a
   * newer version kept), also kept in ``meta.notices`` until the page shows them: the worker's
   * Background Sync may be the one that received them. */
  async function apply(answers) {
    const notices = [];
    await db.transaction("rw", [db.queue, db.marks, db.sessions, db.people, db.meta], async () => {
      for (const answer of answers) {
        if (!answer.key) continue;
        const item = await db.queue.get(answer.key);
        if (!item) continue;
        if (answer.status === "accepted" || answer.status === "duplicate") {
          await db.queue.delete(answer.key);
          const record = answer.record || {};
          if (record.notice) notices.push(`${item.label}: ${record.notice}`);
          if (record.session && record.person !== undefined && record.present !== undefined) {
            await db.marks.put({ session: record.session, person: record.person, present: record.present });
          }
          // The server's version of a head count or a profile (the newer one after a conflict).
          if (record.session && record.counts && record.version) {
            await db.sessions.update(record.session, { head_count: record.counts, head_count_version: record.version });
          }
          if (item.kind === "profile" && record.person && record.given_names) {
            await db.people.update(record.person, {
              given_names: record.given_names,
              family_names: record.family_names,
              age: record.age,
              updated: record.updated,
            });
          }
        } else {
          await db.queue.update(answer.key, { status: "attention", reason: answer.reason || "" });
        }
      }
      if (notices.length) await setMeta("notices", (await getMeta("notices", [])).concat(notices));
    });
    return notices;
  }

  /** The notices received since the page last showed them (and forget them). */
  async function takeNotices() {
    const notices = await getMeta("notices", []);
    if (notices.length) await setMeta("notices", []);
    return notices;
  }

  async function sendWaiting() {
    // A user who may no longer record downloads nothing: the page's own token sends the queue.
    let token = config.mayRecord === false ? config.csrfToken : await getMeta("csrf");
    let sent = 0;
    const notices = [];
    for (;;) {
      const waiting = await queueFor("waiting");
      if (!waiting.length) break;
      const chunk = waiting.slice(0, CHUNK);
      let response = await post(chunk, token);
      if (response.status === 403 && !response.redirected) {
        // A CSRF token from an earlier session: fetch a fresh one, try once more.
        await refresh();
        token = await getMeta("csrf");
        response = await post(chunk, token);
      }
      if (response.redirected || response.status === 401 || response.status === 403) throw new SignedOut();
      if (!response.ok) throw new Error(`sync ${response.status}`);
      const body = await response.json();
      notices.push(...(await apply(body.results || [])));
      sent += chunk.length;
    }
    return { sent, notices };
  }

  let running = null;

  /** Send what waits, then download fresh lists. One sync at a time in this context, and with
   * Web Locks one across the tabs and the worker; the server's keys make a second one harmless. */
  function sync() {
    if (running) return running;
    const work = async () => {
      const result = await sendWaiting();
      await setMeta("lastSync", new Date().toISOString());
      await refresh();
      return result;
    };
    const locked =
      global.navigator && global.navigator.locks
        ? global.navigator.locks.request("orienta-field-sync", work)
        : work();
    running = locked.finally(() => {
      running = null;
    });
    return running;
  }

  /** Everything of the field screens on this device: data, queue, caches, the service worker. */
  async function wipe() {
    db.close();
    await Dexie.delete(DB_NAME);
    if (global.caches) {
      for (const name of await global.caches.keys()) {
        if (name.startsWith("orienta-field")) await global.caches.delete(name);
      }
    }
  }

  global.OrientaField = {
    DB_NAME,
    SYNC_TAG,
    SignedOut,
    NotAllowed,
    db,
    configure,
    uuid,
    getMeta,
    setMeta,
    clearData,
    expireIfOld,
    refresh,
    enqueue,
    dropWaiting,
    takeNotices,
    queueFor,
    sync,
    wipe,
  };
})(typeof self !== "undefined" ? self : window);
