// Assembles the loadable extensions from extension/ and the wasm-bindgen output:
//   dist/chrome   — the production manifest as written (MV3, module service worker)
//   dist/firefox  — the same with Firefox's background scripts and gecko id
// and a zip of each. Usage: node tools/build-extension.mjs <wasm-pkg-dir> <dist-dir>
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from './zip.mjs';
import { hostApps } from './lib/hosts.mjs';
import { bundleWorker } from './lib/bundle-worker.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [pkgDir = join(root, 'target/wasm-pkg'), distDir = join(root, 'dist')] = process.argv.slice(2);
const source = join(root, 'extension');
// The core's two modules (records: every worker start; pages: the options page's messages), glue and wasm each.
const WASM_MODULES = ['ghl_bridge', 'ghl_bridge_pages'];
const WASM_FILES = WASM_MODULES.flatMap((module) => [`${module}.js`, `${module}_bg.wasm`]);
const GECKO_ID = 'ghl-bridge@ghl-bridge.app';

for (const file of WASM_FILES) {
  if (!existsSync(join(pkgDir, file))) {
    console.error(`build-extension: ${join(pkgDir, file)} is missing — run ./build.sh build first.`);
    process.exit(1);
  }
}

// Shared by every host, after the host's own profile: words and dates, reader, form filling, host notes, panel, then the boot.
const SHARED_CONTENT = ['lib/i18n.js', 'content/record-reader.js', 'content/form-fill.js', 'content/host-notes.js', 'content/panel.js', 'content/contact-form.js', 'content/main.js'];

/** The manifest with each host app's content-script entry and host permissions, from the host list. */
function withHosts(base, hosts) {
  const contentScripts = hosts.map((host) => ({
    matches: host.matches,
    ...(host.exclude_matches?.length ? { exclude_matches: host.exclude_matches } : {}),
    js: [...host.scripts.map((script) => `hosts/${host.app}/${script}`), ...SHARED_CONTENT],
    run_at: 'document_idle',
  }));
  return { ...base, host_permissions: [...base.host_permissions, ...hosts.flatMap((host) => host.matches)], content_scripts: contentScripts };
}

const manifest = withHosts(JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8')), hostApps());

function firefoxManifest(chrome) {
  const { minimum_chrome_version: _chromeOnly, ...rest } = chrome;
  return {
    ...rest,
    background: { scripts: [chrome.background.service_worker], type: 'module' },
    browser_specific_settings: {
      gecko: { id: GECKO_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
      gecko_android: { strict_min_version: '142.0' },
    },
  };
}

function assemble(flavour, flavourManifest) {
  const out = join(distDir, flavour);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'pkg'), { recursive: true });
  for (const entry of ['content', 'hosts', 'options', 'popup', 'lib', '_locales', 'icons']) {
    cpSync(join(source, entry), join(out, entry), { recursive: true, filter: (path) => !path.endsWith('host.json') });
  }
  // The worker is one file: the glues inlined into background.js (one fetch instead of three before the wasm's).
  writeFileSync(join(out, 'background.js'), bundleWorker({ pkgDir, background: join(source, 'background.js') }));
  for (const module of WASM_MODULES) cpSync(join(pkgDir, `${module}_bg.wasm`), join(out, 'pkg', `${module}_bg.wasm`));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(flavourManifest, null, 2)}\n`);
  const zip = join(distDir, `ghl-bridge-${flavour}-${manifest.version}.zip`);
  const size = zipDirectory(out, zip);
  console.log(`  ${flavour.padEnd(8)} ${out}  (${zip}: ${size} bytes)`);
}

mkdirSync(distDir, { recursive: true });
assemble('chrome', manifest);
assemble('firefox', firefoxManifest(manifest));
