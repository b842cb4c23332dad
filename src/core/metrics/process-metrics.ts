import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Gauge, Registry } from 'prom-client';
import { Clock } from '../clock/clock.js';
import { metricsRegistry } from './metrics.js';

/**
 * The metrics of one process: the process-wide counters and histograms (metrics.ts) plus gauges read at
 * scrape time, registered on this instance's own registry (so several apps in one test process do not
 * collide). Both processes report the service clock's offset from real time; the worker adds its gauges
 * (WorkerGauges).
 */
@Injectable()
export class ProcessMetrics {
  readonly registry = new Registry();

  constructor(clock: Clock) {
    new Gauge({
      name: 'il_clock_offset_seconds',
      help: "The service clock minus real time (0 on real time; a simulated clock's distance from now)",
      registers: [this.registry],
      collect() {
        this.set((clock.now().getTime() - Date.now()) / 1000);
      },
    });
  }

  readonly contentType = metricsRegistry.contentType;

  /** The exposition text of every metric of this process. */
  async render(): Promise<string> {
    const [shared, own] = await Promise.all([metricsRegistry.metrics(), this.registry.metrics()]);
    return `${shared.trimEnd()}\n${own}`;
  }
}

/** Whether an Authorization header carries `Bearer <token>` (constant-time comparison). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
