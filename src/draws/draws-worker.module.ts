import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignLoader } from '../campaigns/campaign-loader.js';
import { DrawJobs } from './draw-jobs.js';
import { DrawRequest } from './draw-request.entity.js';
import { DrawTickService } from './draw-tick.service.js';
import { Draw } from './draw.entity.js';
import { DrawProcessor } from './draw.processor.js';
import { DrawsCoreModule } from './draws-core.module.js';

/**
 * Worker process only: loads the campaigns at start-up, upserts the draw tick's job scheduler and runs the
 * `draws` queue (tick, freeze, draw, publish).
 */
@Module({
  imports: [DrawsCoreModule, TypeOrmModule.forFeature([Draw, DrawRequest])],
  providers: [CampaignLoader, DrawJobs, DrawTickService, DrawProcessor],
  exports: [DrawTickService, CampaignLoader],
})
export class DrawsWorkerModule {}
