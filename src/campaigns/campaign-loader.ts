import { Injectable, Logger } from '@nestjs/common';
import { DrawLifecycleService } from '../draws/draw-lifecycle.service.js';
import { CampaignCatalog } from './campaign-catalog.js';

/**
 * Loads the campaign definitions of CAMPAIGNS_DIR into the database: one `campaigns` row each and one
 * `scheduled` draw per period. Idempotent (existing draws keep the tiers and times they were scheduled
 * with). Run by the worker at start-up (and again by the tick until it has succeeded once) and by
 * `npm run campaigns:load`.
 */
@Injectable()
export class CampaignLoader {
  private readonly logger = new Logger('CampaignLoader');
  private loaded = false;

  constructor(
    private readonly catalog: CampaignCatalog,
    private readonly lifecycle: DrawLifecycleService,
  ) {}

  /** Loads every campaign; returns their ids. */
  async loadAll(): Promise<string[]> {
    for (const campaign of this.catalog.campaigns) await this.lifecycle.ensureCampaign(campaign);
    this.loaded = true;
    const ids = this.catalog.campaigns.map((c) => c.id);
    this.logger.log(`Campaigns loaded: ${ids.join(', ') || '(none)'}`);
    return ids;
  }

  /** Loads once per process: a no-op after the first success. */
  async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.loadAll();
  }
}
