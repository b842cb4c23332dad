import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ArtifactDigestMismatch, type ArtifactStore } from '../../src/core/artifacts/artifact-store.js';

/** What the contract needs of one ArtifactStore implementation. */
export interface ArtifactStoreUnderTest {
  /** A store over the shared storage (each call a fresh instance: a cold cache, like another process). */
  store(): ArtifactStore;
  /** Every stored file or object name under `path` (a key, or `.tmp`), relative to the store's root. */
  storedUnder(path: string): Promise<string[]>;
}

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
/** `count` pseudo-random bytes, made in chunks (a body as the entries writer streams it). */
function* chunks(count: number, chunkSize: number): Generator<Buffer> {
  let state = 1;
  for (let done = 0; done < count; done += chunkSize) {
    const chunk = Buffer.alloc(Math.min(chunkSize, count - done));
    for (let i = 0; i < chunk.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      chunk[i] = 97 + ((state >>> 16) % 16); // text-like, so that compression shrinks it
    }
    yield chunk;
  }
}

/**
 * The ArtifactStore contract (src/core/artifacts/artifact-store.ts), written once and run against every
 * implementation: `describeArtifactStoreContract('DirectoryArtifactStore', ...)` etc.
 */
export function describeArtifactStoreContract(name: string, underTest: () => ArtifactStoreUnderTest): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    const body = 'ref,holder,tickets\n' + 'a'.repeat(5000) + '\n';

    test('put once, then stat, get and stream (whole, ranged, precompressed) from a cold instance', async () => {
      const { store } = underTest();
      const info = await store().putOnce('db/draws/x/entries.csv', [body.slice(0, 10), Buffer.from(body.slice(10))], {
        contentType: 'text/csv',
        expectSha256: sha256(body),
        precompress: true,
        meta: { entryCount: '1' },
      });
      expect(info).toMatchObject({ key: 'db/draws/x/entries.csv', contentType: 'text/csv', sha256: sha256(body), sizes: { identity: body.length }, meta: { entryCount: '1' } });
      expect(info.sizes.gzip).toBeLessThan(body.length);
      expect(info.sizes.br).toBeLessThan(body.length);
      const cold = store();
      expect(await cold.stat('db/draws/x/entries.csv')).toEqual(info);
      expect((await cold.get('db/draws/x/entries.csv'))!.toString()).toBe(body);
      expect(await text(await cold.stream('db/draws/x/entries.csv'))).toBe(body);
      expect(await text(await cold.stream('db/draws/x/entries.csv', { range: { start: 4, end: 9 } }))).toBe(body.slice(4, 10));
      expect(await text(await cold.stream('db/draws/x/entries.csv', { range: { start: body.length - 3, end: body.length - 1 } }))).toBe(body.slice(-3));
      const { gunzipSync, brotliDecompressSync } = await import('node:zlib');
      const gz = Buffer.concat(await (await cold.stream('db/draws/x/entries.csv', { encoding: 'gzip' }))!.toArray());
      expect(gz.length).toBe(info.sizes.gzip);
      expect(gunzipSync(gz).toString()).toBe(body);
      const br = Buffer.concat(await (await cold.stream('db/draws/x/entries.csv', { encoding: 'br' }))!.toArray());
      expect(br.length).toBe(info.sizes.br);
      expect(brotliDecompressSync(br).toString()).toBe(body);
      expect(await cold.stat('db/draws/y/entries.csv')).toBeNull();
      expect(await cold.get('db/draws/y/entries.csv')).toBeNull();
      expect(await cold.stream('db/draws/y/entries.csv')).toBeNull();
    });

    test('an artifact stored without copies has none; an empty artifact is an artifact', async () => {
      const { store } = underTest();
      const info = await store().putOnce('db/plain', ['plain'], { contentType: 'text/plain' });
      expect(info.sizes).toEqual({ identity: 5 });
      expect(await store().stream('db/plain', { encoding: 'gzip' })).toBeNull();
      const empty = await store().putOnce('db/empty', [], { contentType: 'text/plain', expectSha256: sha256('') });
      expect(empty.sizes.identity).toBe(0);
      expect((await store().get('db/empty'))!.length).toBe(0);
    });

    test('a body larger than an upload part streams through whole (several parts, compressed on the way)', async () => {
      const { store } = underTest();
      const size = 12 * 1024 * 1024 + 12345;
      const hash = createHash('sha256');
      for (const c of chunks(size, 256 * 1024)) hash.update(c);
      const info = await store().putOnce('db/big', chunks(size, 256 * 1024), { contentType: 'text/csv', expectSha256: hash.digest('hex'), precompress: true });
      expect(info.sizes.identity).toBe(size);
      expect(info.sizes.gzip).toBeLessThan(size);
      expect(info.sizes.br).toBeUndefined(); // over BROTLI_MAX_BYTES: gzip only
      const back = createHash('sha256');
      for await (const c of (await store().stream('db/big'))!) back.update(c as Buffer);
      expect(back.digest('hex')).toBe(info.sha256);
      const tail = Buffer.concat(await (await store().stream('db/big', { range: { start: size - 100, end: size - 1 } }))!.toArray());
      expect(tail).toEqual(Buffer.concat([...chunks(size, 256 * 1024)]).subarray(size - 100));
    });

    test('a second put keeps the first artifact; concurrent puts leave exactly one, complete', async () => {
      const { store, storedUnder } = underTest();
      await store().putOnce('db/first', ['first'], { contentType: 'text/plain' });
      const again = await store().putOnce('db/first', ['something else'], { contentType: 'text/plain' });
      expect(again.sha256).toBe(sha256('first'));
      expect((await store().get('db/first'))!.toString()).toBe('first');
      const results = await Promise.all([0, 1, 2, 3].map((i) => store().putOnce('db/race', slowly([`v${i}-`, 'x'.repeat(1000)]), { contentType: 'text/plain' })));
      const winner = results[0].sha256;
      expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([winner]));
      expect(sha256((await store().get('db/race'))!)).toBe(winner);
      expect(await storedUnder('db/race')).toHaveLength(2); // the bytes and the info: nothing of the losers
      expect(await storedUnder('.tmp')).toEqual([]);
    });

    test('bytes that do not hash to the expected digest are not stored, and nothing stays behind', async () => {
      const { store, storedUnder } = underTest();
      await expect(store().putOnce('db/draws/z/entries.csv', ['tampered'], { contentType: 'text/csv', expectSha256: sha256('original'), precompress: true })).rejects.toBeInstanceOf(
        ArtifactDigestMismatch,
      );
      expect(await store().stat('db/draws/z/entries.csv')).toBeNull();
      expect(await storedUnder('db/draws/z')).toEqual([]);
      expect(await storedUnder('.tmp')).toEqual([]);
    });

    test('a body that fails half way stores nothing', async () => {
      const { store, storedUnder } = underTest();
      async function* failing(): AsyncGenerator<string> {
        yield 'a'.repeat(1000);
        throw new Error('source went away');
      }
      await expect(store().putOnce('db/failed', failing(), { contentType: 'text/plain', precompress: true })).rejects.toThrow('source went away');
      expect(await store().stat('db/failed')).toBeNull();
      expect(await storedUnder('db/failed')).toEqual([]);
      expect(await storedUnder('.tmp')).toEqual([]);
    });

    test('keys that could escape the store or be read differently are refused', async () => {
      const { store } = underTest();
      for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '.tmp/x', 'a/.hidden', 'a b', '']) {
        await expect(store().putOnce(key, ['x'], { contentType: 'text/plain' })).rejects.toThrow(/invalid artifact key/);
        await expect(store().stat(key)).rejects.toThrow(/invalid artifact key/);
      }
    });
  });
}
