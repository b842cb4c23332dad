import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { DomainError } from '../core/errors/domain-error.js';
import type { AuthSubject, StaffRole } from './auth-subject.js';
import { StaffAccessCache } from './staff-access.cache.js';
import { sessionSubjectOf } from './session-cookies.js';
import { TokenService } from './token.service.js';

type AuthedRequest = FastifyRequest & { auth?: AuthSubject };

const STAFF_ROLES_KEY = 'staffRoles';

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw DomainError.unauthorized('AUTH_REQUIRED', 'An Authorization: Bearer token is required');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw DomainError.unauthorized('TOKEN_INVALID', 'The Authorization header must be "Bearer <token>"');
  return match[1];
}

@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    private readonly reflector: Reflector,
    private readonly access: StaffAccessCache,
  ) {}

  /** The token, then the account as it is now (active, current roles: StaffAccessCache), then the roles. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    // A browser session (cookie, checked for CSRF before the body was read) or a bearer token; then the
    // account as it is now (active, current roles).
    const claimed = sessionSubjectOf(request, 'staff') ?? this.tokens.verify(bearerToken(request));
    if (claimed.kind !== 'staff') throw DomainError.forbidden('STAFF_ONLY', 'This endpoint is for tax bureau staff');
    const subject = await this.access.check(claimed);
    const roles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(STAFF_ROLES_KEY, [context.getHandler(), context.getClass()]) ?? [];
    if (roles.length > 0 && !roles.some((r) => subject.roles.includes(r)))
      throw DomainError.forbidden('ROLE_REQUIRED', `This action needs the role ${roles.join(' or ')}`);
    request.auth = subject;
    return true;
  }
}

@Injectable()
export class ConsumerGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const subject = sessionSubjectOf(request, 'consumer') ?? this.tokens.verify(bearerToken(request));
    if (subject.kind !== 'consumer') throw DomainError.forbidden('CONSUMER_ONLY', 'This endpoint is for consumers');
    request.auth = subject;
    return true;
  }
}

/** The tax system's feed: a static API key, accepted on the registry endpoints only. */
@Injectable()
export class RegistryKeyGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.REGISTRY_API_KEY ? createHash('sha256').update(config.REGISTRY_API_KEY).digest() : null;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const presented = createHash('sha256').update(bearerToken(request)).digest();
    if (!this.expected || !timingSafeEqual(presented, this.expected))
      throw DomainError.unauthorized('REGISTRY_KEY_INVALID', 'The registry API key is not valid');
    request.auth = { kind: 'registry' };
    return true;
  }
}

/** Staff endpoint; with roles, the token must carry at least one of them. */
export const StaffOnly = (...roles: StaffRole[]) =>
  applyDecorators(SetMetadata(STAFF_ROLES_KEY, roles), UseGuards(StaffGuard), ApiBearerAuth());
export const ConsumerOnly = () => applyDecorators(UseGuards(ConsumerGuard), ApiBearerAuth());
export const RegistryKeyOnly = () => applyDecorators(UseGuards(RegistryKeyGuard), ApiBearerAuth());

export const CurrentStaff = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const auth = context.switchToHttp().getRequest<AuthedRequest>().auth;
  if (auth?.kind !== 'staff') throw DomainError.unauthorized();
  return auth;
});

export const CurrentConsumerId = createParamDecorator((_: unknown, context: ExecutionContext): number => {
  const auth = context.switchToHttp().getRequest<AuthedRequest>().auth;
  if (auth?.kind !== 'consumer') throw DomainError.unauthorized();
  return auth.id;
});
