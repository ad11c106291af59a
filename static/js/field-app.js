/* Orienta's field screens: the page. Renders the groups, sessions and attendance lists from what
 * the device keeps (field-store.js), puts every tap in the queue and sends it when it can: on
 * opening, when the connection returns, after each save, on "Sync now", and through Background
 * Sync in the service worker where the browser has it. */
(function () {
  "use strict";

  const root = document.getElementById("field-app");
  if (!root || !window.OrientaField) return;
  const F = window.OrientaField;
  const S = JSON.parse(document.getElementById("field-strings").textContent);
  const ACTIVITIES = JSON.parse(document.getElementById("field-activities").textContent);
  const CELLS = JSON.parse(document.getElementById("field-head-count-cells").textContent);
  const CHOICES = JSON.parse(document.getElementById("field-profile-choices").textContent);
  const language = root.dataset.language || "es";
  F.configure({
    syncUrl: root.dataset.syncUrl,
    dataUrl: root.dataset.dataUrl,
    mayRecord: root.dataset.mayRecord === "true",
    csrfToken: root.dataset.csrfToken || "",
  });

  const $ = (name) => root.querySelector(`[data-field="${name}"]`);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k] ?? ""));
  const when = (iso) =>
    iso ? new Date(iso).toLocaleString(language, { dateStyle: "short", timeStyle: "short" }) : "";
  const day = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString(language, { weekday: "long", day: "numeric", month: "short" });
  const todayIso = () => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  let message = "";
  let notice = ""; // the server's notices (a newer version kept): they stay until the screen changes

  // --- The status bar -------------------------------------------------------------------------

  async function renderStatus() {
    const online = navigator.onLine;
    const badge = $("connection");
    badge.textContent = online ? S.online : S.offline;
    badge.className = `badge ${online ? "text-bg-success" : "text-bg-secondary"}`;
    badge.dataset.state = online ? "online" : "offline";
    const waiting = await F.queueFor("waiting");
    $("waiting").textContent = fmt(S.waiting, { count: waiting.length });
    $("waiting").dataset.count = String(waiting.length);
    const last = await F.getMeta("lastSync");
    $("last-sync").textContent = last ? fmt(S.last_sync, { when: when(last) }) : S.never_synced;
    $("message").textContent = [notice, message].filter(Boolean).join(" ");
    await renderAttention();
  }

  async function renderAttention() {
    const items = await F.queueFor("attention");
    const box = $("attention");
    box.hidden = items.length === 0;
    const list = $("attention-list");
    list.replaceChildren(
      ...items.map((item) =>
        el(
          "li",
          { class: "list-group-item d-flex gap-2 align-items-start", "data-testid": "attention-item" },
          el(
            "div",
            { class: "flex-grow-1" },
            el("div", { class: "fw-semibold", text: item.label }),
            el("div", { class: "small text-danger-emphasis", "data-testid": "attention-reason", text: item.reason }),
          ),
          el("button", {
            type: "button",
            class: "btn btn-sm btn-outline-secondary",
            text: S.discard,
            onclick: async () => {
              await F.db.queue.delete(item.key);
              await refreshScreen();
            },
          }),
        ),
      ),
    );
  }

  // --- Syncing --------------------------------------------------------------------------------

  let syncTimer = null;

  async function syncNow() {
    if (!navigator.onLine) {
      await renderStatus();
      return;
    }
    message = S.syncing;
    $("message").dataset.state = "syncing";
    await renderStatus();
    try {
      await F.sync();
      // The notices of this sync's answers; those the worker's sync received may be shown already.
      const notices = await F.takeNotices();
      if (notices.length) notice = notices.join(" ");
      message = "";
    } catch (error) {
      if (error instanceof F.NotAllowed) message = S.not_allowed;
      else message = error instanceof F.SignedOut ? S.sign_in_again : S.sync_failed;
    }
    $("message").dataset.state = "done";
    await refreshScreen();
  }

  function syncSoon() {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(syncNow, 800);
    if (navigator.serviceWorker && navigator.serviceWorker.ready && "SyncManager" in window) {
      navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register(F.SYNC_TAG)).catch(() => {});
    }
  }

  // --- Views ----------------------------------------------------------------------------------

  async function sessionsOf(groupId) {
    return (await F.db.sessions.where("group").equals(groupId).toArray()).sort((a, b) =>
      a.date === b.date ? String(a.id).localeCompare(String(b.id)) : a.date.localeCompare(b.date),
    );
  }

  async function renderHome(view) {
    const fetchedAt = await F.getMeta("fetchedAt");
    if (!fetchedAt) {
      view.replaceChildren(el("div", { class: "alert alert-info", "data-testid": "field-no-data", text: S.no_data }));
      return;
    }
    const groups = await F.db.groups.toArray();
    const parts = [el("p", { class: "small text-muted", text: fmt(S.data_from, { when: when(fetchedAt) }) })];
    if ((await F.getMeta("outreachSites", [])).length) {
      parts.push(
        el(
          "p",
          {},
          el("a", { href: "#outreach", class: "btn btn-outline-primary", "data-testid": "field-outreach-link" },
            el("i", { class: "bi bi-person-plus", "aria-hidden": "true" }), ` ${S.outreach}`),
        ),
      );
    }
    parts.push(el("h2", { class: "h5", text: S.groups }));
    if (!groups.length) parts.push(el("div", { class: "alert alert-light border", text: S.no_groups }));
    for (const group of groups) {
      const sessions = await sessionsOf(group.id);
      const today = todayIso();
      const todays = sessions.filter((s) => s.date === today);
      const select = el(
        "select",
        { class: "form-select form-select-sm", "aria-label": S.activity, "data-testid": "field-activity" },
        ACTIVITIES.map((a) => el("option", { value: a.value, text: a.label })),
      );
      const start = el(
        "form",
        {
          class: "d-flex gap-2 mt-2",
          onsubmit: async (event) => {
            event.preventDefault();
            const activity = select.value;
            const existing = todays.find((s) => s.activity === activity);
            if (existing) return go(`session/${existing.id}`);
            const id = `local:${group.id}:${today}:${activity}`;
            const label = ACTIVITIES.find((a) => a.value === activity)?.label || activity;
            await F.db.sessions.put({ id, group: group.id, date: today, activity, activity_label: label, topic: "", local: true });
            go(`session/${id}`);
          },
        },
        select,
        el("button", { type: "submit", class: "btn btn-sm btn-primary text-nowrap", "data-testid": "field-take-today", text: S.take_attendance_today }),
      );
      parts.push(
        el(
          "section",
          { class: "card mb-3", "data-testid": "field-group" },
          el(
            "div",
            { class: "card-body" },
            el("h3", { class: "h6 mb-1", text: group.name }),
            el("p", { class: "small text-muted mb-2", text: `${group.site} · ${group.program} · ${fmt(S.participants, { count: group.participants.length })}` }),
            sessions.length
              ? el(
                  "ul",
                  { class: "list-group list-group-flush mb-1", "aria-label": S.sessions },
                  sessions.map((s) =>
                    el(
                      "li",
                      { class: "list-group-item px-0 py-1" },
                      el("a", { href: `#session/${s.id}`, "data-testid": "field-session-link", text: `${day(s.date)} · ${s.activity_label}${s.topic ? ` · ${s.topic}` : ""}` }),
                    ),
                  ),
                )
              : el("p", { class: "small text-muted mb-1", text: S.no_sessions }),
            start,
          ),
        ),
      );
    }
    view.replaceChildren(...parts);
  }

  /** The state of each mark: the server's, overlaid with what waits or needs attention here. */
  async function marksOf(session) {
    const state = new Map();
    for (const mark of await F.db.marks.where("session").equals(session.id).toArray()) {
      state.set(mark.person, { present: mark.present, state: "saved" });
    }
    for (const status of ["attention", "waiting"]) {
      for (const item of await F.queueFor(status)) {
        const p = item.payload;
        if (item.kind !== "attendance" || sessionRef(p) !== sessionKey(session)) continue;
        state.set(p.person, { present: p.present, state: status });
      }
    }
    return state;
  }

  const sessionKey = (s) => (s.local ? `g${s.group}:${s.date}:${s.activity}` : `s${s.id}`);
  const sessionRef = (p) => (p.session ? `s${p.session}` : `g${p.group}:${p.date}:${p.activity}`);
  const sessionPayload = (s) => (s.local ? { group: s.group, date: s.date, activity: s.activity } : { session: s.id });

  async function findSession(id) {
    let session = await F.db.sessions.get(/^\d+$/.test(id) ? Number(id) : id);
    if (!session && id.startsWith("local:")) {
      const [, group, date, activity] = id.split(":");
      session = (await F.db.sessions.where("group").equals(Number(group)).toArray()).find(
        (s) => s.date === date && s.activity === activity,
      );
    }
    return session;
  }

  async function mark(session, person, present) {
    const name = `${person.given_names} ${person.family_names}`;
    await F.enqueue(
      "attendance",
      { ...sessionPayload(session), person: person.id, present },
      fmt(S.attendance_label, { name, mark: present ? S.present : S.absent }),
    );
    syncSoon();
  }

  async function renderSession(view, id) {
    const session = await findSession(id);
    if (!session) return go("");
    const group = await F.db.groups.get(session.group);
    if (!group) return go("");
    const people = (await F.db.people.bulkGet(group.participants)).filter(Boolean);
    const marks = await marksOf(session);
    const corrections = new Set();
    for (const item of await F.queueFor("waiting")) if (item.kind === "profile") corrections.add(item.payload.person);
    const future = session.date > todayIso();
    let present = 0;
    let absent = 0;
    for (const p of people) {
      const m = marks.get(p.id);
      if (m && m.present) present += 1;
      else if (m) absent += 1;
    }
    const rows = people.map((person) => {
      const m = marks.get(person.id);
      const button = (value, label, tone) =>
        el("button", {
          type: "button",
          class: `btn btn-sm ${m && m.present === value ? `btn-${tone}` : `btn-outline-${tone}`}`,
          "aria-pressed": m && m.present === value ? "true" : "false",
          "data-testid": value ? "field-present" : "field-absent",
          disabled: future,
          text: label,
          onclick: async () => {
            await mark(session, person, value);
            await refreshScreen();
          },
        });
      return el(
        "li",
        { class: "list-group-item", "data-testid": "field-row", "data-person": person.id, "data-state": m ? m.state : "none" },
        el(
          "div",
          { class: "d-flex align-items-center gap-2" },
          el(
            "div",
            { class: "flex-grow-1" },
            el("div", { class: "fw-semibold", "data-testid": "field-name", text: `${person.given_names} ${person.family_names}` }),
            el(
              "div",
              { class: "small text-muted" },
              person.age !== null ? fmt(S.age, { age: person.age }) : "",
              m ? ` · ${S[`state_${m.state}`]}` : "",
              corrections.has(person.id) ? ` · ${S.correction_waiting}` : "",
            ),
          ),
          el("div", { class: "btn-group", role: "group" }, button(true, S.present, "success"), button(false, S.absent, "secondary")),
        ),
        person.light ? correctionForm(person) : null,
      );
    });
    const pending = people.filter((p) => !marks.has(p.id));
    const parts = [
      el("a", { href: "#", class: "small", text: `← ${S.back}` }),
      el("h2", { class: "h5 mt-2 mb-0", text: `${session.activity_label} · ${day(session.date)}` }),
      el("p", { class: "small text-muted", text: `${group.name} · ${group.site}` }),
      future ? el("div", { class: "alert alert-warning", text: S.future_session }) : null,
      el("p", { class: "fw-semibold", "data-testid": "field-tally", text: fmt(S.tally, { present, absent, pending: people.length - present - absent }) }),
      !future && pending.length
        ? el("button", {
            type: "button",
            class: "btn btn-success w-100 mb-2",
            "data-testid": "field-all-present",
            text: S.all_present,
            onclick: async () => {
              for (const person of pending) {
                await F.enqueue(
                  "attendance",
                  { ...sessionPayload(session), person: person.id, present: true },
                  fmt(S.attendance_label, { name: `${person.given_names} ${person.family_names}`, mark: S.present }),
                );
              }
              syncSoon();
              await refreshScreen();
            },
          })
        : null,
      el("ul", { class: "list-group mb-3", "data-testid": "field-attendance" }, rows),
    ];
    if (session.activity === "community_activity" && !future) {
      const ref = sessionKey(session);
      const pending = (await F.queueFor("waiting")).filter((i) => i.kind === "head_count" && sessionRef(i.payload) === ref);
      parts.push(headCountForm(session, group, pending.length ? pending[pending.length - 1].payload.counts : null));
    }
    if (!future) parts.push(await newcomers(session), profileForm(session));
    view.replaceChildren(...parts.filter(Boolean));
  }

  /** A light profile's names (and birth date) corrected here; sent with the version kept. */
  function correctionForm(person) {
    const given = input({ type: "text", maxlength: "120", required: true, autocomplete: "off", value: person.given_names });
    const family = input({ type: "text", maxlength: "120", required: true, autocomplete: "off", value: person.family_names });
    const born = input({ type: "date", max: todayIso() });
    const labelled = (text, control) => el("label", { class: "form-label small w-100" }, text, control);
    const form = el(
      "form",
      {
        class: "mt-2",
        "data-testid": "field-correction",
        onsubmit: async (event) => {
          event.preventDefault();
          if (!form.reportValidity()) return;
          const payload = {
            person: person.id,
            given_names: given.value.trim(),
            family_names: family.value.trim(),
            birth_date: born.value || "",
            base: person.updated || "",
          };
          await F.enqueue("profile", payload, fmt(S.correction_label, { name: `${payload.given_names} ${payload.family_names}` }));
          message = S.correction_saved;
          syncSoon();
          await refreshScreen();
        },
      },
      labelled(S.given_names, given),
      labelled(S.family_names, family),
      labelled(S.birth_date, born),
      el("div", { class: "form-text mb-1", text: S.correction_birth_help }),
      el("button", { type: "submit", class: "btn btn-sm btn-primary", "data-testid": "field-correction-save", text: S.correction_save }),
    );
    return el("details", { class: "mt-1" }, el("summary", { class: "small", text: S.correct }), form);
  }

  /** The anonymous head count: the one waiting to be sent if any, else the one the server had. */
  function headCountForm(session, group, waitingCounts) {
    const inputs = [];
    const table = el(
      "table",
      { class: "table table-sm align-middle mb-2" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }), CELLS.sexes.map((s) => el("th", { scope: "col", text: s.label })))),
      el(
        "tbody",
        {},
        CELLS.bands.map((band) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", text: band.label }),
            CELLS.sexes.map((sex) => {
              const cell = `${sex.value}:${band.value}`;
            const kept = (waitingCounts || session.head_count || {})[cell];
            const input = el("input", {
              type: "number",
              min: "0",
              inputmode: "numeric",
              class: "form-control form-control-sm",
              "aria-label": `${sex.label} ${band.label}`,
              "data-cell": cell,
              value: kept ? String(kept) : null,
            });
              inputs.push(input);
              return el("td", {}, input);
            }),
          ),
        ),
      ),
    );
    return el(
      "form",
      {
        class: "card card-body mb-3",
        "data-testid": "field-head-count",
        onsubmit: async (event) => {
          event.preventDefault();
          // The whole count, zeros included (a cell emptied here is emptied on the server), with the
          // version this device kept: the server keeps a newer count made meanwhile (docs/field.md).
          const counts = {};
          let total = 0;
          for (const input of inputs) {
            const n = Number.parseInt(input.value || "0", 10);
            counts[input.dataset.cell] = Number.isFinite(n) && n > 0 ? n : 0;
            total += counts[input.dataset.cell];
          }
          const ref = sessionKey(session);
          await F.dropWaiting("head_count", (p) => sessionRef(p) === ref);
          const base = session.head_count_version ? { base: session.head_count_version } : {};
          await F.enqueue(
            "head_count",
            { ...sessionPayload(session), counts, ...base },
            fmt(S.head_count_label, { session: `${group.name} ${session.date}`, total }),
          );
          message = S.head_count_saved;
          syncSoon();
          await refreshScreen();
        },
      },
      el("h3", { class: "h6", text: S.head_count }),
      table,
      el("button", { type: "submit", class: "btn btn-primary", text: S.save_head_count }),
    );
  }

  /** The light profiles made here for this session that the server has not accepted yet. */
  async function newcomers(session) {
    const items = [];
    for (const status of ["waiting", "attention"]) {
      for (const item of await F.queueFor(status)) {
        if (item.kind === "light_profile" && sessionRef(item.payload) === sessionKey(session)) items.push(item);
      }
    }
    if (!items.length) return null;
    return el(
      "section",
      { class: "mb-3", "data-testid": "field-newcomers" },
      el("h3", { class: "h6", text: S.new_waiting }),
      el(
        "ul",
        { class: "list-group" },
        items.map((item) =>
          el("li", { class: "list-group-item", text: `${item.payload.given_names} ${item.payload.family_names} · ${S[`state_${item.status}`]}` }),
        ),
      ),
    );
  }

  function field(name, control, help, text) {
    const id = `field-lp-${name}`;
    control.id = id;
    control.name = name;
    const isCheck = control.type === "checkbox";
    const label = el("label", { for: id, class: isCheck ? "form-check-label" : "form-label", text: text || S[name] });
    const helpNode = help ? el("div", { class: "form-text", text: help }) : null;
    return isCheck
      ? el("div", { class: "form-check mb-2" }, control, label, helpNode)
      : el("div", { class: "mb-2" }, label, control, helpNode);
  }

  const input = (attrs) => el("input", { class: "form-control", ...attrs });
  const select = (name, required = true) =>
    el(
      "select",
      { class: "form-select", required },
      el("option", { value: "", text: "---------" }),
      CHOICES[name].map((c) => el("option", { value: c.value, text: c.label })),
    );
  const check = () => el("input", { type: "checkbox", class: "form-check-input" });

  function profileForm(session) {
    const form = el(
      "form",
      {
        class: "card card-body mb-3",
        "data-testid": "field-light-profile",
        onsubmit: async (event) => {
          event.preventDefault();
          if (!form.reportValidity()) return;
          const data = Object.fromEntries(new FormData(form).entries());
          const payload = {
            ...sessionPayload(session),
            given_names: data.given_names.trim(),
            family_names: data.family_names.trim(),
            sex: data.sex,
            birth_date: data.birth_date,
            birth_date_estimated: data.birth_date_estimated === "on",
            nationality: data.nationality,
            population_type: data.population_type,
            guardian_name: data.guardian_name || "",
            guardian_relationship: data.guardian_relationship || "",
            guardian_phone: data.guardian_phone || "",
            consent_method: data.consent_method,
            data_consent: data.data_consent === "on",
            image_consent: data.image_consent === "on",
          };
          await F.enqueue("light_profile", payload, fmt(S.light_profile_label, { name: `${payload.given_names} ${payload.family_names}` }));
          message = S.light_profile_saved;
          form.reset();
          syncSoon();
          await refreshScreen();
        },
      },
      el("h3", { class: "h6", text: S.light_profile }),
      field("given_names", input({ type: "text", maxlength: "120", required: true, autocomplete: "off" })),
      field("family_names", input({ type: "text", maxlength: "120", required: true, autocomplete: "off" })),
      field("sex", select("sex")),
      field("birth_date", input({ type: "date", required: true, max: todayIso() })),
      field("birth_date_estimated", check()),
      field("nationality", select("nationality")),
      field("population_type", select("population_type")),
      field("guardian_name", input({ type: "text", maxlength: "200", autocomplete: "off" })),
      field("guardian_relationship", input({ type: "text", maxlength: "60", autocomplete: "off" })),
      field("guardian_phone", input({ type: "tel", inputmode: "tel", maxlength: "20", autocomplete: "off" })),
      field("consent_method", select("consent_method")),
      field("data_consent", check(), S.data_consent_help),
      field("image_consent", check()),
      el("button", { type: "submit", class: "btn btn-primary", "data-testid": "field-light-profile-save", text: S.light_profile }),
    );
    return form;
  }

  async function renderOutreach(view) {
    const sites = await F.getMeta("outreachSites", []);
    if (!sites.length) return go("");
    const siteSelect = el(
      "select",
      { class: "form-select", required: true },
      sites.map((site) => el("option", { value: String(site.id), text: site.name })),
    );
    const waitingOnes = [];
    for (const status of ["waiting", "attention"]) {
      for (const item of await F.queueFor(status)) if (item.kind === "outreach") waitingOnes.push(item);
    }
    const form = el(
      "form",
      {
        class: "card card-body mb-3",
        "data-testid": "field-outreach",
        onsubmit: async (event) => {
          event.preventDefault();
          if (!form.reportValidity()) return;
          const data = Object.fromEntries(new FormData(form).entries());
          const payload = {
            site: Number(data.site),
            given_names: data.given_names.trim(),
            family_names: data.family_names.trim(),
            sex: data.sex,
            birth_date: data.birth_date || "",
            nationality: data.nationality,
            population_type: data.population_type,
            phone: data.phone || "",
            consent_method: data.consent_method,
            data_consent: data.data_consent === "on",
          };
          await F.enqueue("outreach", payload, fmt(S.outreach_label, { name: `${payload.given_names} ${payload.family_names}` }));
          message = S.outreach_saved;
          form.reset();
          syncSoon();
          await refreshScreen();
        },
      },
      el("h2", { class: "h5", text: S.outreach }),
      el("p", { class: "small text-muted", text: S.outreach_help }),
      field("site", siteSelect),
      field("given_names", input({ type: "text", maxlength: "120", required: true, autocomplete: "off" })),
      field("family_names", input({ type: "text", maxlength: "120", required: true, autocomplete: "off" })),
      field("sex", select("sex")),
      field("birth_date", input({ type: "date", max: todayIso() })),
      field("nationality", select("nationality")),
      field("population_type", select("population_type")),
      field("phone", input({ type: "tel", inputmode: "tel", maxlength: "20", autocomplete: "off" })),
      field("consent_method", select("consent_method")),
      field("data_consent", check(), S.outreach_consent_help, S.outreach_data_consent),
      el("button", { type: "submit", class: "btn btn-primary", "data-testid": "field-outreach-save", text: S.outreach_save }),
    );
    view.replaceChildren(
      ...[el("a", { href: "#", class: "small", text: `← ${S.back}` }), form,
      waitingOnes.length
        ? el(
            "ul",
            { class: "list-group", "data-testid": "field-outreach-waiting" },
            waitingOnes.map((item) => el("li", { class: "list-group-item", text: `${item.label} · ${S[`state_${item.status}`]}` })),
          )
        : null].filter(Boolean),
    );
  }

  // --- Routing --------------------------------------------------------------------------------

  function go(hash) {
    if (location.hash.slice(1) === hash) refreshScreen();
    else location.hash = hash;
  }

  let rendering = Promise.resolve();

  function refreshScreen() {
    rendering = rendering.then(async () => {
      const view = $("view");
      const route = location.hash.slice(1);
      if (route.startsWith("session/")) await renderSession(view, decodeURIComponent(route.slice(8)));
      else if (route === "outreach") await renderOutreach(view);
      else await renderHome(view);
      await renderStatus();
      root.dataset.ready = "true";
    });
    return rendering;
  }

  async function start() {
    try {
      window.localStorage.setItem("orienta-field-kept", "1"); // sign-out then wipes (field-signout.js)
    } catch (_error) {
      // storage unavailable: sign-out wipes anyway when it cannot tell
    }
    const owner = Number(root.dataset.user);
    const kept = await F.getMeta("user");
    if (kept !== owner) {
      if (kept !== null) await F.clearData(); // another user's lists never show here
      await F.setMeta("user", owner);
    }
    if (await F.expireIfOld()) message = fmt(S.expired, { days: await F.getMeta("expiresInDays", 7) });
    await refreshScreen();
    root.querySelector('[data-action="sync"]').addEventListener("click", syncNow);
    window.addEventListener("hashchange", () => {
      notice = "";
      refreshScreen();
    });
    window.addEventListener("online", syncNow);
    window.addEventListener("offline", renderStatus);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") refreshScreen();
    });
    setInterval(() => navigator.onLine && syncNow(), 60000);
    if (navigator.serviceWorker) {
      // The worker synced (Background Sync): show what it was told.
      navigator.serviceWorker.addEventListener("message", async () => {
        const notices = await F.takeNotices();
        if (notices.length) notice = notices.join(" ");
        await refreshScreen();
      });
      // No service worker for a user who may no longer record: its script would be refused.
      if (root.dataset.swUrl && window.workbox && window.workbox.Workbox) {
        new window.workbox.Workbox(root.dataset.swUrl, { scope: root.dataset.scope }).register().catch(() => {});
      }
    }
    if (navigator.onLine) await syncNow();
  }

  start();
})();
