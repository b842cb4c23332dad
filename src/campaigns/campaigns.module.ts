import { Global, Module } from '@nestjs/common';
import { CampaignCatalog } from './campaign-catalog.js';

@Global()
@Module({ providers: [CampaignCatalog], exports: [CampaignCatalog] })
export class CampaignsModule {}
