import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StaffAccount } from '../staff/staff-account.entity.js';
import { DrawJobs } from './draw-jobs.js';
import { DrawPick } from './draw-pick.entity.js';
import { DrawRequest } from './draw-request.entity.js';
import { DrawRequestsService } from './draw-requests.service.js';
import { Draw } from './draw.entity.js';
import { DrawsCoreModule } from './draws-core.module.js';
import { DrawsController } from './draws.controller.js';

/** API process: the staff endpoints of draws (two-person requests, retries, views). Produces draw jobs; never consumes them. */
@Module({
  imports: [DrawsCoreModule, TypeOrmModule.forFeature([Draw, DrawPick, DrawRequest, StaffAccount])],
  controllers: [DrawsController],
  providers: [DrawJobs, DrawRequestsService],
  exports: [DrawJobs],
})
export class DrawsModule {}
