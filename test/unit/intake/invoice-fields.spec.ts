import {
  checkInvoiceIdentityFields,
  invoiceIdentity,
  isInRegion,
  issuingProvince,
  issuingRegion,
} from '../../../src/invoices/domain/invoice-fields.js';

describe('invoiceIdentity', () => {
  it('joins code and number', () => {
    expect(invoiceIdentity('011001605111', '80100798')).toBe('011001605111-80100798');
    expect(invoiceIdentity('', '23442000000014209621')).toBe('-23442000000014209621');
  });
});

describe('issuingRegion / issuingProvince', () => {
  it.each([
    // 12-digit code: 0 + region(4) + year(2) + batch(3) + kind(2)
    ['011001605111', '80100798', '1100', '11'],
    ['041012200111', '12345678', '4101', '41'],
    ['041001900111', '12345678', '4100', '41'],
    // 10-digit code: region(4) + year(2) + batch(1) + kind(1) + copies(1) + version(1)
    ['4100162130', '12345678', '4100', '41'],
    ['3200221130', '12345678', '3200', '32'],
    // fully digital: year(2) + province(2) + channel(1) + sequence(15)
    ['', '23442000000014209621', '44', '44'],
    ['', '22412000000012345678', '41', '41'],
  ])('code %j number %s -> region %s, province %s', (code, number, region, province) => {
    expect(issuingRegion({ invoiceCode: code, invoiceNumber: number })).toBe(region);
    expect(issuingProvince({ invoiceCode: code, invoiceNumber: number })).toBe(province);
  });

  it.each([
    ['', '12345678'],
    ['12345', '12345678'],
    ['04101220011a', '12345678'],
    ['', '2241200000001234567'],
  ])('unknown for code %j number %j', (code, number) => {
    expect(issuingProvince({ invoiceCode: code, invoiceNumber: number })).toBeNull();
  });
});

describe('isInRegion', () => {
  const zz = { invoiceCode: '041012200111', invoiceNumber: '12345678' };
  const bj = { invoiceCode: '011001605111', invoiceNumber: '80100798' };
  const fd41 = { invoiceCode: '', invoiceNumber: '22412000000012345678' };
  const fd44 = { invoiceCode: '', invoiceNumber: '23442000000014209621' };

  it.each([
    [zz, ['41'], true],
    [zz, ['4101'], true],
    [zz, ['4102'], false],
    [zz, ['11', '41'], true],
    [bj, ['41'], false],
    [bj, ['11'], true],
    [fd41, ['41'], true],
    [fd44, ['41'], false],
    [fd41, ['4101'], false], // a fully digital number reveals only the province
    [zz, [], false],
    [{ invoiceCode: '', invoiceNumber: '12345678' }, ['41'], false],
  ])('%j in %j -> %s', (claim, prefixes, expected) => {
    expect(isInRegion(claim, prefixes)).toBe(expected);
  });
});

describe('checkInvoiceIdentityFields', () => {
  it.each([
    ['10', '041012200111', '12345678'],
    ['04', '4100162130', '12345678'],
    ['01', '011001605111', '80100798'],
    ['32', '', '23442000000014209621'],
    ['31', '', '23442000000014209621'],
  ])('accepts %s %j %s', (t, c, n) => {
    expect(checkInvoiceIdentityFields(t, c, n)).toBeNull();
  });

  it.each([
    ['1', '041012200111', '12345678', 'invoiceType'],
    ['1a', '041012200111', '12345678', 'invoiceType'],
    ['10', '04101220011', '12345678', 'invoiceCode'],
    ['10', '', '12345678', 'invoiceCode'],
    ['10', '041012200111', '1234567', 'invoiceNumber'],
    ['10', '041012200111', '23442000000014209621', 'invoiceNumber'],
    ['10', '', '23442000000014209621', 'invoiceNumber'],
    ['32', '', '12345678', 'invoiceNumber'],
    ['32', '041012200111', '23442000000014209621', 'invoiceCode'],
  ])('rejects %s %j %s on %s', (t, c, n, field) => {
    expect(checkInvoiceIdentityFields(t, c, n)).toMatchObject({ field });
  });
});
