// Everyday touches: the toolbar popup (opened over a host record as the agent opens it); the first run (a new
// install opens the guided connect step, and a panel while not connected offers it); dates in the host's locale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, launchBrowser, saveSettings, asExtensionPage, clearStorage, panel, recordUrl, ghlApi, ROOT } from '../../tools/lib/harness.mjs';
import { openPopup } from '../../tools/lib/popup.mjs';

let sandbox;
before(async () => { sandbox = await startSandbox(); });
after(async () => { await sandbox?.stop(); });

const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

test('first run: installing opens Options at the connect step, and a panel while not connected opens it too', async () => {
  const browser = await launchBrowser(sandbox, { keepFirstRun: true });
  try {
    const options = browser.firstRun;
    assert.ok(options, 'a new install opened a tab');
    assert.match(options.url(), /\/options\/options\.html#connect$/);
    await options.locator('#connect-step').waitFor({ state: 'visible' });
    assert.match(await options.locator('#connect-step').textContent(), /Private Integrations.*Location ID/s);
    assert.ok(await options.getByRole('link', { name: 'How GHL makes a Private Integration token' }).count());
    await options.waitForFunction(() => document.activeElement?.id === 'token');
    await options.close();

    const page = await browser.context.newPage();
    await page.goto(recordUrl(42));
    const alert = panel(page).getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-code'), 'not_configured');
    const opened = browser.context.waitForEvent('page', { predicate: (p) => p.url().endsWith('/options/options.html#connect') });
    await panel(page).getByRole('button', { name: 'Connect GHL' }).click();
    const connect = await opened;
    await connect.locator('#connect-step').waitFor({ state: 'visible' });
  } finally {
    await browser.close();
  }
});

test('toolbar popup: connection, this record\'s GHL contact, edits waiting with their page; keyboard, axe and dark mode', async () => {
  const browser = await launchBrowser(sandbox);
  try {
    await sandbox.admin('POST', '/__admin/reset', { seed: 'demo' });
    await clearStorage(browser);
    await saveSettings(browser);
    const check = await asExtensionPage(browser, { type: 'connection.check' });
    assert.ok(check.ok, JSON.stringify(check));
    const page = await browser.context.newPage();
    await page.goto(recordUrl(42));
    await panel(page).getByRole('heading', { name: 'Jane Doe' }).waitFor();

    // An edit GHL cannot take now waits in the outbox.
    await sandbox.admin('POST', '/__admin/faults', { statusRates: { 503: 1.0 }, pathPrefix: '/contacts/DemoContactJane0001/notes', methods: ['POST'] });
    await panel(page).getByRole('textbox', { name: 'Note' }).fill('Call back on Tuesday');
    await panel(page).getByRole('button', { name: 'Add note' }).click();
    await panel(page).getByText('Your change is saved on this computer and will be sent automatically.').waitFor({ timeout: 40_000 });

    const popup = await openPopup(browser, page);
    await popup.evaluate(() => new Promise((resolve) => {
      const drawn = () => document.documentElement.dataset.drawnMs !== undefined;
      if (drawn()) resolve(null); else new MutationObserver(() => drawn() && resolve(null)).observe(document.documentElement, { attributes: true });
    }));
    const shown = await popup.evaluate(() => ({
      connection: document.querySelector('#connection-title').textContent,
      state: document.querySelector('#connection').dataset.state,
      here: document.querySelector('#here-text').textContent,
      ghl: document.querySelector('#here-ghl').href,
      edits: document.querySelector('#edits-summary').textContent,
      rows: [...document.querySelectorAll('#edits-records li')].map((li) => ({ text: li.textContent, href: li.querySelector('a')?.href ?? null })),
      title: document.title,
    }));
    assert.equal(shown.state, 'connected');
    assert.match(shown.connection, /^Connected to /);
    assert.match(shown.here, /linked to .*jane\.doe@example\.com/i);
    assert.match(shown.ghl, /^https:\/\/app\.gohighlevel\.com\/v2\/location\/SandboxLocation00001\/contacts\/detail\//);
    assert.equal(shown.edits, '1 edit waiting to be sent.');
    assert.equal(shown.rows.length, 1);
    assert.match(shown.rows[0].text, /Jane Doe \(Commusoft\)1 edit waiting/);
    assert.equal(shown.rows[0].href, recordUrl(42), 'the row opens the record it was made on');
    assert.equal(shown.title, 'GHL Bridge', 'words from _locales');

    // Keyboard: Tab walks the links and buttons, each visibly focused.
    const focused = [];
    for (let i = 0; i < 6; i++) {
      await popup.press('Tab', 'Tab', 9);
      focused.push(await popup.evaluate(() => {
        const active = document.activeElement;
        return active && active !== document.body ? `${active.tagName}:${active.textContent.trim()}:${active.matches(':focus-visible') && getComputedStyle(active).outlineStyle !== 'none'}` : null;
      }));
    }
    assert.ok(focused.includes('BUTTON:Open options:true'), focused.join(' | '));
    assert.ok(focused.some((entry) => entry?.startsWith('A:Open the contact in GHL:true')), focused.join(' | '));

    // axe, light and dark.
    await popup.evaluate((source) => { (0, eval)(source); }, AXE).catch(async () => {
      throw new Error('axe could not load in the popup');
    });
    const backgrounds = new Set();
    for (const scheme of ['light', 'dark']) {
      await popup.colorScheme(scheme);
      backgrounds.add(await popup.evaluate(() => getComputedStyle(document.body).backgroundColor));
      const violations = await popup.evaluate(async () => {
        const result = await globalThis.axe.run(document, { resultTypes: ['violations'] });
        return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
      });
      assert.deepEqual(violations, [], `${scheme}: ${violations}`);
    }
    assert.equal(backgrounds.size, 2, 'the popup follows the colour scheme');
    await popup.close();
    await sandbox.admin('DELETE', '/__admin/faults');
  } finally {
    await browser.close();
  }
});

test('dates: the host\'s locale (en-GB on .co.uk, en-US on .us), "Due tomorrow", and appointments naming the location\'s zone', async () => {
  // The agent is in New York; the sandbox location is in another zone.
  const browser = await launchBrowser(sandbox, { timezoneId: 'America/New_York' });
  try {
    await sandbox.admin('POST', '/__admin/reset', { seed: 'demo' });
    await clearStorage(browser);
    await saveSettings(browser);
    assert.ok((await asExtensionPage(browser, { type: 'connection.check' })).ok, 'Test connection reads the location\'s zone');
    const location = (await sandbox.admin('GET', '/__admin/state?locationId=SandboxLocation00001')).location;
    const tomorrow = new Date(Date.now() + 86_400_000);
    tomorrow.setUTCHours(17, 0, 0, 0);
    await ghlApi(sandbox, 'POST', '/contacts/DemoContactJane0001/tasks', { title: 'Call about the quote', dueDate: tomorrow.toISOString(), completed: false });
    const page = await browser.context.newPage();
    const appointmentMeta = async (host) => {
      await page.goto(recordUrl(42, { host }));
      const region = panel(page);
      await region.getByRole('heading', { name: 'Jane Doe' }).waitFor();
      await page.locator('ghl=section.panel[data-source=ghl]').waitFor();
      return {
        appointment: await region.getByRole('list', { name: 'Appointments' }).locator('li .meta').first().textContent(),
        task: await region.getByRole('list', { name: 'Tasks' }).locator('li', { hasText: 'Call about the quote' }).locator('.meta').textContent(),
      };
    };
    const gb = await appointmentMeta('app.commusoft.co.uk');
    assert.match(gb.appointment, /^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2}/, `en-GB: ${gb.appointment}`);
    assert.ok(gb.appointment.includes(`(${location.timezone})`), `the location's zone named: ${gb.appointment}`);
    assert.match(gb.task, /Due tomorrow/, gb.task);
    const us = await appointmentMeta('app.commusoft.us');
    assert.match(us.appointment, /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M/, `en-US: ${us.appointment}`);
  } finally {
    await browser.close();
  }
});
