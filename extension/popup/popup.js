// @ts-check
// The toolbar popup: draws what the core says (`popup.status`, from storage: no GHL request) — the connection with
// the button that fixes it, edits waiting and the records they belong to, the last background refresh, and which GHL
// contact the record in this tab is (the tab's content script says which record it shows).
const { words, ready, localize, relativeTime } = globalThis.ghlBridge;
/** @returns {any} */
const $ = (/** @type {string} */ selector) => document.querySelector(selector);

await ready();
localize(document);

/** The record the panel in the active tab shows, if any (no content script of ours there: none). */
async function recordInActiveTab() {
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  if (tab?.id == null) return null;
  return chrome.tabs.sendMessage(tab.id, { type: 'panel.record' }).catch(() => null);
}

/** Opens a page of the extension (the core names it) in a tab, and closes the popup. */
async function openPage(/** @type {string} */ page) {
  await chrome.tabs.create({ url: chrome.runtime.getURL(page) });
  window.close();
}

function show(/** @type {any} */ status) {
  const { connection, here, edits, refresh } = status;
  $('#connection').dataset.state = connection.state;
  $('#connection-title').textContent = connection.title;
  $('#connection-detail').textContent = connection.detail ?? '';
  $('#connection-detail').hidden = !connection.detail;
  const action = $('#connection-action');
  action.hidden = !connection.action;
  if (connection.action) {
    action.textContent = connection.action.label;
    action.onclick = () => openPage(connection.action.page);
  }

  $('#here').hidden = !here;
  if (here) {
    $('#here-text').textContent = here.text;
    const link = $('#here-ghl');
    link.hidden = !here.ghlUrl;
    if (here.ghlUrl) link.href = here.ghlUrl;
  }

  $('#edits-summary').textContent = edits.summary;
  const list = $('#edits-records');
  list.replaceChildren(...edits.records.map((/** @type {any} */ row) => {
    const item = document.createElement('li');
    item.classList.toggle('needs-agent', row.needsAgent);
    const label = document.createElement(row.url ? 'a' : 'span');
    label.textContent = row.label;
    if (label instanceof HTMLAnchorElement) {
      label.href = row.url;
      label.target = '_blank';
      label.rel = 'noopener noreferrer';
    }
    const detail = document.createElement('span');
    detail.className = 'detail';
    detail.textContent = row.detail;
    item.append(label, detail);
    return item;
  }));
  list.hidden = edits.records.length === 0;
  $('#edits-more').hidden = edits.more === 0;
  $('#edits-more').textContent = words('popupMoreRecords', String(edits.more));

  $('#refresh-cadence').textContent = refresh.cadence;
  $('#refresh-last').hidden = !refresh.last;
  if (refresh.last) {
    const when = relativeTime(refresh.last.atMs, Date.now(), chrome.i18n.getUILanguage());
    $('#refresh-last').textContent = words('popupLastRefresh', when, refresh.last.summary);
    $('#refresh-last').classList.toggle('error', !refresh.last.ok);
  }
}

$('#open-options').addEventListener('click', () => { chrome.runtime.openOptionsPage(); window.close(); });

const record = await recordInActiveTab();
const answer = await chrome.runtime.sendMessage({ type: 'popup.status', ...(record ? { record } : {}) });
if (answer?.ok) {
  show(answer.data);
} else {
  $('#problem').hidden = false;
  $('#problem').textContent = answer?.error?.message ?? words('popupNoAnswer');
}
$('main').removeAttribute('aria-busy');
// For the benchmark: when the data was drawn, from the page's start.
document.documentElement.dataset.drawnMs = String(Math.round(performance.now()));

export {}; // a module (top-level await; its names stay its own)
