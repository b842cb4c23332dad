import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { CacheInvalidation } from '../core/redis/cache-invalidation.js';
import { REDIS } from '../core/redis/redis.module.js';

/** A response body (already serialized) and whether it came from Redis. */
export interface CachedBody {
  body: string;
  hit: boolean;
  /** The body as UTF-8 bytes, kept with a local copy so a hot body is not re-encoded for every response. */
  bytes?: Buffer;
}

/** How long a "head" (the small version record of a draw, a campaign or the feed) lives in Redis. */
export const HEAD_TTL_MS = 1_000;
/** How long a process reuses a head it read from Redis. */
const HEAD_LOCAL_MS = 250;
/** The most a public response can lag behind a change in the database: changes show within this. */
export const HEAD_STALENESS_MS = HEAD_TTL_MS + HEAD_LOCAL_MS;
const LOCAL_MAX_ENTRIES = 2_000;
const LOCAL_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The read-through cache of the public API, in Redis under `<REDIS_PREFIX>:pub:v1:`.
 *
 * Two levels: a *head* is a small record (a draw's status, updated_at and a fingerprint of its prizes)
 * read from the database at most once per HEAD_TTL_MS per key, and every cached body is stored under a
 * key that contains the version taken from its head. A change of status, a new prize attempt or a claim
 * therefore changes the key: the old body is simply never read again and expires by its TTL. Public data
 * only ever becomes *more* visible over a draw's life (commitment at the freeze, per-tier counts at the
 * draw, then the seed material, the audit bundle and the winners at publication), so a head
 * that is a little old can only delay a reveal, never show something early (a failed step and its retry
 * keep the visibility of the step before).
 *
 * Bodies are also kept in a small in-process LRU (at most LOCAL_MAX_ENTRIES / LOCAL_MAX_BYTES, each for at
 * most its Redis TTL), which saves the Redis round trip and copy on the hottest keys; a head read from Redis
 * is reused locally for HEAD_LOCAL_MS only, so every replica sees a change within HEAD_STALENESS_MS.
 * Concurrent misses of one key in this process share one computation (no thundering herd on a cold
 * entry). Redis trouble never fails a public read: on any Redis error the body is computed from the
 * database (and kept only in the local LRU).
 *
 * A change that must show at once (a draw step, published by the worker through CacheInvalidation's `public`
 * topic) clears this process's heads and LRU, and for HEAD_TTL_MS its heads are read from the database, not
 * Redis (whose copies may predate the change), and written back: every API process shows a publication
 * within milliseconds of the broadcast, not HEAD_STALENESS_MS.
 */
