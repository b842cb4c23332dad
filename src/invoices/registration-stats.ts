import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { HENAN_CITIES } from '../public/cities.js';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { REDIS } from '../core/redis/redis.module.js';

export type RegistrationStatus = 'verified' | 'pending' | 'rejected' | 'revoked';
export type StatusCounts = Record<RegistrationStatus, number>;
export interface DayCounts extends StatusCounts {
  day: string;
}
export interface CityCounts extends StatusCounts {
  city: string;
}
export interface PeriodRegistrationStats {
  byDay: DayCounts[];
  byCity: CityCounts[];
  totals: StatusCounts;
}

const STATUSES: readonly RegistrationStatus[] = ['verified', 'pending', 'rejected', 'revoked'];
const zero = (): StatusCounts => ({ verified: 0, pending: 0, rejected: 0, revoked: 0 });
/** Refusal counts are kept per Beijing hour for two days. */
const REFUSAL_KEEP_SECONDS = 2 * 86400;
const HOUR_MS = 3_600_000;
/** Beijing hour of an instant as 2022081314 (Asia/Shanghai has no DST: UTC+8). */
const shanghaiHour = (ms: number) => new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 13).replace(/[-T]/g, '');

/**
 * The dashboard's numbers on registration, all cheap on a big table: counts by day, city and status from
 * registration_counts (kept by triggers on invoices, see the RegistrationCounts migration), the pending
 * backlog's oldest item from the (status, id) index, and refusals counted in Redis per hour.
 */
@Injectable()
export class RegistrationStats {
  private readonly logger = new Logger('RegistrationStats');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one refused registration attempt under its reason code, in the current Beijing hour (service
   * clock). Fire-and-forget: never delays or fails the registration's answer. Not idempotent (it counts).
   */
  countRefusal(code: string): void {
    const key = `${this.config.REDIS_PREFIX}:refusals:${shanghaiHour(this.clock.now().getTime())}`;
    this.redis
      .multi()
      .hincrby(key, code, 1)
      .expire(key, REFUSAL_KEEP_SECONDS)
      .exec()
      .catch((e: Error) => this.logger.debug(`refusal count lost: ${e.message}`));
  }

  /** Refusals of the last 24 hours (the current hour and the 23 before), most frequent first. Read-only. */
  async topRefusals(limit: number): Promise<Array<{ code: string; count: number }>> {
    const now = this.clock.now().getTime();
    const pipeline = this.redis.pipeline();
    for (let h = 0; h < 24; h++) pipeline.hgetall(`${this.config.REDIS_PREFIX}:refusals:${shanghaiHour(now - h * HOUR_MS)}`);
    const totals = new Map<string, number>();
    for (const [error, hash] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      for (const [code, n] of Object.entries(hash as Record<string, string>)) totals.set(code, (totals.get(code) ?? 0) + Number(n));
    }
    return [...totals].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)).slice(0, limit);
  }

  /** A period's registrations by registration day and by issuing city, per status. Read-only. */
  async forPeriod(campaignId: string, periodKey: string): Promise<PeriodRegistrationStats> {
    const rows: Array<{ registered_on: string | Date; region: string; status: RegistrationStatus; n: string }> = await this.dataSource.query(
      `SELECT registered_on, region, status, SUM(n) AS n FROM registration_counts
        WHERE campaign_id = ? AND period_key = ? GROUP BY registered_on, region, status`,
      [campaignId, periodKey],
    );
    const days = new Map<string, DayCounts>();
    const cities = new Map<string, CityCounts>();
    const totals = zero();
    for (const r of rows) {
      const n = Number(r.n);
      if (n === 0) continue;
      const day = typeof r.registered_on === 'string' ? r.registered_on.slice(0, 10) : isoDay(r.registered_on);
      const city = r.region.startsWith('41') ? (HENAN_CITIES[r.region] ?? '河南省') : '其他';
      if (!days.has(day)) days.set(day, { day, ...zero() });
      if (!cities.has(city)) cities.set(city, { city, ...zero() });
      days.get(day)![r.status] += n;
      cities.get(city)![r.status] += n;
      totals[r.status] += n;
    }
    const total = (c: StatusCounts) => STATUSES.reduce((s, k) => s + c[k], 0);
    return {
      byDay: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
      byCity: [...cities.values()].sort((a, b) => total(b) - total(a) || a.city.localeCompare(b.city)),
      totals,
    };
  }

  /**
   * A campaign's pending registrations in all (its counts rows) and the oldest one's registration time (the
   * first entry of the (status, id) index: ids grow with registration time). Read-only.
   */
  async pendingBacklog(campaignId: string): Promise<{ count: number; oldestRegisteredAt: Date | null }> {
    const [counted, oldest] = await Promise.all([
      this.dataSource.query(`SELECT COALESCE(SUM(n), 0) AS n FROM registration_counts WHERE campaign_id = ? AND status = 'pending'`, [campaignId]),
      this.dataSource.query(`SELECT registered_at FROM invoices WHERE status = 'pending' AND campaign_id = ? ORDER BY id LIMIT 1`, [campaignId]),
    ]);
    return { count: Number(counted[0].n), oldestRegisteredAt: oldest[0] ? new Date(oldest[0].registered_at) : null };
  }
}

/** A DATE column read by mysql2 as a local-midnight Date: its calendar day. */
function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
