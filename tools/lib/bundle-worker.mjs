// One file for the service worker: each wasm-bindgen glue inlined into our background.js. Every chrome-extension://
// fetch costs a few milliseconds before any byte arrives, and a module worker fetches its imports one after the
// other: measured, the inlined glue starts the worker about 12 ms sooner (42.6 → 30.7 ms median). Inlining the
// wasm too (base64) was slower (48.9 ms: the big string is parsed and decoded).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// `// @ts-expect-error …` then `import { glue as recordsGlue } from './pkg/<module>.js';` in background.js.
const GLUE_IMPORT = /^\/\/ @ts-expect-error[^\n]*\nimport \{ glue as (\w+) \} from '\.\/pkg\/(\w+)\.js';\n/gm;

/**
 * The worker script: background.js with each glue it imports turned into a function that evaluates that glue afresh
 * and returns its exports (two glues declare the same top-level names, and a trapped instance needs a new glue).
 */
export function bundleWorker({ pkgDir, background }) {
  let worker = readFileSync(background, 'utf8');
  const imports = [...worker.matchAll(GLUE_IMPORT)];
  if (imports.length === 0) throw new Error('bundle-worker: background.js no longer imports the glue as expected');
  for (const [line, name, module] of imports) {
    const glue = exportsReturned(readFileSync(join(pkgDir, `${module}.js`), 'utf8'));
    // A function as the replacement: the glue's own `$` characters stay as they are.
    worker = worker.replace(line, () => `const ${name} = () => {\n${glue}\n};\n`);
  }
  if (/from '\.\/pkg\//.test(worker)) throw new Error('bundle-worker: background.js imports a glue in a form this bundler does not know');
  return worker;
}

/** The glue module as a function body: `export function f` → `function f`, the export list → a returned object. */
function exportsReturned(glue) {
  const exported = [];
  const code = glue.replace(/\bexport\s+(async\s+)?function\s+([\w$]+)/g, (_, async_, name) => {
    exported.push(name);
    return `${async_ ?? ''}function ${name}`;
  });
  const table = /export\s*\{([^}]*)\};?\s*$/.exec(code);
  if (!table) throw new Error('bundle-worker: the glue no longer ends with an export list');
  const listed = table[1].split(',').map((part) => part.trim().split(/\s+as\s+/)).map(([local, name]) => `${JSON.stringify(name ?? local)}: ${local}`);
  return `${code.slice(0, table.index)}return { ${[...exported, ...listed].join(', ')} };`;
}
