/**
 * The service's Prometheus metrics (prom-client), defined once here so names, labels and buckets stay one
 * vocabulary across the API and the worker. Counters and histograms are process-wide (one per process,
 * summed over the fleet by Prometheus); gauges that are read at scrape time from the database, the queues or
 * the clock belong to a process's ProcessMetrics (src/core/metrics/process-metrics.ts).
 *
 * Labels are bounded: route templates (never raw URLs), reason codes, queue and job names. No personal data.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The registry of the process-wide metrics (plus Node's default process metrics). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'il_http_request_duration_seconds',
  help: 'API requests by method, route template and status: latency (its _count is the number of requests)',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** outcome: verified | pending (201), refused (4xx, reason = the code), error (5xx). */
export const registrations = new Counter({
  name: 'il_registrations_total',
  help: 'Invoice registration attempts by outcome and reason code',
  labelNames: ['outcome', 'reason'] as const,
  registers: [metricsRegistry],
});

/** outcome: accepted (new record) | updated | unchanged | rejected (a bad line). */
export const feedRows = new Counter({
  name: 'il_registry_feed_rows_total',
  help: "Rows of the tax bureau's feed by outcome",
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const jobDuration = new Histogram({
  name: 'il_job_duration_seconds',
  help: 'Queue jobs processed, by queue, job name and result (completed | failed): processing time. For queue="draws" the names freeze, draw and publish are the draw phases',
  labelNames: ['queue', 'name', 'result'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900],
  registers: [metricsRegistry],
});

export const rateLimitRefusals = new Counter({
  name: 'il_rate_limit_refusals_total',
  help: 'Requests refused with 429 RATE_LIMITED, by limit',
  labelNames: ['limit'] as const,
  registers: [metricsRegistry],
});

/** result: sent | failed. */
export const smsSends = new Counter({
  name: 'il_sms_sends_total',
  help: 'Text messages handed to the SMS gateway, by result',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

/** result: the provider's verdict (match, mismatch, not_found), or error, timeout, circuit_open (one per attempt). */
export const identityProviderCalls = new Counter({
  name: 'il_identity_provider_calls_total',
  help: 'Calls to the identity provider (三要素核验) by result',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});
