// Copies the files tsc does not emit (the public web page) next to the compiled modules in dist/.
import { cpSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const assets = [['src/public/web', 'dist/src/public/web']];
for (const [from, to] of assets) {
  if (!existsSync(root + from)) throw new Error(`copy-assets: ${from} is missing`);
  cpSync(root + from, root + to, { recursive: true });
}
console.log(`copy-assets: ${assets.map(([from, to]) => `${from} -> ${to}`).join(', ')}`);
