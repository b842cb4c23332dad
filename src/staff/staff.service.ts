import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import type { AuthSubject, StaffRole } from '../auth/auth-subject.js';
import { StaffAccessCache } from '../auth/staff-access.cache.js';
import { TokenService } from '../auth/token.service.js';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../core/crypto/password.js';
import { DomainError } from '../core/errors/domain-error.js';
import { violatedUniqueIndex, withUniqueViolationsMapped } from '../core/errors/unique-violation.js';
import { StaffAccount } from './staff-account.entity.js';
import { StaffLoginLimiter } from './staff-login-limits.js';

/** The admin acting on staff accounts (from the request's staff subject). */
export type StaffActor = Pick<Extract<AuthSubject, { kind: 'staff' }>, 'id' | 'username'>;

export interface StaffAuditEntry {
  id: number;
  actorId: number;
  actorUsername: string;
  action: string;
  targetId: number | null;
  targetUsername: string;
  /** 'done', 'unchanged', or the reason code of a refusal. */
  outcome: string;
  detail: Record<string, unknown> | null;
  createdAt: string;
}

@Injectable()
export class StaffService {
  private readonly logger = new Logger('StaffService');

  constructor(
    @InjectRepository(StaffAccount) private readonly accounts: Repository<StaffAccount>,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: StaffLoginLimiter,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: StaffAccessCache,
  ) {}

  /**
   * Creates the bootstrap admin from ADMIN_USERNAME/ADMIN_PASSWORD if it does not exist yet.
   * Idempotent: an existing account (by username) is left untouched, also when two API replicas race.
   */
  async ensureBootstrapAdmin(): Promise<void> {
    const { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } = this.config;
    if (!password) {
      this.logger.warn('ADMIN_PASSWORD is not set: no bootstrap admin account is created');
      return;
    }
    if (await this.accounts.existsBy({ username })) return;
    try {
      await this.insert(username, password, ['admin']);
      this.logger.log(`Created bootstrap admin account "${username}"`);
    } catch (error) {
      if (violatedUniqueIndex(error) !== 'UQ_staff_accounts_username') throw error;
    }
  }

  /**
   * Creates a staff account, audit-logged with the acting admin. Not idempotent by design: a second create of
   * the same username is 409 STAFF_USERNAME_TAKEN (also logged).
   */
  async create(actor: StaffActor, username: string, password: string, roles: StaffRole[]): Promise<StaffAccount> {
    try {
      const account = await withUniqueViolationsMapped(
        { UQ_staff_accounts_username: () => DomainError.conflict('STAFF_USERNAME_TAKEN', `A staff account named ${username} exists`) },
        () => this.insert(username, password, roles),
      );
      await this.audit(this.dataSource.manager, actor, 'create', account, 'done', { roles });
      return account;
    } catch (error) {
      if (error instanceof DomainError) await this.audit(this.dataSource.manager, actor, 'create', { id: null, username }, error.code, { roles });
      throw error;
    }
  }

  /**
   * Changes roles and/or switches an account off or on, under the account's row lock, audit-logged with the
   * acting admin (refusals too). Idempotent: the same change again changes nothing (and is logged as such).
   * Deactivation also revokes the account's tokens (a later reactivation does not revive them). An admin
   * cannot deactivate themselves (409 STAFF_SELF_DEACTIVATION) or drop their own admin role (409
   * STAFF_SELF_DEMOTION), so there is always an active admin. 404 STAFF_NOT_FOUND.
   */
  async update(actor: StaffActor, id: number, change: { roles?: StaffRole[]; active?: boolean }): Promise<StaffAccount> {
    return this.change(actor, id, 'update', change, (account) => {
      if (account.id === actor.id && change.active === false)
        return DomainError.conflict('STAFF_SELF_DEACTIVATION', 'An admin cannot deactivate their own account');
      if (account.id === actor.id && change.roles && !change.roles.includes('admin'))
        return DomainError.conflict('STAFF_SELF_DEMOTION', 'An admin cannot remove their own admin role');
      const set: Partial<StaffAccount> = {};
      if (change.roles) set.roles = change.roles;
      if (change.active !== undefined && change.active !== account.active) {
        set.active = change.active;
        if (!change.active) set.tokensValidAfter = this.clock.now();
      }
      return set;
    });
  }

  /** Sets a new password (12+ characters) and revokes the account's tokens; audit-logged. Not idempotent (a new hash each time). 404 STAFF_NOT_FOUND. */
  async resetPassword(actor: StaffActor, id: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.change(actor, id, 'password_reset', {}, () => ({ passwordHash, tokensValidAfter: this.clock.now() }));
  }

  /** Lifts the sign-in lockouts of the account's username (StaffLoginLimiter.unlock); audit-logged. Idempotent. 404 STAFF_NOT_FOUND. */
  async unlock(actor: StaffActor, id: number): Promise<void> {
    const account = await this.accounts.findOneBy({ id });
    if (!account) {
      await this.audit(this.dataSource.manager, actor, 'unlock', { id, username: '' }, 'STAFF_NOT_FOUND');
      throw DomainError.notFound('STAFF_NOT_FOUND', `No staff account ${id}`);
    }
    await this.limits.unlock(account.username);
    await this.audit(this.dataSource.manager, actor, 'unlock', account, 'done');
  }

