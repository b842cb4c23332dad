import { Body, Controller, Delete, Get, Header, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertSameOrigin, openSessionOf, sessionCookieHeader, signOutSession, type SessionRequest } from '../auth/session-cookies.js';
import { SessionStore, type Session } from '../auth/session.store.js';
import { Clock } from '../core/clock/clock.js';
import { DomainError } from '../core/errors/domain-error.js';
import { ConsumerAuthService } from './consumer-auth.service.js';
import { ConsumerLoginDto } from './dto/consumer.dto.js';
import { ApiErrors } from '../app/openapi/api-errors.decorator.js';

export class ConsumerSessionDto {
  @ApiProperty() consumerId: number;
  @ApiProperty({ description: 'send in the X-CSRF-Token header of every state-changing request made with the session cookie' }) csrfToken: string;
  @ApiProperty() idleTimeoutSeconds: number;
  @ApiProperty({ format: 'date-time', description: "the service clock's now (a campaign may run on a simulated clock): for countdowns" }) serverTime: string;
}

const view = (session: Session, idleTimeoutSeconds: number, now: Date): ConsumerSessionDto => {
  if (session.subject.kind !== 'consumer') throw DomainError.unauthorized('SESSION_REQUIRED', 'No consumer session');
  return { consumerId: session.subject.id, csrfToken: session.csrfToken, idleTimeoutSeconds, serverTime: now.toISOString() };
};

/**
 * The consumer web app's sign-in (/app): the same phone and SMS code as POST /api/v1/auth/login, but the
 * answer is a server-side session in an HttpOnly cookie (il_consumer_session, path /api/v1, see
 * src/auth/session-cookies.ts), so page script never holds a token. Token clients (the tax bureau's app,
 * mini programs) keep using auth/login.
 */
@ApiTags('consumers')
@Controller('api/v1/auth/session')
export class ConsumerSessionController {
  constructor(
    private readonly auth: ConsumerAuthService,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Consumer sign-in for the browser: sets the HttpOnly session cookie and returns the CSRF token; creates the account on first sign-in. ' +
      'Same limits and errors as auth/login; 403 CSRF_ORIGIN_MISMATCH when sent from another site',
  })
  @ApiResponse({ status: 200, type: ConsumerSessionDto })
  @ApiErrors('OTP_INVALID', 'OTP_EXPIRED', 'OTP_LOCKED', 'RATE_LIMITED', 'CSRF_ORIGIN_MISMATCH')
  async signIn(@Body() body: ConsumerLoginDto, @Ip() ip: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ConsumerSessionDto> {
    // Login CSRF: a form on another site must not sign the browser in to someone else's account.
    if (request.headers.origin !== undefined) assertSameOrigin(request);
    const consumerId = await this.auth.authenticate(body.phone, body.code, ip);
    const previous = (request as SessionRequest).sessionContext;
    if (previous?.kind === 'consumer') await this.sessions.close('consumer', previous.id);
    const { id, session } = await this.sessions.open({ kind: 'consumer', id: consumerId });
    void reply.header('Set-Cookie', sessionCookieHeader(request, 'consumer', id, this.sessions.lifetimeSeconds('consumer')));
    return view(session, this.sessions.idleTimeoutSeconds, this.clock.now());
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The signed-in consumer of the session cookie and its CSRF token; 401 SESSION_REQUIRED or SESSION_EXPIRED' })
  @ApiResponse({ status: 200, type: ConsumerSessionDto })
  @ApiErrors('SESSION_REQUIRED', 'SESSION_EXPIRED')
  current(@Req() request: FastifyRequest): ConsumerSessionDto {
    return view(openSessionOf(request, 'consumer'), this.sessions.idleTimeoutSeconds, this.clock.now());
  }

  @Delete()
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign out: ends the session and clears the cookie (needs X-CSRF-Token). Idempotent' })
  @ApiResponse({ status: 204 })
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await signOutSession(this.sessions, request, reply, 'consumer');
  }
}
