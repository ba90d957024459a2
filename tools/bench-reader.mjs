// ./build.sh bench (reader part) — figures, not verdicts: how many markup variants the record reader reads
// without help and with one pick by the agent, and how long reading a record takes on a large page.
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, ROOT } from './lib/harness.mjs';
import { VARIANTS, READER_SCRIPTS, jobsList } from './lib/reader-variants.mjs';

const RUNS = Number(process.env.BENCH_READER_RUNS ?? 21);
const FIELDS = ['name', 'email', 'mobile', 'landline', 'address', 'company', 'accountNumber'];
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const sandbox = await startSandbox();
const browser = await launchBrowser(sandbox);
try {
  await saveSettings(browser);
  const page = await browser.context.newPage();
  const sw = await browser.worker();
  const core = (message) => sw.evaluate(async (msg) => {
    await globalThis.ghlBridge.ready;
    const started = performance.now();
    const answer = await globalThis.ghlBridge.handle(msg, { id: chrome.runtime.id, url: 'https://app.commusoft.co.uk/customers/customer_list/42/view_v2/property/view', tab: { id: 1 }, frameId: 0 });
    return { answer, ms: performance.now() - started };
  }, message);
  const render = async (html) => {
    await page.setContent(`<!doctype html><html><body>${html}</body></html>`);
    for (const script of READER_SCRIPTS) await page.addScriptTag({ path: join(ROOT, script) });
  };
  const read = async (overrides) => {
    const evidence = await page.evaluate((items) => globalThis.ghlBridge.collectEvidence(document, globalThis.ghlBridge.hostProfiles.commusoft, items).evidence, overrides);
    const { answer } = await core({ type: 'record.read', record: { host: 'app.commusoft.co.uk', recordId: '42', evidence } });
    return Object.fromEntries(FIELDS.map((f) => [f, answer.data.fields.find((x) => x.field === f)?.value]));
  };
  const same = (got, want) => FIELDS.every((f) => got[f] === want[f]);

  let unaided = 0;
  let helped = 0;
  for (const variant of VARIANTS) {
    await render(variant.html);
    if (same(await read([]), variant.expect)) {
      unaided += 1;
      continue;
    }
    if (!variant.pointAt) continue;
    const place = await page.evaluate(({ selector }) =>
      globalThis.ghlBridge.describePlace(document.querySelector(selector), document, globalThis.ghlBridge.hostProfiles.commusoft), variant.pointAt);
    const stored = place && (await core({ type: 'reader.overrideAdd', record: { host: 'app.commusoft.co.uk', recordId: '42' }, override: { field: variant.pointAt.field, ...place } })).answer;
    if (stored?.ok && same(await read(stored.data.items), variant.expect)) helped += 1;
  }
  const total = VARIANTS.length;
  console.log('record reader');
  console.log(`  variants read without help       ${unaided} of ${total}`);
  console.log(`  variants read after one pick     ${helped} of ${total - unaided} (share needing an override: ${((100 * helped) / total).toFixed(1)} %)`);
  console.log(`  variants not read                ${total - unaided - helped}`);

  // A customer with 200 jobs (and the details panel), then the same page without a details heading: the whole
  // record container is read.
  const withHeading = VARIANTS.find((v) => v.name.includes('200 jobs')).html;
  const withoutHeading = `<div id="main"><div><div>Email</div><div>jane.doe@example.com</div></div>${jobsList(200)}</div>`;
  for (const [label, html] of [['details heading found', withHeading], ['no heading (whole container)', withoutHeading]]) {
    await render(html);
    const elements = await page.evaluate(() => document.querySelectorAll('*').length);
    const times = await page.evaluate((runs) => {
      const samples = [];
      for (let i = 0; i < runs; i += 1) {
        const started = performance.now();
        globalThis.ghlBridge.collectEvidence(document, globalThis.ghlBridge.hostProfiles.commusoft, []);
        samples.push(performance.now() - started);
      }
      return samples;
    }, RUNS);
    const evidence = await page.evaluate(() => globalThis.ghlBridge.collectEvidence(document, globalThis.ghlBridge.hostProfiles.commusoft, []).evidence);
    const coreTimes = [];
    for (let i = 0; i < RUNS; i += 1) coreTimes.push((await core({ type: 'record.read', record: { host: 'app.commusoft.co.uk', recordId: '42', evidence } })).ms);
    console.log(`  200 jobs, ${label} (${elements} elements): page read ${median(times).toFixed(2)} ms, core decision ${median(coreTimes).toFixed(2)} ms (median of ${RUNS})`);
  }
} finally {
  await browser.close();
  await sandbox.stop();
}
