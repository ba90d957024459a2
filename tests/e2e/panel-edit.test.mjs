// The panel as agents use it every day: match, link, create, and edit notes, tasks and tags — each change
// checked in the sandbox's own state, not only on screen. Production manifest, real hostnames, headless Chromium.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useExtensionSession, panel, recordUrl, demoState, ghlApi, ROOT, openCopyOfPanel, panelRootHandle } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));
const JANE = 'DemoContactJane0001';

/** The demo location as the sandbox holds it. */
const state = () => demoState(sandbox);

/** Calls the sandbox's GHL API directly (to set up data), as GHL itself would hold it. */
const ghl = (method, path, body) => ghlApi(sandbox, method, path, body);

async function openJane() {
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
}

test('notes: add, edit and delete land in GHL', async () => {
  await openJane();
  const region = panel(page);
  // An empty note is refused by the core, with its message, and nothing is sent to GHL.
  await region.getByRole('button', { name: 'Add note' }).click();
  const refusal = region.locator('[data-part=notes]').getByRole('alert');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'validation');
  assert.match(await refusal.textContent(), /The note is empty/);
  await region.getByRole('textbox', { name: 'Note', exact: true }).fill('Boiler serviced, flue checked');
  await region.getByRole('button', { name: 'Add note' }).click();
  const notes = region.getByRole('list', { name: 'Notes' });
  await notes.getByText('Boiler serviced, flue checked').waitFor();
  assert.equal(await region.getByRole('textbox', { name: 'Note', exact: true }).inputValue(), '', 'cleared once GHL has it');
  const stored = (await state()).notes.filter((n) => n.body === 'Boiler serviced, flue checked');
  assert.equal(stored.length, 1);

  const item = notes.locator(`[data-note-id="${stored[0].id}"]`);
  await item.getByRole('button', { name: 'Edit note' }).click();
  await item.getByRole('textbox', { name: 'Edit note' }).fill('Boiler serviced, flue and filter checked');
  await item.getByRole('button', { name: 'Save note' }).click();
  await item.getByText('Boiler serviced, flue and filter checked').waitFor();
  assert.ok((await state()).notes.some((n) => n.id === stored[0].id && n.body === 'Boiler serviced, flue and filter checked'));

  await item.getByRole('button', { name: 'Delete note' }).click();
  await item.getByRole('button', { name: 'Confirm delete note' }).click();
  await item.waitFor({ state: 'detached' });
  assert.ok(!(await state()).notes.some((n) => n.id === stored[0].id));
});

test('tasks: add with a local due date (sent as UTC), complete, reopen, delete', async () => {
  await openJane();
  const region = panel(page);
  await region.getByRole('textbox', { name: 'Task title' }).fill('Call back about the quote');
  await region.getByLabel('Due date', { exact: true }).fill('2026-12-01T09:30');
  await region.getByRole('button', { name: 'Add task' }).click();
  const box = region.getByRole('checkbox', { name: 'Call back about the quote' });
  await box.waitFor();
  const expectedUtc = await page.evaluate(() => new Date('2026-12-01T09:30').toISOString());
  const task = (await state()).tasks.find((t) => t.title === 'Call back about the quote');
  assert.equal(new Date(task.dueDate).toISOString(), expectedUtc);

  // click, not check(): the list is redrawn from the core's answer, so the clicked box is replaced.
  await box.click();
  // Jane already has one completed task; ours joins it.
  const summary = region.getByText('Completed (2)');
  await summary.waitFor();
  assert.equal((await state()).tasks.find((t) => t.id === task.id).completed, true);

  await summary.click();
  await region.getByRole('list', { name: 'Completed tasks' }).getByRole('checkbox', { name: 'Call back about the quote' }).click();
  await region.getByRole('list', { name: 'Tasks', exact: true }).getByRole('checkbox', { name: 'Call back about the quote' }).waitFor();
  assert.equal((await state()).tasks.find((t) => t.id === task.id).completed, false);

  await region.getByRole('button', { name: 'Delete task Call back about the quote' }).click();
  await region.getByRole('button', { name: 'Confirm delete task' }).click();
  // The item (not its checkbox, which the confirmation replaces at once) goes when GHL has deleted it.
  await region.locator(`[data-task-id="${task.id}"]`).waitFor({ state: 'detached' });
  assert.ok(!(await state()).tasks.some((t) => t.id === task.id));
});

test('tags: add one and remove one, each through the tags endpoints', async () => {
  await openJane();
  const region = panel(page);
  await region.getByRole('textbox', { name: 'New tag' }).fill('annual-service');
  await region.getByRole('button', { name: 'Add tag' }).click();
  await region.getByRole('button', { name: 'Remove tag annual-service' }).waitFor();
  await region.getByRole('button', { name: 'Remove tag vip' }).click();
  await region.getByRole('button', { name: 'Remove tag vip' }).waitFor({ state: 'detached' });
  const jane = (await state()).contacts.find((c) => c.id === JANE);
  assert.ok(jane.tags.includes('annual-service') && !jane.tags.includes('vip'), JSON.stringify(jane.tags));
  const writes = (await sandbox.admin('GET', '/__admin/log')).entries.filter((e) => e.method !== 'GET' && e.path !== '/contacts/search').map((e) => `${e.method} ${e.path}`);
  assert.deepEqual(writes, [`POST /contacts/${JANE}/tags`, `DELETE /contacts/${JANE}/tags`]);
});

