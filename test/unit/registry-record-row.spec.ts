import { registryRecordOfRow, type RegistryRecordRow } from '../../src/registry/registry-record-row.js';

/** The one mapping of a registry_invoices row (raw query) to a RegistryRecord, used by the registration read and automatic entry. */
const row: RegistryRecordRow = {
  invoice_type: '10',
  invoice_code: '041001900111',
  invoice_number: '12345678',
  issue_date: '2022-08-01',
  amount_cents: '5000',
  tax_cents: 650,
  total_cents: '5650',
  check_code: null,
  seller_tax_id: '91410100MA44XXXX0X',
  seller_name: '郑州测试商贸有限公司',
  buyer_type: 'individual',
  buyer_name: null,
  buyer_id_hash: null,
  flags: null,
};

test('numbers from BIGINT strings, nulls kept, no flags as []', () => {
  expect(registryRecordOfRow(row)).toEqual({
    invoiceType: '10',
    invoiceCode: '041001900111',
    invoiceNumber: '12345678',
    issueDate: '2022-08-01',
    amountCents: 5000,
    taxCents: 650,
    totalCents: 5650,
    checkCode: null,
    sellerTaxId: '91410100MA44XXXX0X',
    sellerName: '郑州测试商贸有限公司',
    buyerType: 'individual',
    buyerName: null,
    buyerIdHash: null,
    flags: [],
  });
});

test('the SET text of flags becomes the flag list; the buyer hash and name are kept', () => {
  expect(registryRecordOfRow({ ...row, flags: 'red,voided', buyer_name: '张三', buyer_id_hash: 'abc' })).toMatchObject({
    flags: ['red', 'voided'],
    buyerName: '张三',
    buyerIdHash: 'abc',
  });
  expect(registryRecordOfRow({ ...row, flags: '' }).flags).toEqual([]);
});
