import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { AppConfig } from '../core/config/config.schema.js';

const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's console logger, as JSON lines in production (LOG_FORMAT=json). Never pass personal data to it. */
export function createLogger(config: AppConfig, context: string): ConsoleLogger {
  const levels = order.slice(0, order.indexOf(config.LOG_LEVEL) + 1);
  return new ConsoleLogger(context, { json: config.LOG_FORMAT === 'json', logLevels: levels, timestamp: config.LOG_FORMAT !== 'json' });
}
