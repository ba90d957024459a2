// Every word the extension shows is in `_locales/en/messages.json`: the manifest's, the pages' (`data-i18n*`) and
// the scripts' (`words(key, …)`). These checks keep new text from slipping past the locale file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../../tools/lib/harness.mjs';

const EXTENSION = join(ROOT, 'extension');
const messages = JSON.parse(readFileSync(join(EXTENSION, '_locales/en/messages.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(EXTENSION, 'manifest.json'), 'utf8'));

function files(dir, ending) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'hosts' ? [] : files(path, ending);
    return entry.name.endsWith(ending) ? [path] : [];
  });
}
const scripts = files(EXTENSION, '.js').filter((path) => !path.endsWith('background.js'));
const pages = files(EXTENSION, '.html');

test('the manifest\'s words come from the locale file, with English the default', () => {
  assert.equal(manifest.default_locale, 'en');
  const keys = JSON.stringify(manifest).match(/__MSG_(\w+)__/g).map((ref) => ref.slice(6, -2));
  for (const field of [manifest.name, manifest.description, manifest.action.default_title, manifest.commands['toggle-panel'].description]) {
    assert.match(field, /^__MSG_\w+__$/, 'localized');
  }
  for (const key of keys) assert.ok(messages[key], `${key} is in messages.json`);
});

test('every message is well formed: a description, and placeholders for each $Pn$', () => {
  for (const [key, { message, description, placeholders }] of Object.entries(messages)) {
    assert.match(key, /^[A-Za-z0-9_]+$/, key);
    assert.ok(message && description, `${key} has a message and a description`);
    for (const name of message.match(/\$(\w+)\$/g) ?? []) {
      assert.ok(placeholders?.[name.slice(1, -1).toLowerCase()], `${key}: ${name} is defined`);
    }
  }
});

test('every key the scripts and pages ask for exists, and every message is used', () => {
  const used = new Set(JSON.stringify(manifest).match(/__MSG_(\w+)__/g).map((ref) => ref.slice(6, -2)));
  for (const path of scripts) {
    for (const [, key] of readFileSync(path, 'utf8').matchAll(/\bwords\('(\w+)'/g)) {
      assert.ok(messages[key], `${relative(ROOT, path)}: ${key} is in messages.json`);
      used.add(key);
    }
  }
  for (const path of pages) {
    for (const [, key] of readFileSync(path, 'utf8').matchAll(/data-i18n(?:-[a-z-]+)?="(\w+)"/g)) {
      assert.ok(messages[key], `${relative(ROOT, path)}: ${key} is in messages.json`);
      used.add(key);
    }
  }
  // Words the core does not ask for by key: none may be left over.
  assert.deepEqual(Object.keys(messages).filter((key) => !used.has(key)), []);
});

test('no page text outside a data-i18n element, and each fallback says what its message says', () => {
  for (const path of pages) {
    const html = readFileSync(path, 'utf8').replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, '');
    // Text directly inside an element with data-i18n is its fallback; any other text is a miss.
    const withKeys = /<(\w+)([^>]*?)\sdata-i18n="(\w+)"([^>]*)>([^<]*)<\/\1>/g;
    for (const [, , , key, , fallback] of html.matchAll(withKeys)) {
      assert.equal(fallback.replace(/\s+/g, ' ').trim(), messages[key].message, `${relative(ROOT, path)}: ${key}`);
    }
    const stray = html.replace(withKeys, '').replace(/<[^>]+>/g, '\n').split('\n').map((line) => line.trim()).filter((line) => /[A-Za-z]/.test(line));
    assert.deepEqual(stray, [], `${relative(ROOT, path)}: text not in the locale file`);
  }
});

test('no user-facing string literal in the scripts: they ask for words', () => {
  // A quoted string that reads as words (a capital, then lower case): UI text. Key names and selectors are not.
  const literal = /'([A-Z“…][^'\\\n]*[a-z][^'\\\n]*)'/g;
  const allowed = new Set(['Escape', 'Enter', 'Tab', 'GhlBridgeError']);
  for (const path of scripts) {
    const code = readFileSync(path, 'utf8').split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line)).join('\n');
    const found = [...code.matchAll(literal)].map((match) => match[1]).filter((text) => !allowed.has(text));
    assert.deepEqual(found, [], relative(ROOT, path));
  }
});
