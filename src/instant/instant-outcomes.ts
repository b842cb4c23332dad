import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { QueueEvents, type ConnectionOptions } from 'bullmq';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { poolForAmount, type CampaignDefinition } from '../campaigns/campaign-definition.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { QueueName } from '../core/queue/queue-names.js';
import { bullConnection, closeBullClient } from '../core/queue/queue.service.js';
import { queuePrefix } from '../core/redis/redis.js';
import { InstantJobs } from './instant-jobs.js';
import { InstantReadRepository } from './instant-read.repository.js';
import { entryResult, type InstantAnswer, type InstantEntryResult } from './instant-result.js';

/** How long the API gathers registrations into one request to the worker, and at most how many. */
const GATHER_MS = 2;
const MAX_PER_JOB = 100;

/**
 * API side of instant draws: the API never holds a day's secret, so it asks the worker. `outcome` queues the
 * registration in a `draw-entries` job (with those of the same 2 ms) and waits for its answer at most INSTANT_OUTCOME_WAIT_MS
 * (BullMQ `job.waitUntilFinished` over one QueueEvents stream per process); no answer in time, or Redis
 * unreachable, is `pending` — the registration itself is already committed, the worker draws it when the
 * job runs (or the minute tick's sweep queues it again), and the consumer sees the outcome on the
 * registration (GET /api/v1/invoices/:id) and, for a prize, as a notice.
 */
@Injectable()
export class InstantOutcomes implements OnApplicationShutdown {
  private readonly logger = new Logger('InstantOutcomes');
  private events: QueueEvents | null = null;
  private readonly waiting: Array<{ invoiceId: number; resolve: (answer: InstantAnswer) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private connection: ConnectionOptions | null = null;

  constructor(
    private readonly jobs: InstantJobs,
    private readonly read: InstantReadRepository,
    private readonly catalog: CampaignCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether a registration of this amount in this campaign gets an instant draw at all (an instant pool's band holds it). */
  isInstant(campaign: CampaignDefinition, amountCents: number): boolean {
    return poolForAmount(campaign, 'instant', amountCents) !== null;
  }

  /**
   * The instant outcome of a registration: its log line if drawn already, else asks the worker and waits.
   * The registrations of the same few milliseconds go to the worker in one `draw-entries` job (one add, one
   * wait, one job for the worker: the per-registration cost of the round trip is what limits throughput).
   * Idempotent: the same registration always gets the same line (the worker draws it once).
   */
  async outcome(invoiceId: number, justRegistered = false): Promise<InstantAnswer> {
    // A registration made by this very request has no line yet: no need to look.
    const drawn = justRegistered ? null : await this.stored(invoiceId);
    if (drawn) return drawn;
    return new Promise((resolve) => {
      this.waiting.push({ invoiceId, resolve });
      if (this.waiting.length >= MAX_PER_JOB) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
    });
  }

  /** Sends the registrations gathered so far in one job and hands each its answer (`pending` on timeout or error). */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting.splice(0, this.waiting.length);
    if (batch.length === 0) return;
    const answer = async (): Promise<InstantEntryResult[]> => {
      const job = await this.jobs.requestMany(batch.map((w) => w.invoiceId));
      return (await job.waitUntilFinished(this.queueEvents(), this.config.INSTANT_OUTCOME_WAIT_MS)) as InstantEntryResult[];
    };
    answer().then(
      (results) => batch.forEach((w, i) => w.resolve(results?.[i] ?? { status: 'pending' })),
      (error: Error) => {
        this.logger.debug(`instant outcomes of ${batch.length} registration(s) pending: ${error.message}`);
        batch.forEach((w) => w.resolve({ status: 'pending' }));
      },
    );
  }

  /** Queues a registration's draw without waiting (automatic entries); a failure is left to the tick's sweep. */
  requestWithoutWaiting(invoiceId: number): void {
    this.jobs.request(invoiceId).catch((error: Error) => this.logger.warn(`instant draw of registration ${invoiceId} not queued (the sweep retries): ${error.message}`));
  }

  /** The stored outcome of a registration, or null when not drawn (yet). Read-only. */
  async stored(invoiceId: number): Promise<InstantEntryResult | null> {
    const line = await this.read.entryOfInvoice(invoiceId);
    return line ? entryResult(line, this.catalog.campaigns) : null;
  }

  private queueEvents(): QueueEvents {
    if (!this.events) {
      this.connection = bullConnection(this.config, 'worker');
      this.events = new QueueEvents(QueueName.instant, { connection: this.connection, prefix: queuePrefix(this.config) });
      this.events.on('error', (error) => this.logger.warn(`instant queue events: ${error.message}`));
    }
    return this.events;
  }

  async onApplicationShutdown(): Promise<void> {
    this.flush();
    await this.events?.close().catch(() => undefined);
    if (this.connection) closeBullClient(this.connection);
  }
}
