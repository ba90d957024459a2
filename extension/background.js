// Service worker (ES module): wires chrome.* to the Rust core. No rules live here — the core validates the
// sender and the message and decides everything; this file only forwards and answers.
import init, { dispatch, onAlarm } from './pkg/ghl_bridge.js';

// Sends what the outbox holds; the core knows the alarm by this name (src/outbox.rs, ALARM).
const OUTBOX_ALARM = 'ghl-bridge-outbox';
// Background sync of linked contacts, at the cadence in Options (src/background.rs, ALARM).
const SYNC_ALARM = 'ghl-bridge-sync';

const startup = { moduleStartMs: performance.now(), readyMs: null, error: null };

// Started at evaluation, never awaited at top level (service workers forbid top-level await).
const ready = init({ module_or_path: new URL('./pkg/ghl_bridge_bg.wasm', import.meta.url) }).then(
  () => { startup.readyMs = performance.now(); },
  (error) => { startup.error = String(error?.message ?? error); throw error; },
);

// Content scripts may read chrome.storage.local by default; the credentials live there, so keep it to the
// extension's own pages and this worker (Chromium; Firefox allows this for storage.session only).
chrome.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {});

// Registered synchronously at top level, so the event that woke the worker is not missed.
chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  handle(message, sender).then((answer) => {
    sendResponse(answer);
    refreshBadge();
  });
  return true; // the answer is asynchronous
});

chrome.alarms.onAlarm.addListener((alarm) => { alarmFired(alarm.name); });
chrome.alarms.get(OUTBOX_ALARM).then((existing) => {
  if (!existing) chrome.alarms.create(OUTBOX_ALARM, { periodInMinutes: 1 });
});

/** Lets the core act on an alarm; the badge then shows how many edits wait for the agent. */
async function alarmFired(name) {
  try {
    await ready;
    const counts = JSON.parse(await onAlarm(name));
    showBadge(counts.failed);
    await keepSyncAlarm(counts.syncEveryMinutes);
    if (counts.alert) {
      chrome.notifications?.create({ type: 'basic', iconUrl: 'icons/icon-128.png', title: counts.alert.title, message: counts.alert.message });
    }
    return counts;
  } catch (error) {
    return { error: String(error?.message ?? error) };
  }
}

/** The background alarm follows the cadence the core reports (`null`: background sync is off). */
async function keepSyncAlarm(minutes) {
  const existing = await chrome.alarms.get(SYNC_ALARM);
  if (minutes == null) {
    if (existing) await chrome.alarms.clear(SYNC_ALARM);
  } else if (existing?.periodInMinutes !== minutes) {
    await chrome.alarms.create(SYNC_ALARM, { periodInMinutes: minutes });
  }
}

function refreshBadge() {
  alarmFired('ghl-bridge-status');
}

function showBadge(failed) {
  chrome.action.setBadgeText({ text: failed ? String(failed) : '' });
  if (failed) chrome.action.setBadgeBackgroundColor({ color: '#b91c1c' });
}

/** Forwards one message to the core; answers `{ok, data}` or `{ok: false, error: {code, message, …}}`. */
async function handle(message, sender) {
  try {
    await ready;
    const answer = await dispatch(JSON.stringify(message ?? null), JSON.stringify(describeSender(sender)));
    return { ok: true, data: JSON.parse(answer) };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: typeof error?.code === 'string' ? error.code : 'internal',
        message: String(error?.message ?? error),
        retryable: Boolean(error?.retryable),
        status: error?.status ?? null,
        traceId: error?.traceId ?? null,
        queued: Boolean(error?.queued),
      },
    };
  }
}

function describeSender(sender) {
  return {
    extensionId: chrome.runtime.id,
    extensionOrigin: chrome.runtime.getURL(''),
    id: sender.id,
    url: sender.url,
    tabId: sender.tab?.id,
    frameId: sender.frameId,
  };
}

// For tests and the worker's own console: pages and content scripts cannot reach a worker's globals.
refreshBadge(); // badge and background alarm as the stored state says, at every start

globalThis.ghlBridge = { handle, startup, ready, alarmFired };
