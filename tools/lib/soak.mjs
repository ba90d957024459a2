// The soak: random edits sent as the panel sends them — `chrome.runtime.sendMessage` from our content script on a
// Commusoft customer page, waking the service worker when it was stopped — panel notes, tasks and tags, Commusoft
// notes sent to GHL ("Send to GHL", with a follow-up task each version), and "Sync this contact" — with GHL faults (20 % 5xx, 10 % 429,
// 5 % commit-then-drop), the service worker stopped every `stopEvery` edits and the browser restarted once with the
// same profile. Then GHL recovers, the outbox is drained as the alarm would, and the sandbox's final state is
// compared with what the edits intended. Used by `./build.sh soak [N]` (tools/soak.mjs) and, shorter, by CI
// (soak.test.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, asExtensionPage, demoState, recordUrl, panel } from './harness.mjs';

const JANE = 'DemoContactJane0001';
const TOWNS = ['London', 'Leeds', 'York', 'Bath', 'Hull'];
const record = (town) => ({
  host: 'app.commusoft.co.uk', recordId: '42', name: 'Mrs Jane Doe', email: 'jane.doe@example.com',
  ...(town ? { address: `12 Acacia Avenue, ${town}, N1 7AA` } : {}),
});

/**
 * Runs the soak; answers the counts. `rateIntervalMs`: the burst window the sandbox reports (GHL's is 10 s; a 429
 * pauses the client for about one window, so a shorter one keeps the CI soak short). `log` gets a line per phase.
 */
