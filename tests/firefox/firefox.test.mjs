// dist/firefox in a real Firefox (Debian's firefox-esr, headless, over WebDriver BiDi), installed as it ships, on
// the real hostnames (a local proxy sends them to the sandbox and replicas). The options page, the Commusoft panel,
// an edit that outlives a stopped background page, and the token out of every content script's reach.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, recordUrl, commonskuUrl, demoState, DEMO } from '../../tools/lib/harness.mjs';
import { launchFirefox } from '../../tools/lib/firefox.mjs';

const JANE = 'DemoContactJane0001';
// Firefox stops an idle background page after this long (30 s by default): the stopped-page test waits for it.
const IDLE_TIMEOUT_MS = 3000;

let sandbox;
let firefox;
let page = null;
before(async () => {
  sandbox = await startSandbox();
  firefox = await launchFirefox(sandbox, { idleTimeoutMs: IDLE_TIMEOUT_MS });
});
after(async () => {
  await firefox?.close();
  await sandbox?.stop();
});

const janesNotes = async () => (await demoState(sandbox)).notes.filter((note) => note.contactId === JANE);

async function resetAndConnect() {
  await sandbox.admin('POST', '/__admin/reset', { seed: 'demo' });
  await sandbox.admin('DELETE', '/__admin/faults');
  await firefox.background((bg) => Promise.all([bg.chrome.storage.local.clear(), bg.ghlBridgeSecrets.clear()]).then(() => null));
  const saved = await firefox.asExtensionPage({ type: 'settings.save', settings: { locationId: DEMO.locationId, auth: { kind: 'pit', token: DEMO.token } } });
  assert.ok(saved.ok, JSON.stringify(saved));
}

/** Opens Jane's Commusoft record and waits for her GHL contact in the panel. */
async function openJane() {
  if (!page) page = await firefox.newTab();
  await page.goto(recordUrl(42));
  await page.panelRoot();
  await page.find('section.panel[data-source=ghl] h3', { text: 'Jane Doe', inPanel: true, timeoutMs: 20_000 });
}

test('first run: the add-on opened Options at the connect step; saving and Test connection work there', async () => {
  const options = firefox.options;
  await options.find('#connect-step:not([hidden])');
  await options.waitFor(() => (document.activeElement?.id === 'token' ? true : null), null, { what: 'the token field to have the focus' });
  await options.type('#token', DEMO.token);
  await options.type('#location-id', DEMO.locationId);
  await options.click('#connection button[type=submit]');
  await options.find('#status', { text: 'Saved' });
  await options.click('#test-connection');
  await options.find('#status', { text: 'Connected to Sandbox Heating Ltd' });
  // The token went to the background page's IndexedDB, not to storage.local.
  const kept = await firefox.background((bg) => bg.ghlBridgeSecrets.get('secret.settings'));
  assert.match(kept, new RegExp(DEMO.token));
});

test('the Commusoft panel matches the record, shows its notes, and a note added lands in GHL once', async () => {
  await resetAndConnect();
  const before = await janesNotes();
  await openJane();
  await page.find('ul[aria-label=Notes] li', { inPanel: true });
  await page.type('#ghl-new-note', 'Firefox: boiler serviced, next visit in March.', { inPanel: true });
  await page.click('button[type=submit]', { text: 'Add note', inPanel: true });
  await page.find('ul[aria-label=Notes] li', { text: 'Firefox: boiler serviced', inPanel: true });
  const after = await janesNotes();
  assert.equal(after.length, before.length + 1);
  assert.equal(after.filter((note) => note.body.includes('Firefox: boiler serviced')).length, 1, 'sent once');
});

