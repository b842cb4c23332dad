/**
 * ILI-1: verifiable instant draws (即开即奖), specified in docs/draw-algorithm.md (part 2).
 *
 * Each entry's outcome is a deterministic function of the day's committed secret, the day id, the
 * entry's position in the day's log, its invoice ref and its band; per-tier daily budgets are spent in
 * log order and a spent tier falls through to the next one in the band's published order.
 * Pure: no Nest, no database; the only platform piece is SHA-256 (./instant-hash.ts).
 */
import { DrawInputError, isLowerHex } from './constants.js';
import { sha256BytesUtf8, sha256HexUtf8 } from './instant-hash.js';
import { uniformBelow, type Int32Source } from './uniform.js';

export const INSTANT_ALGORITHM_ID = 'ILI-1' as const;

/** Odds are integers out of one million: a tier with odds 2500 is drawn with probability 0.25 %. */
export const ODDS_DENOMINATOR = 1_000_000;

/** The first line of a published day log, including its `\n`. */
export const INSTANT_LOG_HEADER = 'position,ref,band,outcome\n';

/**
 * A day id follows ILD-1's draw id rule (docs/draw-algorithm.md section 2). Checked here rather than
 * imported from inputs.ts, which needs node:crypto: ILI-1's only platform dependency is instant-hash.ts.
 */
export function assertDayId(dayId: unknown): asserts dayId is string {
  if (typeof dayId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(dayId)) {
    throw new DrawInputError(`dayId must be 1-128 printable ASCII chars without spaces, got ${JSON.stringify(dayId)}`);
  }
}

/** A band id: 1–32 chars of lowercase letters, digits and '-', starting with a letter or digit. */
const BAND_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** One instant prize tier of a band, in the band's published order (fall-through goes down this order). */
export interface InstantTier {
  /** Positive integer, unique within the band; outcome 0 means "no prize". */
  tier: number;
  name: string;
  prizeCents: number;
  /** Chance of drawing this tier, in millionths (integer 0..1,000,000); a band's odds add up to at most 1,000,000. */
  odds: number;
  /** The day's base budget: how many prizes of this tier the day can award (before returned prizes). */
  budget: number;
}

/** The instant pool of one amount band (e.g. invoices of ¥100–1,000). */
export interface InstantBand {
  band: string;
  tiers: InstantTier[];
}

/**
 * A prize of an earlier day that was revoked at its second check (voided or red-flushed invoice):
 * it adds one prize of the same band and tier to the budget of the day whose rules list it.
 */
export interface BudgetReturn {
  dayId: string;
  position: number;
  ref: string;
  band: string;
  tier: number;
}

/** What the commitment fixes before the day opens. */
export interface InstantDayRules {
  dayId: string;
  bands: InstantBand[];
  returns: BudgetReturn[];
}

/** One line of the day log. `outcome` is the tier won, 0 for no prize. */
export interface InstantLogEntry {
  position: number;
  ref: string;
  band: string;
  outcome: number;
}

/** Budget accounting of one band and tier at the end of the day. */
export interface InstantTally {
  band: string;
  tier: number;
  budget: number;
  returned: number;
  won: number;
  left: number;
}

