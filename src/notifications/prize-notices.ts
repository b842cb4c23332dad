import { formatCents } from '../core/money.js';
import { shanghaiDate } from '../core/time/shanghai.js';

/**
 * The texts of prize notices (in-app and SMS). Pure. They name the period, the tier, the amount and the
 * deadline only: never a phone, ID or bank number, nor the invoice number.
 */
export interface PrizeNoticeFacts {
  periodKey: string;
  tierName: string;
  grossCents: number;
  claimDeadline: Date;
}

/** '2022-08' -> '2022年8月', '2026-11a' -> '2026年11月上半月'; a custom key as it is (the one shared formatter). */
export { periodLabel } from '../web-shared/formatting.js';
import { periodLabel } from '../web-shared/formatting.js';

const amount = (cents: number) => `¥${formatCents(cents)}`;
const deadline = (d: Date) => shanghaiDate(d);

export function prizeWonSms(f: PrizeNoticeFacts): string {
  return `恭喜您在${periodLabel(f.periodKey)}期抽奖中获得${f.tierName}（${amount(f.grossCents)}），请于${deadline(f.claimDeadline)}前登录App完成实名领奖，逾期视为放弃。`;
}

export function prizePassedNotice(f: PrizeNoticeFacts): { title: string; body: string } {
  return {
    title: `候补中奖：${f.tierName}`,
    body: `原中奖人未在期限内领奖，您作为候补获得${periodLabel(f.periodKey)}期抽奖${f.tierName}（${amount(f.grossCents)}），请在 ${deadline(f.claimDeadline)} 前领取。`,
  };
}

export function prizePassedSms(f: PrizeNoticeFacts): string {
  return `您作为候补获得${periodLabel(f.periodKey)}期抽奖${f.tierName}（${amount(f.grossCents)}），请于${deadline(f.claimDeadline)}前登录App完成实名领奖，逾期视为放弃。`;
}

export function prizeEndedNotice(f: Omit<PrizeNoticeFacts, 'claimDeadline'>, reason: 'forfeited' | 'revoked'): { title: string; body: string } {
  return reason === 'forfeited'
    ? {
        title: `奖项已过领奖期限：${f.tierName}`,
        body: `您在${periodLabel(f.periodKey)}期抽奖中获得的${f.tierName}（${amount(f.grossCents)}）未在领奖期限内领取，已按规则视为放弃并顺延给候补。`,
      }
    : {
        title: `奖项已撤销：${f.tierName}`,
        body: `您在${periodLabel(f.periodKey)}期抽奖中获得的${f.tierName}（${amount(f.grossCents)}）所对应的发票已作废或红冲，奖项已撤销并顺延给候补。`,
      };
}
