// @ts-check
// "Fill from GHL" on the host app's add- and edit-contact forms: the agent picks a GHL contact (the one chosen on a
// client page is offered first, or a search by name, email or phone) and the core answers the form's values through
// the field mapping. The values are typed into the form, highlighted; the agent saves — the extension never does.
'use strict';

(() => {
  // The panel's DOM helpers: text only, and listeners that act on the agent's own (trusted) events.
  const { element, listen: on, words } = globalThis.ghlBridge;
  const MARK = 'data-ghl-bridge-fill';

  /** The form's name as the agent reads it: its `aria-label`, what `aria-labelledby` points at, or its heading. */
  function nameOf(/** @type {Element} */ dialog) {
    const labelledBy = (dialog.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    const text = dialog.getAttribute('aria-label') || labelledBy || dialog.querySelector('h1,h2,h3,h4,[role="heading"]')?.textContent || '';
    return text.replace(/\s+/g, ' ').trim().toLowerCase();
  }

  const STYLE = `:host { all: initial; display: block; margin: 0 0 8px; font: 13px/1.4 system-ui, sans-serif; color: #0f172a; }
    button { font: inherit; padding: 2px 10px; border-radius: 5px; border: 1px solid #1d4ed8; background: #eff6ff; color: #1e3a8a; cursor: pointer; margin: 2px 4px 2px 0; }
    button:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; }
    input { font: inherit; padding: 2px 6px; } ul { list-style: none; margin: 4px 0; padding: 0; } li { margin: 2px 0; }
    .meta { color: #475569; } .problem { color: #b91c1c; }`;

  /** Builds the control for one form. */
  function control(dialog, { ask, fill, chosen, record }) {
    const host = element('div', { [MARK]: '', 'data-ghl-bridge': '' });
    const shadow = host.attachShadow({ mode: 'closed' }); // a page script cannot reach in to read or press anything
    const style = element('style', { text: STYLE });
    const open = element('button', { type: 'button', text: words('fillFillFromGHL'), 'aria-expanded': 'false' });
    const area = element('div');
    area.hidden = true;
    const status = element('p', { role: 'status' });
    shadow.append(style, element('div', { class: 'control' }, [open, area, status]));

    const pickButton = (contact) => {
      const pick = element('button', { type: 'button', text: words('fillFill'), 'aria-label': words('fillFromNamed', contact.name) });
      on(pick, 'click', async () => {
        const page = record();
        if (!page) return;
        status.className = '';
        status.textContent = words('fillFillingFromGHL');
        const answer = await ask({ type: 'contact.fill', record: page, contactId: contact.id });
        if (!answer.ok) {
          status.className = 'problem';
          status.textContent = answer.error.message;
          return;
        }
        const result = fill(answer.data.fills);
        status.textContent = result.open ? answer.data.message : words('fillTheFormClosedBeforeItCould');
        area.hidden = true;
        open.setAttribute('aria-expanded', 'false');
      });
      return pick;
    };
    const item = (contact) => element('li', {}, [
      element('span', { text: [contact.name, contact.email, contact.phone].filter(Boolean).join(' · ') }), ' ', pickButton(contact),
    ]);

    on(open, 'click', () => {
      const expanded = area.hidden;
      area.hidden = !expanded;
      open.setAttribute('aria-expanded', String(expanded));
      if (!expanded) return;
      const page = record();
      if (!page) {
        area.replaceChildren(element('p', { class: 'problem', text: words('fillOpenAClientOrContactPage') }));
        return;
      }
      const query = element('input', { type: 'search', 'aria-label': words('fillSearchGHLByNameEmailOr'), autocomplete: 'off' });
      const search = element('button', { type: 'submit', text: words('fillSearchGHL') });
      const results = element('ul', { 'aria-label': words('fillGHLContacts') });
      const form = element('form', {}, [query, search]);
      on(form, 'submit', async () => {
        results.replaceChildren(element('li', { class: 'meta', text: words('fillSearchingGHL') }));
        const answer = await ask({ type: 'contact.search', record: page, query: query.value });
        if (!answer.ok) {
          results.replaceChildren(element('li', { class: 'problem', text: answer.error.message }));
          return;
        }
        results.replaceChildren(...answer.data.map(item));
        if (!answer.data.length) results.append(element('li', { class: 'meta', text: words('fillNoGHLContactsFound') }));
      });
      const first = chosen();
      area.replaceChildren(...[
        first ? element('p', { class: 'meta', text: words('fillChosenOnTheClientPage') }) : null,
        first ? element('ul', { 'aria-label': words('fillChosenContact') }, [item(first)]) : null,
        form,
        results,
      ].filter(Boolean));
      query.focus();
    });
    return host;
  }

  /** Adds "Fill from GHL" to every open contact form the profile names that has none yet. */
  function decorateContactForms(root, profile, context) {
    const names = new Set(profile.editForm.named.map((name) => name.toLowerCase()));
    for (const dialog of root.querySelectorAll(profile.editForm.marker)) {
      if (!names.has(nameOf(dialog)) || dialog.querySelector(`[${MARK}]`)) continue;
      dialog.prepend(control(dialog, context));
    }
  }

  globalThis.ghlBridge.decorateContactForms = decorateContactForms;
})();
