import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignCatalog } from './campaign-catalog.js';
import { CampaignReadRepository } from './campaign-read.repository.js';
import { CampaignRecords } from './campaign-records.js';
import { CampaignRecord } from './campaign.entity.js';

/** The campaign definitions (files) and the `campaigns` rows, which only CampaignRecords writes. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([CampaignRecord])],
  providers: [CampaignCatalog, CampaignRecords, CampaignReadRepository],
  exports: [CampaignCatalog, CampaignRecords, CampaignReadRepository],
})
export class CampaignsModule {}
