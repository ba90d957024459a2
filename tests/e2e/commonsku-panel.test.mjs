// commonsku end to end: the React replica (tests/fixtures/commonsku) → content script → core → GHL sandbox → panel.
// Contact pages get the contact's History and Tasks; client pages list their contacts with each one's GHL state;
// "Fill from GHL" types a GHL contact into commonsku's React-controlled contact form so that its own Save keeps it.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useExtensionSession, panel, panelRootHandle, commonskuUrl, ghlApi, DEMO } from '../../tools/lib/harness.mjs';

/** The "Fill from GHL" control of a dialog (in its own closed root). */
const fillControl = (dialog) => dialog.locator('ghl=div.control');

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));

const JANE_PAGE = '/contact/63da90dd-cfe4-4a05-92bb-747c754854dd';
const PIED_PIPER = '/client/89d5bab6-8aca-4743-95a7-14671e0b8479';
const HOOLI = '/client/8e419f0d-b7dd-40da-b8a0-1a6c099a89a3';
const JANE = 'DemoContactJane0001';

const apiRequests = async () => (await sandbox.admin('GET', '/__admin/log')).entries;

/** Calls the sandbox's GHL API as another GHL user would (a change made in GHL, not in the panel). */
const inGhl = (method, path, body) => ghlApi(sandbox, method, path, body);

test('a contact page shows the GHL contact with one History of notes and appointments, newest first, and its Tasks', async () => {
  await page.goto(commonskuUrl(JANE_PAGE));
  const region = panel(page);
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  const history = region.getByRole('list', { name: 'History' });
  await history.locator('li').first().waitFor();
  const kinds = await history.locator(':scope > li').evaluateAll((items) => items.map((item) => item.dataset.kind));
  assert.ok(kinds.includes('note') && kinds.includes('appointment'), kinds.join());
  assert.equal(await region.getByRole('list', { name: 'Notes' }).count(), 0, 'no separate notes list');
  assert.equal(await region.getByRole('list', { name: 'Appointments' }).count(), 0, 'no separate appointments list');
  // Each entry says what it is.
  assert.ok(await history.getByText('Appointment', { exact: true }).count() > 0);
  assert.ok(await history.getByText('Note', { exact: true }).count() > 0);
  await region.getByRole('list', { name: 'Tasks' }).getByRole('checkbox', { name: 'Book annual boiler service' }).waitFor();
  // The record reached the core as a commonsku contact, matched by email.
  const paths = (await apiRequests()).map((r) => `${r.method} ${r.path}`);
  assert.ok(paths.includes('GET /contacts/search/duplicate'), paths.join());
});

test('a note added on a contact page joins the History; a task is completed from commonsku', async () => {
  await page.goto(commonskuUrl(JANE_PAGE));
  const region = panel(page);
  await region.getByRole('list', { name: 'History' }).locator('li').first().waitFor();
  await region.getByLabel('Note', { exact: true }).fill('Called about the summer order');
  await region.getByRole('button', { name: 'Add note' }).click();
  await region.getByRole('list', { name: 'History' }).getByText('Called about the summer order').waitFor();

  await region.getByRole('checkbox', { name: 'Book annual boiler service' }).check();
  // The core answers the list once GHL has the task completed: it moves to "Completed tasks" (folded away).
  await region.locator('ul[aria-label="Completed tasks"] input[type=checkbox][aria-label="Book annual boiler service"]').waitFor({ state: 'attached' });
  const log = await apiRequests();
  assert.ok(log.some((r) => r.method === 'PUT' && /\/contacts\/DemoContactJane0001\/tasks\/[^/]+\/completed$/.test(r.path)), 'PUT …/completed');
});

