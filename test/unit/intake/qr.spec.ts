import fc from 'fast-check';
import { formatInvoiceQr, parseInvoiceQr } from '../../../src/invoices/domain/qr.js';
import { amountVariants, arbQrClaim } from './fixtures.js';

describe('parseInvoiceQr: published examples', () => {
  it('parses the blog example printed without the last field', () => {
    expect(parseInvoiceQr('01,10,011001605111,80100798,64.9,20161018,85342965681116380258')).toEqual({
      ok: true,
      claim: {
        invoiceType: '10',
        invoiceCode: '011001605111',
        invoiceNumber: '80100798',
        issueDate: '2016-10-18',
        amountCents: 6490,
        checkCode: '85342965681116380258',
        source: 'qr',
      },
    });
  });

  it('parses the fully digital example', () => {
    expect(parseInvoiceQr('01,32,,23442000000014209621,112,20230215,,74AE')).toEqual({
      ok: true,
      claim: {
        invoiceType: '32',
        invoiceCode: '',
        invoiceNumber: '23442000000014209621',
        issueDate: '2023-02-15',
        amountCents: 11200,
        checkCode: null,
        source: 'qr',
      },
    });
  });
});

describe('parseInvoiceQr: accepted variants', () => {
  const base = '01,10,041012200111,12345678,100.00,20220801,12345678901234567890';
  it.each([
    [base, 10000],
    [`${base},A1b2`, 10000],
    [`${base},A1b2,`, 10000],
    [`${base},`, 10000], // the trailing comma of a payload without the 8th field
    [`  ${base},A1b2,\n`, 10000],
    [`${base},A1b2,\r\n`, 10000],
    ['01,10,041012200111,12345678,100,20220801,12345678901234567890,0000', 10000],
    ['01,10,041012200111,12345678,100.5,20220801,12345678901234567890,0000', 10050],
    ['01,04,4100162130,12345678,20,20220801,,0000', 2000], // paper invoice without check code, 10-digit code
    ['01,01,4100162130,12345678,20,20220801,,0000', 2000], // special invoice: well-formed, eligibility refuses it later
    ['01,31,,23442000000014209621,112,20230215,,74AE', 11200],
    ['01,10,041012200111,12345678,20,20240229,12345678901234567890,0000', 2000], // leap day
  ])('accepts %j', (text, cents) => {
    const r = parseInvoiceQr(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.claim.amountCents).toBe(cents);
  });

  it('maps an empty check code to null', () => {
    const r = parseInvoiceQr('01,04,4100162130,12345678,20,20220801,,0000');
    expect(r.ok && r.claim.checkCode).toBeNull();
  });
});

describe('parseInvoiceQr: rejections name the field', () => {
  const ok = ['01', '10', '041012200111', '12345678', '64.9', '20220801', '12345678901234567890', 'A1B2'];
  const withField = (i: number, value: string) => ok.map((v, j) => (j === i ? value : v)).join(',');

  it.each([
    ['not a string', 12345, 'payload'],
    ['empty', '', 'payload'],
    ['too long', '01,' + 'x'.repeat(300), 'payload'],
    ['6 fields', '01,10,041012200111,12345678,64.9,20220801', 'payload'],
    ['9 fields', ok.join(',') + ',XXXX', 'payload'],
    ['two trailing commas', ok.join(',') + ',,', 'payload'],
    ['empty 8th field', ok.slice(0, 7).join(',') + ',,', 'trailer'],
    ['version 02', withField(0, '02'), 'version'],
    ['version 1', withField(0, '1'), 'version'],
    ['type 1 digit', withField(1, '1'), 'invoiceType'],
    ['type letters', withField(1, 'ab'), 'invoiceType'],
    ['code 11 digits', withField(2, '04101220011'), 'invoiceCode'],
    ['code empty for type 10', withField(2, ''), 'invoiceCode'],
    ['code with a letter', withField(2, '04101220011a'), 'invoiceCode'],
    ['number 7 digits', withField(3, '1234567'), 'invoiceNumber'],
    ['number 20 digits for type 10', withField(3, '23442000000014209621'), 'invoiceNumber'],
    ['fully digital number 8 digits', '01,32,,12345678,112,20230215,,74AE', 'invoiceNumber'],
    ['fully digital with a code', '01,32,041012200111,23442000000014209621,112,20230215,,74AE', 'invoiceCode'],
    ['amount empty', withField(4, ''), 'amount'],
    ['amount 3 decimals', withField(4, '64.901'), 'amount'],
    ['amount negative (red-letter)', withField(4, '-64.90'), 'amount'],
    ['amount with a plus', withField(4, '+64.90'), 'amount'],
    ['amount exponent', withField(4, '6.49e1'), 'amount'],
    ['amount with a space', withField(4, ' 64.90'), 'amount'],
    ['date impossible', withField(5, '20220230'), 'issueDate'],
    ['date not a leap year', withField(5, '20230229'), 'issueDate'],
    ['date with dashes', withField(5, '2022-08-01'), 'issueDate'],
    ['date 7 digits', withField(5, '2022081'), 'issueDate'],
    ['check code 19 digits', withField(6, '1234567890123456789'), 'checkCode'],
    ['check code 6 digits', withField(6, '567890'), 'checkCode'],
    ['check code letters', withField(6, '1234567890123456789a'), 'checkCode'],
    ['trailer 3 chars', withField(7, 'A1B'), 'trailer'],
    ['trailer 5 chars', withField(7, 'A1B2C'), 'trailer'],
    ['trailer punctuation', withField(7, 'A1-2'), 'trailer'],
    ['inner space', ok.join(', '), 'invoiceType'],
    ['semicolons', ok.join(';'), 'payload'],
  ])('%s', (_label, text, field) => {
    const r = parseInvoiceQr(text);
    expect(r).toMatchObject({ ok: false, code: 'QR_MALFORMED', field });
    if (!r.ok) expect(r.message).toContain(field);
  });
});

describe('parseInvoiceQr: properties', () => {
  it('never throws on arbitrary input and only rejects with QR_MALFORMED', () => {
    const qrLike = fc
      .array(fc.oneof(fc.constantFrom('01', '10', '32', '', '041012200111', '12345678', '23442000000014209621', '64.9', '20220801', '12345678901234567890', 'A1B2'), fc.string({ maxLength: 24 })), { maxLength: 10 })
      .map((parts) => parts.join(','));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), qrLike, fc.anything()), (input) => {
        const r = parseInvoiceQr(input);
        if (!r.ok) {
          expect(r.code).toBe('QR_MALFORMED');
          expect(typeof r.message).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every valid claim, whatever amount notation, trailer and trailing comma', () => {
    fc.assert(
      fc.property(
        arbQrClaim,
        fc.nat(),
        fc.option(fc.stringMatching(/^[0-9A-Za-z]{4}$/), { nil: null }),
        fc.boolean(),
        fc.constantFrom('', ' ', '\n', '\r\n'),
        (claim, variantIndex, trailer, trailingComma, pad) => {
          const variants = amountVariants(claim.amountCents);
          const text = formatInvoiceQr(claim, { amountText: variants[variantIndex % variants.length], trailer, trailingComma }) + pad;
          expect(parseInvoiceQr(text)).toEqual({ ok: true, claim });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('formatInvoiceQr refuses a 6-digit check code', () => {
    expect(() =>
      formatInvoiceQr({ invoiceType: '10', invoiceCode: '041012200111', invoiceNumber: '12345678', issueDate: '2022-08-01', amountCents: 1, checkCode: '123456' }),
    ).toThrow(RangeError);
  });
});
