import fc from 'fast-check';
import { canonicalName, matchClaimAgainstRecord, sameName } from '../../../src/registry/domain/match.js';
import type { RegistryRecord } from '../../../src/registry/domain/registry-record.js';
import type { InvoiceClaim } from '../../../src/invoices/domain/invoice-fields.js';
import { PAPERLESS_CLAIM, RECORD, RULES } from './fixtures.js';

function match(claim: Partial<InvoiceClaim> = {}, record: Partial<RegistryRecord> = {}, name: string | null = '张三', rules: Partial<typeof RULES> = {}) {
  return matchClaimAgainstRecord({ ...PAPERLESS_CLAIM, ...claim }, { ...RECORD, ...record }, name, { ...RULES, ...rules });
}

describe('matchClaimAgainstRecord: verified', () => {
  it.each([
    ['pre-tax amount', { amountCents: 5000 }, {}, 'amount'],
    ['total amount', { amountCents: 5650 }, {}, 'total'],
    ['amount when tax is zero', { amountCents: 5000 }, { taxCents: 0, totalCents: 5000 }, 'amount'],
    ['last 6 of the check code', { checkCode: '567890', source: 'typed' as const }, {}, 'amount'],
    ['no check code claimed', { checkCode: null }, {}, 'amount'],
    ['no check code on either side', { checkCode: null }, { checkCode: null }, 'amount'],
  ])('%s', (_label, claim, record, matchedAmount) => {
    expect(match(claim, record)).toEqual({ result: 'verified', matchedAmount, paidCents: (record as Partial<RegistryRecord>).totalCents ?? 5650 });
  });

  it('verifies a fully digital invoice', () => {
    const claim = { invoiceType: '32', invoiceCode: '', invoiceNumber: '22412000000012345678', checkCode: null };
    const record = { invoiceType: '32', invoiceCode: '', invoiceNumber: '22412000000012345678', checkCode: null };
    expect(match(claim, record)).toEqual({ result: 'verified', matchedAmount: 'amount', paidCents: 5650 });
  });

  it.each([
    ['no buyer name on the invoice', { buyerName: null }, '张三'],
    ['no buyer name and no verified name', { buyerName: null }, null],
    ['full-width / spacing differences', { buyerName: ' 张 三 ' }, '张三'],
    ['middle dot variants', { buyerName: '买买提•艾力' }, '买买提·艾力'],
    ['Latin case', { buyerName: 'john smith' }, 'JOHN SMITH'],
  ])('buyer name passes: %s', (_label, record, name) => {
    expect(match({}, record, name).result).toBe('verified');
  });

  it('ignores rules that are off', () => {
    expect(match({}, { buyerType: 'organization', buyerName: '李四', flags: ['voided'] }, '张三', {
      excludingFlags: [], excludeOrganizationBuyers: false, requireBuyerNameMatch: false,
    }).result).toBe('verified');
  });
});

describe('matchClaimAgainstRecord: excluded', () => {
  it.each([
    ['red', { flags: ['red' as const] }],
    ['voided', { flags: ['voided' as const] }],
    ['proxy', { flags: ['proxy' as const] }],
    ['purchase', { flags: ['purchase' as const] }],
    ['fixed', { flags: ['fixed' as const] }],
    ['sellerAbnormal', { flags: ['sellerAbnormal' as const] }],
    ['red', { flags: ['sellerAbnormal' as const, 'red' as const] }], // rules' order decides which is reported
    ['organizationBuyer', { buyerType: 'organization' as const, buyerName: '某某有限公司' }],
    ['buyerNameMismatch', { buyerName: '李四' }],
  ])('%s', (flag, record) => {
    expect(match({}, record)).toEqual({ result: 'excluded', flag });
  });

  it('a named buyer needs a verified real name', () => {
    expect(match({}, {}, null)).toEqual({ result: 'excluded', flag: 'buyerNameMismatch' });
  });

  it('only flags listed in the rules exclude', () => {
    expect(match({}, { flags: ['voided'] }, '张三', { excludingFlags: ['red'] }).result).toBe('verified');
  });

  it('exclusions come before field matching', () => {
    expect(match({ amountCents: 1 }, { flags: ['voided'] })).toEqual({ result: 'excluded', flag: 'voided' });
  });
});