/** The result of one instant entry: `drawnTier` is what the random number picked before fall-through (0 = none). */
export interface InstantOutcome {
  position: number;
  ref: string;
  band: string;
  /** The uniform number in [0, 1,000,000) of the entry. */
  r: number;
  drawnTier: number;
  outcome: number;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks a band id (throws {@link DrawInputError}). */
export function assertBandId(band: unknown): asserts band is string {
  if (typeof band !== 'string' || !BAND_ID.test(band)) {
    throw new DrawInputError(`band must be 1-32 chars of a-z, 0-9 and '-', got ${JSON.stringify(band)}`);
  }
}

/** Validates day rules: day id, bands, tiers, odds, budgets and returns (canonical order, known band and tier). */
export function validateInstantRules(rules: InstantDayRules): void {
  if (rules === null || typeof rules !== 'object') throw new DrawInputError('rules must be an object');
  assertDayId(rules.dayId);
  if (!Array.isArray(rules.bands) || rules.bands.length === 0) throw new DrawInputError('bands must be a non-empty array');
  const bandIds = new Set<string>();
  rules.bands.forEach((b, i) => {
    if (b === null || typeof b !== 'object') throw new DrawInputError(`bands[${i}] must be an object`);
    assertBandId(b.band);
    if (bandIds.has(b.band)) throw new DrawInputError(`bands[${i}].band ${b.band} is repeated`);
    bandIds.add(b.band);
    if (!Array.isArray(b.tiers) || b.tiers.length === 0) throw new DrawInputError(`bands[${i}].tiers must be a non-empty array`);
    const tierNumbers = new Set<number>();
    let odds = 0;
    b.tiers.forEach((t, j) => {
      const at = `bands[${i}].tiers[${j}]`;
      if (t === null || typeof t !== 'object') throw new DrawInputError(`${at} must be an object`);
      if (!Number.isSafeInteger(t.tier) || t.tier < 1) throw new DrawInputError(`${at}.tier must be a positive integer`);
      if (tierNumbers.has(t.tier)) throw new DrawInputError(`${at}.tier ${t.tier} is repeated in band ${b.band}`);
      tierNumbers.add(t.tier);
      if (typeof t.name !== 'string') throw new DrawInputError(`${at}.name must be a string`);
      if (!isCount(t.prizeCents)) throw new DrawInputError(`${at}.prizeCents must be a non-negative integer`);
      if (!isCount(t.odds) || t.odds > ODDS_DENOMINATOR) throw new DrawInputError(`${at}.odds must be an integer in [0, ${ODDS_DENOMINATOR}]`);
      if (!isCount(t.budget)) throw new DrawInputError(`${at}.budget must be a non-negative integer`);
      odds += t.odds;
    });
    if (odds > ODDS_DENOMINATOR) throw new DrawInputError(`bands[${i}]: the odds add up to ${odds} > ${ODDS_DENOMINATOR}`);
  });
  if (!Array.isArray(rules.returns)) throw new DrawInputError('returns must be an array');
  let prev: BudgetReturn | null = null;
  rules.returns.forEach((r, i) => {
    const at = `returns[${i}]`;
    if (r === null || typeof r !== 'object') throw new DrawInputError(`${at} must be an object`);
    try {
      assertDayId(r.dayId);
    } catch (err) {
      throw new DrawInputError(`${at}.dayId: ${err.message}`);
    }
    if (r.dayId === rules.dayId) throw new DrawInputError(`${at}: a prize returns its budget to a later day, not to its own`);
    if (!Number.isSafeInteger(r.position) || r.position < 1) throw new DrawInputError(`${at}.position must be a positive integer`);
    if (!isLowerHex(r.ref, 64)) throw new DrawInputError(`${at}.ref must be 64 lowercase hex chars`);
    const band = rules.bands.find((b) => b.band === r.band);
    if (!band) throw new DrawInputError(`${at}.band ${JSON.stringify(r.band)} is not a band of this day`);
    if (!band.tiers.some((t) => t.tier === r.tier)) throw new DrawInputError(`${at}.tier ${r.tier} is not a tier of band ${r.band}`);
    if (prev !== null) {
      const order = prev.dayId < r.dayId ? -1 : prev.dayId > r.dayId ? 1 : Math.sign(prev.position - r.position);
      if (order === 0) throw new DrawInputError(`${at}: ${r.dayId} position ${r.position} is returned twice`);
      if (order > 0) throw new DrawInputError(`${at}: returns must be sorted by dayId, then position`);
    }
    prev = r;
  });
}

/** The per-entry string that seeds an entry's random stream (spec 2.5). */
export function instantEntryKey(dayId: string, secret: string, position: number, ref: string, band: string): string {
  return `${INSTANT_ALGORITHM_ID}\n${dayId}\n${secret}\n${position}\n${ref}\n${band}`;
}

/** The entry's byte stream SHA-256(key "\n0") ‖ SHA-256(key "\n1") ‖ …, read 4 bytes at a time, big-endian. */
export function instantEntryStream(key: string): Int32Source {
  let block = sha256BytesUtf8(`${key}\n0`);
  let counter = 0;
  let offset = 0;
  return {
    int32(): number {
      if (offset === block.length) {
        counter++;
        block = sha256BytesUtf8(`${key}\n${counter}`);
        offset = 0;
      }
      const v = (block[offset] << 24) | (block[offset + 1] << 16) | (block[offset + 2] << 8) | block[offset + 3];
      offset += 4;
      return v;
    },
  };
}

/** `secretHash` of an ILI-1 day: SHA-256 of the secret's 64 ASCII hex characters (as ILD-1). */
export function hashInstantSecret(secret: string): string {
  if (!isLowerHex(secret, 64)) throw new DrawInputError('secret must be 64 lowercase hex chars');
  return sha256HexUtf8(secret);
}

/** Draws tier index (into `tiers`) for `r`, or -1 for none: the first tier whose cumulative odds exceed r. */
function drawnIndex(tiers: readonly InstantTier[], r: number): number {
  let cumulative = 0;
  for (let i = 0; i < tiers.length; i++) {
    cumulative += tiers[i].odds;
    if (r < cumulative) return i;
  }
  return -1;
}

/**
 * The outcome of ONE entry (spec 2.5, 2.6) given the budgets left in its band before it (`left`, one count per
 * tier in published order), which it decreases for a win. For a service that keeps a day's position and
 * budgets in a database row rather than in an {@link InstantDay}; the caller has validated the rules and
 * checked that the ref is new to the day and the position the next one.
 */
export function drawInstantEntry(dayId: string, secret: string, position: number, ref: string, band: InstantBand, left: number[]): InstantOutcome {
  if (left.length !== band.tiers.length) throw new DrawInputError(`band ${band.band}: ${left.length} budgets for ${band.tiers.length} tiers`);
  const rng = instantEntryStream(instantEntryKey(dayId, secret, position, ref, band.band));
  const r = uniformBelow(rng, ODDS_DENOMINATOR);
  const drawn = drawnIndex(band.tiers, r);
  let outcome = 0;
  if (drawn >= 0) {
    for (let j = drawn; j < band.tiers.length; j++) {
      if (left[j] > 0) {
        left[j]--;
        outcome = band.tiers[j].tier;
        break;
      }
    }
  }
  return { position, ref, band: band.band, r, drawnTier: drawn >= 0 ? band.tiers[drawn].tier : 0, outcome };
}

/** The budgets of each band at the start of the day (tiers' budgets plus returned prizes), in published order. */
export function initialBudgets(rules: InstantDayRules): Record<string, number[]> {
  return Object.fromEntries(
    rules.bands.map((b) => [b.band, b.tiers.map((t) => t.budget + rules.returns.filter((r) => r.band === b.band && r.tier === t.tier).length)]),
  );
}

/**
 * One instant-draw day in progress: holds the remaining budgets and the next position. The worker that
 * holds the secret feeds it the day's entries in log order; {@link InstantDay.replay} rebuilds the
 * state from a log after a restart. Not safe for concurrent use: the log order is the call order.
 */
export class InstantDay {
  private readonly remaining = new Map<string, number[]>();
  private readonly bands = new Map<string, InstantBand>();
  private readonly refs = new Set<string>();
  private nextPosition = 1;

