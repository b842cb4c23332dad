import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { REDIS } from '../core/redis/redis.module.js';
import type { ImportCounts } from './registry-importer.js';

export interface ImportProgress {
  /** Who uploads it (only they may read it). */
  actorId: number;
  state: 'running' | 'done' | 'failed';
  bytes: number;
  /** From the Content-Length of the upload, when given. */
  totalBytes: number | null;
  lines: number;
  accepted: number;
  updated: number;
  unchanged: number;
  rejectedCount: number;
  /** Set when state is failed. */
  error: { code: string; message: string } | null;
}

const KEEP_SECONDS = 3600;
const WRITE_EVERY_MS = 250;

/**
 * Progress of console uploads, kept in Redis under a client-chosen id for an hour, so the page can poll it
 * while the upload is still streaming (from any API replica). Writes are throttled to one per 250 ms.
 */
@Injectable()
export class ImportProgressStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A reporter for one upload: `update` from the importer's progress callback, `finish` at the end. */
  reporter(progressId: string, actorId: number, totalBytes: number | null) {
    let last = 0;
    let pending: Promise<unknown> = Promise.resolve();
    const progress: ImportProgress = {
      actorId, state: 'running', bytes: 0, totalBytes, lines: 0, accepted: 0, updated: 0, unchanged: 0, rejectedCount: 0, error: null,
    };
    const write = () => {
      const json = JSON.stringify(progress);
      pending = pending.then(() => this.redis.set(this.key(progressId), json, 'EX', KEEP_SECONDS)).catch(() => undefined);
      return pending;
    };
    const take = (bytes: number, counts: Readonly<Omit<ImportCounts, 'rejected'>>) => {
      progress.bytes = bytes;
      progress.lines = counts.lines;
      progress.accepted = counts.accepted;
      progress.updated = counts.updated;
      progress.unchanged = counts.unchanged;
      progress.rejectedCount = counts.rejectedCount;
    };
    void write();
    return {
      update: (bytes: number, counts: Readonly<ImportCounts>) => {
        take(bytes, counts);
        const now = Date.now(); // throttling only, not a rule: real time is right here
        if (now - last >= WRITE_EVERY_MS) {
          last = now;
          void write();
        }
      },
      finish: async (counts: Readonly<ImportCounts> | null, error: { code: string; message: string } | null) => {
        if (counts) take(progress.bytes, counts);
        progress.state = error ? 'failed' : 'done';
        progress.error = error;
        await write();
      },
      bytesSoFar: () => progress.bytes,
    };
  }

  async get(progressId: string): Promise<ImportProgress | null> {
    const json = await this.redis.get(this.key(progressId));
    return json ? (JSON.parse(json) as ImportProgress) : null;
  }

  private key(progressId: string): string {
    return `${this.config.REDIS_PREFIX}:import-progress:${progressId}`;
  }
}
