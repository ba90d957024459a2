// Shared by the end-to-end tests, the benchmark and the demo: starts the GHL sandbox (which also serves the host-app
// replicas — Commusoft, commonsku — over HTTPS, chosen by hostname) and Chromium with the built extension, its
// production manifest unchanged — host-resolver rules send the real GHL and host-app hostnames to the local servers.
import { before, after, beforeEach } from 'node:test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { hostApps, hostnameOf } from './hosts.mjs';
import { seeClosedRoots } from './closed-roots.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_CHROME = resolve(process.env.DIST_DIR ?? join(ROOT, 'dist'), 'chrome');
export const SANDBOX_BIN = process.env.SANDBOX_BIN ?? join(ROOT, 'target/debug/ghl-sandbox');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The Commusoft replica: also what hosts no host app matches (e.g. `127.0.0.1`) get. */
export const REPLICA_DIR = join(ROOT, 'tests/fixtures/commusoft');

export const DEMO = Object.freeze({
  token: 'pit-sandbox-demo-token',
  readonlyToken: 'pit-sandbox-readonly-token',
  locationId: 'SandboxLocation00001',
});

export const recordUrl = (id, { layout = 'view_v2', host = 'app.commusoft.co.uk' } = {}) =>
  layout === 'view'
    ? `https://${host}/customers/customer/${id}/view/property/view`
    : `https://${host}/customers/customer_list/${id}/view_v2/property/view`;

/** A commonsku replica page (any tenant subdomain maps to the replica), e.g. `commonskuUrl('/client/…')`. */
export const commonskuUrl = (path, { tenant = 'acme' } = {}) => `https://${tenant}.commonsku.com${path}`;

/** The domain a match pattern's hostname covers (`*.commonsku.com` → `commonsku.com`). */
const domainOf = (pattern) => hostnameOf(pattern).replace(/^\*\./, '');

/**
 * The sandbox's site arguments: each host app's replica for its domains, React's UMD builds under `/vendor/` on
 * every site (the commonsku replica is a real React app), and the Commusoft replica for any other host.
 */
export function siteArgs() {
  const sites = hostApps()
    .filter((host) => host.replica)
    .flatMap((host) => host.matches.map((pattern) => ['--site-dir', `${domainOf(pattern)}=${join(ROOT, host.replica)}`]));
  return [
    '--site-dir', REPLICA_DIR,
    ...sites.flat(),
    '--site-mount', `/vendor/react/=${join(ROOT, 'node_modules/react/umd')}`,
    '--site-mount', `/vendor/react-dom/=${join(ROOT, 'node_modules/react-dom/umd')}`,
  ];
}

/** Starts the sandbox; resolves to `{http, https, site, admin(method, path, body), stop()}`. */
export async function startSandbox({ extraArgs = [] } = {}) {
  const child = spawn(SANDBOX_BIN, [...siteArgs(), '--quiet', '--max-seconds', '1800', ...extraArgs], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const firstLine = await new Promise((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error('the GHL sandbox did not start within 10 s')), 10_000);
    createInterface({ input: child.stdout }).once('line', (line) => { clearTimeout(timer); resolveLine(line); });
    child.once('error', (error) => { clearTimeout(timer); reject(new Error(`cannot run ${SANDBOX_BIN}: ${error.message}`)); });
  });
  const urls = JSON.parse(firstLine);
  async function admin(method, path, body) {
    const response = await fetch(`${urls.http}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox admin ${method} ${path} → ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }
  return {
    ...urls,
    admin,
    port: (url) => Number(new URL(url).port),
    async stop() {
      child.stdin.end(); // the sandbox exits at end of input
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Launches Chromium with dist/chrome loaded and the real hostnames mapped to the sandbox. Returns
 * `{context, worker(), extensionId, close()}`; `worker()` gives the live service worker (it may restart).
 */
export async function launchBrowser(sandbox, { headless = true, profileDir, extension = DIST_CHROME, closedRootsSeen = true, keepFirstRun = false, timezoneId } = {}) {
  const ownProfile = !profileDir;
  const dir = profileDir ?? mkdtempSync(join(tmpdir(), 'ghl-bridge-profile-'));
  const hostPort = sandbox.port(sandbox.site);
  const ghlPort = sandbox.port(sandbox.https);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
    ...(timezoneId ? { timezoneId } : {}),
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--ignore-certificate-errors',
      // `MAP *.commonsku.com …` is a wildcard rule Chromium understands.
      `--host-resolver-rules=${hostApps().flatMap((host) => host.matches.map(hostnameOf)).map((name) => `MAP ${name} 127.0.0.1:${hostPort}`).join(', ')}, ` +
        `MAP services.leadconnectorhq.com 127.0.0.1:${ghlPort}, EXCLUDE localhost`,
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
    ],
  });
  // A fresh profile is a new install: the extension opens Options at its connect step. Tests about that keep the
  // tab (`firstRun` resolves to it); the rest close it.
  const firstRun = context.pages().find(isConnectStep) ??
    (ownProfile ? await context.waitForEvent('page', { predicate: isConnectStep, timeout: 10_000 }).catch(() => null) : null);
  if (firstRun && !keepFirstRun) await firstRun.close();
  // Tests reach into the extension's closed shadow roots (`ghl=` selectors); a page never can.
  if (closedRootsSeen) await seeClosedRoots(context);
  async function worker() {
    const live = context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
    return live ?? context.waitForEvent('serviceworker', { timeout: 15_000 });
  }
  const first = await worker();
  const extensionId = new URL(first.url()).host;
  return {
    context,
    extensionId,
    worker,
    firstRun: keepFirstRun ? firstRun : null,
    async close() {
      await context.close();
      if (ownProfile) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const isConnectStep = (/** @type {import('playwright-core').Page} */ page) => /\/options\/options\.html#connect$/.test(page.url());

/** Sends a message to the core as our options page would: tests set up settings, preferences and mappings with it. */
export async function asExtensionPage(browser, message) {
  const sw = await browser.worker();
  return sw.evaluate(async (msg) => {
    await globalThis.ghlBridge.ready;
    return globalThis.ghlBridge.handle(msg, { id: chrome.runtime.id, url: chrome.runtime.getURL('options.html') });
  }, message);
}

/**
 * Calls the sandbox's GHL API directly, as GHL itself or a colleague in GHL would (test set-up, changes made in
 * GHL); fails on an error status. Answers the JSON body.
 */
export async function ghlApi(sandbox, method, path, body) {
  const response = await fetch(`${sandbox.http}${path}`, {
    method,
    headers: { Authorization: `Bearer ${DEMO.token}`, Version: '2021-07-28', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}`);
  return response.json();
}

