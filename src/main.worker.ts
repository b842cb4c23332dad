import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './app/worker.module.js';
import { createLogger } from './app/logger.js';
import { exitGracefullyOnSignals } from './app/shutdown.js';
import { ConfigError, loadConfig, type AppConfig } from './core/config/config.schema.js';

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger(config, 'worker');
// No HTTP: an application context runs the queue processors. SIGTERM closes the workers gracefully.
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
exitGracefullyOnSignals(app, logger);
logger.log('Worker started');
