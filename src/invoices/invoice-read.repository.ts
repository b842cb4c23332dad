import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Read-only queries over the invoices table for other modules, by use case. Plain reads, safe to repeat. */
@Injectable()
export class InvoiceReadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The live registration of an invoice if there is one, else the latest rejected one (a rejection releases the invoice). */
  async registrationOf(
    invoiceCode: string,
    invoiceNumber: string,
  ): Promise<{ campaign_id: string; period_key: string; status: string; paid_cents: number | string | null; amount_cents: number | string } | null> {
    const [row] = await this.db.query(
      `SELECT campaign_id, period_key, status, paid_cents, amount_cents FROM invoices WHERE invoice_code = ? AND invoice_number = ?
        ORDER BY identity_claim IS NULL, id DESC LIMIT 1`,
      [invoiceCode, invoiceNumber],
    );
    return row ?? null;
  }

  /** Invoice code and number of registrations by id (nothing about who registered them). */
  async invoiceIdentitiesOf(ids: string[]): Promise<Map<string, { invoice_code: string; invoice_number: string }>> {
    const out = new Map<string, { invoice_code: string; invoice_number: string }>();
    if (ids.length === 0) return out;
    const rows = await this.db.query(`SELECT id, invoice_code, invoice_number FROM invoices WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    for (const r of rows) out.set(String(r.id), r);
    return out;
  }
}
