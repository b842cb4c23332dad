/**
 * ILI-1 publication and verification: the commitment published before an instant day opens, the day
 * bundle published when it closes, and the verifier that recomputes every outcome and the budgets.
 */
import { DrawInputError } from './constants.js';
import {
  INSTANT_ALGORITHM_ID,
  InstantLogFormatError,
  formatInstantLog,
  hashInstantSecret,
  readInstantLog,
  runInstantDay,
  validateInstantRules,
  type BudgetReturn,
  type InstantBand,
  type InstantDayRules,
  type InstantLogEntry,
  type InstantTally,
} from './instant.js';
import { sha256HexUtf8 } from './instant-hash.js';

/** Published before the day opens: fixes the secret (by its hash), the bands with odds and budgets, and the returned prizes. */
export interface InstantCommitment {
  algorithm: typeof INSTANT_ALGORITHM_ID;
  dayId: string;
  secretHash: string;
  bands: InstantBand[];
  returns: BudgetReturn[];
}

/** Published when the day closes, beside the day log: reveals the secret and sums up the budgets. */
export interface InstantDayBundle extends InstantCommitment {
  campaignId: string;
  secret: string;
  entryCount: number;
  logDigest: string;
  tally: InstantTally[];
}

/** Copies rules field by field in the published key order (so the JSON is canonical). */
function copyRules(rules: InstantDayRules): Pick<InstantCommitment, 'bands' | 'returns'> {
  return {
    bands: rules.bands.map((b) => ({
      band: b.band,
      tiers: b.tiers.map((t) => ({ tier: t.tier, name: t.name, prizeCents: t.prizeCents, odds: t.odds, budget: t.budget })),
    })),
    returns: rules.returns.map((r) => ({ dayId: r.dayId, position: r.position, ref: r.ref, band: r.band, tier: r.tier })),
  };
}

/** The commitment of a day (computes secretHash; validates the rules). */
export function buildInstantCommitment(rules: InstantDayRules, secret: string): InstantCommitment {
  validateInstantRules(rules);
  return { algorithm: INSTANT_ALGORITHM_ID, dayId: rules.dayId, secretHash: hashInstantSecret(secret), ...copyRules(rules) };
}

/**
 * Runs a closed day over its entries in log order and returns the bundle and the exact log text.
 * (The worker draws entry by entry with InstantDay; this is the same computation in one go.)
 */
export function publishInstantDay(p: {
  campaignId: string;
  rules: InstantDayRules;
  secret: string;
  entries: readonly { ref: string; band: string }[];
}): { bundle: InstantDayBundle; log: string } {
  const { outcomes, tally } = runInstantDay(p.rules, p.secret, p.entries);
  const log = formatInstantLog(outcomes.map((o) => ({ position: o.position, ref: o.ref, band: o.band, outcome: o.outcome })));
  const bundle: InstantDayBundle = {
    ...buildInstantCommitment(p.rules, p.secret),
    campaignId: p.campaignId,
    secret: p.secret,
    entryCount: outcomes.length,
    logDigest: sha256HexUtf8(log),
    tally,
  };
  return { bundle, log };
}

export type InstantVerifyResult = { ok: true; entries: InstantLogEntry[] } | { ok: false; difference: string };

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** First difference between two JSON values, as a path (`bands[0].tiers[1].odds: expected 5 got 6`), or null. */
function firstDifference(path: string, expected: unknown, got: unknown): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(got)) return `${path}: expected an array got ${show(got)}`;
    const n = Math.max(expected.length, got.length);
    for (let i = 0; i < n; i++) {
      if (i >= expected.length) return `${path}[${i}]: expected nothing got ${show(got[i])}`;
      const d = firstDifference(`${path}[${i}]`, expected[i], got[i]);
      if (d !== null) return d;
    }
    return null;
  }
  if (isRecord(expected)) {
    if (!isRecord(got)) return `${path}: expected an object got ${show(got)}`;
    for (const k of Object.keys(expected)) {
      const d = firstDifference(`${path}.${k}`, expected[k], got[k]);
      if (d !== null) return d;
    }
    return null;
  }
  return expected === got ? null : `${path}: expected ${show(expected)} got ${show(got)}`;
}

function rulesOf(x: Record<string, unknown>): InstantDayRules {
  return { dayId: x.dayId as string, bands: x.bands as InstantBand[], returns: x.returns as BudgetReturn[] };
}

/**
 * Verifies a published instant day: the bundle against the commitment published before the day opened,
 * the revealed secret against its hash, the log's format, count and digest, then every outcome in log
 * order and the budget tally. Returns the FIRST difference ("expected" = recomputed or committed,
 * "got" = published), in the order of spec section 2.9.
 */
