// What a script in the host page can do to the panel: every attack named, and for each the GHL requests it caused
// and the contact data it got (both must be 0). The browser here is launched as a real one is — without the test
// harness's way into closed shadow roots — so the page's main world sees exactly what a host page's script sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, launchBrowser, saveSettings, recordUrl, commonskuUrl } from '../../tools/lib/harness.mjs';

// What only GHL knows, so a page that shows it read the panel: Jane's GHL notes, tasks and tags, her GHL id — and
// the token. (Her email and phone are the host page's own: it shows them itself.)
const SECRETS = ['Side gate code 4721', 'dripping valve', 'Book annual boiler service', 'boiler-service', 'DemoContactJane0001', 'pit-sandbox'];

let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser(sandbox, { closedRootsSeen: false });
  await saveSettings(browser);
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Each attack runs in the page's own world; it returns what it got (text), or throws. */
const ATTACKS = {
  'read the panel through host.shadowRoot': () => {
    const host = document.getElementById('ghl-bridge-panel');
    return String(host?.shadowRoot?.textContent ?? host?.shadowRoot);
  },
  'read every open shadow root on the page': () =>
    [...document.querySelectorAll('*')].map((node) => node.shadowRoot?.textContent ?? '').join(' '),
  'read the page text (body.innerText, textContent)': () => `${document.body.innerText} ${document.body.textContent}`,
  'serialize the document (getHTML with shadow roots)': () =>
    document.body.getHTML?.({ serializableShadowRoots: true }) ?? new XMLSerializer().serializeToString(document),
  'attach a new shadow root to the panel host': () => {
    document.getElementById('ghl-bridge-panel').attachShadow({ mode: 'open' });
    return 'attached';
  },
  'find panel controls by hit-testing (elementsFromPoint)': () => {
    const box = document.getElementById('ghl-bridge-panel').getBoundingClientRect();
    return document.elementsFromPoint(box.x + box.width / 2, box.y + 40).map((node) => `${node.tagName}#${node.id}:${node.textContent}`).join(' ');
  },
  'click, submit and press Enter on the panel host': () => {
    const host = document.getElementById('ghl-bridge-panel');
    host.click();
    for (const type of ['submit', 'keydown', 'keyup', 'pointerdown', 'pointerup', 'mousedown', 'mouseup', 'click']) {
      host.dispatchEvent(new KeyboardEvent(type, { key: 'Enter', bubbles: true, composed: true }));
    }
    return 'dispatched';
  },
  'focus into the panel, then type and press Enter': () => {
    const host = document.getElementById('ghl-bridge-panel');
    host.focus();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, composed: true }));
    return String(document.activeElement?.id ?? '');
  },
  'plant another email on the page, then click everything of ours': () => {
    for (const link of document.querySelectorAll('a[href^="mailto:"]')) link.href = 'mailto:someone.else@example.com';
    for (const node of document.querySelectorAll('[data-ghl-bridge], [data-ghl-bridge-send]')) node.click();
    return 'planted';
  },
  'message the extension (chrome.runtime)': () => String(typeof globalThis.chrome?.runtime?.sendMessage),
  'post a message to the content script (window.postMessage)': () => {
    window.postMessage({ type: 'contact.search', query: 'ja' }, '*');
    window.postMessage({ type: 'link.remove' }, '*');
    return 'posted';
  },
  'read extension storage, localStorage and sessionStorage': () =>
    `${typeof globalThis.chrome?.storage} ${JSON.stringify({ ...localStorage })} ${JSON.stringify({ ...sessionStorage })}`,
};

const requests = async () => (await sandbox.admin('GET', '/__admin/log')).entries.filter((entry) => !entry.path.startsWith('/__admin')).length;

/** The panel has loaded Jane's GHL notes: there is something to steal. */
async function janeLoaded() {
  for (let tries = 0; tries < 100; tries += 1) {
    const log = (await sandbox.admin('GET', '/__admin/log')).entries;
    if (log.some((entry) => entry.path === '/contacts/DemoContactJane0001/notes' && entry.status === 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the panel never loaded Jane');
}

async function attack(page, results, where) {
  for (const [name, script] of Object.entries(ATTACKS)) {
    const before = await requests();
    const got = await page.evaluate(`(${script})()`).then(String, (error) => `refused: ${error.message}`);
    await page.waitForTimeout(300); // anything the attack set off has had time to reach GHL
    const caused = (await requests()) - before;
    const read = SECRETS.filter((secret) => got.includes(secret));
    results.push({ where, attack: name, requests: caused, read: read.length, got: got.slice(0, 60) });
  }
}

test('page scripts cause no GHL request and read no contact data, on Commusoft and commonsku pages', async (t) => {
  const page = await browser.context.newPage();
  const results = [];
  await page.goto(recordUrl(42));
  await page.locator('#ghl-bridge-panel').waitFor();
  await janeLoaded();
  await page.waitForTimeout(1000); // drawn
  await attack(page, results, 'Commusoft customer');

  await sandbox.admin('DELETE', '/__admin/log');
  await page.goto(commonskuUrl('/contact/63da90dd-cfe4-4a05-92bb-747c754854dd'));
  await page.locator('#ghl-bridge-panel').waitFor();
  await janeLoaded();
  await page.waitForTimeout(1000);
  await attack(page, results, 'commonsku contact');

  for (const row of results) t.diagnostic(`${row.where} — ${row.attack}: ${row.requests} GHL requests, ${row.read} contact values read`);
  assert.deepEqual(results.filter((row) => row.requests || row.read), [], 'every attack: 0 requests, 0 values read');
  assert.equal(results.length, 2 * Object.keys(ATTACKS).length);
  await page.close();
});
