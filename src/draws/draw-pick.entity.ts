import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A winner or alternate of a draw, in draw order: the stored result of ILD-1. */
@Entity('draw_picks')
export class DrawPick {
  @PrimaryColumn({ name: 'draw_id', type: 'varchar', length: 64 })
  drawId: string;

  @PrimaryColumn({ name: 'pick_index', type: 'int', unsigned: true })
  pickIndex: number;

  @Column({ type: 'enum', enum: ['winner', 'alternate'] })
  kind: 'winner' | 'alternate';

  @Column({ type: 'int', unsigned: true, nullable: true })
  tier: number | null;

  @Column({ type: 'int', unsigned: true, nullable: true })
  slot: number | null;

  @Column({ name: 'alternate_rank', type: 'int', unsigned: true, nullable: true })
  alternateRank: number | null;

  /** draw_entries.position of the picked entry. */
  @Column({ type: 'int', unsigned: true })
  position: number;

  @Column({ type: 'char', length: 64 })
  ref: string;

  @Column({ type: 'char', length: 16 })
  holder: string;

  @Column({ type: 'int', unsigned: true })
  tickets: number;
}