export function verifyInstantDay(commitment: unknown, bundle: unknown, logText: string): InstantVerifyResult {
  const diff = (difference: string): InstantVerifyResult => ({ ok: false, difference });
  if (!isRecord(commitment)) return diff(`commitment: expected a JSON object got ${show(commitment)}`);
  if (!isRecord(bundle)) return diff(`bundle: expected a JSON object got ${show(bundle)}`);
  if (commitment.algorithm !== INSTANT_ALGORITHM_ID) return diff(`commitment.algorithm: expected ${show(INSTANT_ALGORITHM_ID)} got ${show(commitment.algorithm)}`);
  if (bundle.algorithm !== INSTANT_ALGORITHM_ID) return diff(`algorithm: expected ${show(INSTANT_ALGORITHM_ID)} got ${show(bundle.algorithm)}`);
  const rules = rulesOf(commitment);
  try {
    validateInstantRules(rules);
  } catch (err) {
    if (err instanceof DrawInputError) return diff(`commitment: ${err.message}`);
    throw err;
  }
  // Everything the commitment fixed must be unchanged in the bundle.
  const committed = { dayId: rules.dayId, secretHash: commitment.secretHash, ...copyRules(rules) };
  for (const key of Object.keys(committed) as (keyof typeof committed)[]) {
    const d = firstDifference(key, committed[key], bundle[key]);
    if (d !== null) return diff(d);
  }
  if (typeof bundle.secret !== 'string' || !/^[0-9a-f]{64}$/.test(bundle.secret)) return diff(`secret: expected 64 lowercase hex chars got ${show(bundle.secret)}`);
  const secretHash = hashInstantSecret(bundle.secret);
  if (secretHash !== commitment.secretHash) return diff(`secretHash: expected ${show(secretHash)} (the hash of the revealed secret) got ${show(commitment.secretHash)}`);

  let read;
  try {
    read = readInstantLog(logText, rules.bands);
  } catch (err) {
    if (err instanceof InstantLogFormatError) return diff(err.message);
    throw err;
  }
  if (read.entries.length !== bundle.entryCount) return diff(`entryCount: expected ${read.entries.length} got ${show(bundle.entryCount)}`);
  if (read.logDigest !== bundle.logDigest) return diff(`logDigest: expected ${show(read.logDigest)} got ${show(bundle.logDigest)}`);

  const { outcomes, tally } = runInstantDay(rules, bundle.secret, read.entries);
  for (let i = 0; i < outcomes.length; i++) {
    if (outcomes[i].outcome !== read.entries[i].outcome) {
      return diff(`log line ${i + 2} (position ${i + 1}): outcome expected ${outcomes[i].outcome} got ${read.entries[i].outcome}`);
    }
  }
  const t = firstDifference('tally', tally, bundle.tally);
  if (t !== null) return diff(t);
  return { ok: true, entries: read.entries };
}

/**
 * Checks a day's returned prizes against the published logs of the days they came from (spec 2.4): each
 * return must name a line of that day's log with the same ref and band whose outcome is the returned tier.
 * `earlierLogs` maps a day id to its verified log entries; a return from a day not given is reported, so
 * a caller that cannot fetch a day learns which. Returns the first problem or null.
 */
export function verifyBudgetReturns(returns: readonly BudgetReturn[], earlierLogs: ReadonlyMap<string, readonly InstantLogEntry[]>): string | null {
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    const log = earlierLogs.get(r.dayId);
    if (!log) return `returns[${i}]: the log of ${r.dayId} was not given`;
    const line = log[r.position - 1];
    if (!line || line.position !== r.position) return `returns[${i}]: ${r.dayId} has no position ${r.position}`;
    if (line.ref !== r.ref) return `returns[${i}].ref: expected ${show(line.ref)} (${r.dayId} position ${r.position}) got ${show(r.ref)}`;
    if (line.band !== r.band) return `returns[${i}].band: expected ${show(line.band)} got ${show(r.band)}`;
    if (line.outcome !== r.tier) return `returns[${i}].tier: ${r.dayId} position ${r.position} won ${line.outcome === 0 ? 'nothing' : `tier ${line.outcome}`}, not tier ${r.tier}`;
  }
  return null;
}

/**
 * {@link verifyBudgetReturns} from the published bundles and logs of earlier days: each log is read
 * with its own day's bands and must hash to its bundle's logDigest. Returns the first problem or null.
 */
export function verifyReturnsFromPublishedDays(returns: readonly BudgetReturn[], earlier: readonly { bundle: unknown; logText: string }[]): string | null {
  const logs = new Map<string, InstantLogEntry[]>();
  for (const [i, day] of earlier.entries()) {
    if (!isRecord(day.bundle) || typeof day.bundle.dayId !== 'string' || !Array.isArray(day.bundle.bands)) return `earlier day ${i + 1}: not an ILI-1 day bundle`;
    let read;
    try {
      read = readInstantLog(day.logText, day.bundle.bands as InstantBand[]);
    } catch (err) {
      if (err instanceof DrawInputError) return `earlier day ${day.bundle.dayId}: ${err.message}`;
      throw err;
    }
    if (read.logDigest !== day.bundle.logDigest) return `earlier day ${day.bundle.dayId}: logDigest expected ${show(read.logDigest)} got ${show(day.bundle.logDigest)}`;
    logs.set(day.bundle.dayId, read.entries);
  }
  return verifyBudgetReturns(returns, logs);
}
