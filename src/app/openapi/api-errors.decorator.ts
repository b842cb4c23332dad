import { ApiExtension } from '@nestjs/swagger';
import { isReasonCode, type ReasonCode } from '../../core/errors/reason-codes.js';

export const REASON_CODES_EXTENSION = 'x-reason-codes';

/**
 * The refusals an operation can answer with, beyond those every operation of its kind has (bad JSON,
 * validation, authentication, CSRF, 503: added by buildOpenApiDocument). One line per route:
 * `@ApiErrors('PRIZE_NOT_FOUND', 'PRIZE_CLAIM_CLOSED')`. The document gets one response per status with
 * the error schema and the codes, and the list under `x-reason-codes`.
 */
export function ApiErrors(...codes: ReasonCode[]): MethodDecorator & ClassDecorator {
  for (const code of codes) if (!isReasonCode(code)) throw new Error(`@ApiErrors: unknown reason code ${code} (add it to src/core/errors/reason-codes.ts)`);
  return ApiExtension(REASON_CODES_EXTENSION, codes);
}
