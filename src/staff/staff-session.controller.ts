import { Body, Controller, Delete, Get, Header, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STAFF_ROLES, type StaffRole } from '../auth/auth-subject.js';
import { assertSameOrigin, openSessionOf, sessionCookieHeader, signOutSession, type SessionRequest } from '../auth/session-cookies.js';
import { SessionStore, type Session } from '../auth/session.store.js';
import { DomainError } from '../core/errors/domain-error.js';
import { StaffLoginDto } from './dto/staff.dto.js';
import { StaffService } from './staff.service.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

export class StaffSessionDto {
  @ApiProperty() id: number;
  @ApiProperty() username: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: StaffRole[];
  @ApiProperty({ description: 'send in the X-CSRF-Token header of every state-changing request made with the session cookie' }) csrfToken: string;
  @ApiProperty() idleTimeoutSeconds: number;
}

const view = (session: Session, idleTimeoutSeconds: number): StaffSessionDto => {
  if (session.subject.kind !== 'staff') throw DomainError.unauthorized('SESSION_REQUIRED', 'No staff session');
  const { id, username, roles } = session.subject;
  return { id, username, roles: [...roles], csrfToken: session.csrfToken, idleTimeoutSeconds };
};

/**
 * The console's sign-in: a server-side session in an HttpOnly cookie (see src/auth/session-cookies.ts)
 * instead of a token the page would have to keep. Token clients keep using POST /api/v1/admin/auth/login.
 */
@ApiTags('admin')
@Controller('api/v1/admin/auth/session')
export class StaffSessionController {
  constructor(
    private readonly staff: StaffService,
    private readonly sessions: SessionStore,
  ) {}

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Staff sign-in for the browser: sets the HttpOnly session cookie and returns the CSRF token. Same limits and errors as auth/login; ' +
      '403 CSRF_ORIGIN_MISMATCH when sent from another site',
  })
  @ApiErrors('INVALID_CREDENTIALS', 'STAFF_ACCOUNT_DISABLED', 'RATE_LIMITED', 'CSRF_ORIGIN_MISMATCH')
  async signIn(@Body() body: StaffLoginDto, @Ip() ip: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<StaffSessionDto> {
    // Login CSRF: a browser always sends Origin on a POST; a form on another site must not sign us in as someone else.
    if (request.headers.origin !== undefined) assertSameOrigin(request);
    const account = await this.staff.authenticate(body.username, body.password, ip);
    const previous = (request as SessionRequest).sessionContext;
    if (previous?.kind === 'staff') await this.sessions.close('staff', previous.id);
    const { id, session } = await this.sessions.open({ kind: 'staff', id: account.id, username: account.username, roles: account.roles });
    void reply.header('Set-Cookie', sessionCookieHeader(request, 'staff', id, this.sessions.lifetimeSeconds('staff')));
    return view(session, this.sessions.idleTimeoutSeconds);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The signed-in staff member of the session cookie and its CSRF token; 401 SESSION_REQUIRED or SESSION_EXPIRED' })
  @ApiErrors('SESSION_REQUIRED', 'SESSION_EXPIRED')
  current(@Req() request: FastifyRequest): StaffSessionDto {
    return view(openSessionOf(request, 'staff'), this.sessions.idleTimeoutSeconds);
  }

  @Delete()
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign out: ends the session and clears the cookie (needs X-CSRF-Token). Idempotent' })
  @ApiResponse({ status: 204 })
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await signOutSession(this.sessions, request, reply, 'staff');
  }
}
