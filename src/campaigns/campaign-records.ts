import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import type { CampaignDefinition } from './campaign-definition.js';
import { CampaignRecord } from './campaign.entity.js';

/** The campaigns module's repository of `campaigns` rows: the only writer of that table. */
@Injectable()
export class CampaignRecords {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records the campaign as loaded. Idempotent: the stored name and definition follow the file. */
  async upsert(campaign: CampaignDefinition, now: Date): Promise<void> {
    const definition = JSON.stringify(campaign);
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(CampaignRecord)
      .values({
        id: campaign.id,
        name: campaign.name,
        definition,
        definitionHash: createHash('sha256').update(definition).digest('hex'),
        loadedAt: now,
        endedAt: null,
      })
      .orUpdate(['name', 'definition', 'definition_hash'], ['id'])
      .execute();
  }

  /** The stored definition of a campaign (as last loaded), or null. Read-only. */
  async definition(campaignId: string): Promise<CampaignDefinition | null> {
    const record = await this.dataSource.getRepository(CampaignRecord).findOneBy({ id: campaignId });
    return record ? (JSON.parse(record.definition) as CampaignDefinition) : null;
  }

  /** Marks the campaign ended (its last draw is published), inside `em`'s transaction. Idempotent: the first end time stays. */
  async markEnded(campaignId: string, now: Date, em: EntityManager): Promise<void> {
    await em.update(CampaignRecord, { id: campaignId, endedAt: IsNull() }, { endedAt: now });
  }
}