export async function runSoak({ edits = 500, stopEvery = 50, seed = 20261123, rateIntervalMs = 10_000, log = () => {} } = {}) {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = (items) => items[Math.floor(random() * items.length)];

  const sandbox = await startSandbox();
  const profileDir = mkdtempSync(join(tmpdir(), 'ghl-bridge-soak-'));
  let browser = await launchBrowser(sandbox, { profileDir });
  const counts = { edits: 0, answeredOk: 0, queued: 0, refused: 0, syncsNotRun: 0, workerStops: 0, browserRestarts: 0 };
  // What the edits intend, by our label: note text (null: deleted), task completed?, Commusoft note text, tags.
  const notes = new Map();
  const tasks = new Map();
  const sent = new Map();
  const versions = new Set(); // every Commusoft note text sent: each gets one follow-up task
  const tags = new Map();
  let town = null;
  const noteIds = new Map();
  const taskIds = new Map();
  const refusals = [];

  // A Commusoft customer page with our panel; messages are evaluated in our content script's isolated world.
  let tab;
  async function openRecordPage({ linked = true } = {}) {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    const contexts = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
    await cdp.send('Runtime.enable');
    await page.goto(recordUrl(42));
    // The first visit links the record to Jane; later ones draw the saved view (GHL may be failing then).
    await (linked ? panel(page) : panel(page).getByRole('heading', { name: 'Jane Doe' })).waitFor({ timeout: 30_000 });
    const isolated = contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'GHL Bridge');
    if (!isolated) throw new Error('our content script did not start on the Commusoft page');
    tab = { page, cdp, contextId: isolated.id };
  }

  async function fromContentScript(message) {
    const { result, exceptionDetails } = await tab.cdp.send('Runtime.evaluate', {
      contextId: tab.contextId,
      awaitPromise: true,
      returnByValue: true,
      expression: `chrome.runtime.sendMessage(${JSON.stringify(message)})`,
    });
    if (exceptionDetails) throw new Error(`sendMessage failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  }

  async function stopWorker() {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await page.close();
    counts.workerStops += 1;
  }

  async function send(message) {
    const answer = await fromContentScript(message);
    if (answer.ok) counts.answeredOk += 1;
    else if (answer.error.queued) counts.queued += 1;
    // "Sync this contact" reads GHL before it stores anything: when GHL cannot answer, nothing was promised.
    else if (message.type === 'contact.sync' && answer.error.retryable) counts.syncsNotRun += 1;
    else {
      counts.refused += 1;
      refusals.push(`${message.type}: ${answer.error.code} ${answer.error.message}`);
    }
    if (answer.ok && Array.isArray(answer.data)) {
      for (const item of answer.data) {
        const label = /^soak-(\d+)/.exec(item.body ?? item.title ?? '')?.[0];
        if (label && item.id) (item.title === undefined ? noteIds : taskIds).set(label, item.id);
      }
    }
    return answer;
  }

  try {
    await saveSettings(browser);
    await openRecordPage({ linked: false });
    await asExtensionPage(browser, {
      type: 'preferences.save',
      preferences: { followUp: { enabled: true, title: 'soak follow-up', dueInDays: 1 } },
    });
    await sandbox.admin('POST', '/__admin/ratelimit', { max: 100, intervalMs: rateIntervalMs });
    const faults = { statusRates: { 500: 0.1, 503: 0.1, 429: 0.1 }, dropAfterCommitRate: 0.05, seed: 7 };
    await sandbox.admin('POST', '/__admin/faults', faults);
    // Besides the random faults, one short outage of GHL's writes: edits are then certain to wait in the outbox
    // (random faults alone are mostly absorbed by retries, and how many land on writes depends on timing).
    const outage = { from: Math.min(10, edits - 1), to: Math.min(14, edits) };
    for (let n = 0; n < edits; n += 1) {
      if (n === outage.from) await sandbox.admin('POST', '/__admin/faults', { statusRates: { 503: 1 }, methods: ['POST', 'PUT', 'DELETE'] });
      if (n === outage.to) await sandbox.admin('POST', '/__admin/faults', faults);
      const liveNotes = [...notes].filter(([label, text]) => text !== null && noteIds.has(label)).map(([label]) => label);
      const liveTasks = [...tasks.keys()].filter((label) => taskIds.has(label));
      const roll = random();
      const editId = `soak-edit-${n}`;
      if (roll < 0.3 || (roll < 0.5 && liveNotes.length === 0)) {
        const label = `soak-${n}`;
        notes.set(label, `${label} created`);
        await send({ type: 'note.create', record: record(), body: `${label} created`, editId });
      } else if (roll < 0.42) {
        const label = pick(liveNotes);
        notes.set(label, `${label} edited at ${n}`);
        await send({ type: 'note.update', record: record(), noteId: noteIds.get(label), body: `${label} edited at ${n}`, editId });
      } else if (roll < 0.5) {
        const label = pick(liveNotes);
        notes.set(label, null);
        await send({ type: 'note.delete', record: record(), noteId: noteIds.get(label), editId });
      } else if (roll < 0.6 || (roll < 0.65 && liveTasks.length === 0)) {
        const label = `soak-${n}`;
        tasks.set(label, false);
        await send({ type: 'task.create', record: record(), title: `${label} task`, dueDate: '2026-12-01T09:00:00Z', editId });
      } else if (roll < 0.65) {
        const label = pick(liveTasks);
        const completed = !tasks.get(label);
        tasks.set(label, completed);
        await send({ type: 'task.complete', record: record(), taskId: taskIds.get(label), completed, editId });
      } else if (roll < 0.8) {
        // A Commusoft note (one of five) sent to GHL, sometimes edited first.
        const source = `cs-${Math.floor(random() * 5)}`;
        const body = random() < 0.5 && sent.has(source) ? sent.get(source) : `soak-${source} version ${n}`;
        sent.set(source, body);
        versions.add(`${source}\n${body}`);
        await send({ type: 'note.send', record: record(), sourceId: source, body });
      } else if (roll < 0.88) {
        const next = pick(TOWNS);
        const answer = await send({ type: 'contact.sync', record: record(next) });
        if (answer.ok) town = next; // refused or not run: nothing was stored
      } else {
        const tag = `soak-tag-${Math.floor(random() * 5)}`;
        const add = random() < 0.6;
        tags.set(tag, add);
        await send({ type: add ? 'tags.add' : 'tags.remove', record: record(), tags: [tag], editId });
      }
      counts.edits += 1;
      if ((n + 1) % stopEvery === 0) await stopWorker();
      if (n + 1 === Math.floor(edits / 2)) {
        await browser.close();
        browser = await launchBrowser(sandbox, { profileDir });
        await openRecordPage();
        counts.browserRestarts += 1;
      }
    }
    log(`soak: ${counts.edits} edits done; draining the outbox`);
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

    const ghl = await demoState(sandbox);
    const janeNotes = ghl.notes.filter((note) => note.contactId === JANE);
    const janeTasks = ghl.tasks.filter((task) => task.contactId === JANE);
    const jane = ghl.contacts.find((c) => c.id === JANE);
    const result = { ...counts, requests: (await sandbox.admin('GET', '/__admin/log')).lastSeq, lost: 0, duplicated: 0, wrong: 0 };
    result.problems = [];
    const compare = (label, found, wanted, same) => {
      const before = result.lost + result.duplicated + result.wrong;
      if (wanted === null) result.duplicated += found.length; // deleted, yet there
      else if (found.length === 0) result.lost += 1;
      else {
        result.duplicated += found.length - 1;
        if (!same(found[0])) result.wrong += 1;
      }
      if (result.lost + result.duplicated + result.wrong !== before) {
        result.problems.push(`${label}: intended ${JSON.stringify(wanted)}, GHL has ${JSON.stringify(found.map(({ id, body, title, completed, dateAdded }) => ({ id, body, title, completed, dateAdded })))}`);
      }
    };
    for (const [label, text] of notes) compare(label, janeNotes.filter((note) => note.body.startsWith(`${label} `)), text, (note) => note.body === text);
    for (const [label, completed] of tasks) {
      compare(label, janeTasks.filter((task) => task.title === `${label} task`), completed, (task) => task.completed === completed);
    }
    for (const [source, text] of sent) compare(source, janeNotes.filter((note) => note.body.startsWith(`soak-${source} `)), text, (note) => note.body === text);
    // One follow-up task per version of a Commusoft note sent.
    result.followUps = janeTasks.filter((task) => task.title === 'soak follow-up').length;
    result.versionsSent = versions.size;
    result.tagMismatches = [...tags].filter(([tag, present]) => jane.tags.includes(tag) !== present).length;
    result.townWrong = town !== null && jane.city !== town ? 1 : 0;
    const sw = await browser.worker();
    const left = await sw.evaluate(async () => (await chrome.storage.local.get('outbox')).outbox?.items ?? []);
    result.leftInOutbox = left.length;
    result.left = left.map((item) => `${item.op}: ${item.failure?.code} ${item.failure?.message}`);
    result.refusals = refusals;
    result.intended = { notes: [...notes.values()].filter(Boolean).length, tasks: tasks.size, sent: sent.size, town };
    return result;
  } finally {
    await browser.close();
    await sandbox.stop();
    rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/** The soak's report as two lines. */
export function describe(result) {
  return `soak: ${result.edits} edits (${result.answeredOk} answered at once, ${result.queued} queued, ${result.refused} refused), `
    + `${result.syncsNotRun} syncs not run (GHL unreadable), ${result.workerStops} worker stops, ${result.browserRestarts} browser restart, ${result.requests} GHL requests\n`
    + `  intended: ${result.intended.notes} panel notes, ${result.intended.tasks} tasks, ${result.intended.sent} Commusoft notes, town ${result.intended.town}; `
    + `lost ${result.lost}, duplicated ${result.duplicated}, wrong ${result.wrong}, tag mismatches ${result.tagMismatches}, `
    + `town wrong ${result.townWrong}, follow-up tasks ${result.followUps} for ${result.versionsSent} versions sent, still in the outbox ${result.leftInOutbox}`;
}

/** Whether nothing was lost, duplicated, wrong or left behind. */
export const clean = (result) => !(result.lost || result.duplicated || result.wrong || result.tagMismatches || result.townWrong
  || result.leftInOutbox || result.refused || result.followUps !== result.versionsSent);
