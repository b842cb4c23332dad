import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './app/worker.module.js';
import { createLogger } from './app/logger.js';
import { exitGracefullyOnSignals } from './app/shutdown.js';
import { loadConfigOrExit } from './core/config/config.schema.js';

const config = loadConfigOrExit();

const logger = createLogger(config, 'worker');
// No HTTP: an application context runs the queue processors. SIGTERM closes the workers gracefully.
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
exitGracefullyOnSignals(app, logger);
logger.log('Worker started');
