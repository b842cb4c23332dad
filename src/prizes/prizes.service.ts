import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConsumersService } from '../consumers/consumers.service.js';
import { Clock } from '../core/clock/clock.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { maskBankAccount, maskInvoiceNumber } from '../core/masking.js';
import { sameName } from '../registry/domain/match.js';
import { invoiceRevocation } from './invoice-revocation.js';
import type { PrizeKind, PrizeStatus } from './prize.entity.js';

export interface PrizeView {
  id: number;
  /** `draw`: a periodic draw's prize; `instant`: an instant win (drawId is the instant day, slot its log position). */
  kind: PrizeKind;
  drawId: string;
  period: string;
  tier: number;
  tierName: string;
  slot: number;
  asAlternate: boolean;
  grossCents: number;
  taxCents: number;
  netCents: number;
  status: PrizeStatus;
  claimable: boolean;
  claimDeadline: string;
  claimedAt: string | null;
  bankName: string | null;
  bankAccount: string | null;
  invoiceNumber: string;
  endedAt: string | null;
  endReason: string | null;
  /** Instant prizes: when the second check is due (claimable after it passes); null for draw prizes. */
  payableAt: string | null;
}

interface PrizeRow {
  id: number | string;
  kind: PrizeKind;
  payable_at: Date | null;
  draw_id: string;
  period_key: string;
  tier: number;
  tier_name: string;
  slot: number;
  attempt: number;
  consumer_id: number | string;
  invoice_id: number | string;
  gross_cents: number | string;
  tax_cents: number | string;
  net_cents: number | string;
  status: PrizeStatus;
  claim_deadline: Date;
  claimed_at: Date | null;
  bank_name: string | null;
  bank_account_encrypted: string | null;
  bank_account_masked: string | null;
  ended_at: Date | null;
  end_reason: string | null;
  invoice_number: string;
  buyer_name: string | null;
  buyer_id_hash: string | null;
}

const SELECT_PRIZE = `
  SELECT p.id, p.kind, p.payable_at, p.draw_id, COALESCE(d.period_key, SUBSTRING(p.draw_id, -10)) AS period_key, p.tier, p.tier_name, p.slot, p.attempt, p.consumer_id, p.invoice_id,
         p.gross_cents, p.tax_cents, p.net_cents, p.status, p.claim_deadline, p.claimed_at, p.bank_name,
         p.bank_account_encrypted, p.bank_account_masked, p.ended_at, p.end_reason, i.invoice_number, r.buyer_name, r.buyer_id_hash
    FROM prizes p
    LEFT JOIN draws d ON d.id = p.draw_id
    JOIN invoices i ON i.id = p.invoice_id
    LEFT JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number`;

/**
 * A winner's prizes and the claim. The claim rules, in order:
 *  - only the prize's own consumer sees or claims it (anyone else: 404 PRIZE_NOT_FOUND, like a missing one);
 *  - already claimed: the same bank name and account again is 200 with the stored result (idempotent),
 *    anything else 409 PRIZE_ALREADY_CLAIMED;
 *  - forfeited 409 PRIZE_FORFEITED, revoked 409 PRIZE_REVOKED; an instant prize before its second check 409
 *    PRIZE_NOT_YET_PAYABLE; at or after the deadline on the service clock
 *    409 PRIZE_CLAIM_CLOSED (even before the daily job has marked it forfeited);
 *  - its invoice voided or red-flushed since the freeze: 409 PRIZE_REVOKED (the daily job passes it on);
 *  - a three-element-verified identity is required (422 IDENTITY_REQUIRED); when the registry record of the
 *    invoice carries the buyer's ID (its keyed hash), the claimant's verified ID number must be it (422
 *    CLAIMANT_IDENTITY_MISMATCH); otherwise, when it names a buyer, the identity's real name must be that buyer
 *    (422 CLAIMANT_NAME_MISMATCH, same comparison as at registration). A record without either (or no record)
 *    needs the verified identity only.
 * The claim itself is one conditional UPDATE (status still awaiting_claim and deadline still ahead), so a
 * concurrent claim, a second device or the forfeiture job can never both win.
 */