/** Forgets everything the extension stored (links, cached views, settings): each test starts from scratch. */
export async function clearStorage(browser) {
  const sw = await browser.worker();
  await sw.evaluate(() => Promise.all([chrome.storage.local.clear(), globalThis.ghlBridgeSecrets.clear()]));
}

export async function saveSettings(browser, { token = DEMO.token, locationId = DEMO.locationId } = {}) {
  const answer = await asExtensionPage(browser, {
    type: 'settings.save',
    settings: { locationId, auth: { kind: 'pit', token } },
  });
  if (!answer.ok) throw new Error(`settings.save failed: ${JSON.stringify(answer.error)}`);
  return answer.data;
}

/**
 * One sandbox and one browser for a test file, and for each test: demo data restored, extension storage cleared,
 * the demo settings saved and a fresh page. Returns an object whose `sandbox`, `browser` and `page` are current.
 */
export function useExtensionSession() {
  const session = { sandbox: null, browser: null, page: null };
  before(async () => {
    session.sandbox = await startSandbox();
    session.browser = await launchBrowser(session.sandbox);
  });
  after(async () => {
    await session.browser?.close();
    await session.sandbox?.stop();
  });
  beforeEach(async () => {
    await session.sandbox.admin('POST', '/__admin/reset', { seed: 'demo' });
    await clearStorage(session.browser);
    await saveSettings(session.browser);
    await session.page?.close();
    session.page = await session.browser.context.newPage();
  });
  return session;
}

/** The demo location as the sandbox holds it (`{contacts, notes, tasks, …}`). */
export const demoState = (sandbox) => sandbox.admin('GET', `/__admin/state?locationId=${DEMO.locationId}`);

/** The panel region of a page. */
export const panel = (page) => page.locator('ghl=section.panel[aria-label="GoHighLevel"]');

/**
 * An open copy of the panel (its nodes and style sheets) beside it, for tools that cannot enter closed roots (axe);
 * resolves to the copy's host selector. The copy is static: take it after the panel has drawn what is checked.
 */
export async function openCopyOfPanel(page) {
  await panel(page).waitFor();
  return (await panelRootHandle(page)).evaluate((shadow) => {
    const { host } = shadow;
    document.getElementById('ghl-bridge-panel-copy')?.remove();
    const copy = document.createElement('div');
    copy.id = 'ghl-bridge-panel-copy';
    const open = copy.attachShadow({ mode: 'open' });
    open.adoptedStyleSheets = shadow.adoptedStyleSheets;
    open.append(...[...shadow.childNodes].map((node) => node.cloneNode(true)));
    host.after(copy);
    return '#ghl-bridge-panel-copy';
  });
}

/** The panel's closed root, as tests see it (`__ghlBridgeRoots`), for checks selectors cannot express. */
export const panelRootHandle = (page) =>
  page.waitForFunction(() => [...(globalThis.__ghlBridgeRoots ?? [])].find(([host]) => host.id === 'ghl-bridge-panel' && host.isConnected)?.[1]);
