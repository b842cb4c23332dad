import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';

export type DrawRequestStatus = 'pending' | 'approved' | 'rejected' | 'superseded';

/** An operator's request to run a frozen draw now; an auditor (another person) approves it. */
@Entity('draw_requests')
export class DrawRequest {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'draw_id', type: 'varchar', length: 64 })
  drawId: string;

  @Column({ name: 'requested_by', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  requestedBy: number;

  @Column({ name: 'requested_at', type: 'datetime', precision: 3 })
  requestedAt: Date;

  @Column({ type: 'varchar', length: 256, nullable: true })
  beacon: string | null;

  @Column({ type: 'enum', enum: ['pending', 'approved', 'rejected', 'superseded'] })
  status: DrawRequestStatus;

  @Column({ name: 'decided_by', type: 'bigint', unsigned: true, nullable: true, transformer: bigintAsNumber })
  decidedBy: number | null;

  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true })
  decidedAt: Date | null;

  /** Why a rejected request was turned down or withdrawn (1-500 characters, trimmed); null otherwise. */
  @Column({ name: 'rejection_reason', type: 'varchar', length: 500, nullable: true })
  rejectionReason: string | null;
}
