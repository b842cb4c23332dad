import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
import { CacheInvalidation } from '../core/redis/cache-invalidation.js';
import { STAFF_ROLES, type AuthSubject, type StaffRole } from './auth-subject.js';

type StaffSubject = Extract<AuthSubject, { kind: 'staff' }>;

interface StaffAccess {
  username: string;
  roles: StaffRole[];
  active: boolean;
  /** Tokens issued (iat, seconds) in or before this second are refused; null: none are. */
  tokensValidAfterSeconds: number | null;
}

/**
 * The staff account's current status and roles, for every staff request: a token says who signed in and
 * when; whether that account may still act, and as what, is read from staff_accounts (owned by the staff
 * module; read here only) and kept for STAFF_ACCESS_CACHE_SECONDS (real time, at most 60) per process, so a
 * deactivated or changed account loses its old access within that time on every replica even if Redis is
 * down. The staff module calls invalidate() after each change: this process forgets at once and every other
 * process when the broadcast (CacheInvalidation's `staff-access` topic) reaches it.
 */
@Injectable()
export class StaffAccessCache {
  private readonly cache: LRUCache<number, StaffAccess | 'missing'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly invalidation: CacheInvalidation,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: config.STAFF_ACCESS_CACHE_SECONDS * 1000 });
    invalidation.on('staff-access', (key) => (key === undefined ? this.cache.clear() : this.cache.delete(Number(key))));
  }

  /**
   * The subject with the account's current username and roles, or 401 STAFF_ACCOUNT_DISABLED (deactivated
   * or deleted) / TOKEN_REVOKED (issued before a password reset or deactivation). Read-only.
   */
  async check(subject: StaffSubject): Promise<StaffSubject> {
    const access = await this.get(subject.id);
    if (!access || !access.active) throw DomainError.unauthorized('STAFF_ACCOUNT_DISABLED', 'This staff account is deactivated');
    // iat has whole seconds: a token of the same second as the revocation may predate it, so it goes too.
    // A browser session's issuedAt is its sign-in time (sessionSubjectOf), so a reset ends it as well.
    if (access.tokensValidAfterSeconds !== null && subject.issuedAt !== undefined && subject.issuedAt <= access.tokensValidAfterSeconds)
      throw DomainError.unauthorized('TOKEN_REVOKED', 'This access token was revoked; sign in again');
    return Object.freeze({ ...subject, username: access.username, roles: access.roles });
  }

  /** Forgets what is known of one account in every process, so their next request reads it afresh. Idempotent. */
  invalidate(staffId: number): void {
    void this.invalidation.publish('staff-access', String(staffId));
  }

  private async get(staffId: number): Promise<StaffAccess | null> {
    const known = this.cache.get(staffId);
    if (known !== undefined) return known === 'missing' ? null : known;
    const rows: Array<{ username: string; roles: string; active: number | string; tokens_valid_after: Date | null }> = await this.dataSource.query(
      'SELECT username, roles, active, tokens_valid_after FROM staff_accounts WHERE id = ?',
      [staffId],
    );
    const row = rows[0];
    const access: StaffAccess | 'missing' = row
      ? {
          username: row.username,
          roles: Object.freeze(row.roles.split(',').filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r))) as StaffRole[],
          active: Number(row.active) === 1,
          tokensValidAfterSeconds: row.tokens_valid_after ? Math.floor(new Date(row.tokens_valid_after).getTime() / 1000) : null,
        }
      : 'missing';
    this.cache.set(staffId, access);
    return access === 'missing' ? null : access;
  }
}
