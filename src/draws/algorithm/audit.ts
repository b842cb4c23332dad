import { ALGORITHM_ID, DrawInputError, HEX64 } from './constants.js';
import { EntriesFormatError, readEntriesFile, type ReadProgress } from './entries-file.js';
import { runDraw, validateTiers, type DrawAlternate, type DrawResult, type DrawTier, type DrawWinner } from './draw.js';
import { assertDrawId, deriveSeed, hashSecret } from './inputs.js';

/** What is published when the entries are frozen, before the draw: it commits to the entries and the secret. */
export interface DrawCommitment {
  algorithm: typeof ALGORITHM_ID;
  drawId: string;
  entryCount: number;
  totalTickets: number;
  entriesDigest: string;
  secretHash: string;
}

/** The public audit bundle of a finished draw: everything needed to recompute it from the entries file. */
export interface AuditBundle {
  algorithm: typeof ALGORITHM_ID;
  campaignId: string;
  drawId: string;
  entryCount: number;
  totalTickets: number;
  entriesDigest: string;
  secretHash: string;
  secret: string;
  /** The public beacon value mixed into the seed; '' when none. */
  beacon: string;
  seed: string;
  tiers: DrawTier[];
  winLimitPerHolder: number;
  alternateCount: number;
  winners: DrawWinner[];
  alternates: DrawAlternate[];
}

/** Builds the commitment published at freeze (secretHash computed from the secret). */
export function buildCommitment(p: {
  drawId: string;
  entryCount: number;
  totalTickets: number;
  entriesDigest: string;
  secret: string;
}): DrawCommitment {
  assertDrawId(p.drawId);
  if (!HEX64.test(p.entriesDigest)) throw new DrawInputError('entriesDigest must be 64 lowercase hex chars');
  return {
    algorithm: ALGORITHM_ID,
    drawId: p.drawId,
    entryCount: p.entryCount,
    totalTickets: p.totalTickets,
    entriesDigest: p.entriesDigest,
    secretHash: hashSecret(p.secret),
  };
}

/** Parameters of {@link buildAuditBundle}; `result` is what {@link runDraw} returned for the same inputs. */
export interface BuildAuditBundleParams {
  campaignId: string;
  drawId: string;
  entryCount: number;
  totalTickets: number;
  entriesDigest: string;
  secret: string;
  beacon?: string | null;
  tiers: readonly DrawTier[];
  winLimitPerHolder: number;
  alternateCount: number;
  result: DrawResult;
}

/** Assembles the audit bundle (computes secretHash and seed; copies tiers, winners and alternates field by field). */
export function buildAuditBundle(p: BuildAuditBundleParams): AuditBundle {
  validateTiers(p.tiers);
  const beacon = p.beacon ?? '';
  return {
    algorithm: ALGORITHM_ID,
    campaignId: p.campaignId,
    drawId: p.drawId,
    entryCount: p.entryCount,
    totalTickets: p.totalTickets,
    entriesDigest: p.entriesDigest,
    secretHash: hashSecret(p.secret),
    secret: p.secret,
    beacon,
    seed: deriveSeed({ drawId: p.drawId, entriesDigest: p.entriesDigest, secret: p.secret, beacon }),
    tiers: p.tiers.map((t) => ({ tier: t.tier, name: t.name, count: t.count, prizeCents: t.prizeCents })),
    winLimitPerHolder: p.winLimitPerHolder,
    alternateCount: p.alternateCount,
    winners: p.result.winners.map((w) => ({ tier: w.tier, slot: w.slot, ref: w.ref, holder: w.holder, tickets: w.tickets })),
    alternates: p.result.alternates.map((a) => ({ rank: a.rank, ref: a.ref, holder: a.holder, tickets: a.tickets })),
  };
}

/** Outcome of {@link verifyAuditBundle}. */
export type VerifyResult = { ok: true } | { ok: false; difference: string };

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/** Structural checks of a bundle; returns the first problem or null. */
function checkShape(b: Record<string, unknown>): string | null {
  const str = (k: string, re?: RegExp): string | null =>
    typeof b[k] === 'string' && (!re || re.test(b[k] as string)) ? null : `${k}: expected ${re ? '64 lowercase hex chars' : 'a string'} got ${show(b[k])}`;
  const checks: Array<() => string | null> = [
    () => str('campaignId'),
    () => {
      try {
        assertDrawId(b.drawId as string);
        return null;
      } catch (err) {
        return `drawId: ${err.message}`;
      }
    },
    () => (isInt(b.entryCount, 0) ? null : `entryCount: expected a non-negative integer got ${show(b.entryCount)}`),
    () => (isInt(b.totalTickets, 0) ? null : `totalTickets: expected a non-negative integer got ${show(b.totalTickets)}`),
    () => str('entriesDigest', HEX64),
    () => str('secretHash', HEX64),
    () => str('secret', HEX64),
    () => (b.beacon === null || b.beacon === undefined || typeof b.beacon === 'string' ? null : `beacon: expected a string got ${show(b.beacon)}`),
    () => str('seed', HEX64),
    () => {
      try {
        validateTiers(b.tiers as DrawTier[]);
        return null;
      } catch (err) {
        return `tiers: ${err.message}`;
      }
    },
    () => (isInt(b.winLimitPerHolder, 0) ? null : `winLimitPerHolder: expected a non-negative integer got ${show(b.winLimitPerHolder)}`),
    () => (isInt(b.alternateCount, 0) ? null : `alternateCount: expected a non-negative integer got ${show(b.alternateCount)}`),
    () => (Array.isArray(b.winners) ? null : `winners: expected an array got ${show(b.winners)}`),
    () => (Array.isArray(b.alternates) ? null : `alternates: expected an array got ${show(b.alternates)}`),
  ];
  for (const c of checks) {
    const d = c();
    if (d !== null) return d;
  }
  return null;
}

