// ./build.sh soak [edits] — random edits through the core's panel messages with GHL faults (20 % 5xx, 10 % 429,
// 5 % commit-then-drop), the service worker stopped every 50 edits and the browser restarted once with the same
// profile. Then the outbox is drained and the sandbox's final state is compared with what the edits intended.
// Prints the counts; exits 1 if anything was lost or duplicated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, asExtensionPage, demoState } from '../tests/e2e/harness.mjs';

const EDITS = Number(process.argv[2] ?? process.env.SOAK_EDITS ?? 500);
const JANE = 'DemoContactJane0001';
const record = { host: 'app.commusoft.co.uk', recordId: '42', email: 'jane.doe@example.com' };

let seed = 20261123;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (items) => items[Math.floor(random() * items.length)];

const sandbox = await startSandbox();
const profileDir = mkdtempSync(join(tmpdir(), 'ghl-bridge-soak-'));
let browser = await launchBrowser(sandbox, { profileDir });
const counts = { edits: 0, answeredOk: 0, queued: 0, refused: 0, workerStops: 0, browserRestarts: 0 };
// The intended end state: note text by our label (null: deleted), and Jane's tags we touched.
const intended = new Map();
const knownIds = new Map(); // label → GHL note id, once an answer showed it
const tags = new Map();

async function stopWorker() {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await page.close();
  counts.workerStops += 1;
}

async function send(message) {
  const answer = await asExtensionPage(browser, message);
  if (answer.ok) counts.answeredOk += 1;
  else if (answer.error.queued) counts.queued += 1;
  else counts.refused += 1;
  if (answer.ok && Array.isArray(answer.data)) {
    for (const note of answer.data) {
      const label = /^soak-(\d+)/.exec(note.body ?? '')?.[0];
      if (label && note.id) knownIds.set(label, note.id);
    }
  }
  return answer;
}

try {
  await saveSettings(browser);
  await asExtensionPage(browser, { type: 'panel.load', record });
  await sandbox.admin('POST', '/__admin/faults', { statusRates: { 500: 0.1, 503: 0.1, 429: 0.1 }, dropAfterCommitRate: 0.05, seed: 7 });
  for (let n = 0; n < EDITS; n += 1) {
    const live = [...intended].filter(([label, text]) => text !== null && knownIds.has(label)).map(([label]) => label);
    const roll = random();
    const editId = `soak-edit-${n}`;
    if (roll < 0.5 || live.length === 0) {
      const label = `soak-${n}`;
      intended.set(label, `${label} created`);
      await send({ type: 'note.create', record, body: `${label} created`, editId });
    } else if (roll < 0.7) {
      const label = pick(live);
      intended.set(label, `${label} edited at ${n}`);
      await send({ type: 'note.update', record, noteId: knownIds.get(label), body: `${label} edited at ${n}`, editId });
    } else if (roll < 0.8) {
      const label = pick(live);
      intended.set(label, null);
      await send({ type: 'note.delete', record, noteId: knownIds.get(label), editId });
    } else {
      const tag = `soak-tag-${Math.floor(random() * 5)}`;
      const add = random() < 0.6;
      tags.set(tag, add);
      await send({ type: add ? 'tags.add' : 'tags.remove', record, tags: [tag], editId });
    }
    counts.edits += 1;
    if ((n + 1) % 50 === 0) await stopWorker();
    if (n + 1 === Math.floor(EDITS / 2)) {
      await browser.close();
      browser = await launchBrowser(sandbox, { profileDir });
      counts.browserRestarts += 1;
    }
  }
  // GHL recovers; the outbox drains (as the alarm would, made due at once).
  await sandbox.admin('DELETE', '/__admin/faults');
  for (let round = 0; round < 60; round += 1) {
    const sw = await browser.worker();
    const left = await sw.evaluate(async () => {
      const { outbox } = await chrome.storage.local.get('outbox');
      if (!outbox?.items?.length) return 0;
      for (const item of outbox.items) item.nextAtMs = 0;
      await chrome.storage.local.set({ outbox });
      const report = await globalThis.ghlBridge.alarmFired('ghl-bridge-outbox');
      return report.waiting + report.failed;
    });
    if (left === 0) break;
  }
  const state = await demoState(sandbox);
  const notes = state.notes.filter((note) => note.contactId === JANE && /^soak-\d+/.test(note.body));
  let lost = 0;
  let duplicated = 0;
  let wrong = 0;
  for (const [label, text] of intended) {
    const found = notes.filter((note) => note.body.startsWith(`${label} `));
    if (text === null) {
      if (found.length) duplicated += found.length; // deleted, yet there
    } else if (found.length === 0) lost += 1;
    else {
      if (found.length > 1) duplicated += found.length - 1;
      if (found[0].body !== text) wrong += 1;
    }
  }
  const janeTags = state.contacts.find((c) => c.id === JANE).tags;
  const tagMismatches = [...tags].filter(([tag, present]) => janeTags.includes(tag) !== present).length;
  const sw = await browser.worker();
  const leftInOutbox = await sw.evaluate(async () => (await chrome.storage.local.get('outbox')).outbox?.items ?? []);
  console.log(`soak: ${counts.edits} edits (${counts.answeredOk} answered at once, ${counts.queued} queued, ${counts.refused} refused), ` +
    `${counts.workerStops} worker stops, ${counts.browserRestarts} browser restart`);
  console.log(`  GHL requests: ${(await sandbox.admin('GET', '/__admin/log')).lastSeq}; notes intended ${[...intended.values()].filter(Boolean).length}, ` +
    `found ${notes.length}; lost ${lost}, duplicated ${duplicated}, wrong text ${wrong}, tag mismatches ${tagMismatches}, still in the outbox ${leftInOutbox.length}`);
  if (lost || duplicated || wrong || tagMismatches || leftInOutbox.length) {
    for (const item of leftInOutbox) console.log('  left:', item.op, item.failure?.code, item.failure?.message);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await sandbox.stop();
  rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
