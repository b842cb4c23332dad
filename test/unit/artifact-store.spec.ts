import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ArtifactDigestMismatch, type ArtifactStore } from '../../src/core/artifacts/artifact-store.js';
import { DirectoryArtifactStore } from '../../src/core/artifacts/directory-artifact-store.js';
import { chooseEncoding, parseRange } from '../../src/core/artifacts/serve-artifact.js';

/** The ArtifactStore contract, on the directory store (no S3-compatible server can be installed here). */
const root = mkdtempSync(join(tmpdir(), 'il-artifact-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
async function text(stream: Readable | null): Promise<string> {
  let out = '';
  for await (const chunk of stream!) out += chunk.toString();
  return out;
}
async function* slowly(parts: string[]): AsyncGenerator<string> {
  for (const p of parts) {
    await new Promise((r) => setTimeout(r, 5));
    yield p;
  }
}

describe('DirectoryArtifactStore', () => {
  const store: ArtifactStore = new DirectoryArtifactStore(root);
  const body = 'ref,holder,tickets\n' + 'a'.repeat(5000) + '\n';

  test('put once, then stat, get and stream (whole, ranged, precompressed)', async () => {
    const info = await store.putOnce('db/draws/x/entries.csv', [body.slice(0, 10), Buffer.from(body.slice(10))], {
      contentType: 'text/csv',
      expectSha256: sha256(body),
      precompress: true,
      meta: { entryCount: '1' },
    });
    expect(info).toMatchObject({ sha256: sha256(body), sizes: { identity: body.length }, meta: { entryCount: '1' } });
    expect(info.sizes.gzip).toBeLessThan(body.length);
    expect(info.sizes.br).toBeLessThan(body.length);
    const cold = new DirectoryArtifactStore(root);
    expect(await cold.stat('db/draws/x/entries.csv')).toEqual(info);
    expect((await cold.get('db/draws/x/entries.csv'))!.toString()).toBe(body);
    expect(await text(await cold.stream('db/draws/x/entries.csv'))).toBe(body);
    expect(await text(await cold.stream('db/draws/x/entries.csv', { range: { start: 4, end: 9 } }))).toBe(body.slice(4, 10));
    expect(await cold.stat('db/draws/y/entries.csv')).toBeNull();
    expect(await cold.get('db/draws/y/entries.csv')).toBeNull();
    expect(await cold.stream('db/draws/y/entries.csv')).toBeNull();
  });

  test('a second put keeps the first artifact; concurrent puts leave exactly one, complete', async () => {
    const again = await store.putOnce('db/draws/x/entries.csv', ['something else'], { contentType: 'text/plain' });
    expect(again.sha256).toBe(sha256(body));
    const stores = [0, 1, 2, 3].map(() => new DirectoryArtifactStore(root));
    const results = await Promise.all(stores.map((s, i) => s.putOnce('db/race', slowly([`v${i}-`, 'x'.repeat(1000)]), { contentType: 'text/plain' })));
    const winner = results[0].sha256;
    expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([winner]));
    expect(sha256((await new DirectoryArtifactStore(root).get('db/race'))!)).toBe(winner);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  test('bytes that do not hash to the expected digest are not stored', async () => {
    await expect(store.putOnce('db/draws/z/entries.csv', ['tampered'], { contentType: 'text/csv', expectSha256: sha256('original') })).rejects.toBeInstanceOf(
      ArtifactDigestMismatch,
    );
    expect(await store.stat('db/draws/z/entries.csv')).toBeNull();
  });

  test('keys that could escape the directory are refused', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '.tmp/x', 'a/.hidden', 'a b', '']) {
      await expect(store.putOnce(key, ['x'], { contentType: 'text/plain' })).rejects.toThrow(/invalid artifact key/);
    }
  });
});

describe('HTTP helpers', () => {
  test('parseRange: one range of the identity bytes; several or malformed ranges mean the whole body', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    for (const ignored of [undefined, 'bytes=0-1,5-6', 'bytes=9-1', 'items=0-1', 'bytes=-', 'bytes=a-b']) expect(parseRange(ignored, 100)).toBeNull();
  });

  test('chooseEncoding: br, then gzip, honouring q=0; identity without Accept-Encoding', () => {
    const info = { key: 'k', contentType: 't', sha256: 'x', sizes: { identity: 10, gzip: 5, br: 4 }, meta: {} };
    expect(chooseEncoding(undefined, info)).toBe('identity');
    expect(chooseEncoding('gzip, deflate, br', info)).toBe('br');
    expect(chooseEncoding('gzip, br;q=0', info)).toBe('gzip');
    expect(chooseEncoding('*', info)).toBe('br');
    expect(chooseEncoding('*;q=0, identity', info)).toBe('identity');
    expect(chooseEncoding('br', { ...info, sizes: { identity: 10 } })).toBe('identity');
  });
});
