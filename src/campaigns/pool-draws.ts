import { periodicPoolsOf, type AmountBand, type CampaignDefinition, type PeriodicPool } from './campaign-definition.js';
import { periodsOf, type DrawPeriod } from './periods.js';

/**
 * The periodic draws of a campaign: one ILD-1 draw per period and periodic prize pool, over the verified
 * entries of the period whose paid amount (paid_cents, what the tickets are computed from) lies in the pool's
 * band. Pure (no Nest, no database): the scheduler, the public pages and the check of an invoice agree on
 * every draw id and band.
 *
 * Draw ids: `<campaignId>-<periodKey>` when the campaign has one periodic pool (Henan 2022, whose ids stay as
 * they were), `<campaignId>-<periodKey>-<poolId>` when it has several.
 */
export interface PoolDraw {
  id: string;
  campaignId: string;
  period: DrawPeriod;
  poolId: string;
  poolName: string;
  /** The entries this draw takes; a campaign file with top-level `tiers` draws over every amount (0..none), as before pools existed. */
  band: AmountBand;
  tiers: PeriodicPool['tiers'];
}

export function drawIdFor(campaign: CampaignDefinition, periodKey: string, poolId: string): string {
  return periodicPoolsOf(campaign).length > 1 ? `${campaign.id}-${periodKey}-${poolId}` : `${campaign.id}-${periodKey}`;
}

/** The band a pool's draw takes its entries from. */
export function drawBandOf(campaign: CampaignDefinition, pool: PeriodicPool): AmountBand {
  return campaign.pools === undefined ? { minCents: 0, maxCents: null } : pool.band;
}

/** Every periodic draw of the campaign, by period, then by pool in file order. */
export function poolDrawsOf(campaign: CampaignDefinition): PoolDraw[] {
  let draws = cache.get(campaign);
  if (!draws) {
    const pools = periodicPoolsOf(campaign);
    draws = periodsOf(campaign).flatMap((period) =>
      pools.map((pool) => ({
        id: drawIdFor(campaign, period.key, pool.id),
        campaignId: campaign.id,
        period,
        poolId: pool.id,
        poolName: pool.name,
        band: drawBandOf(campaign, pool),
        tiers: pool.tiers,
      })),
    );
    cache.set(campaign, draws);
  }
  return draws;
}
const cache = new WeakMap<CampaignDefinition, PoolDraw[]>();

/** The periodic draw of a period that an entry paying `paidCents` belongs to, or null (outside every periodic band). */
export function poolDrawForAmount(campaign: CampaignDefinition, periodKey: string, paidCents: number): PoolDraw | null {
  return (
    poolDrawsOf(campaign).find(
      (d) => d.period.key === periodKey && paidCents >= d.band.minCents && (d.band.maxCents === null || paidCents < d.band.maxCents),
    ) ?? null
  );
}

/** The draw with this id, or null. */
export function poolDrawById(campaign: CampaignDefinition, drawId: string): PoolDraw | null {
  return poolDrawsOf(campaign).find((d) => d.id === drawId) ?? null;
}
