/**
 * The amount bands of the public "share of tickets vs share of prizes" chart, by what the consumer paid
 * (draw_entries.paid_cents, the ticket weight). Lower bound inclusive, upper exclusive; the campaign's
 * minimum amount (¥20 for Henan 2022) is the real floor of the first band.
 */
export interface AmountBand {
  label: string;
  minCents: number;
  /** Exclusive; null for the open top band. */
  maxCents: number | null;
}

export const AMOUNT_BANDS: readonly AmountBand[] = [
  { label: '¥20–50', minCents: 0, maxCents: 5_000 },
  { label: '¥50–100', minCents: 5_000, maxCents: 10_000 },
  { label: '¥100–200', minCents: 10_000, maxCents: 20_000 },
  { label: '¥200–500', minCents: 20_000, maxCents: 50_000 },
  { label: '¥500–1000', minCents: 50_000, maxCents: 100_000 },
  { label: '¥1000–5000', minCents: 100_000, maxCents: 500_000 },
  { label: '¥5000+', minCents: 500_000, maxCents: null },
];

/** Index of the band `paidCents` falls in. */
export function bandIndex(paidCents: number): number {
  for (let i = AMOUNT_BANDS.length - 1; i > 0; i--) if (paidCents >= AMOUNT_BANDS[i].minCents) return i;
  return 0;
}

/** The SQL CASE expression computing bandIndex of a column, for GROUP BY in the database. */
export function bandCaseSql(column: string): string {
  const whens = AMOUNT_BANDS.slice(1)
    .map((b, i) => ({ min: b.minCents, index: i + 1 }))
    .reverse()
    .map((b) => `WHEN ${column} >= ${b.min} THEN ${b.index}`)
    .join(' ');
  return `CASE ${whens} ELSE 0 END`;
}
