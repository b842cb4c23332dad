import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ArtifactDigestMismatch,
  assertArtifactKey,
  type ArtifactEncoding,
  type ArtifactInfo,
  type ArtifactStore,
  type ByteRange,
  type PutOptions,
} from './artifact-store.js';
import { ARTIFACT_FILES as FILES, ARTIFACT_META as META, BROTLI_MAX_BYTES, brotliCompressor as brotli, gzipCompressor as gzip, hashed, INFO_CACHE_MAX } from './artifact-bytes.js';


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
