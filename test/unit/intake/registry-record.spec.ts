import fc from 'fast-check';
import { parseRegistryLine, RECORD_FIELDS, REGISTRY_LINE_ERROR_CODES } from '../../../src/registry/domain/registry-record.js';
import { RECORD } from './fixtures.js';

const line = (patch: Record<string, unknown> = {}) => JSON.stringify({ ...RECORD, ...patch });
const without = (field: string) => {
  const o: Record<string, unknown> = { ...RECORD };
  delete o[field];
  return JSON.stringify(o);
};

describe('parseRegistryLine: accepted', () => {
  it('parses a full record', () => {
    expect(parseRegistryLine(line())).toEqual({ ok: true, record: RECORD });
  });

  it.each([
    ['fully digital', { invoiceType: '32', invoiceCode: '', invoiceNumber: '22412000000012345678', checkCode: '' }, { invoiceCode: '', checkCode: null }],
    ['null check code', { checkCode: null }, { checkCode: null }],
    ['null buyer name', { buyerName: null }, { buyerName: null }],
    ['empty buyer name means none', { buyerName: '' }, { buyerName: null }],
    ['organization buyer', { buyerType: 'organization', buyerName: '某某有限公司' }, { buyerType: 'organization' }],
    ['flags', { flags: ['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal'] }, { flags: ['red', 'voided', 'proxy', 'purchase', 'fixed', 'sellerAbnormal'] }],
    ['duplicate flags are collapsed', { flags: ['voided', 'red', 'voided'] }, { flags: ['voided', 'red'] }],
    ['zero tax', { amountCents: 100, taxCents: 0, totalCents: 100 }, { totalCents: 100 }],
    ['15-char tax id', { sellerTaxId: '410105123456789' }, { sellerTaxId: '410105123456789' }],
    ['unknown keys ignored', { remark: 'x', extra: { a: 1 } }, { invoiceNumber: '12345678' }],
    ['10-digit code', { invoiceType: '04', invoiceCode: '4100162130' }, { invoiceCode: '4100162130' }],
  ])('%s', (_label, patch, expected) => {
    const r = parseRegistryLine(line(patch));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.record).toMatchObject(expected);
  });

  it('accepts surrounding whitespace and a CR (JSON allows them)', () => {
    expect(parseRegistryLine(`  ${line()}\r`).ok).toBe(true);
  });
});

describe('parseRegistryLine: rejected', () => {
  it.each([
    ['', 'MALFORMED_JSON'],
    ['{', 'MALFORMED_JSON'],
    ['null', 'MALFORMED_JSON'],
    ['[]', 'MALFORMED_JSON'],
    ['"text"', 'MALFORMED_JSON'],
    ['42', 'MALFORMED_JSON'],
    [line() + ',', 'MALFORMED_JSON'],
    [line() + line(), 'MALFORMED_JSON'],
  ])('%j -> %s', (text, code) => {
    expect(parseRegistryLine(text)).toMatchObject({ ok: false, code });
  });

  it.each(RECORD_FIELDS.map((f) => [f]))('missing %s -> MISSING_FIELD', (field) => {
    expect(parseRegistryLine(without(field))).toEqual({ ok: false, code: 'MISSING_FIELD', field, message: expect.any(String) });
  });

  it.each([
    ['invoiceType', { invoiceType: 10 }],
    ['invoiceType', { invoiceType: '1' }],
    ['invoiceCode', { invoiceCode: null }],
    ['invoiceCode', { invoiceCode: '0410122001' + '1' }],
    ['invoiceCode', { invoiceCode: '' }],
    ['invoiceCode', { invoiceType: '32', invoiceNumber: '22412000000012345678' }],
    ['invoiceNumber', { invoiceNumber: 12345678 }],
    ['invoiceNumber', { invoiceNumber: '1234567' }],
    ['invoiceNumber', { invoiceType: '32', invoiceCode: '' }],
    ['issueDate', { issueDate: '2022-02-29' }],
    ['issueDate', { issueDate: '20220801' }],
    ['issueDate', { issueDate: null }],
    ['amountCents', { amountCents: 50.5 }],
    ['amountCents', { amountCents: -1 }],
    ['amountCents', { amountCents: '5000' }],
    ['amountCents', { amountCents: null }],
    ['amountCents', { amountCents: 2 ** 53 }],
    ['taxCents', { taxCents: -650 }],
    ['totalCents', { totalCents: 5649 }],
    ['totalCents', { totalCents: 5000 }],
    ['totalCents', { totalCents: 1e300 }],
    ['checkCode', { checkCode: '567890' }],
    ['checkCode', { checkCode: 12345678901234567890 }],
    ['sellerTaxId', { sellerTaxId: '41010512345678' }],
    ['sellerTaxId', { sellerTaxId: '91410100MA44XXXX0X123' }],
    ['sellerTaxId', { sellerTaxId: '91410100-MA44XXXX0' }],
    ['sellerName', { sellerName: '' }],
    ['sellerName', { sellerName: '   ' }],
    ['sellerName', { sellerName: 'x'.repeat(201) }],
    ['sellerName', { sellerName: null }],
    ['buyerType', { buyerType: 'person' }],
    ['buyerType', { buyerType: null }],
    ['buyerName', { buyerName: 42 }],
    ['flags', { flags: 'red' }],
    ['flags', { flags: ['red', 'stolen'] }],
    ['flags', { flags: [1] }],
    ['flags', { flags: null }],
  ])('invalid %s: %j', (field, patch) => {
    expect(parseRegistryLine(line(patch))).toEqual({ ok: false, code: 'INVALID_FIELD', field, message: expect.any(String) });
  });

  it('reports the first failure in field order', () => {
    expect(parseRegistryLine(line({ issueDate: 'x', flags: 'x' }))).toMatchObject({ field: 'issueDate' });
  });

  it('does not treat "__proto__" or inherited keys as fields', () => {
    const text = without('flags').slice(0, -1) + ',"__proto__":{"flags":[]}}';
    expect(parseRegistryLine(text)).toMatchObject({ ok: false, code: 'MISSING_FIELD', field: 'flags' });
  });
});

