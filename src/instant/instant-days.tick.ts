import { Injectable, Logger } from '@nestjs/common';
import { instantPoolsOf } from '../campaigns/campaign-definition.js';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { InvoiceReadRepository } from '../invoices/invoice-read.repository.js';
import { InstantDrawService, type InstantTickResult } from './instant-draw.service.js';
import { InstantDaysRepository } from './instant-days.repository.js';
import { InstantJobs } from './instant-jobs.js';

/** A registration whose outcome was asked for this long ago (service clock) without an entry is asked for again. */
export const SWEEP_AFTER_MS = 60_000;
const SWEEP_BATCH = 1000;

export interface InstantDueResult extends InstantTickResult {
  /** Registrations whose draw job was queued again (their request was lost: Redis down at registration). */
  requeued: number;
}

/**
 * The instant days' part of the maintenance minute tick (src/maintenance, service clock): commitments and
 * the day steps the state machine finds due, then the sweep of registrations of an accepting day that have
 * no log line a minute after registering (the API's request was lost) — queued again under their job id.
 */
@Injectable()
export class InstantDaysTick {
  private readonly logger = new Logger('InstantDaysTick');

  constructor(
    private readonly draws: InstantDrawService,
    private readonly repo: InstantDaysRepository,
    private readonly catalog: CampaignCatalog,
    private readonly invoices: InvoiceReadRepository,
    private readonly jobs: InstantJobs,
  ) {}

  /** Idempotent: what is done is not done again (conditional steps, deterministic job ids). */
  async runDue(now: Date): Promise<InstantDueResult> {
    const steps = await this.draws.runDue(now);
    let requeued = 0;
    for (const day of await this.repo.acceptingDays(new Date(now.getTime() - SWEEP_AFTER_MS))) {
      const campaign = this.catalog.get(day.campaignId);
      if (!campaign) continue;
      const until = new Date(Math.min(day.closesAt.getTime(), now.getTime() - SWEEP_AFTER_MS));
      for (const pool of instantPoolsOf(campaign)) {
        for (let afterId = 0; ; ) {
          const ids = await this.invoices.registeredBetween(campaign.id, day.opensAt, until, pool.band.minCents, pool.band.maxCents, afterId, SWEEP_BATCH);
          if (ids.length === 0) break;
          afterId = ids[ids.length - 1];
          const drawn = await this.repo.invoicesWithEntries(ids);
          for (const id of ids) {
            if (drawn.has(id)) continue;
            if (await this.jobs.requestAgain(id)) requeued += 1;
          }
        }
      }
    }
    if (requeued) this.logger.warn(`${requeued} instant draw request(s) queued again (lost at registration)`);
    return { ...steps, requeued };
  }
}
