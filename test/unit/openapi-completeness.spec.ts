import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createFastifyAdapter } from '../../src/app/api-app.js';
import { ApiModule } from '../../src/app/api.module.js';
import { buildOpenApiDocument } from '../../src/app/openapi/openapi-document.js';
import { loadConfig } from '../../src/core/config/config.schema.js';
import { REASON_CODES, statusesOf, type ReasonCode } from '../../src/core/errors/reason-codes.js';

/**
 * The OpenAPI document is the contract others build clients on (the tax bureau's app, mini programs) and
 * the source of the front ends' generated types: every operation has a summary, its error responses with
 * the one error schema, and the reason codes it can answer with. Built in Nest's preview mode: no database.
 */
let document: OpenAPIObject;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Op = { summary?: string; responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>; 'x-reason-codes'?: ReasonCode[] };
const operations = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, path, op: (item as Record<string, Op>)[m] })),
  );

beforeAll(async () => {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error' });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createFastifyAdapter(config), { preview: true, logger: false, abortOnError: false });
  document = buildOpenApiDocument(app);
  await app.close();
});

test('the document has the operations of the API', () => {
  expect(operations().length).toBeGreaterThan(40);
  expect(operations().map((o) => o.key)).toEqual(expect.arrayContaining(['POST /api/v1/invoices', 'POST /api/v1/auth/session', 'GET /api/v1/me/prizes']));
});

test('every operation has a summary', () => {
  expect(operations().filter(({ op }) => !op.summary?.trim()).map((o) => o.key)).toEqual([]);
});

test('every operation documents its error responses with the one error schema and known reason codes', () => {
  const problems: string[] = [];
  for (const { key, op } of operations()) {
    const errors = Object.entries(op.responses ?? {}).filter(([status]) => Number(status) >= 400);
    if (errors.length === 0) problems.push(`${key}: no error response`);
    for (const [status, response] of errors)
      if (response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ApiError') problems.push(`${key}: ${status} without the error schema`);
    const codes = op['x-reason-codes'] ?? [];
    if (codes.length === 0) problems.push(`${key}: no reason codes`);
    for (const code of codes) {
      if (!(code in REASON_CODES)) problems.push(`${key}: unknown code ${code}`);
      else for (const status of statusesOf(code)) if (!op.responses?.[String(status)]) problems.push(`${key}: ${code} without its ${status} response`);
    }
  }
  expect(problems).toEqual([]);
});

test('the consumer operations the app uses document the schema of their answer (the app is typed from it)', () => {
  const consumer = operations().filter(({ path }) => /^\/api\/v1\/(me|invoices|auth)(\/|$)/.test(path));
  const answers = (op: Op) => Object.entries(op.responses ?? {}).filter(([s]) => Number(s) < 300);
  // 204 No Content has no schema to document.
  const untyped = consumer.filter(({ op }) => !answers(op).some(([s, r]) => s === '204' || r.content?.['application/json']?.schema));
  expect(untyped.map((o) => o.key)).toEqual([]);
});

test('a refusal of registration is documented with its code and status', () => {
  const register = (document.paths['/api/v1/invoices'] as Record<string, Op>).post;
  expect(register['x-reason-codes']).toEqual(expect.arrayContaining(['REGISTRATION_TOO_LATE', 'INVOICE_ALREADY_REGISTERED', 'RATE_LIMITED']));
  expect(Object.keys(register.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409', '422', '429', '503']));
});
