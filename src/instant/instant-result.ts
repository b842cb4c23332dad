import { instantPoolsOf, type CampaignDefinition } from '../campaigns/campaign-definition.js';

/** Why a registration got no instant draw. */
export type InstantNotEnteredReason =
  /** The registration is gone (never happens for a live one). */
  | 'REGISTRATION_NOT_FOUND'
  /** The tax bureau's record rejected it before it was drawn. */
  | 'REGISTRATION_REJECTED'
  /** Its amount is in no instant pool's band. */
  | 'NOT_IN_INSTANT_BAND'
  /** It was registered on a day outside the campaign's dates. */
  | 'OUTSIDE_INSTANT_DAYS'
  /** Its day had closed before the worker drew it (the worker was down until after midnight). */
  | 'INSTANT_DAY_CLOSED'
  /** The same invoice was drawn earlier that day (registered, rejected and registered again). */
  | 'ALREADY_DRAWN_TODAY';

/** What the worker answers for a registration's instant draw (one item of the `draw-entries` job's return value). */
export type InstantEntryResult =
  | {
      status: 'drawn';
      dayId: string;
      /** The registration's position in the day's published log (the consumer's receipt). */
      position: number;
      band: string;
      /** The tier won, 0 for no prize. */
      outcome: number;
      tierName?: string;
      prizeCents?: number;
      /** When the second check is due; the prize is claimable after it passes. */
      payableAt?: string;
    }
  | { status: 'not-entered'; reason: InstantNotEnteredReason };

/** The registration answer's `instant` field: the worker's answer, or `pending` when it did not come in time. */
export type InstantAnswer = InstantEntryResult | { status: 'pending' };

const DAY_MS = 86_400_000;

/** The answer for a stored log line (the same for the worker that drew it and every later read). Pure. */
export function entryResult(
  e: { dayId: string; position: number; band: string; outcome: number; prizeCents: number; createdAt: Date },
  campaigns: readonly CampaignDefinition[],
): InstantEntryResult {
  const campaign = campaigns.find((c) => e.dayId.startsWith(`${c.id}-instant-`));
  const pool = campaign ? instantPoolsOf(campaign).find((p) => p.id === e.band) : undefined;
  if (e.outcome === 0) return { status: 'drawn', dayId: e.dayId, position: e.position, band: e.band, outcome: 0 };
  const tierName = pool?.tiers.find((t) => t.tier === e.outcome)?.name ?? `tier ${e.outcome}`;
  return {
    status: 'drawn',
    dayId: e.dayId,
    position: e.position,
    band: e.band,
    outcome: e.outcome,
    tierName,
    prizeCents: e.prizeCents,
    payableAt: new Date(e.createdAt.getTime() + (pool?.paymentDelayDays ?? 0) * DAY_MS).toISOString(),
  };
}
