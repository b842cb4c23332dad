import { DrawInputError } from './constants.js';
import type { EntryTable } from './entry-table.js';
import { assertDrawId } from './inputs.js';
import { createDrawRng, uniformBelow, type Int32Source } from './uniform.js';

/** A prize tier as published: drawn in the order given (not sorted by `tier`). */
export interface DrawTier {
  /** Tier number (positive integer, unique within the draw). */
  tier: number;
  /** Display name, e.g. "一等奖". */
  name: string;
  /** Number of prizes in this tier (non-negative integer). */
  count: number;
  /** Prize value in cents. */
  prizeCents: number;
}

/** One filled prize; `slot` is the 1-based index of the prize within its tier. */
export interface DrawWinner {
  tier: number;
  slot: number;
  ref: string;
  holder: string;
  tickets: number;
}

/** One alternate; `rank` is its 1-based position in the reserve list. */
export interface DrawAlternate {
  rank: number;
  ref: string;
  holder: string;
  tickets: number;
}

/** The outcome of a draw: filled prizes in draw order, then the ordered reserve list. Unfilled picks are absent. */
export interface DrawResult {
  winners: DrawWinner[];
  alternates: DrawAlternate[];
}

/** Parameters of {@link runDraw}. */
export interface RunDrawParams {
  drawId: string;
  table: EntryTable;
  tiers: readonly DrawTier[];
  /** Maximum wins per holder in this draw (prizes and alternates count alike); 0 = no limit. Default 1. */
  winLimitPerHolder?: number;
  alternateCount: number;
  /** 64 lowercase hex chars, from {@link deriveSeed}. */
  seed: string;
}

/** Validates a tier list (throws {@link DrawInputError}). */
export function validateTiers(tiers: readonly DrawTier[]): void {
  if (!Array.isArray(tiers)) throw new DrawInputError('tiers must be an array');
  const seen = new Set<number>();
  tiers.forEach((t, i) => {
    if (t === null || typeof t !== 'object') throw new DrawInputError(`tiers[${i}] must be an object`);
    if (!Number.isSafeInteger(t.tier) || t.tier < 1) throw new DrawInputError(`tiers[${i}].tier must be a positive integer`);
    if (seen.has(t.tier)) throw new DrawInputError(`tiers[${i}].tier ${t.tier} is repeated`);
    seen.add(t.tier);
    if (typeof t.name !== 'string') throw new DrawInputError(`tiers[${i}].name must be a string`);
    if (!Number.isSafeInteger(t.count) || t.count < 0) throw new DrawInputError(`tiers[${i}].count must be a non-negative integer`);
    if (!Number.isSafeInteger(t.prizeCents) || t.prizeCents < 0) {
      throw new DrawInputError(`tiers[${i}].prizeCents must be a non-negative integer`);
    }
  });
}

function checkCount(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new DrawInputError(`${name} must be a non-negative integer, got ${v}`);
}

/**
 * Weighted sampling without replacement over an {@link EntryTable}, with a Fenwick tree of the
 * remaining tickets: O(N) to set up, O(log N) per pick (plus O(log N) per entry removed by the win limit).
 */
export class DrawSampler {
  private readonly n: number;
  private readonly tree: Float64Array;
  private readonly removed: Uint8Array;
  private readonly topStep: number;
  private remainingTotal: number;
  private holderStart: Int32Array | null = null;
  private holderEntries: Int32Array | null = null;
  private readonly wins = new Map<number, number>();

  constructor(
    private readonly table: EntryTable,
    private readonly rng: Int32Source,
    private readonly winLimit: number,
  ) {
    const n = table.count;
    const t = table.tickets;
    const tree = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) {
      tree[i] += t[i - 1];
      const j = i + (i & -i);
      if (j <= n) tree[j] += tree[i];
    }
    this.n = n;
    this.tree = tree;
    this.removed = new Uint8Array(n);
    this.remainingTotal = table.totalTickets;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    this.topStep = n === 0 ? 0 : step;
    if (winLimit > 0) this.buildHolderIndex();
  }

  /** CSR adjacency holder id -> its entry indices, in O(N). */
  private buildHolderIndex(): void {
    const h = this.table.holderCount;
    const ids = this.table.holderIds;
    const start = new Int32Array(h + 1);
    for (let i = 0; i < this.n; i++) start[ids[i] + 1]++;
    for (let k = 1; k <= h; k++) start[k] += start[k - 1];
    const list = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) list[start[ids[i]]++] = i;
    for (let k = h; k >= 1; k--) start[k] = start[k - 1];
    start[0] = 0;
    this.holderStart = start;
    this.holderEntries = list;
  }

  /** Tickets still in the draw. */
  get remaining(): number {
    return this.remainingTotal;
  }

  private remove(i: number): void {
    const v = this.table.tickets[i];
    this.removed[i] = 1;
    this.remainingTotal -= v;
    const tree = this.tree;
    for (let j = i + 1; j <= this.n; j += j & -j) tree[j] -= v;
  }

  /** Draws the next entry index, or -1 when no tickets remain. Applies the removal and the win limit. */
  pick(): number {
    if (this.remainingTotal <= 0) return -1;
    let r = uniformBelow(this.rng, this.remainingTotal);
    // First index whose running total of remaining tickets exceeds r.
    const tree = this.tree;
    let pos = 0;
    for (let step = this.topStep; step > 0; step >>>= 1) {
      const np = pos + step;
      if (np <= this.n && tree[np] <= r) {
        pos = np;
        r -= tree[np];
      }
    }
    const idx = pos; // 1-based position pos+1 == 0-based index pos
    if (idx >= this.n || this.removed[idx] === 1) throw new Error(`internal error: Fenwick search landed on entry ${idx}`);
    this.remove(idx);
    if (this.winLimit > 0) {
      const h = this.table.holderIds[idx];
      const w = (this.wins.get(h) ?? 0) + 1;
      this.wins.set(h, w);
      if (w >= this.winLimit) {
        const start = this.holderStart!;
        const list = this.holderEntries!;
        for (let k = start[h]; k < start[h + 1]; k++) {
          const j = list[k];
          if (this.removed[j] === 0) this.remove(j);
        }
      }
    }
    return idx;
  }
}

/**
 * Runs ILD-1 selection: for each tier in the given order, its prizes one after another, then the
 * alternates, each pick from `seedrandom(seed)` via {@link uniformBelow}. Once no tickets remain,
 * that pick and all later ones stay unfilled (absent from the result).
 */
export function runDraw(params: RunDrawParams): DrawResult {
  const { drawId, table, tiers, alternateCount, seed } = params;
  const winLimit = params.winLimitPerHolder ?? 1;
  assertDrawId(drawId);
  validateTiers(tiers);
  checkCount('winLimitPerHolder', winLimit);
  checkCount('alternateCount', alternateCount);
  const sampler = new DrawSampler(table, createDrawRng(seed), winLimit);
  const winners: DrawWinner[] = [];
  const alternates: DrawAlternate[] = [];
  outer: for (const t of tiers) {
    for (let slot = 1; slot <= t.count; slot++) {
      const idx = sampler.pick();
      if (idx < 0) break outer;
      winners.push({ tier: t.tier, slot, ref: table.refAt(idx), holder: table.holderAt(idx), tickets: table.tickets[idx] });
    }
  }
  for (let rank = 1; rank <= alternateCount; rank++) {
    const idx = sampler.pick();
    if (idx < 0) break;
    alternates.push({ rank, ref: table.refAt(idx), holder: table.holderAt(idx), tickets: table.tickets[idx] });
  }
  return { winners, alternates };
}
