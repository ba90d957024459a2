// Reads a host record from the page by label → value, not by exact nesting: the host app re-renders and
// restyles freely, so we look for the section heading, then for each label's value next to it.
'use strict';

(() => {
  const normalise = (text) => (text ?? '').replace(/\s+/g, ' ').trim();
  const bare = (text) => normalise(text).replace(/[:：]\s*$/, '').toLowerCase();
  const LEAFISH = 'h1,h2,h3,h4,h5,h6,legend,dt,th,label,li,span,strong,b,div,p,td,a';

  /** The element holding the details panel: the nearest ancestor of its heading that holds more than it. */
  function findSection(root, headings) {
    const wanted = new Set(headings.map((h) => h.toLowerCase()));
    for (const element of root.querySelectorAll(LEAFISH)) {
      if (element.childElementCount > 2 || !wanted.has(bare(element.textContent))) continue;
      let section = element;
      const headingLength = normalise(element.textContent).length;
      while (section.parentElement && normalise(section.textContent).length <= headingLength + 2) {
        section = section.parentElement;
      }
      return section;
    }
    return null;
  }

  /** The text a person sees as the value of a label element. */
  function valueOf(label) {
    if (label.tagName === 'LABEL' && label.htmlFor) {
      const control = label.ownerDocument.getElementById(label.htmlFor);
      if (control) return normalise(control.value ?? control.textContent);
    }
    let value = label.nextElementSibling;
    if (!value && label.parentElement?.childElementCount === 1) {
      // <div><span>Email</span></div><div>jane@…</div>
      value = label.parentElement.nextElementSibling;
    }
    if (!value) return '';
    const mail = value.matches('a[href^="mailto:"]') ? value : value.querySelector('a[href^="mailto:"]');
    if (mail) return normalise(decodeURIComponent(mail.getAttribute('href').slice(7).split('?')[0]));
    if ('value' in value && typeof value.value === 'string' && value.tagName !== 'LI') return normalise(value.value);
    return normalise(value.textContent);
  }

  function readField(section, labels) {
    const wanted = new Set(labels.map((l) => l.toLowerCase()));
    for (const element of section.querySelectorAll(LEAFISH)) {
      if (element.childElementCount > 1) continue;
      const text = normalise(element.textContent);
      if (wanted.has(bare(text))) {
        const value = valueOf(element);
        if (value && !wanted.has(bare(value))) return value;
      }
      // "Email: jane@example.com" in one element.
      const colon = text.indexOf(':');
      if (colon > 0 && element.childElementCount === 0 && wanted.has(bare(text.slice(0, colon)))) {
        const rest = normalise(text.slice(colon + 1));
        if (rest) return rest;
      }
    }
    return '';
  }

  /**
   * Reads the record's identity fields. Returns `null` while the details panel is not on the page, else
   * `{section, fields}` where `fields` holds only what was found (values are page text, untrusted).
   */
  function readRecord(root, profile) {
    const section = findSection(root, profile.detailsHeadings);
    if (!section) return null;
    const fields = {};
    for (const [field, labels] of Object.entries(profile.fieldLabels)) {
      const value = readField(section, labels);
      if (value) fields[field] = value;
    }
    if (!fields.email) {
      const mail = section.querySelector('a[href^="mailto:"]');
      if (mail) fields.email = normalise(decodeURIComponent(mail.getAttribute('href').slice(7).split('?')[0]));
    }
    if (!fields.mobile && !fields.landline) {
      const tel = section.querySelector('a[href^="tel:"]');
      if (tel) fields.landline = normalise(tel.getAttribute('href').slice(4));
    }
    return { section, fields };
  }

  globalThis.ghlBridge.readRecord = readRecord;
})();
