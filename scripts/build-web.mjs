// Builds the browser front ends: `node scripts/build-web.mjs <name>=<entry.js|entry.ts>[:classic] ...`.
// Each entry is bundled by esbuild (its imports, src/web-shared/ and npm packages such as echarts; no CDN)
// into dist/web/<name>/app.js, and the other files of the entry's folder (index.html, app.css, images) are
// copied next to it; each text file also gets its .br and .gz forms. The API serves dist/web/<name>/ with
// ETags and the compressed form the browser accepts.
// A page's script is an ES module (<script type="module">) split by esbuild: what it loads with a dynamic
// import() (ECharts behind a chart) goes to dist/web/<name>/chunks/<name>-<HASH>.js, fetched only when
// needed; the content hash in the name lets the API serve chunks as immutable. `:classic` builds one
// classic script without chunks (a Web Worker started by `new Worker(url)`). preload.json lists the chunks
// app.js imports statically (for <link rel="modulepreload">).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Code of src/draws/algorithm (ILD-1) runs unchanged in the browser (the public page's verifier): its one
// Node-only module, sha256.ts, is swapped for sha256.browser.ts.
const browserHashing = {
  name: 'ild-browser-hashing',
  setup(b) {
    b.onResolve({ filter: /(^|\/)sha256\.js$/ }, (args) => {
      const browser = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return browser.startsWith(join(root, 'src/draws/algorithm/')) && existsSync(browser) ? { path: browser } : undefined;
    });
  },
};
// TypeScript sources import './x.js' (Node ESM style) for './x.ts': resolve those to the .ts file.
const tsFromJs = {
  name: 'ts-from-js',
  setup(b) {
    b.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      const js = join(args.resolveDir, args.path);
      const ts = js.replace(/\.js$/, '.ts');
      return !existsSync(js) && existsSync(ts) ? { path: ts } : undefined;
    });
  },
};
const entries = process.argv.slice(2).map((arg) => {
  const [name, spec] = arg.split('=');
  const [entry, kind] = (spec ?? '').split(':');
  if (!name || !entry || !/^[a-z0-9-]+$/.test(name) || (kind !== undefined && kind !== 'classic')) {
    throw new Error(`build-web: expected <name>=<entry.js>[:classic], got ${arg}`);
  }
  return { name, entry, classic: kind === 'classic' };
});
/** Every file under dir, as paths relative to it (the chunks are one level down). */
const filesUnder = (dir, prefix = '') =>
  readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((f) => (f.isDirectory() ? filesUnder(dir, join(prefix, f.name)) : f.isFile() ? [join(prefix, f.name)] : []));
if (entries.length === 0) throw new Error('build-web: no entry points given');

for (const { name, entry, classic } of entries) {
  const out = join(root, 'dist/web', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const source = dirname(join(root, entry));
  for (const file of readdirSync(source, { withFileTypes: true })) {
    if (file.isFile() && !['.js', '.ts', '.md'].includes(extname(file.name))) cpSync(join(source, file.name), join(out, file.name));
  }
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: join(root, entry) },
    outdir: out,
    ...(classic ? { format: 'iife' } : { format: 'esm', splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
    bundle: true,
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
    plugins: [browserHashing, tsFromJs],
  });
  if (!classic) {
    // The chunks app.js itself imports (esbuild's shared helpers): the page lists them as <link rel="modulepreload">
    // so they download alongside app.js rather than after it.
    const app = result.metafile.outputs[relative(root, join(out, 'app.js'))];
    const preload = app.imports.filter((i) => i.kind === 'import-statement').map((i) => relative(out, join(root, i.path)));
    writeFileSync(join(out, 'preload.json'), `${JSON.stringify(preload)}\n`);
  }
  // Compressed once here rather than at every start of the API: best brotli for what pages load.
  for (const file of filesUnder(out)) {
    if (!/\.(html|js|css|map|txt|svg)$/.test(file)) continue;
    const body = readFileSync(join(out, file));
    if (body.length <= 512) continue;
    const quality = body.length > 1_000_000 ? 6 : 11;
    writeFileSync(join(out, `${file}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(join(out, `${file}.gz`), gzipSync(body, { level: 9 }));
  }
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`build-web: ${entry} -> dist/web/${name}/ (${Math.round(bytes / 1024)} KiB)`);
}
