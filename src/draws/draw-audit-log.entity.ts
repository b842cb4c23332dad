import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';

/** Append-only log of everything done to a draw (who, what, when). Only ever inserted. */
@Entity('draw_audit_log')
export class DrawAuditLogEntry {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'draw_id', type: 'varchar', length: 64 })
  drawId: string;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  /** `system`, or `staff:<id>:<username>`. */
  @Column({ type: 'varchar', length: 100 })
  actor: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** JSON text; never personal data. */
  @Column({ type: 'longtext', nullable: true })
  details: string | null;
}
