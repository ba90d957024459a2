// The Firefox end-to-end harness: Debian's firefox-esr, headless, driven over WebDriver BiDi (Firefox speaks it
// natively; no browser download), with dist/firefox installed as the add-on it ships as (`webExtension.install`).
//
// The manifest is unchanged, so pages must be on the real hostnames: a local CONNECT proxy, set in the test profile,
// sends the GHL API's and the host apps' names to the sandbox and its replicas and refuses everything else (the
// test browser reaches nothing outside this machine). The sandbox's self-signed certificates are accepted for this
// session only (`acceptInsecureCerts`).
//
// Closed shadow roots: BiDi serializes an element's shadow root, closed ones included, as DevTools does; the
// harness queries inside it with that reference. Clicks and typing are real input actions (trusted events).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { hostApps, hostnameOf } from './hosts.mjs';
import { ROOT } from './harness.mjs';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const DIST_FIREFOX = resolve(process.env.DIST_DIR ?? join(ROOT, 'dist'), 'firefox');
const ADDON_ID = 'ghl-bridge@ghl-bridge.app';
// Fixed for the test profile (`extensions.webextensions.uuids`), so the add-on's pages have a known origin.
const ADDON_UUID = '6b1f0c8e-2d4a-4e7b-9c3d-5a8f1e2b7c90';
export const EXTENSION_ORIGIN = `moz-extension://${ADDON_UUID}/`;
const STEP_MS = 100;

/**
 * A CONNECT proxy on 127.0.0.1: `route(hostname)` gives the local port a name goes to, or null (refused, 403).
 * Resolves to `{port, refused: string[], close()}`.
 */
export async function startProxy(route) {
  const sockets = new Set();
  const refused = [];
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) client.destroy();
        return;
      }
      client.off('data', onData);
      const match = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/i.exec(head.subarray(0, end + 2).toString('latin1'));
      const hostname = match?.[1].toLowerCase() ?? '';
      const port = match ? route(hostname) : null;
      if (!port) {
        refused.push(hostname || 'plain HTTP');
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      const upstream = connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const early = head.subarray(end + 4);
        if (early.length) upstream.write(early);
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    port: server.address().port,
    refused,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}

/** The sandbox's ports by hostname: GHL's API, and every host app's names (wildcards included) to the replicas. */
export function sandboxRoute(sandbox) {
  const sitePort = sandbox.port(sandbox.site);
  const ghlPort = sandbox.port(sandbox.https);
  const patterns = hostApps().flatMap((host) => host.matches.map(hostnameOf));
  return (hostname) => {
    if (hostname === 'services.leadconnectorhq.com') return ghlPort;
    const hosted = patterns.some((pattern) => pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : hostname === pattern);
    return hosted ? sitePort : null;
  };
}

/** Preferences of the throw-away test profile. */
function profilePrefs(proxyPort, { idleTimeoutMs }) {
  return {
    'network.proxy.type': 1,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    'network.dns.disablePrefetch': true,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: ADDON_UUID }),
    // How long the add-on's background page may sit idle before Firefox stops it (the tests of stopped workers).
    ...(idleTimeoutMs ? { 'extensions.background.idle.timeout': idleTimeoutMs } : {}),
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.page': 0,
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'ui.prefersReducedMotion': 1,
  };
}

