import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DrawStatus } from './draw.entity.js';
import type { ApprovedRequestFacts, DrawScheduleFacts } from './draw-state-machine.js';

/** Anything that runs SQL: the data source, or a query runner / entity manager inside a transaction. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

export interface DrawFactsRow extends DrawScheduleFacts {
  id: string;
  campaignId: string;
  periodKey: string;
  approved: (ApprovedRequestFacts & { approverUsername: string | null }) | null;
}

type Row = {
  id: string;
  campaign_id: string;
  period_key: string;
  status: DrawStatus;
  freeze_at: Date;
  draw_at: Date;
  request_id: number | string | null;
  requested_by: number | string | null;
  decided_by: number | string | null;
  approver_username: string | null;
};

// An approved request approved by another account counts, so it is preferred; then the newest.
const SELECT_FACTS = `SELECT d.id, d.campaign_id, d.period_key, d.status, d.freeze_at, d.draw_at,
       r.id AS request_id, r.requested_by, r.decided_by, s.username AS approver_username
  FROM draws d
  LEFT JOIN draw_requests r ON r.id = (
    SELECT r2.id FROM draw_requests r2 WHERE r2.draw_id = d.id AND r2.status = 'approved'
     ORDER BY (r2.decided_by IS NOT NULL AND r2.decided_by <> r2.requested_by) DESC, r2.id DESC LIMIT 1)
  LEFT JOIN staff_accounts s ON s.id = r.decided_by`;

const toFacts = (r: Row): DrawFactsRow => ({
  id: r.id,
  campaignId: r.campaign_id,
  periodKey: r.period_key,
  status: r.status,
  freezeAt: new Date(r.freeze_at),
  drawAt: new Date(r.draw_at),
  approved:
    r.request_id === null
      ? null
      : {
          id: Number(r.request_id),
          requestedBy: Number(r.requested_by),
          decidedBy: r.decided_by === null ? null : Number(r.decided_by),
          approverUsername: r.approver_username,
        },
});

/**
 * The draws module's reads of what decides a draw's next step: its row's status and times, and its approved
 * request. `FOR UPDATE` variants run inside the transaction of a transition, so the guard sees and locks what
 * the write changes. Read-only.
 */
@Injectable()
export class DrawScheduleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One draw's facts; inside a transaction with `lock`, the draws row and its approved request are locked. */
  async facts(drawId: string, q: Queryable = this.dataSource, lock = false): Promise<DrawFactsRow | null> {
    const rows: Row[] = await q.query(`${SELECT_FACTS} WHERE d.id = ?${lock ? ' FOR UPDATE' : ''}`, [drawId]);
    return rows.length ? toFacts(rows[0]) : null;
  }

  /** The draws that may have a step due (not published, not failed), in schedule order. */
  async open(): Promise<DrawFactsRow[]> {
    const rows: Row[] = await this.dataSource.query(`${SELECT_FACTS} WHERE d.status IN ('scheduled', 'frozen', 'drawn') ORDER BY d.freeze_at, d.id`);
    return rows.map(toFacts);
  }

  /**
   * For registration's PERIOD_CLOSED: the status and freeze time of a period's draw, from draws.freeze_at (the
   * one source of the freeze time, written from the campaign definition). null when the period has no draw.
   * With one draw per periodic pool, the period's first draw that has left `scheduled`, else any of them (they
   * share the freeze time).
   */
  async periodDraw(campaignId: string, periodKey: string, q: Queryable = this.dataSource): Promise<{ status: DrawStatus; freezeAt: Date } | null> {
    const rows: Array<{ status: DrawStatus; freeze_at: Date }> = await q.query(
      // A period with several pool draws is closed as soon as one of them is no longer scheduled: that one first.
      `SELECT status, freeze_at FROM draws WHERE campaign_id = ? AND period_key = ? ORDER BY status <> 'scheduled' DESC, id LIMIT 1`,
      [campaignId, periodKey],
    );
    return rows.length ? { status: rows[0].status, freezeAt: new Date(rows[0].freeze_at) } : null;
  }

  /**
   * True while registrations of a period can still enter its draw: the draw is `scheduled` and the service
   * clock is before its freeze time. A period without a draw is not open.
   */
  async isPeriodOpen(campaignId: string, periodKey: string, now: Date, q?: Queryable): Promise<boolean> {
    const draw = await this.periodDraw(campaignId, periodKey, q);
    return draw !== null && draw.status === 'scheduled' && now.getTime() < draw.freezeAt.getTime();
  }
}
