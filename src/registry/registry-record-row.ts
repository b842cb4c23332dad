import { REGISTRY_FLAGS, type RegistryFlag, type RegistryRecord } from './domain/registry-record.js';

/**
 * The registry_invoices columns of one record as a raw query returns them (mysql2: BIGINT sums may come
 * back as strings; flags as the SET's comma-separated text). Modules that read the table in their own
 * statements (the registration read, automatic entry) select these columns and map them with
 * registryRecordOfRow, so the table's shape is known here, in the module that owns it.
 */
export interface RegistryRecordRow {
  invoice_type: string;
  invoice_code: string;
  invoice_number: string;
  issue_date: string;
  amount_cents: number | string;
  tax_cents: number | string;
  total_cents: number | string;
  check_code: string | null;
  seller_tax_id: string;
  seller_name: string;
  buyer_type: 'individual' | 'organization';
  buyer_name: string | null;
  buyer_id_hash: string | null;
  flags: string | null;
}

const isFlag = (flag: string): flag is RegistryFlag => (REGISTRY_FLAGS as readonly string[]).includes(flag);

/** The record of a registry_invoices row. Pure. */
export function registryRecordOfRow(row: RegistryRecordRow): RegistryRecord {
  return {
    invoiceType: row.invoice_type,
    invoiceCode: row.invoice_code,
    invoiceNumber: row.invoice_number,
    issueDate: row.issue_date,
    amountCents: Number(row.amount_cents),
    taxCents: Number(row.tax_cents),
    totalCents: Number(row.total_cents),
    checkCode: row.check_code,
    sellerTaxId: row.seller_tax_id,
    sellerName: row.seller_name,
    buyerType: row.buyer_type,
    buyerName: row.buyer_name,
    buyerIdHash: row.buyer_id_hash,
    flags: row.flags ? row.flags.split(',').filter(isFlag) : [],
  };
}
