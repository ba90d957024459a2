// ./build.sh bench — figures, not verdicts: package sizes, service-worker cold start, panel time-to-data.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, clearStorage, recordUrl, ROOT } from './lib/harness.mjs';

const PKG = process.env.PKG_DIR ?? join(ROOT, 'target/wasm-pkg');
const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 7);
const VISITS = Number(process.env.BENCH_VISITS ?? 7);

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => `${value.toFixed(1)} ms`;

function sizes() {
  const wasm = readFileSync(join(PKG, 'ghl_bridge_bg.wasm'));
  const glue = readFileSync(join(PKG, 'ghl_bridge.js'));
  const wasmGz = gzipSync(wasm, { level: 9 }).length;
  const glueGz = gzipSync(glue, { level: 9 }).length;
  console.log('sizes');
  console.log(`  wasm                 ${kb(wasm.length)} raw, ${kb(wasmGz)} gzip`);
  console.log(`  JS glue              ${kb(glue.length)} raw, ${kb(glueGz)} gzip`);
  console.log(`  wasm + glue          ${kb(wasmGz + glueGz)} gzip   (budget 120 KB)`);
  for (const zip of readdirSync(DIST).filter((f) => f.endsWith('.zip')).sort()) {
    console.log(`  ${zip.padEnd(20)} ${kb(statSync(join(DIST, zip)).size)}`);
  }
}

async function coldStarts(sandbox) {
  const samples = [];
  for (let run = 0; run < COLD_STARTS; run += 1) {
    const browser = await launchBrowser(sandbox); // a fresh profile each time
    try {
      const sw = await browser.worker();
      const startup = await sw.evaluate(async () => {
        await globalThis.ghlBridge.ready;
        return globalThis.ghlBridge.startup;
      });
      samples.push(startup.readyMs - startup.moduleStartMs);
    } finally {
      await browser.close();
    }
  }
  console.log(`service-worker cold start (module evaluation → wasm ready), ${samples.length} fresh profiles`);
  console.log(`  median ${ms(median(samples))}   (budget 20 ms; samples ${samples.map((s) => s.toFixed(1)).join(', ')})`);
}

/** Request → drawn, per visit, from the content script's performance marks. */
async function visit(page, id) {
  await page.goto(recordUrl(id));
  await page.locator('section.panel[data-source=ghl]').waitFor({ timeout: 15_000 });
  return page.evaluate(() => {
    const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime;
    return { request: at('ghl-bridge:request'), cached: at('ghl-bridge:cached'), data: at('ghl-bridge:data') };
  });
}

async function timeToData(sandbox, browser, latencyMs) {
  await sandbox.admin('POST', '/__admin/faults', { latencyMs });
  const first = [];
  const cached = [];
  const linked = [];
  const page = await browser.context.newPage();
  for (let round = 0; round < VISITS; round += 1) {
    // A first visit (no link, no saved view: match, then one parallel round), then a revisit of the same record.
    await clearStorage(browser);
    await saveSettings(browser);
    const id = round % 2 ? 43 : 42;
    const fresh = await visit(page, id);
    first.push(fresh.data - fresh.request);
    await page.goto('about:blank');
    const again = await visit(page, id);
    if (again.cached !== undefined) cached.push(again.cached - again.request);
    linked.push(again.data - again.request);
  }
  await page.close();
  await sandbox.admin('DELETE', '/__admin/faults');
  console.log(`  sandbox latency ${String(latencyMs).padStart(3)} ms (median of ${VISITS}): ` +
    `revisit saved view ${ms(median(cached))} (budget 50 ms), linked contact data ${ms(median(linked))} ` +
    `(budget 300 ms at 200 ms), first visit data ${ms(median(first))}`);
}

/** One core round trip through the service worker, in ms (measured inside the worker). */
async function timed(browser, message) {
  const sw = await browser.worker();
  const { took, answer } = await sw.evaluate(async (msg) => {
    const started = performance.now();
    const answer = await globalThis.ghlBridge.handle(msg, { id: chrome.runtime.id, url: chrome.runtime.getURL('options/options.html') });
    return { took: performance.now() - started, answer };
  }, message);
  if (!answer.ok) throw new Error(`${message.type}: ${answer.error.message}`);
  return took;
}

/** "Sync this contact" and "Send to GHL", core round trips (worker → GHL → worker), linked contact. */
async function syncTimes(sandbox, browser, latencyMs) {
  const jane = { host: 'app.commusoft.co.uk', recordId: '42', name: 'Mrs Jane Doe', email: 'jane.doe@example.com',
    mobile: '07700 900123', address: '12 Acacia Avenue, London, N1 7AA' };
  const samples = { preview: [], apply: [], again: [], note: [] };
  for (let round = 0; round < VISITS; round += 1) {
    await sandbox.admin('POST', '/__admin/reset', { seed: 'demo' });
    await clearStorage(browser);
    await saveSettings(browser);
    await timed(browser, { type: 'panel.load', record: jane });
    await sandbox.admin('POST', '/__admin/faults', { latencyMs });
    samples.preview.push(await timed(browser, { type: 'contact.syncPreview', record: jane }));
    samples.apply.push(await timed(browser, { type: 'contact.sync', record: jane }));
    samples.again.push(await timed(browser, { type: 'contact.sync', record: jane }));
    samples.note.push(await timed(browser, { type: 'note.send', record: jane, sourceId: `bench-${round}`, body: 'Bench note' }));
    await sandbox.admin('DELETE', '/__admin/faults');
  }
  console.log(`  sandbox latency ${String(latencyMs).padStart(3)} ms (median of ${VISITS}): preview ${ms(median(samples.preview))}, ` +
    `apply (2 fields) ${ms(median(samples.apply))}, second apply (no write) ${ms(median(samples.again))}, ` +
    `send a note ${ms(median(samples.note))}`);
}

sizes();
const sandbox = await startSandbox();
try {
  await coldStarts(sandbox);
  const browser = await launchBrowser(sandbox);
  try {
    await saveSettings(browser);
    console.log('panel time-to-data (content script request → panel drawn)');
    await timeToData(sandbox, browser, 0);
    await timeToData(sandbox, browser, 200);
    console.log('sync this contact and send a note (core round trip in the service worker)');
    await syncTimes(sandbox, browser, 0);
    await syncTimes(sandbox, browser, 200);
  } finally {
    await browser.close();
  }
} finally {
  await sandbox.stop();
}
