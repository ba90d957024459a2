// The options page, driven as a person would: connection, test connection, sync settings, export and reset —
// and the saved token out of reach of content scripts and pages.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, launchBrowser, clearStorage, asExtensionPage, saveSettings, recordUrl, panel, DEMO, ROOT } from '../../tools/lib/harness.mjs';

let sandbox;
let browser;
let page;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser(sandbox);
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});
beforeEach(async () => {
  await sandbox.admin('POST', '/__admin/reset', { seed: 'demo' });
  await clearStorage(browser);
  await page?.close();
  page = await browser.context.newPage();
});

const optionsUrl = () => `chrome-extension://${browser.extensionId}/options/options.html`;
const statusText = () => page.getByRole('status').textContent();

async function openOptions() {
  await page.goto(optionsUrl());
  await page.getByLabel('Location ID').waitFor();
}

/** Waits until the status region says something containing `text`. */
async function statusSays(text, timeout = 40_000) {
  await page.getByRole('status').filter({ hasText: text }).waitFor({ timeout });
}

async function connectWith(token) {
  await openOptions();
  await page.getByLabel('Private Integration Token').fill(token);
  await page.getByLabel('Location ID').fill(DEMO.locationId);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await statusSays('Saved');
}

test('saving a token, then Test connection shows the location, the scopes and the rate headroom', async () => {
  await connectWith(DEMO.token);
  const saved = await asExtensionPage(browser, { type: 'settings.get' });
  assert.equal(saved.data.configured, true);
  assert.equal(saved.data.locationId, DEMO.locationId);
  assert.equal(saved.data.tokenHint, `…${DEMO.token.slice(-4)}`);
  assert.equal(await page.getByLabel('Private Integration Token').inputValue(), '', 'the token is not shown again');

  await page.getByRole('button', { name: 'Test connection' }).click();
  await statusSays('Connected to Sandbox Heating Ltd: the token can read and change contacts.');
  const report = page.locator('#connection-report');
  assert.match(await report.textContent(), /Read contactsAllowed/);
  assert.match(await report.textContent(), /Change contactsAllowed/);
  assert.match(await report.textContent(), /Missing scopesNone/);
  assert.match(await report.textContent(), /Rate limit left\d+ of 100 per 10 s/);
});

test('a bad token and a token without write scope get messages that say what to do', async () => {
  await connectWith('pit-not-a-real-token-0000');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await statusSays('GHL rejected the token');
  assert.match(await statusText(), /check the Private Integration Token/);

  await connectWith(DEMO.readonlyToken);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await statusSays('lacks contacts.write');
  assert.match(await page.locator('#connection-report').textContent(), /Change contactsNot allowed/);
});

test('a token for another location, and GHL unreachable, get messages that say what to do', async () => {
  await connectWith('pit-sandbox-other-location');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await statusSays('no access to location');
  assert.match(await statusText(), /SandboxLocation00001/);

  await connectWith(DEMO.token);
  // Every request's connection drops: the client retries, then says GHL cannot be reached.
  await sandbox.admin('POST', '/__admin/faults', { dropAfterCommitRate: 0, statusRates: {}, next: Array.from({ length: 12 }, () => ({ drop: true })) });
  await page.getByRole('button', { name: 'Test connection' }).click();
  await statusSays('Could not reach GHL');
  assert.match(await statusText(), /Could not reach GHL. Check your internet connection/);
  await sandbox.admin('DELETE', '/__admin/faults');
});

test('the token box is masked with a show toggle, and an empty box keeps the saved token', async () => {
  await connectWith(DEMO.token);
  const box = page.getByLabel('Private Integration Token');
  assert.equal(await box.getAttribute('type'), 'password');
  const toggle = page.getByRole('button', { name: 'Show', exact: true });
  await toggle.click();
  assert.equal(await box.getAttribute('type'), 'text');
  assert.equal(await page.getByRole('button', { name: 'Hide' }).getAttribute('aria-pressed'), 'true');

  await page.reload();
  await page.getByText(`A token ending …${DEMO.token.slice(-4)} is saved`).waitFor();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await statusSays('Saved');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await statusSays('Connected to Sandbox Heating Ltd: the token can read and change contacts.');
});

