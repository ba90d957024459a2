// Content script entry: follows Commusoft's single-page navigation, reads the open record, asks the service
// worker for its GHL side, and shows it in the panel. No GHL calls and no tokens here.
'use strict';

(() => {
  const { commusoftProfile: profile, readRecord, mountPanel, fillCommusoftForm, decorateNotes } = globalThis.ghlBridge;
  const ROUTE_POLL_MS = 400;

  let current = null; // { recordId, record, panel, section, identity }
  let generation = 0;

  function recordIdFromUrl() {
    return profile.recordRoute.exec(location.pathname)?.[1] ?? null;
  }

  function identityOf(fields) {
    return [fields.email, fields.mobile, fields.landline, fields.name].map((v) => v ?? '').join('|');
  }

  /** Called often and cheaply: notices route changes, re-rendered panels and changed records. */
  function check() {
    const recordId = recordIdFromUrl();
    if (recordId !== current?.recordId) {
      current?.panel.destroy();
      current = null;
      if (recordId) open(recordId);
      return;
    }
    if (!current) return;
    current.panel.ensureAttached();
    if (current.record) decorateNotes(document, profile, current.notes, (...args) => sendNote(current, ...args));
    // The app re-renders its containers: when our section was replaced, read again and reload if the
    // person shown changed.
    if (current.section && !current.section.isConnected) {
      const read = readRecord(document, profile);
      if (read) {
        current.section = read.section;
        if (identityOf(read.fields) !== current.identity) load(current);
      }
    }
  }

  function open(recordId) {
    current = { recordId, panel: null, section: null, identity: null, notes: { known: null } };
    const state = current;
    state.panel = mountPanel({
      onRetry: () => load(state),
      // Every action names this record; the core only touches the GHL contact the record is linked to.
      act: (type, fields) => ask({ type, record: state.record, ...fields }),
      fillCommusoft: (fills) => fillCommusoftForm(document, profile, fills),
    });
    load(state);
  }

  async function load(state) {
    const myGeneration = ++generation;
    const stale = () => myGeneration !== generation || current !== state;
    state.panel.showLoading('Reading the customer record…');

    const read = await waitForRecord(stale);
    if (stale()) return;
    if (!read) {
      state.panel.showProblem({
        code: 'record_unreadable',
        message: 'The customer details did not appear on this page, so the GHL contact cannot be found. Reload the page; if this keeps happening, the page layout may have changed.',
        retryable: true,
      });
      return;
    }
    state.section = read.section;
    state.identity = identityOf(read.fields);
    state.record = { host: location.hostname, recordId: state.recordId, ...read.fields };
    state.panel.showDiagnostics({ 'Record id': state.recordId, ...read.fields });
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
    if (answer.ok) state.panel.showView(answer.data);
    else state.panel.showProblem(answer.error);
    performance.mark('ghl-bridge:data');
  }

  /** "Send to GHL" on a Commusoft note; the panel then shows GHL's notes again. */
  async function sendNote(state, sourceId, body, automatic, { button, status }) {
    button.disabled = true;
    status.className = '';
    status.textContent = 'Sending to GHL…';
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

  /** Polls until the details panel is on the page (the app renders slowly), or gives up. */
  async function waitForRecord(stale) {
    const deadline = Date.now() + profile.readTimeoutMs;
    for (;;) {
      const read = readRecord(document, profile);
      if (read || stale() || Date.now() > deadline) return read;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  async function ask(message) {
    try {
      const answer = await chrome.runtime.sendMessage(message);
      if (answer && typeof answer.ok === 'boolean') return answer;
      return { ok: false, error: { code: 'internal', message: 'The extension did not answer. Reload the page.', retryable: true } };
    } catch (error) {
      // After an extension update the old content script loses its connection.
      return {
        ok: false,
        error: { code: 'extension_reloaded', message: 'Reload this page to use the updated extension.', retryable: false },
      };
    }
  }

  addEventListener('popstate', check);
  globalThis.navigation?.addEventListener?.('navigatesuccess', check);
  setInterval(check, ROUTE_POLL_MS);
  check();
})();
