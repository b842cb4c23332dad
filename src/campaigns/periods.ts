import { addDays, daysInMonth, shanghaiDate, shanghaiDateTime, startOfShanghaiDay } from '../core/time/shanghai.js';
import type { CampaignDefinition } from './campaign-definition.js';

/**
 * A draw period of a campaign. Pure: derived from the campaign definition alone, so the intake rules,
 * the draw scheduler and the public pages agree on every boundary.
 */
export interface DrawPeriod {
  campaignId: string;
  /** 'YYYY-MM' for calendar months, 'YYYY-MMa' / 'YYYY-MMb' for half months, the listed key for custom periods. */
  key: string;
  /** First and last issue dates (inclusive, Asia/Shanghai) of invoices in this period. */
  startDate: string;
  endDate: string;
  /** Registrations for the period close here (the end of the grace days after endDate); the entries freeze. */
  freezeAt: Date;
  /** When the draw runs unless triggered earlier. */
  drawAt: Date;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The campaign's periods in order, clipped to the campaign (the first one may be partial). */
export function periodsOf(campaign: CampaignDefinition): DrawPeriod[] {
  const spans = periodSpans(campaign);
  return spans.map(({ key, startDate, endDate }) => {
    const freezeAt = startOfShanghaiDay(addDays(endDate, campaign.registrationGraceDays + 1));
    const drawAt = shanghaiDateTime(addDays(shanghaiDate(freezeAt), campaign.drawTimeAfterFreeze.daysAfter), campaign.drawTimeAfterFreeze.time);
    return { campaignId: campaign.id, key, startDate, endDate, freezeAt, drawAt };
  });
}

type PeriodSpan = { key: string; startDate: string; endDate: string };

/** The periods' keys and issue-date spans, by the campaign's period rule. */
function periodSpans(campaign: CampaignDefinition): PeriodSpan[] {
  const rule = campaign.periodRule;
  if (typeof rule === 'object') return rule.custom.map((p) => ({ ...p }));
  const spans: PeriodSpan[] = [];
  const clip = (key: string, from: string, to: string) => {
    if (from > campaign.endDate || to < campaign.startDate) return;
    spans.push({ key, startDate: from < campaign.startDate ? campaign.startDate : from, endDate: to > campaign.endDate ? campaign.endDate : to });
  };
  let [year, month] = campaign.startDate.split('-').map(Number);
  for (;;) {
    const ym = `${year}-${pad(month)}`;
    if (`${ym}-01` > campaign.endDate) break;
    const monthEnd = `${ym}-${pad(daysInMonth(year, month))}`;
    if (rule === 'half-month') {
      clip(`${ym}a`, `${ym}-01`, `${ym}-15`);
      clip(`${ym}b`, `${ym}-16`, monthEnd);
    } else {
      clip(ym, `${ym}-01`, monthEnd);
    }
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return spans;
}

/** The period an invoice issued on `issueDate` belongs to, or null outside the campaign (or between custom periods). */
export function periodForIssueDate(campaign: CampaignDefinition, issueDate: string): DrawPeriod | null {
  if (issueDate < campaign.startDate || issueDate > campaign.endDate) return null;
  let periods = periodsCache.get(campaign);
  if (!periods) periodsCache.set(campaign, (periods = periodsOf(campaign)));
  // Periods are few (at most ~24 a year) and in order: a scan is as fast as a map here.
  for (const p of periods) if (issueDate >= p.startDate && issueDate <= p.endDate) return p;
  return null;
}

/** Every registration looks its period up: built once per (immutable) campaign definition. */
const periodsCache = new WeakMap<CampaignDefinition, DrawPeriod[]>();
