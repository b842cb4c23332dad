import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * ILI-1 must run in a browser later (the public verifier): the modules it loads may use Node built-ins
 * only in the one adapter file, instant-hash.ts.
 */
const ALGORITHM_DIR = new URL('../../../src/draws/algorithm/', import.meta.url).pathname;
const ADAPTER = 'instant-hash.ts';

function importsOf(file: string): string[] {
  const text = readFileSync(join(ALGORITHM_DIR, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
}

it('instant.ts and instant-audit.ts load no Node built-in outside instant-hash.ts', () => {
  const seen = new Set<string>();
  const queue = ['instant.ts', 'instant-audit.ts'];
  const nodeImports: string[] = [];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('node:') && file !== ADAPTER) nodeImports.push(`${file} -> ${spec}`);
      if (spec.startsWith('./')) queue.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  expect([...seen].sort()).toEqual(['constants.ts', 'instant-audit.ts', 'instant-hash.ts', 'instant.ts', 'uniform.ts']);
  expect(nodeImports).toEqual([]);
});
