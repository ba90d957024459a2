// ./build.sh bench — figures, not verdicts: package sizes, service-worker cold start, panel time-to-data.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, panel, recordUrl, ROOT } from '../tests/e2e/harness.mjs';

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

async function timeToData(sandbox, browser, latencyMs) {
  await sandbox.admin('POST', '/__admin/faults', { latencyMs });
  const fromNavigation = [];
  const fromRequest = [];
  const page = await browser.context.newPage();
  for (let visit = 0; visit < VISITS; visit += 1) {
    await page.goto(recordUrl(visit % 2 ? 43 : 42));
    await panel(page).getByRole('heading').nth(1).waitFor({ timeout: 15_000 });
    const marks = await page.evaluate(() => ({
      request: performance.getEntriesByName('ghl-bridge:request').at(-1)?.startTime,
      data: performance.getEntriesByName('ghl-bridge:data').at(-1)?.startTime,
    }));
    fromNavigation.push(marks.data);
    fromRequest.push(marks.data - marks.request);
  }
  await page.close();
  await sandbox.admin('DELETE', '/__admin/faults');
  console.log(`  sandbox latency ${String(latencyMs).padStart(3)} ms: request → data median ${ms(median(fromRequest))}, ` +
    `navigation → data median ${ms(median(fromNavigation))} (${VISITS} first visits; 2 sequential GHL calls)`);
}

sizes();
const sandbox = await startSandbox();
try {
  await coldStarts(sandbox);
  const browser = await launchBrowser(sandbox);
  try {
    await saveSettings(browser);
    console.log('panel time-to-data (content script request → panel drawn; replica renders after 250 ms)');
    await timeToData(sandbox, browser, 0);
    await timeToData(sandbox, browser, 200);
  } finally {
    await browser.close();
  }
} finally {
  await sandbox.stop();
}
