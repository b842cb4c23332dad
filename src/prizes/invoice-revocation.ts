import type { EntityManager } from 'typeorm';

export type RevocationReason = 'INVOICE_VOIDED' | 'INVOICE_RED_FLUSHED';

/**
 * Whether a prize's invoice has been voided or red-flushed since the freeze: the registration was revoked
 * (invoices.status = 'revoked', reason INVOICE_VOIDED / INVOICE_RED_FLUSHED), or the registry record now
 * carries the `voided` or `red` flag (the revoke job may not have run yet). Read-only.
 */
export async function invoiceRevocation(em: EntityManager, invoiceId: number): Promise<RevocationReason | null> {
  const rows: Array<{ status: string; status_reason: string | null; flags: string | null }> = await em.query(
    `SELECT i.status, i.status_reason, r.flags
       FROM invoices i LEFT JOIN registry_invoices r ON r.invoice_code = i.invoice_code AND r.invoice_number = i.invoice_number
      WHERE i.id = ?`,
    [invoiceId],
  );
  const row = rows[0];
  if (!row) return null;
  return revocationOf(row.status, row.status_reason, row.flags);
}

/** The same decision from the columns of one row (used by the batch queries). */
export function revocationOf(status: string, statusReason: string | null, flags: string | null): RevocationReason | null {
  const set = new Set((flags ?? '').split(',').filter(Boolean));
  if (set.has('red') || (status === 'revoked' && statusReason === 'INVOICE_RED_FLUSHED')) return 'INVOICE_RED_FLUSHED';
  if (set.has('voided') || status === 'revoked') return 'INVOICE_VOIDED';
  return null;
}

/** SQL condition over `i` (invoices) and `r` (registry_invoices, LEFT JOINed) matching revokedOf(...) !== null. */
export const REVOKED_INVOICE_SQL = `(i.status = 'revoked' OR FIND_IN_SET('voided', r.flags) > 0 OR FIND_IN_SET('red', r.flags) > 0)`;
