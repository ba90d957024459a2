// The data check in Options, end to end: a run over the linked records with its progress, the report and its
// filters, CSV export, "Sync this contact" from a row, a run resumed after the worker stopped, and panel sections
// switched off. Production manifest, headless Chromium, the sandbox as GHL.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useExtensionSession, panel, recordUrl, ghlApi, demoState } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));

const optionsUrl = () => `chrome-extension://${browser.extensionId}/options/options.html`;
const check = () => page.locator('#data-check');

/** Opens the records, so they are linked and seen; then GHL changes: Jane's phone, Robert deleted. */
async function linkedRecordsWithProblems() {
  for (const id of [42, 43]) {
    await page.goto(recordUrl(id));
    await panel(page).locator('h3').first().waitFor();
    await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  }
  await ghlApi(sandbox, 'PUT', '/contacts/DemoContactJane0001', { phone: '+447700900555' });
  await ghlApi(sandbox, 'DELETE', '/contacts/DemoContactRobert01');
}

test('a data check lists what disagrees, filters and exports it, and syncs a contact from its row', async () => {
  await sandbox.admin('POST', '/__admin/ratelimit', { max: 1000, intervalMs: 1000 });
  await linkedRecordsWithProblems();
  await page.goto(optionsUrl());
  await check().getByRole('button', { name: 'Run data check' }).click();
  await check().getByRole('status').filter({ hasText: 'Checked 2 linked records: 2 records with something to look at.' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#check-bar').getAttribute('value'), '2');
  const rows = page.locator('#check-findings tbody tr');
  assert.equal(await rows.count(), 2);
  const jane = rows.filter({ hasText: 'Mrs Jane Doe' });
  assert.match(await jane.textContent(), /Fields disagree: 3 mapped fields disagree\..*Mobile → Phone: host app “07700 900123”, GHL “\+447700900555”/s);
  assert.equal(await jane.getByRole('link', { name: 'Mrs Jane Doe' }).getAttribute('href'), recordUrl(42), 'opens the record in the host app');
  assert.match(await jane.getByRole('link', { name: 'GHL contact' }).getAttribute('href'), /contacts\/detail\/DemoContactJane0001$/);
  assert.match(await rows.filter({ hasText: 'Robert' }).textContent(), /GHL contact gone/);

  // Filters.
  await page.locator('#check-kind').selectOption('gone');
  await page.locator('#check-filter').getByRole('button', { name: 'Show' }).click();
  await page.locator('#status').filter({ hasText: 'Data check: 1 records shown.' }).waitFor();
  assert.equal(await rows.count(), 1);
  // Export (what the filter shows).
  const download = page.waitForEvent('download');
  await page.locator('#check-csv').click();
  const csv = readFileSync(await (await download).path(), 'utf8');
  assert.match(csv, /^"record","host app"/);
  assert.match(csv, /"GHL contact gone"/);
  assert.doesNotMatch(csv, /Fields disagree/);

  // Sync this contact from Jane's row: the panel's preview and rules (the host wins the phone).
  await page.locator('#check-kind').selectOption('');
  await page.locator('#check-filter').getByRole('button', { name: 'Show' }).click();
  await jane.getByRole('button', { name: 'Sync this contact: Mrs Jane Doe' }).click();
  await jane.getByText(/Phone.*GHL gets “\+447700900123”/).waitFor();
  await jane.getByRole('button', { name: 'Apply sync' }).click();
  await jane.getByRole('status').waitFor();
  const janeNow = (await demoState(sandbox)).contacts.find((c) => c.id === 'DemoContactJane0001');
  assert.equal(janeNow.phone, '+447700900123', 'GHL has the host app\'s phone again');
  // The last runs.
  assert.match(await page.locator('#check-history').textContent(), /done, 2 records checked/);
});

test('a run left when the worker stopped is resumed where it was', async () => {
  // GHL's budget of 10 requests per 10 s: the check spaces its requests 2.5 s apart.
  await sandbox.admin('POST', '/__admin/ratelimit', { max: 10, intervalMs: 10_000 });
  await linkedRecordsWithProblems();
  await page.goto(optionsUrl());
  await check().getByRole('button', { name: 'Run data check' }).click();
  await check().getByRole('status').filter({ hasText: 'Checked 1 of 2 linked records' }).waitFor({ timeout: 30_000 });
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
  await sandbox.admin('POST', '/__admin/ratelimit', { max: 1000, intervalMs: 1000 });
  await page.reload();
  const resume = check().getByRole('button', { name: 'Resume' });
  await resume.waitFor();
  await resume.click();
  await check().getByRole('status').filter({ hasText: 'Checked 2 linked records' }).waitFor({ timeout: 30_000 });
  const gets = (await sandbox.admin('GET', '/__admin/log')).entries.filter((e) => e.method === 'GET' && e.path === '/contacts/DemoContactJane0001');
  assert.ok(gets.length <= 3, `Jane's contact read by two panel loads and one check, not again (${gets.length})`);
});

test('panel sections switched off in Options are not drawn and cost no GHL request', async () => {
  await page.goto(optionsUrl());
  const sections = page.getByRole('group', { name: 'Panel sections in Commusoft' });
  await sections.getByLabel('Appointments').uncheck();
  await sections.getByLabel('Notes').uncheck();
  await page.getByRole('button', { name: 'Save sync settings' }).click();
  await page.locator('#status').filter({ hasText: 'Sync settings saved' }).waitFor();
  const before = (await sandbox.admin('GET', '/__admin/log')).lastSeq;
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  assert.equal(await panel(page).getByRole('list', { name: 'Appointments' }).count(), 0);
  assert.equal(await panel(page).getByRole('list', { name: 'Notes' }).count(), 0);
  await panel(page).getByRole('list', { name: 'Tasks' }).waitFor();
  const paths = (await sandbox.admin('GET', `/__admin/log?since=${before}`)).entries.map((e) => e.path);
  assert.ok(!paths.some((path) => /\/(notes|appointments)$/.test(path)), paths.join());
});
