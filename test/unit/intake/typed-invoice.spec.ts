import fc from 'fast-check';
import { formatCents } from '../../../src/core/money.js';
import { parseTypedInvoice, TYPED_INVOICE_FIELDS } from '../../../src/invoices/domain/typed-invoice.js';
import { amountVariants, arbTypedClaim } from './fixtures.js';

const VALID = {
  invoiceType: '10',
  invoiceCode: '041012200111',
  invoiceNumber: '12345678',
  issueDate: '2022-08-01',
  amount: '64.90',
  checkCode: '12345678901234567890',
};

describe('parseTypedInvoice: accepted', () => {
  it('parses a full form', () => {
    expect(parseTypedInvoice(VALID)).toEqual({
      ok: true,
      claim: {
        invoiceType: '10',
        invoiceCode: '041012200111',
        invoiceNumber: '12345678',
        issueDate: '2022-08-01',
        amountCents: 6490,
        checkCode: '12345678901234567890',
        source: 'typed',
      },
    });
  });

  it.each([
    ['last 6 of the check code', { checkCode: '567890' }, { checkCode: '567890' }],
    ['no check code', { checkCode: undefined }, { checkCode: null }],
    ['null check code', { checkCode: null }, { checkCode: null }],
    ['empty check code', { checkCode: '' }, { checkCode: null }],
    ['whitespace check code', { checkCode: '   ' }, { checkCode: null }],
    ['amount without decimals', { amount: '112' }, { amountCents: 11200 }],
    ['amount with 1 decimal', { amount: '64.9' }, { amountCents: 6490 }],
    ['surrounding spaces', { invoiceNumber: ' 12345678 ', amount: ' 64.90 ' }, { invoiceNumber: '12345678', amountCents: 6490 }],
    ['leap day', { issueDate: '2024-02-29' }, { issueDate: '2024-02-29' }],
    ['unknown keys ignored', { remark: 'x', captcha: 123 }, { invoiceNumber: '12345678' }],
    ['qr: undefined ignored', { qr: undefined }, { invoiceNumber: '12345678' }],
    [
      'fully digital without code',
      { invoiceType: '32', invoiceCode: undefined, invoiceNumber: '23442000000014209621', checkCode: undefined },
      { invoiceCode: '', invoiceNumber: '23442000000014209621', checkCode: null },
    ],
    [
      'fully digital with empty code',
      { invoiceType: '32', invoiceCode: '', invoiceNumber: '23442000000014209621', checkCode: '' },
      { invoiceCode: '', checkCode: null },
    ],
  ])('%s', (_label, patch, expected) => {
    const r = parseTypedInvoice({ ...VALID, ...patch });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.claim).toMatchObject(expected);
  });
});

