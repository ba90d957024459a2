// Notes written in Commusoft: "Send to GHL" on each note of the Notes & communications tab, sent once and updated
// after an edit; the follow-up rule; new notes sent on their own when Options says so.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useExtensionSession, panel, recordUrl, asExtensionPage, demoState } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));
const JANE = 'DemoContactJane0001';

const janes = async (collection) =>
  (await demoState(sandbox))[collection].filter((item) => item.contactId === JANE);

async function openNotesTab() {
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  await page.getByText('Notes & communications', { exact: true }).first().click();
  await page.locator('[data-note-id="9001"] [data-ghl-bridge-send]').waitFor();
}

const note = (id) => page.locator(`[data-note-id="${id}"]`);
const sendButton = (id) => note(id).locator('ghl=button', { hasText: /^Send to GHL/ });

test('a Commusoft note sent twice is one GHL note; after an edit, the same note is updated', async () => {
  const before = (await janes('notes')).length;
  await openNotesTab();
  await sendButton('9002').click();
  await note('9002').locator('ghl=[role=status]').getByText('Sent to GHL as a new note.').waitFor();
  await sendButton('9002').click();
  await note('9002').locator('ghl=[role=status]').getByText('GHL already has this note.').waitFor();
  let notes = await janes('notes');
  assert.equal(notes.length, before + 1);
  const sent = notes.find((n) => n.body === 'Asked for a quote for a new boiler <b>before</b> winter.');
  assert.ok(sent, 'the text arrives literally');
  await panel(page).getByRole('list', { name: 'Notes' }).getByText('Asked for a quote for a new boiler <b>before</b> winter.').waitFor();

  await page.evaluate(() => window.replicaEditNote('42', '9002', 'Asked for a quote for a new boiler before winter — sent 20 Nov.'));
  await sendButton('9002').click();
  await note('9002').locator('ghl=[role=status]').getByText('Updated the note in GHL.').waitFor();
  notes = await janes('notes');
  assert.equal(notes.length, before + 1);
  assert.equal(notes.find((n) => n.id === sent.id).body, 'Asked for a quote for a new boiler before winter — sent 20 Nov.');
});

test('the follow-up rule creates exactly one task for a sent note', async () => {
  const saved = await asExtensionPage(browser, { type: 'preferences.save', preferences: { followUp: { enabled: true, title: 'Call the customer back', dueInDays: 2 } } });
  assert.ok(saved.ok);
  const before = (await janes('tasks')).length;
  await openNotesTab();
  await sendButton('9001').click();
  await note('9001').locator('ghl=[role=status]').getByText('Sent to GHL as a new note, with a follow-up task.').waitFor();
  await sendButton('9001').click();
  await note('9001').locator('ghl=[role=status]').getByText('GHL already has this note.').waitFor();
  const tasks = await janes('tasks');
  assert.equal(tasks.length, before + 1);
  const task = tasks.find((t) => t.title === 'Call the customer back');
  const dueInDays = (Date.parse(task.dueDate) - Date.now()) / 86_400_000;
  assert.ok(dueInDays > 1.9 && dueInDays < 2.1, `due in ${dueInDays} days`);
  await panel(page).getByRole('checkbox', { name: 'Call the customer back' }).waitFor();
});

test('new notes are sent on their own only when Options says so', async () => {
  const before = (await janes('notes')).length;
  await openNotesTab();
  await page.getByLabel('New Commusoft note').fill('Left a voicemail about the service.');
  await page.getByRole('button', { name: '+ Add note' }).click();
  await page.locator('[data-note-id="9102"] [data-ghl-bridge-send]').waitFor();
  await page.waitForTimeout(800);
  assert.equal((await janes('notes')).length, before, 'automatic sending is off by default');

  assert.ok((await asExtensionPage(browser, { type: 'preferences.save', preferences: { sendNewNotes: true } })).ok);
  await page.getByLabel('New Commusoft note').fill('Engineer confirmed for Monday.');
  await page.getByRole('button', { name: '+ Add note' }).click();
  await note('9103').locator('ghl=[role=status]').getByText('Sent to GHL as a new note.').waitFor();
  const notes = await janes('notes');
  assert.equal(notes.length, before + 1);
  assert.ok(notes.some((n) => n.body === 'Engineer confirmed for Monday.'));
});

test('a notes list the page renders late and in steps is the history, never sent on its own', async () => {
  assert.ok((await asExtensionPage(browser, { type: 'preferences.save', preferences: { sendNewNotes: true } })).ok);
  const before = (await janes('notes')).length;
  await page.goto(recordUrl(42));
  await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  await page.getByText('Notes & communications', { exact: true }).first().click();
  // The list arrives in steps: three more notes over the next half second (a slow list, or a page planting notes).
  await page.evaluate(async () => {
    const list = document.querySelector('.notes-communications');
    for (const id of ['9201', '9202', '9203']) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const item = document.createElement('div');
      item.className = 'note ng-scope';
      item.dataset.noteId = id;
      const text = document.createElement('p');
      text.className = 'note-text';
      text.textContent = `Old note ${id} from the customer's history`;
      item.append(text);
      list.append(item);
    }
  });
  await page.locator('[data-note-id="9203"] [data-ghl-bridge-send]').waitFor();
  await page.waitForTimeout(1500);
  assert.equal((await janes('notes')).length, before, 'nothing of the history was sent');
  // A note the agent writes afterwards is new, and goes.
  await page.getByLabel('New Commusoft note').fill('Spoke to the customer today.');
  await page.getByRole('button', { name: '+ Add note' }).click();
  await note('9102').locator('ghl=[role=status]').getByText('Sent to GHL as a new note.').waitFor();
  assert.equal((await janes('notes')).length, before + 1);
});
