import { isValidBankAccount, normalizeBankAccount } from '../../src/prizes/bank-account.js';
import { csvCell, csvLine } from '../../src/prizes/csv.js';

describe('CSV cells', () => {
  test.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+86', "'+86"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=cmd', "'\t=cmd"],
    ['=HYPERLINK("http://x","a")', `"'=HYPERLINK(""http://x"",""a"")"`],
    ['中国银行', '中国银行'],
  ])('%j -> %j', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  test('numbers are written as they are; null and undefined as empty cells', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });
});

describe('bank accounts', () => {
  test('12 to 19 digits after removing spaces and dashes', () => {
    expect(normalizeBankAccount('6222 0212-3456 7890 123')).toBe('6222021234567890123');
    expect(normalizeBankAccount(42)).toBe(42);
    expect(isValidBankAccount('622202123456')).toBe(true);
    expect(isValidBankAccount('6222021234567890123')).toBe(true);
    expect(isValidBankAccount('62220212345')).toBe(false);
    expect(isValidBankAccount('62220212345678901234')).toBe(false);
    expect(isValidBankAccount('6222O21234567890')).toBe(false);
  });
});
