import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In } from 'typeorm';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { Consumer } from '../consumers/consumer.entity.js';
import { Clock } from '../core/clock/clock.js';
import { matchClaimAgainstRecord } from '../registry/domain/match.js';
import { RegistryInvoice } from '../registry/registry-invoice.entity.js';
import { Invoice } from './invoice.entity.js';

export interface InvoiceIdentity {
  invoiceCode: string;
  invoiceNumber: string;
}

const BATCH = 500;

/** Worker-side follow-up of registrations: pending ones are checked again once the registry has them. */
@Injectable()
export class InvoiceVerificationService {
  private readonly logger = new Logger('InvoiceVerification');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly campaigns: CampaignCatalog,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks every pending registration against the registry: a match becomes `verified`, a mismatch or an
   * excluded record `rejected` with the reason; records still missing stay pending. Idempotent: each update
   * is conditional on the row still being pending, so a repeated or concurrent run changes nothing twice.
   * Works in keyset batches so a large backlog never holds a long transaction.
   */
  async recheckPending(onProgress?: (processed: number) => Promise<void> | void): Promise<{ verified: number; rejected: number; stillPending: number }> {
    const counts = { verified: 0, rejected: 0, stillPending: 0 };
    let afterId = 0;
    for (;;) {
      const pending = await this.dataSource
        .getRepository(Invoice)
        .createQueryBuilder('i')
        .where('i.status = :status AND i.id > :afterId', { status: 'pending', afterId })
        .orderBy('i.id', 'ASC')
        .limit(BATCH)
        .getMany();
      if (pending.length === 0) break;
      afterId = pending[pending.length - 1].id;
      const records = await this.registryRecordsFor(pending);
      const consumers = await this.dataSource
        .getRepository(Consumer)
        .createQueryBuilder('c')
        .addSelect('c.idNumberHash')
        .where({ id: In([...new Set(pending.map((p) => p.consumerId))]) })
        .getMany();
      const realNames = new Map(consumers.map((c) => [c.id, c.realName]));
      const idHashes = new Map(consumers.map((c) => [c.id, c.identityVerifiedAt !== null ? c.idNumberHash : null]));
      const now = this.clock.now();
      for (const invoice of pending) {
        const record = records.get(`${invoice.invoiceCode}-${invoice.invoiceNumber}`);
        const campaign = this.campaigns.get(invoice.campaignId);
        if (!record || !campaign) {
          counts.stillPending += 1;
          continue;
        }
        const match = matchClaimAgainstRecord(invoice, record, realNames.get(invoice.consumerId) ?? null, campaign.intake, idHashes.get(invoice.consumerId) ?? null);
        const update =
          match.result === 'verified'
            ? { status: 'verified' as const, statusReason: null, paidCents: match.paidCents, matchedAmount: match.matchedAmount, verifiedAt: now }
            : {
                status: 'rejected' as const,
                statusReason: match.result === 'mismatch' ? `INVOICE_MISMATCH:${match.field}` : `INVOICE_EXCLUDED:${match.flag}`,
              };
        const result = await this.dataSource.getRepository(Invoice).update({ id: invoice.id, status: 'pending' }, update);
        if (result.affected) counts[match.result === 'verified' ? 'verified' : 'rejected'] += 1;
      }
      await onProgress?.(afterId);
    }
    if (counts.verified || counts.rejected) this.logger.log(`Recheck: ${counts.verified} verified, ${counts.rejected} rejected, ${counts.stillPending} still pending`);
    return counts;
  }

  /**
   * Voided or red-flushed after the fact: verified and pending registrations of these invoices become
   * `revoked`, which keeps them out of every draw not yet frozen. Idempotent (already revoked rows stay).
   */
  async revoke(invoices: Array<InvoiceIdentity & { kind: 'voided' | 'red' }>): Promise<number> {
    let revoked = 0;
    const now = this.clock.now();
    for (let i = 0; i < invoices.length; i += BATCH) {
      const batch = invoices.slice(i, i + BATCH);
      for (const kind of ['voided', 'red'] as const) {
        const ofKind = batch.filter((b) => b.kind === kind);
        if (ofKind.length === 0) continue;
        const result = await this.dataSource
          .createQueryBuilder()
          .update(Invoice)
          .set({ status: 'revoked', statusReason: kind === 'voided' ? 'INVOICE_VOIDED' : 'INVOICE_RED_FLUSHED', revokedAt: now })
          .where('status IN (:...statuses)', { statuses: ['verified', 'pending'] })
          .andWhere(this.identityMatch(ofKind))
          .execute();
        revoked += result.affected ?? 0;
      }
    }
    return revoked;
  }

  private async registryRecordsFor(invoices: InvoiceIdentity[]): Promise<Map<string, RegistryInvoice>> {
    const rows = await this.dataSource.getRepository(RegistryInvoice).createQueryBuilder('r').where(this.identityMatch(invoices, 'r')).getMany();
    return new Map(rows.map((r) => [`${r.invoiceCode}-${r.invoiceNumber}`, r]));
  }

  /** `(code, number) IN (...)` as parameterized ORs (portable across MySQL and MariaDB). */
  private identityMatch(identities: InvoiceIdentity[], alias?: string): Brackets {
    const col = (c: string) => (alias ? `${alias}.${c}` : c);
    return new Brackets((qb) => {
      identities.forEach((id, n) => {
        qb.orWhere(`(${col('invoice_code')} = :c${n} AND ${col('invoice_number')} = :n${n})`, { [`c${n}`]: id.invoiceCode, [`n${n}`]: id.invoiceNumber });
      });
    });
  }
}
