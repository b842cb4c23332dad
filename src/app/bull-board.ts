import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AuthSubject, StaffRole } from '../auth/auth-subject.js';
import { StaffAccessCache } from '../auth/staff-access.cache.js';
import { TokenService } from '../auth/token.service.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { toApiError } from '../core/errors/api-exception.filter.js';
import { DomainError } from '../core/errors/domain-error.js';
import { QueueName } from '../core/queue/queue-names.js';
import { QueueService } from '../core/queue/queue.service.js';
import { StaffService } from '../staff/staff.service.js';
import { removeNonJsonBodyParsers } from './json-bodies.js';

export const BULL_BOARD_PATH = '/admin/queues';
/** The cookie the board's own pages and API calls authenticate with (set by the board's login form). */
export const BULL_BOARD_COOKIE = 'il_board_token';
/** Who may look at the board (read-only for everyone): operators and admins. */
const BOARD_ROLES: readonly StaffRole[] = ['operator', 'admin'];
/** The board's own routes that change something on our side: signing in and out, nothing about jobs. */
const BOARD_SESSION_ROUTES = new Set([`${BULL_BOARD_PATH}/login`, `${BULL_BOARD_PATH}/logout`]);

/**
 * True for a request the read-only board refuses whoever sends it: anything but GET/HEAD to the board, save
 * the login form and logout. Bull Board's API changes jobs and queues only through POST/PUT/PATCH/DELETE
 * (add, retry, promote, clean, remove, pause/resume, empty, obliterate, update-data, delay, priority, job
 * schedulers, concurrency, rate limits, metrics purge); a job added or edited here would bypass the
 * producers that decide what is due.
 */
export function isMutatingBoardRequest(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false;
  return !BOARD_SESSION_ROUTES.has(path);
}