test('invalid entries are refused with the core\'s explanation and change nothing', async () => {
  await openOptions();
  await page.getByLabel('Private Integration Token').fill('pit-fake-token');
  await page.getByLabel('Location ID').fill('../other');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await statusSays('Location ID should be the sub-account id');
  assert.equal((await asExtensionPage(browser, { type: 'settings.get' })).data.configured, false);
});

test('sync settings are saved, shown again, and validated', async () => {
  await openOptions();
  await page.getByLabel('Background sync every (minutes)').fill('30');
  await page.getByLabel("Background sync may use this share of GHL's daily requests (%)").fill('20');
  await page.getByLabel('Phone numbers written without a country code are').selectOption('US');
  await page.getByLabel('When a note is sent from the host app, create a GHL task').check();
  await page.getByLabel('Follow-up task title').fill('Call the customer back');
  await page.getByLabel('Due after (days)').fill('3');
  await page.getByRole('button', { name: 'Save sync settings' }).click();
  await statusSays('Sync settings saved');

  await page.reload();
  await page.getByLabel('Follow-up task title').waitFor();
  assert.equal(await page.getByLabel('Background sync every (minutes)').inputValue(), '30');
  assert.equal(await page.getByLabel("Background sync may use this share of GHL's daily requests (%)").inputValue(), '20');
  assert.equal(await page.getByLabel('Phone numbers written without a country code are').inputValue(), 'US');
  assert.equal(await page.getByLabel('Follow-up task title').inputValue(), 'Call the customer back');
  assert.equal(await page.getByLabel('When a note is sent from the host app, create a GHL task').isChecked(), true);

  await page.getByLabel('Background sync every (minutes)').fill('0');
  await page.getByRole('button', { name: 'Save sync settings' }).click();
  await statusSays('every 1 to 1440 minutes');
  const kept = await asExtensionPage(browser, { type: 'preferences.get' });
  assert.equal(kept.data.cadenceMinutes, 30);
});

test('export leaves the token out; reset forgets everything after a confirmation', async () => {
  await connectWith(DEMO.token);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export settings' }).click()]);
  const exported = readFileSync(await download.path(), 'utf8');
  assert.equal(JSON.parse(exported).settings.locationId, DEMO.locationId);
  assert.ok(!exported.includes(DEMO.token), 'no token in the export');

  await page.getByRole('button', { name: 'Reset everything' }).click();
  await page.getByRole('button', { name: 'Keep everything' }).click();
  assert.equal((await asExtensionPage(browser, { type: 'settings.get' })).data.configured, true);
  await page.getByRole('button', { name: 'Reset everything' }).click();
  await page.getByRole('button', { name: 'Yes, reset everything' }).click();
  await statusSays('Everything was reset');
  assert.equal((await asExtensionPage(browser, { type: 'settings.get' })).data.configured, false);
  assert.equal(await page.getByLabel('Location ID').inputValue(), '');
});

