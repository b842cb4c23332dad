import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthSubject } from '../auth/auth-subject.js';
import { PiiProtector } from '../core/crypto/pii.js';
import { DomainError } from '../core/errors/domain-error.js';
import { formatCents } from '../core/money.js';
import { SHANGHAI_OFFSET_MS } from '../core/time/shanghai.js';
import { DrawAuditService, staffActor } from '../draws/draw-audit.service.js';
import { csvCell, csvLine, UTF8_BOM } from './csv.js';

type Staff = Extract<AuthSubject, { kind: 'staff' }>;

interface PayoutRow {
  id: number | string;
  draw_id: string;
  tier: number;
  tier_name: string;
  slot: number;
  attempt: number;
  gross_cents: number | string;
  tax_cents: number | string;
  net_cents: number | string;
  claimed_at: Date;
  bank_name: string | null;
  bank_account_encrypted: string | null;
  real_name: string | null;
  id_number_masked: string | null;
}

export const PAYOUT_COLUMNS = [
  '期次', '奖项等级', '奖项', '序号', '顺延次数', '奖品编号', '领奖人姓名', '身份证号（脱敏）', '开户银行', '银行账号',
  '奖金（元）', '代扣个人所得税（元）', '实发金额（元）', '领奖时间（北京时间）',
] as const;

/** 'YYYY-MM-DD HH:mm:ss' in Asia/Shanghai. */
function shanghaiTimestamp(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The finance department's payout list of a draw: every claimed prize with the claimant's real name, the
 * masked ID number (the full number is never stored, only its hash and mask), the bank and the FULL bank
 * account (decrypted here and nowhere else), gross, withheld tax and net in yuan. Every download is written
 * to the draw's audit log (who, row count, totals) before the file is returned.
 */
@Injectable()
export class PayoutsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pii: PiiProtector,
    private readonly audit: DrawAuditService,
  ) {}

  /**
   * 404 DRAW_NOT_FOUND; 409 DRAW_NOT_PUBLISHED before the draw is published (no prizes exist yet). An
   * instant-draw day's id (its prizes are `kind = 'instant'`, claimable once their second check passed) lists
   * that day's claimed instant prizes the same way.
   */
  async payoutsCsv(drawId: string, staff: Staff): Promise<{ csv: string; rows: number }> {
    const [draw]: Array<{ id: string; status: string }> = await this.dataSource.query(`SELECT id, status FROM draws WHERE id = ?`, [drawId]);
    if (!draw) {
      const [instant]: Array<{ id: number }> = await this.dataSource.query(`SELECT id FROM prizes WHERE draw_id = ? AND kind = 'instant' LIMIT 1`, [drawId]);
      if (!instant) throw DomainError.notFound('DRAW_NOT_FOUND', 'No such draw');
    } else if (draw.status !== 'published') throw DomainError.conflict('DRAW_NOT_PUBLISHED', 'The draw has not been published; it has no prizes yet');

    const rows: PayoutRow[] = await this.dataSource.query(
      `SELECT p.id, p.draw_id, p.tier, p.tier_name, p.slot, p.attempt, p.gross_cents, p.tax_cents, p.net_cents, p.claimed_at,
              p.bank_name, p.bank_account_encrypted, c.real_name, c.id_number_masked
         FROM prizes p JOIN consumers c ON c.id = p.consumer_id
        WHERE p.draw_id = ? AND p.status = 'claimed'
        ORDER BY p.tier, p.slot, p.attempt`,
      [drawId],
    );
    let csv = UTF8_BOM + csvLine(PAYOUT_COLUMNS);
    const totals = { grossCents: 0, taxCents: 0, netCents: 0 };
    for (const r of rows) {
      const [gross, tax, net] = [Number(r.gross_cents), Number(r.tax_cents), Number(r.net_cents)];
      totals.grossCents += gross;
      totals.taxCents += tax;
      totals.netCents += net;
      const account = r.bank_account_encrypted ? this.pii.decrypt(r.bank_account_encrypted) : '';
      csv +=
        [
          csvCell(r.draw_id),
          csvCell(Number(r.tier)),
          csvCell(r.tier_name),
          csvCell(Number(r.slot)),
          csvCell(Number(r.attempt)),
          csvCell(Number(r.id)),
          csvCell(r.real_name),
          csvCell(r.id_number_masked),
          csvCell(r.bank_name),
          // Digits only (validated at the claim). The leading tab makes Excel keep all 12-19 digits as text
          // instead of showing 6.22202E+18 and dropping the last ones; strip it when reading programmatically.
          account ? `\t${account}` : '',
          formatCents(gross),
          formatCents(tax),
          formatCents(net),
          shanghaiTimestamp(new Date(r.claimed_at)),
        ].join(',') + '\r\n';
    }
    await this.audit.append(drawId, staffActor(staff), 'payouts-downloaded', { role: 'operator', rows: rows.length, ...totals });
    return { csv, rows: rows.length };
  }
}