function cookieToken(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === BULL_BOARD_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

function headerToken(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match ? match[1] : null;
}

function deny(reply: FastifyReply, statusCode: number, code: string, message: string) {
  return reply.code(statusCode).header('Cache-Control', 'no-store').type('application/json').send({ statusCode, code, message });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Queues: staff login</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.3rem 0}
input{padding:.4rem}button{padding:.5rem}.error{color:#b00}</style></head>
<body><h1>Queues</h1><p>Sign in with a staff account (operator or admin).</p>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${BULL_BOARD_PATH}/login">
<label>Username <input name="username" autocomplete="username" required maxlength="64"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
<button type="submit">Sign in</button></form></body></html>`;
}

/**
 * Bull Board (every queue of the service) at /admin/queues, for staff only. A Fastify onRequest hook in the
 * board's own scope checks a staff access token from the Authorization header (scripts) or from an HttpOnly,
 * SameSite=Strict cookie (the browser: /admin/queues/login sets it); anything else is 401, and a staff token
 * without the operator or admin role 403. The board is read-only for everyone: every request that could
 * change a job or queue is 403 QUEUE_BOARD_READ_ONLY. Called once from configureApiApp, before the app listens.
 */
export async function registerBullBoard(app: NestFastifyApplication): Promise<void> {
  const queues = app.get(QueueService, { strict: false });
  const tokens = app.get(TokenService, { strict: false });
  const staff = app.get(StaffService, { strict: false });
  const config = app.get<AppConfig>(APP_CONFIG, { strict: false });

  const serverAdapter = new BullBoardAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    // readOnlyMode hides the board's buttons (and refuses its own mutating handlers); the route guard below
    // refuses those API calls before they reach Bull Board at all.
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(queues.queue(name), { readOnlyMode: true })),
    // @bull-board/fastify pins its own copy of @bull-board/api: same shape, separately declared types.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: {
      // Resolved here: bull-board's own lookup uses a CommonJS require() that ESM callers do not have.
      uiBasePath: dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json')),
      uiConfig: { boardTitle: 'Invoice lottery queues' },
    },
  });

  const access = app.get(StaffAccessCache, { strict: false });
  const verify = async (token: string): Promise<Extract<AuthSubject, { kind: 'staff' }> | DomainError> => {
    try {
      const claimed = tokens.verify(token);
      if (claimed.kind !== 'staff') return DomainError.forbidden('STAFF_ONLY', 'The queue board is for tax bureau staff');
      // As StaffGuard: the account as it is now (active, current roles).
      const subject = await access.check(claimed);
      if (!subject.roles.some((r) => BOARD_ROLES.includes(r)))
        return DomainError.forbidden('ROLE_REQUIRED', `The queue board needs the role ${BOARD_ROLES.join(' or ')}`);
      return subject;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  };

  await app.register(
    async (scope: FastifyInstance) => {
      // The login form's own parser, in this scope only: the JSON endpoints of the API take JSON bodies only
      // (see NON_JSON_BODY_TYPES). The form carries no CSRF token: what a cross-site form could do here is
      // sign a browser in to the attacker's own staff account, which needs that account's password.
      removeNonJsonBodyParsers(scope);
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
        const form = new URLSearchParams(body as string);
        done(null, { username: form.get('username') ?? '', password: form.get('password') ?? '' });
      });

      scope.addHook('onRequest', async (request, reply) => {
        const path = request.url.split('?')[0];
        if (path === `${BULL_BOARD_PATH}/login`) return;
        const token = headerToken(request) ?? cookieToken(request);
        if (!token)
          return deny(reply, 401, 'AUTH_REQUIRED', `Staff authentication required: sign in at ${BULL_BOARD_PATH}/login or send Authorization: Bearer <token>`);
        const result = await verify(token);
        if (result instanceof DomainError) return deny(reply, result.statusCode, result.code, result.message);
        if (isMutatingBoardRequest(request.method, path))
          return deny(reply, 403, 'QUEUE_BOARD_READ_ONLY', 'The queue board is read-only: jobs are queued by the service alone, never from the board');
      });

      scope.get('/login', async (_request, reply) =>
        reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(loginPage()),
      );

      scope.post('/login', async (request, reply) => {
        const body = (request.body ?? {}) as { username?: unknown; password?: unknown };
        const username = typeof body.username === 'string' ? body.username.slice(0, 64) : '';
        const password = typeof body.password === 'string' ? body.password.slice(0, 256) : '';
        let token: string;
        try {
          // The same limits on failed attempts as the API's staff login (per username and per address).
          token = await staff.login(username, password, request.ip);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          if (error.statusCode === 429) {
            const retryAfter = Number(error.details?.retryAfterSeconds ?? 60);
            void reply.code(429).header('Retry-After', String(retryAfter)).header('Cache-Control', 'no-store');
            // A browser gets the form again with the reason; anything else the API's error shape.
            if (/\btext\/html\b/.test(String(request.headers.accept ?? '')))
              return reply.type('text/html; charset=utf-8').send(loginPage(`Too many failed sign-ins (${error.code}); try again in ${retryAfter} s`));
            return reply.type('application/json').send(toApiError(error));
          }
          return reply.code(401).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(loginPage('Wrong username or password'));
        }
        const checked = await verify(token);
        if (checked instanceof DomainError)
          return reply.code(checked.statusCode).type('text/html; charset=utf-8').send(loginPage(checked.message));
        const secure = request.protocol === 'https' ? '; Secure' : '';
        return reply
          .header(
            'Set-Cookie',
            `${BULL_BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${BULL_BOARD_PATH}; HttpOnly; SameSite=Strict; Max-Age=${config.STAFF_TOKEN_TTL_SECONDS}${secure}`,
          )
          .header('Cache-Control', 'no-store')
          .redirect(`${BULL_BOARD_PATH}/`, 303);
      });

      scope.post('/logout', async (_request, reply) =>
        reply
          .header('Set-Cookie', `${BULL_BOARD_COOKIE}=; Path=${BULL_BOARD_PATH}; HttpOnly; SameSite=Strict; Max-Age=0`)
          .redirect(`${BULL_BOARD_PATH}/login`, 303),
      );

      await scope.register(serverAdapter.registerPlugin() as never);
    },
    { prefix: BULL_BOARD_PATH },
  );
}
