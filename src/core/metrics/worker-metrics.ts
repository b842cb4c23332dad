import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { Clock } from '../clock/clock.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { QueueName } from '../queue/queue-names.js';
import { QueueService } from '../queue/queue.service.js';
import { bearerMatches, ProcessMetrics } from './process-metrics.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

/** `read`, called once for all callers while a call is in flight. */
function sharedWhileInFlight<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= read().finally(() => (pending = null));
    return pending;
  };
}

/**
 * Worker only: the gauges an operations team alerts on, read at scrape time (every worker reports the same
 * deployment-wide values; alert on their max): queue depth and the age of the oldest waiting job per queue,
 * how late the most overdue draw step is, draws by status, each draw's entry count, and the age of the oldest
 * pending registration. A source that fails during a scrape leaves its gauges out of that scrape (and is
 * logged), it never fails the scrape.
 */
@Injectable()
export class WorkerGauges {
  private readonly logger = new Logger('WorkerMetrics');
  private lastWarning = 0;

  constructor(
    metrics: ProcessMetrics,
    private readonly queues: QueueService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    const registers = [metrics.registry];
    const self = this;
    // prom-client collects all gauges of a scrape concurrently: gauges fed by one read share it (while in flight).
    const queueRead = sharedWhileInFlight(() => this.readQueues());
    const draws = sharedWhileInFlight(() => this.readDraws());
    new Gauge({
      name: 'il_queue_jobs',
      help: 'Jobs in each queue by state',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        for (const q of (await queueRead()) ?? []) for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, q.counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'il_queue_oldest_waiting_seconds',
      help: 'Real seconds the oldest job waiting in each queue has waited (0: none waiting)',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        this.reset();
        for (const q of (await queueRead()) ?? []) this.set({ queue: q.name }, q.oldestWaitingSeconds);
      },
    });
    new Gauge({
      name: 'il_draws',
      help: 'Draws by status',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await draws())?.rows ?? []) this.inc({ status: row.status });
      },
    });
    new Gauge({
      name: 'il_draw_entries',
      help: 'Entries committed at the freeze, per draw',
      labelNames: ['draw'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await draws())?.rows ?? []) if (row.entry_count !== null) this.set({ draw: row.id }, Number(row.entry_count));
      },
    });
    new Gauge({
      name: 'il_draw_overdue_seconds',
      help: 'Service-clock seconds the most overdue draw step is late: a scheduled draw past its freeze time, a frozen or failed one past its draw time, a drawn one not published (0: none)',
      registers,
      async collect() {
        this.reset();
        const read = await draws();
        if (!read) return;
        let overdue = 0;
        for (const row of read.rows) {
          if (row.status === 'published') continue;
          const due = row.status === 'scheduled' || row.failed_phase === 'freeze' ? row.freeze_at : row.draw_at;
          overdue = Math.max(overdue, (read.now - new Date(due).getTime()) / 1000);
        }
        this.set(overdue);
      },
    });
    new Gauge({
      name: 'il_registrations_pending_oldest_seconds',
      help: 'Service-clock seconds since the oldest registration still pending (awaiting its tax bureau record) was made (0: none)',
      registers,
      async collect() {
        this.reset();
        const age = await self.guarded('pending registrations', async () => {
          const [row] = (await self.dataSource.query(`SELECT registered_at FROM invoices WHERE status = 'pending' ORDER BY id LIMIT 1`)) as Array<{ registered_at: Date }>;
          return row ? Math.max(0, (self.clock.now().getTime() - new Date(row.registered_at).getTime()) / 1000) : 0;
        });
        if (age !== undefined) this.set(age);
      },
    });
  }

  private readQueues() {
    return this.guarded('queues', async () => {
      const read = [];
      for (const name of Object.values(QueueName)) {
        const queue = this.queues.queue(name);
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
        const since = oldest ? oldest.timestamp + (oldest.delay ?? 0) : Date.now();
        read.push({ name, counts, oldestWaitingSeconds: Math.max(0, (Date.now() - since) / 1000) });
      }
      return read;
    });
  }

  private readDraws() {
    return this.guarded('draws', async () => {
      const now = this.clock.now().getTime();
      const rows = (await this.dataSource.query(`SELECT id, status, failed_phase, freeze_at, draw_at, entry_count FROM draws`)) as Array<{
        id: string;
        status: string;
        failed_phase: string | null;
        freeze_at: Date;
        draw_at: Date;
        entry_count: number | null;
      }>;
      return { now, rows };
    });
  }

  /** The result of `work`, or undefined (logged, at most once a minute) when it fails. */
  private async guarded<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`Metrics: could not read ${what}: ${(error as Error).message}`);
      }
      return undefined;
    }
  }
}

/**
 * Worker only: with METRICS_TOKEN set, a small HTTP server on WORKER_METRICS_HOST:WORKER_METRICS_PORT
 * answering GET /metrics to `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise, 404 for any other path).
 * Each worker of a fleet needs its own port on a shared host (0 picks a free one, logged at start).
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerMetrics');
  private server: Server | null = null;

  constructor(
    private readonly metrics: ProcessMetrics,
    // Constructed for its gauges, which register themselves on the process's registry.
    readonly gauges: WorkerGauges,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.METRICS_TOKEN;
    if (!token) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"code":"NOT_FOUND","message":"Not found"}');
        return;
      }
      if (!bearerMatches(request.headers.authorization, token)) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"statusCode":401,"code":"TOKEN_INVALID","message":"The metrics token is missing or wrong"}');
        return;
      }
      this.metrics.render().then(
        (text) => response.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.WORKER_METRICS_PORT, this.config.WORKER_METRICS_HOST, () => resolve());
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.logger.log(`Worker metrics listening on http://${address}:${port}/metrics`);
  }

  /** The port listened on (null when metrics are off). */
  get port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
