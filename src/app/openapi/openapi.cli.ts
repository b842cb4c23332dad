// Writes the API's OpenAPI document without a database or Redis (Nest's preview mode builds the module
// graph and reads the decorators but instantiates no provider): `node dist/src/app/openapi/openapi.cli.js <out.json>`.
// npm run build runs it and generates the front ends' API types from the result (openapi-typescript).
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../../core/config/config.schema.js';
import { ApiModule } from '../api.module.js';
import { createFastifyAdapter } from '../api-app.js';
import { buildOpenApiDocument } from './openapi-document.js';

const out = process.argv[2] ?? 'dist/openapi.json';
const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'error' });
const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createFastifyAdapter(config), { preview: true, logger: ['error'], abortOnError: false });
const document = buildOpenApiDocument(app);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
await app.close();
console.log(`openapi: ${Object.keys(document.paths).length} paths -> ${out}`);
