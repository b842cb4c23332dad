import { ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/config.schema.js';
import { boundQueryTime } from '../core/database/data-source-options.js';
import { ApiExceptionFilter } from '../core/errors/api-exception.filter.js';
import { DomainError } from '../core/errors/domain-error.js';
import { installApiMetrics } from '../core/metrics/api-metrics.js';
import { BodyDepthPipe } from './body-depth.pipe.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { clientErrorHandler, frameworkErrors, securityHeaders } from './http-hardening.js';
import { JsonBodyFastifyAdapter } from './json-bodies.js';
import { registerBullBoard } from './bull-board.js';
import { registerPageSlashRedirects } from './static-assets.js';
import { registerSessionCookies } from '../auth/session-cookies.js';
import { SessionStore } from '../auth/session.store.js';

/**
 * The Fastify adapter with the body limit and proxy trust from config; JSON bodies only. Errors the router
 * and Node's HTTP parser answer themselves get the one error shape and the security headers too.
 */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new JsonBodyFastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY as boolean | string,
    logger: false,
    frameworkErrors,
    clientErrorHandler,
  });
}

/**
 * Everything the API process sets up around the Nest module, shared by main.api.ts and the e2e tests:
 * security headers, the one error shape, validation, OpenAPI at /api/docs, and a bound on the time of every
 * database query (DATABASE_QUERY_TIMEOUT_MS: a silent database answers 503, see boundQueryTime).
 */
export async function configureApiApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG, { strict: false });
  boundQueryTime(app.get(DataSource, { strict: false }), config.DATABASE_QUERY_TIMEOUT_MS);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  registerSessionCookies(app.getHttpAdapter().getInstance(), app.get(SessionStore, { strict: false }));
  registerPageSlashRedirects(app.getHttpAdapter().getInstance(), ['/console', '/app']);
  installApiMetrics(app);
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(
    new BodyDepthPipe(),
    new ValidationPipe({
      whitelist: true,
      transform: true,
      exceptionFactory: (errors) =>
        DomainError.badRequest(
          'VALIDATION_FAILED',
          errors.map((e) => Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }).join('; ')).join('; ') || 'Invalid request',
          { fields: errors.map((e) => e.property) },
        ),
    }),
  );
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document);
  await registerBullBoard(app);
}