test('a task completed in GHL shows in the open panel without a reload', { timeout: 90_000 }, async () => {
  await page.goto(commonskuUrl(JANE_PAGE));
  const region = panel(page);
  const box = region.getByRole('checkbox', { name: 'Book annual boiler service' });
  await box.waitFor();
  assert.equal(await box.isChecked(), false);
  const { tasks } = await inGhl('GET', `/contacts/${JANE}/tasks`);
  const task = tasks.find((t) => t.title === 'Book annual boiler service');
  await inGhl('PUT', `/contacts/${JANE}/tasks/${task.id}/completed`, { completed: true });
  const started = Date.now();
  await region.locator('input[type=checkbox][aria-label="Book annual boiler service"]:checked').waitFor({ state: 'attached', timeout: 65_000 }); // completed tasks fold away
  assert.ok(Date.now() - started <= 62_000, `shown after ${Date.now() - started} ms`);
});

test('a client page lists its contacts with their GHL states, and the business\u2019s other GHL contacts', async () => {
  await page.goto(commonskuUrl(PIED_PIPER));
  const region = panel(page);
  const list = region.getByRole('list', { name: 'Contacts' });
  await list.locator('li').first().waitFor();
  const states = await list.locator(':scope > li').evaluateAll((items) => items.map((item) => [item.querySelector('strong')?.textContent, item.dataset.state]));
  assert.deepEqual(Object.fromEntries(states), { 'Jane Doe': 'match', 'Bertram Gill': 'none', 'Dina Chowdhury': 'none' });
  // Robert shares Jane's GHL business but is not on this client.
  const others = region.getByRole('list', { name: 'In GHL, not on this client' });
  await others.getByText('Robert Smith', { exact: false }).waitFor();
  assert.equal(await others.getByText('Jane Doe').count(), 0);

  // Opening Jane shows her History and Tasks; the way back lists the contacts again.
  await list.getByRole('button', { name: 'Open Jane Doe' }).click();
  await region.getByRole('list', { name: 'History' }).locator('li').first().waitFor();
  await region.getByRole('button', { name: 'Back to Contacts' }).click();
  await region.getByRole('list', { name: 'Contacts' }).waitFor();
});

test('a client with 10 contacts shows every contact\u2019s GHL state', async () => {
  await page.goto(commonskuUrl(HOOLI));
  const list = panel(page).getByRole('list', { name: 'Contacts' });
  await list.locator('li').nth(9).waitFor();
  const states = await list.locator(':scope > li').evaluateAll((items) => items.map((item) => item.dataset.state));
  assert.equal(states.length, 10);
  assert.equal(states.filter((state) => state === 'match').length, 1, states.join()); // Maria Garcia
  assert.equal(states.filter((state) => state === 'none').length, 9, states.join());
});

test('several GHL contacts with a client contact\u2019s email are offered, never one picked', async () => {
  await sandbox.admin('POST', '/__admin/settings', { locationId: DEMO.locationId, allowDuplicates: true });
  await inGhl('POST', '/contacts/', { locationId: DEMO.locationId, firstName: 'Jane', lastName: 'Doe (2)', email: 'jane.doe@example.com' });
  await page.goto(commonskuUrl(PIED_PIPER));
  const list = panel(page).getByRole('list', { name: 'Contacts' });
  await list.locator('li').first().waitFor();
  const jane = list.locator('li[data-state]').filter({ hasText: 'Jane Doe' });
  assert.equal(await jane.getAttribute('data-state'), 'candidates');
  await jane.getByText('2 possible GHL contacts — choose').waitFor();
});

test('a page with a UUID that shows neither a client nor a contact gets no panel', async () => {
  await page.goto(commonskuUrl('/present.php?id=c7a43314-590a-43ec-8be2-d3599d56ebe0'));
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.waitForTimeout(1500);
  assert.equal(await panel(page).count(), 0);
});

