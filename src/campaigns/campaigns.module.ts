import { Global, Module } from '@nestjs/common';
import { CampaignCatalog } from './campaign-catalog.js';
import { CampaignReadRepository } from './campaign-read.repository.js';

@Global()
@Module({ providers: [CampaignCatalog, CampaignReadRepository], exports: [CampaignCatalog, CampaignReadRepository] })
export class CampaignsModule {}
