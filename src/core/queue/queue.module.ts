import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueService } from './queue.service.js';
import { WorkerRunner } from './worker-runner.js';

/** Producing jobs: available in both processes. */
@Global()
@Module({ providers: [QueueService], exports: [QueueService] })
export class QueueModule {}

/** Consuming jobs: imported by the worker process only. */
@Module({ imports: [DiscoveryModule], providers: [WorkerRunner], exports: [WorkerRunner] })
export class WorkerRunnerModule {}
