/**
 * `npm run campaigns:load`: records the campaigns of CAMPAIGNS_DIR and schedules their draws in DATABASE_URL
 * (idempotent; the worker does the same at start-up). Needs the schema (`npm run db:migrate`).
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger } from '../app/logger.js';
import { loadConfigOrExit, type AppConfig } from '../core/config/config.schema.js';
import { CoreModule } from '../core/core.module.js';
import { DrawsCoreModule } from '../draws/draws-core.module.js';
import { CampaignLoader } from './campaign-loader.js';
import { CampaignsModule } from './campaigns.module.js';

@Module({})
class CampaignLoaderCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CampaignLoaderCliModule,
      imports: [CoreModule.forRoot(config), CampaignsModule, DrawsCoreModule],
      providers: [CampaignLoader],
    };
  }
}

const config = loadConfigOrExit();

const logger = createLogger({ ...config, LOG_LEVEL: 'warn' }, 'campaigns:load');
try {
  const app = await NestFactory.createApplicationContext(CampaignLoaderCliModule.forRoot(config), { logger, abortOnError: false });
  try {
    const ids = await app.get(CampaignLoader).loadAll();
    console.log(`Loaded ${ids.length} campaign(s): ${ids.join(', ')}`);
  } finally {
    await app.close();
  }
} catch (error) {
  console.error(`campaigns:load failed: ${(error as Error).message}`);
  process.exit(1);
}
