import { incidentalIncomeTax } from '../../src/prizes/prize.entity.js';

describe('incidental income tax (偶然所得)', () => {
  test.each([
    [0, 0, 0],
    [10_000, 0, 10_000],
    [80_000, 0, 80_000],
    [80_001, 16_000, 64_001],
    [80_005, 16_001, 64_004],
    [100_000, 20_000, 80_000],
    [1_000_000, 200_000, 800_000],
  ])('gross %i cents: tax %i, net %i', (gross, tax, net) => {
    expect(incidentalIncomeTax(gross)).toEqual({ taxCents: tax, netCents: net });
  });

  test('¥800 exactly is exempt; one cent more has 20% of the whole prize withheld (rounded down to the cent)', () => {
    expect(incidentalIncomeTax(80_000).taxCents).toBe(0);
    expect(incidentalIncomeTax(80_001).taxCents).toBe(16_000);
  });

  test('tax + net is always the gross, tax never negative', () => {
    for (let gross = 79_990; gross <= 80_020; gross++) {
      const { taxCents, netCents } = incidentalIncomeTax(gross);
      expect(taxCents + netCents).toBe(gross);
      expect(taxCents).toBeGreaterThanOrEqual(0);
    }
  });
});
