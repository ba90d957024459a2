// @ts-check
// Words and dates for every script of ours that shows text: the extension pages load it first, and it is the first
// shared content script. The words live in `_locales/<lang>/messages.json` (the browser picks the language); a
// page marks an element with `data-i18n="key"` (its text) or `data-i18n-<attribute>="key"` (e.g.
// `data-i18n-aria-label`), and `localize` fills them in. Dates are shown in the locale the core names for the
// record's host or, with none, the browser's.
'use strict';

(() => {
  /** The default locale's messages, read by `ready` when the browser has not handed this page its own. */
  let fallback = null;

  /** The message `key` in the browser's language (the key itself when missing: a gap shows, never a blank). */
  function words(/** @type {string} */ key, /** @type {string[]} */ ...substitutions) {
    try {
      const found = chrome.i18n.getMessage(key, substitutions);
      if (found) return found;
    } catch {
      // the extension was updated under this page: its scripts can no longer ask
    }
    return fallback?.[key] ? fill(fallback[key], substitutions) : key;
  }

  /** A messages.json entry with its `$NAME$` placeholders filled as the browser does. */
  function fill(/** @type {{message: string, placeholders?: Record<string, {content: string}>}} */ entry, /** @type {string[]} */ substitutions) {
    return entry.message.replace(/\$(\w+)\$/g, (whole, name) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content ?? whole;
      return content.replace(/\$(\d)/g, (_, n) => substitutions[Number(n) - 1] ?? '');
    });
  }

  /**
   * Resolves once words can be looked up. Chromium may open an extension page (a popup, most often) before the
   * messages reach that page's process, and `getMessage` then answers nothing: the page reads the default
   * locale's file, which is its own, instead.
   */
  async function ready() {
    if (chrome.i18n.getMessage('extensionName')) return;
    const locale = chrome.runtime.getManifest().default_locale ?? 'en';
    fallback = await fetch(chrome.runtime.getURL(`_locales/${locale}/messages.json`)).then((response) => response.json()).catch(() => null);
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

  /** The agent's own time zone (IANA). */
  const ownTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

  /** A moment (ISO with a zone) in `locale` and the agent's time zone: "12 Mar 2026, 14:05". */
  function dateTime(/** @type {string} */ iso, /** @type {string | undefined} */ locale) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }

  /**
   * GHL's zoneless "YYYY-MM-DD HH:MM[:SS]", a wall time in the location's zone, in `locale` — with the zone named
   * when it is not the agent's ("12 Mar 2026, 09:00 (America/New_York)"). Other text is shown as written.
   */
  function wallTime(/** @type {string} */ text, /** @type {string | undefined} */ locale, /** @type {string | null | undefined} */ zone) {
    if (/(?:Z|[+-]\d{2}:?\d{2})$/.test(text)) return dateTime(text, locale); // it names its zone: a moment
    const parts = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/.exec(text);
    if (!parts) return text;
    const [year, month, day, hour, minute] = parts.slice(1).map(Number);
    // The wall time as written, formatted in UTC so no zone shifts it.
    const shown = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
      .format(new Date(Date.UTC(year, month - 1, day, hour, minute)));
    return zone && zone !== ownTimeZone() ? `${shown} (${zone})` : shown;
  }

  /** A past moment as people say it when it is recent ("2 hr. ago"), else as a date. */
  function sinceOrDate(/** @type {string} */ iso, /** @type {string | undefined} */ locale, now = Date.now()) {
    const at = Date.parse(iso);
    if (Number.isNaN(at)) return iso;
    return now - at >= 0 && now - at < 7 * 86_400_000 ? relativeTime(at, now, locale) : dateTime(iso, locale);
  }

  /** A due date as people say it when it is near ("tomorrow", "3 days ago"), else as a date. */
  function dueOrDate(/** @type {string} */ iso, /** @type {string | undefined} */ locale, now = new Date()) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return Math.abs(date.getTime() - now.getTime()) < 7 * 86_400_000 ? relativeDay(date, now, locale) : dateTime(iso, locale);
  }

  Object.assign((globalThis.ghlBridge ??= {}), { words, ready, localize, relativeTime, relativeDay, dateTime, wallTime, sinceOrDate, dueOrDate });
})();
