/**
 * `npm run artifacts:backfill [-- <drawId> ...]`: writes the entries files and audit bundles that the
 * artifact store lacks (draws frozen or published before the store existed, or whose write failed), for
 * the given draws or all of them. Idempotent: stored artifacts are left as they are. The public endpoints
 * also write a missing artifact on its first request; this spares that first visitor the wait.
 * Configuration from the environment as for the API. Prints one line per draw; exit 1 when one failed.
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { loadConfigOrExit, type AppConfig } from '../core/config/config.schema.js';
import { CoreModule } from '../core/core.module.js';
import { DrawArtifactsService } from './draw-artifacts.service.js';
import { DrawLifecycleService } from './draw-lifecycle.service.js';
import { DrawsCoreModule } from './draws-core.module.js';

@Module({})
class ArtifactsBackfillModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ArtifactsBackfillModule, imports: [CoreModule.forRoot(config), CampaignsModule, DrawsCoreModule] };
  }
}

const config = loadConfigOrExit();
const app = await NestFactory.createApplicationContext(ArtifactsBackfillModule.forRoot(config), { logger: ['error', 'warn'] });
let failed = 0;
try {
  const artifacts = app.get(DrawArtifactsService);
  const lifecycle = app.get(DrawLifecycleService);
  const requested = process.argv.slice(2);
  const ids: string[] = requested.length
    ? requested
    : (await app.get<DataSource>(getDataSourceToken()).query(`SELECT id FROM draws ORDER BY id`)).map((r: { id: string }) => r.id);
  for (const id of ids) {
    try {
      const done = await artifacts.backfill(id, () => lifecycle.entriesCsv(id));
      console.log(`${id}: entries ${done.entries ? 'stored' : 'not public yet'}, audit bundle ${done.audit ? 'stored' : 'not public yet'}`);
    } catch (error) {
      failed++;
      console.error(`${id}: failed: ${(error as Error).message}`);
    }
  }
} finally {
  await app.close();
}
process.exitCode = failed ? 1 : 0;
