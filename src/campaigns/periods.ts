import { addDays, daysInMonth, shanghaiDate, shanghaiDateTime, startOfShanghaiDay } from '../core/time/shanghai.js';
import type { CampaignDefinition } from './campaign-definition.js';

/**
 * A draw period of a campaign. Pure: derived from the campaign definition alone, so the intake rules,
 * the draw scheduler and the public pages agree on every boundary.
 */
export interface DrawPeriod {
  campaignId: string;
  /** 'YYYY-MM' for calendar-month periods. */
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

/** The campaign's periods in order: calendar months clipped to the campaign, the first one partial. */
export function periodsOf(campaign: CampaignDefinition): DrawPeriod[] {
  const periods: DrawPeriod[] = [];
  let [year, month] = campaign.startDate.split('-').map(Number);
  for (;;) {
    const key = `${year}-${pad(month)}`;
    const monthStart = `${key}-01`;
    if (monthStart > campaign.endDate) break;
    const monthEnd = `${key}-${pad(daysInMonth(year, month))}`;
    const startDate = monthStart < campaign.startDate ? campaign.startDate : monthStart;
    const endDate = monthEnd > campaign.endDate ? campaign.endDate : monthEnd;
    const freezeAt = startOfShanghaiDay(addDays(endDate, campaign.registrationGraceDays + 1));
    const drawAt = shanghaiDateTime(addDays(shanghaiDate(freezeAt), campaign.drawTimeAfterFreeze.daysAfter), campaign.drawTimeAfterFreeze.time);
    periods.push({ campaignId: campaign.id, key, startDate, endDate, freezeAt, drawAt });
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return periods;
}

/** The period an invoice issued on `issueDate` belongs to, or null outside the campaign. */
export function periodForIssueDate(campaign: CampaignDefinition, issueDate: string): DrawPeriod | null {
  if (issueDate < campaign.startDate || issueDate > campaign.endDate) return null;
  let byKey = periodsByKey.get(campaign);
  if (!byKey) periodsByKey.set(campaign, (byKey = new Map(periodsOf(campaign).map((p) => [p.key, p]))));
  return byKey.get(issueDate.slice(0, 7)) ?? null;
}

/** Every registration looks its period up: built once per (immutable) campaign definition. */
const periodsByKey = new WeakMap<CampaignDefinition, Map<string, DrawPeriod>>();
