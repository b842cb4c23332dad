import helmet from '@fastify/helmet';
import { ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../core/config/config.schema.js';
import { ApiExceptionFilter } from '../core/errors/api-exception.filter.js';
import { DomainError } from '../core/errors/domain-error.js';
import { BodyDepthPipe } from './body-depth.pipe.js';
import { registerBullBoard } from './bull-board.js';

/** The Fastify adapter with the body limit and proxy trust from config. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: config.BODY_LIMIT_BYTES, trustProxy: config.TRUST_PROXY as boolean | string, logger: false });
}

/**
 * Everything the API process sets up around the Nest module, shared by main.api.ts and the e2e tests:
 * security headers, the one error shape, validation, OpenAPI at /api/docs.
 */
export async function configureApiApp(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Plain-HTTP deployments behind a TLS proxy, and local runs, must not have requests rewritten to https.
        upgradeInsecureRequests: null,
      },
    },
  });
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
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Invoice lottery draw service')
      .setDescription('Henan 2022 consumer invoice lottery: registration, verifiable draws, public results')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  await registerBullBoard(app);
}
