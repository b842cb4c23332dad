/**
 * The instant-draw day lifecycle as data, and the one pure "what is due next" function (like
 * src/draws/draw-state-machine.ts). Pure: no Nest, no database.
 *
 *   (no row) ──commit──▶ committed ──open──▶ open ──close──▶ closed ──publish──▶ published
 *
 * - commit: the day's rules (bands, tiers, odds, budgets, returned prizes) and its secret's hash are fixed
 *   and published; due from the start of the day BEFORE (COMMIT_LEAD_DAYS), so the commitment is public a
 *   whole day before the first entry. A day whose close has passed without a commitment never had an entry
 *   and is skipped (nothing to publish).
 * - open: at the Shanghai midnight that starts the day; entries are accepted while committed or open.
 * - close: at the next midnight; the log is final.
 * - publish: as soon as it is closed: the log and the day bundle (secret revealed) are written.
 */
import { validateLifecycleGraph } from '../core/lifecycle-graph.js';
import { addDays, shanghaiDate, startOfShanghaiDay } from '../core/time/shanghai.js';

export type InstantDayStatus = 'committed' | 'open' | 'closed' | 'published';
export type InstantDayStep = 'open' | 'close' | 'publish';

export const INSTANT_DAY_GRAPH: Readonly<Record<InstantDayStatus, readonly InstantDayStatus[]>> = {
  committed: ['open'],
  open: ['closed'],
  closed: ['published'],
  published: [],
};

export const INSTANT_DAY_STEPS: Readonly<Record<InstantDayStep, { from: InstantDayStatus; to: InstantDayStatus }>> = {
  open: { from: 'committed', to: 'open' },
  close: { from: 'open', to: 'closed' },
  publish: { from: 'closed', to: 'published' },
};

/** How many days before a day opens its commitment is due. */
export const COMMIT_LEAD_DAYS = 1;

/** Throws when a step is not an edge of the graph or a status is unreachable from `committed` (checked at start-up). */
export function validateInstantDayGraph(graph: Readonly<Record<string, readonly string[]>> = INSTANT_DAY_GRAPH, steps = INSTANT_DAY_STEPS): void {
  validateLifecycleGraph('Instant day', 'committed', graph, steps);
}

/** The id of a campaign's instant-draw day: `<campaign>-instant-<YYYY-MM-DD>` (an ILI-1 day id, at most 64 chars: it is the prizes' draw id). */
export function instantDayId(campaignId: string, date: string): string {
  const id = `${campaignId}-instant-${date}`;
  if (id.length > 64) throw new Error(`instant day id ${id} is longer than 64 characters`);
  return id;
}

/** The date of a day id made by {@link instantDayId}, or null. */
export function dateOfInstantDayId(dayId: string): string | null {
  const m = /-instant-(\d{4}-\d{2}-\d{2})$/.exec(dayId);
  return m ? m[1] : null;
}

export interface InstantDayTimes {
  date: string;
  opensAt: Date;
  closesAt: Date;
  /** From when the commitment is due. */
  commitFrom: Date;
}

export function instantDayTimes(date: string): InstantDayTimes {
  return {
    date,
    opensAt: startOfShanghaiDay(date),
    closesAt: startOfShanghaiDay(addDays(date, 1)),
    commitFrom: startOfShanghaiDay(addDays(date, -COMMIT_LEAD_DAYS)),
  };
}

/** The instant-draw days of a campaign: every Shanghai calendar day from its startDate to its endDate. */
export function isInstantDayOfCampaign(campaign: { startDate: string; endDate: string }, date: string): boolean {
  return date >= campaign.startDate && date <= campaign.endDate;
}

/**
 * The days of a campaign whose commitment is due at `now` (commit window reached, not yet closed), among
 * those not in `committed`. At most COMMIT_LEAD_DAYS + 1 days: today (a late commitment, before its first
 * entry) and the days ahead within the lead.
 */
export function daysToCommit(campaign: { startDate: string; endDate: string }, now: Date, committed: ReadonlySet<string>): string[] {
  const today = shanghaiDate(now);
  const out: string[] = [];
  for (let d = 0; d <= COMMIT_LEAD_DAYS; d++) {
    const date = addDays(today, d);
    if (!isInstantDayOfCampaign(campaign, date) || committed.has(date)) continue;
    const t = instantDayTimes(date);
    if (now.getTime() >= t.commitFrom.getTime() && now.getTime() < t.closesAt.getTime()) out.push(date);
  }
  return out;
}

export type InstantDueStep = { step: InstantDayStep } | { step: null; reason: string; waitUntil?: Date };

/**
 * The one decision of what a committed day needs next at `now` (service clock): open at its opening,
 * close at its closing, publish once closed. The tick, every step's guard and the entry draw ask it.
 */
export function instantDueStep(day: { status: InstantDayStatus; opensAt: Date; closesAt: Date }, now: Date): InstantDueStep {
  const t = now.getTime();
  switch (day.status) {
    case 'committed':
      if (t >= day.closesAt.getTime()) return { step: 'open' }; // opened and closed while no tick ran: open, then close
      if (t >= day.opensAt.getTime()) return { step: 'open' };
      return { step: null, reason: `the day opens at ${day.opensAt.toISOString()}`, waitUntil: day.opensAt };
    case 'open':
      if (t >= day.closesAt.getTime()) return { step: 'close' };
      return { step: null, reason: `the day closes at ${day.closesAt.toISOString()}`, waitUntil: day.closesAt };
    case 'closed':
      return { step: 'publish' };
    case 'published':
      return { step: null, reason: 'the day is published' };
  }
}

/** Whether an entry registered at `registeredAt` may still be drawn in this day at `now`: the day takes entries until it is closed. */
export function acceptsEntries(day: { status: InstantDayStatus; opensAt: Date; closesAt: Date }, registeredAt: Date): boolean {
  const r = registeredAt.getTime();
  return (day.status === 'committed' || day.status === 'open') && r >= day.opensAt.getTime() && r < day.closesAt.getTime();
}
