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

  /** A deactivated account cannot sign in, and its tokens are refused (StaffAccessCache). */
  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;

  /** Tokens issued before this instant (a password reset, a deactivation) are refused. */
  @Column({ name: 'tokens_valid_after', type: 'datetime', precision: 3, nullable: true })
  tokensValidAfter: Date | null;
}
