import { Global, Module } from '@nestjs/common';
import { ProcessMetrics } from './process-metrics.js';
import { WorkerGauges, WorkerMetricsServer } from './worker-metrics.js';

/** Both processes: the process's metrics (the API serves them at /metrics, see installApiMetrics). */
@Global()
@Module({ providers: [ProcessMetrics], exports: [ProcessMetrics] })
export class MetricsModule {}

/** Worker only: the scrape-time gauges and the worker's own metrics port. */
@Module({ providers: [WorkerGauges, WorkerMetricsServer], exports: [WorkerMetricsServer] })
export class WorkerMetricsModule {}
