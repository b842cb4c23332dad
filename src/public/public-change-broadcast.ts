import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { QueueName } from '../core/queue/queue-names.js';
import { DrawJob } from '../draws/draw-jobs.js';
import { WorkerRunner } from '../core/queue/worker-runner.js';
import { WorkerRunnerModule } from '../core/queue/queue.module.js';
import { CacheInvalidation } from '../core/redis/cache-invalidation.js';

/**
 * Worker only: after every job that may change what the public API shows (every draws-queue job but the tick,
 * which only queues steps: a freeze, draw or publication; maintenance such as prize forfeiture), tells every API process to drop its public cache, so
 * a publication shows everywhere within a second (PublicCache).
 */
@Injectable()
export class PublicChangeBroadcast implements OnModuleInit {
  constructor(
    private readonly runner: WorkerRunner,
    private readonly invalidation: CacheInvalidation,
  ) {}

  onModuleInit(): void {
    this.runner.onJobCompleted((queue, job) => {
      if ((queue === QueueName.draws && job.name !== DrawJob.tick) || queue === QueueName.maintenance) void this.invalidation.publish('public');
    });
  }
}

@Module({ imports: [WorkerRunnerModule], providers: [PublicChangeBroadcast] })
export class PublicWorkerModule {}
