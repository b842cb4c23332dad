import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlib, createBrotliCompress, createGzip } from 'node:zlib';
import {
  ArtifactDigestMismatch,
  assertArtifactKey,
  type ArtifactEncoding,
  type ArtifactInfo,
  type ArtifactStore,
  type ByteRange,
  type PutOptions,
} from './artifact-store.js';

const FILES: Record<ArtifactEncoding, string> = { identity: 'data', gzip: 'data.gz', br: 'data.br' };
const META = 'meta.json';
const INFO_CACHE_MAX = 1_000;

/**
 * Compression of the precompressed copies: written once per artifact, read many times. An entries file is
 * mostly SHA-256 hex, which gzip and brotli both shrink to ~55 %, but brotli (even at quality 6) takes many
 * times gzip's time on 80 MB: brotli copies are made for artifacts up to BROTLI_MAX_BYTES only (the audit
 * bundle, where its better dictionary pays), gzip for all.
 */
const BROTLI_MAX_BYTES = 8 << 20;
const gzip = () => createGzip({ level: 6 });
const brotli = (size: number) =>
  createBrotliCompress({
    params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_LGWIN]: 22, [zlib.BROTLI_PARAM_SIZE_HINT]: size, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
  });

/** Turns string chunks into UTF-8 bytes and feeds every byte to `hash` on the way. */
async function* hashed(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) continue;
    hash.update(bytes);
    yield bytes;
  }
}

/**
 * The artifact store in a local directory (ARTIFACTS_DIR): each artifact is a directory `<key>/` holding
 * `data` (and `data.gz`, `data.br`) and `meta.json`. A put writes everything into a fresh directory under
 * `.tmp/` and renames it into place in one step, which fails if another put got there first: a reader
 * never sees a half-written artifact and the first complete put wins. Infos are cached in the process
 * (artifacts never change).
 */
export class DirectoryArtifactStore implements ArtifactStore {
  readonly root: string;
  private readonly infos = new Map<string, ArtifactInfo>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string, file?: string): string {
    assertArtifactKey(key);
    return file ? join(this.root, key, file) : join(this.root, key);
  }

  async putOnce(key: string, body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: PutOptions): Promise<ArtifactInfo> {
    const existing = await this.stat(key);
    if (existing) return existing;
    const finalDir = this.path(key);
    const tmpDir = join(this.root, '.tmp', randomUUID());
    await mkdir(tmpDir, { recursive: true });
    try {
      const hash = createHash('sha256');
      await pipeline(Readable.from(hashed(body, hash)), createWriteStream(join(tmpDir, FILES.identity)));
      const sha256 = hash.digest('hex');
      if (options.expectSha256 !== undefined && sha256 !== options.expectSha256) throw new ArtifactDigestMismatch(key, options.expectSha256, sha256);
      const identity = (await stat(join(tmpDir, FILES.identity))).size;
      const sizes: ArtifactInfo['sizes'] = { identity };
      if (options.precompress) {
        const src = () => createReadStream(join(tmpDir, FILES.identity), { highWaterMark: 1 << 20 });
        const withBrotli = identity <= BROTLI_MAX_BYTES;
        await Promise.all([
          pipeline(src(), gzip(), createWriteStream(join(tmpDir, FILES.gzip))),
          withBrotli ? pipeline(src(), brotli(identity), createWriteStream(join(tmpDir, FILES.br))) : null,
        ]);
        sizes.gzip = (await stat(join(tmpDir, FILES.gzip))).size;
        if (withBrotli) sizes.br = (await stat(join(tmpDir, FILES.br))).size;
      }
      const info: ArtifactInfo = { key, contentType: options.contentType, sha256, sizes, meta: { ...(options.meta ?? {}) } };
      await writeFile(join(tmpDir, META), JSON.stringify(info));
      await mkdir(dirname(finalDir), { recursive: true });
      try {
        await rename(tmpDir, finalDir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        const winner = await this.stat(key); // another put completed first: keep its artifact
        if (!winner) throw error;
        return winner;
      }
      this.remember(info);
      return info;
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  async stat(key: string): Promise<ArtifactInfo | null> {
    const cached = this.infos.get(key);
    if (cached) return cached;
    let text: string;
    try {
      text = await readFile(this.path(key, META), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const info = JSON.parse(text) as ArtifactInfo;
    this.remember(info);
    return info;
  }

  async get(key: string): Promise<Buffer | null> {
    if (!(await this.stat(key))) return null;
    return readFile(this.path(key, FILES.identity));
  }

  async stream(key: string, options: { encoding?: ArtifactEncoding; range?: ByteRange } = {}): Promise<Readable | null> {
    const info = await this.stat(key);
    const encoding = options.encoding ?? 'identity';
    if (!info || info.sizes[encoding] === undefined) return null;
    if (options.range && encoding !== 'identity') throw new Error('byte ranges are of the identity representation only');
    return createReadStream(this.path(key, FILES[encoding]), { highWaterMark: 1 << 16, start: options.range?.start, end: options.range?.end });
  }

  private remember(info: ArtifactInfo): void {
    if (this.infos.size >= INFO_CACHE_MAX) this.infos.delete(this.infos.keys().next().value!);
    this.infos.set(info.key, info);
  }
}
