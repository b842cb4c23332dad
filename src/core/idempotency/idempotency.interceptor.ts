import { applyDecorators, Inject, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { DomainError } from '../errors/domain-error.js';
import { REDIS } from '../redis/redis.module.js';

/** How long a key's first answer is kept (the draft's suggestion for a retry window). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

type Stored =
  | { state: 'processing'; fingerprint: string }
  | { state: 'done'; fingerprint: string; status: number; body: unknown }
  | { state: 'refused'; fingerprint: string; status: number; code: string; message: string; details?: Record<string, unknown> };

/**
 * The `Idempotency-Key` request header (IETF httpapi draft "The Idempotency-Key HTTP Header Field") on a
 * consumer's POST: the first answer to a key is kept for 24 hours per consumer and route, and a repeat with the
 * same key and the same body gets it again (same status, same body) without the request running twice; the
 * same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a repeat while the first is still running is
 * 409 IDEMPOTENCY_KEY_IN_USE. Answers that a retry may change are not kept: 429 and 5xx (e.g. a database
 * outage) free the key, so the client's retry runs for real. Without the header nothing changes.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.run(context, next));
  }

  private async run(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { auth?: { kind: string; id?: number } }>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return lastValueFrom(next.handle(), { defaultValue: undefined });
    const key = Array.isArray(header) ? '' : header;
    if (!KEY_SHAPE.test(key))
      throw DomainError.badRequest('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-255 visible ASCII characters');

    const route = `${request.method} ${request.routeOptions?.url ?? request.url}`;
    const owner = request.auth ? `${request.auth.kind}:${request.auth.id ?? ''}` : 'anonymous';
    const redisKey = `${this.config.REDIS_PREFIX}:idem:${sha256(`${owner}\n${route}\n${key}`)}`;
    const fingerprint = sha256(`${request.url}\n${JSON.stringify(request.body ?? null)}`);

    const claimed = await this.redis.set(redisKey, JSON.stringify({ state: 'processing', fingerprint } satisfies Stored), 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
    if (claimed !== 'OK') return this.replay(redisKey, fingerprint, reply);

    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      const kept = error instanceof DomainError && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 429;
      if (kept) {
        const refused: Stored = { state: 'refused', fingerprint, status: error.statusCode, code: error.code, message: error.message, details: error.details };
        await this.redis.set(redisKey, JSON.stringify(refused), 'KEEPTTL').catch(() => this.redis.del(redisKey));
      } else await this.redis.del(redisKey).catch(() => undefined);
      throw error;
    }
    const done: Stored = { state: 'done', fingerprint, status: reply.statusCode, body: result ?? null };
    await this.redis.set(redisKey, JSON.stringify(done), 'KEEPTTL');
    return result;
  }

  private async replay(redisKey: string, fingerprint: string, reply: FastifyReply): Promise<unknown> {
    const raw = await this.redis.get(redisKey);
    // Gone between SET NX and GET: the first request failed in a way that frees the key; this one may retry.
    if (raw === null) throw DomainError.conflict('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry shortly');
    const stored = JSON.parse(raw) as Stored;
    if (stored.fingerprint !== fingerprint)
      throw DomainError.unprocessable('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request body');
    if (stored.state === 'processing')
      throw DomainError.conflict('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry shortly');
    if (stored.state === 'refused') throw new DomainError(stored.status, stored.code, stored.message, stored.details);
    void reply.status(stored.status).header('Idempotent-Replayed', 'true');
    return stored.body;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Honour the Idempotency-Key header on this route (see IdempotencyInterceptor). Put it after the auth guard decorator. */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Client-chosen key (1-255 visible ASCII): a repeat with the same body within 24 h returns the first answer; another body is 422 IDEMPOTENCY_KEY_REUSED',
    }),
  );
