import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../core/database/transformers.js';
import { REGISTRY_FLAGS, type RegistryFlag } from './domain/registry-record.js';


/** An issued invoice as the tax bureau's system reports it; registrations are checked against these. */
@Entity('registry_invoices')
export class RegistryInvoice {
  @PrimaryColumn({ type: 'bigint', unsigned: true, transformer: bigintAsNumber })
  @Generated('increment')
  id: number;

  @Column({ name: 'invoice_type', type: 'char', length: 2 })
  invoiceType: string;

  @Column({ name: 'invoice_code', type: 'varchar', length: 12, default: '' })
  invoiceCode: string;

  @Column({ name: 'invoice_number', type: 'varchar', length: 20 })
  invoiceNumber: string;

  /** 'YYYY-MM-DD' (DATE columns are read as strings). */
  @Column({ name: 'issue_date', type: 'date' })
  issueDate: string;

  @Column({ name: 'amount_cents', type: 'bigint', transformer: bigintAsNumber })
  amountCents: number;

  @Column({ name: 'tax_cents', type: 'bigint', transformer: bigintAsNumber })
  taxCents: number;

  @Column({ name: 'total_cents', type: 'bigint', transformer: bigintAsNumber })
  totalCents: number;

  @Column({ name: 'check_code', type: 'varchar', length: 20, nullable: true })
  checkCode: string | null;

  @Column({ name: 'seller_tax_id', type: 'varchar', length: 20 })
  sellerTaxId: string;

  @Column({ name: 'seller_name', type: 'varchar', length: 200 })
  sellerName: string;

  @Column({ name: 'buyer_type', type: 'enum', enum: ['individual', 'organization'] })
  buyerType: 'individual' | 'organization';

  @Column({ name: 'buyer_name', type: 'varchar', length: 200, nullable: true })
  buyerName: string | null;

  /** Keyed hash of the individual buyer's ID number when the feed carried it (never the number). */
  @Column({ name: 'buyer_id_hash', type: 'char', length: 64, nullable: true })
  buyerIdHash: string | null;

  @Column({ type: 'set', enum: REGISTRY_FLAGS, default: [] })
  flags: RegistryFlag[];

  @Column({ name: 'imported_at', type: 'datetime', precision: 3 })
  importedAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
