import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';

/** `awaiting_check`: an instant prize won, waiting for its second check before it can be claimed and paid. */
export type PrizeStatus = 'awaiting_check' | 'awaiting_claim' | 'claimed' | 'forfeited' | 'revoked';
/** `draw`: a slot of a periodic (ILD-1) draw; `instant`: an instant (ILI-1) win, draw_id the day id and slot its position. */
export type PrizeKind = 'draw' | 'instant';

/**
 * A prize slot (draw, tier, slot) held by one person: the winner (attempt 0), or after a forfeit or
 * revocation the next alternate (attempt 1, 2, ...), each with their own claim window.
 */
@Entity('prizes')
export class Prize {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'draw_id', type: 'varchar', length: 64 })
  drawId: string;

  @Column({ type: 'enum', enum: ['draw', 'instant'] })
  kind: PrizeKind;

  @Column({ type: 'int', unsigned: true })
  tier: number;

  @Column({ name: 'tier_name', type: 'varchar', length: 64 })
  tierName: string;

  @Column({ type: 'int', unsigned: true })
  slot: number;

  @Column({ type: 'int', unsigned: true })
  attempt: number;

  @Column({ name: 'pick_index', type: 'int', unsigned: true })
  pickIndex: number;

  @Column({ name: 'alternate_rank', type: 'int', unsigned: true, nullable: true })
  alternateRank: number | null;

  @Column({ name: 'consumer_id', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  consumerId: number;

  @Column({ name: 'invoice_id', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  invoiceId: number;

  @Column({ type: 'char', length: 64 })
  ref: string;

  @Column({ name: 'gross_cents', type: 'bigint', transformer: bigintAsNumber })
  grossCents: number;

  @Column({ name: 'tax_cents', type: 'bigint', transformer: bigintAsNumber })
  taxCents: number;

  @Column({ name: 'net_cents', type: 'bigint', transformer: bigintAsNumber })
  netCents: number;

  @Column({ type: 'enum', enum: ['awaiting_check', 'awaiting_claim', 'claimed', 'forfeited', 'revoked'] })
  status: PrizeStatus;

  @Column({ name: 'claim_deadline', type: 'datetime', precision: 3 })
  claimDeadline: Date;

  /** Instant prizes: when the second check is due (the win + the pool's paymentDelayDays); null for draw prizes. */
  @Column({ name: 'payable_at', type: 'datetime', precision: 3, nullable: true })
  payableAt: Date | null;

  @Column({ name: 'claimed_at', type: 'datetime', precision: 3, nullable: true })
  claimedAt: Date | null;

  @Column({ name: 'bank_name', type: 'varchar', length: 100, nullable: true })
  bankName: string | null;

  @Column({ name: 'bank_account_encrypted', type: 'varchar', length: 255, nullable: true, select: false })
  bankAccountEncrypted: string | null;

  @Column({ name: 'bank_account_masked', type: 'varchar', length: 32, nullable: true })
  bankAccountMasked: string | null;

  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 64, nullable: true })
  endReason: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** 偶然所得: a prize over ¥800 has 20% of the whole prize withheld; ¥800 or less is exempt. Integer cents. */
export function incidentalIncomeTax(grossCents: number): { taxCents: number; netCents: number } {
  const taxCents = grossCents > 80_000 ? Math.floor((grossCents * 20) / 100) : 0;
  return { taxCents, netCents: grossCents - taxCents };
}
