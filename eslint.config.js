// ESLint (flat config): the extension's scripts run in browsers (content scripts as classic scripts, the worker and
// options page as modules); tools and end-to-end tests run in Node.
import js from '@eslint/js';
import globals from 'globals';

const shared = {
  'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  'no-var': 'error',
  'prefer-const': 'error',
  // Page and GHL text is never parsed as HTML.
  'no-restricted-properties': ['error',
    { property: 'innerHTML', message: 'Set text with textContent; never parse page or GHL text as HTML.' },
    { property: 'outerHTML', message: 'Set text with textContent; never parse page or GHL text as HTML.' },
    { property: 'insertAdjacentHTML', message: 'Build elements; never parse page or GHL text as HTML.' }],
};

export default [
  { ignores: ['dist/**', 'target/**', 'node_modules/**', 'fuzz/**', 'extension/pkg/**'] },
  js.configs.recommended,
  {
    files: ['extension/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'script', globals: { ...globals.browser, ...globals.webextensions } },
    rules: shared,
  },
  {
    files: ['extension/background.js', 'extension/options/**/*.js', 'extension/popup/**/*.js'],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['tools/**/*.mjs', 'tests/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
    rules: shared,
  },
  {
    // The host-app replicas are plain browser scripts.
    files: ['tests/fixtures/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'script', globals: { ...globals.browser } },
    rules: shared,
  },
  {
    // Functions evaluated inside the browser by Playwright use page globals.
    files: ['tools/**/*.mjs', 'tests/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser, ...globals.webextensions, ...globals.node } },
  },
];
