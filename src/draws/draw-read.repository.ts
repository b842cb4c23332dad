import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DrawTier } from './algorithm/index.js';
import type { DrawStatus } from './draw.entity.js';

/** A draw row as the public reads it (no sealed secret, no audit bundle). */
export interface PublicDrawRow {
  id: string;
  campaign_id: string;
  period_key: string;
  pool_id: string;
  pool_name: string | null;
  band_min_cents: string | number;
  band_max_cents: string | number | null;
  period_start: string;
  period_end: string;
  freeze_at: Date;
  draw_at: Date;
  status: DrawStatus;
  failed_phase: string | null;
  tiers: string;
  win_limit_per_holder: number;
  alternate_count: number;
  ticket_unit_cents: number;
  ticket_cap: number;
  entry_count: number | null;
  total_tickets: string | null;
  entries_digest: string | null;
  secret_hash: string | null;
  secret: string | null;
  beacon: string | null;
  seed: string | null;
  frozen_at: Date | null;
  drawn_at: Date | null;
  published_at: Date | null;
}

/** What changes a draw's public version: every lifecycle step moves updated_at. */
export interface DrawVersionRow {
  status: DrawStatus;
  failedPhase: string | null;
  updatedAt: number;
  campaignId: string;
}

/** A drawn pick of a prize slot (winner) or an alternate. */
export interface PickRow {
  pick_index: number;
  tier: number;
  slot: number;
  position: number;
  ref: string;
  tickets: number;
}

const PUBLIC_DRAW_COLUMNS = `id, campaign_id, period_key, pool_id, pool_name, band_min_cents, band_max_cents, period_start, period_end, freeze_at, draw_at, status, failed_phase, tiers,
  win_limit_per_holder, alternate_count, ticket_unit_cents, ticket_cap, entry_count, total_tickets, entries_digest, secret_hash,
  secret, beacon, seed, frozen_at, drawn_at, published_at`;

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(',');

/**
 * Read-only queries over the draws module's tables (draws, draw_picks, draw_entries), one method per use
 * case of other modules (the public pages, the prizes module's current holders). Never selects the sealed
 * secret or anything personal: entries carry pseudonymous holders and ids only. Every method is a plain
 * read, safe to repeat.
 */
