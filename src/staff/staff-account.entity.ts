import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';
import type { StaffRole } from '../auth/auth-subject.js';

@Entity('staff_accounts')
export class StaffAccount {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'simple-array' })
  roles: StaffRole[];

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
