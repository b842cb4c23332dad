import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A campaign as loaded from config/campaigns (the definition is kept as loaded, for the record). */
@Entity('campaigns')
export class CampaignRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The campaign file as loaded (JSON text). */
  @Column({ type: 'longtext' })
  definition: string;

  @Column({ name: 'definition_hash', type: 'char', length: 64 })
  definitionHash: string;

  @Column({ name: 'loaded_at', type: 'datetime', precision: 3 })
  loadedAt: Date;

  /** Set when the campaign's last draw is published. */
  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;
}
