import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Clock } from '../core/clock/clock.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
import type { AuthSubject, StaffRole } from './auth-subject.js';

interface TokenClaims {
  sub: string;
  kind: 'staff' | 'consumer';
  username?: string;
  roles?: StaffRole[];
  iat: number;
  exp: number;
}

/** Signs and checks access tokens on the service clock, so token expiry follows a simulated clock too. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issueStaffToken(id: number, username: string, roles: StaffRole[]): string {
    return this.sign({ sub: String(id), kind: 'staff', username, roles }, this.config.STAFF_TOKEN_TTL_SECONDS);
  }

  issueConsumerToken(id: number): string {
    return this.sign({ sub: String(id), kind: 'consumer' }, this.config.CONSUMER_TOKEN_TTL_SECONDS);
  }

  private sign(claims: Omit<TokenClaims, 'iat' | 'exp'>, ttlSeconds: number): string {
    const iat = Math.floor(this.clock.now().getTime() / 1000);
    return this.jwt.sign({ ...claims, iat, exp: iat + ttlSeconds });
  }

  /** The subject of a valid token; 401 TOKEN_EXPIRED or TOKEN_INVALID otherwise. */
  verify(token: string): AuthSubject {
    let claims: TokenClaims;
    try {
      claims = this.jwt.verify<TokenClaims>(token, {
        algorithms: ['HS256'],
        clockTimestamp: Math.floor(this.clock.now().getTime() / 1000),
      });
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') throw DomainError.unauthorized('TOKEN_EXPIRED', 'The access token has expired');
      throw DomainError.unauthorized('TOKEN_INVALID', 'The access token is not valid');
    }
    const id = Number(claims.sub);
    if (!Number.isSafeInteger(id)) throw DomainError.unauthorized('TOKEN_INVALID', 'The access token is not valid');
    if (claims.kind === 'staff') return { kind: 'staff', id, username: claims.username ?? '', roles: claims.roles ?? [] };
    if (claims.kind === 'consumer') return { kind: 'consumer', id };
    throw DomainError.unauthorized('TOKEN_INVALID', 'The access token is not valid');
  }
}
