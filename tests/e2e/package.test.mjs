// The built packages: the production manifest says what the product promises, and Firefox's linter is clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { ROOT } from '../../tools/lib/harness.mjs';
import { hostApps } from '../../tools/lib/hosts.mjs';

const DIST = process.env.DIST_DIR ?? join(ROOT, 'dist');
const manifest = (flavour) => JSON.parse(readFileSync(join(DIST, flavour, 'manifest.json'), 'utf8'));

test('the Chrome manifest: MV3, module worker, wasm CSP, only GHL and the host apps of extension/hosts/', () => {
  const m = manifest('chrome');
  assert.equal(m.manifest_version, 3);
  assert.deepEqual(m.background, { service_worker: 'background.js', type: 'module' });
  assert.match(m.content_security_policy.extension_pages, /'wasm-unsafe-eval'/);
  assert.doesNotMatch(m.content_security_policy.extension_pages, /unsafe-eval'(?<!wasm-unsafe-eval')/);
  // Generated from the host list (extension/hosts/*/host.json), which a native test holds to the core's registry.
  const hosts = hostApps();
  assert.deepEqual(m.host_permissions.sort(), ['https://services.leadconnectorhq.com/*', ...hosts.flatMap((h) => h.matches)].sort());
  assert.deepEqual(m.content_scripts.map((c) => c.matches), hosts.map((h) => h.matches));
  assert.deepEqual(hosts.find((h) => h.app === 'commusoft').matches, ['https://app.commusoft.co.uk/*', 'https://app.commusoft.us/*']);
  for (const [index, entry] of m.content_scripts.entries()) {
    assert.ok(entry.js[0].startsWith(`hosts/${hosts[index].app}/`), 'each host\'s own profile comes first');
    assert.equal(entry.js.at(-1), 'content/main.js', 'the one boot comes last');
  }
  assert.deepEqual(m.permissions.sort(), ['alarms', 'identity', 'notifications', 'storage']);
  // Asked for at run time, one origin: the user's own OAuth token endpoint (Options → Save with OAuth).
  assert.deepEqual(m.optional_host_permissions, ['https://*/*']);
  assert.deepEqual(m.options_ui, { page: 'options/options.html', open_in_tab: true });
  // Changeable in the browser's shortcut settings; Alt+Shift+G until then.
  assert.equal(m.commands['toggle-panel'].suggested_key.default, 'Alt+Shift+G');
  assert.equal(m.web_accessible_resources, undefined, 'nothing of ours is exposed to pages');
  assert.equal(m.externally_connectable, undefined, 'no page or other extension may message us');
  const packaged = ['pkg/ghl_bridge_bg.wasm', 'pkg/ghl_bridge_pages_bg.wasm', 'options/options.html', 'options/options.js', 'options/options.css'];
  // The glue is inlined into the worker (one fetch less at every cold start).
  assert.ok(!existsSync(join(DIST, 'chrome', 'pkg/ghl_bridge.js')));
  assert.ok(!existsSync(join(DIST, 'chrome', 'pkg/ghl_bridge_pages.js')));
  assert.doesNotMatch(readFileSync(join(DIST, 'chrome', 'background.js'), 'utf8'), /from '\.\/pkg\//);
  for (const file of [m.background.service_worker, ...m.content_scripts.flatMap((c) => c.js), ...packaged]) {
    assert.ok(existsSync(join(DIST, 'chrome', file)), `${file} is packaged`);
  }
});

test('the Firefox manifest: background scripts and a gecko id', () => {
  const m = manifest('firefox');
  assert.deepEqual(m.background, { scripts: ['background.js'], type: 'module' });
  assert.ok(m.browser_specific_settings.gecko.id);
});

test('both zips exist', () => {
  const zips = readdirSync(DIST).filter((f) => f.endsWith('.zip')).sort();
  assert.deepEqual(zips.map((z) => z.replace(/-[\d.]+\.zip$/, '')), ['ghl-bridge-chrome', 'ghl-bridge-firefox']);
});

test('web-ext lint reports no errors and no warnings for the Firefox build', async () => {
  const webExt = join(ROOT, 'node_modules/.bin/web-ext');
  const { stdout } = await promisify(execFile)(webExt, ['lint', '--source-dir', join(DIST, 'firefox'), '--output', 'json', '--no-input'], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error) => error); // web-ext exits non-zero on errors; the JSON says which
  const report = JSON.parse(stdout);
  const describe = (items) => items.map((item) => `${item.code}: ${item.message} ${item.file ?? ''}`);
  assert.deepEqual(describe(report.errors), []);
  assert.deepEqual(describe(report.warnings), []);
});
