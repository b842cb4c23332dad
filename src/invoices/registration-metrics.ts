import { DomainError } from '../core/errors/domain-error.js';
import { registrations } from '../core/metrics/metrics.js';

/**
 * Counts a registration attempt in il_registrations_total once it is answered: `verified` or `pending`
 * (with the pending reason), `refused` with the 4xx reason code, or `error` (anything else, a 5xx).
 */
export async function countRegistration<T extends { status: string; reason?: string | null }>(attempt: Promise<T>): Promise<T> {
  try {
    const result = await attempt;
    registrations.inc({ outcome: result.status, reason: result.reason ?? '' });
    return result;
  } catch (error) {
    if (error instanceof DomainError && error.statusCode < 500) registrations.inc({ outcome: 'refused', reason: error.code });
    else registrations.inc({ outcome: 'error', reason: error instanceof DomainError ? error.code : '' });
    throw error;
  }
}
