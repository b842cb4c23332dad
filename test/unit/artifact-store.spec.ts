import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DirectoryArtifactStore } from '../../src/core/artifacts/directory-artifact-store.js';
import { chooseEncoding, parseRange } from '../../src/core/artifacts/serve-artifact.js';
import { describeArtifactStoreContract } from '../support/artifact-store-contract.js';

/** The ArtifactStore contract on the directory store (the S3 store runs the same suite: test/e2e/s3-artifact-store.e2e.spec.ts). */
const root = mkdtempSync(join(tmpdir(), 'il-artifact-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeArtifactStoreContract('DirectoryArtifactStore', () => ({
  store: () => new DirectoryArtifactStore(root),
  storedUnder: async (path) => {
    try {
      return readdirSync(join(root, path), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(join(root, path), join(e.parentPath, e.name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
}));

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
