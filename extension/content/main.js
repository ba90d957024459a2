// @ts-check
// Content script entry: follows the host app's single-page navigation, reads the open record, asks the service
// worker for its GHL side, and shows it in the panel. No GHL calls and no tokens here; the core decides what the
// values read from the page mean (src/host/reading.rs).
'use strict';

(() => {
  const { words, hostProfiles, collectEvidence, collectPeople, evidenceKey, describePlace, pageOutline, mountPanel, fillHostForm, decorateNotes, decorateContactForms } = globalThis.ghlBridge;
  // The profile of this page's host app (the manifest injects only the profiles of the hosts it matched).
  const profile = Object.values(hostProfiles ?? {}).find((candidate) => candidate.hostnames.some((name) =>
    name.startsWith('*.') ? location.hostname.endsWith(name.slice(1)) : location.hostname === name));
  if (!profile) return;
  // Read now: once the extension is updated under this page, this script can no longer ask for its words.
  const EXTENSION_RELOADED = words('pageReloadThisPageToUseThe');
  // What was read must hold still this long before it is used: the app renders in steps.
  const SETTLE_MS = 300;
  // After a route change the app may show the previous record's details under the new URL for a moment: the
  // same details as before are taken only once they have stayed this long.
  const SAME_AS_BEFORE_MS = 2500;
  // Details that hold still this long and still name no email or phone are reported (a later change is read).
  const GIVE_UP_SETTLED_MS = 2000;
  // DOM changes are looked at in batches (an idle page costs nothing; a busy one at most twice a second).
  const OBSERVE_EVERY_MS = 500;

  let current = null; // { recordId, record, panel, key, notes }
  let previousKey = null; // what the record before this one showed
  let generation = 0;
  let overrides = null; // the host app's reading overrides, from the core

  let switchedOff = false; // the agent switched this host app off in Options
  let chosenContact = null; // the GHL contact the agent chose on a client page, offered first by "Fill from GHL"

  function recordIdFromUrl() {
    return profile.recordId ? profile.recordId(location) : profile.recordRoute.exec(location.pathname)?.[1] ?? null;
  }

  /** Notices route changes, re-attaches the panel, decorates notes and re-reads a record whose details changed. */
  function check() {
    if (switchedOff) return;
    if (profile.editForm?.named) decorateContactForms(document, profile, { ask, fill: (fills) => fillHostForm(document, profile, fills), chosen: () => chosenContact, record: () => current?.page ?? null });
    const recordId = recordIdFromUrl();
    // Hosts whose URLs do not say what a record is: the page's content does (no panel until it does).
    const kind = recordId ? profile.kind ?? profile.kindOf(document) : null;
    const pageKey = recordId && kind ? `${kind}:${recordId}` : null;
    if (pageKey !== current?.pageKey) {
      previousKey = current?.key ?? previousKey;
      current?.panel.destroy();
      clearTimeout(current?.refreshTimer);
      current = null;
      if (recordId && kind) open(recordId, kind);
      return;
    }
    if (!current) return;
    current.panel.ensureAttached();
    if (current.list) {
      // The list changed under the panel (a contact was added or saved): load its states again.
      if (!current.person && current.listKey !== undefined && !current.loading && JSON.stringify(collectPeople(document, profile)) !== current.listKey) {
        loadList(current, { quiet: true });
      }
      return;
    }
    if (current.record) decorateNotes(document, profile, current.notes, (...args) => sendNote(current, ...args));
    // The app re-renders in place: when the record's details now read differently, read and load again.
    if (current.key !== null && !current.loading && overrides) {
      const { evidence } = collectEvidence(document, profile, overrides);
      if (evidence.length && evidenceKey(evidence) !== current.key) load(current);
    }
  }

  function open(recordId, kind) {
    const page = { app: profile.app, kind, host: location.hostname, recordId };
    const list = kind === profile.people?.listKind;
    current = { recordId, kind, pageKey: `${kind}:${recordId}`, page, list, panel: null, key: null, record: null, loading: false, notes: { known: null }, refreshTimer: null, person: null };
    const state = current;
    state.panel = mountPanel({
      onRetry: () => (state.list && !state.person ? loadList(state) : load(state)),
      refresh: () => refresh(state),
      // Every action names this record; the core only touches the GHL contact the record is linked to.
      act: (type, fields) => ask({ type, record: state.record, ...fields }),
      fillHostForm: (fills) => fillHostForm(document, profile, fills),
      pick: (field) => pickOnPage(state, field),
      outline: () => pageOutline(document, profile),
    });
    if (list) loadList(state);
    else load(state);
  }

  /** A page listing people: each person's GHL state; choosing one opens that person's view in the panel. */
  async function loadList(state, { quiet = false } = {}) {
    const myGeneration = ++generation;
    const stale = () => myGeneration !== generation || current !== state;
    state.person = null;
    state.record = null;
    keepFresh(state, null); // a list is loaded again when the page's list changes, not on a timer
    if (!quiet) state.panel.showLoading(words('pageReadingContacts', state.kind));
    // The list renders in steps: use it once it has held still.
    let last = '';
    let since = Date.now();
    let people = [];
    for (const started = Date.now(); Date.now() - started < profile.readTimeoutMs;) {
      people = collectPeople(document, profile);
      const key = JSON.stringify(people);
      if (key !== last) {
        last = key;
        since = Date.now();
      } else if (people.length && Date.now() - since >= SETTLE_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (stale()) {
        state.loading = false;
        return;
      }
    }
    state.listKey = last;
    const asked = people.map((person) => ({ app: profile.app, kind: profile.people.kind, host: location.hostname, recordId: person.recordId, evidence: person.evidence }));
    if (!quiet) state.panel.showLoading();
    performance.mark('ghl-bridge:request');
    const answer = await ask({ type: 'client.load', record: { ...state.page, evidence: [] }, people: asked });
    state.loading = false;
    if (stale()) return;
    if (!answer.ok) {
      if (!quiet) showProblem(state, answer.error);
      return;
    }
    performance.mark('ghl-bridge:data');
    state.listView = answer.data;
    state.panel.showPeople(answer.data, {
      open: (person) => {
        const row = asked.find((candidate) => candidate.recordId === person.recordId);
        if (!row) return;
        state.person = row;
        state.record = row;
        if (person.contact) chosenContact = person.contact;
        showPerson(state);
      },
      choose: (contact) => { chosenContact = contact; },
    });
  }

  /** One person of a list, in the panel, with the way back to the list. */
  async function showPerson(state) {
    const myGeneration = ++generation;
    state.panel.showLoading();
    const answer = await ask({ type: 'panel.load', record: state.record });
    if (myGeneration !== generation || current !== state) return;
    if (answer.ok) {
      state.panel.showView(answer.data, { back: { label: words('pageBackToContacts'), go: () => loadList(state) } });
      keepFresh(state, answer.data.refreshEverySecs);
    } else showProblem(state, answer.error);
  }

  function showProblem(state, error) {
    if (error.code === 'host_switched_off') {
      switchedOff = true;
      state.panel.destroy();
      return;
    }
    state.panel.showProblem(error);
  }

  /**
   * Live data: while the tab is visible, the view is loaded again every `seconds` the core names (and as soon as
   * the tab becomes visible again); a hidden tab asks nothing. An agent typing in the panel is never interrupted.
   */
  function keepFresh(state, seconds) {
    clearTimeout(state.refreshTimer);
    state.refreshEvery = seconds ?? null;
    if (!seconds) return;
    state.refreshTimer = setTimeout(() => {
      if (document.visibilityState !== 'visible') {
        state.refreshDue = true;
        return;
      }
      refresh(state);
    }, seconds * 1000);
  }

  async function refresh(state) {
    if (current !== state) return;
    state.refreshDue = false;
    if (state.panel.busy()) {
      keepFresh(state, state.refreshEvery);
      return;
    }
    if (state.list && !state.person) {
      await loadList(state, { quiet: true });
      return;
    }
    if (!state.record) return;
    const myGeneration = generation;
    const answer = await ask({ type: 'panel.load', record: state.record });
    if (myGeneration !== generation || current !== state || state.panel.busy()) {
      keepFresh(state, state.refreshEvery);
      return;
    }
    if (answer.ok) {
      state.panel.showView(answer.data, state.person ? { back: { label: words('pageBackToContacts'), go: () => loadList(state) } } : {});
      keepFresh(state, answer.data.refreshEverySecs);
    } else keepFresh(state, state.refreshEvery);
  }

  addEventListener('visibilitychange', (event) => {
    // Only the browser's own event: a page script must not make the panel ask GHL again and again.
    if (!event.isTrusted) return;
    if (document.visibilityState === 'visible' && current?.refreshEvery) {
      clearTimeout(current.refreshTimer);
      refresh(current);
    }
  });

  async function load(state) {
    const myGeneration = ++generation;
    const stale = () => myGeneration !== generation || current !== state;
    state.loading = true;
    state.panel.showLoading(words('pageReadingRecord', profile.noun));
    const identity = { app: profile.app, kind: state.kind, host: location.hostname, recordId: state.recordId };
    if (!overrides) {
      const answer = await ask({ type: 'reader.overrides', record: identity });
      if (!answer.ok && answer.error.code === 'host_switched_off') {
        showProblem(state, answer.error);
        return;
      }
      overrides = answer.ok ? answer.data.items : [];
    }

    const read = await waitForRecord(identity, stale);
    if (stale()) return;
    state.loading = false;
    state.key = read?.key ?? '';
    state.panel.showDiagnostics(state.recordId, read?.reading ?? null);
    if (!read?.reading?.usable) {
      state.record = null;
      state.panel.showProblem({
        code: 'record_unreadable',
        message: read?.reading?.problem ?? words('pageTheRecordSDetailsDidNot'),
        retryable: true,
      });
      return;
    }
    state.record = { ...identity, evidence: read.evidence };
    state.panel.showLoading();
    performance.mark('ghl-bridge:request');
    // The saved view (storage only, milliseconds) and fresh data (GHL) are asked for at once.
    let fresh = false;
    ask({ type: 'panel.cached', record: state.record }).then((cached) => {
      if (stale() || fresh || !cached.ok || !cached.data) return;
      state.panel.showView(cached.data, { cached: true });
      performance.mark('ghl-bridge:cached');
    });
    const answer = await ask({ type: 'panel.load', record: state.record });
    fresh = true;
    if (stale()) return;
    if (answer.ok) {
      state.panel.showView(answer.data);
      keepFresh(state, answer.data.refreshEverySecs);
    } else showProblem(state, answer.error);
    performance.mark('ghl-bridge:data');
  }

  /**
   * Waits until what the page shows about the record has settled and the core can match with it (an email or a
   * phone), or gives up after the profile's timeout with the last reading. Details identical to the previous
   * record's are taken only once they have stayed a while.
   */
  async function waitForRecord(identity, stale) {
    const started = Date.now();
    const deadline = started + profile.readTimeoutMs;
    /** @type {{ key: string, since: number, evidence: any[], reading: any } | null} */
    let last = null;
    for (;;) {
      const { evidence } = collectEvidence(document, profile, overrides ?? []);
      const key = evidenceKey(evidence);
      const now = Date.now();
      if (!last || last.key !== key) {
        last = { key, since: now, evidence, reading: null };
      } else if (evidence.length && now - last.since >= SETTLE_MS && !last.reading) {
        const answer = await ask({ type: 'record.read', record: { ...identity, evidence } });
        if (stale()) return null;
        last.reading = answer.ok ? answer.data : { usable: false, fields: [], setAside: [], problem: answer.error.message };
      }
      const sameAsBefore = key === previousKey && now - started < SAME_AS_BEFORE_MS;
      if (last.reading?.usable && !sameAsBefore) return last;
      if (stale()) return null;
      if (last.reading && now - last.since >= GIVE_UP_SETTLED_MS) return last;
      if (now > deadline) {
        // Nothing usable in time: the core still says what it made of the page (its problem, what can be pointed at).
        const answer = await ask({ type: 'record.read', record: { ...identity, evidence } });
        if (stale()) return null;
        return answer.ok ? { ...last, reading: answer.data } : null;
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /**
   * "This isn't right": the agent's next click on the page shows where `field` is. The core stores the place (its
   * label, or its path in the page), never the value; the record is then read again. Escape cancels.
   */
  function pickOnPage(state, field) {
    return new Promise((resolve) => {
      const finish = (outcome) => {
        removeEventListener('click', onClick, true);
        removeEventListener('keydown', onKey, true);
        resolve(outcome);
      };
      const onClick = async (event) => {
        if (!event.isTrusted) return; // a page script cannot point for the agent
        if (event.target instanceof Element && event.target.closest('[data-ghl-bridge]')) return; // our own panel
        const target = event.composedPath()[0];
        if (!(target instanceof Element)) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        const place = describePlace(target, document, profile);
        if (!place) {
          finish({ ok: false, message: words('pageThatPartOfThePageCannot') });
          return;
        }
        const answer = await ask({ type: 'reader.overrideAdd', record: { app: profile.app, kind: state.kind, host: location.hostname, recordId: state.recordId }, override: { field, ...place } });
        if (!answer.ok) {
          finish({ ok: false, message: answer.error.message });
          return;
        }
        overrides = answer.data.items;
        finish({ ok: true });
        if (current === state) load(state);
      };
      const onKey = (event) => {
        if (event.key === 'Escape' && event.isTrusted) finish({ ok: false, message: '' });
      };
      addEventListener('click', onClick, true);
      addEventListener('keydown', onKey, true);
    });
  }

  /** "Send to GHL" on a note of the host app; the panel then shows GHL's notes again. */
  async function sendNote(state, sourceId, body, automatic, { button, status }) {
    button.disabled = true;
    status.className = '';
    status.textContent = words('pageSendingToGHL');
    const answer = await ask({ type: 'note.send', record: state.record, sourceId, body, ...(automatic ? { automatic: true } : {}) });
    button.disabled = false;
    if (!answer.ok) {
      status.className = 'error';
      status.textContent = answer.error.message;
      return;
    }
    status.textContent = answer.data.outcome === 'skipped' ? '' : answer.data.message;
    if (answer.data.outcome === 'created' || answer.data.outcome === 'updated') {
      const fresh = await ask({ type: 'panel.load', record: state.record });
      if (fresh.ok && current === state) state.panel.showView(fresh.data);
    }
  }

  async function ask(message) {
    try {
      const answer = await chrome.runtime.sendMessage(message);
      if (answer && typeof answer.ok === 'boolean') return answer;
      return { ok: false, error: { code: 'internal', message: words('pageTheExtensionDidNotAnswerReload'), retryable: true } };
    } catch (error) {
      // After an extension update the old content script loses its connection.
      return {
        ok: false,
        error: { code: 'extension_reloaded', message: EXTENSION_RELOADED, retryable: false },
      };
    }
  }

  // Route changes and re-renders are observed, not polled: an idle page costs nothing.
  let scheduled = null;
  const schedule = () => {
    if (scheduled === null) scheduled = setTimeout(() => { scheduled = null; check(); }, OBSERVE_EVERY_MS);
  };
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  addEventListener('popstate', check);
  globalThis.navigation?.addEventListener?.('currententrychange', check);
  // Messages from our own worker and pages (no tab: a web page cannot send one): the keyboard command, relayed by
  // the worker, and the toolbar popup asking which record this page shows (to name its GHL contact).
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || sender.tab) return;
    if (message?.type === 'panel.toggle') current?.panel?.toggleByKeyboard();
    if (message?.type === 'panel.record') sendResponse(current?.record ?? current?.page ?? null);
  });
  check();
})();
