import { hashInstantSecret } from '../../src/draws/algorithm/index.js';
import {
  acceptsEntries,
  daysToCommit,
  instantDayId,
  instantDayTimes,
  instantDueStep,
  validateInstantDayGraph,
  INSTANT_DAY_GRAPH,
} from '../../src/instant/instant-day-state-machine.js';
import { deriveInstantDaySecret } from '../../src/instant/instant-secrets.js';
import { instantCheckFailure } from '../../src/prizes/instant-prizes.js';

const campaign = { startDate: '2026-11-01', endDate: '2026-11-30' };

test('the day graph is valid; a broken one is refused at start-up', () => {
  expect(() => validateInstantDayGraph()).not.toThrow();
  expect(() => validateInstantDayGraph({ ...INSTANT_DAY_GRAPH, open: [] })).toThrow(/close/);
  expect(() => validateInstantDayGraph({ ...INSTANT_DAY_GRAPH, committed: ['open', 'nowhere'] } as never)).toThrow(/unknown status/);
});

test('a day is committed from the start of the day before, never once it has closed, only within the campaign', () => {
  expect(daysToCommit(campaign, new Date('2026-10-30T23:59:59+08:00'), new Set())).toEqual([]);
  expect(daysToCommit(campaign, new Date('2026-10-31T00:00:00+08:00'), new Set())).toEqual(['2026-11-01']);
  expect(daysToCommit(campaign, new Date('2026-11-05T10:00:00+08:00'), new Set())).toEqual(['2026-11-05', '2026-11-06']);
  expect(daysToCommit(campaign, new Date('2026-11-05T10:00:00+08:00'), new Set(['2026-11-05', '2026-11-06']))).toEqual([]);
  expect(daysToCommit(campaign, new Date('2026-11-30T10:00:00+08:00'), new Set())).toEqual(['2026-11-30']);
  expect(daysToCommit(campaign, new Date('2026-12-01T00:00:00+08:00'), new Set())).toEqual([]);
});

test('what is due next: open at midnight, close at the next, publish once closed', () => {
  const t = instantDayTimes('2026-11-05');
  expect(t.opensAt.toISOString()).toBe('2026-11-04T16:00:00.000Z');
  expect(t.closesAt.toISOString()).toBe('2026-11-05T16:00:00.000Z');
  const day = (status: 'committed' | 'open' | 'closed' | 'published') => ({ status, opensAt: t.opensAt, closesAt: t.closesAt });
  expect(instantDueStep(day('committed'), new Date('2026-11-04T23:59:59+08:00'))).toMatchObject({ step: null, waitUntil: t.opensAt });
  expect(instantDueStep(day('committed'), t.opensAt)).toEqual({ step: 'open' });
  expect(instantDueStep(day('committed'), new Date('2026-11-07T00:00:00+08:00'))).toEqual({ step: 'open' });
  expect(instantDueStep(day('open'), new Date('2026-11-05T23:59:59.999+08:00'))).toMatchObject({ step: null, waitUntil: t.closesAt });
  expect(instantDueStep(day('open'), t.closesAt)).toEqual({ step: 'close' });
  expect(instantDueStep(day('closed'), t.closesAt)).toEqual({ step: 'publish' });
  expect(instantDueStep(day('published'), t.closesAt)).toMatchObject({ step: null });
});

test('a day takes the entries registered within it until it is closed', () => {
  const t = instantDayTimes('2026-11-05');
  const open = { status: 'open' as const, opensAt: t.opensAt, closesAt: t.closesAt };
  expect(acceptsEntries(open, new Date('2026-11-05T12:00:00+08:00'))).toBe(true);
  expect(acceptsEntries(open, new Date('2026-11-04T23:59:59+08:00'))).toBe(false);
  expect(acceptsEntries(open, t.closesAt)).toBe(false);
  expect(acceptsEntries({ ...open, status: 'closed' }, new Date('2026-11-05T12:00:00+08:00'))).toBe(false);
});

test('day ids fit the prizes table; secrets are HMACs of the day id under the worker key', () => {
  expect(instantDayId('zhuzhou-2026', '2026-11-05')).toBe('zhuzhou-2026-instant-2026-11-05');
  expect(() => instantDayId('x'.repeat(50), '2026-11-05')).toThrow(/64/);
  const key = '00'.repeat(32);
  const a = deriveInstantDaySecret(key, 'zhuzhou-2026-instant-2026-11-05');
  expect(a).toMatch(/^[0-9a-f]{64}$/);
  expect(deriveInstantDaySecret(key, 'zhuzhou-2026-instant-2026-11-06')).not.toBe(a);
  expect(deriveInstantDaySecret('01'.repeat(32), 'zhuzhou-2026-instant-2026-11-05')).not.toBe(a);
  expect(hashInstantSecret(a)).toMatch(/^[0-9a-f]{64}$/);
});

test('the second check: verified and neither voided nor red-flushed passes', () => {
  expect(instantCheckFailure('verified', null, '')).toBeNull();
  expect(instantCheckFailure('verified', null, 'voided')).toBe('INVOICE_VOIDED');
  expect(instantCheckFailure('verified', null, 'red')).toBe('INVOICE_RED_FLUSHED');
  expect(instantCheckFailure('revoked', 'INVOICE_RED_FLUSHED', null)).toBe('INVOICE_RED_FLUSHED');
  expect(instantCheckFailure('pending', 'AWAITING_REGISTRY_RECORD', null)).toBe('INVOICE_NOT_VERIFIED');
  expect(instantCheckFailure('rejected', 'INVOICE_MISMATCH', null)).toBe('INVOICE_NOT_VERIFIED');
});