describe('parseRegistryLine: properties and speed', () => {
  it('never throws on arbitrary strings or JSON values; codes and fields are from the known sets', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...RECORD_FIELDS), fc.oneof(fc.jsonValue(), fc.constant(undefined)))
      .map(([field, value]) => line({ [field]: value }));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), mutated, fc.string({ unit: 'binary' })), (text) => {
        const r = parseRegistryLine(text);
        if (!r.ok) {
          expect(REGISTRY_LINE_ERROR_CODES).toContain(r.code);
          if (r.code !== 'MALFORMED_JSON') expect(RECORD_FIELDS).toContain(r.field);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses 100 000 varied lines, every one valid (its speed is measured by npm run bench:registry, not here)', () => {
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      const number = String(10_000_000 + i);
      if (parseRegistryLine(line({ invoiceNumber: number, amountCents: i, taxCents: 13, totalCents: i + 13, flags: i % 7 === 0 ? ['voided'] : [] })).ok) ok++;
    }
    expect(ok).toBe(100_000);
  });
});

describe('parseRegistryLine: the buyer ID number (optional)', () => {
  const base = {
    invoiceType: '32', invoiceCode: '', invoiceNumber: '22412000000000000001', issueDate: '2022-08-01', amountCents: 5000, taxCents: 650,
    totalCents: 5650, checkCode: null, sellerTaxId: '91410100MA44XXXX0X', sellerName: '郑州某超市', buyerType: 'individual', buyerName: '张三', flags: [],
  };
  const id = '41010519900307123X';
  it('is kept normalized when valid, absent when null or empty', () => {
    expect(parseRegistryLine(JSON.stringify({ ...base, buyerIdNumber: id.toLowerCase() }))).toMatchObject({ ok: true, record: { buyerIdNumber: id } });
    for (const none of [null, '', undefined]) {
      const parsed = parseRegistryLine(JSON.stringify({ ...base, buyerIdNumber: none }));
      expect(parsed.ok && 'buyerIdNumber' in parsed.record).toBe(false);
      expect(parsed.ok).toBe(true);
    }
  });
  it.each([['410105199003071231'], ['4101051990030712'], [41010519900307], ['41010519900307123Y']])('refuses %p', (bad) => {
    expect(parseRegistryLine(JSON.stringify({ ...base, buyerIdNumber: bad }))).toMatchObject({ ok: false, code: 'INVALID_FIELD', field: 'buyerIdNumber' });
  });
  it('refuses one on an organization buyer', () => {
    expect(parseRegistryLine(JSON.stringify({ ...base, buyerType: 'organization', buyerIdNumber: id }))).toMatchObject({ ok: false, field: 'buyerIdNumber' });
  });
});
