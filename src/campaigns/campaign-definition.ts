import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The shape of a campaign file under config/campaigns/. Pure (no Nest, no database): the intake
 * rules, the draw worker and the seed scripts all read campaigns through this one schema.
 *
 * Two generations of campaign share it. Henan 2022 draws monthly over every registered invoice: its file
 * gives `tiers` at the top and no `pools`, and reads as one periodic pool (see poolsOf). The 2026 city pilots
 * give `pools`: each an amount band with its own tiers and a draw mode — `periodic` (one ILD-1 draw per
 * period over the entries of the band) or `instant` (ILI-1, docs/draw-algorithm.md part 2: the outcome at
 * registration, within per-day budgets).
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** Pool ids double as ILI-1 band ids and as a draw id suffix: lowercase letters, digits, '-'. */
const poolId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'expected 1-32 chars of a-z, 0-9 and -, starting with a letter or digit');

const periodicTier = z.object({
  tier: z.number().int().positive(),
  name: z.string().min(1),
  count: z.number().int().positive(),
  prizeCents: z.number().int().positive(),
});

const instantTier = z.object({
  tier: z.number().int().positive(),
  name: z.string().min(1),
  prizeCents: z.number().int().positive(),
  /** Chance of this tier in millionths (ILI-1 odds); a pool's odds add up to at most 1,000,000. */
  odds: z.number().int().min(0).max(1_000_000),
  /** How many prizes of this tier one instant-draw day can award (before prizes returned to it). */
  dailyBudget: z.number().int().min(0),
});

/** An amount band: invoices whose amount (tax included, cents) is >= minCents and, when maxCents is set, < maxCents. */
const band = z
  .object({ minCents: z.number().int().min(0), maxCents: z.number().int().positive().nullable().default(null) })
  .refine((b) => b.maxCents === null || b.maxCents > b.minCents, 'maxCents must be above minCents');

const uniqueTiers = (tiers: Array<{ tier: number }>) => new Set(tiers.map((t) => t.tier)).size === tiers.length;

const periodicPool = z.object({
  id: poolId,
  name: z.string().min(1),
  mode: z.literal('periodic'),
  band,
  tiers: z.array(periodicTier).min(1).refine(uniqueTiers, 'tier numbers must be unique within a pool'),
});

const instantPool = z.object({
  id: poolId,
  name: z.string().min(1),
  mode: z.literal('instant'),
  band,
  tiers: z
    .array(instantTier)
    .min(1)
    .refine(uniqueTiers, 'tier numbers must be unique within a pool')
    .refine((tiers) => tiers.reduce((s, t) => s + t.odds, 0) <= 1_000_000, 'the odds of a pool add up to more than 1,000,000'),
  /** Days between the instant win and its payment, which waits for a second check of the invoice (Ningbo: 7). */
  paymentDelayDays: z.number().int().min(0).default(7),
});

const pool = z.discriminatedUnion('mode', [periodicPool, instantPool]);

/**
 * How the campaign is cut into draw periods: calendar months ('YYYY-MM'), half months (1st–15th 'YYYY-MMa',
 * 16th–end 'YYYY-MMb'), or listed dates.
 */
const periodRule = z.union([
  z.literal('calendar-month'),
  z.literal('half-month'),
  z.object({
    custom: z
      .array(z.object({ key: z.string().regex(/^[A-Za-z0-9-]{1,16}$/), startDate: isoDate, endDate: isoDate }))
      .min(1),
  }),
]);