  constructor(
    readonly rules: InstantDayRules,
    private readonly secret: string,
  ) {
    validateInstantRules(rules);
    if (!isLowerHex(secret, 64)) throw new DrawInputError('secret must be 64 lowercase hex chars');
    for (const b of rules.bands) {
      this.bands.set(b.band, b);
      this.remaining.set(
        b.band,
        b.tiers.map((t) => t.budget + rules.returns.filter((r) => r.band === b.band && r.tier === t.tier).length),
      );
    }
  }

  /** Number of entries drawn so far. */
  get entryCount(): number {
    return this.nextPosition - 1;
  }

  /** Draws the next entry of the log. Throws {@link DrawInputError} on a bad ref, an unknown band or a ref already in the day. */
  draw(ref: string, band: string): InstantOutcome {
    if (!isLowerHex(ref, 64)) throw new DrawInputError(`ref must be 64 lowercase hex chars, got ${JSON.stringify(ref)}`);
    const spec = this.bands.get(band);
    if (!spec) throw new DrawInputError(`band ${JSON.stringify(band)} is not a band of day ${this.rules.dayId}`);
    if (this.refs.has(ref)) throw new DrawInputError(`ref ${ref} is already in day ${this.rules.dayId}`);
    const position = this.nextPosition;
    const outcome = drawInstantEntry(this.rules.dayId, this.secret, position, ref, spec, this.remaining.get(band) as number[]);
    this.refs.add(ref);
    this.nextPosition++;
    return outcome;
  }

  /** Budget accounting so far, band by band and tier by tier in published order. */
  tally(): InstantTally[] {
    return this.rules.bands.flatMap((b) => {
      const left = this.remaining.get(b.band) as number[];
      return b.tiers.map((t, j) => {
        const returned = this.rules.returns.filter((r) => r.band === b.band && r.tier === t.tier).length;
        return { band: b.band, tier: t.tier, budget: t.budget, returned, won: t.budget + returned - left[j], left: left[j] };
      });
    });
  }

