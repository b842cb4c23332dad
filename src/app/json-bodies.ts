import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/**
 * The only body types parsed for the JSON endpoints. Nest's Fastify adapter also parses
 * application/x-www-form-urlencoded, and Fastify itself text/plain: both are "simple" cross-origin request
 * types a plain HTML form on any site can send without a CORS preflight (CSRF-able sign-ins and SMS
 * sends). Without a parser for its type a body is refused with 415 UNSUPPORTED_MEDIA_TYPE, as is a body
 * without a Content-Type. Routes that take another type register their own parser: the registry's NDJSON
 * import (application/x-ndjson, src/registry/ndjson-body.ts) and the Bull Board login form (in its own
 * Fastify scope, src/app/bull-board.ts).
 */
export const NON_JSON_BODY_TYPES = ['application/x-www-form-urlencoded', 'text/plain'] as const;

/** Removes the parsers of NON_JSON_BODY_TYPES from a Fastify instance or scope. */
export function removeNonJsonBodyParsers(fastify: FastifyInstance): void {
  for (const type of NON_JSON_BODY_TYPES) if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
}

/** Nest's Fastify adapter, parsing JSON bodies only (see NON_JSON_BODY_TYPES). */
export class JsonBodyFastifyAdapter extends FastifyAdapter {
  override registerParserMiddleware(prefix?: string, rawBody?: boolean): void {
    super.registerParserMiddleware(prefix, rawBody);
    removeNonJsonBodyParsers(this.getInstance());
  }
}
