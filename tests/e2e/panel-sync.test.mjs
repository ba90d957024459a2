// "Sync this contact" driven from the panel: the field-level preview, GHL written with only what changed,
// Commusoft's edit form filled (never saved) with GHL's values, create-if-missing and the duplicate found first.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useExtensionSession, panel, recordUrl, asExtensionPage, demoState, DEMO } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();
let sandbox;
let browser;
let page;
beforeEach(() => ({ sandbox, browser, page } = session));
const JANE = 'DemoContactJane0001';

const state = () => demoState(sandbox);
const lastSeq = async () => (await sandbox.admin('GET', '/__admin/log')).lastSeq;
/** API writes since `seq`, as "METHOD path". */
async function writesSince(seq) {
  const { entries } = await sandbox.admin('GET', `/__admin/log?since=${seq}`);
  return entries.filter((e) => e.method !== 'GET' && !e.path.startsWith('/contacts/search')).map((e) => ({ at: `${e.method} ${e.path}`, body: e.body }));
}

async function open(id, heading) {
  await page.goto(recordUrl(id));
  await panel(page).getByText(heading).first().waitFor();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
}

async function setDirections(directions) {
  const editor = await asExtensionPage(browser, { type: 'mapping.get' });
  const rows = editor.data.rows.map((row) => ({ ...row, direction: directions[row.host] ?? row.direction }));
  const saved = await asExtensionPage(browser, { type: 'mapping.save', mapping: { rows } });
  assert.ok(saved.ok, JSON.stringify(saved.error));
}

test('preview, then Apply writes only the changed fields to GHL; a second sync writes nothing', async () => {
  await open(42, 'Jane Doe');
  const region = panel(page);
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  const preview = region.getByRole('list', { name: 'Sync preview' });
  await preview.waitFor();
  const town = preview.getByRole('listitem').filter({ hasText: 'Town → City' });
  assert.match(await town.textContent(), /Commusoft: London · GHL: Manchester/);
  assert.match(await town.textContent(), /GHL gets “London”/);
  assert.match(await preview.getByRole('listitem').filter({ hasText: 'Mobile → Phone' }).textContent(), /Same on both sides/);

  const seq = await lastSeq();
  await region.getByRole('button', { name: 'Apply sync' }).click();
  await region.getByText('Updated 2 field(s) in GHL.').waitFor();
  assert.deepEqual(await writesSince(seq), [{ at: `PUT /contacts/${JANE}`, body: { city: 'London', postalCode: 'N1 7AA' } }]);
  const jane = (await state()).contacts.find((c) => c.id === JANE);
  assert.deepEqual([jane.city, jane.postalCode, jane.firstName], ['London', 'N1 7AA', 'Jane']);

  await region.getByRole('button', { name: 'Close' }).click();
  await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
  const again = await lastSeq();
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  await region.getByText('Already in sync: nothing to change.').waitFor();
  assert.equal(await region.getByRole('button', { name: 'Apply sync' }).count(), 0);
  assert.deepEqual(await writesSince(again), [], 'the second sync sends no write');
});

test('GHL → Commusoft: values go into the open edit form, highlighted, and the form is not saved', async () => {
  await setDirections({ town: 'bothGhlWins', postcode: 'toHost' });
  await open(42, 'Jane Doe');
  const region = panel(page);

  // Without the edit form open, the panel says what to do and lists the values.
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  await region.getByRole('button', { name: 'Apply sync' }).click();
  await region.getByText('Open “Edit customer” in Commusoft').waitFor();
  assert.match(await region.locator('[data-part=sync]').textContent(), /Town → City: Manchester/);

  await page.getByRole('button', { name: 'Edit customer' }).click();
  await region.getByRole('button', { name: 'Close' }).click();
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  const seq = await lastSeq();
  await region.getByRole('button', { name: 'Apply sync' }).click();
  await region.getByText('Filled 2 field(s) in the edit form').waitFor();
  assert.equal(await page.getByLabel('Town').inputValue(), 'Manchester');
  assert.equal(await page.getByLabel('Postcode').inputValue(), 'M14 5TP');
  assert.equal(await page.getByLabel('Town').getAttribute('data-ghl-bridge-filled'), '');
  assert.equal(await page.getByLabel('Address line 1').getAttribute('data-ghl-bridge-filled'), null, 'unchanged fields are left alone');
  assert.equal(await page.evaluate(() => window.REPLICA_SAVES), undefined, 'the extension never saves Commusoft forms');
  assert.deepEqual(await writesSince(seq), [], 'nothing was written to GHL');
});

test('a customer GHL does not have: the preview shows the new contact, Create makes exactly one', async () => {
  await open(46, 'No GHL contact matches this customer.');
  const region = panel(page);
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  await region.getByRole('heading', { name: 'Create in GHL from this record' }).waitFor();
  const preview = region.getByRole('list', { name: 'Sync preview' });
  assert.match(await preview.getByRole('listitem').filter({ hasText: 'Company name → Company name' }).textContent(), /GHL gets “Vale Heating”/);
  const seq = await lastSeq();
  await region.getByRole('button', { name: 'Create contact' }).click();
  await region.getByText('Created the contact in GHL from this record.').waitFor();
  const created = (await state()).contacts.filter((c) => c.email === 'sam.vale@example.com');
  assert.equal(created.length, 1);
  assert.deepEqual([created[0].firstName, created[0].lastName, created[0].phone, created[0].companyName, created[0].city],
    ['Sam', 'Vale', '+447700900999', 'Vale Heating', 'Hull']);
  assert.deepEqual((await writesSince(seq)).map((w) => w.at), ['POST /contacts/']);
  await region.getByRole('button', { name: 'Close' }).click();
  await region.getByRole('heading', { name: 'Sam Vale' }).waitFor();
});

test('a duplicate GHL gained meanwhile is linked, not created again', async () => {
  await open(46, 'No GHL contact matches this customer.');
  // Another agent creates the contact in GHL while this panel shows "no match".
  const response = await fetch(`${sandbox.http}/contacts/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEMO.token}`, Version: '2021-07-28', 'Content-Type': 'application/json' },
    body: JSON.stringify({ locationId: DEMO.locationId, firstName: 'Sam', lastName: 'Vale', email: 'sam.vale@example.com' }),
  });
  const existing = (await response.json()).contact.id;
  const region = panel(page);
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  const seq = await lastSeq();
  await region.getByRole('button', { name: 'Create contact' }).click();
  await region.locator('[data-part=sync] [role=status]').waitFor();
  assert.equal((await state()).contacts.filter((c) => c.email === 'sam.vale@example.com').length, 1, 'no second contact');
  const writes = await writesSince(seq);
  assert.ok(writes.every((w) => w.at !== 'POST /contacts/'), JSON.stringify(writes));
  assert.deepEqual(writes.map((w) => w.at), [`PUT /contacts/${existing}`], 'the mapped fields it lacked are filled in');
});
