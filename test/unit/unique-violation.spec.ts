import { DomainError } from '../../src/core/errors/domain-error.js';
import { mapUniqueViolation, violatedUniqueIndex } from '../../src/core/errors/unique-violation.js';

const mariadb = { code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry '-12345678' for key 'UQ_invoices_identity'" };
const mysql8 = { code: 'ER_DUP_ENTRY', errno: 1062, sqlMessage: "Duplicate entry 'x' for key 'invoices.UQ_invoices_identity'" };

test('reads the index name from MariaDB and MySQL 8 messages, also wrapped by TypeORM', () => {
  expect(violatedUniqueIndex(mariadb)).toBe('UQ_invoices_identity');
  expect(violatedUniqueIndex(mysql8)).toBe('UQ_invoices_identity');
  expect(violatedUniqueIndex({ driverError: mariadb })).toBe('UQ_invoices_identity');
  expect(violatedUniqueIndex(new Error('other'))).toBeNull();
});

test('maps only the named indexes and rethrows everything else', () => {
  const mapping = { UQ_invoices_identity: () => DomainError.conflict('INVOICE_ALREADY_REGISTERED', 'taken') };
  expect(() => mapUniqueViolation(mariadb, mapping)).toThrow(expect.objectContaining({ code: 'INVOICE_ALREADY_REGISTERED', statusCode: 409 }));
  const other = { ...mariadb, sqlMessage: "Duplicate entry 'x' for key 'UQ_other'" };
  expect(() => mapUniqueViolation(other, mapping)).toThrow(expect.objectContaining({ sqlMessage: other.sqlMessage }));
});
