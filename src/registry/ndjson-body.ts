import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';

/** Fastify route config (set with @RouteConfig(NDJSON_ROUTE)) of the routes that take a streamed NDJSON body. */
export const NDJSON_ROUTE = { ndjsonStream: true } as const;

/**
 * Registers a Fastify content-type parser for application/x-ndjson that does not read the body: the
 * request stream itself becomes `request.body` and the handler reads it as it goes, so a body of any
 * size (up to the importer's own cap) never sits in memory and the JSON bodyLimit does not apply.
 * Only routes marked with NDJSON_ROUTE accept the type; elsewhere it is 415 UNSUPPORTED_MEDIA_TYPE as
 * for any other unknown type. Nothing happens without an HTTP adapter (the import CLI).
 */
@Injectable()
export class NdjsonBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser(NDJSON_CONTENT_TYPE)) return;
    fastify.addContentTypeParser(NDJSON_CONTENT_TYPE, (request, payload, done) => {
      // Unknown routes stay 404 whatever they were sent.
      if (request.is404) {
        done(null, undefined);
        return;
      }
      const config = request.routeOptions.config as Partial<typeof NDJSON_ROUTE> | undefined;
      if (config?.ndjsonStream !== true) {
        done(Object.assign(new Error(`Unsupported Media Type: ${NDJSON_CONTENT_TYPE}`), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), undefined);
        return;
      }
      done(null, payload);
    });
  }
}

/** The streamed body of an NDJSON route, or null when the request came with another content type. */
export function ndjsonBodyStream(request: FastifyRequest): Readable | null {
  const body = request.body as unknown;
  return body instanceof Readable ? body : null;
}