test('a note queued while GHL fails survives the background page being stopped, and Send now delivers it once', async () => {
  await resetAndConnect();
  await openJane();
  await sandbox.admin('POST', '/__admin/faults', { statusRates: { 503: 1 }, pathPrefix: `/contacts/${JANE}/notes`, methods: ['POST'] });
  await page.type('#ghl-new-note', 'Queued in Firefox.', { inPanel: true });
  await page.click('button[type=submit]', { text: 'Add note', inPanel: true });
  await page.find('[role=alert]', { text: 'saved on this computer', inPanel: true, timeoutMs: 40_000 });
  await sandbox.admin('DELETE', '/__admin/faults');

  // Firefox stops the idle background page; the next message starts a new one.
  const first = await firefox.background((bg) => bg.performance.timeOrigin);
  const until = Date.now() + 60_000;
  let restarted = null;
  while (!restarted && Date.now() < until) {
    await new Promise((wait) => setTimeout(wait, IDLE_TIMEOUT_MS + 1000));
    const now = await firefox.background((bg) => bg.performance.timeOrigin);
    if (now !== first) restarted = now;
  }
  assert.ok(restarted, 'Firefox stopped and restarted the background page');

  await openJane();
  await page.find('ul[aria-label="Waiting to send"] li', { text: 'Queued in Firefox.', inPanel: true });
  assert.equal((await janesNotes()).filter((note) => note.body === 'Queued in Firefox.').length, 0, 'not sent while GHL failed');
  await page.click('button', { text: 'Send now', inPanel: true });
  await page.find('ul[aria-label=Notes] li', { text: 'Queued in Firefox.', inPanel: true, timeoutMs: 20_000 });
  assert.equal((await janesNotes()).filter((note) => note.body === 'Queued in Firefox.').length, 1, 'delivered once');
});

test('a commonsku contact page (the React replica) shows one History and the Tasks', async () => {
  await resetAndConnect();
  if (!page) page = await firefox.newTab();
  await page.goto(commonskuUrl('/contact/63da90dd-cfe4-4a05-92bb-747c754854dd'));
  await page.panelRoot({ timeoutMs: 20_000 });
  await page.find('section.panel[data-source=ghl] h3', { text: 'Jane Doe', inPanel: true, timeoutMs: 20_000 });
  await page.find('ul[aria-label=History] > li[data-kind=appointment]', { inPanel: true });
  await page.find('ul[aria-label=History] > li[data-kind=note]', { inPanel: true });
  await page.find('ul[aria-label=Tasks] li', { text: 'Book annual boiler service', inPanel: true });
});

test('the toolbar popup page draws the connection and the edits from the core', async () => {
  await resetAndConnect();
  const checked = await firefox.asExtensionPage({ type: 'connection.check' });
  assert.ok(checked.ok, JSON.stringify(checked));
  const popup = await firefox.openExtensionPage('popup/popup.html');
  await popup.find('html[data-drawn-ms]');
  await popup.find('#connection[data-state=connected] h2', { text: 'Connected to Sandbox Heating Ltd' });
  await popup.find('#edits-summary', { text: 'All edits are in GHL.' });
  assert.equal(await popup.evaluate(() => document.title), 'GHL Bridge', 'words from _locales');
  await popup.close();
});

test('the token is out of reach: not in storage.local (which Firefox content scripts can read), not in the page', async () => {
  await resetAndConnect();
  await openJane();
  const local = await firefox.options.evaluate(() => chrome.storage.local.get(null).then((items) => JSON.stringify(items)));
  assert.ok(local.length > 2, 'storage.local holds the links and views');
  assert.doesNotMatch(local, new RegExp(DEMO.token), 'no token in storage.local');
  assert.doesNotMatch(local, /pit-/, 'nothing token-like in storage.local');
  const seen = await page.evaluate(async () => ({
    shadowRoot: document.querySelector('#ghl-bridge-panel')?.shadowRoot ?? null,
    databases: (await indexedDB.databases()).map((db) => db.name),
    text: document.documentElement.textContent,
    chrome: typeof globalThis.chrome?.storage,
  }));
  assert.equal(seen.shadowRoot, null, 'the panel is closed to the page');
  assert.ok(!seen.databases.includes('ghl-bridge-secrets'), 'the page\'s IndexedDB is not the add-on\'s');
  assert.doesNotMatch(seen.text, new RegExp(DEMO.token));
  assert.equal(seen.chrome, 'undefined', 'the page has no extension storage');
  assert.ok(!firefox.proxy.refused.some((name) => name.endsWith('leadconnectorhq.com') || name.includes('commusoft')), 'every product request reached the sandbox');
});

