// Reading real pages, end to end on the Commusoft replica: never a silent pick, never the previous record's
// details under a new URL, and the agent fixing a miss in two clicks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useExtensionSession, recordUrl, panel, asExtensionPage, DEMO } from '../../tools/lib/harness.mjs';

const session = useExtensionSession();

/** Creates a contact straight in the sandbox's GHL API, as another integration would. */
async function createInGhl(body) {
  const response = await fetch(`${session.sandbox.http}/contacts/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO.token}`, version: '2021-07-28', 'content-type': 'application/json' },
    body: JSON.stringify({ locationId: DEMO.locationId, ...body }),
  });
  const text = await response.text();
  assert.equal(response.status, 201, text);
  return JSON.parse(text).contact;
}

test('two GHL contacts with the customer\'s email are offered to the agent, never one picked', async () => {
  const { page, sandbox } = session;
  await sandbox.admin('POST', '/__admin/settings', { locationId: DEMO.locationId, allowDuplicates: true });
  const twin = await createInGhl({ firstName: 'Janet', lastName: 'Doe', email: 'jane.doe@example.com' });
  await page.goto(recordUrl(42));
  const region = panel(page);
  await region.getByText('Several GHL contacts could be this customer — pick one.').waitFor();
  const matches = region.getByRole('list', { name: 'Possible matches' });
  assert.equal(await matches.getByRole('listitem').count(), 2);
  // Nothing was loaded for either contact: no notes were read, none can be written.
  const log = (await sandbox.admin('GET', '/__admin/log')).entries.map((e) => `${e.method} ${e.path}`);
  assert.ok(!log.some((line) => line.endsWith('/notes')), log.join(', '));
  await region.getByRole('button', { name: 'Link Janet Doe' }).click();
  await region.getByRole('heading', { name: 'Janet Doe' }).waitFor();
  assert.ok(twin.id);
});

test('after a route change, the previous customer\'s details still on screen are not read as the new one\'s', async () => {
  const { page, sandbox } = session;
  await page.goto(recordUrl(42));
  const region = panel(page);
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  const since = (await sandbox.admin('GET', '/__admin/log')).lastSeq;
  // The replica keeps Jane's view on screen under Robert's URL until Robert's data is in.
  await page.getByRole('link', { name: 'Mr Robert Smith' }).click();
  await region.getByRole('heading', { name: 'Robert Smith' }).waitFor();
  const after = (await sandbox.admin('GET', `/__admin/log?since=${since}`)).entries;
  const janeLookups = after.filter((e) => (e.query ?? '').includes('jane.doe') || JSON.stringify(e.body ?? '').includes('jane.doe') || e.path.includes('Jane'));
  assert.deepEqual(janeLookups.map((e) => `${e.method} ${e.path}`), [], 'nothing was asked of GHL for Jane under Robert\'s URL');
  // The link stored for record 43 is Robert's.
  await page.reload();
  await region.getByRole('heading', { name: 'Robert Smith' }).waitFor();
});

test('the address is read in its lines, and Sync this contact writes it split, never run together', async () => {
  const { page } = session;
  await page.goto(recordUrl(42));
  const region = panel(page);
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await region.getByText('What was read from this page', { exact: true }).click();
  assert.match(await region.locator('details dl').last().textContent(), /12 Acacia Avenue, London, N1 7AA/);
  await region.getByRole('button', { name: 'Sync this contact' }).click();
  const preview = region.getByRole('list', { name: 'Sync preview' });
  await preview.waitFor();
  const text = await preview.textContent();
  assert.match(text, /GHL gets “London”/);
  assert.doesNotMatch(text, /AvenueLondon|LondonN1/);
});

test('"This isn\'t right": the agent points at the email once, and every record of the host is read with it', async () => {
  const { page, browser } = session;
  await page.goto(recordUrl(42));
  const region = panel(page);
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  // The app's next release labels the email differently and drops the phones from the panel.
  const relabel = () => page.evaluate(() => {
    for (const label of document.querySelectorAll('.col-label span')) {
      if (label.textContent === 'Email') label.textContent = 'Correspondence';
      if (['Mobile', 'Landline'].includes(label.textContent)) label.closest('.row').remove();
    }
  });
  await relabel();
  await region.getByRole('alert').filter({ hasText: 'Cannot read this record' }).waitFor();
  await region.getByText('What was read from this page', { exact: true }).click();
  await region.getByRole('button', { name: 'This isn’t right' }).click();
  await region.getByRole('button', { name: 'Point at the email on the page' }).click();
  await region.getByText('Click the email on the page').waitFor();
  await page.locator('.email-builder').click();
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();

  // Stored as a place (the label), never the value, and offered for export.
  const overrides = await asExtensionPage(browser, { type: 'reader.overridesGet' });
  const items = overrides.data.flatMap((group) => group.items);
  assert.deepEqual(items, [{ field: 'email', label: 'Correspondence' }]);

  // Another customer with the same new markup is read with the fix.
  await page.goto(recordUrl(43));
  await region.getByRole('heading', { name: 'Robert Smith' }).waitFor();
  await relabel();
  const diagnostics = region.locator('details dl').last();
  for (let tries = 0; tries < 50 && !/your pick/.test(await diagnostics.textContent()); tries += 1) await page.waitForTimeout(200);
  assert.match(await diagnostics.textContent(), /robert\.smith@example\.com.*from your pick on this page/);
  assert.equal(await region.getByRole('heading', { name: 'Robert Smith' }).count(), 1);
});

test('a page script cannot point for the agent', async () => {
  const { page, browser } = session;
  await page.goto(recordUrl(42));
  const region = panel(page);
  await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
  await region.getByText('What was read from this page', { exact: true }).click();
  await region.getByRole('button', { name: 'This isn’t right' }).click();
  await region.getByRole('button', { name: 'Point at the email on the page' }).click();
  // A synthetic click from the page is not the agent's.
  await page.evaluate(() => document.querySelector('.col-label span').click());
  await page.waitForTimeout(500);
  const overrides = await asExtensionPage(browser, { type: 'reader.overridesGet' });
  assert.deepEqual(overrides.data.flatMap((group) => group.items), []);
  await page.keyboard.press('Escape');
});
