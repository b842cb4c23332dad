import { jest } from '@jest/globals';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { rm } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { ManualClock } from '../../src/core/clock/clock.js';
import { ARTIFACT_STORE, type ArtifactStore } from '../../src/core/artifacts/artifact-store.js';
import { DirectoryArtifactStore } from '../../src/core/artifacts/directory-artifact-store.js';
import { DrawArtifactsService } from '../../src/draws/draw-artifacts.service.js';
import { DrawLifecycleService } from '../../src/draws/draw-lifecycle.service.js';
import { AUGUST_DRAW, drawThroughLifecycle } from '../support/draw-through-lifecycle.js';
import { destroyTestEnvironment, startTestApi, type TestApi } from '../support/test-env.js';

/**
 * Entries files and audit bundles as immutable artifacts: written once by the lifecycle (the entries at
 * the freeze, the bundle at publication), byte-identical to the committed digest, served with a strong
 * ETag, 304, Range/206, immutable caching and precompressed gzip/brotli, with no database work per
 * download; a draw without an artifact gets one on the first request.
 */
const clock = new ManualClock('2022-08-10T10:00:00+08:00');
let api: TestApi;
let store: ArtifactStore;
let artifacts: DrawArtifactsService;
let digest: string;
const ENTRIES = `/api/v1/public/draws/${AUGUST_DRAW}/entries`;
const AUDIT = `/api/v1/public/draws/${AUGUST_DRAW}/audit`;

