import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';
import type { DrawTier } from './algorithm/index.js';

export type DrawStatus = 'scheduled' | 'frozen' | 'drawn' | 'published' | 'failed';
export type DrawPhase = 'freeze' | 'draw' | 'publish';

const json = <T>() => ({
  to: (value: T | null | undefined) => (value === null || value === undefined ? value : JSON.stringify(value)),
  from: (value: string | null) => (value === null ? null : (JSON.parse(value) as T)),
});

/** One period's draw: scheduled -> frozen (entries committed) -> drawn -> published, or failed. */
@Entity('draws')
export class Draw {
  /**
   * The ILD-1 drawId: `<campaignId>-<periodKey>` for a campaign with one periodic pool (Henan 2022),
   * `<campaignId>-<periodKey>-<poolId>` for one with several (see drawIdFor).
   */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'campaign_id', type: 'varchar', length: 64 })
  campaignId: string;

  @Column({ name: 'period_key', type: 'varchar', length: 16 })
  periodKey: string;

  /** The periodic prize pool this draw awards ('main' for a campaign file with top-level tiers). */
  @Column({ name: 'pool_id', type: 'varchar', length: 32 })
  poolId: string;

  @Column({ name: 'pool_name', type: 'varchar', length: 255, nullable: true })
  poolName: string | null;

  /** The pool's amount band, fixed when scheduled: entries whose paid_cents is >= min and < max (null: no bound). */
  @Column({ name: 'band_min_cents', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  bandMinCents: number;

  @Column({ name: 'band_max_cents', type: 'bigint', unsigned: true, nullable: true, transformer: bigintAsNumber })
  bandMaxCents: number | null;

  @Column({ name: 'period_start', type: 'date' })
  periodStart: string;

  @Column({ name: 'period_end', type: 'date' })
  periodEnd: string;

  @Column({ name: 'freeze_at', type: 'datetime', precision: 3 })
  freezeAt: Date;

  @Column({ name: 'draw_at', type: 'datetime', precision: 3 })
  drawAt: Date;

  /** Set by the freeze as it starts: from then on no registration of the period is accepted. */
  @Column({ name: 'entries_closed_at', type: 'datetime', precision: 3, nullable: true })
  entriesClosedAt: Date | null;

  @Column({ type: 'enum', enum: ['scheduled', 'frozen', 'drawn', 'published', 'failed'] })
  status: DrawStatus;

  @Column({ name: 'failed_phase', type: 'enum', enum: ['freeze', 'draw', 'publish'], nullable: true })
  failedPhase: DrawPhase | null;

  @Column({ name: 'failure_reason', type: 'varchar', length: 1000, nullable: true })
  failureReason: string | null;

  @Column({ type: 'longtext', transformer: json<DrawTier[]>() })
  tiers: DrawTier[];

  @Column({ name: 'win_limit_per_holder', type: 'int', unsigned: true })
  winLimitPerHolder: number;

  @Column({ name: 'alternate_count', type: 'int', unsigned: true })
  alternateCount: number;

  @Column({ name: 'ticket_unit_cents', type: 'int', unsigned: true })
  ticketUnitCents: number;

  @Column({ name: 'ticket_cap', type: 'int', unsigned: true })
  ticketCap: number;

  @Column({ name: 'entry_count', type: 'int', unsigned: true, nullable: true })
  entryCount: number | null;

  @Column({ name: 'total_tickets', type: 'bigint', unsigned: true, nullable: true, transformer: bigintAsNumber })
  totalTickets: number | null;

  @Column({ name: 'entries_digest', type: 'char', length: 64, nullable: true })
  entriesDigest: string | null;

  @Column({ name: 'secret_hash', type: 'char', length: 64, nullable: true })
  secretHash: string | null;

  /** Sealed with PiiProtector.encrypt until the draw runs. */
  @Column({ name: 'secret_encrypted', type: 'varchar', length: 255, nullable: true, select: false })
  secretEncrypted: string | null;

  /** Revealed at the draw. */
  @Column({ type: 'char', length: 64, nullable: true })
  secret: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  beacon: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  seed: string | null;

  /** The ILD-1 audit bundle (JSON text), stored at the draw. */
  @Column({ name: 'audit_bundle', type: 'longtext', nullable: true, select: false })
  auditBundle: string | null;

  /** `{ phase, processed, total }` of the running job. */
  @Column({ type: 'varchar', length: 500, nullable: true, transformer: json<{ phase: string; processed: number; total: number }>() })
  progress: { phase: string; processed: number; total: number } | null;

  @Column({ name: 'frozen_at', type: 'datetime', precision: 3, nullable: true })
  frozenAt: Date | null;

  @Column({ name: 'drawn_at', type: 'datetime', precision: 3, nullable: true })
  drawnAt: Date | null;

  @Column({ name: 'published_at', type: 'datetime', precision: 3, nullable: true })
  publishedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
