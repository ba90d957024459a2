// The host apps the extension works in: one folder each under extension/hosts/<app>/, whose host.json says where
// the app runs (manifest match patterns), which of its scripts go first, and where its test replica is. The build
// writes the manifest's content scripts and host permissions from this list; the end-to-end harness maps these
// hostnames to the replicas; a native test checks the core's registry agrees (tests/native/hosts.rs).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSION = resolve(dirname(fileURLToPath(import.meta.url)), '../../extension');

/** Every `extension/hosts/<app>/host.json`, by app id. */
export function hostApps(extensionDir = EXTENSION) {
  return readdirSync(join(extensionDir, 'hosts'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => JSON.parse(readFileSync(join(extensionDir, 'hosts', entry.name, 'host.json'), 'utf8')))
    .sort((a, b) => a.app.localeCompare(b.app));
}

/** The hostnames a match pattern names (`https://app.commusoft.co.uk/*` → `app.commusoft.co.uk`). */
export const hostnameOf = (pattern) => pattern.replace(/^https:\/\//, '').replace(/\/\*$/, '');