  /** The audit trail of staff account changes, newest first. Read-only. */
  async auditLog(limit = 200): Promise<StaffAuditEntry[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      'SELECT id, actor_id, actor_username, action, target_id, target_username, outcome, detail, created_at FROM staff_audit_log ORDER BY id DESC LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      actorId: Number(r.actor_id),
      actorUsername: String(r.actor_username),
      action: String(r.action),
      targetId: r.target_id === null ? null : Number(r.target_id),
      targetUsername: String(r.target_username),
      outcome: String(r.outcome),
      detail: r.detail === null ? null : (JSON.parse(String(r.detail)) as Record<string, unknown>),
      createdAt: new Date(r.created_at as Date).toISOString(),
    }));
  }

  private async change(
    actor: StaffActor,
    id: number,
    action: string,
    detail: Record<string, unknown>,
    decide: (account: StaffAccount) => Partial<StaffAccount> | DomainError,
  ): Promise<StaffAccount> {
    let refusal: { target: { id: number | null; username: string }; error: DomainError } | null = null;
    const updated = await this.dataSource.transaction(async (em) => {
      const account = await em.getRepository(StaffAccount).createQueryBuilder('s').setLock('pessimistic_write').where('s.id = :id', { id }).getOne();
      if (!account) {
        refusal = { target: { id, username: '' }, error: DomainError.notFound('STAFF_NOT_FOUND', `No staff account ${id}`) };
        return null;
      }
      const set = decide(account);
      if (set instanceof DomainError) {
        refusal = { target: account, error: set };
        return null;
      }
      const changed = Object.keys(set).length > 0;
      if (changed) await em.getRepository(StaffAccount).update({ id }, { ...set, updatedAt: this.clock.now() });
      await this.audit(em, actor, action, account, changed ? 'done' : 'unchanged', detail);
      return em.getRepository(StaffAccount).findOneByOrFail({ id });
    });
    this.access.invalidate(id);
    if (refusal) {
      const { target, error } = refusal as { target: { id: number | null; username: string }; error: DomainError };
      await this.audit(this.dataSource.manager, actor, action, target, error.code, detail);
      throw error;
    }
    return updated!;
  }

  private async audit(
    em: EntityManager,
    actor: StaffActor,
    action: string,
    target: { id: number | null; username: string },
    outcome: string,
    detail?: Record<string, unknown>,
  ): Promise<void> {
    await em.query(
      `INSERT INTO staff_audit_log (actor_id, actor_username, action, target_id, target_username, outcome, detail, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [actor.id, actor.username, action, target.id, target.username, outcome, detail && Object.keys(detail).length ? JSON.stringify(detail) : null, this.clock.now()],
    );
  }

  /**
   * Checks credentials and issues an access token. Unknown user and wrong password look the same. Failed
   * attempts are limited per username and per client address (StaffLoginLimiter: 429 RATE_LIMITED).
   *
   * The username must match exactly. The column's collation (utf8mb4_unicode_ci) ignores case, trailing
   * spaces, NUL and other ignorable characters and equates full-width with ASCII letters, so the lookup can
   * find 'admin' for 'ＡＤＭＩＮ\u0000': the row it finds (at most one, the unique index has the same collation)
   * only counts when its username is the same string. The password is checked either way (against a decoy
   * hash when there is no account), so the answer takes the same time.
   */
  async login(username: string, password: string, clientIp?: string): Promise<string> {
    const account = await this.authenticate(username, password, clientIp);
    return this.tokens.issueStaffToken(account.id, account.username, account.roles);
  }

  /** The account these credentials open (the checks and limits of login, which issues a token; the console's sign-in opens a session instead). */
  async authenticate(username: string, password: string, clientIp?: string): Promise<StaffAccount> {
    const attempt = await this.limits.attempt(username, clientIp);
    let account: StaffAccount | null;
    let ok: boolean;
    try {
      const found = await this.accounts
        .createQueryBuilder('s')
        .addSelect('s.passwordHash')
        .where('s.username = :username', { username })
        .getOne();
      account = found && found.username === username ? found : null;
      ok = await verifyPassword(password, account?.passwordHash ?? decoyPasswordHash);
    } catch (error) {
      // Not a failed sign-in (the database is away, say): it does not count either.
      await attempt.refund();
      throw error;
    }
    if (!account || !ok) throw DomainError.unauthorized('INVALID_CREDENTIALS', 'Wrong username or password');
    await attempt.refund();
    // Only someone with the right password learns that the account is switched off.
    if (!account.active) throw DomainError.forbidden('STAFF_ACCOUNT_DISABLED', 'This staff account is deactivated; ask an admin');
    return account;
  }

  async list(): Promise<StaffAccount[]> {
    return this.accounts.find({ order: { id: 'ASC' } });
  }

  private async insert(username: string, password: string, roles: StaffRole[]): Promise<StaffAccount> {
    const now = this.clock.now();
    const account = this.accounts.create({ username, roles, passwordHash: await hashPassword(password), active: true, createdAt: now, updatedAt: now, tokensValidAfter: null });
    await this.accounts.insert(account);
    return account;
  }
}

/** Runs the bootstrap in the API process once the database is reachable at start-up. */
@Injectable()
export class StaffBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('StaffBootstrap');
  constructor(private readonly staff: StaffService) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.staff.ensureBootstrapAdmin();
    } catch (error) {
      // The database may be down at start-up; readiness shows it, and the next start retries.
      this.logger.error(`Could not ensure the bootstrap admin: ${(error as Error).message}`);
    }
  }
}
