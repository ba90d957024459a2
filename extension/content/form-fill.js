// @ts-check
// "Sync this contact", GHL → host app: puts GHL's values into the host's own edit form, highlighted, for the agent
// to review and save. The extension never submits the form. Selectors live in the host's profile.
'use strict';

(() => {
  const { words } = globalThis.ghlBridge;
  /**
   * Sets an input's value the way typing would, so the page's framework sees the change: Angular reads the input
   * event; React's controlled inputs keep the value only when its onChange runs, which the native setter plus an
   * input event brings about (the page's own value tracker is not touched from the extension's world).
   */
  function setAsTyped(input, value) {
    const prototype = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
      : input instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(prototype, 'value').set.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /**
   * Fills `fills` (`[{field, value}]`) into the open edit form. Returns `{open, filled, missing}`: `open` is false
   * when no edit form is on the page; `missing` lists fields the form has no input for.
   */
  function fillHostForm(root, profile, fills) {
    const marker = profile.editForm ? root.querySelector(profile.editForm.marker) : null;
    if (!marker) return { open: false, filled: [], missing: fills.map((fill) => fill.field) };
    const form = marker.closest('form') ?? (marker.matches('[role="dialog"]') ? marker : null) ?? root;
    const filled = [];
    const missing = [];
    for (const { field, value } of fills) {
      const selectors = profile.editForm.fields[field] ?? [];
      const input = selectors.map((entry) => globalThis.ghlBridge.findInput(form, entry)).find(Boolean);
      if (!input || input.disabled || input.readOnly) {
        missing.push(field);
        continue;
      }
      setAsTyped(input, value);
      input.setAttribute('data-ghl-bridge-filled', '');
      input.style.outline = '3px solid #f59e0b';
      input.style.outlineOffset = '1px';
      input.title = words('fillFilledFromGoHighLevelReviewThenSave');
      filled.push(field);
    }
    return { open: true, filled, missing };
  }

  globalThis.ghlBridge.fillHostForm = fillHostForm;
})();