/** A GET over node:http, which (unlike fetch) leaves Accept-Encoding alone and does not decompress. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${api.baseUrl}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  api = await startTestApi({ clock, env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
  store = api.app.get(ARTIFACT_STORE);
  artifacts = api.app.get(DrawArtifactsService);
  await drawThroughLifecycle(api, clock, { consumers: 6, invoicesEach: 3, until: 'frozen' });
  await artifacts.idle(); // the freeze starts the write and returns
  const [row] = await api.app.get<DataSource>(getDataSourceToken()).query(`SELECT entries_digest FROM draws WHERE id = ?`, [AUGUST_DRAW]);
  digest = row.entries_digest;
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (api) await destroyTestEnvironment(api.config);
});

describe('the entries file', () => {
  test('is written to the store when the freeze commits, hashing to the digest published at the freeze', async () => {
    const info = await store.stat(artifacts.entriesKey(AUGUST_DRAW));
    expect(info).toMatchObject({ sha256: digest, contentType: 'text/csv; charset=utf-8', meta: { entryCount: '18' } });
    const bytes = (await store.get(artifacts.entriesKey(AUGUST_DRAW)))!;
    expect(sha256(bytes)).toBe(digest);
    expect(bytes.length).toBe(info!.sizes.identity);
    expect(bytes.toString('latin1').split('\n')).toHaveLength(18 + 2);
  });

  test('is served whole with a strong ETag, immutable caching and the digest headers', async () => {
    const res = await get(ENTRIES);
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(digest);
    expect(res.headers).toMatchObject({
      etag: `"${digest}"`,
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      'content-type': 'text/csv; charset=utf-8',
      'content-length': String(res.body.length),
      'x-entries-digest': digest,
      'x-entry-count': '18',
      'content-disposition': `attachment; filename="${AUGUST_DRAW}-entries.csv"`,
      'x-content-type-options': 'nosniff',
    });
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  test('If-None-Match with its ETag (or a list holding it) answers 304 without a body', async () => {
    for (const inm of [`"${digest}"`, `"nope", W/"${digest}"`, `"${digest}.br"`]) {
      const res = await get(ENTRIES, { 'if-none-match': inm });
      expect({ inm, status: res.status, length: res.body.length }).toEqual({ inm, status: 304, length: 0 });
    }
    expect((await get(ENTRIES, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  test('Range answers 206 with exactly the bytes asked for; 416 when outside; If-Range with another ETag sends it all', async () => {
    const whole = (await get(ENTRIES)).body;
    const size = whole.length;
    for (const [range, start, end] of [
      ['bytes=0-18', 0, 18],
      ['bytes=100-', 100, size - 1],
      ['bytes=-77', size - 77, size - 1],
      [`bytes=${size - 5}-${size + 100}`, size - 5, size - 1],
    ] as const) {
      const res = await get(ENTRIES, { range, 'accept-encoding': 'br, gzip' });
      expect({ range, status: res.status, contentRange: res.headers['content-range'], encoding: res.headers['content-encoding'] }).toEqual({
        range,
        status: 206,
        contentRange: `bytes ${start}-${end}/${size}`,
        encoding: undefined,
      });
      expect(res.body.equals(whole.subarray(start, end + 1))).toBe(true);
    }
    expect((await get(ENTRIES, { range: 'bytes=0-18' })).body.toString()).toBe('ref,holder,tickets\n');
    const outside = await get(ENTRIES, { range: `bytes=${size}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers['content-range']).toBe(`bytes */${size}`);
    expect(JSON.parse(outside.body.toString())).toMatchObject({ statusCode: 416, code: 'RANGE_NOT_SATISFIABLE' });
    const stale = await get(ENTRIES, { range: 'bytes=0-9', 'if-range': '"an-older-version"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(whole)).toBe(true);
  });

  test('brotli and gzip copies are sent when accepted, each with its own strong ETag, and decompress to the same bytes', async () => {
    const br = await get(ENTRIES, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.etag).toBe(`"${digest}.br"`);
    expect(br.headers.vary).toContain('Accept-Encoding');
    expect(sha256(brotliDecompressSync(br.body))).toBe(digest);
    const gz = await get(ENTRIES, { 'accept-encoding': 'gzip;q=1, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.etag).toBe(`"${digest}.gz"`);
    expect(sha256(gunzipSync(gz.body))).toBe(digest);
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect((await get(ENTRIES, { 'accept-encoding': 'identity' })).headers['content-encoding']).toBeUndefined();
  });

  test('a download costs no database work', async () => {
    const dataSource = api.app.get<DataSource>(getDataSourceToken());
    const runners = jest.spyOn(dataSource, 'createQueryRunner');
    const queries = jest.spyOn(dataSource, 'query');
    try {
      const statuses: number[] = [];
      for (const headers of [{}, { 'accept-encoding': 'br' }, { range: 'bytes=5-50' }, { 'if-none-match': `"${digest}"` }] as Array<Record<string, string>>) statuses.push((await get(ENTRIES, headers)).status);
      expect(statuses).toEqual([200, 200, 206, 304]);
      expect(runners).not.toHaveBeenCalled();
      expect(queries).not.toHaveBeenCalled();
    } finally {
      runners.mockRestore();
      queries.mockRestore();
    }
  });

  test('a draw without an artifact (older than the store) gets it on the first request, identical', async () => {
    const root = (store as DirectoryArtifactStore).root;
    await rm(`${root}/${artifacts.entriesKey(AUGUST_DRAW)}`, { recursive: true });
    const fresh = new DirectoryArtifactStore(root); // the API's store caches infos: look with a cold one
    expect(await fresh.stat(artifacts.entriesKey(AUGUST_DRAW))).toBeNull();
    (store as unknown as { infos: Map<string, unknown> }).infos.clear();
    const res = await get(ENTRIES);
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(digest);
    expect((await fresh.stat(artifacts.entriesKey(AUGUST_DRAW)))?.sha256).toBe(digest);
  });
});

describe('the audit bundle', () => {
  test('is refused before publication, then written at publication and served as an immutable file', async () => {
    expect((await get(AUDIT)).status).toBe(409);
    expect(await store.stat(artifacts.auditKey(AUGUST_DRAW))).toBeNull();
    clock.set('2022-09-07T10:00:00+08:00');
    await api.app.get(DrawLifecycleService).runDraw(AUGUST_DRAW);
    clock.set('2022-09-08T10:00:00+08:00');
    await api.app.get(DrawLifecycleService).publishDraw(AUGUST_DRAW);
    await artifacts.idle();
    const info = await store.stat(artifacts.auditKey(AUGUST_DRAW));
    expect(info).not.toBeNull();
    const [row] = await api.app.get<DataSource>(getDataSourceToken()).query(`SELECT audit_bundle FROM draws WHERE id = ?`, [AUGUST_DRAW]);
    const res = await get(AUDIT);
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe(String(row.audit_bundle));
    expect(res.headers).toMatchObject({ etag: `"${info!.sha256}"`, 'cache-control': 'public, max-age=31536000, immutable', 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ algorithm: 'ILD-1', drawId: AUGUST_DRAW, entriesDigest: digest });
    expect((await get(AUDIT, { 'if-none-match': res.headers.etag as string })).status).toBe(304);
  });

  test('the one-off backfill writes whatever a draw lacks and is idempotent', async () => {
    const lifecycle = api.app.get(DrawLifecycleService);
    const entriesCsv = () => lifecycle.entriesCsv(AUGUST_DRAW);
    const root = (store as DirectoryArtifactStore).root;
    await rm(`${root}/${artifacts.auditKey(AUGUST_DRAW)}`, { recursive: true });
    await rm(`${root}/${artifacts.entriesKey(AUGUST_DRAW)}`, { recursive: true });
    (store as unknown as { infos: Map<string, unknown> }).infos.clear();
    expect(await artifacts.backfill(AUGUST_DRAW, entriesCsv)).toEqual({ entries: true, audit: true });
    expect(await artifacts.backfill(AUGUST_DRAW, entriesCsv)).toEqual({ entries: true, audit: true });
    expect((await store.stat(artifacts.entriesKey(AUGUST_DRAW)))?.sha256).toBe(digest);
    expect(await artifacts.backfill('henan-2022-2022-12', entriesCsv)).toEqual({ entries: false, audit: false }); // scheduled: nothing public yet
  });
});
