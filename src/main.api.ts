import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from './app/api.module.js';
import { configureApiApp, createFastifyAdapter } from './app/api-app.js';
import { createLogger } from './app/logger.js';
import { exitGracefullyOnSignals } from './app/shutdown.js';
import { assertApiConfig, ConfigError, loadConfigOrExit } from './core/config/config.schema.js';

const config = loadConfigOrExit();
try {
  assertApiConfig(config);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger(config, 'api');
const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createFastifyAdapter(config), { logger });
await configureApiApp(app);
exitGracefullyOnSignals(app, logger);
await app.listen(config.PORT, config.HOST);
logger.log(`API listening on http://${config.HOST}:${config.PORT} (docs at /api/docs)`);