export const campaignDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/),
    name: z.string().min(1),
    timeZone: z.literal('Asia/Shanghai'),
    startDate: isoDate,
    endDate: isoDate,
    periodRule,
    registrationGraceDays: z.number().int().min(0),
    drawTimeAfterFreeze: z.object({ daysAfter: z.number().int().min(0), time: z.string().regex(/^\d{2}:\d{2}$/) }),
    tickets: z.object({ unitCents: z.number().int().positive(), cap: z.number().int().positive() }),
    /** The prize tiers of a campaign with one periodic pool over every eligible invoice (Henan 2022). */
    tiers: z.array(periodicTier).min(1).optional(),
    /** Prize pools by amount band (2026 pilots). Exactly one of `tiers` and `pools` is given. */
    pools: z.array(pool).min(1).optional(),
    winLimitPerHolder: z.number().int().min(0),
    alternateCount: z.number().int().min(0),
    claimWindowDays: z.number().int().positive(),
    intake: z.object({
      eligibleTypes: z.array(z.string().regex(/^\d{2}$/)).min(1),
      checkCodeRequiredTypes: z.array(z.string().regex(/^\d{2}$/)),
      regionPrefixes: z.array(z.string().regex(/^\d{2,4}$/)).min(1),
      minAmountCents: z.number().int().min(0),
      registrationWindowDays: z.number().int().positive(),
      dailyLimit: z.number().int().positive(),
      monthlyLimit: z.number().int().positive(),
      /** At most this many invoices per consumer over the whole campaign (none when absent). */
      campaignLimit: z.number().int().positive().optional(),
      excludingFlags: z.array(z.enum(['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal'])),
      excludeOrganizationBuyers: z.boolean(),
      requireBuyerNameMatch: z.boolean(),
      /**
       * The record must name the buyer, exactly as the consumer's verified real name (2026 pilots: only
       * invoices issued to the consumer by name). When false, a record without a buyer name is accepted.
       */
      requireBuyerName: z.boolean().default(false),
      /** Whether invoices entered automatically (自动参与) take the consumer's daily and monthly slots. */
      autoEntryCountsAgainstLimits: z.boolean().default(false),
    }),
  })
  .superRefine((c, ctx) => {
    if ((c.tiers === undefined) === (c.pools === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['pools'], message: 'give either tiers (one periodic pool) or pools, not both or neither' });
      return;
    }
    if (c.endDate < c.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'endDate is before startDate' });
    const pools = c.pools ?? [];
    if (new Set(pools.map((p) => p.id)).size !== pools.length) ctx.addIssue({ code: 'custom', path: ['pools'], message: 'pool ids must be unique' });
    for (const mode of ['periodic', 'instant'] as const) {
      const bands = pools.filter((p) => p.mode === mode).map((p) => p.band).sort((a, b) => a.minCents - b.minCents);
      for (let i = 1; i < bands.length; i++) {
        const prev = bands[i - 1];
        if (prev.maxCents === null || prev.maxCents > bands[i].minCents) {
          ctx.addIssue({ code: 'custom', path: ['pools'], message: `the bands of the ${mode} pools overlap: an invoice may enter one pool of each mode` });
        }
      }
    }
    for (const [i, p] of pools.entries()) {
      if (p.band.maxCents !== null && p.band.maxCents <= c.intake.minAmountCents) {
        ctx.addIssue({ code: 'custom', path: ['pools', i, 'band'], message: 'the band lies entirely below intake.minAmountCents' });
      }
    }
    // Draw ids (`<campaign>-<period>[-<pool>]`, pool-draws.ts) are stored in VARCHAR(64) columns.
    const periodic = pools.filter((p) => p.mode === 'periodic');
    const longestKey = typeof c.periodRule === 'object' ? Math.max(...c.periodRule.custom.map((p) => p.key.length)) : c.periodRule === 'half-month' ? 8 : 7;
    const longestPool = periodic.length > 1 ? Math.max(...periodic.map((p) => p.id.length + 1)) : 0;
    if (c.id.length + 1 + longestKey + longestPool > 64) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'the draw ids <campaign>-<period>-<pool> would be longer than 64 characters' });
    }
    if (typeof c.periodRule === 'object') {
      const list = c.periodRule.custom;
      if (new Set(list.map((p) => p.key)).size !== list.length) ctx.addIssue({ code: 'custom', path: ['periodRule'], message: 'period keys must be unique' });
      for (const [i, p] of list.entries()) {
        if (p.endDate < p.startDate || p.startDate < c.startDate || p.endDate > c.endDate) {
          ctx.addIssue({ code: 'custom', path: ['periodRule', 'custom', i], message: 'a period must lie within the campaign, endDate not before startDate' });
        }
        if (i > 0 && p.startDate <= list[i - 1].endDate) {
          ctx.addIssue({ code: 'custom', path: ['periodRule', 'custom', i], message: 'periods must be listed in order and not overlap' });
        }
      }
    }
  });

export type CampaignDefinition = z.infer<typeof campaignDefinitionSchema>;
export type IntakeRules = CampaignDefinition['intake'];
export type CampaignPool = z.infer<typeof pool>;
export type PeriodicPool = z.infer<typeof periodicPool>;
export type InstantPool = z.infer<typeof instantPool>;
export type AmountBand = z.infer<typeof band>;

/** The id of the one periodic pool of a campaign file that gives `tiers` instead of `pools`. */
export const SINGLE_POOL_ID = 'main';

/**
 * The campaign's prize pools, in file order. A file with top-level `tiers` (Henan 2022) has one periodic
 * pool, SINGLE_POOL_ID, over every eligible amount. Pure; the same definition gives the same array object.
 */
export function poolsOf(campaign: CampaignDefinition): readonly CampaignPool[] {
  let pools = poolsCache.get(campaign);
  if (!pools) {
    pools = campaign.pools ?? [
      { id: SINGLE_POOL_ID, name: campaign.name, mode: 'periodic', band: { minCents: campaign.intake.minAmountCents, maxCents: null }, tiers: campaign.tiers! },
    ];
    poolsCache.set(campaign, pools);
  }
  return pools;
}
const poolsCache = new WeakMap<CampaignDefinition, readonly CampaignPool[]>();

export const periodicPoolsOf = (campaign: CampaignDefinition): PeriodicPool[] => poolsOf(campaign).filter((p): p is PeriodicPool => p.mode === 'periodic');
export const instantPoolsOf = (campaign: CampaignDefinition): InstantPool[] => poolsOf(campaign).filter((p): p is InstantPool => p.mode === 'instant');

export const inBand = (band: AmountBand, amountCents: number): boolean => amountCents >= band.minCents && (band.maxCents === null || amountCents < band.maxCents);

/** The pool of `mode` whose band holds the amount, or null (bands of one mode never overlap). */
export function poolForAmount<M extends CampaignPool['mode']>(campaign: CampaignDefinition, mode: M, amountCents: number): Extract<CampaignPool, { mode: M }> | null {
  return (poolsOf(campaign).find((p) => p.mode === mode && inBand(p.band, amountCents)) as Extract<CampaignPool, { mode: M }> | undefined) ?? null;
}

/** Reads and validates one campaign file; throws with the file name and the failing field. */
export function loadCampaignFile(path: string): CampaignDefinition {
  const parsed = campaignDefinitionSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`campaign file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
