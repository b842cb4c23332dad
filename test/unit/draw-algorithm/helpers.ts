import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import seedrandom from 'seedrandom';
import type { Entry } from '../../../src/draws/algorithm/index.js';

export const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** A Node Readable over the given text/bytes, cut into chunks of `chunk` bytes (default: one chunk). */
export function streamOf(data: string | Buffer, chunk?: number): Readable {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (!chunk) return Readable.from([buf]);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return Readable.from(parts);
}

/** Builds the entries file text independently of the module under test. */
export function entriesText(entries: readonly Entry[]): string {
  return 'ref,holder,tickets\n' + entries.map((e) => `${e.ref},${e.holder},${e.tickets}\n`).join('');
}

/** Random sorted entries from a deterministic generator. */
export function randomEntries(
  seed: string,
  n: number,
  holderPool: number,
  maxTickets: number,
): Entry[] {
  const rng = seedrandom(seed);
  const holders = Array.from({ length: Math.max(1, holderPool) }, (_, i) => sha256(`${seed}/holder/${i}`).slice(0, 16));
  const refs = new Set<string>();
  while (refs.size < n) refs.add(sha256(`${seed}/ref/${refs.size}/${rng()}`));
  return [...refs].sort().map((ref) => ({
    ref,
    holder: holders[Math.floor(rng() * holders.length)],
    tickets: 1 + Math.floor(rng() * maxTickets),
  }));
}
