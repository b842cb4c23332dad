import { DomainError } from './domain-error.js';

/** The name of the unique index a MySQL/MariaDB duplicate-key error hit, or null for any other error. */
export function violatedUniqueIndex(error: unknown): string | null {
  const e = (error as { driverError?: unknown })?.driverError ?? error;
  const { code, errno, sqlMessage, message } = (e ?? {}) as { code?: string; errno?: number; sqlMessage?: string; message?: string };
  if (code !== 'ER_DUP_ENTRY' && errno !== 1062) return null;
  // MariaDB: "... for key 'UQ_x'"; MySQL 8: "... for key 'table.UQ_x'".
  const match = /for key '(?:[^'.]*\.)?([^']+)'/.exec(sqlMessage ?? message ?? '');
  return match ? match[1] : '';
}

/**
 * The one place a duplicate-key error becomes a domain error: `mapping` names the unique indexes the caller
 * expects. A duplicate on an index not in the mapping, and every other error, is rethrown unchanged.
 */
export function mapUniqueViolation(error: unknown, mapping: Record<string, () => DomainError>): never {
  const index = violatedUniqueIndex(error);
  if (index !== null && mapping[index]) throw mapping[index]();
  throw error;
}

/** Runs `work`; a duplicate-key error on one of the named indexes becomes the mapped domain error. */
export async function withUniqueViolationsMapped<T>(mapping: Record<string, () => DomainError>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    mapUniqueViolation(error, mapping);
  }
}
