/**
 * `npm run registry:import -- <file.ndjson> [--batch-rows N]`: the registry feed import from the command
 * line, through the same RegistryService.importNdjson as POST /api/v1/registry/invoices (so it also
 * enqueues the recheck job). Configuration from the environment as for the API (DATABASE_URL, REDIS_URL,
 * REDIS_PREFIX, ...). A progress bar (bytes of the file read) goes to stderr, the summary as JSON to stdout.
 * Exit status: 0 when the import ran (rejected lines are in the summary), 1 when it failed, 2 on bad usage.
 */
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Presets, SingleBar } from 'cli-progress';
import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigOrExit, type AppConfig } from '../core/config/config.schema.js';
import { CoreModule } from '../core/core.module.js';
import { RegistryModule } from './registry.module.js';
import { RegistryService } from './registry.service.js';

@Module({})
class RegistryImportCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: RegistryImportCliModule, imports: [CoreModule.forRoot(config), RegistryModule] };
  }
}

const MiB = 1024 * 1024;

function usage(message: string): never {
  console.error(`${message}\nusage: npm run registry:import -- <file.ndjson> [--batch-rows N]`);
  process.exit(2);
}

function parseCommandLine() {
  try {
    return parseArgs({ options: { 'batch-rows': { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    usage((error as Error).message);
  }
}
const args = parseCommandLine();
if (args.positionals.length !== 1) usage('Give exactly one NDJSON file.');
const file = args.positionals[0];
const batchRows = args.values['batch-rows'] === undefined ? undefined : Number(args.values['batch-rows']);
if (batchRows !== undefined && (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > 4000)) usage('--batch-rows must be 1-4000.');

let size: number;
try {
  const stat = statSync(file);
  if (!stat.isFile()) usage(`${file} is not a file.`);
  size = stat.size;
} catch (error) {
  usage(`Cannot read ${file}: ${(error as Error).message}`);
}

const config = loadConfigOrExit();

const app = await NestFactory.createApplicationContext(RegistryImportCliModule.forRoot(config), { logger: ['error'] });
const bar = new SingleBar(
  {
    stream: process.stderr,
    format: 'registry import |{bar}| {percentage}% | {mib}/{totalMib} MiB | {duration_formatted} | ETA {eta_formatted}',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 1000,
    etaBuffer: 50,
  },
  Presets.shades_classic,
);
const stream = createReadStream(file, { highWaterMark: MiB });
try {
  bar.start(size, 0, { mib: '0.0', totalMib: (size / MiB).toFixed(1) });
  const summary = await app.get(RegistryService).importNdjson(stream, {
    source: 'cli',
    batchRows,
    onProgress: (bytes) => bar.update(bytes, { mib: (bytes / MiB).toFixed(1) }),
  });
  bar.update(size, { mib: (size / MiB).toFixed(1) });
  bar.stop();
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} catch (error) {
  bar.stop();
  console.error(`Import failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  stream.destroy();
  await app.close();
}