test('neither the page nor our content script can read the saved token', async () => {
  await saveSettings(browser);
  const cdp = await browser.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
  await cdp.send('Runtime.enable');
  await page.goto(recordUrl(42));
  await panel(page).waitFor();

  const inPage = await page.evaluate(() => typeof globalThis.chrome?.storage);
  assert.equal(inPage, 'undefined', 'the page has no chrome.storage');

  const isolated = contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'GHL Bridge');
  assert.ok(isolated, 'found our content script\'s world');
  const { result } = await cdp.send('Runtime.evaluate', {
    contextId: isolated.id,
    awaitPromise: true,
    returnByValue: true,
    expression: `chrome.storage.local.get(null).then((items) => JSON.stringify(items), (error) => 'refused: ' + error.message)`,
  });
  assert.ok(!String(result.value).includes(DEMO.token), `content script read: ${result.value}`);
  assert.match(String(result.value), /^refused: /, 'storage.local is closed to content scripts');

  // Where storage.local is open to content scripts (Firefox), it holds no credential: the token is in the worker's
  // IndexedDB, and a content script's indexedDB is the page's own.
  const sw = await browser.worker();
  const [plain, secret] = await sw.evaluate(async () => [
    JSON.stringify(await chrome.storage.local.get(null)),
    await globalThis.ghlBridgeSecrets.get('secret.settings'),
  ]);
  assert.ok(!plain.includes(DEMO.token), 'storage.local holds no token');
  assert.ok(String(secret).includes(DEMO.token), 'the secret store holds it');
  const { result: databases } = await cdp.send('Runtime.evaluate', {
    contextId: isolated.id,
    awaitPromise: true,
    returnByValue: true,
    expression: `indexedDB.databases().then((list) => JSON.stringify(list.map((db) => db.name)))`,
  });
  assert.doesNotMatch(String(databases.value), /ghl-bridge-secrets/, 'the content script\'s indexedDB is the page\'s');
});

test('axe: the options page has no serious or critical violations in either colour scheme, and follows the scheme', async () => {
  await openOptions();
  await page.evaluate(readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const violations = await page.evaluate(async () => {
      const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
    });
    assert.deepEqual(violations, [], colorScheme);
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light);
});

test('field mapping: custom fields offered, rows saved, conflicts refused, and a preview with sample data', async () => {
  await connectWith(DEMO.token);
  const rows = page.locator('#mapping-rows tr');
  assert.equal(await rows.count(), 9);
  assert.match(await rows.nth(3).textContent(), /Phone in E\.164/, 'the mobile row says how the number is changed');
  const landlineGhl = page.getByLabel('Row 5 GHL field');
  const customOption = landlineGhl.locator('option', { hasText: 'Boiler Model (custom field)' });
  const customId = await customOption.getAttribute('value');
  assert.match(customId, /^customField\./);

  // Two rows writing GHL's phone are refused with the row named.
  await page.getByLabel('Row 5 direction').selectOption('toGhl');
  await page.getByRole('button', { name: 'Save mapping' }).click();
  await statusSays("Row 5: GHL's Phone is already written by another row.");

  await landlineGhl.selectOption(customId);
  await page.getByRole('button', { name: 'Save mapping' }).click();
  await statusSays('Field mapping saved');
  await page.reload();
  await page.getByLabel('Row 5 GHL field').waitFor();
  assert.equal(await page.getByLabel('Row 5 GHL field').inputValue(), customId);
  assert.equal(await page.getByLabel('Row 5 direction').inputValue(), 'toGhl');

  const before = (await sandbox.admin('GET', '/__admin/log')).lastSeq;
  await page.getByRole('button', { name: 'Preview' }).click();
  await statusSays('Preview ready');
  const result = page.locator('#preview-result table');
  assert.match(await result.locator('caption').textContent(), /DemoContactJane0001/);
  assert.match(await result.getByRole('row').filter({ hasText: 'Town → City' }).textContent(), /LondonManchesterGHL gets “London”/);
  assert.match(await result.getByRole('row').filter({ hasText: 'Landline → GHL custom field' }).textContent(), /GHL gets “020 7946 0123”/);
  const writes = (await sandbox.admin('GET', `/__admin/log?since=${before}`)).entries.filter((e) => e.method !== 'GET' && !e.path.startsWith('/contacts/search'));
  assert.deepEqual(writes, [], 'a preview changes nothing');

  await page.getByLabel('GHL contact (email or contact id; empty for a new contact)').fill('');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('#preview-result caption', { hasText: 'A new GHL contact would be created with' }).waitFor();
});