  /** A day rebuilt from its log so far (same rules and secret); throws if the log's outcomes are not this day's. */
  static replay(rules: InstantDayRules, secret: string, log: readonly Pick<InstantLogEntry, 'ref' | 'band' | 'outcome'>[]): InstantDay {
    const day = new InstantDay(rules, secret);
    for (const e of log) {
      const o = day.draw(e.ref, e.band);
      if (o.outcome !== e.outcome) throw new DrawInputError(`position ${o.position}: the log says outcome ${e.outcome}, the draw gives ${o.outcome}`);
    }
    return day;
  }
}

/** Runs a whole day over entries in log order. */
export function runInstantDay(
  rules: InstantDayRules,
  secret: string,
  entries: readonly { ref: string; band: string }[],
): { outcomes: InstantOutcome[]; tally: InstantTally[] } {
  const day = new InstantDay(rules, secret);
  const outcomes = entries.map((e) => day.draw(e.ref, e.band));
  return { outcomes, tally: day.tally() };
}

/** One log line `<position>,<ref>,<band>,<outcome>\n`. */
export function formatInstantLogLine(e: InstantLogEntry): string {
  return `${e.position},${e.ref},${e.band},${e.outcome}\n`;
}

/** The published day log text (header + one line per entry, in position order). */
export function formatInstantLog(entries: readonly InstantLogEntry[]): string {
  return INSTANT_LOG_HEADER + entries.map(formatInstantLogLine).join('');
}

/** The day log does not follow the ILI-1 format; `line` is 1-based (the header is line 1). */
export class InstantLogFormatError extends DrawInputError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`day log line ${line}: ${message}`);
    this.name = 'InstantLogFormatError';
  }
}

const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;

/**
 * Reads a day log strictly (spec 2.7): exact header, `\n` endings (last line too), positions 1, 2, 3, …
 * without gaps, unique refs, known bands, outcomes 0 or a tier of the entry's band. Returns the entries and
 * `logDigest` (SHA-256 of the exact text). Throws {@link InstantLogFormatError}.
 */
export function readInstantLog(text: string, bands: readonly InstantBand[]): { entries: InstantLogEntry[]; logDigest: string } {
  if (!text.startsWith(INSTANT_LOG_HEADER)) throw new InstantLogFormatError(1, `expected the header ${JSON.stringify(INSTANT_LOG_HEADER.trimEnd())}`);
  if (!text.endsWith('\n')) throw new InstantLogFormatError(text.split('\n').length, 'every line must end with \\n');
  const lines = text.slice(INSTANT_LOG_HEADER.length, -1);
  const entries: InstantLogEntry[] = [];
  const refs = new Set<string>();
  if (lines.length > 0) {
    const split = lines.split('\n');
    for (let i = 0; i < split.length; i++) {
      const lineNo = i + 2;
      const fields = split[i].split(',');
      if (fields.length !== 4) throw new InstantLogFormatError(lineNo, `expected 4 comma-separated fields, got ${fields.length}`);
      const [pos, ref, band, outcome] = fields;
      if (!DECIMAL.test(pos) || Number(pos) !== i + 1) throw new InstantLogFormatError(lineNo, `position: expected ${i + 1} got ${JSON.stringify(pos)}`);
      if (!isLowerHex(ref, 64)) throw new InstantLogFormatError(lineNo, 'ref must be 64 lowercase hex chars');
      if (refs.has(ref)) throw new InstantLogFormatError(lineNo, `ref ${ref} appears twice`);
      refs.add(ref);
      const spec = bands.find((b) => b.band === band);
      if (!spec) throw new InstantLogFormatError(lineNo, `band ${JSON.stringify(band)} is not a band of this day`);
      if (!DECIMAL.test(outcome)) throw new InstantLogFormatError(lineNo, `outcome must be a decimal tier number or 0, got ${JSON.stringify(outcome)}`);
      const o = Number(outcome);
      if (o !== 0 && !spec.tiers.some((t) => t.tier === o)) throw new InstantLogFormatError(lineNo, `outcome ${o} is not a tier of band ${band}`);
      entries.push({ position: i + 1, ref, band, outcome: o });
    }
  }
  return { entries, logDigest: sha256HexUtf8(text) };
}
