import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';

/** One committed ILD-1 entry of a draw, in canonical order. Written once at the freeze, never changed. */
@Entity('draw_entries')
export class DrawEntry {
  @PrimaryColumn({ name: 'draw_id', type: 'varchar', length: 64 })
  drawId: string;

  /** 0-based index in canonical (ref) order. */
  @PrimaryColumn({ type: 'int', unsigned: true })
  position: number;

  @Column({ type: 'char', length: 64 })
  ref: string;

  @Column({ type: 'char', length: 16 })
  holder: string;

  @Column({ type: 'int', unsigned: true })
  tickets: number;

  @Column({ name: 'invoice_id', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  invoiceId: number;

  @Column({ name: 'consumer_id', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  consumerId: number;

  @Column({ name: 'paid_cents', type: 'bigint', transformer: bigintAsNumber })
  paidCents: number;
}
