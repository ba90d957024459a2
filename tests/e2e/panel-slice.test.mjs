// The first vertical slice, end to end: Commusoft record → content script → service worker → Rust core (wasm)
// → GHL (sandbox) → panel. Production manifest, real hostnames, headless Chromium.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useExtensionSession, saveSettings, clearStorage, panel, recordUrl, asExtensionPage, panelRootHandle, DEMO } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));

const apiRequests = async () => (await sandbox.admin('GET', '/__admin/log')).entries;

test('shows the GHL contact of a view_v2 customer record, found by email', async () => {
  await page.goto(recordUrl(42));
  const region = panel(page);
  await assert.doesNotReject(region.getByRole('heading', { name: 'Jane Doe' }).waitFor());
  await assert.doesNotReject(region.locator('[data-part=contact]').getByText('jane.doe@example.com').waitFor());

  const requests = await apiRequests();
  const paths = requests.map((r) => `${r.method} ${r.path}`);
  // The lookup is one round: GHL's duplicate lookup and a search for every contact with the email.
  assert.deepEqual(paths.slice(0, 2).sort(), ['GET /contacts/search/duplicate', 'POST /contacts/search']);
  for (const part of ['', '/notes', '/tasks', '/appointments']) {
    assert.ok(paths.includes(`GET /contacts/DemoContactJane0001${part}`), paths.join(', '));
  }
  const lookup = requests.find((r) => r.path === '/contacts/search/duplicate');
  assert.equal(lookup.query.includes('email=jane.doe%40example.com'), true, lookup.query);
  for (const request of requests) {
    assert.equal(request.version, '2021-07-28');
    assert.equal(request.auth, 'bearer');
  }
});

test('reads the old `view` layout too (label items followed by value items)', async () => {
  await page.goto(recordUrl(43, { layout: 'view' }));
  await assert.doesNotReject(panel(page).getByRole('heading', { name: 'Robert Smith' }).waitFor());
});

test('follows single-page navigation to another record without a reload', async () => {
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  const navigations = [];
  page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
  await page.getByRole('link', { name: 'Mr Robert Smith' }).click();
  await assert.doesNotReject(panel(page).getByRole('heading', { name: 'Robert Smith' }).waitFor());
  assert.equal(await panel(page).getByRole('heading', { name: 'Jane Doe' }).count(), 0);
  assert.ok(page.url().includes('/customer_list/43/'), page.url());
});

test('a customer GHL does not know is reported as unmatched, not as an error', async () => {
  await page.goto(recordUrl(45));
  await assert.doesNotReject(panel(page).getByText('No GHL contact matches this customer.').waitFor());
  await assert.doesNotReject(panel(page).getByText('Searched by email tom.newman@example.com, phone +447700900789.').waitFor());
});

test('a record without an email is matched by its phone number, in E.164', async () => {
  await page.goto(recordUrl(44));
  await assert.doesNotReject(panel(page).getByRole('heading', { name: 'Priya Patel' }).waitFor());
  const lookup = (await apiRequests()).find((r) => r.path === '/contacts/search/duplicate');
  assert.ok(lookup.query.includes('number=%2B447700900456'), lookup.query);
});

test('GHL failing with 500 through every retry shows a readable error, and "Try again" recovers', async () => {
  // The client retries a failed read up to four times in all; only then does the agent see the error.
  await sandbox.admin('POST', '/__admin/faults', { statusRates: { 500: 1 }, methods: ['GET'] });
  await page.goto(recordUrl(42));
  const alert = panel(page).getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /GHL is having trouble \(HTTP 500\)/);
  await sandbox.admin('DELETE', '/__admin/faults');
  await panel(page).getByRole('button', { name: 'Try again' }).click();
  await assert.doesNotReject(panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor());
});

test('malformed JSON from GHL shows a readable error', async () => {
  await sandbox.admin('POST', '/__admin/faults', { next: [{ malformed: true }] });
  await page.goto(recordUrl(42));
  const alert = panel(page).getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.getAttribute('data-code'), 'bad_response');
  assert.match(await alert.textContent(), /could not read/);
});

test('a rejected token (401) says to check the token in Options', async () => {
  await saveSettings(browser, { token: 'pit-revoked-fake-token' });
  await page.goto(recordUrl(42));
  const alert = panel(page).getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.getAttribute('data-code'), 'unauthorized');
  assert.match(await alert.textContent(), /GHL rejected the token — check the Private Integration Token in Options/);
});

test('before any settings are saved, the panel says how to connect', async () => {
  await clearStorage(browser);
  await page.goto(recordUrl(42));
  const alert = panel(page).getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.getAttribute('data-code'), 'not_configured');
});

test('the panel survives the app re-rendering its container', async () => {
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.getByRole('button', { name: 'Refresh record' }).click();
  await page.waitForTimeout(1200);
  await assert.doesNotReject(panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor());
  assert.equal(await page.locator('#ghl-bridge-panel').count(), 1, 'exactly one panel');
});

test('content scripts cannot read or change settings through the worker', async () => {
  // Simulate what a compromised content script could send: the core refuses settings messages from pages.
  const sw = await browser.worker();
  const answer = await sw.evaluate(async () =>
    globalThis.ghlBridge.handle({ type: 'settings.get' }, {
      id: chrome.runtime.id, url: 'https://app.commusoft.co.uk/customers', tab: { id: 1 }, frameId: 0,
    }));
  assert.equal(answer.ok, false);
  assert.equal(answer.error.code, 'forbidden_sender');
  const fromPage = await asExtensionPage(browser, { type: 'settings.get' });
  assert.equal(fromPage.ok, true);
  assert.equal(JSON.stringify(fromPage.data).includes(DEMO.token), false, 'the token never leaves the core');
});

test('the keyboard command shows the panel with the focus in it, and folds it away when pressed again', async () => {
  await page.goto(recordUrl(42));
  await page.bringToFront();
  const region = panel(page);
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await region.getByRole('button', { name: 'Hide' }).click();
  await region.getByRole('button', { name: 'Show' }).waitFor();
  // What Chrome does for Alt+Shift+G (headless Chromium has no browser-level shortcuts): the worker's command relay.
  const press = async () => (await browser.worker()).evaluate(async () => {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    await globalThis.ghlBridge.relayCommand('toggle-panel', tab);
  });
  await press();
  await region.getByRole('button', { name: 'Hide' }).waitFor();
  const focused = await (await panelRootHandle(page)).evaluate((root) => root.activeElement?.tagName ?? null);
  assert.ok(focused, 'the focus is in the panel');
  await press();
  await region.getByRole('button', { name: 'Show' }).waitFor();
  assert.equal(await (await panelRootHandle(page)).evaluate((root) => root.activeElement?.textContent), 'Show', 'the focus stays on Show');
});
