import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';

/** A consumer account, keyed by phone. Phone and ID number are stored only hashed, masked and (phone) encrypted. */
@Entity('consumers')
export class Consumer {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'phone_hash', type: 'char', length: 64 })
  phoneHash: string;

  @Column({ name: 'phone_masked', type: 'varchar', length: 16 })
  phoneMasked: string;

  @Column({ name: 'phone_encrypted', type: 'varchar', length: 255, select: false })
  phoneEncrypted: string;

  @Column({ name: 'real_name', type: 'varchar', length: 64, nullable: true })
  realName: string | null;

  @Column({ name: 'id_number_hash', type: 'char', length: 64, nullable: true, select: false })
  idNumberHash: string | null;

  @Column({ name: 'id_number_masked', type: 'varchar', length: 32, nullable: true })
  idNumberMasked: string | null;

  @Column({ name: 'identity_verified_at', type: 'datetime', precision: 3, nullable: true })
  identityVerifiedAt: Date | null;

  /** Which verifier passed the identity ('http', 'local'); null when not verified. */
  @Column({ name: 'identity_method', type: 'varchar', length: 16, nullable: true })
  identityMethod: string | null;

  /** Opted in to automatic entry (自动参与) of invoices the feed says were issued to their ID number. */
  @Column({ name: 'auto_entry', type: 'boolean' })
  autoEntry: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