@Injectable()
export class DrawReadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The version of a campaign's draw list: how many rows, and the latest change. */
  async campaignVersion(campaignId: string): Promise<string> {
    const [row] = await this.db.query(`SELECT COUNT(*) AS n, MAX(updated_at) AS u FROM draws WHERE campaign_id = ?`, [campaignId]);
    return `${row.n}.${row.u ? new Date(row.u).getTime() : 0}`;
  }

  /** A campaign's stored draws in period order. */
  listForCampaign(campaignId: string): Promise<PublicDrawRow[]> {
    return this.db.query(`SELECT ${PUBLIC_DRAW_COLUMNS} FROM draws WHERE campaign_id = ? ORDER BY period_key, id`, [campaignId]);
  }

  async getForPublic(drawId: string): Promise<PublicDrawRow | null> {
    const [row] = await this.db.query(`SELECT ${PUBLIC_DRAW_COLUMNS} FROM draws WHERE id = ?`, [drawId]);
    return row ?? null;
  }

  async versionOf(drawId: string): Promise<DrawVersionRow | null> {
    const [row] = await this.db.query(`SELECT status, failed_phase, updated_at, campaign_id FROM draws WHERE id = ?`, [drawId]);
    return row ? { status: row.status, failedPhase: row.failed_phase, updatedAt: new Date(row.updated_at).getTime(), campaignId: row.campaign_id } : null;
  }

  /** The prize pool a draw awards (its name as scheduled; the campaign's one pool is 'main'). */
  async poolOf(drawId: string): Promise<{ id: string; name: string }> {
    const [row] = await this.db.query(`SELECT pool_id, pool_name FROM draws WHERE id = ?`, [drawId]);
    return { id: row.pool_id, name: row.pool_name ?? row.pool_id };
  }

  async tiersOf(drawId: string): Promise<DrawTier[]> {
    const [row] = await this.db.query(`SELECT tiers FROM draws WHERE id = ?`, [drawId]);
    return JSON.parse(row.tiers) as DrawTier[];
  }

  /** The commitment of the entries (null fields before the freeze), with what says whether it is public. */
  async commitmentOf(drawId: string): Promise<{
    status: DrawStatus;
    failed_phase: string | null;
    campaign_id: string;
    entries_digest: string | null;
    entry_count: number | null;
    total_tickets: string | null;
  } | null> {
    const [row] = await this.db.query(`SELECT status, failed_phase, campaign_id, entries_digest, entry_count, total_tickets FROM draws WHERE id = ?`, [drawId]);
    return row ?? null;
  }

  /** The ILD-1 audit bundle as stored at the draw, byte for byte. */
  async auditBundleOf(drawId: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT audit_bundle FROM draws WHERE id = ?`, [drawId]);
    return row?.audit_bundle ? String(row.audit_bundle) : null;
  }

  /** Picks per kind and tier. */
  pickCounts(drawId: string): Promise<Array<{ kind: string; tier: number | null; n: string }>> {
    return this.db.query(`SELECT kind, tier, COUNT(*) AS n FROM draw_picks WHERE draw_id = ? GROUP BY kind, tier`, [drawId]);
  }

  /** Winner picks per tier of several draws (the feed). */
  winnerCountsOf(drawIds: string[]): Promise<Array<{ draw_id: string; tier: number; n: string }>> {
    if (drawIds.length === 0) return Promise.resolve([]);
    return this.db.query(
      `SELECT draw_id, tier, COUNT(*) AS n FROM draw_picks WHERE kind = 'winner' AND draw_id IN (${placeholders(drawIds)}) GROUP BY draw_id, tier`,
      drawIds,
    );
  }

  /** One page of the winner picks (prize slots in draw order), optionally of one tier, and their total. */
  async winnerPicks(drawId: string, tier: number | undefined, page: number, pageSize: number): Promise<{ total: number; picks: PickRow[] }> {
    const tierFilter = tier === undefined ? '' : ' AND tier = ?';
    const params = tier === undefined ? [drawId] : [drawId, tier];
    const [{ total }] = await this.db.query(`SELECT COUNT(*) AS total FROM draw_picks WHERE draw_id = ? AND kind = 'winner'${tierFilter}`, params);
    const picks: PickRow[] = await this.db.query(
      `SELECT pick_index, tier, slot, position, ref, tickets FROM draw_picks
        WHERE draw_id = ? AND kind = 'winner'${tierFilter} ORDER BY pick_index LIMIT ? OFFSET ?`,
      [...params, pageSize, (page - 1) * pageSize],
    );
    return { total: Number(total), picks };
  }

  /** Ref and tickets of picks by their index. */
  async picksAt(drawId: string, pickIndexes: number[]): Promise<Map<number, { ref: string; tickets: number }>> {
    const picks = new Map<number, { ref: string; tickets: number }>();
    if (pickIndexes.length === 0) return picks;
    const rows = await this.db.query(`SELECT pick_index, ref, tickets FROM draw_picks WHERE draw_id = ? AND pick_index IN (${placeholders(pickIndexes)})`, [
      drawId,
      ...pickIndexes,
    ]);
    for (const r of rows) picks.set(Number(r.pick_index), { ref: r.ref, tickets: Number(r.tickets) });
    return picks;
  }

  /** The registration and consumer ids of entries by position. */
  async entriesAt(drawId: string, positions: number[]): Promise<Map<number, { invoice_id: string; consumer_id: string }>> {
    const entries = new Map<number, { invoice_id: string; consumer_id: string }>();
    if (positions.length === 0) return entries;
    const rows = await this.db.query(`SELECT position, invoice_id, consumer_id FROM draw_entries WHERE draw_id = ? AND position IN (${placeholders(positions)})`, [
      drawId,
      ...positions,
    ]);
    for (const r of rows) entries.set(Number(r.position), r);
    return entries;
  }

  /** An invoice's entry in the draw, by its ref. */
  async entryByRef(drawId: string, ref: string): Promise<{ position: number; tickets: number } | null> {
    const [row] = await this.db.query(`SELECT position, tickets FROM draw_entries WHERE draw_id = ? AND ref = ?`, [drawId, ref]);
    return row ? { position: Number(row.position), tickets: Number(row.tickets) } : null;
  }

  /** The pick (winner or alternate) of the entry at `position`, if it was picked. */
  async pickOfEntry(drawId: string, position: number): Promise<{ kind: string; tier: number | null; slot: number | null; alternate_rank: number | null } | null> {
    const [row] = await this.db.query(`SELECT kind, tier, slot, alternate_rank FROM draw_picks WHERE draw_id = ? AND position = ?`, [drawId, position]);
    return row ?? null;
  }

  /** Entries and tickets per amount band (`bandSql` maps paid_cents to the band's index). */
  ticketsPerBand(drawId: string, bandSql: string): Promise<Array<{ band: number; entries: string; tickets: string }>> {
    return this.db.query(`SELECT ${bandSql} AS band, COUNT(*) AS entries, SUM(tickets) AS tickets FROM draw_entries WHERE draw_id = ? GROUP BY band`, [drawId]);
  }

  /** The drawn winners' tier and amount paid. */
  winnersPaid(drawId: string): Promise<Array<{ tier: number; paid_cents: string }>> {
    return this.db.query(
      `SELECT p.tier, e.paid_cents FROM draw_picks p JOIN draw_entries e ON e.draw_id = p.draw_id AND e.position = p.position
        WHERE p.draw_id = ? AND p.kind = 'winner'`,
      [drawId],
    );
  }

  /** The version of the published list: how many, and the latest change. */
  async publishedVersion(): Promise<string> {
    const [row] = await this.db.query(`SELECT COUNT(*) AS n, MAX(updated_at) AS u FROM draws WHERE status = 'published'`);
    return `${row.n}.${row.u ? new Date(row.u).getTime() : 0}`;
  }

  /** The latest published draws, newest first. */
  latestPublished(limit: number): Promise<
    Array<Pick<PublicDrawRow, 'id' | 'campaign_id' | 'period_key' | 'pool_id' | 'pool_name' | 'tiers' | 'entry_count' | 'total_tickets' | 'published_at'> & { updated_at: Date }>
  > {
    return this.db.query(
      `SELECT id, campaign_id, period_key, pool_id, pool_name, tiers, entry_count, total_tickets, published_at, updated_at
         FROM draws WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ${Number(limit)}`,
    );
  }
}