test('the sync log: filters, errors only, and JSON and CSV exports', async () => {
  await saveSettings(browser);
  // Two operations through the panel's messages: one that works, one GHL refuses.
  const record = { host: 'app.commusoft.co.uk', recordId: '42', email: 'jane.doe@example.com' };
  await asExtensionPage(browser, { type: 'panel.load', record });
  await asExtensionPage(browser, { type: 'note.create', record, body: 'Logged note' });
  await sandbox.admin('POST', '/__admin/faults', { next: [{ status: 422 }], pathPrefix: '/contacts/DemoContactJane0001/notes', methods: ['POST'] });
  await asExtensionPage(browser, { type: 'note.create', record, body: 'Refused note' });
  await openOptions();
  await page.getByRole('button', { name: 'Show log' }).click();
  await statusSays('Log: 2 entries.');
  const rows = page.locator('#log-entries tbody tr');
  assert.match(await rows.first().textContent(), /note\.createDemoContactJane0001Failed \(validation\)/);
  await page.getByLabel('Errors only').check();
  await page.getByRole('button', { name: 'Show log' }).click();
  await statusSays('Log: 1 entries.');
  await page.getByLabel('GHL contact id').fill('SomeoneElse');
  await page.getByRole('button', { name: 'Show log' }).click();
  await statusSays('Log: 0 entries.');
  await page.getByLabel('GHL contact id').fill('');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const text = readFileSync(await csv.path(), 'utf8');
  assert.equal(text.split('\r\n').length, 3, 'header, one error, final line break');
  assert.match(text, /"note\.create","DemoContactJane0001","failed","validation"/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  assert.equal(JSON.parse(readFileSync(await json.path(), 'utf8')).length, 1);
});

test('the options module starts on the first options message, not with the worker', async () => {
  const fresh = await launchBrowser(sandbox);
  try {
    // The first run's Options tab has already talked to this worker: stop it, and let a host page wake it.
    const waker = await fresh.context.newPage();
    const cdp = await fresh.context.newCDPSession(waker);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    await waker.goto(recordUrl(42));
    const sw = await fresh.worker();
    const startup = () => sw.evaluate(async () => {
      await globalThis.ghlBridge.ready;
      return globalThis.ghlBridge.startup;
    });
    const atStart = await startup();
    assert.ok(atStart.readyMs > 0, 'the records module is ready');
    assert.equal(atStart.pagesStartMs, null, 'the options module is not loaded at start');
    const answer = await asExtensionPage(fresh, { type: 'settings.get' });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.ok((await startup()).pagesReadyMs > 0, 'the first options message loaded it');
  } finally {
    await fresh.close();
  }
});

test('a trap in the core answers the message and the next message gets a fresh core', async () => {
  await saveSettings(browser);
  const sw = await browser.worker();
  const outcome = await sw.evaluate(async () => {
    const { handle, startup } = globalThis.ghlBridge;
    const sender = { id: chrome.runtime.id, url: chrome.runtime.getURL('options.html') };
    const before = startup.restarts;
    // 140 MB: more than the core's bounded memory (128 MiB) can take in, so copying it in traps the instance.
    const trapped = await handle({ type: 'settings.get', padding: 'x'.repeat(140_000_000) }, sender);
    // 5 MB fits, and is refused by the core's message size rule without a trap.
    const refused = await handle({ type: 'settings.get', padding: 'x'.repeat(5_000_000) }, sender);
    const after = await handle({ type: 'settings.get' }, sender);
    return { trapped, refused, after, restarts: startup.restarts - before };
  });
  assert.equal(outcome.trapped.ok, false);
  assert.equal(outcome.trapped.error.code, 'core_restarted', JSON.stringify(outcome.trapped));
  assert.match(outcome.trapped.error.message, /restarted/);
  assert.equal(outcome.restarts, 1, 'one fresh instance');
  assert.equal(outcome.refused.error.code, 'invalid_message');
  assert.equal(outcome.after.ok, true, 'the fresh core serves the next message');
  assert.equal(outcome.after.data.locationId, DEMO.locationId, 'and reads what was stored before the trap');
});
