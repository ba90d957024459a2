// Never lose an edit: a note typed while GHL fails is stored, survives the service worker being stopped, waits in
// the panel, and reaches GHL exactly once — by "Send now" or by the background alarm. Refused edits show on the
// toolbar badge until the agent retries or discards them.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useExtensionSession, panel, recordUrl, demoState, DEMO } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));
const JANE = 'DemoContactJane0001';

const janesNotes = async () =>
  (await demoState(sandbox)).notes.filter((n) => n.contactId === JANE);

async function openJane() {
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
}

async function addNoteWhileGhlFails(text) {
  await sandbox.admin('POST', '/__admin/faults', { statusRates: { 503: 1 }, pathPrefix: `/contacts/${JANE}/notes`, methods: ['POST'] });
  const region = panel(page);
  await region.getByRole('textbox', { name: 'Note' }).fill(text);
  await region.getByRole('button', { name: 'Add note' }).click();
  await region.getByText('Your change is saved on this computer and will be sent automatically.').waitFor({ timeout: 40_000 });
  assert.equal(await region.getByRole('textbox', { name: 'Note' }).inputValue(), '', 'emptied: the note is stored, not to be typed again');
  await sandbox.admin('DELETE', '/__admin/faults');
}

/** Stops the extension's service worker, as Chrome does when it is idle. */
async function stopServiceWorker() {
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

test('a note typed while GHL fails survives a stopped worker, waits in the panel, and Send now delivers it once', async () => {
  const before = (await janesNotes()).length;
  await openJane();
  await addNoteWhileGhlFails('Customer asked for an earlier visit.');
  await stopServiceWorker();

  await openJane();
  const waiting = panel(page).getByRole('list', { name: 'Waiting to send' });
  await waiting.getByText('Customer asked for an earlier visit.').waitFor();
  await waiting.getByRole('button', { name: 'Send now: New note' }).click();
  await panel(page).getByRole('list', { name: 'Notes' }).getByText('Customer asked for an earlier visit.').waitFor();
  assert.equal((await janesNotes()).length, before + 1);
  assert.equal((await janesNotes()).filter((n) => n.body === 'Customer asked for an earlier visit.').length, 1);
});

test('the background alarm sends what waits, after the worker was stopped', async () => {
  const before = (await janesNotes()).length;
  await openJane();
  await addNoteWhileGhlFails('Parts arrive on Thursday.');
  await stopServiceWorker();
  // A fresh worker (woken by the next page visit); make the stored edit due (as time would) and fire the alarm's
  // handler.
  await openJane();
  const sw = await browser.worker();
  const counts = await sw.evaluate(async () => {
    const { outbox } = await chrome.storage.local.get('outbox');
    for (const item of outbox.items) item.nextAtMs = 0;
    await chrome.storage.local.set({ outbox });
    return globalThis.ghlBridge.alarmFired('ghl-bridge-outbox');
  });
  assert.deepEqual([counts.sent, counts.waiting, counts.failed], [1, 0, 0]);
  assert.equal((await janesNotes()).filter((n) => n.body === 'Parts arrive on Thursday.').length, 1);
  assert.equal((await janesNotes()).length, before + 1);
  assert.ok(await sw.evaluate(async () => (await chrome.alarms.get('ghl-bridge-outbox'))?.periodInMinutes === 1), 'the alarm is registered');
});

test('offline, then online: a note and a tag added offline wait in the panel and reach GHL once, in order', async () => {
  const before = (await janesNotes()).length;
  await openJane();
  const region = panel(page);
  // The whole browser offline, its service worker included (Playwright emulates it over CDP for workers too).
  await browser.context.setOffline(true);
  try {
    await region.getByRole('textbox', { name: 'Note' }).fill('Typed on the train.');
    await region.getByRole('button', { name: 'Add note' }).click();
    await region.getByText('Your change is saved on this computer and will be sent automatically.').first().waitFor({ timeout: 40_000 });
    assert.equal(await region.getByRole('textbox', { name: 'Note' }).inputValue(), '');
    await region.getByRole('textbox', { name: 'New tag' }).fill('offline-tag');
    await region.getByRole('button', { name: 'Add tag' }).click();
    await region.getByText('saved on this computer').nth(1).waitFor({ timeout: 40_000 });
    const sw = await browser.worker();
    const stored = await sw.evaluate(async () => (await chrome.storage.local.get('outbox')).outbox.items);
    assert.deepEqual(stored.map((item) => item.op), ['note.create', 'tags.add']);
    assert.equal(stored[0].failure.code, 'network');
    assert.ok(stored[0].nextAtMs - Date.now() <= 60_000, 'tried again within a minute of being back online');
  } finally {
    await browser.context.setOffline(false);
  }
  assert.equal((await janesNotes()).length, before, 'nothing reached GHL while offline');
  const sw = await browser.worker();
  const counts = await sw.evaluate(async () => {
    const { outbox } = await chrome.storage.local.get('outbox');
    for (const item of outbox.items) item.nextAtMs = 0; // the minute passes
    await chrome.storage.local.set({ outbox });
    return globalThis.ghlBridge.alarmFired('ghl-bridge-outbox');
  });
  assert.deepEqual([counts.sent, counts.waiting, counts.failed], [2, 0, 0]);
  assert.equal((await janesNotes()).filter((n) => n.body === 'Typed on the train.').length, 1);
  const jane = (await demoState(sandbox)).contacts.find((c) => c.id === JANE);
  assert.ok(jane.tags.includes('offline-tag'));
});

test('an edit of a note deleted in GHL meanwhile waits for the agent, shows on the badge, and can be discarded', async () => {
  await openJane();
  const region = panel(page);
  const item = region.getByRole('list', { name: 'Notes' }).getByRole('listitem').first();
  await item.getByRole('button', { name: 'Edit note' }).click();
  // The note is deleted in GHL meanwhile: the update is refused (404) and kept for the agent.
  const noteId = await item.getAttribute('data-note-id');
  assert.ok(noteId, 'notes carry their id');
  await fetch(`${sandbox.http}/contacts/${JANE}/notes/${noteId}`, {
    method: 'DELETE', headers: { Authorization: `Bearer ${DEMO.token}`, Version: '2021-07-28' },
  });
  await item.getByRole('textbox', { name: 'Edit note' }).fill('Changed after it was deleted in GHL');
  await item.getByRole('button', { name: 'Save note' }).click();
  await region.getByRole('alert').first().waitFor();
  const sw = await browser.worker();
  await sw.evaluate(() => globalThis.ghlBridge.alarmFired('status'));
  assert.equal(await sw.evaluate(() => chrome.action.getBadgeText({})), '1');

  await openJane();
  const waiting = region.getByRole('list', { name: 'Waiting to send' });
  await waiting.getByText('This note was deleted in GHL after you opened it.').waitFor();
  assert.equal(await waiting.getByRole('button', { name: 'Send as new: Note change' }).count(), 1, 'or sent again as a new note');
  await waiting.getByRole('button', { name: 'Discard: Note change' }).click();
  await region.getByRole('list', { name: 'Waiting to send' }).waitFor({ state: 'detached' });
  await sw.evaluate(() => globalThis.ghlBridge.alarmFired('status'));
  assert.equal(await sw.evaluate(() => chrome.action.getBadgeText({})), '');
});

test('a note changed in GHL meanwhile: both versions shown, Merge keeps both', async () => {
  await openJane();
  const region = panel(page);
  const item = region.getByRole('list', { name: 'Notes' }).getByRole('listitem').first();
  const noteId = await item.getAttribute('data-note-id');
  await fetch(`${sandbox.http}/contacts/${JANE}/notes/${noteId}`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${DEMO.token}`, Version: '2021-07-28', 'Content-Type': 'application/json' },
    body: JSON.stringify({ body: 'Changed in GHL by a colleague' }),
  });
  await item.getByRole('button', { name: 'Edit note' }).click();
  await item.getByRole('textbox', { name: 'Edit note' }).fill('Changed in the panel');
  await item.getByRole('button', { name: 'Save note' }).click();
  await region.getByText('was changed in GHL after you opened it').first().waitFor();
  assert.equal((await janesNotes()).find((n) => n.id === noteId).body, 'Changed in GHL by a colleague', 'not overwritten');

  await openJane();
  const waiting = region.getByRole('list', { name: 'Waiting to send' });
  assert.equal(await waiting.locator('[data-version=ghl]').textContent(), 'Changed in GHL by a colleague');
  await waiting.getByRole('button', { name: 'Merge: Note change' }).click();
  await region.getByRole('list', { name: 'Waiting to send' }).waitFor({ state: 'detached' });
  assert.equal((await janesNotes()).find((n) => n.id === noteId).body, 'Changed in GHL by a colleague\n\nChanged in the panel');
});