describe('parseTypedInvoice: VALIDATION_FAILED', () => {
  it.each([
    ['null body', null, 'body'],
    ['array body', [VALID], 'body'],
    ['string body', '01,10,…', 'body'],
    ['qr with typed fields', { ...VALID, qr: '01,10,041012200111,12345678,64.9,20220801,,' }, 'qr'],
    ['qr alone', { qr: '01,10,041012200111,12345678,64.9,20220801,,' }, 'qr'],
    ['missing type', { ...VALID, invoiceType: undefined }, 'invoiceType'],
    ['numeric type', { ...VALID, invoiceType: 10 }, 'invoiceType'],
    ['type 3 digits', { ...VALID, invoiceType: '100' }, 'invoiceType'],
    ['numeric code', { ...VALID, invoiceCode: 41012200111 }, 'invoiceCode'],
    ['code 11 digits', { ...VALID, invoiceCode: '04101220011' }, 'invoiceCode'],
    ['no code with an 8-digit number', { ...VALID, invoiceCode: '' }, 'invoiceCode'],
    ['absent code with an 8-digit number', { ...VALID, invoiceCode: undefined }, 'invoiceCode'],
    ['missing number', { ...VALID, invoiceNumber: undefined }, 'invoiceNumber'],
    ['number too short', { ...VALID, invoiceNumber: '1234567' }, 'invoiceNumber'],
    ['number as number', { ...VALID, invoiceNumber: 12345678 }, 'invoiceNumber'],
    ['20-digit number for type 10', { ...VALID, invoiceCode: '', invoiceNumber: '23442000000014209621' }, 'invoiceNumber'],
    ['code with a 20-digit number', { ...VALID, invoiceType: '32', invoiceNumber: '23442000000014209621' }, 'invoiceCode'],
    ['missing date', { ...VALID, issueDate: undefined }, 'issueDate'],
    ['compact date', { ...VALID, issueDate: '20220801' }, 'issueDate'],
    ['impossible date', { ...VALID, issueDate: '2022-02-29' }, 'issueDate'],
    ['date with time', { ...VALID, issueDate: '2022-08-01T00:00:00Z' }, 'issueDate'],
    ['missing amount', { ...VALID, amount: undefined }, 'amount'],
    ['numeric amount', { ...VALID, amount: 64.9 }, 'amount'],
    ['amount 3 decimals', { ...VALID, amount: '64.901' }, 'amount'],
    ['negative amount', { ...VALID, amount: '-64.90' }, 'amount'],
    ['amount with comma', { ...VALID, amount: '1,064.90' }, 'amount'],
    ['check code 7 digits', { ...VALID, checkCode: '1234567' }, 'checkCode'],
    ['check code 19 digits', { ...VALID, checkCode: '1234567890123456789' }, 'checkCode'],
    ['numeric check code', { ...VALID, checkCode: 567890 }, 'checkCode'],
    ['extra-long string', { ...VALID, invoiceNumber: '1'.repeat(65) }, 'invoiceNumber'],
    ['extra-long check code', { ...VALID, checkCode: ' '.repeat(100) }, 'checkCode'],
    ['object as field', { ...VALID, amount: { value: '64.90' } }, 'amount'],
  ])('%s', (_label, body, field) => {
    expect(parseTypedInvoice(body)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field });
  });

  it('ignores inherited properties', () => {
    const body = Object.create({ invoiceType: '10' }) as Record<string, unknown>;
    Object.assign(body, { ...VALID, invoiceType: undefined });
    expect(parseTypedInvoice(body)).toMatchObject({ ok: false, field: 'invoiceType' });
  });

  it('does not throw on a body with a throwing getter', () => {
    const body = { ...VALID };
    Object.defineProperty(body, 'amount', { get: () => { throw new Error('boom'); }, enumerable: true });
    expect(parseTypedInvoice(body)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'body' });
  });
});

describe('parseTypedInvoice: properties', () => {
  it('never throws on arbitrary values and objects, rejections use the known fields', () => {
    const fieldValue = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('10', '32', '041012200111', '', '12345678', '2022-08-01', '64.9', '567890'), fc.anything());
    const formLike = fc.record(
      {
        invoiceType: fieldValue,
        invoiceCode: fieldValue,
        invoiceNumber: fieldValue,
        issueDate: fieldValue,
        amount: fieldValue,
        checkCode: fieldValue,
        qr: fieldValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.object(), formLike), (body) => {
        const r = parseTypedInvoice(body);
        if (!r.ok) {
          expect(r.code).toBe('VALIDATION_FAILED');
          expect(TYPED_INVOICE_FIELDS).toContain(r.field);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every valid claim', () => {
    fc.assert(
      fc.property(arbTypedClaim, fc.nat(), fc.boolean(), (claim, i, omitEmpty) => {
        const variants = amountVariants(claim.amountCents);
        const body: Record<string, unknown> = {
          invoiceType: claim.invoiceType,
          invoiceNumber: claim.invoiceNumber,
          issueDate: claim.issueDate,
          amount: variants[i % variants.length],
        };
        if (claim.invoiceCode !== '' || !omitEmpty) body.invoiceCode = claim.invoiceCode;
        if (claim.checkCode !== null || !omitEmpty) body.checkCode = claim.checkCode ?? '';
        expect(parseTypedInvoice(body)).toEqual({ ok: true, claim });
        expect(formatCents(claim.amountCents)).toBe(variants[0]);
      }),
      { numRuns: 1000 },
    );
  });
});
