import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DrawReadRepository, type PickRow } from '../draws/draw-read.repository.js';

/** One attempt at a prize slot: the drawn winner's (attempt 0) or an alternate's after a forfeit or revocation. */
export interface PrizeAttemptRow {
  tier: number;
  slot: number;
  attempt: number;
  pick_index: number;
  alternate_rank: number | null;
  invoice_id: string;
  consumer_id: string;
  gross_cents: string;
  status: string;
  claim_deadline: Date;
}

/** Who holds a prize slot now. */
export interface SlotHolder {
  /** The slot's drawn winner pick. */
  pick: PickRow;
  /** The slot's latest prize attempt (absent while publication is still writing the prizes). */
  latest?: PrizeAttemptRow;
  /** The attempt before it, when the slot has passed on. */
  previous?: PrizeAttemptRow;
  /** The holder's registration and account (the latest attempt's, else the drawn entry's). */
  invoiceId: string | null;
  consumerId: string | null;
  /** The holder's ref and tickets: an alternate's own pick when the slot passed to one. */
  ref: string;
  tickets: number;
  /** The rank of the alternate holding the slot, or null while the drawn winner does. */
  alternateRank: number | null;
}

/**
 * Read-only queries over the prizes table, by use case. Plain reads, safe to repeat.
 */
@Injectable()
export class PrizeReadRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly draws: DrawReadRepository,
  ) {}

  /** The version of a draw's prizes: count, max id, claimed, ended (moves with every attempt, claim, forfeit or revocation). */
  async versionOf(drawId: string): Promise<string> {
    const [row] = await this.db.query(
      `SELECT CONCAT_WS('.', COUNT(*), COALESCE(MAX(p.id), 0), COALESCE(SUM(p.status = 'claimed'), 0),
                        COALESCE(SUM(p.status IN ('forfeited', 'revoked')), 0)) AS prizes
         FROM prizes p WHERE p.draw_id = ?`,
      [drawId],
    );
    return String(row.prizes);
  }

  /**
   * The current holders of the given winner picks' slots after forfeits and revocations: the latest prize
   * attempt of each slot, or (no prize row yet) the drawn winner's entry; with the holder's own ref and
   * tickets when the slot has passed to an alternate. In the order of `picks`.
   */
  async currentHolders(drawId: string, picks: PickRow[]): Promise<SlotHolder[]> {
    if (picks.length === 0) return [];
    const slotsByTier = new Map<number, number[]>();
    for (const p of picks) slotsByTier.set(Number(p.tier), [...(slotsByTier.get(Number(p.tier)) ?? []), Number(p.slot)]);
    const slotClauses = [...slotsByTier].map(([, slots]) => `(tier = ? AND slot IN (${slots.map(() => '?').join(',')}))`).join(' OR ');
    const prizeRows: PrizeAttemptRow[] = await this.db.query(
      `SELECT tier, slot, attempt, pick_index, alternate_rank, invoice_id, consumer_id, gross_cents, status, claim_deadline
         FROM prizes WHERE draw_id = ? AND (${slotClauses})`,
      [drawId, ...[...slotsByTier].flatMap(([t, slots]) => [t, ...slots])],
    );
    const attempts = new Map<string, PrizeAttemptRow[]>();
    for (const r of prizeRows) {
      const k = `${Number(r.tier)}:${Number(r.slot)}`;
      attempts.set(k, [...(attempts.get(k) ?? []), r]);
    }
    for (const list of attempts.values()) list.sort((a, b) => Number(a.attempt) - Number(b.attempt));

    const slots = picks.map((pick) => {
      const list = attempts.get(`${Number(pick.tier)}:${Number(pick.slot)}`) ?? [];
      return { pick, latest: list[list.length - 1] as PrizeAttemptRow | undefined, previous: list.length > 1 ? list[list.length - 2] : undefined };
    });
    const heldByAlternate = (s: (typeof slots)[number]) => s.latest !== undefined && Number(s.latest.pick_index) !== Number(s.pick.pick_index);
    const [entries, alternatePicks] = await Promise.all([
      this.draws.entriesAt(
        drawId,
        slots.filter((s) => !s.latest).map((s) => Number(s.pick.position)),
      ),
      this.draws.picksAt(
        drawId,
        slots.filter(heldByAlternate).map((s) => Number(s.latest!.pick_index)),
      ),
    ]);
    return slots.map((s) => {
      const holder = s.latest ?? entries.get(Number(s.pick.position));
      const alternate = heldByAlternate(s) ? alternatePicks.get(Number(s.latest!.pick_index)) : undefined;
      return {
        ...s,
        invoiceId: holder ? String(holder.invoice_id) : null,
        consumerId: holder ? String(holder.consumer_id) : null,
        ref: alternate?.ref ?? s.pick.ref,
        tickets: alternate?.tickets ?? Number(s.pick.tickets),
        alternateRank: heldByAlternate(s) ? (s.latest!.alternate_rank === null ? null : Number(s.latest!.alternate_rank)) : null,
      };
    });
  }

  /** The latest prize attempt won with an invoice (by its ref) in a draw. */
  async latestForRef(drawId: string, ref: string): Promise<{ tier: number; tier_name: string; slot: number; gross_cents: string; status: string } | null> {
    const [row] = await this.db.query(`SELECT tier, tier_name, slot, gross_cents, status FROM prizes WHERE draw_id = ? AND ref = ? ORDER BY attempt DESC LIMIT 1`, [
      drawId,
      ref,
    ]);
    return row ?? null;
  }
}
