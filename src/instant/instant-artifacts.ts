/**
 * Where an instant day's public files live in the artifact store. Keys start with the database name, as
 * the draws' do (day ids repeat across databases: tests, benchmarks, a demo).
 */
export function instantArtifactKeys(namespace: string, dayId: string): { commitment: string; log: string; bundle: string } {
  return {
    commitment: `${namespace}/instant/${dayId}/commitment.json`,
    log: `${namespace}/instant/${dayId}/log.csv`,
    bundle: `${namespace}/instant/${dayId}/day.json`,
  };
}

export const INSTANT_COMMITMENT_TYPE = 'application/json; charset=utf-8';
export const INSTANT_BUNDLE_TYPE = 'application/json; charset=utf-8';
export const INSTANT_LOG_TYPE = 'text/csv; charset=utf-8';
