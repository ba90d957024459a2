// The record reader on markup we did not write: each variant of ./reader-variants.mjs is rendered in Chromium,
// read by the content script's reader (extension/content/record-reader.js), and decided by the core in the
// extension's service worker (`record.read`) — asserting every field read, and that nothing else is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, startSandbox, launchBrowser, saveSettings } from '../../tools/lib/harness.mjs';
import { VARIANTS, READER_SCRIPTS } from '../../tools/lib/reader-variants.mjs';

const FIELDS = ['name', 'email', 'mobile', 'landline', 'address', 'company', 'accountNumber'];
const HOST = 'app.commusoft.co.uk';
let sandbox;
let browser;
let page;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser(sandbox);
  await saveSettings(browser);
  page = await browser.context.newPage();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Sends a message to the core as our content script on a Commusoft tab would. */
async function asContentScript(message) {
  const sw = await browser.worker();
  return sw.evaluate(async (msg) => {
    await globalThis.ghlBridge.ready;
    return globalThis.ghlBridge.handle(msg, {
      id: chrome.runtime.id,
      url: 'https://app.commusoft.co.uk/customers/customer_list/42/view_v2/property/view',
      tab: { id: 1 },
      frameId: 0,
    });
  }, message);
}

async function render(html) {
  await page.setContent(`<!doctype html><html><head><title>Customer</title></head><body>${html}</body></html>`);
  for (const script of READER_SCRIPTS) await page.addScriptTag({ path: join(ROOT, script) });
}

async function read(overrides) {
  const evidence = await page.evaluate((items) => globalThis.ghlBridge.collectEvidence(document, globalThis.ghlBridge.hostProfiles.commusoft, items).evidence, overrides);
  const answer = await asContentScript({ type: 'record.read', record: { host: HOST, recordId: '42', evidence } });
  assert.ok(answer.ok, JSON.stringify(answer.error));
  return answer.data;
}

const fieldsOf = (reading) => Object.fromEntries(FIELDS.map((field) => [field, reading.fields.find((f) => f.field === field)?.value]));

for (const variant of VARIANTS) {
  test(`reads: ${variant.name}`, async () => {
    await render(variant.html);
    let overrides = [];
    if (variant.pointAt) {
      // Without the agent's pick the field is not read (else the variant would not need one).
      const unaided = fieldsOf(await read([]));
      assert.notEqual(unaided[variant.pointAt.field], variant.expect[variant.pointAt.field], 'read without help');
      const place = await page.evaluate(({ selector }) =>
        globalThis.ghlBridge.describePlace(document.querySelector(selector), document, globalThis.ghlBridge.hostProfiles.commusoft), variant.pointAt);
      assert.ok(place, 'the pointed-at element has a place');
      assert.ok(!JSON.stringify(place).includes('@'), `the stored place holds no value: ${JSON.stringify(place)}`);
      const stored = await asContentScript({ type: 'reader.overrideAdd', record: { host: HOST, recordId: '42' }, override: { field: variant.pointAt.field, ...place } });
      assert.ok(stored.ok, JSON.stringify(stored.error));
      overrides = stored.data.items;
    }
    const reading = await read(overrides);
    const expected = Object.fromEntries(FIELDS.map((field) => [field, variant.expect[field]]));
    assert.deepEqual(fieldsOf(reading), expected, JSON.stringify(reading));
    assert.equal(reading.usable, variant.usable ?? true);
  });
}

test('there are at least 30 variants, and most need no help', () => {
  assert.ok(VARIANTS.length >= 30, `${VARIANTS.length}`);
  assert.ok(VARIANTS.filter((v) => v.pointAt).length * 5 < VARIANTS.length);
});

test('the page outline carries structure and labels, never the customer\'s values', async () => {
  await render(VARIANTS[0].html);
  const outline = await page.evaluate(() => globalThis.ghlBridge.pageOutline(document, globalThis.ghlBridge.hostProfiles.commusoft));
  assert.match(outline, /"Customer Details"/);
  assert.match(outline, /"Email"/);
  assert.match(outline, /#editcustomer/);
  assert.doesNotMatch(outline, /jane|doe|07700|example/i);
});
