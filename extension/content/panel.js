// @ts-check
// The GHL panel: our own element with a shadow root, so the host page's CSS cannot reach in and ours cannot
// leak out. Everything shown is set with textContent — GHL and page text are never parsed as HTML. The panel
// decides nothing: it draws the core's view and sends the agent's actions back through `act`.
'use strict';

(() => {
  const { words, dateTime, wallTime, sinceOrDate, dueOrDate } = globalThis.ghlBridge;
  const STYLE = `
    :host { all: initial; position: fixed; top: 72px; right: 12px; z-index: 2147483000; width: 340px;
            max-height: calc(100vh - 96px); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    section.panel { display: flex; flex-direction: column; max-height: inherit; border-radius: 10px; overflow: hidden;
              background: #ffffff; color: #1f2937; border: 1px solid #cbd5e1; box-shadow: 0 8px 24px rgb(15 23 42 / 18%); }
    header { display: flex; align-items: center; gap: 8px; padding: 8px 10px; background: #1d4ed8; color: #ffffff; }
    header h2 { flex: 1; margin: 0; font-size: 14px; font-weight: 600; }
    button, input, textarea { font: inherit; }
    button { cursor: pointer; border-radius: 6px; border: 1px solid #64748b; background: #f8fafc; color: #0f172a; padding: 2px 9px; }
    button:disabled { cursor: not-allowed; opacity: .6; }
    button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible, summary:focus-visible {
      outline: 3px solid #f59e0b; outline-offset: 1px; }
    input, textarea { box-sizing: border-box; width: 100%; border: 1px solid #64748b; border-radius: 6px; padding: 3px 6px;
                      background: #ffffff; color: #0f172a; }
    textarea { min-height: 52px; resize: vertical; }
    input[type=checkbox] { width: auto; margin: 2px 6px 0 0; }
    header button { background: transparent; color: #ffffff; border-color: rgb(255 255 255 / 70%); }
    .body { padding: 10px 12px; overflow: auto; }
    .body[hidden] { display: none; }
    h3 { margin: 0 0 4px; font-size: 16px; }
    h4 { margin: 14px 0 4px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #334155; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 6px 0; }
    dt { color: #475569; } dd { margin: 0; overflow-wrap: anywhere; }
    ul { list-style: none; margin: 4px 0; padding: 0; }
    ul.items > li { border-top: 1px solid #e2e8f0; padding: 6px 0; overflow-wrap: anywhere; }
    ul.tags { display: flex; flex-wrap: wrap; gap: 4px; }
    ul.tags li { display: flex; align-items: center; gap: 2px; background: #e0e7ff; color: #1e3a8a; border-radius: 999px; padding: 0 2px 0 8px; }
    ul.tags button { border: 0; background: transparent; color: inherit; padding: 0 5px; }
    .row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
    .row > input { flex: 1; min-width: 120px; }
    .meta, .status, .muted { color: #475569; font-size: 12px; }
    .text { white-space: pre-wrap; margin: 2px 0; }
    .badge { background: #fee2e2; color: #7f1d1d; border-radius: 4px; padding: 0 4px; font-size: 11px; }
    .problem { border-left: 4px solid #b91c1c; padding: 6px 8px; background: #fef2f2; color: #7f1d1d; margin: 6px 0; }
    .problem strong { display: block; }
    .pending { opacity: .7; font-style: italic; }
    form { margin: 4px 0; }
    label { display: block; font-size: 12px; color: #334155; margin-top: 4px; }
    a { color: #1d4ed8; }
    details { margin-top: 6px; }
    @media (prefers-color-scheme: dark) {
      section.panel { background: #0f172a; color: #e2e8f0; border-color: #334155; }
      header { background: #1e3a8a; }
      dt, .status, .meta, .muted, label, h4 { color: #cbd5e1; }
      button { background: #1e293b; color: #e2e8f0; border-color: #94a3b8; }
      input, textarea { background: #0b1220; color: #e2e8f0; border-color: #94a3b8; }
      ul.items > li { border-top-color: #334155; }
      ul.tags li { background: #1e3a8a; color: #e0e7ff; }
      .problem { background: #450a0a; color: #fecaca; border-left-color: #f87171; }
      .badge { background: #7f1d1d; color: #fee2e2; }
      a { color: #93c5fd; }
    }`;

  // Short headings for the error codes the core returns; the core's message says what to do.
  const PROBLEM_TITLES = {
    not_configured: words('panelGHLIsNotConnected'),
    invalid_settings: words('panelGHLSettingsNeedAttention'),
    unauthorized: words('panelGHLRejectedTheToken'),
    missing_scope: words('panelTheTokenIsMissingPermissions'),
    forbidden: words('panelNoAccessToThisGHLLocation'),
    reconnect_needed: words('panelConnectGHLAgain'),
    no_identity: words('panelCannotMatchThisRecord'),
    conflict: words('panelChangedInGHLMeanwhile'),
    not_found: words('panelNotFoundInGHL'),
    validation: words('panelGHLRefusedTheChange'),
    duplicate: words('panelAlreadyInGHL'),
    rate_limited: words('panelGHLIsBusy'),
    daily_limit: words('panelDailyGHLLimitReached'),
    server_error: words('panelGHLIsHavingTrouble'),
    network: words('panelGHLIsUnreachable'),
    timeout: words('panelGHLDidNotAnswer'),
    bad_response: words('panelUnexpectedAnswerFromGHL'),
    record_unreadable: words('panelCannotReadThisRecord'),
    plan_changed: words('panelChangedSinceThePreview'),
    extension_reloaded: words('panelTheExtensionWasUpdated'),
  };


  // How the shown view wants dates: the host's locale (none: the browser's), and the location's time zone for GHL's
  // zoneless appointment times.
  const dates = { locale: undefined, locationTimeZone: null };

  /**
   * Listens for the agent only: events a page script makes (`click()`, `dispatchEvent`, `requestSubmit()`) are not
   * trusted and do nothing — the host page must not be able to operate the panel. A form is never submitted to a
   * URL either way.
   */
  function listen(node, type, handler) {
    node.addEventListener(type, (event) => {
      if (type === 'submit') event.preventDefault();
      if (!event.isTrusted) return;
      handler(event);
    });
  }

  function element(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'text') node.textContent = value;
      else if (key === 'on') for (const [event, handler] of Object.entries(value)) listen(node, event, handler);
      else if (value === true) node.setAttribute(key, '');
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const button = (text, onClick, props = {}) => element('button', { type: 'button', text, on: { click: onClick }, ...props });

  /** Each form's or question's Cancel and what it does: Escape there runs it (the agent's own key only). */
  const cancels = new WeakMap();
  const cancelButton = (onCancel) => {
    const cancel = button(words('panelCancel'), onCancel);
    cancels.set(cancel, onCancel);
    return cancel;
  };

  /** When a note was written: "2 hr. ago" when recent, else the date, in the view's locale. */
  const writtenAt = (iso) => (iso ? sinceOrDate(iso, dates.locale) : '');
  /** An appointment's start: GHL's zoneless wall time, its zone named when it is not the agent's. */
  const startsAt = (text) => (text ? wallTime(text, dates.locale, dates.locationTimeZone) : '');

  /** ISO → the value of a datetime-local input (local time). */
  function toLocalInput(iso) {
    const date = new Date(iso ?? '');
    if (Number.isNaN(date.getTime())) return '';
    const pad = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  /** A datetime-local value (local time) → UTC ISO, which is what GHL is sent. */
  function fromLocalInput(value) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }

  /** A problem the core reported, with "Try again" when it may pass, and "Connect GHL" when the core names the page
   * that fixes it (`onFix` asks the worker to open it). */
  function problemBox(problem, onRetry, onFix) {
    const box = element('div', { class: 'problem', role: 'alert', 'data-code': problem.code }, [
      element('strong', { text: PROBLEM_TITLES[problem.code] ?? words('panelSomethingWentWrong') }),
      element('span', { text: problem.message }),
    ]);
    const actions = [
      problem.retryable && onRetry ? button(words('panelTryAgain'), onRetry) : null,
      problem.fixPage && onFix ? button(words('panelConnectGhl'), onFix) : null,
    ].filter(Boolean);
    if (actions.length) box.append(element('div', { class: 'row' }, actions));
    return box;
  }

  /** Replaces a list item with an inline "are you sure?" (no blocking dialog over the host page). */
  function confirmInline(item, problem, { shown = null, question, label, onConfirm, onCancel }) {
    const yes = button(words('panelDelete'), () => onConfirm(yes), { 'aria-label': label });
    item.replaceChildren(...[shown, element('p', { text: question }), element('div', { class: 'row' }, [yes, cancelButton(onCancel)]), problem].filter(Boolean));
    yes.focus();
  }

  function adoptStyle(shadow) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
      shadow.adoptedStyleSheets = [sheet]; // not subject to the page's style-src CSP
    } catch {
      shadow.append(element('style', { text: STYLE }));
    }
  }

  /**
   * Mounts the panel; returns the handle the content script drives.
   * `act(type, fields)` sends an action for this record to the core and resolves to `{ok, data | error}`.
   */
  function mountPanel({ onRetry, refresh, act, fillHostForm, pick, outline }) {
    const problemFor = (problem, retry) => problemBox(problem, retry, () => act('connect.open'));
    const host = element('div', { id: 'ghl-bridge-panel', 'data-ghl-bridge': '' });
    const shadow = host.attachShadow({ mode: 'closed' }); // a page script cannot reach in to read or press anything
    adoptStyle(shadow);

    const bodyId = 'ghl-bridge-body';
    const toggle = element('button', { type: 'button', 'aria-expanded': 'true', 'aria-controls': bodyId, text: words('panelHide') });
    const body = element('div', { class: 'body', id: bodyId });
    const status = element('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const content = element('div');
    const diagnostics = element('details', {}, [element('summary', { text: words('panelWhatWasReadFromThisPage') })]);
    body.append(status, content, diagnostics);
    const setExpanded = (/** @type {boolean} */ expanded) => {
      toggle.setAttribute('aria-expanded', String(expanded));
      toggle.textContent = expanded ? words('panelHide') : words('panelShow');
      body.hidden = !expanded;
    };
    listen(toggle, 'click', () => setExpanded(toggle.getAttribute('aria-expanded') !== 'true'));
    // Escape closes the innermost open form or question around the focus, as its Cancel does.
    listen(shadow, 'keydown', (event) => {
      if (event.key !== 'Escape') return;
      for (let node = shadow.activeElement; node; node = node.parentElement) {
        const cancel = [...node.querySelectorAll(':scope > .row > button')].find((candidate) => cancels.has(candidate));
        if (cancel) {
          event.stopPropagation(); // the host page's own Escape handling does not also act
          cancels.get(cancel)();
          return;
        }
      }
    });
    const region = element('section', { class: 'panel', 'aria-label': words('panelGoHighLevel') }, [
      element('header', {}, [element('h2', { text: words('panelGoHighLevel') }), toggle]),
      body,
    ]);
    shadow.append(region);
    document.documentElement.append(host);

    const replace = (...nodes) => content.replaceChildren(...nodes.filter(Boolean));
    const settle = (text = '') => {
      region.setAttribute('aria-busy', 'false');
      status.textContent = text;
    };

    /** Runs an action with the form's controls disabled; shows the core's error with a retry in `where`. */
    async function perform(where, controls, type, fields, onDone, onPlanChanged = null) {
      // Every action carries an id of its own, kept by "Try again": the core's outbox stores an edit once.
      const sent = fields.editId ? fields : { ...fields, editId: crypto.randomUUID() };
      where.replaceChildren(element('p', { class: 'pending', text: words('panelSavingToGHL') }));
      for (const control of controls) control.disabled = true;
      const answer = await act(type, sent);
      for (const control of controls) control.disabled = false;
      if (answer.ok) {
        where.replaceChildren();
        onDone(answer.data);
        return true;
      }
      // Stored by the core and sent later: the form is emptied so the same note is not typed in twice.
      if (answer.error.queued && type.endsWith('.create')) {
        for (const control of controls) if (control.tagName !== 'BUTTON') control.value = '';
      }
      // What was previewed is no longer what would be written: the core's answer is to preview again.
      if (answer.error.code === 'plan_changed' && onPlanChanged) {
        onPlanChanged(answer.error);
        return false;
      }
      // Otherwise what the agent typed stays in the form until GHL has it.
      where.replaceChildren(problemFor(answer.error, () => perform(where, controls, type, sent, onDone, onPlanChanged)));
      return false;
    }

    /** This record's edits the core still holds: waiting to be sent, or refused and waiting for the agent. */
    function outboxSection(items) {
      if (!items?.length) return null;
      const list = element('ul', { class: 'items', 'aria-label': words('panelWaitingToSend') });
      for (const item of items) {
        const problem = element('div');
        // The core says what each item is, where it stands and which choices it offers.
        const controls = item.choices.map(({ choice, label }) => {
          const [type, fields, onDone] = choice === 'retry' ? ['outbox.retry', { itemId: item.id }, () => onRetry()]
            : choice === 'discard' ? ['outbox.discard', { itemId: item.id }, showView]
              : ['outbox.resolve', { itemId: item.id, choice }, showView];
          const control = button(label, () => perform(problem, controls, type, fields, onDone), { 'aria-label': `${label}: ${item.label}` });
          return control;
        });
        const parts = [element('strong', { text: item.label }), element('div', { class: 'text', text: item.summary }), element('div', { class: 'meta', text: item.state })];
        if (item.theirs != null) {
          parts.push(element('div', { class: 'meta', text: words('panelInGHLNow') }), element('div', { class: 'text', 'data-version': 'ghl', text: item.theirs }));
        }
        list.append(element('li', { 'data-outbox-item': item.id, 'data-state': item.failure?.retryable === false ? 'failed' : 'waiting' },
          [...parts, element('div', { class: 'row' }, controls), problem]));
      }
      return element('div', { 'data-part': 'outbox' }, [element('h4', { text: words('panelWaitingToSend') }), list]);
    }

    /**
     * "Sync this contact": the core's field-by-field preview, then Apply. GHL is written by the core; values for
     * the host app go into its open edit form for the agent to review and save.
     */
    function syncControls() {
      const area = element('div', { 'data-part': 'sync' });
      const start = button(words('panelSyncThisContact'), () => preview());
      async function preview(changed = null) {
        area.replaceChildren(element('p', { class: 'pending', text: words('panelComparingWithGHL') }));
        start.disabled = true;
        const answer = await act('contact.syncPreview', {});
        start.disabled = false;
        if (!answer.ok) {
          area.replaceChildren(problemFor(answer.error, preview));
          return;
        }
        const plan = answer.data;
        const rows = plan.rows.filter((row) => row.action !== 'off');
        const list = element('ul', { class: 'items', 'aria-label': words('panelSyncPreview') }, rows.map((row) =>
          element('li', { 'data-action': row.action }, [
            element('strong', { text: row.label }),
            element('div', { class: 'meta', text: `${plan.hostName}: ${row.hostValue ?? '—'} · GHL: ${row.ghlValue ?? '—'}` }),
            element('div', { text: row.effect }),
          ])));
        const heading = element('h4', { text: plan.heading });
        const cancel = button(words('panelClose'), () => area.replaceChildren());
        if (plan.inSync) {
          area.replaceChildren(...[heading, changed?.code ? problemFor(changed) : null, element('p', { role: 'status', text: words('panelAlreadyInSyncNothingToChange') }), list, cancel].filter(Boolean));
          return;
        }
        const outcome = element('div');
        // Apply names the preview it applies: the core writes that plan or, if it changed meanwhile, nothing.
        const apply = button(plan.applyLabel, () => perform(outcome, [apply, cancel], 'contact.sync', { fingerprint: plan.fingerprint }, (result) => {
          const lines = [element('p', { role: 'status', text: result.summary })];
          if (result.hostFill.length) {
            const filled = fillHostForm(result.hostFill);
            const label = (field) => result.rows.find((row) => row.hostField === field)?.label ?? field;
            if (!filled.open) {
              lines.push(element('p', { text: result.openFormHint }),
                element('ul', {}, result.hostFill.map((fill) => element('li', { text: `${label(fill.field)}: ${fill.value}` }))));
            } else {
              lines.push(element('p', { text: words('panelFilledFields', String(filled.filled.length)) }));
              if (filled.missing.length) lines.push(element('p', { class: 'muted', text: words('panelNotFoundInForm', filled.missing.map(label).join(', ')) }));
            }
          }
          area.replaceChildren(...lines, button(words('panelClose'), () => (result.reload ? onRetry() : area.replaceChildren())));
        }, (problem) => preview(problem)));
        const notice = changed?.code ? problemFor(changed) : null;
        area.replaceChildren(...[heading, notice, list, element('div', { class: 'row' }, [apply, cancel]), outcome].filter(Boolean));
      }
      return { start, area };
    }

    function showMatched(view) {
      dates.locale = view.locale ?? undefined;
      dates.locationTimeZone = view.locationTimeZone ?? null;
      const { contact } = view;
      const header = element('div', { 'data-part': 'contact' });
      const facts = element('dl');
      for (const [label, value] of [[words('panelEmail'), contact.email], [words('panelPhone'), contact.phone], [words('panelCompany'), contact.companyName]]) {
        if (value) facts.append(element('dt', { text: label }), element('dd', { text: value }));
      }
      const headerProblem = element('div');
      const tagList = element('ul', { class: 'tags', 'aria-label': words('panelTags') });
      const renderTags = () => {
        tagList.replaceChildren(
          ...contact.tags.map((tag) =>
            element('li', {}, [
              element('span', { text: tag }),
              button('×', () => perform(headerProblem, [], 'tags.remove', { tags: [tag] }, (tags) => {
                contact.tags = tags;
                renderTags();
              }), { 'aria-label': words('panelRemoveTag', tag) }),
            ])),
        );
      };
      renderTags();
      const tagInput = element('input', { type: 'text', 'aria-label': words('panelNewTag'), autocomplete: 'off' });
      const addTag = element('button', { type: 'submit', text: words('panelAddTag') });
      const tagForm = element('form', { class: 'row' }, [tagInput, addTag]);
      listen(tagForm, 'submit', (event) => {
        event.preventDefault();
        // The core trims and checks what was typed; an empty tag gets its message.
        perform(headerProblem, [tagInput, addTag], 'tags.add', { tags: [tagInput.value] }, (tags) => {
          contact.tags = tags;
          tagInput.value = '';
          renderTags();
        });
      });
      const open = element('a', { href: view.ghlUrl, target: '_blank', rel: 'noopener noreferrer', text: words('panelOpenInGHL') });
      const sync = syncControls();
      const unlink = button(words('panelUnlink'), async () => {
        const answer = await act('link.remove', {});
        if (answer.ok) showView(answer.data);
        else headerProblem.replaceChildren(problemFor(answer.error));
      });
      // Sections switched off in Options (the core asked GHL nothing for them).
      const on = (section) => !(view.sectionsOff ?? []).includes(section);
      header.append(...[element('h3', { text: contact.name }), facts, on('tags') ? tagList : null, on('tags') ? tagForm : null,
        element('div', { class: 'row' }, [open, sync.start, unlink]), headerProblem, sync.area].filter(Boolean));
      if (on('colleagues') && view.colleagues.length) {
        header.append(element('details', {}, [
          element('summary', { text: words('panelSameBusinessCount', String(view.colleagues.length)) }),
          element('ul', { 'aria-label': words('panelSameBusiness') }, view.colleagues.map((c) => element('li', { text: c.name }))),
        ]));
      }
      // Hosts with one contact history (the core says): notes and appointments in one list.
      const sections = view.history
        ? [on('notes') || on('appointments') ? notesSection(view.notes, view.history) : null, on('tasks') ? tasksSection(view.tasks) : null]
        : [on('notes') ? notesSection(view.notes) : null, on('tasks') ? tasksSection(view.tasks) : null,
          on('appointments') ? appointmentsSection(view.appointments) : null];
      replace(header, outboxSection(view.outbox), ...sections.filter(Boolean));
    }

    /** Notes, or — with `history` — the History list: notes (editable in place) and appointments, newest first. */
    function notesSection(notes, history = null) {
      const list = element('ul', { class: 'items', 'aria-label': history ? words('panelHistory') : words('panelNotes') });
      const problem = element('div');
      // Every note edit answers the whole list in the core's order; the panel only draws it. The History mixes in
      // appointments, so after a note edit it is loaded again whole.
      const replaceAll = (fresh) => {
        if (history) {
          refresh();
          return;
        }
        notes.splice(0, notes.length, ...fresh);
        render();
      };
      const render = () => {
        if (history) {
          list.replaceChildren(...history.map((entry) => {
            const item = entry.note ? noteItem(entry.note, entry.mark) : appointmentItem(entry.appointment, entry.mark);
            item.dataset.kind = entry.kind;
            return item;
          }));
          if (!history.length) list.append(element('li', { class: 'muted', text: words('panelNoNotesOrAppointmentsYet') }));
          return;
        }
        list.replaceChildren(...notes.map((note) => noteItem(note)));
        if (!notes.length) list.append(element('li', { class: 'muted', text: words('panelNoNotesYet') }));
      };
      // `mark`: what the History calls the entry ("Note"), shown first.
      const noteItem = (note, mark = null) => {
        const item = element('li', { 'data-note-id': note.id });
        const itemProblem = element('div');
        const show = () => {
          const meta = [note.pinned ? words('panelPinned') : '', note.author ?? '', writtenAt(note.dateAdded)].filter(Boolean).join(' · ');
          const parts = [
            note.title ? element('strong', { text: note.title }) : null,
            element('p', { class: 'text', text: note.body }),
            element('div', { class: 'meta', text: meta }),
            element('div', { class: 'row' }, [
              button(words('panelEdit'), edit, { 'aria-label': words('panelEditNote') }),
              button(words('panelDelete'), confirmDelete, { 'aria-label': words('panelDeleteNote') }),
            ]),
            itemProblem,
          ];
          item.replaceChildren(...[mark ? element('span', { class: 'badge', text: mark }) : null, ...parts].filter(Boolean));
        };
        const edit = () => {
          const text = element('textarea', { 'aria-label': words('panelEditNote') });
          text.value = note.body;
          const save = element('button', { type: 'submit', text: words('panelSaveNote') });
          const form = element('form', {}, [text, element('div', { class: 'row' }, [save, cancelButton(show)]), itemProblem]);
          listen(form, 'submit', (event) => {
            event.preventDefault();
            perform(itemProblem, [text, save], 'note.update', { noteId: note.id, body: text.value }, replaceAll);
          });
          item.replaceChildren(form);
          text.focus();
        };
        const confirmDelete = () => confirmInline(item, itemProblem, {
          shown: element('p', { class: 'text', text: note.body }),
          question: words('panelDeleteThisNoteInGHL'),
          label: words('panelConfirmDeleteNote'),
          onConfirm: (yes) => perform(itemProblem, [yes], 'note.delete', { noteId: note.id }, replaceAll),
          onCancel: show,
        });
        show();
        return item;
      };
      render();
      const text = element('textarea', { id: 'ghl-new-note' });
      const add = element('button', { type: 'submit', text: words('panelAddNote') });
      const form = element('form', {}, [element('label', { for: 'ghl-new-note', text: words('panelNote') }), text, element('div', { class: 'row' }, [add]), problem]);
      listen(form, 'submit', (event) => {
        event.preventDefault();
        perform(problem, [text, add], 'note.create', { body: text.value }, (list) => {
          text.value = '';
          replaceAll(list);
        });
      });
      return element('div', { 'data-part': history ? 'history' : 'notes' }, [element('h4', { text: history ? words('panelHistory') : words('panelNotes') }), form, list]);
    }

    function tasksSection(tasks) {
      const open = element('ul', { class: 'items', 'aria-label': words('panelTasks') });
      const done = element('ul', { class: 'items', 'aria-label': words('panelCompletedTasks') });
      const doneSummary = element('summary');
      const doneBox = element('details', {}, [doneSummary, done]);
      const problem = element('div');
      // Every task edit answers the whole list in the core's order; the panel only draws it.
      const replaceAll = (fresh) => {
        tasks.splice(0, tasks.length, ...fresh);
        render();
      };
      const render = () => {
        const openTasks = tasks.filter((t) => !t.completed);
        const doneTasks = tasks.filter((t) => t.completed);
        open.replaceChildren(...openTasks.map(taskItem));
        if (!openTasks.length) open.append(element('li', { class: 'muted', text: words('panelNoOpenTasks') }));
        done.replaceChildren(...doneTasks.map(taskItem));
        doneSummary.textContent = `Completed (${doneTasks.length})`;
        doneBox.hidden = !doneTasks.length;
      };
      const taskItem = (task) => {
        const item = element('li', { 'data-task-id': task.id });
        const itemProblem = element('div');
        const show = () => {
          const box = element('input', { type: 'checkbox', 'aria-label': task.title });
          box.checked = task.completed;
          listen(box, 'change', () => {
            const wanted = box.checked;
            perform(itemProblem, [box], 'task.complete', { taskId: task.id, completed: wanted }, replaceAll)
              .then((ok) => { if (!ok) box.checked = !wanted; });
          });
          const due = task.dueDate ? words('panelDue', dueOrDate(task.dueDate, dates.locale)) : words('panelNoDueDate');
          item.replaceChildren(
            element('div', { class: 'row' }, [box, element('span', { text: task.title })]),
            task.body ? element('p', { class: 'text', text: task.body }) : '',
            element('div', { class: 'meta' }, [
              task.overdue ? element('span', { class: 'badge', text: words('panelOverdue') }) : '',
              element('span', { text: ` ${due}${task.assignee ? ` · ${task.assignee}` : ''}`, title: task.dueDate ? dateTime(task.dueDate, dates.locale) : undefined }),
            ]),
            element('div', { class: 'row' }, [
              button(words('panelEdit'), edit, { 'aria-label': words('panelEditTaskNamed', task.title) }),
              button(words('panelDelete'), confirmDelete, { 'aria-label': words('panelDeleteTaskNamed', task.title) }),
            ]),
            itemProblem,
          );
        };
        const edit = () => {
          const title = element('input', { type: 'text', 'aria-label': words('panelEditTaskTitle') });
          title.value = task.title;
          const due = element('input', { type: 'datetime-local', 'aria-label': words('panelEditDueDate') });
          due.value = toLocalInput(task.dueDate);
          const save = element('button', { type: 'submit', text: words('panelSaveTask') });
          const form = element('form', {}, [title, due, element('div', { class: 'row' }, [save, cancelButton(show)]), itemProblem]);
          listen(form, 'submit', (event) => {
            event.preventDefault();
            const dueDate = fromLocalInput(due.value);
            perform(itemProblem, [title, due, save], 'task.update', { taskId: task.id, title: title.value, ...(dueDate ? { dueDate } : {}) }, replaceAll);
          });
          item.replaceChildren(form);
          title.focus();
        };
        const confirmDelete = () => confirmInline(item, itemProblem, {
          question: words('panelDeleteTaskQuestion', task.title),
          label: words('panelConfirmDeleteTask'),
          onConfirm: (yes) => perform(itemProblem, [yes], 'task.delete', { taskId: task.id }, replaceAll),
          onCancel: show,
        });
        show();
        return item;
      };
      render();
      const title = element('input', { type: 'text', id: 'ghl-new-task-title' });
      const due = element('input', { type: 'datetime-local', id: 'ghl-new-task-due' });
      const add = element('button', { type: 'submit', text: words('panelAddTask') });
      const form = element('form', {}, [
        element('label', { for: 'ghl-new-task-title', text: words('panelTaskTitle') }), title,
        element('label', { for: 'ghl-new-task-due', text: words('panelDueDate') }), due,
        element('div', { class: 'row' }, [add]), problem,
      ]);
      listen(form, 'submit', (event) => {
        event.preventDefault();
        // An empty or unreadable date goes as '' and the core explains what is missing.
        const dueDate = fromLocalInput(due.value) ?? '';
        perform(problem, [title, due, add], 'task.create', { title: title.value, dueDate }, (list) => {
          title.value = '';
          due.value = '';
          replaceAll(list);
        });
      });
      return element('div', { 'data-part': 'tasks' }, [element('h4', { text: words('panelTasks') }), form, open, doneBox]);
    }

    function appointmentItem(a, mark = null) {
      return element('li', { 'data-appointment-id': a.id }, [
        mark ? element('span', { class: 'badge', text: mark }) : null,
        element('strong', { text: a.title }),
        element('div', { class: 'meta', text: [startsAt(a.startTime), a.status, a.upcoming ? '' : words('panelPast')].filter(Boolean).join(' · ') }),
      ]);
    }

    function appointmentsSection(appointments) {
      const list = element('ul', { class: 'items', 'aria-label': words('panelAppointments') }, appointments.map(appointmentItem));
      if (!appointments.length) list.append(element('li', { class: 'muted', text: words('panelNoAppointments') }));
      return element('div', { 'data-part': 'appointments' }, [element('h4', { text: words('panelAppointments') }), list]);
    }

    function showUnmatched(view) {
      const problem = element('div');
      const linkButton = (candidate) => button(words('panelLink'), () => perform(problem, [], 'link.set', { contactId: candidate.id }, showView),
        { 'aria-label': words('panelLinkNamed', candidate.name) });
      const candidateItem = (candidate) => element('li', {}, [
        element('span', { text: [candidate.name, candidate.email, candidate.phone].filter(Boolean).join(' · ') }), ' ', linkButton(candidate),
      ]);
      const prefill = view.prefill;
      const creates = [[prefill.firstName, prefill.lastName].filter(Boolean).join(' '), prefill.email, prefill.phone].filter(Boolean).join(' · ');
      const create = button(words('panelCreateInGHL'), () => perform(problem, [create], 'contact.create', {}, showView));
      // With the field mapping: shows what the new contact gets (or which duplicate GHL has) before creating.
      const sync = syncControls();
      const query = element('input', { type: 'search', 'aria-label': words('panelSearchGHLContacts'), autocomplete: 'off' });
      const search = element('button', { type: 'submit', text: words('panelSearch') });
      const results = element('ul', { class: 'items', 'aria-label': words('panelSearchResults') });
      const searchForm = element('form', { class: 'row' }, [query, search]);
      listen(searchForm, 'submit', (event) => {
        event.preventDefault();
        perform(problem, [query, search], 'contact.search', { query: query.value }, (found) => {
          results.replaceChildren(...found.map(candidateItem));
          if (!found.length) results.append(element('li', { class: 'muted', text: words('panelNoContactsFound') }));
        });
      });
      replace(
        element('p', { text: view.intro }),
        outboxSection(view.outbox),
        view.candidates.length ? element('ul', { class: 'items', 'aria-label': words('panelPossibleMatches') }, view.candidates.map(candidateItem)) : null,
        element('p', { class: 'meta', text: words('panelSearchedBy', view.searched.join(', ')) }),
        element('h4', { text: words('panelCreateInGHL') }),
        element('p', { class: 'meta', text: creates ? `Creates ${creates}.` : words('panelCreatesAContactFromThisRecord') }),
        element('div', { class: 'row' }, [create, ...(view.candidates.length ? [] : [sync.start])]),
        sync.area,
        element('h4', { text: words('panelLinkExisting') }),
        searchForm,
        results,
        problem,
      );
    }

    /**
     * A page that lists people: each with its GHL state (the core's words). "Open" shows the person's view;
     * contacts of the same businesses that the page does not list can fill a new contact in the host app.
     */
    function showPeople(view, { open: openPerson, choose }) {
      const list = element('ul', { class: 'items', 'aria-label': view.heading });
      for (const person of view.people) {
        const facts = [person.position, person.email, person.phone].filter(Boolean).join(' · ');
        const controls = person.openLabel
          ? [button(person.openLabel, () => openPerson(person), { 'aria-label': `${person.openLabel} ${person.name}` })]
          : [];
        list.append(element('li', { 'data-state': person.state }, [
          element('strong', { text: person.name }),
          facts ? element('div', { class: 'meta', text: facts }) : null,
          element('div', { class: 'state', text: person.stateLabel }),
          element('div', { class: 'row' }, controls),
        ]));
      }
      const parts = [element('h3', { text: view.heading }), element('p', { class: 'meta', text: view.summary }), list];
      if (view.others.length) {
        const note = element('p', { role: 'status' });
        parts.push(element('h4', { text: view.othersHeading }), element('ul', { class: 'items', 'aria-label': view.othersHeading },
          view.others.map((other) => element('li', {}, [
            element('span', { text: [other.name, other.email, other.phone].filter(Boolean).join(' · ') }),
            element('div', { class: 'row' }, [button(view.fillLabel, () => {
              choose(other);
              note.textContent = view.fillHint;
            }, { 'aria-label': `${view.fillLabel}: ${other.name}` })]),
          ]))), note);
      }
      replace(...parts);
      region.dataset.source = 'ghl';
      settle('');
    }

    function showView(view, { cached = false, back = null } = {}) {
      if (view.state === 'matched') showMatched(view);
      else showUnmatched(view);
      if (back) content.prepend(element('div', { class: 'row' }, [button(back.label, back.go)]));
      region.dataset.source = cached ? 'cache' : 'ghl';
      settle(cached ? words('panelShowingTheSavedViewRefreshingFrom') : '');
      if (cached) region.setAttribute('aria-busy', 'true');
    }

    return {
      /**
       * The keyboard command (Alt+Shift+G by default): shows the panel and puts the focus in it; pressed again while
       * the focus is in it, folds it away (the focus stays on "Show").
       */
      toggleByKeyboard() {
        if (toggle.getAttribute('aria-expanded') === 'true' && shadow.activeElement) {
          setExpanded(false);
          toggle.focus();
          return;
        }
        setExpanded(true);
        /** @type {HTMLElement} */ (content.querySelector('button, input, textarea, select, a[href]') ?? toggle).focus();
      },
      /** Re-attaches the panel if the page removed it. */
      ensureAttached() {
        if (!host.isConnected) document.documentElement.append(host);
      },
      showLoading(text = words('panelLookingUpThisRecordInGHL')) {
        status.textContent = text;
        region.setAttribute('aria-busy', 'true');
        replace();
      },
      showProblem(problem) {
        settle();
        replace(problemFor(problem, onRetry));
      },
      showView,
      showPeople,
      /** Whether the agent is at work in the panel (typing, or a form open): a live refresh waits. */
      busy() {
        if (shadow.activeElement && shadow.activeElement.tagName !== 'BUTTON') return true;
        return [...shadow.querySelectorAll('textarea, input[type="text"], input[type="search"]')].some((field) => field.value.trim() !== '');
      },
      /**
       * What the core read from the page (`reading`: fields with how each was found, values set aside and why),
       * with "This isn't right" to point at a value the reader missed and "Copy page outline" for a bug report.
       */
      showDiagnostics(recordId, reading) {
        const list = element('dl', {}, [element('dt', { text: words('panelRecordId') }), element('dd', { text: recordId })]);
        for (const field of reading?.fields ?? []) {
          list.append(element('dt', { text: field.label }),
            element('dd', { text: field.value }, [element('div', { class: 'meta', text: `from ${field.source}` })]));
        }
        const parts = [diagnostics.firstChild, list];
        if (reading?.setAside?.length) {
          parts.push(element('p', { class: 'meta', text: words('panelFoundButNotUsed') }),
            element('ul', { 'aria-label': words('panelFoundButNotUsed2') }, reading.setAside.map((aside) =>
              element('li', { class: 'meta', text: `${aside.label}: “${aside.value}” — ${aside.reason}` }))));
        }
        const fix = element('div', { 'data-part': 'reader-fix' });
        const choose = () => {
          // The core says which fields can be pointed at (the same list when the page could not be read at all).
          const choices = (reading?.pickable ?? []).map(({ field, label }) =>
            button(label, () => pointAt(field, label), { 'aria-label': words('panelPointAt', label.toLowerCase()) }));
          fix.replaceChildren(element('p', { text: words('panelWhichValueDidTheExtensionMiss') }),
            element('div', { class: 'row' }, [...choices, button(words('panelCancel'), () => fix.replaceChildren(wrong, copy))]));
        };
        const pointAt = async (field, text) => {
          fix.replaceChildren(element('p', { role: 'status', text: words('panelClickThe', text.toLowerCase()) }));
          const outcome = await pick(field);
          if (outcome.ok) return; // the record is read again, and this view redrawn
          fix.replaceChildren(...[outcome.message ? element('p', { class: 'problem', role: 'alert', text: outcome.message }) : null, wrong, copy].filter(Boolean));
        };
        const wrong = button(words('panelThisIsnTRight'), choose);
        const copy = button(words('panelCopyPageOutline'), async () => {
          const text = outline();
          try {
            await navigator.clipboard.writeText(text);
            fix.replaceChildren(element('p', { role: 'status', text: words('panelPageOutlineCopiedStructureOnlyNo') }), wrong, copy);
          } catch {
            const box = element('textarea', { 'aria-label': words('panelPageOutline'), readonly: true });
            box.value = text;
            fix.replaceChildren(element('p', { role: 'status', text: words('panelCopyTheOutlineBelowStructureOnly') }), box, wrong, copy);
          }
        });
        fix.replaceChildren(wrong, copy);
        parts.push(fix);
        diagnostics.replaceChildren(...parts);
      },
      destroy() {
        host.remove();
      },
    };
  }

  // The DOM helpers are shared with the other content scripts that draw controls (contact-form.js).
  Object.assign(globalThis.ghlBridge, { mountPanel, element, listen });
})();
