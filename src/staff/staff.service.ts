import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { StaffRole } from '../auth/auth-subject.js';
import { TokenService } from '../auth/token.service.js';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../core/crypto/password.js';
import { DomainError } from '../core/errors/domain-error.js';
import { violatedUniqueIndex, withUniqueViolationsMapped } from '../core/errors/unique-violation.js';
import { StaffAccount } from './staff-account.entity.js';
import { StaffLoginLimiter } from './staff-login-limits.js';

@Injectable()
export class StaffService {
  private readonly logger = new Logger('StaffService');

  constructor(
    @InjectRepository(StaffAccount) private readonly accounts: Repository<StaffAccount>,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: StaffLoginLimiter,
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

  /** Creates a staff account. Not idempotent by design: a second create of the same username is 409 STAFF_USERNAME_TAKEN. */
  async create(username: string, password: string, roles: StaffRole[]): Promise<StaffAccount> {
    return withUniqueViolationsMapped(
      { UQ_staff_accounts_username: () => DomainError.conflict('STAFF_USERNAME_TAKEN', `A staff account named ${username} exists`) },
      () => this.insert(username, password, roles),
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
    return account;
  }

  async list(): Promise<StaffAccount[]> {
    return this.accounts.find({ order: { id: 'ASC' } });
  }

  private async insert(username: string, password: string, roles: StaffRole[]): Promise<StaffAccount> {
    const account = this.accounts.create({ username, roles, passwordHash: await hashPassword(password), createdAt: this.clock.now() });
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
