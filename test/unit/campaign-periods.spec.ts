import { resolve } from 'node:path';
import { loadCampaignDirectory } from '../../src/campaigns/campaign-catalog.js';
import { periodForIssueDate, periodsOf } from '../../src/campaigns/periods.js';

const [henan] = loadCampaignDirectory(resolve('config/campaigns'));

test('the Henan 2022 campaign loads from config with its tiers', () => {
  expect(henan.id).toBe('henan-2022');
  expect(henan.tiers.map((t) => [t.name, t.count, t.prizeCents])).toEqual([
    ['一等奖', 5, 1_000_000],
    ['二等奖', 50, 100_000],
    ['三等奖', 1000, 10_000],
  ]);
});

test('periods are calendar months clipped to the campaign, the first one partial, none after the end', () => {
  const periods = periodsOf(henan);
  expect(periods.map((p) => [p.key, p.startDate, p.endDate])).toEqual([
    ['2022-07', '2022-07-15', '2022-07-31'],
    ['2022-08', '2022-08-01', '2022-08-31'],
    ['2022-09', '2022-09-01', '2022-09-30'],
    ['2022-10', '2022-10-01', '2022-10-31'],
    ['2022-11', '2022-11-01', '2022-11-30'],
    ['2022-12', '2022-12-01', '2022-12-31'],
  ]);
});

test('a period freezes after 5 grace days (Asia/Shanghai) and draws the next day at 10:00', () => {
  const july = periodsOf(henan)[0];
  // Registrations close at the end of 2022-08-05 Shanghai time = 2022-08-05T16:00Z.
  expect(july.freezeAt.toISOString()).toBe('2022-08-05T16:00:00.000Z');
  expect(july.drawAt.toISOString()).toBe('2022-08-07T02:00:00.000Z');
  const december = periodsOf(henan)[5];
  expect(december.freezeAt.toISOString()).toBe('2023-01-05T16:00:00.000Z');
});

test('an invoice belongs to the period of its issue date; outside the campaign to none', () => {
  expect(periodForIssueDate(henan, '2022-07-15')?.key).toBe('2022-07');
  expect(periodForIssueDate(henan, '2022-09-30')?.key).toBe('2022-09');
  expect(periodForIssueDate(henan, '2022-07-14')).toBeNull();
  expect(periodForIssueDate(henan, '2023-01-01')).toBeNull();
});
