import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
import type { AuthSubject, StaffRole } from './auth-subject.js';

/** Verified tokens remembered per process (a few hundred bytes each). */
const VERIFIED_TOKENS_KEPT = 20_000;

interface TokenClaims {
  /** The account id as a decimal integer string ('42'; no sign, leading zero, exponent or spaces). */
  sub: string;
  kind: 'staff' | 'consumer';
  username?: string;
  roles?: StaffRole[];
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

/** `sub` as this service writes it: a positive decimal integer without leading zeros, at most 15 digits. */
const STRICT_SUB = /^[1-9][0-9]{0,14}$/;

/**
 * Signs and checks access tokens on the service clock, so token expiry follows a simulated clock too. Every
 * token names its issuer (JWT_ISSUER), audience (JWT_AUDIENCE: one per deployment, so a token of one
 * deployment is refused by another that shares a secret) and kind (consumer or staff: guards refuse the other
 * kind). A staff token's roles are only what they were at sign-in: StaffGuard re-checks the account.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly verified = new LRUCache<string, { subject: AuthSubject; exp: number }>({ max: VERIFIED_TOKENS_KEPT });

  issueStaffToken(id: number, username: string, roles: StaffRole[]): string {
    return this.sign({ sub: String(id), kind: 'staff', username, roles }, this.config.STAFF_TOKEN_TTL_SECONDS);
  }

  issueConsumerToken(id: number): string {
    return this.sign({ sub: String(id), kind: 'consumer' }, this.config.CONSUMER_TOKEN_TTL_SECONDS);
  }

  private sign(claims: Omit<TokenClaims, 'iat' | 'exp' | 'iss' | 'aud'>, ttlSeconds: number): string {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return this.jwt.sign({ ...claims, iss: this.config.JWT_ISSUER, aud: this.config.JWT_AUDIENCE, iat, exp: iat + ttlSeconds });
  }

  /**
   * The subject of a valid token; 401 TOKEN_EXPIRED or TOKEN_INVALID otherwise. A token's signature and
   * claims never change, so a token verified once is remembered (LRU, VERIFIED_TOKENS_KEPT) and later only
   * its expiry is checked against the service clock: the app sends the same token for days, and the full
   * check (decode, HMAC, JSON) was ~6% of the API's CPU under registration load. Only valid tokens are kept.
   */
  verify(token: string): AuthSubject {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const known = this.verified.get(token);
    if (known) {
      if (now >= known.exp) throw DomainError.unauthorized('TOKEN_EXPIRED', 'The access token has expired');
      return known.subject;
    }
    const claims = this.verifyClaims(token, now);
    const subject = subjectOf(claims);
    this.verified.set(token, { subject, exp: claims.exp });
    return subject;
  }

  private verifyClaims(token: string, now: number): TokenClaims {
    try {
      return this.jwt.verify<TokenClaims>(token, {
        algorithms: ['HS256'],
        clockTimestamp: now,
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
      });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw DomainError.unauthorized('TOKEN_EXPIRED', 'The access token has expired');
      throw DomainError.unauthorized('TOKEN_INVALID', 'The access token is not valid');
    }
  }
}

function subjectOf(claims: TokenClaims): AuthSubject {
  if (typeof claims.sub !== 'string' || !STRICT_SUB.test(claims.sub) || typeof claims.exp !== 'number' || typeof claims.iat !== 'number')
    throw DomainError.unauthorized('TOKEN_INVALID', 'The access token is not valid');
  const id = Number(claims.sub);
  if (claims.kind === 'staff')
    return Object.freeze({
      kind: 'staff',
      id,
      username: claims.username ?? '',
      roles: Object.freeze([...(claims.roles ?? [])]) as StaffRole[],
      issuedAt: claims.iat,
    });
  if (claims.kind === 'consumer') return Object.freeze({ kind: 'consumer', id });
  throw DomainError.unauthorized('TOKEN_INVALID', 'The access token is not valid');
}
