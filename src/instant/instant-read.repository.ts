import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { InstantCommitment } from '../draws/algorithm/index.js';
import type { InstantDayStatus } from './instant-day-state-machine.js';

/** A day as the public sees it: never the secret before publication (the row has none before it anyway). */
export interface PublicInstantDay {
  dayId: string;
  campaignId: string;
  date: string;
  status: InstantDayStatus;
  opensAt: string;
  closesAt: string;
  secretHash: string;
  committedAt: string;
  /** Entries so far (the log's length once published). */
  entryCount: number;
  publishedAt: string | null;
  logDigest: string | null;
}

const COLUMNS = `id, campaign_id, DATE_FORMAT(day, '%Y-%m-%d') AS day, status, opens_at, closes_at, secret_hash, committed_at, entry_count, published_at, log_digest`;

function toPublic(r: Record<string, any>): PublicInstantDay {
  return {
    dayId: r.id,
    campaignId: r.campaign_id,
    date: r.day,
    status: r.status,
    opensAt: new Date(r.opens_at).toISOString(),
    closesAt: new Date(r.closes_at).toISOString(),
    secretHash: r.secret_hash,
    committedAt: new Date(r.committed_at).toISOString(),
    entryCount: Number(r.entry_count),
    publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
    logDigest: r.log_digest ?? null,
  };
}

/** Reads of the instant module's tables for the API (registration answers, public pages). Read-only. */
@Injectable()
export class InstantReadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A registration's log line, if drawn. */
  async entryOfInvoice(invoiceId: number): Promise<{ dayId: string; position: number; band: string; outcome: number; prizeCents: number; createdAt: Date } | null> {
    const [r] = await this.db.query(`SELECT day_id, position, band, outcome, prize_cents, created_at FROM instant_entries WHERE invoice_id = ?`, [invoiceId]);
    if (!r) return null;
    return { dayId: r.day_id, position: Number(r.position), band: r.band, outcome: Number(r.outcome), prizeCents: Number(r.prize_cents), createdAt: new Date(r.created_at) };
  }

  /** A campaign's committed days, newest first. */
  async daysOfCampaign(campaignId: string): Promise<PublicInstantDay[]> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM instant_days WHERE campaign_id = ? ORDER BY day DESC`, [campaignId]);
    return rows.map(toPublic);
  }

  async day(dayId: string): Promise<PublicInstantDay | null> {
    const [r] = await this.db.query(`SELECT ${COLUMNS} FROM instant_days WHERE id = ?`, [dayId]);
    return r ? toPublic(r) : null;
  }

  /** The commitment as published at commit time (it holds the secret's hash only). */
  async commitment(dayId: string): Promise<InstantCommitment | null> {
    const [r] = await this.db.query(`SELECT commitment FROM instant_days WHERE id = ?`, [dayId]);
    return r ? (JSON.parse(r.commitment) as InstantCommitment) : null;
  }
}
