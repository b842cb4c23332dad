import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from './domain-error.js';

export interface ApiErrorBody {
  statusCode: number;
  code: string;
  message: string;
  [extra: string]: unknown;
}

const statusCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own error codes for bad requests, mapped to our stable reasons. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Errors that mean a backing service (database, Redis) is down: a 503, not a 500. */
function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; name?: string; message?: string } | null;
  const code = e?.code ?? e?.driverError?.code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'EPIPE', 'ENOTFOUND', 'POOL_ACQUIRE_TIMEOUT', 'DB_QUERY_TIMEOUT'].includes(code))
    return true;
  if (e?.name === 'MaxRetriesPerRequestError') return true;
  return /Connection is closed|Stream isn't writeable|enableOfflineQueue|connect ECONNREFUSED|Pool is closed|Can't add new command when connection is in closed state|^Command timed out$/.test(
    e?.message ?? '',
  );
}

/** Converts any error into the one error shape: `{ statusCode, code, message }`. */
export function toApiError(exception: unknown): ApiErrorBody {
  if (exception instanceof DomainError) {
    return { statusCode: exception.statusCode, code: exception.code, message: exception.message, ...(exception.details ?? {}) };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse() as string | { message?: string | string[]; code?: string };
    const raw = typeof response === 'string' ? response : response.message;
    const message = Array.isArray(raw) ? raw.join('; ') : (raw ?? exception.message);
    // Nest's Fastify adapter turns Fastify's own 4xx errors (body parsing, media type) into an HttpException
    // with the Fastify error as its cause: its code says what went wrong (an empty JSON body is as malformed
    // as an unparsable one, not a generic 400).
    const causeCode = (exception.cause as { code?: unknown } | undefined)?.code;
    const fastifyCode = typeof causeCode === 'string' ? fastifyCodes[causeCode] : undefined;
    // Nest's own JSON body parser reports malformed JSON as a plain 400.
    const malformedJson = status === 400 && /not valid JSON/i.test(message);
    const code =
      (typeof response === 'object' && response.code) || fastifyCode || (malformedJson ? 'MALFORMED_JSON' : (statusCodes[status] ?? 'ERROR'));
    return { statusCode: status, code, message };
  }
  const fastifyError = exception as { code?: string; statusCode?: number; message?: string } | null;
  if (fastifyError?.code && fastifyCodes[fastifyError.code]) {
    const status = fastifyError.statusCode ?? 400;
    return { statusCode: status, code: fastifyCodes[fastifyError.code], message: fastifyError.message ?? 'Bad request' };
  }
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { statusCode: fastifyError.statusCode, code: statusCodes[fastifyError.statusCode] ?? 'BAD_REQUEST', message: fastifyError.message ?? 'Bad request' };
  }
  if (isUnavailable(exception)) {
    return { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'A backing service is unavailable; try again shortly' };
  }
  return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal error' };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toApiError(exception);
    if (body.statusCode >= 500) {
      // Log the error class and message only: request bodies may carry personal data.
      const e = exception as Error;
      this.logger.error(`${body.code}: ${e?.name ?? 'Error'}: ${e?.message ?? String(exception)}`, body.statusCode === 500 ? e?.stack : undefined);
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (body.statusCode === 503) reply.header('Retry-After', '5');
    if (body.statusCode === 429 && typeof body.retryAfterSeconds === 'number') reply.header('Retry-After', String(body.retryAfterSeconds));
    void reply.status(body.statusCode).header('Cache-Control', 'no-store').send(body);
  }
}
