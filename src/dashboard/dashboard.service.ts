import { Injectable } from '@nestjs/common';
import { CampaignCatalog } from '../campaigns/campaign-catalog.js';
import { Clock } from '../core/clock/clock.js';
import { DomainError } from '../core/errors/domain-error.js';
import { RegistrationStats } from '../invoices/registration-stats.js';
import { RegistryService } from '../registry/registry.service.js';
import type { DashboardDto } from './dashboard.dto.js';

/**
 * The staff dashboard of a campaign: one read of cheap sources (pre-aggregated counts, one index seek,
 * Redis, the last import-log row), all on the service clock. Read-only.
 */
@Injectable()
export class DashboardService {
  constructor(
    private readonly campaigns: CampaignCatalog,
    private readonly stats: RegistrationStats,
    private readonly registry: RegistryService,
    private readonly clock: Clock,
  ) {}

  async dashboard(campaignId?: string, periodKey?: string): Promise<DashboardDto> {
    const now = this.clock.now();
    // By default the campaign that is running: the first whose last period has not frozen yet, else the first.
    const running = () =>
      this.campaigns.campaigns.find((c) => this.campaigns.periods(c.id).some((p) => p.freezeAt.getTime() > now.getTime())) ?? this.campaigns.campaigns[0];
    const campaign = campaignId ? this.campaigns.get(campaignId) : running();
    if (!campaign) throw DomainError.notFound('CAMPAIGN_NOT_FOUND', 'No such campaign');
    const periods = this.campaigns.periods(campaign.id);
    // The current period: the first whose registrations are still open; after the last freeze, the last one.
    const current = periods.find((p) => p.freezeAt.getTime() > now.getTime()) ?? periods[periods.length - 1];
    const period = periodKey ? periods.find((p) => p.key === periodKey) : current;
    if (!period) throw DomainError.notFound('PERIOD_NOT_FOUND', 'No such period in this campaign');
    const [registrations, pending, imports, refusals] = await Promise.all([
      this.stats.forPeriod(campaign.id, period.key),
      this.stats.pendingBacklog(campaign.id),
      this.registry.recentImports(1),
      this.stats.topRefusals(10),
    ]);
    return {
      campaign: { id: campaign.id, name: campaign.name },
      campaigns: this.campaigns.campaigns.map((c) => ({ id: c.id, name: c.name })),
      now: now.toISOString(),
      periods: periods.map((p) => p.key),
      period: {
        key: period.key,
        startDate: period.startDate,
        endDate: period.endDate,
        freezeAt: period.freezeAt.toISOString(),
        drawAt: period.drawAt.toISOString(),
        current: period.key === current?.key,
        secondsUntilFreeze: Math.max(0, Math.floor((period.freezeAt.getTime() - now.getTime()) / 1000)),
      },
      registrations,
      pending: {
        count: pending.count,
        oldestRegisteredAt: pending.oldestRegisteredAt?.toISOString() ?? null,
        oldestAgeSeconds: pending.oldestRegisteredAt ? Math.max(0, Math.floor((now.getTime() - pending.oldestRegisteredAt.getTime()) / 1000)) : null,
      },
      feed: { lastImport: imports[0] ?? null },
      refusals24h: refusals,
    };
  }
}
