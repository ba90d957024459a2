// @ts-check
// Words and dates for every script of ours that shows text: the extension pages load it first, and it is the first
// shared content script. The words live in `_locales/<lang>/messages.json` (the browser picks the language); a
// page marks an element with `data-i18n="key"` (its text) or `data-i18n-<attribute>="key"` (e.g.
// `data-i18n-aria-label`), and `localize` fills them in. Dates are shown in the locale the core names for the
// record's host (en-GB on `.co.uk`, en-US on `.us` and commonsku) or, with none, the browser's.
'use strict';

(() => {
  /** The message `key` in the browser's language (the key itself when missing: a gap shows, never a blank). */
  function words(/** @type {string} */ key, /** @type {string[]} */ ...substitutions) {
    return chrome.i18n.getMessage(key, substitutions) || key;
  }

  /** `AriaLabel` → `aria-label`. */
  const attributeName = (/** @type {string} */ camel) => camel.replace(/[A-Z]/g, (letter, at) => `${at ? '-' : ''}${letter.toLowerCase()}`);

  /** Fills every `data-i18n*` element under `root` with its message. */
  function localize(/** @type {ParentNode} */ root) {
    for (const element of root.querySelectorAll('*')) {
      if (!(element instanceof HTMLElement)) continue;
      for (const [name, key] of Object.entries(element.dataset)) {
        if (name === 'i18n') element.textContent = words(key);
        else if (name.startsWith('i18n')) element.setAttribute(attributeName(name.slice(4)), words(key));
      }
    }
  }

  /** "2 hr. ago", "tomorrow", "in 3 days": the nearest whole unit, in `locale`. */
  function relativeTime(/** @type {number} */ atMs, /** @type {number} */ nowMs, /** @type {string | undefined} */ locale) {
    const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
    const seconds = Math.round((atMs - nowMs) / 1000);
    /** @type {[Intl.RelativeTimeFormatUnit, number][]} */
    const units = [['day', 86_400], ['hour', 3600], ['minute', 60]];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
    }
    return format.format(0, 'minute');
  }

  /** "due tomorrow", "due 2 days ago": a calendar-day distance, in `locale`, for due dates. */
  function relativeDay(/** @type {Date} */ date, /** @type {Date} */ now, /** @type {string | undefined} */ locale) {
    const day = (/** @type {Date} */ d) => Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000;
    return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(day(date) - day(now), 'day');
  }

  Object.assign((globalThis.ghlBridge ??= {}), { words, localize, relativeTime, relativeDay });
})();
