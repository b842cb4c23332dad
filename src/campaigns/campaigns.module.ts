import { Global, Module } from '@nestjs/common';
import { CampaignCatalog } from './campaign-catalog.js';
import { CampaignRecords } from './campaign-records.js';

/** The campaign definitions (files) and the `campaigns` rows, which only CampaignRecords writes. */
@Global()
@Module({ providers: [CampaignCatalog, CampaignRecords], exports: [CampaignCatalog, CampaignRecords] })
export class CampaignsModule {}
