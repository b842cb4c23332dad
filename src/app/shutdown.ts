import type { INestApplicationContext, LoggerService } from '@nestjs/common';

/**
 * Graceful stop on SIGTERM/SIGINT: close the app (HTTP stops accepting, workers finish their active jobs,
 * connections close), then exit 0. A second signal, or 30 s without finishing, exits at once; jobs cut
 * off that way are retried by BullMQ's stalled-job check.
 */
export function exitGracefullyOnSignals(app: INestApplicationContext, logger: LoggerService): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error?.('Shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000).unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error?.(`Shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
