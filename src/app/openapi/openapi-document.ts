import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { statusesOf, type ReasonCode } from '../../core/errors/reason-codes.js';
import { REASON_CODES_EXTENSION } from './api-errors.decorator.js';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** The one error shape, as a schema. */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 422 },
    code: { type: 'string', pattern: '^[A-Z_]+$', example: 'AMOUNT_TOO_SMALL', description: 'stable reason code (see x-reason-codes of each operation)' },
    message: { type: 'string', description: 'English, for developers; front ends show their own text per code' },
    retryAfterSeconds: { type: 'integer', description: 'with 429 RATE_LIMITED (also the Retry-After header)' },
    fields: { type: 'array', items: { type: 'string' }, description: 'with 400 VALIDATION_FAILED: the invalid fields' },
  },
} as const;

/**
 * The refusals every operation of a kind has, from where it is and how it is called: the guards'
 * (bearer security: consumer, staff under /api/v1/admin, the feed under /api/v1/registry), the cookie
 * sessions' CSRF checks (state-changing calls), the body and parameter validation, the public API's rate
 * limit, and a backing service down (503).
 */
function implicitCodes(path: string, method: string, op: Operation): ReasonCode[] {
  const codes: ReasonCode[] = ['SERVICE_UNAVAILABLE'];
  const hasBody = !!op.requestBody;
  const hasParams = (op.parameters ?? []).length > 0;
  if (hasBody) codes.push('VALIDATION_FAILED', 'MALFORMED_JSON', 'PAYLOAD_TOO_LARGE');
  else if (hasParams) codes.push('VALIDATION_FAILED');
  const secured = (op.security ?? []).length > 0;
  const unsafe = method !== 'get' && method !== 'head';
  if (secured) {
    if (path.startsWith('/api/v1/registry')) codes.push('AUTH_REQUIRED', 'REGISTRY_KEY_INVALID');
    else if (path.startsWith('/api/v1/admin'))
      codes.push('AUTH_REQUIRED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED', 'STAFF_ACCOUNT_DISABLED', 'SESSION_EXPIRED', 'STAFF_ONLY', 'ROLE_REQUIRED');
    else codes.push('AUTH_REQUIRED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'SESSION_EXPIRED', 'CONSUMER_ONLY');
  }
  if (path.startsWith('/api/v1/public/')) codes.push('RATE_LIMITED');
  if (unsafe && path.startsWith('/api/v1/') && !path.startsWith('/api/v1/registry')) codes.push('CSRF_ORIGIN_MISMATCH', 'CSRF_TOKEN_INVALID');
  return codes;
}

/**
 * Gives every operation its error responses: one per status, with the error schema and the reason codes
 * (its own from @ApiErrors plus those of its kind, implicitCodes), listed in the description and under
 * `x-reason-codes`. Idempotent.
 */
export function addErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ApiError = ERROR_SCHEMA as never;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as (Operation & Record<string, unknown>) | undefined;
      if (!op) continue;
      const own = (op[REASON_CODES_EXTENSION] as ReasonCode[] | undefined) ?? [];
      const codes = [...new Set([...own, ...implicitCodes(path, method, op)])];
      op[REASON_CODES_EXTENSION] = codes;
      const byStatus = new Map<number, ReasonCode[]>();
      for (const code of codes) for (const status of statusesOf(code)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      op.responses ??= {};
      // Error responses a controller documented by hand (a description only) get the error schema too.
      for (const [status, response] of Object.entries(op.responses))
        if (Number(status) >= 400 && response && !('content' in response && response.content))
          op.responses[status] = { ...response, content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } } as never;
      for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
        op.responses[String(status)] = {
          description: list.join(', '),
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
        } as never;
      }
    }
  }
  return document;
}

/** The API's OpenAPI document (served at /api/docs, written by `npm run build` for the front ends' types). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Invoice lottery draw service')
      .setDescription(
        'Henan 2022 consumer invoice lottery: registration, verifiable draws, public results. Every error has one shape ' +
          '(components.schemas.ApiError); each operation lists the reason codes it can answer with under x-reason-codes.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  return addErrorResponses(document);
}
