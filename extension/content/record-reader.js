// Reads who a host record is about from markup we did not write. Host apps re-render and restyle freely and we
// cannot see their real pages in advance, so this reads several independent ways and reports every value it
// finds with how and where it found it; the core checks each value's kind and decides (src/host/reading.rs).
// The host profile holds the words (headings, labels) and selectors; the strategies here are generic.
// @ts-check
'use strict';

(() => {
  /** Parts of a value that are not the value: controls, icons, hidden helpers, our own UI. */
  const NOT_TEXT = 'script,style,template,noscript,button,select,svg,[aria-hidden="true"],[hidden],[data-ghl-bridge],[data-ghl-bridge-send]';
  const LINE_DISPLAYS = new Set(['block', 'flex', 'grid', 'list-item', 'table', 'table-row', 'table-caption', 'flow-root', 'table-row-group']);
  const MAX_LABEL_CHARS = 60;
  const MAX_VALUE_CHARS = 300;

  const fold = (/** @type {string | null | undefined} */ text) => (text ?? '').replace(/\s+/g, ' ').trim();
  /** A label's text as compared: folded, lower-cased, without a trailing colon, asterisk or count. */
  const bare = (/** @type {string | null | undefined} */ text) =>
    fold(text).replace(/\s*(?:\(\d+\)|\d+)?\s*[:：*]?\s*$/, '').toLowerCase();

  /**
   * Text as a person sees it (`innerText` semantics, also for elements not laid out yet): element boundaries that
   * break lines become line breaks, table cells and inline boundaries spaces; hidden parts, controls and icons
   * are left out. Lines are folded and trimmed.
   * @param {Node} node
   */
  function visibleText(node) {
    /** @type {string[]} */
    const out = [];
    const walk = (/** @type {Node} */ current, /** @type {boolean} */ isRoot) => {
      if (current.nodeType === Node.TEXT_NODE) {
        out.push(current.nodeValue ?? '');
        return;
      }
      if (current.nodeType !== Node.ELEMENT_NODE) return; // comments (Angular's anchors) and the rest
      const element = /** @type {Element} */ (current);
      if (!isRoot && element.matches(NOT_TEXT)) return;
      if (element.tagName === 'BR') {
        out.push('\n');
        return;
      }
      const style = element.isConnected ? getComputedStyle(element) : null;
      if (style && (style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse')) return;
      const breaks = style ? LINE_DISPLAYS.has(style.display) : /^(DIV|P|LI|TR|DD|DT|H\d|SECTION|ARTICLE|UL|OL|DL|TABLE)$/.test(element.tagName);
      if (breaks) out.push('\n');
      for (const child of element.childNodes) walk(child, false);
      if (breaks) out.push('\n');
      else if (style?.display === 'table-cell' || element.tagName === 'TD' || element.tagName === 'TH') out.push(' ');
    };
    walk(node, true);
    return out.join('').split('\n').map(fold).filter(Boolean).join('\n').slice(0, MAX_VALUE_CHARS);
  }

  /** Whether a person can see the element (laid out, not hidden). */
  function shown(/** @type {Element} */ element) {
    if (!element.isConnected) return false;
    if (typeof element.checkVisibility === 'function') return element.checkVisibility({ visibilityProperty: true });
    return element.getClientRects().length > 0;
  }

  /** `mailto:` / `tel:` target as text: broken escapes are kept as written, never thrown. */
  function linkTarget(/** @type {string} */ href, /** @type {string} */ scheme) {
    const raw = href.slice(scheme.length).split('?')[0];
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }

  /**
   * The record's details: the element around its details heading that holds label/value pairs. The heading row
   * may also hold buttons, icons or counts, so climb from the heading until an ancestor holds a known label or a
   * contact link outside that row.
   * @param {Element} container @param {Profile} profile @param {Set<string>} labels
   */
  function findSection(container, profile, labels) {
    const heading = headingIn(container, profile.detailsHeadings);
    if (!heading) return null;
    let section = heading.parentElement;
    for (let depth = 0; section && section !== container && depth < 8; depth += 1) {
      if (holdsDetails(section, heading, labels)) return section;
      section = section.parentElement;
    }
    return null; // the labels are only found as far out as the whole record: read it as such
  }

  /** The innermost shown element whose whole text is one of `names` (compared as labels are), or null. */
  function headingIn(/** @type {Element} */ container, /** @type {string[]} */ names, selector = '*') {
    const headings = new Set(names.map((h) => bare(h)));
    for (const element of container.querySelectorAll(selector)) {
      const text = element.textContent ?? '';
      if (text.length > MAX_LABEL_CHARS || !headings.has(bare(text))) continue;
      if ([...element.children].some((child) => headings.has(bare(child.textContent)))) continue;
      if (element.closest('[data-ghl-bridge]') || !shown(element)) continue;
      return element;
    }
    return null;
  }

  /** Whether the page shows one of the headings `names` (in the profile's record container). */
  const findHeading = (/** @type {Document} */ document, /** @type {string[]} */ names) =>
    headingIn(document.body ?? document.documentElement, names);

  /**
   * The people a company's page lists under one of `profile.people.headings`: a table (or ARIA grid) whose header
   * names the columns, or else a list of items. Each person: `{recordId, evidence}` — the record id from a link in
   * the row to the person's own page ('' when there is none).
   * @param {Document} document @param {Profile} profile
   */
  function collectPeople(document, profile) {
    const container = containerOf(document, profile);
    // Real headings first: a menu item or tab with the same words is not the list's heading.
    const heading = container && profile.people
      ? headingIn(container, profile.people.headings, 'h1,h2,h3,h4,h5,h6,[role="heading"],caption,legend') ?? headingIn(container, profile.people.headings)
      : null;
    if (!heading) return [];
    const labels = labelIndex(profile, []);
    // Climb from the heading to the nearest ancestor that holds rows.
    let section = heading.parentElement;
    for (let depth = 0; section && depth < 8; depth += 1, section = section.parentElement) {
      if (section.querySelector('tr td, [role="row"] [role="cell"], [role="row"] [role="gridcell"], li')) break;
    }
    if (!section) return [];
    const idOf = (/** @type {Element} */ row) => {
      for (const link of row.querySelectorAll('a[href]')) {
        try {
          const id = profile.recordId(new URL(link.getAttribute('href') ?? '', location.href));
          if (id) return id;
        } catch { /* not a URL */ }
      }
      return '';
    };
    const people = [];
    const table = section.querySelector('table, [role="table"], [role="grid"]');
    if (table) {
      const headers = [...table.querySelectorAll('th, [role="columnheader"]')].map((cell) => labels.get(bare(visibleText(cell)))?.field ?? null);
      for (const row of table.querySelectorAll('tr, [role="row"]')) {
        const cells = [...row.querySelectorAll(':scope > td, :scope > [role="cell"], :scope > [role="gridcell"]')];
        if (!cells.length || !shown(row)) continue;
        /** @type {Evidence[]} */
        const evidence = [];
        cells.forEach((cell, index) => {
          const field = headers[index];
          const value = visibleText(cell);
          if (field && value) evidence.push({ field, value, via: 'pair', scope: 'section' });
        });
        readLinks(row, 'section', evidence);
        people.push({ recordId: idOf(row), evidence: evidence.slice(0, 40) });
      }
    } else {
      for (const item of section.querySelectorAll('li')) {
        if (!shown(item) || item.closest('[data-ghl-bridge]')) continue;
        /** @type {Evidence[]} */
        const evidence = [];
        readPairs(item, labels, 'section', evidence);
        readLinks(item, 'section', evidence);
        const named = item.querySelector('a[href], strong, h3, h4');
        if (named && !evidence.some((e) => e.field === 'name')) evidence.push({ field: 'name', value: visibleText(named), via: 'pair', scope: 'section' });
        if (evidence.length) people.push({ recordId: idOf(item), evidence: evidence.slice(0, 40) });
      }
    }
    return people.slice(0, 50);
  }

  function holdsDetails(/** @type {Element} */ section, /** @type {Element} */ heading, /** @type {Set<string>} */ labels) {
    if (section.querySelector('a[href^="mailto:" i], a[href^="tel:" i]')) return true;
    for (const element of section.querySelectorAll('*')) {
      if (heading.contains(element) || element.contains(heading)) continue;
      const text = element.textContent ?? '';
      if (text.length <= MAX_LABEL_CHARS && labels.has(bare(text))) return true;
      const aria = element.getAttribute('aria-label');
      if (aria && labels.has(bare(aria))) return true;
    }
    return false;
  }

  /** The value shown for a label element, or '' — found by the label's relation to it, never by position alone. */
  function valueFor(/** @type {Element} */ label, /** @type {Set<string>} */ allLabels) {
    const document = label.ownerDocument;
    const ofControl = (/** @type {Element | null} */ control) =>
      control && 'value' in control && typeof control.value === 'string' && control.tagName !== 'LI' ? fold(control.value) : null;
    if (label.tagName === 'LABEL') {
      const forId = label.getAttribute('for');
      const control = forId ? document.getElementById(forId) : label.querySelector('input,textarea,select');
      const value = ofControl(control);
      if (value !== null) return value;
    }
    if (label.id) {
      const described = document.querySelector(`[aria-labelledby~="${CSS.escape(label.id)}"]`);
      if (described) return ofControl(described) ?? visibleText(described);
    }
    const cell = label.closest('th,td');
    if (cell && (label === cell || fold(cell.textContent) === fold(label.textContent))) {
      const row = cell.parentElement;
      const next = cell.nextElementSibling;
      if (next && next.tagName === 'TD') return visibleText(next);
      // A header row above a row of values: the value in the same column of the next row.
      const below = row?.parentElement?.tagName === 'THEAD'
        ? row.parentElement.parentElement?.querySelector('tbody tr')
        : row?.nextElementSibling;
      const index = row ? [...row.children].indexOf(cell) : -1;
      // Several rows below a header are a list (of contacts, of jobs), not this record's value.
      const rows = below?.parentElement?.children.length ?? 0;
      if (below && index >= 0 && below.children[index] && rows === 1) return visibleText(below.children[index]);
      return '';
    }
    // The next thing after the label, climbing out of wrappers that hold only the label.
    let at = label;
    for (let depth = 0; depth < 4 && at; depth += 1) {
      let next = at.nextElementSibling;
      while (next && next.matches(NOT_TEXT)) next = next.nextElementSibling;
      // Text right after the label in the same element: "<b>Email</b> jane@example.com".
      const after = textAfter(at);
      if (after) return after;
      if (next) {
        const value = ofControl(next) ?? visibleText(next);
        return allLabels.has(bare(value)) ? '' : value;
      }
      const parent = at.parentElement;
      if (!parent || fold(parent.textContent) !== fold(label.textContent)) return '';
      at = parent;
    }
    return '';
  }

  /** Text nodes between `element` and its next element sibling. */
  function textAfter(/** @type {Element} */ element) {
    let text = '';
    for (let node = element.nextSibling; node && node.nodeType !== Node.ELEMENT_NODE; node = node.nextSibling) {
      if (node.nodeType === Node.TEXT_NODE) text += node.nodeValue;
    }
    return fold(text).replace(/^[:：]\s*/, '');
  }

  /**
   * @typedef {{ field: string, value: string, via: string, scope: string }} Evidence
   * @typedef {{ field: string, label?: string, path?: string }} Override
   * @typedef {string | { label: string[] }} FieldPlace a selector, or the words of the control's label
   * @typedef {{ detailsHeadings: string[], fieldLabels: Record<string, string[]>, container?: string[],
   *   editForm?: { marker: string, fields: Record<string, FieldPlace[]> },
   *   people?: { kind: string, listKind: string, headings: string[] },
   *   recordId?: (where: Location | URL) => string | null }} Profile
   */

  /**
   * The input a profile entry names inside `form`: a CSS selector, or `{label: [...]}` — the control whose label
   * (`<label for>`, a wrapping label, `aria-label`, `aria-labelledby`) reads one of those words. Labels survive
   * generated class names and rebuilt markup.
   */
  function findInput(/** @type {ParentNode} */ form, /** @type {FieldPlace} */ entry) {
    if (typeof entry === 'string') return form.querySelector(entry);
    const names = new Set(entry.label.map(bare));
    for (const control of form.querySelectorAll('input, textarea, select')) {
      const labels = [...(/** @type {HTMLInputElement} */ (control).labels ?? [])].map((label) => label.textContent);
      labels.push(control.getAttribute('aria-label') ?? '');
      for (const id of (control.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean)) labels.push(document.getElementById(id)?.textContent ?? '');
      if (labels.some((label) => names.has(bare(label)))) return control;
    }
    return null;
  }

  /** Label → field, with the overrides' labels. */
  function labelIndex(/** @type {Profile} */ profile, /** @type {Override[]} */ overrides) {
    /** @type {Map<string, {field: string, via: string}>} */
    const index = new Map();
    for (const item of overrides) if (item.label) index.set(bare(item.label), { field: item.field, via: 'override' });
    for (const [field, labels] of Object.entries(profile.fieldLabels)) {
      for (const label of labels) if (!index.has(bare(label))) index.set(bare(label), { field, via: 'pair' });
    }
    return index;
  }

  /** Label/value pairs, "Label: value" text and accessible labels inside `scope`. */
  function readPairs(/** @type {Element} */ root, /** @type {Map<string, {field: string, via: string}>} */ labels, /** @type {string} */ scope, /** @type {Evidence[]} */ out) {
    const known = new Set(labels.keys());
    for (const element of root.querySelectorAll('*')) {
      if (element.matches(NOT_TEXT) || element.closest('[data-ghl-bridge],[data-ghl-bridge-send]')) continue;
      const text = element.textContent ?? '';
      if (text.length <= MAX_LABEL_CHARS) {
        const hit = labels.get(bare(text));
        // The innermost element with the label's text is the label.
        if (hit && ![...element.children].some((child) => fold(child.textContent) === fold(text)) && shown(element)) {
          const value = valueFor(element, known);
          if (value) out.push({ field: hit.field, value, via: hit.via, scope });
          continue;
        }
      }
      const aria = element.getAttribute('aria-label') ?? element.getAttribute('title');
      const ariaHit = aria ? labels.get(bare(aria)) : undefined;
      if (ariaHit && shown(element)) {
        const value = visibleText(element);
        if (value && !known.has(bare(value))) out.push({ field: ariaHit.field, value, via: ariaHit.via === 'override' ? 'override' : 'aria', scope });
      }
      // "Email: jane@example.com" in one element (the innermost holding it).
      if (text.length <= MAX_VALUE_CHARS && /[:：]/.test(text) && ![...element.children].some((child) => /[:：]/.test(child.textContent ?? ''))) {
        const visible = visibleText(element);
        for (const line of visible.split('\n')) {
          const colon = line.search(/[:：]/);
          if (colon <= 0) continue;
          const hit = labels.get(bare(line.slice(0, colon)));
          const value = fold(line.slice(colon + 1));
          if (hit && value && shown(element)) out.push({ field: hit.field, value, via: hit.via === 'override' ? 'override' : 'inline', scope });
        }
      }
    }
  }

  /** `mailto:` and `tel:` links inside `root`. */
  function readLinks(/** @type {Element} */ root, /** @type {string} */ scope, /** @type {Evidence[]} */ out) {
    for (const link of root.querySelectorAll('a[href^="mailto:" i], a[href^="tel:" i]')) {
      if (!shown(link) || link.closest('[data-ghl-bridge]')) continue;
      const href = link.getAttribute('href') ?? '';
      const email = href.toLowerCase().startsWith('mailto:');
      const value = fold(linkTarget(href, email ? 'mailto:' : 'tel:'));
      if (value) out.push({ field: email ? 'email' : 'phone', value, via: 'link', scope });
    }
  }

  /** The edit form's fields, when the app keeps the form in the page. */
  function readForm(/** @type {Document} */ document, /** @type {Profile} */ profile, /** @type {Evidence[]} */ out) {
    const form = profile.editForm;
    const marker = form ? document.querySelector(form.marker) : null;
    if (!form || !marker) return;
    const scope = marker.closest('form') ?? (marker.matches('[role="dialog"]') ? marker : document);
    /** @type {Record<string, string>} */
    const values = {};
    for (const [field, places] of Object.entries(form.fields)) {
      for (const place of places) {
        const control = findInput(scope, place);
        if (control && 'value' in control && typeof control.value === 'string' && fold(control.value)) {
          values[field] = fold(control.value);
          break;
        }
      }
    }
    const push = (/** @type {string} */ field, /** @type {string | undefined} */ value) => {
      if (value) out.push({ field, value, via: 'form', scope: 'section' });
    };
    push('name', [values.firstName, values.lastName].filter(Boolean).join(' '));
    push('email', values.email);
    push('mobile', values.mobile ?? values.phone);
    push('landline', values.landline);
    push('company', values.company);
    push('address', [values.address1, values.town, values.postcode].filter(Boolean).join('\n'));
  }

  /** Values at the places the agent pointed at (overrides with a path). */
  function readPaths(/** @type {Element} */ container, /** @type {Override[]} */ overrides, /** @type {Evidence[]} */ out) {
    for (const item of overrides) {
      if (!item.path) continue;
      let target = null;
      try {
        target = container.querySelector(`:scope > ${item.path}`);
      } catch {
        continue; // a path this page's structure no longer fits
      }
      if (!target) continue;
      const value = 'value' in target && typeof target.value === 'string' ? fold(target.value) : visibleText(target);
      if (value) out.push({ field: item.field, value, via: 'override', scope: 'section' });
    }
  }

  /** The element holding the record's view. */
  function containerOf(/** @type {Document} */ document, /** @type {Profile} */ profile) {
    for (const selector of profile.container ?? []) {
      const found = document.querySelector(selector);
      if (found) return found;
    }
    return document.body;
  }

  /**
   * Everything found on the page about the record: `{section, scope, evidence}`. `section` is the details element
   * (null when its heading is not on the page, then the whole container is read, and trusted less).
   * @param {Document} document @param {Profile} profile @param {Override[]} [overrides]
   */
  function collectEvidence(document, profile, overrides = []) {
    const container = containerOf(document, profile);
    /** @type {Evidence[]} */
    const evidence = [];
    if (!container) return { section: null, scope: 'none', evidence };
    const labels = labelIndex(profile, overrides);
    const section = findSection(container, profile, new Set(labels.keys()));
    const root = section ?? container;
    const scope = section ? 'section' : 'container';
    readPaths(container, overrides, evidence);
    readPairs(root, labels, scope, evidence);
    readLinks(root, scope, evidence);
    readForm(document, profile, evidence);
    return { section, scope, evidence: evidence.slice(0, 200) };
  }

  /**
   * One line per value the page shows, to compare two reads. The edit form is left out: what the agent types
   * there (or "Sync this contact" fills in) is not a different record.
   */
  const evidenceKey = (/** @type {Evidence[]} */ evidence) =>
    evidence.filter((e) => e.via !== 'form').map((e) => `${e.field}\u0001${e.value}\u0001${e.via}`).sort().join('\u0002');

  /**
   * Where an element the agent pointed at sits: the label beside it, or its structural path from the container.
   * Never its text (customer values stay out of overrides).
   * @param {Element} target @param {Document} document @param {Profile} profile
   * @returns {{ label: string } | { path: string } | null}
   */
  function describePlace(target, document, profile) {
    const container = containerOf(document, profile);
    if (!container || !container.contains(target) || target === container) return null;
    const looksLikeLabel = (/** @type {string} */ text) =>
      text.length > 0 && text.length <= 40 && !text.includes('@') && (text.match(/\d/g) ?? []).length <= 2;
    // The label next to the value (the value's or its wrapper's preceding sibling, or text before it), taken only
    // when it is marked as a label — by a colon, its element or its class — so a neighbouring value (the
    // customer's name beside their email) is never stored as a label.
    const labelLike = (/** @type {Element} */ element) =>
      /[:：]\s*$/.test(fold(element.textContent)) || /^(LABEL|DT|TH|STRONG|B)$/.test(element.tagName) ||
      /label|lbl|caption|key/i.test(element.getAttribute('class') ?? '');
    for (let at = /** @type {Element | null} */ (target), depth = 0; at && at !== container && depth < 2; at = at.parentElement, depth += 1) {
      const before = at.previousElementSibling;
      const text = before ? fold(before.textContent).replace(/[:：]\s*$/, '') : '';
      if (before && labelLike(before) && looksLikeLabel(text)) return { label: text };
      const leading = fold(textBefore(at));
      if (/[:：]$/.test(leading) && looksLikeLabel(leading.slice(0, -1).trim())) return { label: leading.slice(0, -1).trim() };
    }
    const id = target.closest('[id]')?.id;
    const forLabel = id ? document.querySelector(`label[for="${CSS.escape(id)}"]`) : null;
    if (forLabel && looksLikeLabel(fold(forLabel.textContent))) return { label: fold(forLabel.textContent) };
    // No label: the path of tags (with stable ids and classes) from the container.
    const steps = [];
    for (let at = /** @type {Element | null} */ (target); at && at !== container; at = at.parentElement) {
      const tag = at.tagName.toLowerCase();
      if (!/^[a-z][a-z0-9-]*$/.test(tag)) return null;
      let step = tag;
      if (at.id && /^[A-Za-z][\w-]{0,40}$/.test(at.id) && !/\d{2}/.test(at.id)) step += `#${at.id}`;
      const stable = [...at.classList].filter((c) => /^[A-Za-z][\w-]{1,30}$/.test(c) && !/^(sc-|css-|jsx-|ng-)/.test(c) && !/\d/.test(c)).slice(0, 2);
      for (const name of stable) step += `.${name}`;
      const sameTag = at.parentElement ? [...at.parentElement.children].filter((c) => c.tagName === at?.tagName) : [];
      if (sameTag.length > 1) step += `:nth-of-type(${sameTag.indexOf(at) + 1})`;
      steps.unshift(step);
      if (steps.length > 12) return null;
    }
    return steps.length ? { path: steps.join(' > ') } : null;
  }

  /** Text nodes before `element` inside its parent, back to the previous element. */
  function textBefore(/** @type {Element} */ element) {
    let text = '';
    for (let node = element.previousSibling; node && node.nodeType !== Node.ELEMENT_NODE; node = node.previousSibling) {
      if (node.nodeType === Node.TEXT_NODE) text = (node.nodeValue ?? '') + text;
    }
    return text;
  }

  /**
   * The structure around the record for a bug report: tags, ids, classes, roles and the profile's own words —
   * every other text replaced by its shape (letters x, digits 9), so no customer value leaves the page.
   * @param {Document} document @param {Profile} profile
   */
  function pageOutline(document, profile) {
    const container = containerOf(document, profile);
    if (!container) return '(no record container on this page)';
    const known = new Set([...profile.detailsHeadings, ...Object.values(profile.fieldLabels).flat()].map((w) => bare(w)));
    const shape = (/** @type {string} */ text) => {
      const folded = fold(text);
      if (known.has(bare(folded))) return JSON.stringify(folded);
      return `"${folded.slice(0, 40).replace(/\p{L}/gu, 'x').replace(/\d/g, '9')}${folded.length > 40 ? '…' : ''}"`;
    };
    const lines = [`${location.pathname.replace(/\d+/g, '9')} · ${document.title ? shape(document.title) : ''}`];
    const section = findSection(container, profile, new Set([...known]));
    const start = section?.parentElement?.parentElement ?? container;
    const walk = (/** @type {Element} */ element, /** @type {number} */ depth) => {
      if (lines.length > 400 || element.matches('script,style,template,svg,[data-ghl-bridge]')) return;
      const attributes = ['role', 'aria-label', 'for', 'name', 'formcontrolname', 'type']
        .filter((name) => element.hasAttribute(name))
        .map((name) => `[${name}=${name === 'aria-label' ? shape(element.getAttribute(name) ?? '') : element.getAttribute(name)}]`);
      const href = element.getAttribute('href');
      if (href) attributes.push(`[href=${href.split(':')[0]}:…]`);
      const id = element.id ? `#${element.id.replace(/\d+/g, '9')}` : '';
      const classes = [...element.classList].slice(0, 4).map((c) => `.${c}`).join('');
      const own = [...element.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && fold(n.nodeValue)).map((n) => shape(n.nodeValue ?? ''));
      lines.push(`${'  '.repeat(depth)}${element.tagName.toLowerCase()}${id}${classes}${attributes.join('')}${own.length ? ` ${own.join(' ')}` : ''}`);
      for (const child of element.children) walk(child, depth + 1);
    };
    walk(start, 0);
    return lines.join('\n');
  }

  Object.assign(globalThis.ghlBridge, { collectEvidence, collectPeople, findInput, findHeading, evidenceKey, visibleText, describePlace, pageOutline });
})();
