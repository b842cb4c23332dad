import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  campaignDefinitionSchema,
  instantPoolsOf,
  loadCampaignFile,
  periodicPoolsOf,
  poolForAmount,
  poolsOf,
  SINGLE_POOL_ID,
} from '../../src/campaigns/campaign-definition.js';
import { loadCampaignDirectory } from '../../src/campaigns/campaign-catalog.js';
import { periodForIssueDate, periodsOf } from '../../src/campaigns/periods.js';

const [henan] = loadCampaignDirectory(resolve('config/campaigns'));

test('the Henan 2022 campaign loads from config with its tiers', () => {
  expect(henan.id).toBe('henan-2022');
  expect(henan.tiers!.map((t) => [t.name, t.count, t.prizeCents])).toEqual([
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

describe('2026 campaign files: pools by amount band, half-month periods', () => {
  const zhuzhou = loadCampaignFile(resolve('config/campaigns/zhuzhou-2026.json'));
  const henanJson = JSON.parse(readFileSync(resolve('config/campaigns/henan-2022.json'), 'utf8'));

  test('a file with top-level tiers reads as one periodic pool over every eligible amount', () => {
    expect(poolsOf(henan)).toEqual([
      { id: SINGLE_POOL_ID, name: henan.name, mode: 'periodic', band: { minCents: 2000, maxCents: null }, tiers: henan.tiers },
    ]);
    expect(instantPoolsOf(henan)).toEqual([]);
  });

  test('the Zhuzhou file has an instant pool and two periodic bands; amounts find their pool', () => {
    expect(poolsOf(zhuzhou).map((p) => [p.id, p.mode])).toEqual([
      ['instant-100', 'instant'],
      ['band-1000', 'periodic'],
      ['band-5000', 'periodic'],
    ]);
    expect(poolForAmount(zhuzhou, 'instant', 9_999)).toBeNull();
    expect(poolForAmount(zhuzhou, 'instant', 10_000)?.id).toBe('instant-100');
    expect(poolForAmount(zhuzhou, 'instant', 100_000)).toBeNull();
    expect(poolForAmount(zhuzhou, 'periodic', 99_999)).toBeNull();
    expect(poolForAmount(zhuzhou, 'periodic', 100_000)?.id).toBe('band-1000');
    expect(poolForAmount(zhuzhou, 'periodic', 499_999)?.id).toBe('band-1000');
    expect(poolForAmount(zhuzhou, 'periodic', 500_000)?.id).toBe('band-5000');
    expect(poolForAmount(zhuzhou, 'periodic', 99_000_000)?.id).toBe('band-5000');
    expect(periodicPoolsOf(zhuzhou).map((p) => p.id)).toEqual(['band-1000', 'band-5000']);
  });

  test('half-month periods: 1st-15th and 16th-end of month, keys YYYY-MMa / YYYY-MMb', () => {
    expect(periodsOf(zhuzhou).map((p) => [p.key, p.startDate, p.endDate])).toEqual([
      ['2026-11a', '2026-11-01', '2026-11-15'],
      ['2026-11b', '2026-11-16', '2026-11-30'],
      ['2026-12a', '2026-12-01', '2026-12-15'],
      ['2026-12b', '2026-12-16', '2026-12-31'],
    ]);
    expect(periodForIssueDate(zhuzhou, '2026-11-15')?.key).toBe('2026-11a');
    expect(periodForIssueDate(zhuzhou, '2026-11-16')?.key).toBe('2026-11b');
    expect(periodForIssueDate(zhuzhou, '2026-12-31')?.key).toBe('2026-12b');
  });

  test('custom periods are taken as listed; dates between them belong to none', () => {
    const custom = campaignDefinitionSchema.parse({
      ...henanJson,
      periodRule: { custom: [{ key: 'p1', startDate: '2022-07-15', endDate: '2022-08-10' }, { key: 'p2', startDate: '2022-08-20', endDate: '2022-12-31' }] },
    });
    expect(periodsOf(custom).map((p) => p.key)).toEqual(['p1', 'p2']);
    expect(periodForIssueDate(custom, '2022-08-15')).toBeNull();
    expect(periodForIssueDate(custom, '2022-08-20')?.key).toBe('p2');
  });

  test.each([
    ['both tiers and pools', (j: any) => ({ ...j, pools: JSON.parse(JSON.stringify(zhuzhouJson().pools)) }), 'either tiers'],
    ['neither tiers nor pools', (j: any) => ({ ...j, tiers: undefined }), 'either tiers'],
    ['overlapping periodic bands', () => withPools((p) => (p[2].band.minCents = 400_000)), 'overlap'],
    ['an open band followed by another', () => withPools((p) => (p[1].band.maxCents = null)), 'overlap'],
    ['instant odds over one million', () => withPools((p) => (p[0].tiers[0].odds = 900_000)), '1,000,000'],
    ['duplicate pool ids', () => withPools((p) => (p[2].id = 'band-1000')), 'unique'],
    ['custom periods out of order', (j: any) => ({ ...j, periodRule: { custom: [{ key: 'b', startDate: '2022-09-01', endDate: '2022-09-30' }, { key: 'a', startDate: '2022-08-01', endDate: '2022-08-31' }] } }), 'in order'],
  ])('a campaign file with %s is refused', (_name, change, message) => {
    const result = campaignDefinitionSchema.safeParse(change(henanJson));
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message).join('\n')).toContain(message);
  });

  function zhuzhouJson(): any {
    return JSON.parse(readFileSync(resolve('config/campaigns/zhuzhou-2026.json'), 'utf8'));
  }
  function withPools(change: (pools: any[]) => void): any {
    const json = zhuzhouJson();
    change(json.pools);
    return json;
  }
});