function comparePicks<T extends object>(
  name: string,
  expected: readonly T[],
  got: readonly unknown[],
  fields: ReadonlyArray<keyof T & string>,
): string | null {
  const n = Math.max(expected.length, got.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i] as Record<string, unknown> | undefined;
    const g = got[i];
    if (e === undefined) return `${name}[${i}]: expected nothing (the draw fills only ${expected.length}) got ${show(g)}`;
    if (g === null || typeof g !== 'object') {
      const pick = Object.fromEntries(fields.map((f) => [f, e[f]]));
      return `${name}[${i}]: expected ${show(pick)} got ${show(g)}`;
    }
    for (const f of fields) {
      const gv = (g as Record<string, unknown>)[f];
      if (gv !== e[f]) return `${name}[${i}].${f}: expected ${show(e[f])} got ${show(gv)}`;
    }
  }
  return null;
}

/**
 * Re-derives everything in an audit bundle from the entries file: entry count, ticket total and
 * digest, secretHash, seed and every winner and alternate. Returns `{ok: true}` or the FIRST
 * difference, e.g. `winners[3].ref: expected "…" got "…"` ("expected" = recomputed, "got" = bundle).
 * Comparison order: algorithm, bundle structure, the entries file format, entryCount, totalTickets,
 * entriesDigest, secretHash, seed, winners (in order, field by field), alternates.
 * Stream/IO errors are thrown, not reported as differences.
 */
export async function verifyAuditBundle(
  bundle: unknown,
  entriesReadable: AsyncIterable<Uint8Array | string>,
  onProgress?: (progress: ReadProgress) => void,
): Promise<VerifyResult> {
  const diff = (difference: string): VerifyResult => ({ ok: false, difference });
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) return diff(`bundle: expected a JSON object got ${show(bundle)}`);
  const b = bundle as Record<string, unknown>;
  if (b.algorithm !== ALGORITHM_ID) return diff(`algorithm: expected ${show(ALGORITHM_ID)} got ${show(b.algorithm)}`);
  const shape = checkShape(b);
  if (shape !== null) return diff(shape);
  const a = bundle as AuditBundle;

  let read;
  try {
    read = await readEntriesFile(entriesReadable, onProgress);
  } catch (err) {
    if (err instanceof EntriesFormatError) return diff(err.message);
    throw err;
  }
  if (read.entryCount !== a.entryCount) return diff(`entryCount: expected ${read.entryCount} got ${show(a.entryCount)}`);
  if (read.totalTickets !== a.totalTickets) return diff(`totalTickets: expected ${read.totalTickets} got ${show(a.totalTickets)}`);
  if (read.entriesDigest !== a.entriesDigest) return diff(`entriesDigest: expected ${show(read.entriesDigest)} got ${show(a.entriesDigest)}`);
  const secretHash = hashSecret(a.secret);
  if (secretHash !== a.secretHash) return diff(`secretHash: expected ${show(secretHash)} got ${show(a.secretHash)}`);
  const beacon = a.beacon ?? '';
  const seed = deriveSeed({ drawId: a.drawId, entriesDigest: read.entriesDigest, secret: a.secret, beacon });
  if (seed !== a.seed) return diff(`seed: expected ${show(seed)} got ${show(a.seed)}`);

  const result = runDraw({
    drawId: a.drawId,
    table: read.table,
    tiers: a.tiers,
    winLimitPerHolder: a.winLimitPerHolder,
    alternateCount: a.alternateCount,
    seed,
  });
  const w = comparePicks<DrawWinner>('winners', result.winners, a.winners, ['tier', 'slot', 'ref', 'holder', 'tickets']);
  if (w !== null) return diff(w);
  const alt = comparePicks<DrawAlternate>('alternates', result.alternates, a.alternates, ['rank', 'ref', 'holder', 'tickets']);
  if (alt !== null) return diff(alt);
  return { ok: true };
}