@Injectable()
export class PrizesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: ConsumersService,
    private readonly pii: PiiProtector,
    private readonly clock: Clock,
  ) {}

  /** The consumer's prizes, newest first. Read-only. */
  async listForConsumer(consumerId: number): Promise<PrizeView[]> {
    const rows: PrizeRow[] = await this.dataSource.query(`${SELECT_PRIZE} WHERE p.consumer_id = ? ORDER BY p.created_at DESC, p.id DESC`, [consumerId]);
    const now = this.clock.now();
    return rows.map((r) => toView(r, now));
  }

  async claim(consumerId: number, prizeId: number, bankName: string, bankAccount: string): Promise<PrizeView> {
    // Two rounds at most: if the conditional UPDATE loses a race, the second round judges the new state.
    for (let round = 0; ; round++) {
      const prize = await this.load(consumerId, prizeId);
      const now = this.clock.now();
      if (prize.status === 'claimed') return this.sameClaimOrConflict(prize, bankName, bankAccount, now);
      if (prize.status === 'forfeited') throw DomainError.conflict('PRIZE_FORFEITED', 'This prize was not claimed in time and has passed to an alternate');
      if (prize.status === 'revoked') throw DomainError.conflict('PRIZE_REVOKED', "This prize was revoked because its invoice was voided or red-flushed");
      if (prize.status === 'awaiting_check')
        throw DomainError.conflict('PRIZE_NOT_YET_PAYABLE', 'This instant prize becomes claimable after its second check of the invoice', {
          payableAt: prize.payable_at ? new Date(prize.payable_at).toISOString() : null,
        });
      if (now.getTime() >= new Date(prize.claim_deadline).getTime())
        throw DomainError.conflict('PRIZE_CLAIM_CLOSED', 'The claim window of this prize has closed');
      if (await invoiceRevocation(this.dataSource.manager, Number(prize.invoice_id)))
        throw DomainError.conflict('PRIZE_REVOKED', "This prize's invoice was voided or red-flushed; the prize is revoked");

      const identity = await this.consumers.getIdentity(consumerId);
      if (!identity.verified || !identity.realName)
        throw DomainError.unprocessable('IDENTITY_REQUIRED', 'Verify your real-name identity before claiming a prize');
      if (prize.buyer_id_hash !== null) {
        if (identity.idNumberHash !== prize.buyer_id_hash)
          throw DomainError.unprocessable('CLAIMANT_IDENTITY_MISMATCH', 'Your verified identity is not the buyer of the winning invoice');
      } else if (prize.buyer_name !== null && prize.buyer_name.trim() !== '' && !sameName(prize.buyer_name, identity.realName))
        throw DomainError.unprocessable('CLAIMANT_NAME_MISMATCH', "Your verified name is not the buyer named on the winning invoice");

      const result: { affectedRows?: number } = await this.dataSource.query(
        `UPDATE prizes SET status = 'claimed', claimed_at = ?, bank_name = ?, bank_account_encrypted = ?, bank_account_masked = ?
          WHERE id = ? AND consumer_id = ? AND status = 'awaiting_claim' AND claim_deadline > ?`,
        [now, bankName, this.pii.encrypt(bankAccount), maskBankAccount(bankAccount), prizeId, consumerId, now],
      );
      if (Number(result.affectedRows ?? 0) === 1) return toView(await this.load(consumerId, prizeId), now);
      if (round >= 1) throw DomainError.conflict('PRIZE_CLAIM_CONFLICT', 'The prize changed while claiming; try again');
    }
  }

  private sameClaimOrConflict(prize: PrizeRow, bankName: string, bankAccount: string, now: Date): PrizeView {
    const storedAccount = prize.bank_account_encrypted ? this.pii.decrypt(prize.bank_account_encrypted) : null;
    if (storedAccount === bankAccount && prize.bank_name === bankName) return toView(prize, now);
    throw DomainError.conflict('PRIZE_ALREADY_CLAIMED', 'This prize has already been claimed with other bank details');
  }

  private async load(consumerId: number, prizeId: number): Promise<PrizeRow> {
    const rows: PrizeRow[] = await this.dataSource.query(`${SELECT_PRIZE} WHERE p.id = ? AND p.consumer_id = ?`, [prizeId, consumerId]);
    if (!rows[0]) throw DomainError.notFound('PRIZE_NOT_FOUND', 'No such prize');
    return rows[0];
  }
}

function toView(r: PrizeRow, now: Date): PrizeView {
  const deadline = new Date(r.claim_deadline);
  return {
    id: Number(r.id),
    kind: r.kind,
    drawId: r.draw_id,
    period: r.period_key,
    tier: Number(r.tier),
    tierName: r.tier_name,
    slot: Number(r.slot),
    asAlternate: Number(r.attempt) > 0,
    grossCents: Number(r.gross_cents),
    taxCents: Number(r.tax_cents),
    netCents: Number(r.net_cents),
    status: r.status,
    claimable: r.status === 'awaiting_claim' && now.getTime() < deadline.getTime(),
    claimDeadline: deadline.toISOString(),
    claimedAt: r.claimed_at ? new Date(r.claimed_at).toISOString() : null,
    bankName: r.bank_name,
    bankAccount: r.bank_account_masked,
    invoiceNumber: maskInvoiceNumber(r.invoice_number),
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    endReason: r.end_reason,
    payableAt: r.payable_at ? new Date(r.payable_at).toISOString() : null,
  };
}
