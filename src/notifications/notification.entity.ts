import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';

/** An in-app notice to a consumer. `dedupeKey` makes each notice idempotent (e.g. `prize-won:<prizeId>`). */
@Entity('notifications')
export class Notification {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'consumer_id', type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  consumerId: number;

  @Column({ type: 'varchar', length: 64 })
  kind: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 2000 })
  body: string;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 191 })
  dedupeKey: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'read_at', type: 'datetime', precision: 3, nullable: true })
  readAt: Date | null;
}
