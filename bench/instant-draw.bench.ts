/**
 * ILI-1 instant outcome benchmark: how many outcomes per second one worker computes, against a bare
 * baseline of one SHA-256 per entry (the least any hash-based per-entry outcome costs), run side by side
 * in alternating rounds on the same entries; then the verification of the day's published log.
 *
 *   npm run build && node dist/bench/instant-draw.bench.js [--entries 200000] [--rounds 3]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { InstantDay, buildInstantCommitment, publishInstantDay, verifyInstantDay, type InstantDayRules } from '../src/draws/algorithm/index.js';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' } } });
const n = Number(values.entries);
const rounds = Number(values.rounds);

// Zhuzhou-shaped: ¥100–1,000 invoices, prizes ¥100/60/30; ¥1,000+ invoices, ¥800/200 (invented odds and budgets).
const rules: InstantDayRules = {
  dayId: 'zhuzhou-2026-instant-2026-03-02',
  bands: [
    { band: 'b100-1000', tiers: [
      { tier: 1, name: '一等奖', prizeCents: 10000, odds: 2000, budget: 200 },
      { tier: 2, name: '二等奖', prizeCents: 6000, odds: 10000, budget: 1000 },
      { tier: 3, name: '三等奖', prizeCents: 3000, odds: 50000, budget: 5000 },
    ] },
    { band: 'b1000-up', tiers: [
      { tier: 1, name: '一等奖', prizeCents: 80000, odds: 5000, budget: 20 },
      { tier: 2, name: '二等奖', prizeCents: 20000, odds: 50000, budget: 200 },
    ] },
  ],
  returns: [],
};
const secret = createHash('sha256').update('bench').digest('hex');
const entries = Array.from({ length: n }, (_, i) => ({ ref: createHash('sha256').update(`e${i}`).digest('hex'), band: i % 10 === 0 ? 'b1000-up' : 'b100-1000' }));

function instant(): number {
  const t = process.hrtime.bigint();
  const day = new InstantDay(rules, secret);
  for (const e of entries) day.draw(e.ref, e.band);
  return Number(process.hrtime.bigint() - t) / 1e9;
}
function baseline(): number {
  const t = process.hrtime.bigint();
  let x = 0;
  entries.forEach((e, i) => {
    x ^= createHash('sha256').update(`ILI-1\n${rules.dayId}\n${secret}\n${i + 1}\n${e.ref}\n${e.band}\n0`).digest()[0];
  });
  if (x === 256) console.log(x); // keeps the loop from being optimised away
  return Number(process.hrtime.bigint() - t) / 1e9;
}

instant();
baseline(); // warm-up
for (let r = 1; r <= rounds; r++) {
  const b = baseline();
  const s = instant();
  console.log(
    `round ${r}: instant ${Math.round(n / s).toLocaleString('en')} outcomes/s, bare SHA-256 ${Math.round(n / b).toLocaleString('en')}/s, ratio ${(b / s).toFixed(2)}`,
  );
}
const { bundle, log } = publishInstantDay({ campaignId: 'zhuzhou-2026', rules, secret, entries });
const t = process.hrtime.bigint();
const result = verifyInstantDay(buildInstantCommitment(rules, secret), bundle, log);
const v = Number(process.hrtime.bigint() - t) / 1e9;
console.log(`verify ${n.toLocaleString('en')} entries (${(log.length / 1048576).toFixed(1)} MiB log): ${v.toFixed(2)} s, ${result.ok ? 'MATCH' : 'MISMATCH'}`);
console.log(`won: ${bundle.tally.map((x) => `${x.band}/${x.tier} ${x.won}/${x.budget}`).join(', ')}`);
