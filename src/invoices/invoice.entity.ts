import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';
import type { InvoiceSource } from './domain/invoice-fields.js';

export type InvoiceStatus = 'pending' | 'verified' | 'rejected' | 'revoked';

/**
 * A consumer's registration of one invoice. An invoice (code + number) can be registered once, by anyone.
 * `pending` waits for the registry record; `verified` matched it and enters the period's draw; `rejected`
 * failed the check after the fact; `revoked` was voided or red-flushed after it was verified.
 */
@Entity('invoices')
export class Invoice {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'consumer_id', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  consumerId: number;

  @Column({ name: 'campaign_id', type: 'varchar', length: 64 })
  campaignId: string;

  /** The draw period of the issue date ('YYYY-MM', 'YYYY-MMa'/'YYYY-MMb' or a custom key of up to 16 characters). */
  @Column({ name: 'period_key', type: 'varchar', length: 16 })
  periodKey: string;

  @Column({ name: 'invoice_type', type: 'char', length: 2 })
  invoiceType: string;

  /** '' for fully digital invoices. No `default` here: with one, TypeORM re-reads the column after every insert. */
  @Column({ name: 'invoice_code', type: 'varchar', length: 12 })
  invoiceCode: string;

  @Column({ name: 'invoice_number', type: 'varchar', length: 20 })
  invoiceNumber: string;

  /** ILD-1 entry ref: SHA-256 hex of '<code>-<number>' (invoiceRef). */
  @Column({ type: 'char', length: 64 })
  ref: string;

  @Column({ name: 'issue_date', type: 'date' })
  issueDate: string;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: bigintAsNumber })
  amountCents: number;

  @Column({ name: 'check_code', type: 'varchar', length: 20, nullable: true })
  checkCode: string | null;

  /** How it arrived: scanned (qr), typed, an e-invoice file, or entered by the worker for an opted-in buyer (auto). */
  @Column({ type: 'enum', enum: ['qr', 'typed', 'file', 'auto'] })
  source: InvoiceSource;

  @Column({ type: 'enum', enum: ['pending', 'verified', 'rejected', 'revoked'] })
  status: InvoiceStatus;

  @Column({ name: 'status_reason', type: 'varchar', length: 64, nullable: true })
  statusReason: string | null;

  /** What the consumer paid (registry totalCents), set when verified: the ticket weight. */
  @Column({ name: 'paid_cents', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  paidCents: number | null;

  @Column({ name: 'matched_amount', type: 'enum', enum: ['amount', 'total'], nullable: true })
  matchedAmount: 'amount' | 'total' | null;

  @Column({ name: 'registered_at', type: 'datetime', precision: 3 })
  registeredAt: Date;

  @Column({ name: 'registered_on', type: 'date' })
  registeredOn: string;

  @Column({ name: 'registered_month', type: 'char', length: 7 })
  registeredMonth: string;

  /** 1..dailyLimit, unique per consumer and day: the daily limit is a unique key (null for rows that bypass intake). */
  @Column({ name: 'day_slot', type: 'smallint', unsigned: true, nullable: true })
  daySlot: number | null;

  /** 1..monthlyLimit, unique per consumer and month. */
  @Column({ name: 'month_slot', type: 'smallint', unsigned: true, nullable: true })
  monthSlot: number | null;

  /** 1..campaignLimit, unique per consumer and campaign; null when the campaign has no campaign limit. */
  @Column({ name: 'campaign_slot', type: 'int', unsigned: true, nullable: true })
  campaignSlot: number | null;

  @Column({ name: 'verified_at', type: 'datetime', precision: 3, nullable: true })
  verifiedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;
}