@Injectable()
export class PublicCache {
  private readonly logger = new Logger('PublicCache');
  private readonly prefix: string;
  private readonly inflight = new Map<string, Promise<string>>();
  /** In-process LRU of bodies (Map order = recency). */
  private readonly local = new Map<string, { body: string; bytes: Buffer; expiresAt: number }>();
  private localBytes = 0;
  /** Heads read from Redis, reused for HEAD_LOCAL_MS. */
  private readonly heads = new Map<string, { value: unknown; expiresAt: number }>();
  private lastWarning = 0;
  /** Until then heads are computed, not read from Redis: a broadcast invalidation came in. */
  private headsFromDatabaseUntil = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
    invalidation: CacheInvalidation,
  ) {
    this.prefix = `${config.REDIS_PREFIX}:pub:v1:`;
    invalidation.on('public', () => this.forgetAll());
  }

  /** Drops every local body and head, and reads heads from the database for HEAD_TTL_MS. */
  forgetAll(): void {
    this.headsFromDatabaseUntil = Date.now() + HEAD_TTL_MS;
    this.heads.clear();
    this.local.clear();
    this.localBytes = 0;
  }

  /** The body under `key`, or `compute()`'s result stored for `ttlMs`. */
  async getOrCompute(key: string, ttlMs: number, compute: () => Promise<string>): Promise<CachedBody> {
    const fullKey = this.prefix + key;
    const entry = this.local.get(fullKey);
    if (entry && entry.expiresAt > Date.now()) {
      this.local.delete(fullKey);
      this.local.set(fullKey, entry);
      return { body: entry.body, hit: true, bytes: entry.bytes };
    }
    if (entry) this.forget(fullKey);
    const found = await this.fromRedis(fullKey, ttlMs, compute);
    const bytes = this.remember(fullKey, found.body, found.ttlLeftMs);
    return { body: found.body, hit: found.hit, bytes };
  }

  private async fromRedis(fullKey: string, ttlMs: number, compute: () => Promise<string>): Promise<CachedBody & { ttlLeftMs: number }> {
    let cached: string | null = null;
    let redisOk = true;
    try {
      cached = await this.redis.get(fullKey);
    } catch (error) {
      redisOk = false;
      this.warn(error);
    }
    // A body found in Redis may be near its end there: keep it locally for a fraction of its TTL only.
    if (cached !== null) return { body: cached, hit: true, ttlLeftMs: Math.min(ttlMs / 4, 5_000) };

    let pending = this.inflight.get(fullKey);
    if (!pending) {
      pending = (async () => {
        const body = await compute();
        if (redisOk) await this.redis.set(fullKey, body, 'PX', ttlMs).catch((error: unknown) => this.warn(error));
        return body;
      })();
      this.inflight.set(fullKey, pending);
      void pending.then(
        () => this.inflight.delete(fullKey),
        () => this.inflight.delete(fullKey),
      );
    }
    return { body: await pending, hit: false, ttlLeftMs: ttlMs };
  }

  private remember(fullKey: string, body: string, ttlMs: number): Buffer | undefined {
    if (body.length > LOCAL_MAX_BYTES / 32) return undefined;
    this.forget(fullKey);
    const bytes = Buffer.from(body, 'utf8');
    this.local.set(fullKey, { body, bytes, expiresAt: Date.now() + ttlMs });
    this.localBytes += body.length * 2 + bytes.length;
    for (const key of this.local.keys()) {
      if (this.local.size <= LOCAL_MAX_ENTRIES && this.localBytes <= LOCAL_MAX_BYTES) break;
      this.forget(key);
    }
    return bytes;
  }

  private forget(fullKey: string): void {
    const entry = this.local.get(fullKey);
    if (!entry) return;
    this.local.delete(fullKey);
    this.localBytes -= entry.body.length * 2 + entry.bytes.length;
  }

  /** Overwrites `key` (best effort: a Redis error only means the next read computes again). */
  async set(key: string, ttlMs: number, body: string): Promise<void> {
    this.forget(this.prefix + key);
    await this.redis.set(this.prefix + key, body, 'PX', ttlMs).catch((error: unknown) => this.warn(error));
  }

  /** A head record: JSON-serializable, recomputed at most once per HEAD_TTL_MS. */
  async head<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const fullKey = `${this.prefix}head:${key}`;
    const local = this.heads.get(fullKey);
    if (local && local.expiresAt > Date.now()) return local.value as T;
    let body: string;
    if (Date.now() < this.headsFromDatabaseUntil) {
      body = JSON.stringify((await compute()) ?? null);
      await this.redis.set(fullKey, body, 'PX', HEAD_TTL_MS).catch((error: unknown) => this.warn(error));
    } else {
      body = (await this.fromRedis(fullKey, HEAD_TTL_MS, async () => JSON.stringify((await compute()) ?? null))).body;
    }
    const value = JSON.parse(body) as T;
    if (this.heads.size >= LOCAL_MAX_ENTRIES) this.heads.clear();
    this.heads.set(fullKey, { value, expiresAt: Date.now() + HEAD_LOCAL_MS });
    return value;
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`Public cache unavailable, serving from the database: ${(error as Error)?.message ?? error}`);
  }
}
