import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors/domain-error.js';
import { SessionStore, type Session, type SessionKind } from './session.store.js';

/**
 * Cookie sessions for the browser front ends, one mechanism for both kinds:
 *
 * | kind     | cookie                | path            | sign-in route                       |
 * | staff    | `il_staff_session`    | `/api/v1/admin` | `POST /api/v1/admin/auth/session`   |
 * | consumer | `il_consumer_session` | `/api/v1`       | `POST /api/v1/auth/session`         |
 *
 * The cookie is HttpOnly (page script never sees it), SameSite=Strict, and Secure when the request came
 * over TLS (as the trusted proxy says). CSRF: every state-changing request (not GET/HEAD/OPTIONS) that
 * carries a session cookie must come with an Origin header naming this service (403 CSRF_ORIGIN_MISMATCH)
 * and, except on the sign-in route itself, the session's token in X-CSRF-Token (403 CSRF_TOKEN_INVALID).
 * Both checks run in an onRequest hook, before the body is read. A request with an Authorization header is
 * a token client and its cookies are ignored: a cross-site page cannot set that header.
 */
export const SESSION_COOKIES: Readonly<Record<SessionKind, { name: string; path: string; signIn: string }>> = {
  staff: { name: 'il_staff_session', path: '/api/v1/admin', signIn: '/api/v1/admin/auth/session' },
  consumer: { name: 'il_consumer_session', path: '/api/v1', signIn: '/api/v1/auth/session' },
};
export const CSRF_HEADER = 'x-csrf-token';

/** What the hook found, on the request for the guards and the session routes. */
export interface SessionContext {
  kind: SessionKind;
  id: string;
  /** null: the cookie names no live session (signed out, idle too long, expired). */
  session: Session | null;
}
export type SessionRequest = FastifyRequest & { sessionContext?: SessionContext };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The origin this request was addressed to, as the browser sees it (scheme and host via the trusted proxy). */
export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** 403 CSRF_ORIGIN_MISMATCH unless the Origin header names this service (a missing Origin is refused too). */
export function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (!origin || origin !== ownOrigin(request))
    throw DomainError.forbidden('CSRF_ORIGIN_MISMATCH', 'A state-changing request with a session cookie must come from this site (Origin)');
}

export function sessionCookieHeader(request: FastifyRequest, kind: SessionKind, id: string, maxAgeSeconds: number): string {
  const { name, path } = SESSION_COOKIES[kind];
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${id}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearSessionCookieHeader(request: FastifyRequest, kind: SessionKind): string {
  return sessionCookieHeader(request, kind, '', 0);
}

/**
 * The subject of the request's session of `kind`, or null when the request has no such cookie (the guards
 * then ask for a bearer token). A cookie naming no live session is 401 SESSION_EXPIRED.
 */
export function sessionSubjectOf(request: FastifyRequest, kind: SessionKind): Session['subject'] | null {
  const context = (request as SessionRequest).sessionContext;
  if (!context || context.kind !== kind) return null;
  if (!context.session) throw DomainError.unauthorized('SESSION_EXPIRED', 'The session has ended (signed out or idle too long); sign in again');
  const { subject, createdAt } = context.session;
  // A staff session is revoked like a token (password reset, deactivation): its sign-in time stands for iat.
  return subject.kind === 'staff' ? { ...subject, issuedAt: Math.floor(createdAt / 1000) } : subject;
}

/** Registers the hook that reads the session cookie and applies the CSRF checks (see SESSION_COOKIES). */
export function registerSessionCookies(fastify: FastifyInstance, store: SessionStore): void {
  fastify.decorateRequest('sessionContext', undefined);
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.headers.cookie || request.headers.authorization) return;
    try {
      await readSession(request, store);
    } catch (error) {
      const e = error instanceof DomainError ? error : DomainError.unavailable();
      return reply.code(e.statusCode).header('Cache-Control', 'no-store').type('application/json').send({ statusCode: e.statusCode, code: e.code, message: e.message });
    }
  });
}

async function readSession(request: FastifyRequest, store: SessionStore): Promise<void> {
  const path = request.url.split('?')[0];
    for (const kind of ['staff', 'consumer'] as const) {
      const cookie = SESSION_COOKIES[kind];
      if (path !== cookie.path && !path.startsWith(`${cookie.path}/`)) continue;
      const id = readCookie(request, cookie.name);
      if (!id) continue;
      const unsafe = !SAFE_METHODS.has(request.method);
      if (unsafe) assertSameOrigin(request);
      const session = await store.touch(kind, id);
      if (session && unsafe && path !== cookie.signIn && !SessionStore.csrfMatches(session, request.headers[CSRF_HEADER] as string | undefined))
        throw DomainError.forbidden('CSRF_TOKEN_INVALID', `A state-changing request with a session cookie needs the session's ${CSRF_HEADER} header`);
      (request as SessionRequest).sessionContext = { kind, id, session };
      return;
    }
}

/**
 * The open session of `kind` this request's cookie names, for a `GET …/session`: 401 SESSION_REQUIRED when the
 * request has no such cookie, SESSION_EXPIRED when the cookie's session has ended. Read-only.
 */
export function openSessionOf(request: FastifyRequest, kind: SessionKind): Session {
  const context = (request as SessionRequest).sessionContext;
  if (context?.kind !== kind) throw DomainError.unauthorized('SESSION_REQUIRED', `No ${kind} session cookie`);
  if (!context.session) throw DomainError.unauthorized('SESSION_EXPIRED', 'The session has ended (signed out or idle too long); sign in again');
  return context.session;
}

/** Sign-out of `kind`: ends the cookie's session, if any, and clears the cookie. Idempotent. */
export async function signOutSession(store: SessionStore, request: FastifyRequest, reply: FastifyReply, kind: SessionKind): Promise<void> {
  const context = (request as SessionRequest).sessionContext;
  if (context?.kind === kind) await store.close(kind, context.id);
  void reply.header('Set-Cookie', clearSessionCookieHeader(request, kind));
}
