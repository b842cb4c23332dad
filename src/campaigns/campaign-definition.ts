import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The shape of a campaign file under config/campaigns/. Pure (no Nest, no database): the intake
 * rules, the draw worker and the seed scripts all read campaigns through this one schema.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const campaignDefinitionSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  name: z.string().min(1),
  timeZone: z.literal('Asia/Shanghai'),
  startDate: isoDate,
  endDate: isoDate,
  periodRule: z.literal('calendar-month'),
  registrationGraceDays: z.number().int().min(0),
  drawTimeAfterFreeze: z.object({ daysAfter: z.number().int().min(0), time: z.string().regex(/^\d{2}:\d{2}$/) }),
  tickets: z.object({ unitCents: z.number().int().positive(), cap: z.number().int().positive() }),
  tiers: z
    .array(
      z.object({
        tier: z.number().int().positive(),
        name: z.string().min(1),
        count: z.number().int().positive(),
        prizeCents: z.number().int().positive(),
      }),
    )
    .min(1),
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
    excludingFlags: z.array(z.enum(['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal'])),
    excludeOrganizationBuyers: z.boolean(),
    requireBuyerNameMatch: z.boolean(),
    /** Whether invoices entered automatically (自动参与) take the consumer's daily and monthly slots. */
    autoEntryCountsAgainstLimits: z.boolean().default(false),
  }),
});

export type CampaignDefinition = z.infer<typeof campaignDefinitionSchema>;
export type IntakeRules = CampaignDefinition['intake'];

/** Reads and validates one campaign file; throws with the file name and the failing field. */
export function loadCampaignFile(path: string): CampaignDefinition {
  const parsed = campaignDefinitionSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`campaign file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
