import { Inject, Injectable } from '@nestjs/common';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { loadCampaignFile, type CampaignDefinition } from './campaign-definition.js';
import { periodForIssueDate, periodsOf, type DrawPeriod } from './periods.js';

/** Reads every campaign file in `dir` (sorted by name). Throws naming the file on a bad definition. */
export function loadCampaignDirectory(dir: string): CampaignDefinition[] {
  const path = resolve(dir);
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadCampaignFile(join(path, f)));
}

/** The campaign definitions from CAMPAIGNS_DIR, read once at start-up. */
@Injectable()
export class CampaignCatalog {
  readonly campaigns: readonly CampaignDefinition[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.campaigns = loadCampaignDirectory(config.CAMPAIGNS_DIR);
  }

  get(id: string): CampaignDefinition | undefined {
    return this.campaigns.find((c) => c.id === id);
  }

  /** The campaign an invoice issued on `issueDate` falls in (the first listed, should several overlap). */
  campaignForIssueDate(issueDate: string): { campaign: CampaignDefinition; period: DrawPeriod } | null {
    for (const campaign of this.campaigns) {
      const period = periodForIssueDate(campaign, issueDate);
      if (period) return { campaign, period };
    }
    return null;
  }

  periods(campaignId: string): DrawPeriod[] {
    const campaign = this.get(campaignId);
    return campaign ? periodsOf(campaign) : [];
  }
}