/** A minimal WebDriver BiDi client: `send(method, params)`, and `on(method, listener)` for events. */
async function connectBidi(url) {
  const socket = new WebSocket(`${url}/session`);
  await new Promise((open, fail) => { socket.once('open', open); socket.once('error', fail); });
  let nextId = 0;
  const waiting = new Map();
  const listeners = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.id !== undefined && waiting.has(message.id)) {
      const { settle, method } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.type === 'error') settle.reject(new Error(`${method}: ${message.error}: ${message.message}`));
      else settle.resolve(message.result);
    } else if (message.method) {
      for (const listener of listeners.get(message.method) ?? []) listener(message.params);
    }
  });
  socket.on('close', () => {
    for (const { settle, method } of waiting.values()) settle.reject(new Error(`${method}: the browser closed the connection`));
    waiting.clear();
  });
  return {
    send(method, params = {}) {
      const id = ++nextId;
      return new Promise((resolveSend, rejectSend) => {
        waiting.set(id, { settle: { resolve: resolveSend, reject: rejectSend }, method });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    on(method, listener) {
      listeners.set(method, [...(listeners.get(method) ?? []), listener]);
    },
    close: () => socket.close(),
  };
}

/** A BiDi remote value → plain JSON (objects, arrays, primitives; nodes as `{sharedId}`). */
function plain(value) {
  if (!value) return undefined;
  switch (value.type) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'string': case 'boolean': return value.value;
    case 'number': return typeof value.value === 'number' ? value.value : Number(value.value);
    case 'array': return value.value.map(plain);
    case 'object': return Object.fromEntries(value.value.map(([key, item]) => [typeof key === 'string' ? key : plain(key), plain(item)]));
    case 'node': return { sharedId: value.sharedId, shadowRoot: value.value?.shadowRoot?.sharedId ?? null };
    default: return { type: value.type };
  }
}

const asArgument = (value) => (value && typeof value === 'object' && 'sharedId' in value ? { sharedId: value.sharedId } : { type: 'string', value: JSON.stringify(value ?? null) });

/**
 * Launches Firefox with the add-on installed. Resolves to
 * `{bidi, extensionPage, asExtensionPage(message), background(fn, arg), newTab(url), proxy, close()}`.
 */
export async function launchFirefox(sandbox, { extension = DIST_FIREFOX, idleTimeoutMs = 0 } = {}) {
  const proxy = await startProxy(sandboxRoute(sandbox));
  const profile = mkdtempSync(join(tmpdir(), 'ghl-bridge-firefox-'));
  const prefs = profilePrefs(proxy.port, { idleTimeoutMs });
  writeFileSync(join(profile, 'user.js'), Object.entries(prefs).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`).join(''));
  const child = spawn(FIREFOX, ['--headless', '--no-remote', '--remote-debugging-port=0', '--profile', profile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
  });
  const exited = new Promise((done) => child.once('exit', done));
  const url = await new Promise((found, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`Firefox did not start its WebDriver BiDi server within 30 s: ${seen.slice(-500)}`)), 30_000);
    const read = (chunk) => {
      seen += chunk;
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(seen);
      if (match) { clearTimeout(timer); found(match[1]); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('error', (error) => { clearTimeout(timer); fail(new Error(`cannot run ${FIREFOX}: ${error.message}`)); });
  });
  const bidi = await connectBidi(url);
  await bidi.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
  await bidi.send('webExtension.install', { extensionData: { type: 'path', path: extension } });

  const contexts = async () => (await bidi.send('browsingContext.getTree', { maxDepth: 0 })).contexts;
  /** Waits for a top-level context whose URL passes `test`. */
  async function contextWhere(test, timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const found = (await contexts()).find((context) => test(context.url));
      if (found) return found.context;
      await sleep(STEP_MS);
    }
    throw new Error('no such tab appeared');
  }
  // The first run opens Options at the connect step: our way into the add-on's own pages (WebDriver may not
  // navigate a tab to a moz-extension: URL, but an extension page may open another).
  const extensionPage = await contextWhere((address) => address.startsWith(EXTENSION_ORIGIN));

  async function callIn(context, fn, arg) {
    const result = await bidi.send('script.callFunction', {
      functionDeclaration: `async function (argument) { const arg = typeof argument === 'string' ? JSON.parse(argument) : argument; return (${fn})(arg); }`,
      arguments: [asArgument(arg)],
      target: { context },
      awaitPromise: true,
      resultOwnership: 'root',
      serializationOptions: { maxDomDepth: 0, maxObjectDepth: 6 },
    });
    if (result.type === 'exception') throw new Error(`in the page: ${result.exceptionDetails.text}`);
    return plain(result.result);
  }

  async function waitIn(context, fn, arg, { timeoutMs = 15_000, what = 'condition' } = {}) {
    const until = Date.now() + timeoutMs;
    let last;
    while (Date.now() < until) {
      last = await callIn(context, fn, arg).catch((error) => ({ error: error.message }));
      if (last && !last.error) return last;
      await sleep(STEP_MS);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
  }

  async function click(context, node) {
    // Into view first: a pointer cannot press what is outside the viewport.
    await bidi.send('script.callFunction', {
      functionDeclaration: 'function () { this.scrollIntoView({ block: "center", inline: "center" }); }',
      this: { sharedId: node.sharedId },
      target: { context },
      awaitPromise: false,
    });
    await bidi.send('input.performActions', {
      context,
      actions: [{
        type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
        actions: [
          { type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element: { sharedId: node.sharedId } } },
          { type: 'pointerDown', button: 0 },
          { type: 'pointerUp', button: 0 },
        ],
      }],
    });
    await bidi.send('input.releaseActions', { context });
  }

  async function typeText(context, text) {
    const keys = [...text].flatMap((key) => [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }]);
    await bidi.send('input.performActions', { context, actions: [{ type: 'key', id: 'keyboard', actions: keys }] });
  }

  /** A tab: a page of a host app (or any page), with its panel. */
  function tab(context) {
    const self = {
      context,
      async goto(address) {
        await bidi.send('browsingContext.navigate', { context, url: address, wait: 'complete' });
      },
      evaluate: (fn, arg) => callIn(context, fn, arg),
      waitFor: (fn, arg, options) => waitIn(context, fn, arg, options),
      /** The first element matching `css` whose text includes `text` (in the document, or our closed root). */
      async find(css, { text = '', inPanel = false, timeoutMs } = {}) {
        return waitIn(context, async ({ css: selector, text: wanted, inPanel: panelOnly }) => {
          const roots = [];
          if (panelOnly) {
            // Handed in by the harness: the panel host's closed root (see `panelRoot`).
            roots.push(globalThis.__ghlBridgeFirefoxRoot);
          } else roots.push(document);
          for (const root of roots) {
            if (!root) continue;
            for (const element of root.querySelectorAll(selector)) {
              if (!wanted || element.textContent.includes(wanted)) return element;
            }
          }
          return null;
        }, { css, text, inPanel }, { timeoutMs, what: `${css}${text ? ` with "${text}"` : ''}${inPanel ? ' in the panel' : ''}` });
      },
      /** Hands the panel's closed shadow root to the page's test hook (as DevTools would reach it). */
      async panelRoot({ timeoutMs = 15_000 } = {}) {
        const until = Date.now() + timeoutMs;
        while (Date.now() < until) {
          const result = await bidi.send('script.evaluate', {
            expression: 'document.querySelector("#ghl-bridge-panel[data-ghl-bridge]")',
            target: { context },
            awaitPromise: false,
            resultOwnership: 'root',
            serializationOptions: { maxDomDepth: 0 },
          });
          const host = result.type === 'success' ? plain(result.result) : null;
          if (host?.shadowRoot) {
            await bidi.send('script.callFunction', {
              functionDeclaration: 'function () { globalThis.__ghlBridgeFirefoxRoot = this; }',
              this: { sharedId: host.shadowRoot },
              target: { context },
              awaitPromise: false,
            });
            return host.shadowRoot;
          }
          await sleep(STEP_MS);
        }
        throw new Error('the panel did not appear');
      },
      /** Panel text, once it includes `text`. */
      async panelSays(text, { timeoutMs = 15_000 } = {}) {
        await self.panelRoot({ timeoutMs });
        return waitIn(context, (wanted) => {
          const root = globalThis.__ghlBridgeFirefoxRoot;
          const said = root?.host.isConnected ? root.textContent : '';
          return said.includes(wanted) ? said : null;
        }, text, { timeoutMs, what: `the panel to say "${text}"` });
      },
      click: async (css, options) => click(context, await self.find(css, options)),
      /** Clicks into a field (a real click) and types `text` with real key presses. */
      async type(css, text, options) {
        await click(context, await self.find(css, options));
        await typeText(context, text);
      },
      close: () => bidi.send('browsingContext.close', { context }),
    };
    return self;
  }

  const options = tab(extensionPage);
  return {
    bidi,
    proxy,
    options,
    /** Sends a message to the core from our options page, as the page itself does. */
    asExtensionPage: (message) => callIn(extensionPage, (msg) => chrome.runtime.sendMessage(msg), message),
    /**
     * Runs `fn(backgroundWindow, arg)` in the add-on's background page (woken if Firefox stopped it), through
     * `runtime.getBackgroundPage` from our options page.
     */
    background: (fn, arg) => callIn(extensionPage, `async (arg) => (${fn})(await chrome.runtime.getBackgroundPage(), arg)`, arg),
    async newTab(address) {
      const { context } = await bidi.send('browsingContext.create', { type: 'tab' });
      const opened = tab(context);
      if (address) await opened.goto(address);
      return opened;
    },
    /** Opens another page of the add-on (from our options page: WebDriver may not navigate to it). */
    async openExtensionPage(path) {
      const known = new Set((await contexts()).map((context) => context.context));
      await callIn(extensionPage, (page) => chrome.tabs.create({ url: chrome.runtime.getURL(page) }).then(() => null), path);
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        const fresh = (await contexts()).find((context) => !known.has(context.context) && context.url.startsWith(EXTENSION_ORIGIN));
        if (fresh) return tab(fresh.context);
        await sleep(STEP_MS);
      }
      throw new Error(`${path} did not open`);
    },
    async close() {
      await bidi.send('browser.close').catch(() => {});
      bidi.close();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      await proxy.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
