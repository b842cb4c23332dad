import { resolve } from 'node:path';
import { loadCampaignFile, campaignDefinitionSchema } from '../../src/campaigns/campaign-definition.js';
import { drawIdFor, poolDrawById, poolDrawForAmount, poolDrawsOf } from '../../src/campaigns/pool-draws.js';
import { readFileSync } from 'node:fs';

const henan = loadCampaignFile(resolve('config/campaigns/henan-2022.json'));
const zhuzhou = loadCampaignFile(resolve('config/campaigns/zhuzhou-2026.json'));

describe('the periodic draws of a campaign (one per period and periodic pool)', () => {
  it("Henan's draw ids stay <campaign>-<period>, one per month over every amount", () => {
    const draws = poolDrawsOf(henan);
    expect(draws.map((d) => d.id)).toEqual(['07', '08', '09', '10', '11', '12'].map((m) => `henan-2022-2022-${m}`));
    expect(draws.every((d) => d.poolId === 'main' && d.band.minCents === 0 && d.band.maxCents === null)).toBe(true);
    expect(draws[0].tiers).toBe(henan.tiers);
    expect(drawIdFor(henan, '2022-08', 'main')).toBe('henan-2022-2022-08');
    // Every verified entry of a period, whatever its amount, is in its one draw (as before pools).
    expect(poolDrawForAmount(henan, '2022-08', 1)?.id).toBe('henan-2022-2022-08');
  });

  it('Zhuzhou: <campaign>-<period>-<pool> for each half month and periodic pool; the instant pool has no periodic draw', () => {
    const draws = poolDrawsOf(zhuzhou);
    expect(draws.map((d) => d.id)).toEqual(['11a', '11b', '12a', '12b'].flatMap((p) => ['band-1000', 'band-5000'].map((pool) => `zhuzhou-2026-2026-${p}-${pool}`)));
    expect(poolDrawById(zhuzhou, 'zhuzhou-2026-2026-11b-band-5000')).toMatchObject({ poolName: '5000元以上发票抽奖', band: { minCents: 500_000, maxCents: null } });
    expect(poolDrawById(zhuzhou, 'zhuzhou-2026-2026-11b')).toBeNull();
  });

  it.each([
    [99_999, null],
    [100_000, 'zhuzhou-2026-2026-11a-band-1000'],
    [499_999, 'zhuzhou-2026-2026-11a-band-1000'],
    [500_000, 'zhuzhou-2026-2026-11a-band-5000'],
    [50_000_000, 'zhuzhou-2026-2026-11a-band-5000'],
  ])('an entry paying %i cents is in %s', (cents, drawId) => {
    expect(poolDrawForAmount(zhuzhou, '2026-11a', cents)?.id ?? null).toBe(drawId);
  });

  it('a campaign file whose draw ids would not fit 64 characters is refused', () => {
    const raw = JSON.parse(readFileSync(resolve('config/campaigns/zhuzhou-2026.json'), 'utf8'));
    const long = campaignDefinitionSchema.safeParse({ ...raw, id: 'a'.repeat(40), periodRule: { custom: [{ key: 'P'.repeat(16), startDate: '2026-11-01', endDate: '2026-11-30' }] } });
    expect(long.success).toBe(false);
    expect(long.error?.issues[0].message).toMatch(/64 characters/);
    expect(campaignDefinitionSchema.safeParse({ ...raw, id: 'a'.repeat(30) }).success).toBe(true);
  });
});
