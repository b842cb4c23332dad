import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../core/redis/redis.module.js';

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: { database: 'up' | 'down'; redis: 'up' | 'down' };
}

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Both backing services answer within a second. Read-only; safe to call at any rate. */
  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([
      within(1000, this.dataSource.query('SELECT 1')).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      within(1000, this.redis.ping()).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    return { status: database === 'up' && redis === 'up' ? 'ok' : 'unavailable', checks: { database, redis } };
  }
}
