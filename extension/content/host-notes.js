// @ts-check
// "Send to GHL" on the host app's own notes (where its profile says they are). Each note gets a small control of our
// own (in a shadow root, out of reach of the page's CSS); the core remembers which GHL note each host note became.
// New notes (ids first seen after the tab was shown) are offered to the core as automatic sends — Options decides.
'use strict';

(() => {
  const { words } = globalThis.ghlBridge;
  const MARK = 'data-ghl-bridge-send';
  // How long the notes list must hold still before its notes count as the history.
  const SETTLED_MS = 1500;

  function control(onSend) {
    const host = document.createElement('span');
    host.setAttribute(MARK, '');
    const shadow = host.attachShadow({ mode: 'closed' }); // a page script cannot reach in to read or press anything
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = words('hostNotesSendToGHL');
    const status = document.createElement('span');
    status.setAttribute('role', 'status');
    const style = document.createElement('style');
    style.textContent = `button { font: 12px system-ui, sans-serif; margin: 2px 6px 2px 0; padding: 1px 8px; border-radius: 5px;
      border: 1px solid #1d4ed8; background: #eff6ff; color: #1e3a8a; cursor: pointer; }
      button:disabled { opacity: .6; cursor: progress; } span { font: 12px system-ui, sans-serif; color: #334155; }
      span.error { color: #b91c1c; } button:focus-visible { outline: 3px solid #f59e0b; }`;
    shadow.append(style, button, status);
    // Only the agent's own click sends (a page script's `click()` is not trusted).
    button.addEventListener('click', (event) => { if (event.isTrusted) onSend({ button, status }); });
    return { host, button, status };
  }

  /**
   * Adds the control to every note without one. `state.known` is the set of note ids already seen for this
   * record; `send(id, text, automatic, ui)` asks the core.
   */
  function decorateNotes(root, profile, state, send) {
    if (!profile.notes) return;
    const list = root.querySelector(profile.notes.list);
    if (!list) return;
    // The notes the page shows when its list has held still are the history, never sent on their own: a list that
    // renders in steps must not look like new notes. Until then nothing is sent automatically; look again soon.
    if (state.known === null) {
      const count = list.querySelectorAll(profile.notes.item).length;
      if (state.settling?.count !== count) state.settling = { count, since: Date.now() };
      if (Date.now() - state.settling.since < SETTLED_MS) {
        clearTimeout(state.settling.timer);
        state.settling.timer = setTimeout(() => decorateNotes(root, profile, state, send), SETTLED_MS);
        return;
      }
    }
    const firstLook = state.known === null;
    state.known ??= new Set();
    for (const item of list.querySelectorAll(profile.notes.item)) {
      const id = item.getAttribute(profile.notes.idAttribute);
      if (!id) continue;
      const readText = () => (item.querySelector(profile.notes.text)?.textContent ?? '').trim();
      if (!item.querySelector(`[${MARK}]`)) {
        const ui = control((parts) => send(id, readText(), false, parts));
        ui.button.setAttribute('aria-label', `Send to GHL: ${readText().slice(0, 60)}`);
        item.append(ui.host);
        if (!firstLook && !state.known.has(id)) send(id, readText(), true, ui);
      }
      state.known.add(id);
    }
  }

  globalThis.ghlBridge.decorateNotes = decorateNotes;
})();