test('"Fill from GHL" types a GHL contact into the add-contact form so that commonsku\u2019s own Save keeps it', async () => {
  await page.goto(commonskuUrl(PIED_PIPER));
  const region = panel(page);
  const others = region.getByRole('list', { name: 'In GHL, not on this client' });
  await others.getByRole('button', { name: /Fill a new commonsku contact: Robert Smith/ }).click();
  await region.getByRole('status').getByText(/then use “Fill from GHL”/).waitFor();
  await region.getByRole('button', { name: 'Hide' }).click(); // the agent folds the panel away to reach the page
  await page.getByRole('button', { name: '+ Add Contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Contact' });
  await fillControl(dialog).getByRole('button', { name: 'Fill from GHL' }).click();
  await fillControl(dialog).getByRole('button', { name: 'Fill from Robert Smith' }).click();
  await fillControl(dialog).getByRole('status').getByText(/Filled from GHL/).waitFor();
  assert.equal(await dialog.getByLabel('First Name', { exact: true }).inputValue(), 'Robert');
  assert.equal(await dialog.getByLabel('Email', { exact: true }).inputValue(), 'robert.smith@example.com');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  // commonsku kept every value: the new contact is in its Contacts table with GHL's email.
  await page.getByRole('table').getByText('robert.smith@example.com').waitFor();
  await page.getByRole('table').getByText('Smith').first().waitFor();
});

test('"Fill from GHL" searches GHL by name from the edit-contact form', async () => {
  await page.goto(commonskuUrl('/contact/ad6728f4-e0c7-4365-bf98-f946969f0f5e'));
  await panel(page).getByRole('button', { name: 'Hide' }).click();
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit Contact' });
  await fillControl(dialog).getByRole('button', { name: 'Fill from GHL' }).click();
  await fillControl(dialog).getByRole('searchbox', { name: 'Search GHL by name, email or phone' }).fill('Priya');
  await fillControl(dialog).getByRole('button', { name: 'Search GHL' }).click();
  await fillControl(dialog).getByRole('button', { name: 'Fill from Priya Patel' }).click();
  await fillControl(dialog).getByRole('status').getByText(/Filled from GHL/).waitFor();
  assert.equal(await dialog.getByLabel('Last Name', { exact: true }).inputValue(), 'Patel');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { level: 1, name: /Priya Patel/ }).waitFor();
});

test('hostile GHL text on a commonsku page is shown as text; the token is out of the page\u2019s reach', async () => {
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await inGhl('POST', `/contacts/${JANE}/notes`, { body: hostile });
  await inGhl('POST', `/contacts/${JANE}/tags`, { tags: [hostile] });
  await inGhl('POST', `/contacts/${JANE}/tasks`, { title: hostile, dueDate: new Date(Date.now() + 86_400_000).toISOString(), completed: false });
  await page.goto(commonskuUrl(JANE_PAGE));
  const region = panel(page);
  await region.getByRole('list', { name: 'History' }).getByText(hostile).waitFor();
  await region.getByRole('list', { name: 'Tasks' }).getByText(hostile).first().waitFor();
  await region.getByRole('list', { name: 'Tags' }).getByText(hostile).waitFor();
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
  const html = await (await panelRootHandle(page)).evaluate((shadow) => {
    const serializer = new XMLSerializer();
    return serializer.serializeToString(document) + [...shadow.children].map((node) => serializer.serializeToString(node)).join('');
  });
  assert.ok(!html.includes(DEMO.token), 'the token is not in the page');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!storage.includes(DEMO.token));
  // A page script cannot ask the service worker for settings (no chrome.runtime in the page's world).
  assert.equal(await page.evaluate(() => typeof globalThis.chrome?.runtime?.sendMessage), 'undefined');
});

test('Options switches a host app off: its pages get no panel, the other app keeps it', async () => {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.extensionId}/options/options.html`);
  const commonsku = options.getByRole('checkbox', { name: 'Show the GHL panel in commonsku' });
  await commonsku.waitFor();
  assert.equal(await commonsku.isChecked(), true);
  await commonsku.uncheck();
  await options.getByRole('button', { name: 'Save sync settings' }).click();
  await options.getByText('Sync settings saved.').waitFor();
  await options.close();

  await page.goto(commonskuUrl(JANE_PAGE));
  await page.getByRole('heading', { level: 1, name: /Jane Doe/ }).waitFor();
  await page.waitForTimeout(2500);
  assert.equal(await panel(page).count(), 0);
});
