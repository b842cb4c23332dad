import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface InstantFacts {
  id: number;
  consumerId: number;
  campaignId: string;
  ref: string;
  amountCents: number;
  status: string;
  registeredAt: Date;
}

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

  /** What an instant draw reads of registrations (by id): campaign, ref, amount, status and when registered. One query. */
  async instantFacts(invoiceIds: number[]): Promise<Map<number, InstantFacts>> {
    const out = new Map<number, InstantFacts>();
    if (invoiceIds.length === 0) return out;
    const rows = await this.db.query(
      `SELECT id, consumer_id, campaign_id, ref, amount_cents, status, registered_at FROM invoices WHERE id IN (${invoiceIds.map(() => '?').join(',')})`,
      invoiceIds,
    );
    for (const row of rows) {
      out.set(Number(row.id), {
        id: Number(row.id),
        consumerId: Number(row.consumer_id),
        campaignId: row.campaign_id,
        ref: row.ref,
        amountCents: Number(row.amount_cents),
        status: row.status,
        registeredAt: new Date(row.registered_at),
      });
    }
    return out;
  }

  /**
   * Registrations of a campaign registered in [from, to) with an amount in [minCents, maxCents), id after
   * `afterId`, ascending (at most `limit`): the candidates of an instant day, for the sweep that asks again
   * for outcomes whose request was lost. Not rejected ones.
   */
  async registeredBetween(campaignId: string, from: Date, to: Date, minCents: number, maxCents: number | null, afterId: number, limit: number): Promise<number[]> {
    const rows: Array<{ id: number | string }> = await this.db.query(
      `SELECT id FROM invoices
        WHERE campaign_id = ? AND registered_at >= ? AND registered_at < ? AND amount_cents >= ? AND (? IS NULL OR amount_cents < ?)
          AND status <> 'rejected' AND id > ?
        ORDER BY id LIMIT ${Math.max(1, Math.floor(limit))}`,
      [campaignId, from, to, minCents, maxCents, maxCents, afterId],
    );
    return rows.map((r) => Number(r.id));
  }
}