test('create in GHL: one contact from the record, linked', async () => {
  const before = (await state()).contacts.length;
  await page.goto(recordUrl(45));
  const region = panel(page);
  await region.getByText('Creates Tom Newman · tom.newman@example.com · +447700900789.').waitFor();
  await region.getByRole('button', { name: 'Create in GHL' }).click();
  await region.getByRole('heading', { name: 'Tom Newman' }).waitFor();
  const contacts = (await state()).contacts;
  assert.equal(contacts.length, before + 1);
  assert.ok(contacts.some((c) => c.email === 'tom.newman@example.com' && c.phone === '+447700900789'));
  await page.reload();
  await region.getByRole('heading', { name: 'Tom Newman' }).waitFor();
  assert.equal((await state()).contacts.length, before + 1, 'linked: no second create');
});

test('link existing by search, then unlink', async () => {
  await page.goto(recordUrl(45));
  const region = panel(page);
  await region.getByRole('searchbox', { name: 'Search GHL contacts' }).fill('Robert');
  await region.getByRole('button', { name: 'Search' }).click();
  await region.getByRole('button', { name: 'Link Robert Smith' }).click();
  await region.getByRole('heading', { name: 'Robert Smith' }).waitFor();
  await page.reload();
  await region.getByRole('heading', { name: 'Robert Smith' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  await region.getByRole('button', { name: 'Unlink' }).click();
  await region.getByText('You unlinked this customer from GHL.').waitFor();
});

test('a failed create is kept by the outbox (the box empties, the panel says so) and "Try again" lands it once', async () => {
  await openJane();
  const region = panel(page);
  await sandbox.admin('POST', '/__admin/faults', { statusRates: { 500: 1 }, methods: ['POST'] });
  const box = region.getByRole('textbox', { name: 'Note', exact: true });
  await box.fill('Quote sent for a new boiler');
  await region.getByRole('button', { name: 'Add note' }).click();
  const alert = region.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /GHL is having trouble/);
  assert.match(await alert.textContent(), /saved on this computer and will be sent automatically/);
  assert.equal(await box.inputValue(), '', 'stored, so not left to be typed in twice');
  await sandbox.admin('DELETE', '/__admin/faults');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await region.getByRole('list', { name: 'Notes' }).getByText('Quote sent for a new boiler').waitFor();
  assert.equal((await state()).notes.filter((n) => n.body === 'Quote sent for a new boiler').length, 1);
});

test('a dropped answer to a create does not duplicate the note', async () => {
  await openJane();
  const region = panel(page);
  await sandbox.admin('POST', '/__admin/faults', { next: [{ drop: true }], methods: ['POST'] });
  await region.getByRole('textbox', { name: 'Note', exact: true }).fill('Landed once');
  await region.getByRole('button', { name: 'Add note' }).click();
  await region.getByRole('list', { name: 'Notes' }).getByText('Landed once').waitFor();
  assert.equal((await state()).notes.filter((n) => n.body === 'Landed once').length, 1);
});

test('network failure and a rejected token show readable errors', async () => {
  await sandbox.admin('POST', '/__admin/faults', { dropAfterCommitRate: 1, methods: ['GET'] });
  await page.goto(recordUrl(42));
  const alert = panel(page).getByRole('alert');
  await alert.waitFor();
  assert.equal(await alert.getAttribute('data-code'), 'network');
  await sandbox.admin('DELETE', '/__admin/faults');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
});

test('GHL and page text is shown as text: no markup, no script', async () => {
  const payload = '<img src=x onerror="window.__xss=1">';
  await ghl('PUT', `/contacts/${JANE}`, { firstName: `${payload}Jane`, address1: payload });
  await ghl('POST', `/contacts/${JANE}/tags`, { tags: [payload] });
  await ghl('POST', `/contacts/${JANE}/notes`, { body: payload, title: payload });
  await ghl('POST', `/contacts/${JANE}/tasks`, { title: payload, body: payload, dueDate: '2026-12-01T09:00:00Z', completed: false });
  await page.goto(recordUrl(42));
  const region = panel(page);
  await region.getByRole('checkbox', { name: payload }).waitFor();
  assert.ok((await region.getByText(payload, { exact: true }).count()) >= 4, 'shown literally');
  assert.ok(await region.getByRole('heading', { name: `${payload}Jane Doe` }).count());
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script ran');
  assert.equal(await (await panelRootHandle(page)).evaluate((root) => root.querySelectorAll('img').length), 0);
});

test('axe: no serious or critical accessibility violations in either colour scheme, and every control is reachable by keyboard', async () => {
  await openJane();
  await panel(page).getByRole('list', { name: 'Notes' }).waitFor();
  const axe = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // axe cannot enter the closed root: it checks an open copy of it, in the light and the dark scheme.
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const copy = await openCopyOfPanel(page);
    const { violations, checked } = await page.evaluate(async ([source, selector]) => {
      if (!globalThis.axe) (0, eval)(source);
      const result = await globalThis.axe.run({ include: [[selector]] }, { resultTypes: ['violations', 'passes'] });
      const serious = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
      document.querySelector(selector).remove();
      return { violations: serious, checked: result.passes.length };
    }, [axe, copy]);
    assert.deepEqual(violations, [], colorScheme);
    assert.ok(checked > 5, `axe checked the panel's content (${checked} rules passed, ${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  // Tab from the panel's first control reaches "Add note" without a mouse.
  await panel(page).getByRole('button', { name: 'Hide' }).focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await (await panelRootHandle(page)).evaluate((root) => root.activeElement?.textContent === 'Add note');
  }
  assert.ok(reached, 'Add note is reachable with Tab');
});

test('a revisit draws the saved view at once, then fresh data', async () => {
  await openJane();
  await sandbox.admin('POST', '/__admin/faults', { latencyMs: 1500 });
  await page.goto(recordUrl(43));
  await page.goto(recordUrl(42));
  const region = panel(page);
  await page.locator('ghl=section.panel[data-source=cache]').waitFor({ timeout: 1000 });
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  await sandbox.admin('DELETE', '/__admin/faults');
});

test('a rate limit GHL will not lift soon is shown readably, and the panel recovers', async () => {
  // One request per 35 s: the lookup goes through; the next would wait longer than a panel call may (30 s).
  await sandbox.admin('POST', '/__admin/ratelimit', { max: 1, intervalMs: 35_000 });
  await page.goto(recordUrl(42));
  const alert = panel(page).getByRole('alert');
  await alert.waitFor({ timeout: 45_000 });
  assert.equal(await alert.getAttribute('data-code'), 'rate_limited');
  assert.match(await alert.textContent(), /GHL is busy.*rate limit reached — retrying in \d+ s/);
  // The client keeps to the interval GHL announced, then carries on.
  await sandbox.admin('POST', '/__admin/ratelimit', { max: 100, intervalMs: 10_000 });
  await page.waitForTimeout(37_000);
  await page.reload();
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor({ timeout: 30_000 });
});

test('the diagnostics view shows what was read from the page', async () => {
  await openJane();
  const region = panel(page);
  await region.getByText('What was read from this page').click();
  const diagnostics = region.locator('details dl').last();
  assert.match(await diagnostics.textContent(), /jane\.doe@example\.com/);
  assert.match(await diagnostics.textContent(), /Record id42/);
});

test("the Commusoft page's own scripts cannot message the extension", async () => {
  await openJane();
  const extensionId = browser.extensionId;
  const outcome = await page.evaluate(async (id) => {
    if (!globalThis.chrome?.runtime?.sendMessage) return 'no messaging API on the page';
    try {
      await chrome.runtime.sendMessage(id, { type: 'settings.get' });
      return 'answered';
    } catch (error) {
      return `refused: ${error.message}`;
    }
  }, extensionId);
  assert.notEqual(outcome, 'answered', outcome);
  assert.equal((await sandbox.admin('GET', '/__admin/log')).entries.filter((e) => e.method !== 'GET' && e.path !== '/contacts/search').length, 0);
});

test('Escape closes an open edit form or question, as its Cancel does', async () => {
  await openJane();
  const notes = panel(page).getByRole('list', { name: 'Notes' });
  const item = notes.locator('[data-note-id]').first();
  const before = await item.textContent();
  await item.getByRole('button', { name: 'Edit note' }).click();
  const box = item.getByRole('textbox', { name: 'Edit note' });
  await box.fill('Typed, then thought better of it');
  await page.keyboard.press('Escape');
  await box.waitFor({ state: 'detached' });
  assert.equal(await item.textContent(), before, 'nothing changed');
  await item.getByRole('button', { name: 'Delete note' }).click();
  await item.getByRole('button', { name: 'Confirm delete note' }).waitFor();
  await page.keyboard.press('Escape');
  await item.getByRole('button', { name: 'Confirm delete note' }).waitFor({ state: 'detached' });
  assert.equal(await item.textContent(), before, 'still there');
  // A page script's Escape is not the agent's.
  await item.getByRole('button', { name: 'Edit note' }).click();
  await (await panelRootHandle(page)).evaluate((root) => root.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true })));
  await page.waitForTimeout(300);
  assert.equal(await item.getByRole('textbox', { name: 'Edit note' }).count(), 1, 'the form stays open');
});