describe('matchClaimAgainstRecord: mismatch', () => {
  it.each([
    ['amount', { amountCents: 5001 }, {}],
    ['amount', { amountCents: 650 }, {}],
    ['issueDate', { issueDate: '2022-08-02' }, {}],
    ['checkCode', { checkCode: '12345678901234567891' }, {}],
    ['checkCode', { checkCode: '567891', source: 'typed' as const }, {}],
    ['checkCode', { checkCode: '123456', source: 'typed' as const }, {}], // first 6 is not last 6
    ['checkCode', { checkCode: '567890', source: 'typed' as const }, { checkCode: null }],
    ['invoiceType', { invoiceType: '04' }, {}],
    ['amount', { amountCents: 1, issueDate: '2022-08-02', invoiceType: '04' }, {}], // first in order
  ])('%s', (field, claim, record) => {
    expect(match(claim, record)).toEqual({ result: 'mismatch', field });
  });

  it('throws when given the record of another invoice', () => {
    expect(() => match({ invoiceNumber: '87654321' })).toThrow();
  });
});

describe('names', () => {
  it('canonicalName', () => {
    expect(canonicalName(' 阿卜杜・热合曼 ')).toBe('阿卜杜·热合曼');
    expect(canonicalName('ＡＢＣ')).toBe('ABC');
    expect(sameName('', '')).toBe(false);
  });

  it('property: verified paidCents is always the record total and the claimed amount is one of the two', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), (amount, tax, useTotal) => {
        const record = { amountCents: amount, taxCents: tax, totalCents: amount + tax };
        const r = match({ amountCents: useTotal ? amount + tax : amount }, record);
        expect(r).toEqual({ result: 'verified', matchedAmount: useTotal && tax !== 0 ? 'total' : 'amount', paidCents: amount + tax });
      }),
    );
  });
});

describe('matchClaimAgainstRecord: requireBuyerName (2026 pilots: invoices issued to the consumer by name)', () => {
  const rules = { requireBuyerName: true };
  it('refuses a record that names no buyer with the answer a record naming someone else gets', () => {
    expect(match({}, { buyerName: null }, '张三', rules)).toEqual({ result: 'excluded', flag: 'buyerNameMismatch' });
    expect(match({}, { buyerName: '  ' }, '张三', rules)).toEqual({ result: 'excluded', flag: 'buyerNameMismatch' });
    expect(match({}, { buyerName: '李四' }, '张三', rules)).toEqual({ result: 'excluded', flag: 'buyerNameMismatch' });
  });
  it('refuses a consumer without a verified name, and checks the name even when the record carries their ID', () => {
    expect(match({}, { buyerName: '张三' }, null, rules).result).toBe('excluded');
    const withId = matchClaimAgainstRecord(PAPERLESS_CLAIM, { ...RECORD, buyerName: '李四', buyerIdHash: 'h1' }, '张三', { ...RULES, ...rules }, 'h1');
    expect(withId).toEqual({ result: 'excluded', flag: 'buyerNameMismatch' });
    expect(matchClaimAgainstRecord(PAPERLESS_CLAIM, { ...RECORD, buyerName: null, buyerIdHash: 'h1' }, '张三', { ...RULES, ...rules }, 'h1').result).toBe('excluded');
  });
  it('accepts the verified name (the same canonical comparison as the buyer-name rule)', () => {
    expect(match({}, { buyerName: '张三' }, '张三', rules).result).toBe('verified');
    expect(match({}, { buyerName: ' 张 三 ' }, '张三', rules).result).toBe('verified');
    expect(match({}, { buyerName: '张三' }, '张三', { requireBuyerName: true, requireBuyerNameMatch: false }).result).toBe('verified');
    expect(match({}, { buyerName: '张四' }, '张三', { requireBuyerName: true, requireBuyerNameMatch: false }).result).toBe('excluded');
  });
});
