import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { REDIS } from '../core/redis/redis.module.js';
import type { AuthSubject } from './auth-subject.js';

/** Who a cookie session can belong to: tax bureau staff (the console) or a consumer (the consumer web app). */
export type SessionKind = 'staff' | 'consumer';
export type SessionSubject = Extract<AuthSubject, { kind: SessionKind }>;

export interface Session {
  kind: SessionKind;
  subject: SessionSubject;
  /** Sent back by the page in the X-CSRF-Token header of every state-changing request. */
  csrfToken: string;
  /** Service-clock milliseconds. */
  createdAt: number;
  lastSeenAt: number;
}

export interface OpenedSession {
  /** The cookie value: only its SHA-256 is stored, so a Redis dump holds no usable session. */
  id: string;
  session: Session;
}

/**
 * Browser sign-in sessions, kept server-side in Redis so that sign-out ends them at once. A staff session
 * counts as issued at its sign-in time, so StaffAccessCache refuses it after a password reset or a
 * deactivation, in every API process, as it refuses older tokens. A session ends after
 * SESSION_IDLE_TIMEOUT_SECONDS without a request and, at the latest, after the token lifetime of its kind
 * (STAFF_/CONSUMER_TOKEN_TTL_SECONDS), both on the service clock; the Redis TTL (the lifetime, in real
 * time) only removes what nobody uses any more.
 */
@Injectable()
export class SessionStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get idleTimeoutSeconds(): number {
    return this.config.SESSION_IDLE_TIMEOUT_SECONDS;
  }

  lifetimeSeconds(kind: SessionKind): number {
    return kind === 'staff' ? this.config.STAFF_TOKEN_TTL_SECONDS : this.config.CONSUMER_TOKEN_TTL_SECONDS;
  }

  /** Opens a new session (not idempotent: every sign-in is a new session with a new CSRF token). */
  async open(subject: SessionSubject): Promise<OpenedSession> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now().getTime();
    const session: Session = { kind: subject.kind, subject, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now };
    const ttl = this.lifetimeSeconds(subject.kind);
    await this.redis.set(this.key(subject.kind, id), JSON.stringify(session), 'EX', ttl);
    return { id, session };
  }

  /**
   * The live session of a cookie value, its last use moved to now; null when unknown, idle too long or past
   * its lifetime (then it is removed). Idempotent apart from the last-use time.
   */
  async touch(kind: SessionKind, id: string): Promise<Session | null> {
    const key = this.key(kind, id);
    const stored = await this.redis.get(key);
    if (!stored) return null;
    const session = JSON.parse(stored) as Session;
    const now = this.clock.now().getTime();
    if (now - session.lastSeenAt > this.idleTimeoutSeconds * 1000 || now - session.createdAt > this.lifetimeSeconds(kind) * 1000) {
      await this.redis.del(key);
      return null;
    }
    session.lastSeenAt = now;
    await this.redis.set(key, JSON.stringify(session), 'KEEPTTL');
    return session;
  }

  /** Ends one session (sign-out). Idempotent. */
  async close(kind: SessionKind, id: string): Promise<void> {
    await this.redis.del(this.key(kind, id));
  }

  /** Constant-time comparison of a presented CSRF token with the session's. */
  static csrfMatches(session: Session, presented: string | undefined): boolean {
    if (!presented) return false;
    const a = createHash('sha256').update(presented).digest();
    const b = createHash('sha256').update(session.csrfToken).digest();
    return timingSafeEqual(a, b);
  }

  private digest(id: string): string {
    return createHash('sha256').update(id).digest('hex');
  }
  private prefix(kind: SessionKind): string {
    return `${this.config.REDIS_PREFIX}:session:${kind}:`;
  }
  private key(kind: SessionKind, id: string): string {
    return this.prefix(kind) + this.digest(id);
  }
}
