import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { Clock } from '../core/clock/clock.js';
import { shanghaiDate } from '../core/time/shanghai.js';
import { registryRecordOfRow, type RegistryRecordRow } from '../registry/registry-record-row.js';
import { InvoicesService } from './invoices.service.js';

const BATCH = 500;
/** Entries decided at once: their reads share statements (RegistrationStateReader batches up to 16). */
const PARALLEL = 16;

export interface AutoEntryRunResult {
  /** Candidates looked at: records whose buyer ID is an opted-in, verified consumer's and that no one holds. */
  candidates: number;
  entered: number;
  /** Why the others were not entered, by reason (e.g. REGISTRATION_TOO_LATE, PERIOD_CLOSED, held). */
  skipped: Record<string, number>;
}

/**
 * Worker side of automatic entry (自动参与): finds the tax bureau's records whose buyer ID (keyed hash) is that
 * of a consumer who opted in with a verified identity and that no registration holds yet, and enters each
 * through InvoicesService.enterAutomatically (the manual rules, re-checked there). Runs after every import and
 * daily with the registry re-check. Idempotent: a repeated or concurrent run finds entered invoices held.
 * Only records issued inside some campaign's registration window up to today, of a period not yet frozen, are
 * read further.
 */
@Injectable()
export class AutoEntryService {
  private readonly logger = new Logger('AutoEntry');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly invoices: InvoicesService,
    private readonly campaigns: CampaignCatalog,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<AutoEntryRunResult> {
    const result: AutoEntryRunResult = { candidates: 0, entered: 0, skipped: {} };
    const now = this.clock.now();
    const windowDays = Math.max(0, ...this.campaigns.campaigns.map((c) => c.intake.registrationWindowDays));
    const earliest = shanghaiDate(new Date(now.getTime() - (windowDays + 1) * 86_400_000));
    const today = shanghaiDate(now);
    let afterId = 0;
    for (;;) {
      const rows: CandidateRow[] = await this.dataSource.query(
        `SELECT c.id AS consumer_id, r.id, r.invoice_type, r.invoice_code, r.invoice_number, r.issue_date, r.amount_cents, r.tax_cents,
                r.total_cents, r.check_code, r.seller_tax_id, r.seller_name, r.buyer_type, r.buyer_name, r.buyer_id_hash, r.flags
           FROM consumers c
           JOIN registry_invoices r ON r.buyer_id_hash = c.id_number_hash AND r.issue_date BETWEEN ? AND ?
           LEFT JOIN invoices i ON i.invoice_code = r.invoice_code AND i.invoice_number = r.invoice_number AND i.identity_claim = 1
          WHERE c.auto_entry = 1 AND c.identity_verified_at IS NOT NULL AND i.id IS NULL AND r.id > ?
          ORDER BY r.id LIMIT ?`,
        [earliest, today, afterId, BATCH],
      );
      if (rows.length === 0) break;
      afterId = Number(rows[rows.length - 1].id);
      result.candidates += rows.length;
      // Invoices of a period already frozen (or of no campaign) cannot enter: skipped without a read.
      const open = rows.filter((row) => {
        const found = this.campaigns.campaignForIssueDate(row.issue_date);
        const ok = found !== null && found.period !== null && now.getTime() < found.period.freezeAt.getTime();
        if (!ok) result.skipped.PERIOD_CLOSED = (result.skipped.PERIOD_CLOSED ?? 0) + 1;
        return ok;
      });
      for (let i = 0; i < open.length; i += PARALLEL) {
        const outcomes = await Promise.all(open.slice(i, i + PARALLEL).map((row) => this.invoices.enterAutomatically(Number(row.consumer_id), registryRecordOfRow(row))));
        for (const outcome of outcomes) {
          if (outcome === 'entered') result.entered += 1;
          else result.skipped[outcome] = (result.skipped[outcome] ?? 0) + 1;
        }
      }
    }
    if (result.candidates > 0) this.logger.log(`Automatic entry: ${result.entered} entered of ${result.candidates} candidates`);
    return result;
  }
}

/** A registry record with the opted-in consumer whose buyer ID it carries. */
interface CandidateRow extends RegistryRecordRow {
  consumer_id: number | string;
  id: number | string;
}
