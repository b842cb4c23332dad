import { computeTickets } from '../draws/algorithm/index.js';
import type { CampaignDefinition } from './campaign-definition.js';

/**
 * The tickets an invoice paid `paidCents` earns under a campaign's rules: the one place registration and the
 * public check count them (ILD-1's computeTickets with the campaign's unit and cap; the freeze uses the same
 * function with the unit and cap fixed in the draw row when it was scheduled).
 */
export function ticketsFor(campaign: Pick<CampaignDefinition, 'tickets'>, paidCents: number): number {
  return computeTickets(paidCents, campaign.tickets.unitCents, campaign.tickets.cap);
}
