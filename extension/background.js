// Service worker (ES module): wires chrome.* to the Rust core. No rules live here — the core validates the
// sender and the message and decides everything; this file only forwards and answers.
import init, { dispatch } from './pkg/ghl_bridge.js';

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
  handle(message, sender).then(sendResponse);
  return true; // the answer is asynchronous
});

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
globalThis.ghlBridge = { handle, startup, ready };
