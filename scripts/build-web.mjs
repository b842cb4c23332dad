// Bundles the browser scripts of the front ends with esbuild, as the last step of `npm run build`.
//
//   node scripts/build-web.mjs                      the entry points listed in WEB_ENTRIES below
//   node scripts/build-web.mjs src/x/page.ts=x/page.js ...   only these (output relative to dist/web/)
//
// Each front end adds its entry points to WEB_ENTRIES (source .ts -> output under dist/web/). Bundles are
// browser ES2022 scripts (IIFE, no module loader needed under a strict CSP), minified, with linked source
// maps. Front-end code shared between front ends lives in src/web-shared/. Code of src/draws/algorithm
// runs unchanged in the browser: its one Node-only module, sha256.ts, is replaced by sha256.browser.ts.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const OUT_DIR = join(root, 'dist/web');

/** [source entry point, output file under dist/web/] */
export const WEB_ENTRIES = [
  ['src/public/web-src/verify-page.ts', 'public/verify.js'],
  ['src/public/web-src/verify-worker.ts', 'public/verify-worker.js'],
];

/** Swaps every import of src/draws/algorithm/sha256.js for its browser twin, sha256.browser.ts. */
const browserHashing = {
  name: 'ild-browser-hashing',
  setup(b) {
    b.onResolve({ filter: /(^|\/)sha256\.js$/ }, (args) => {
      const browser = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return browser.startsWith(join(root, 'src/draws/algorithm/')) && existsSync(browser) ? { path: browser } : undefined;
    });
  },
};

/** Our sources import './x.js' (Node ESM style) for './x.ts' files: resolve them as esbuild would not. */
const tsFromJs = {
  name: 'ts-from-js',
  setup(b) {
    b.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      const ts = join(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return existsSync(ts) ? { path: ts } : undefined;
    });
  },
};

/** Bundles each [entry, output] pair; returns the output paths. */
export async function buildWeb(entries = WEB_ENTRIES) {
  const outputs = [];
  for (const [entry, output] of entries) {
    const outfile = join(OUT_DIR, output);
    await build({
      entryPoints: [join(root, entry)],
      outfile,
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2022'],
      minify: true,
      sourcemap: 'linked',
      legalComments: 'linked',
      plugins: [browserHashing, tsFromJs],
      logLevel: 'warning',
      absWorkingDir: root,
    });
    outputs.push(outfile);
  }
  return outputs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const entries = args.length ? args.map((a) => a.split('=')) : WEB_ENTRIES;
  for (const pair of entries) if (pair.length !== 2) throw new Error(`build-web: expected <source.ts>=<output.js>, got ${pair.join('=')}`);
  const outputs = await buildWeb(entries);
  console.log(`build-web: ${outputs.map((o) => o.slice(root.length)).join(', ')}`);
}
