import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { httpRequestDuration } from './metrics.js';
import { bearerMatches, ProcessMetrics } from './process-metrics.js';

/** Where the API serves its metrics (with METRICS_TOKEN set). */
export const METRICS_PATH = '/metrics';

/**
 * With METRICS_TOKEN set: times every request by route template and status, and serves GET /metrics to
 * `Authorization: Bearer <METRICS_TOKEN>` only (401 otherwise; the route does not exist without the token, so
 * nothing is measured or exposed by default). Prometheus scrapes each API process directly, not through the
 * load balancer (each process counts its own requests; Prometheus sums them).
 */
export function installApiMetrics(app: NestFastifyApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG, { strict: false });
  const token = config.METRICS_TOKEN;
  if (!token) return;
  const metrics = app.get(ProcessMetrics, { strict: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', (request, reply, done) => {
    httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  fastify.get(METRICS_PATH, async (request, reply) => {
    void reply.header('Cache-Control', 'no-store');
    if (!bearerMatches(request.headers.authorization, token))
      return reply.code(401).type('application/json').send({ statusCode: 401, code: 'TOKEN_INVALID', message: 'The metrics token is missing or wrong' });
    return reply.type(metrics.contentType).send(await metrics.render());
  });
}
